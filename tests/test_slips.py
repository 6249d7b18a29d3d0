"""Rating slips on paper: one for each person who rates and some blank, for the chair only,
with nothing of an item restricted from the family on a slip that may reach them; and, in
Chromium, printed to A4 with several slips to a page and none split across two.
"""

import re
from io import BytesIO

import pytest
from conftest import CHOICE_ITEM, LXS_ITEM, SAFETY_ITEM, log_in, make_chair, text_of
from playwright.sync_api import expect
from pypdf import PdfReader
from room import SHOTS, Room, sent, serious_violations, shot

from meeting.errors import Invalid
from meeting.rating import slips

HAND_IN = "Hand this to the chair. Your rating stays hidden until everyone's is shown."
# The item restricted from the family in these tests: the likelihood × severity one.
RESTRICTED = LXS_ITEM["title"]


def slips_of(html: str) -> dict[str, str]:
    """Each slip on the page as its text, by whose it is ("blank 1", "blank 2" for the rest)."""
    found, blanks = {}, 0
    for part in html.split('<article class="slip"')[1:]:
        text = text_of(part.split("</article>")[0]).replace(" ,", ",")
        whose = re.search(r'aria-label="Rating slip for ([^"]+)"', part)
        if whose:
            found[whose.group(1)] = text
        else:
            blanks += 1
            found[f"blank {blanks}"] = text
    return found


def boxes(html: str, whose: str) -> int:
    """How many boxes to tick are on one person's slip."""
    part = html.split(f'aria-label="Rating slip for {whose}"')[1].split("</article>")[0]
    return part.count('class="box"')


@pytest.fixture
def conference(people):
    """The three-item meeting with a police officer and a parent in it, the family rating,
    and the likelihood × severity item restricted from the family."""
    people.join_admitted("Priya Shah", "Police", role="Detective constable")
    people.join_admitted("Mum Brown", "", role="Mother", part="parent")
    people.join_admitted("Olu Ade", "Unknown", part="observer")
    url = f"/meetings/{people.meeting_id}"
    assert people.chair.post(f"{url}/family/rates", data={"on": "yes"}).status_code == 302
    with people.app.app_context():
        lxs = people.meeting().items[1].id
    restrict = people.chair.post(f"{url}/items/{lxs}/restricted", data={"restricted": "yes"})
    assert restrict.status_code == 302
    return people


def test_each_person_who_rates_gets_a_slip_and_two_blank_ones_come_with_them(conference):
    answer = conference.chair.get(f"/meetings/{conference.meeting_id}/slips")
    assert answer.status_code == 200
    shown = slips_of(answer.text)
    # The chair rates on their own page, and an observer does not rate.
    assert list(shown) == ["Priya Shah", "Mum Brown", "blank 1", "blank 2"]
    for text in shown.values():
        assert "Review conference" in text
        assert "Child: A.B." in text
        assert HAND_IN in text
        assert "Why (optional):" in text
        assert SAFETY_ITEM["title"] in text
    assert "Priya Shah, Police" in shown["Priya Shah"]
    assert "Mum Brown, Parent or carer" in shown["Mum Brown"]
    assert "the family's own view" in shown["Mum Brown"]
    assert shown["blank 1"].count("Name:") == 1


def test_the_scales_are_drawn_out_to_tick(conference):
    page = conference.chair.get(f"/meetings/{conference.meeting_id}/slips").text
    priya = slips_of(page)["Priya Shah"]
    # The safety scale's eleven, likelihood and severity five each, and the three choices.
    assert boxes(page, "Priya Shah") == 11 + 5 + 5 + 3
    assert "1. Risk of criminal exploitation Safety scale 0–10: tick one box" in priya
    assert "0 1 2 3 4 5 6 7 8 9 10" in priya
    assert "0 = Action needed now: the child cannot stay as things are" in priya
    assert "10 = Everyone is confident the child is safe enough to close" in priya
    assert "tick one box in each row" in priya
    assert "Likelihood 1 Rare 2 Unlikely 3 Possible 4 Likely 5 Almost certain" in priya
    assert "Severity 1 Minimal 2 Minor 3 Moderate 4 Serious 5 Severe" in priya
    assert "Low 1–4, Medium 5–9, High 10–16, Very high 17–25" in priya
    assert "Child-protection plan Child-in-need plan No further action" in priya


def test_nothing_restricted_from_the_family_is_on_a_slip_that_may_reach_them(conference):
    url = f"/meetings/{conference.meeting_id}/slips"
    page = conference.chair.get(url).text
    shown = slips_of(page)
    assert RESTRICTED in shown["Priya Shah"]
    assert "Not for the family" in shown["Priya Shah"]
    assert "Without the family" in shown["Priya Shah"]
    # The parent's slip and the blank ones (handed to anyone) do not even name it.
    for whose in ("Mum Brown", "blank 1", "blank 2"):
        assert RESTRICTED not in shown[whose]
        assert "Not for the family" not in shown[whose]
        assert "Without the family" not in shown[whose]
        assert "2. " not in shown[whose]
    assert boxes(page, "Mum Brown") == 11 + 3
    # Blank slips for professionals carry it, and say they are not for the family.
    shown = slips_of(conference.chair.get(f"{url}?blank=1&for=professionals").text)
    assert list(shown) == ["Priya Shah", "Mum Brown", "blank 1"]
    assert RESTRICTED in shown["blank 1"]
    assert "Not for the family" in shown["blank 1"]


def test_the_family_gets_no_slip_when_they_do_not_rate(conference):
    url = f"/meetings/{conference.meeting_id}"
    assert conference.chair.post(f"{url}/family/rates", data={"on": "no"}).status_code == 302
    answer = conference.chair.get(f"{url}/slips")
    assert list(slips_of(answer.text)) == ["Priya Shah", "blank 1", "blank 2"]
    assert "The family does not rate in this meeting, so Mum Brown has no slip." in text_of(
        answer.text
    )


def test_the_chair_says_how_many_blank_slips(conference):
    url = f"/meetings/{conference.meeting_id}/slips"
    assert len(slips_of(conference.chair.get(f"{url}?blank=5").text)) == 2 + 5
    assert list(slips_of(conference.chair.get(f"{url}?blank=0").text)) == [
        "Priya Shah",
        "Mum Brown",
    ]
    for wrong in ("lots", "-1", "31", "2.5"):
        answer = conference.chair.get(f"{url}?blank={wrong}")
        assert answer.status_code == 422, wrong
        page = text_of(answer.text)
        assert "Blank slips: give a whole number from 0 to 30. These are the usual 2." in page
        assert f'value="{wrong}"' in answer.text, "what was typed is kept"
        assert len(slips_of(answer.text)) == 2 + 2


def test_how_many_blank_slips_is_read_as_the_chair_typed_it():
    assert slips.blank_count(None) == slips.BLANK == 2
    assert slips.blank_count(" 7 ") == 7
    assert slips.blank_count(str(slips.MOST_BLANK)) == slips.MOST_BLANK
    for wrong in ("seven", "-2", str(slips.MOST_BLANK + 1)):
        with pytest.raises(Invalid):
            slips.blank_count(wrong)


def test_only_the_meetings_chair_gets_its_slips(conference, client):
    url = f"/meetings/{conference.meeting_id}/slips"
    parent = conference.join_admitted("Dad Brown", "", role="Father", part="parent")
    for someone in (parent, client):
        answer = someone.get(url)
        assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")
    make_chair(conference.app, email="other@example.org", name="Other Chair")
    other = log_in(conference.app, "other@example.org")
    refused = other.get(url)
    assert refused.status_code == 403
    assert SAFETY_ITEM["title"] not in refused.text
    assert conference.chair.get("/meetings/999/slips").status_code == 404


def test_the_chairs_page_offers_the_slips_in_set_up_and_while_running(conference):
    url = f"/meetings/{conference.meeting_id}"
    link = f'href="{url}/slips">Print rating slips</a>'
    assert link in conference.chair.get(url).text
    conference.start()
    assert link in conference.chair.get(url).text


# In Chromium: the page printed to A4.

# A4 in points (210 × 297 mm); Chromium rounds a page to whole pixels.
A4 = (595.28, 841.89)


def a4(reader: PdfReader) -> bool:
    """Whether every page is A4, portrait."""
    return all(
        abs(float(p.mediabox.width) - A4[0]) < 1.5 and abs(float(p.mediabox.height) - A4[1]) < 1.5
        for p in reader.pages
    )


@pytest.fixture(scope="module")
def printed(module_server, browser):
    """A conference with four professionals, two parents and the young person, its slips
    page opened from the chair's page, with three blank slips."""
    room = Room.first_chair(module_server.url, browser, module_server.setup_code)
    room.new_meeting(
        SAFETY_ITEM, LXS_ITEM, CHOICE_ITEM, title="Initial conference", kind="cp_conference"
    )
    for name, agency in (
        ("Ana Silva", "Children's social care"),
        ("Priya Shah", "Police"),
        ("Ade Okafor", "Health"),
        ("Tom Reid", "School"),
    ):
        room.join(name, agency)
    room.join("Mum Brown", "", role="Mother", part="parent")
    room.join("Dad Brown", "", role="Father", part="parent")
    room.join("Jay", "", role="", part="young_person")
    found = re.findall(rf"/meetings/{room.meeting_id}/items/(\d+)/", room.chair_page())
    lxs = list(dict.fromkeys(found))[1]
    path = f"/meetings/{room.meeting_id}/items/{lxs}/restricted"
    sent(room.chair.http.post(path, form={"restricted": "yes"}), "restrict")
    page = room.chair.context.new_page()
    page.goto(f"/meetings/{room.meeting_id}")
    shot(page, "slips-chair-set-up")
    page.get_by_role("link", name="Print rating slips").click()
    page.get_by_label("Blank slips", exact=True).fill("3")
    page.get_by_role("button", name="Show these slips").click()
    expect(page.locator("article.slip")).to_have_count(7 + 3)
    return page


def test_the_slips_print_on_a4_several_to_a_page_and_none_split(printed):
    # The page asks for A4 itself, as a browser's print dialog reads it.
    assert a4(PdfReader(BytesIO(printed.pdf(prefer_css_page_size=True))))
    reader = PdfReader(BytesIO(printed.pdf(format="A4")))
    assert a4(reader)
    on_each = []
    for number, sheet in enumerate(reader.pages, 1):
        text = " ".join(sheet.extract_text().split())
        # Each page starts with a slip's head and ends with a slip's last line: none is
        # split across two pages, and nothing but the slips is printed.
        assert text.startswith("OFFICIAL-SENSITIVE"), (number, text[:80])
        assert text.endswith("Why (optional):"), (number, text[-80:])
        assert "Print the slips" not in text and "Risk meeting" not in text
        on_each.append(text.count("Hand this to the chair."))
    assert sum(on_each) == 10
    assert min(on_each[:-1]) >= 2, f"several slips to a page: {on_each}"


def test_a_page_of_slips_looks_like_paper(printed):
    SHOTS.mkdir(exist_ok=True)
    printed.set_viewport_size({"width": 794, "height": 1123})
    printed.emulate_media(media="print")
    printed.screenshot(path=str(SHOTS / "slips-print-a4.png"))
    expect(printed.get_by_role("button", name="Print the slips (A4)")).to_be_hidden()
    expect(printed.locator("header.top")).to_be_hidden()
    first = printed.locator("article.slip").first
    assert first.bounding_box()["width"] <= 794
    printed.emulate_media(media="screen")
    printed.set_viewport_size({"width": 1366, "height": 768})
    printed.screenshot(path=str(SHOTS / "slips-screen.png"), full_page=True)
    assert serious_violations(printed) == []
