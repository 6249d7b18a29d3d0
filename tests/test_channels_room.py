"""A conference held partly on video and on a phone line, in real Chromium.

A mother joins on video from her phone (360 px) and sees who is in the meeting, with each
person's role and how they take part, kept live as people join, are added by the chair and
leave. A GP on a phone line has no device in the meeting: the chair adds him and, when the
round is open, enters the rating he reads out, from the cockpit, without any value showing.

Screenshots of each step are saved in tests/screenshots/ (channels-*) for people to look at.
"""

import pytest
from playwright.sync_api import Page, expect
from room import CHAIR_SCREEN, LIVE, Person, Room, answered, sent, shot

SAFETY = {"title": "Risk of neglect", "body": "Missed health appointments.", "scale": "safety"}


@pytest.fixture(scope="module")
def room(module_server, browser) -> Room:
    return Room.first_chair(module_server.url, browser, module_server.setup_code)


def opened(person: Person, url: str) -> Page:
    page = person.context.new_page()
    page.goto(url)
    expect(page.locator("#connection")).to_have_text("Live", timeout=LIVE)
    return page


def people_of(page: Page):
    return page.locator("#region-people")


def test_a_parent_on_video_sees_who_is_here_and_the_chair_enters_a_phone_lines_rating(
    room: Room, browser
):
    room.new_meeting(SAFETY, title="Initial child-protection conference", kind="cp_conference")
    # Joining on a phone: where they are is asked beside who they are.
    joining = browser.new_context(base_url=room.base, viewport={"width": 360, "height": 740})
    form = joining.new_page()
    form.goto(f"/join/{room.join_code}")
    expect(form.get_by_role("group", name="Where are you?")).to_be_visible()
    shot(form, "channels-join-phone")
    joining.close()

    ana = room.join("Ana Silva", "Children's social care", role="Social worker")
    mum = room.join("Mum Brown", "", role="Mum", part="parent", channel="video")
    phone = opened(mum, f"/m/{room.meeting_id}")
    panel = people_of(phone)
    expect(panel).to_contain_text("Ana Silva")
    expect(panel).to_contain_text("Social worker · Children's social care")
    expect(panel).to_contain_text("Mum Brown")
    expect(panel.locator("li", has_text="Mum Brown")).to_contain_text("on video")

    # The chair adds a GP on a phone line: the mother's phone lists him at once.
    added = {"name": "Dr Lee", "role": "GP", "agency": "GP practice", "part": "professional"}
    sent(
        room.chair.http.post(
            f"/meetings/{room.meeting_id}/without-device", form={**added, "channel": "phone"}
        ),
        "add Dr Lee",
    )
    expect(panel).to_contain_text("Dr Lee", timeout=LIVE)
    expect(panel.locator("li", has_text="Dr Lee")).to_contain_text("On a phone line")
    # Someone joins late from the room: listed as soon as the chair admits them.
    room.join("Priya Shah", "Police", role="Detective constable")
    expect(panel).to_contain_text("Priya Shah", timeout=LIVE)
    # The display in the room says who is not in it.
    display = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    display.goto(room.display_url)
    lobby = display.locator(".room-list")
    expect(lobby.locator("li", has_text="Mum Brown")).to_contain_text("on video")
    expect(lobby.locator("li", has_text="Dr Lee")).to_contain_text("on a phone line")
    shot(display, "channels-display-lobby-1080", full_page=False)
    display.context.close()
    answered(phone)
    phone.locator("#region-people").scroll_into_view_if_needed()
    shot(phone, "channels-phone-people", full_page=True)

    room.start()
    round_id = room.open_round()
    room.rate(ana, round_id, score=3)
    cockpit = room.chair.context.new_page()
    cockpit.set_viewport_size(CHAIR_SCREEN)
    cockpit.goto(f"/meetings/{room.meeting_id}")
    behalf = cockpit.locator("#region-behalf")
    expect(behalf).to_contain_text("Ratings given to you: round 1")
    expect(behalf.get_by_label("Whose rating")).to_have_value(str(lookup(room, "Dr Lee")))
    expect(behalf.get_by_label("Read out on a phone line")).to_be_checked()
    behalf.locator("label.pick", has_text="2").first.click()
    behalf.get_by_label("Their reason").fill("Mum is trying hard")
    behalf.get_by_role("button", name="Enter this rating").click()
    expect(cockpit.locator("#flash")).to_contain_text(
        "Dr Lee's rating is in round 1, hidden until the reveal.", timeout=LIVE
    )
    answered(cockpit)
    expect(behalf.locator("li", has_text="Dr Lee")).to_contain_text(
        "read out to the chair on a phone line"
    )
    # Nothing of the value is shown back: the form is empty again, and no 2 is chosen.
    expect(behalf.locator("input[name=score]:checked")).to_have_count(0)
    expect(behalf.get_by_label("Their reason")).to_have_value("")
    assert "Mum is trying hard" not in cockpit.content()
    shot(cockpit, "channels-chair-behalf", full_page=False)
    # On the mother's phone, Dr Lee is among those who have rated; his rating is not shown.
    expect(phone.locator("#region-progress")).to_contain_text("2 of 5 have rated", timeout=LIVE)
    expect(phone.locator("#region-progress li.done", has_text="Dr Lee")).to_be_visible()
    assert "Mum is trying hard" not in phone.content()

    # Someone leaves: the mother's phone says so.
    priya = room.people["Priya Shah"]
    sent(
        room.chair.http.post(
            f"/meetings/{room.meeting_id}/people/{priya.id}/left", form={"left_at": ""}
        ),
        "left",
    )
    expect(panel.locator("li", has_text="Priya Shah")).to_contain_text("Left at", timeout=LIVE)

    room.reveal(round_id)
    expect(phone.locator("#region-stage")).to_contain_text("Mum is trying hard", timeout=LIVE)
    answered(phone)
    shot(phone, "channels-phone-revealed", full_page=True)


def lookup(room: Room, name: str) -> int:
    import re

    page = room.chair_page()
    found = re.search(rf'<option value="(\d+)"[^>]*>{re.escape(name)} \(', page)
    assert found, f"{name} is not offered"
    return int(found.group(1))
