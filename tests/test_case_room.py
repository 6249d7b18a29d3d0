"""A review meeting in the room, in real Chromium: an owner answers for their action from
their phone; the display, the phones and the chair see how each agency moved only once
the new round is revealed, sent live; and nothing on any screen scrolls or spills sideways.

Screenshots of each stage are saved in tests/screenshots/ (review-*) for people to look at.
"""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from room import LIVE, PHONE, REVIEW_DATE, Room, serious_violations, shot
from test_room import LONG_BODY

# The long assessment the room tests use, so the chronology has to fit beside a full one.
ITEM = {"title": "Risk of criminal exploitation", "body": LONG_BODY, "scale": "safety"}
PEOPLE = [
    ("Priya Shah", "Police", 3, 5),
    ("Tom Reid", "School", 6, 8),
    ("Ade Okafor", "Health", 4, 4),
]
DECISION = {
    "text": "Child-protection plan with an evening safety plan",
    "rationale": "Missing episodes with older males",
    "child_views": "I want to keep playing football",
    "review_triggers": "Another missing episode",
    "forecast": "No missing episodes\nAttends school 90% or more",
}
DISPLAYS = {"display-1920": (1920, 1080), "display-1280": (1280, 720)}


@pytest.fixture(scope="module")
def room(module_server, browser) -> Room:
    return Room.first_chair(module_server.url, browser, module_server.setup_code)


def still(page: Page) -> bool:
    """The page settles neither scrolling nor spilling sideways (the display's rule). A
    scene is fitted to the screen once it is drawn, and starting the meeting reloads the
    display, so it has until LIVE to settle; one that still scrolls then fails."""
    try:
        page.wait_for_function(
            """() => { const e = document.documentElement;
                       return e.scrollHeight <= e.clientHeight
                           && e.scrollWidth <= e.clientWidth; }""",
            timeout=LIVE,
        )
    except PlaywrightTimeout:
        return False
    return True


def fits_sideways(page: Page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def first_meeting(room: Room) -> int:
    meeting_id = room.new_meeting(ITEM, title="Initial conference")
    people = {name: room.join(name, agency) for name, agency, _then, _now in PEOPLE}
    room.start()
    round_id = room.open_round()
    for name, _agency, then, _now in PEOPLE:
        room.rate(people[name], round_id, score=then)
    room.reveal(round_id)
    room.decide(room.current_item_id(), **DECISION)
    soon = (date.today() + timedelta(days=10)).isoformat()
    for what, owner in (
        ("Share the missing reports", "Priya Shah"),
        ("Refer to the team", "Tom Reid"),
    ):
        form = {"what": what, "owner_id": str(people[owner].id), "due": soon}
        assert room.chair.http.post(f"/meetings/{meeting_id}/actions", form=form).ok
    assert room.chair.http.post(f"/meetings/{meeting_id}/close").ok
    for person in people.values():
        person.context.close()
    return meeting_id


def test_a_review_in_the_room(room):
    earlier = first_meeting(room)
    review = room.review_of(earlier)
    people = {name: room.join(name, agency) for name, agency, _then, _now in PEOPLE}

    # The chair prepares: the last meeting, item by item, on the set-up page.
    chair = room.chair.context.new_page()
    chair.goto(f"{room.base}/meetings/{review}")
    expect(chair.get_by_role("heading", name="The last meeting, item by item")).to_be_visible()
    assert fits_sideways(chair)
    shot(chair, "review-chair-1-preparing")

    # Priya's phone leads her to her action from the last meeting; she answers it.
    priya = people["Priya Shah"].context.new_page()
    priya.goto(f"{room.base}/m/{review}")
    expect(priya.locator("#connection")).to_have_text("Live", timeout=LIVE)
    yours = priya.get_by_role("heading", name="Your actions from the last meeting (1)")
    expect(yours).to_be_visible()
    assert yours.bounding_box()["y"] < PHONE["height"]
    assert fits_sideways(priya)
    shot(priya, "review-phone-1-your-action")
    assert serious_violations(priya) == []
    priya.get_by_label("Partly done").check()
    priya.get_by_role("button", name="Save").click()
    error = priya.locator("#region-case").get_by_role("alert")
    expect(error).to_contain_text("Add a line on what happened", timeout=LIVE)
    expect(priya.get_by_label("Partly done")).to_be_checked()
    priya.locator("#region-case").get_by_label("A line on what happened").fill(
        "Sent to school, not yet to health"
    )
    priya.get_by_role("button", name="Save").click()
    expect(priya.locator("#region-case")).to_contain_text(
        "Partly done: Sent to school", timeout=LIVE
    )
    # The chair's page hears it without a reload.
    expect(chair.locator("#region-case")).to_contain_text(
        "Partly done: Sent to school", timeout=LIVE
    )
    shot(priya, "review-phone-2-answered")

    displays = {}
    for name, (width, height) in DISPLAYS.items():
        context = room.browser.new_context(viewport={"width": width, "height": height})
        display = context.new_page()
        display.goto(room.display_url)
        displays[name] = display
    # Tom adds something significant from his phone; the display shows it beside the item.
    event = {
        "happened_on": date.today().isoformat(),
        "what": "Missing overnight, found by police",
        "agency": "Police",
    }
    assert people["Tom Reid"].http.post(f"/m/{review}/chronology", form=event).ok
    room.start()
    for name, display in displays.items():
        side = display.locator(".chronology-side")
        expect(side).to_contain_text("Missing overnight, found by police", timeout=LIVE)
        assert still(display), f"{name} scrolls"
        shot(display, f"review-{name}-item", full_page=False)
    # Starting reloads every screen of the meeting: the chair's page becomes the cockpit.
    expect(chair.locator(".cockpit")).to_be_visible(timeout=LIVE)
    expect(chair.locator("#connection")).to_have_text("Live", timeout=LIVE)
    expect(priya.locator("#connection")).to_have_text("Live", timeout=LIVE)
    round_id = room.open_round()
    for name, _agency, _then, now in PEOPLE:
        room.rate(people[name], round_id, score=now)
    expect(priya.locator("#region-progress")).to_contain_text("3 of", timeout=LIVE)
    for display in displays.values():
        expect(display.locator(".scene-round")).to_be_visible(timeout=LIVE)
        assert "Last meeting" not in display.content()
    assert "At the last meeting" not in priya.content()

    room.reveal(round_id)
    for name, display in displays.items():
        since = display.locator(".since")
        expect(since).to_contain_text("Last meeting", timeout=LIVE)
        expect(since.locator("tr", has_text="Police")).to_contain_text("rated safer")
        assert still(display), f"{name} scrolls"
        shot(display, f"review-{name}-reveal", full_page=False)
    stage = priya.locator("#region-stage")
    expect(stage.get_by_role("heading", name=re.compile("At the last meeting"))).to_be_visible(
        timeout=LIVE
    )
    expect(stage.locator(".movement tr", has_text="School")).to_contain_text("rated safer")
    assert fits_sideways(priya)
    shot(priya, "review-phone-3-revealed")
    assert serious_violations(priya) == []
    expect(chair.locator("#region-stage")).to_contain_text("At the last meeting", timeout=LIVE)
    shot(chair, "review-chair-2-revealed", full_page=False)

    # The chair answers a forecast; the phones see it with the last meeting's decision.
    forecasts = chair.locator("#forecasts")
    first = forecasts.locator("li").first
    first.get_by_text("Record what happened").click()
    first.get_by_label("Not met").check()
    first.get_by_label("A line on what happened").fill("One episode in December")
    first.get_by_role("button", name="Save").click()
    expect(stage).to_contain_text("Not met", timeout=LIVE)
    # Rated safer while the actions are not done and a forecast was missed: the chair
    # records what new evidence explains it (see test_targets_room).
    evidence = {"change_evidence": "She has engaged with the evening safety plan"}
    room.decide(room.current_item_id(), **{**DECISION, "review_date": REVIEW_DATE, **evidence})
    for name, display in displays.items():
        expect(display.locator(".scene-decision")).to_be_visible(timeout=LIVE)
        assert still(display), f"{name} scrolls"
    shot(chair, "review-chair-3-decided")

    case_page = room.chair.context.new_page()
    case_page.goto(f"{room.base}/meetings/{review}")
    case_page.get_by_role("link", name="The child's case").click()
    expect(case_page.get_by_role("heading", name="Meetings (2)")).to_be_visible()
    expect(case_page.locator("#open-actions")).to_contain_text("Refer to the team")
    assert fits_sideways(case_page)
    shot(case_page, "review-case-page")
    assert serious_violations(case_page) == []
