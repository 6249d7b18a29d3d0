"""A target and the optimism check in the room, in real Chromium: the display shows the
last meeting's target against round 1 only once it is revealed, sent live, without
scrolling; the chair's cockpit shows the check and, on the decision form, the question a
safer rating beside an undone action asks, which must be answered before recording.

Screenshots are saved in tests/screenshots/ (targets-*) for people to look at.
"""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from room import LIVE, Room, serious_violations, shot
from test_case_room import DECISION, ITEM, PEOPLE, fits_sideways, still

MISSED = "Target: safety at least 7 by the review. Round 1's median is 5: not met, 2 short."
QUESTION = (
    "Rated safer than last time (median 4 → 5) while 1 action is not reported on: "
    "what new evidence explains the change?"
)
AGREED = re.compile(r"Target by \d+ \w+ \d{4}: safety at least 7")
FORECASTS = "Expected by the review if the plan is followed: No missing episodes; Attends school"
DISPLAYS = {"display-1920": (1920, 1080), "display-1280": (1280, 720)}


@pytest.fixture(scope="module")
def room(module_server, browser) -> Room:
    return Room.first_chair(module_server.url, browser, module_server.setup_code)


def first_meeting(room: Room) -> int:
    """Rated 3, 6 and 4; decided with a target of safety at least 7 and one action."""
    meeting_id = room.new_meeting(ITEM, title="Initial conference")
    people = {name: room.join(name, agency) for name, agency, _then, _now in PEOPLE}
    room.start()
    round_id = room.open_round()
    for name, _agency, then, _now in PEOPLE:
        room.rate(people[name], round_id, score=then)
    room.reveal(round_id)
    item_id = room.current_item_id()
    displays = {}
    for name, (width, height) in DISPLAYS.items():
        context = room.browser.new_context(viewport={"width": width, "height": height})
        displays[name] = context.new_page()
        displays[name].goto(room.display_url)
    room.decide(item_id, **DECISION, target="7")
    # The room sees the wording the next review will score: the target and the forecasts.
    for name, display in displays.items():
        expected = display.locator(".scene-decision .expected")
        expect(expected).to_contain_text(AGREED, timeout=LIVE)
        expect(expected).to_contain_text(FORECASTS)
        assert still(display), f"{name} scrolls"
        shot(display, f"targets-{name}-decision", full_page=False)
        display.context.close()
    soon = (date.today() + timedelta(days=10)).isoformat()
    form = {"what": "Share the missing reports", "owner_id": str(people["Priya Shah"].id)}
    form["item_id"] = str(item_id)
    assert room.chair.http.post(f"/meetings/{meeting_id}/actions", form={**form, "due": soon}).ok
    assert room.chair.http.post(f"/meetings/{meeting_id}/close").ok
    for person in people.values():
        person.context.close()
    return meeting_id


def test_the_target_and_the_question_at_a_review_in_the_room(room):
    earlier = first_meeting(room)
    review = room.review_of(earlier)
    people = {name: room.join(name, agency) for name, agency, _then, _now in PEOPLE}
    displays = {}
    for name, (width, height) in DISPLAYS.items():
        context = room.browser.new_context(viewport={"width": width, "height": height})
        displays[name] = context.new_page()
        displays[name].goto(room.display_url)
    room.start()
    chair = room.chair.context.new_page()
    chair.goto(f"{room.base}/meetings/{review}")
    expect(chair.locator(".cockpit")).to_be_visible(timeout=LIVE)
    expect(chair.locator("#connection")).to_have_text("Live", timeout=LIVE)

    # Rated 5, 8 and 4 at the review: round 1's median is 5, against 4 last time.
    round_id = room.open_round()
    for name, _agency, _then, now in PEOPLE:
        room.rate(people[name], round_id, score={"Priya Shah": 5, "Tom Reid": 8}.get(name, now))
    for display in displays.values():
        expect(display.locator(".scene-round")).to_be_visible(timeout=LIVE)
        assert "Target" not in display.content()
    assert "safety at least 7" not in chair.content()

    room.reveal(round_id)
    for name, display in displays.items():
        line = display.locator(".target-check")
        expect(line).to_have_text(MISSED, timeout=LIVE)
        assert still(display), f"{name} scrolls"
        shot(display, f"targets-{name}-reveal", full_page=False)
    check = chair.locator("#region-stage .target-check")
    expect(check).to_have_text(MISSED, timeout=LIVE)
    shot(chair, "targets-chair-1-revealed", full_page=False)

    # Safer, while Priya's action is not said to be done: the decision form asks why, and
    # recording without an answer brings the form back asking, with the text kept.
    chair.reload()
    form = chair.locator(".decision-form")
    expect(form.locator(".change-question")).to_have_text(QUESTION)
    for label, value in (
        ("Decision, in plain words", DECISION["text"]),
        ("Rationale: why this decision, on what evidence", DECISION["rationale"]),
        ("In their words where possible", DECISION["child_views"]),
        ("Review date", (date.today() + timedelta(days=42)).isoformat()),
    ):
        form.get_by_label(label, exact=True).fill(value)
    form.get_by_role("button", name="Record the decision").click()
    alert = form.locator("#e-change_evidence")
    expect(alert).to_contain_text("Write the new evidence that explains the change", timeout=LIVE)
    expect(form.get_by_label("Decision, in plain words")).to_have_value(DECISION["text"])
    form.locator(".change-check").scroll_into_view_if_needed()
    assert fits_sideways(chair)
    shot(chair, "targets-chair-2-question", full_page=False)
    assert serious_violations(chair) == []
    form.get_by_label("The new evidence that explains the change, and where it came from").fill(
        "School attendance log: 95% for six weeks"
    )
    form.get_by_role("button", name="Record the decision").click()
    expect(chair.locator("#region-decision")).to_contain_text(DECISION["text"], timeout=LIVE)
    expect(form.locator("#e-change_evidence")).to_have_count(0)

    case_page = room.chair.context.new_page()
    case_page.goto(f"{room.base}/meetings/{review}")
    case_page.get_by_role("link", name="The child's case").click()
    target = case_page.locator(".case-target").first
    expect(target).to_contain_text(re.compile(r"Target by \d+ \w+ \d{4}: safety at least 7\."))
    expect(case_page.locator("td .target-check")).to_contain_text(
        "Round 1's median is 5: not met, 2 short."
    )
    shot(case_page, "targets-case-page")
    assert serious_violations(case_page) == []
