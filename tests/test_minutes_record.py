"""Minutes that read as one account: a divided room and its minority views, the quorum as it
stood at the end, written contributions dated before their round, Word tables that keep
their rows whole, and a printed page that is white to its foot.

Each meeting here is run through the pages as its people would; the minutes are read as
the chair downloads them (Markdown), sees them (HTML) or prints them.
"""

import re
from datetime import timedelta
from io import BytesIO

import docx
import pytest
from conftest import LXS_ITEM, SAFETY_ITEM, People, log_in, make_chair, make_meeting, text_of
from docx.oxml.ns import qn
from story import circulate

import minutes
from meeting.extensions import db
from meeting.models import Contribution

CHOICES = ("Child-protection plan", "Child-in-need plan", "No further action")


def close_and_read(people: People) -> tuple[str, str]:
    """Close the meeting; return its draft minutes as Markdown and as the page's text."""
    assert people.chair.post(f"/meetings/{people.meeting_id}/close").status_code == 302
    minutes = f"/meetings/{people.meeting_id}/minutes"
    markdown = people.chair.get(minutes + "/draft.md").get_data(as_text=True)
    return markdown, text_of(people.chair.get(minutes).text)


def item_of(markdown: str, position: int) -> str:
    """Return one item's part of the minutes."""
    start = markdown.index(f"## Item {position}:")
    following = markdown.find(f"## Item {position + 1}:", start)
    return markdown[start : following if following > 0 else markdown.index("## All actions")]


def heard_in(item: str) -> str:
    """Return an item's "Minority views heard" part."""
    return item[item.index("### Minority views heard") : item.index("### Decision")]


# Each: the item rated (1 safety, 2 likelihood × severity, 3 choice), who rated what, the
# sentence after the round's spread ("" for none), and what "Minority views heard" says.
ROOMS = {
    # The case people met: the key worker's Low 4 is held by few, the two Highs are a third.
    "divided, with a minority view": (
        2,
        [
            ("Ann Police", "Police", {"likelihood": 4, "severity": 4}),
            ("Bo School", "School", {"likelihood": 3, "severity": 4}),
            ("Cy Health", "Health", {"likelihood": 2, "severity": 4}),
            ("Di Social", "Children's social care", {"likelihood": 2, "severity": 3}),
            ("Ed Youth", "Youth justice", {"likelihood": 3, "severity": 2}),
            ("Kim Key", "Residential care", {"likelihood": 1, "severity": 4}),
        ],
        "**The meeting was divided: 1 of 6 rated Low; 3 of 6 rated Medium; 2 of 6 rated "
        "High.** Only the rating held by few was marked as a minority view: Kim Key "
        "(Residential care), L1 × S4 = 4 (Low).",
        "- Round 1: Kim Key (Residential care), L1 × S4 = 4 (Low)\n",
    ),
    "divided, with two minority views": (
        3,
        [
            ("Ann Police", "Police", {"choice": CHOICES[0]}),
            ("Bo School", "School", {"choice": CHOICES[0]}),
            ("Cy Health", "Health", {"choice": CHOICES[0]}),
            ("Di Social", "Children's social care", {"choice": CHOICES[1]}),
            ("Ed Youth", "Youth justice", {"choice": CHOICES[1]}),
            ("Fay Advocate", "Advocacy", {"choice": CHOICES[1]}),
            ("Gus Housing", "Housing", {"choice": CHOICES[2]}),
            ("Kim Key", "Residential care", {"choice": CHOICES[2]}),
        ],
        "**The meeting was divided: 3 of 8 chose Child-protection plan; 3 of 8 chose "
        "Child-in-need plan.** Only the ratings held by few were marked as minority views: "
        "Gus Housing (Housing), No further action; Kim Key (Residential care), No further "
        "action.",
        "- Round 1: Gus Housing (Housing), No further action\n"
        "- Round 1: Kim Key (Residential care), No further action\n",
    ),
    "divided, nobody marked": (
        1,
        [
            ("Ann Police", "Police", {"score": 2}),
            ("Bo School", "School", {"score": 2}),
            ("Cy Health", "Health", {"score": 2}),
            ("Di Social", "Children's social care", {"score": 8}),
            ("Ed Youth", "Youth justice", {"score": 8}),
            ("Kim Key", "Residential care", {"score": 8}),
        ],
        "**The meeting was divided: 3 of 6 rated 2; 3 of 6 rated 8.** "
        "No side was marked as a minority view.",
        "None marked: the meeting was divided (see the ratings).",
    ),
    "a minority view, not divided": (
        1,
        [
            ("Ann Police", "Police", {"score": 7}),
            ("Bo School", "School", {"score": 7}),
            ("Cy Health", "Health", {"score": 6}),
            ("Di Social", "Children's social care", {"score": 7}),
            ("Kim Key", "Residential care", {"score": 1}),
        ],
        "",
        "- Round 1: Kim Key (Residential care), 1\n",
    ),
    "neither": (
        1,
        [
            ("Ann Police", "Police", {"score": 6}),
            ("Bo School", "School", {"score": 7}),
            ("Cy Health", "Health", {"score": 6}),
            ("Di Social", "Children's social care", {"score": 5}),
            ("Kim Key", "Residential care", {"score": 6}),
        ],
        "",
        "No rating was marked as a minority view.",
    ),
}


@pytest.mark.parametrize("room", ROOMS)
def test_a_round_says_how_the_room_divided_and_who_was_marked_without_contradiction(people, room):
    position, raters, said, heard = ROOMS[room]
    devices = [(people.join_admitted(name, agency), rating) for name, agency, rating in raters]
    people.start()
    people.move_to(position)
    round_id = people.open_round()
    for device, rating in devices:
        assert people.rate(device, round_id, **rating).status_code == 302
    assert people.reveal(round_id).status_code == 302

    markdown, page = close_and_read(people)
    item = item_of(markdown, position)
    if said:
        assert said in item
        # The page says it in the same words, without the Markdown.
        assert said.replace("**", "") in page
    else:
        assert "was divided" not in item
    if "Only the" in said:
        assert "No side was marked" not in item
    assert heard in heard_in(item)
    # The ratings table marks exactly the raters the sentences name.
    for name, _agency, _rating in raters:
        row = next(line for line in item.splitlines() if line.startswith(f"| {name} |"))
        assert ("(minority)" in row) == (f"{name} (" in heard), row


def test_minority_views_heard_names_a_divided_round_beside_one_that_marked_someone(story):
    record = story.people.chair.get(f"/meetings/{story.people.meeting_id}/record.json").json
    record.pop("events")
    first, second = record["items"][1]["rounds"]
    first["divided"] = "The meeting was divided: 2 of 4 rated Low; 2 of 4 rated High."
    for rating in first["ratings"]:
        rating["minority"] = False
    for rating in second["ratings"]:
        rating["minority"] = rating["name"] == "Ms Reid"
    item = item_of(minutes.render(record, minutes.Edition()), 2)
    assert heard_in(item).splitlines()[2:4] == [
        "- Round 1: none marked; the meeting was divided (see the ratings).",
        "- Round 2: Ms Reid (School), L2 × S2 = 4 (Low)",
    ]
    # With nobody marked in either round, the divided one is named.
    for rating in second["ratings"]:
        rating["minority"] = False
    item = item_of(minutes.render(record, minutes.Edition()), 2)
    assert "None marked: the meeting was divided in round 1 (see the ratings)." in item


@pytest.fixture
def review(app) -> People:
    """A positive-risk-taking review in set-up, whose rule needs two agencies present."""
    make_chair(app)
    chair = log_in(app)
    meeting_id = make_meeting(chair, SAFETY_ITEM, LXS_ITEM, kind="prt_review")
    return People(app, chair, meeting_id)


REASON = "The school's safeguarding lead is on the way; the police cannot wait"


@pytest.mark.parametrize("school_came", [True, False], ids=["quorate by then", "never quorate"])
def test_the_reason_for_going_on_inquorate_is_printed_only_while_it_applies(review, school_came):
    review.join_admitted("Priya Shah", "Police")
    answer = review.chair.post(f"/meetings/{review.meeting_id}/quorum", data={"reason": REASON})
    assert answer.status_code == 302, answer.text
    review.start()
    if school_came:
        review.join_admitted("Ms Reid", "School")

    markdown, page = close_and_read(review)
    if school_came:
        assert "**Quorum:** Quorate. The rule for this meeting: at least two agencies." in markdown
        assert "Agencies present: Police, Education." in markdown
        assert "reason for going on without a quorum" not in markdown
        assert REASON not in markdown and REASON not in page
    else:
        assert "**Quorum:** **Not quorate.**" in markdown
        assert f"**The chair's reason for going on without a quorum:**\n\n> {REASON}" in markdown
        assert REASON in page


ENTERED = r"Entered (\d\d:\d\d:\d\d)(?: on \d+ \w+ \d{4})?"


def test_a_written_contribution_says_it_was_entered_before_its_round(people):
    people.chair.post(
        f"/meetings/{people.meeting_id}/apologies",
        data={"name": "Dr Lee", "role": "GP", "agency": "Health"},
    )
    lee = people.attendee_id("Dr Lee")
    with people.app.app_context():
        first, second = (i.id for i in people.meeting().items[:2])
    written = f"/meetings/{people.meeting_id}/people/{lee}/contributions"
    report = {"report": "Seen at the emergency department twice", "reason": "Unexplained"}
    assert people.chair.post(f"{written}/{first}", data={**report, "score": "2"}).status_code == 302
    with people.app.app_context():
        # The chair typed it in the day before.
        entered = db.session.query(Contribution).one()
        entered.entered_at -= timedelta(days=1)
        db.session.commit()
    priya = people.join_admitted("Priya Shah", "Police")
    people.start()
    # The second item's contribution arrives once the meeting is under way.
    answer = people.chair.post(
        f"{written}/{second}", data={**report, "likelihood": "3", "severity": "3"}
    )
    assert answer.status_code == 302
    for position, rating in ((1, {"score": 6}), (2, {"likelihood": 2, "severity": 2})):
        people.move_to(position)
        round_id = people.open_round()
        people.rate(priya, round_id, **rating)
        people.reveal(round_id)

    markdown, page = close_and_read(people)
    for position, before in ((1, "before the meeting started"), (2, "before the round opened")):
        item = item_of(markdown, position)
        opened = re.search(r"Opened (\d\d:\d\d:\d\d)", item)
        row = re.search(
            rf"\| Dr Lee \(written contribution\) \| Health \| [^|]+ \| Unexplained \| "
            rf"{ENTERED}, {before} \|",
            item,
        )
        assert opened and row, item
        assert (
            "**Written report from Dr Lee (Health), entered by the chair "
            f"{before}:**\n\n> Seen at the emergency department twice"
        ) in item
        # Priya rated in the round, so her time is when she submitted.
        assert re.search(r"\| Priya Shah \| Police \| [^|]+ \|\s+\| \d\d:\d\d:\d\d \|", item)
    # Entered the day before: the minutes give the day, as the round opened on another.
    assert re.search(rf"{ENTERED}, before the meeting started", markdown).group(0).count(" on ")
    assert "Entered" in page and "before the meeting started" in page


def test_word_tables_repeat_their_header_row_keep_rows_whole_and_headings_with_their_text(
    story,
):
    answer = story.people.chair.get(f"/meetings/{story.people.meeting_id}/minutes/draft.docx")
    document = docx.Document(BytesIO(answer.data))
    assert len(document.tables) >= 8
    for table in document.tables:
        rows = table._tbl.tr_lst
        header = rows[0].trPr
        assert header is not None and header.find(qn("w:tblHeader")) is not None
        assert [c.text for c in table.rows[0].cells][:2] in (
            ["Name", "Taking part as"],
            ["Rater", "Agency"],
            ["Family member", "Who"],
            ["Owner", "Agency"],
            ["#", "Item"],
        )
        for row in rows:
            properties = row.trPr
            assert properties is not None and properties.find(qn("w:cantSplit")) is not None
            # In the order the schema requires: cantSplit before tblHeader.
            names = [child.tag for child in properties]
            assert names == sorted(names, key=[qn("w:cantSplit"), qn("w:tblHeader")].index)
        # Only the header row repeats.
        assert not [r for r in rows[1:] if r.trPr.find(qn("w:tblHeader")) is not None]
    headings = [p for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert len(headings) > 20
    for heading in headings:
        assert heading.paragraph_format.keep_with_next, heading.text
        assert heading._p.pPr.find(qn("w:keepNext")) is not None
    labels = [p for p in document.paragraphs if p.text in ("Rationale:",)]
    assert labels and all(p.paragraph_format.keep_with_next for p in labels)


def test_the_printed_minutes_are_white_behind_the_text_to_the_foot_of_the_last_page(story):
    from playwright.sync_api import sync_playwright
    from room import ARGS, CHROMIUM

    circulate(story.people)
    chair = story.people.chair
    token = story.reader_token("Priya Shah")
    device = story.devices["Priya Shah"]
    pages = {
        f"/meetings/{story.people.meeting_id}/minutes": chair,
        f"/minutes/{token}": device,
    }

    def serve(route):
        path = route.request.url.removeprefix("http://minutes.test")
        client = next((c for p, c in pages.items() if path.startswith(p)), chair)
        answer = client.get(path, follow_redirects=True)
        body = answer.get_data()
        answer.close()
        route.fulfill(status=answer.status_code, content_type=answer.content_type, body=body)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.route("http://minutes.test/**", serve)
        page.emulate_media(media="print")
        for path in pages:
            page.goto("http://minutes.test" + path)
            assert "Minutes: " in page.inner_text(".minutes-paper")
            # Printed with backgrounds, what fills the page below the last line is the
            # root's background (the canvas), then the body's: both white, as paper is.
            backgrounds = page.evaluate(
                "[document.documentElement, document.body].map("
                "e => getComputedStyle(e).backgroundColor)"
            )
            assert backgrounds == ["rgb(255, 255, 255)", "rgb(255, 255, 255)"], path
        browser.close()
