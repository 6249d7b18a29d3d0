"""Uncertainty and information gaps in a real browser: the phone's rating form keeps the
simple case simple (how sure, and "can't rate yet", folded away), and the reveal with
ranges and two information gaps fits the display without scrolling, the chair's cockpit
and a 360 px phone; the chair makes a gap an action from the cockpit in one step.
"""

from datetime import date, timedelta

import pytest
from conftest import SAFETY_ITEM
from playwright.sync_api import expect
from room import (
    LIVE,
    OVERFLOW,
    SHOTS,
    SMALL_PRINT,
    Room,
    answered,
    fitted,
    font_px,
    inside,
    serious_violations,
    shot,
)

# Who rates what: a value with the range they think plausible and how sure they are, or
# what they need before they can rate.
RATINGS = {
    "Priya Shah": ("Police", {"score": 3, "low": 2, "high": 5, "sure": "fairly"}),
    "Tom Reid": ("School", {"score": 6, "low": 5, "high": 8, "sure": "sure"}),
    "Lena Ford": ("Health", {"score": 6, "sure": "unsure"}),
    "Ade Obi": ("Youth justice", {"score": 7}),
    "Dr Mina Patel": (
        "GP",
        {"answer": "cannot", "needs": "whether the hospital has seen her since the overdose"},
    ),
    "Kim Key": (
        "Residential care",
        {"answer": "cannot", "needs": "the police report on the two missing episodes"},
    ),
}
DUE = (date.today() + timedelta(days=14)).isoformat()


@pytest.fixture(scope="module")
def revealed(module_server, browser):
    """A meeting whose first round is open, every rater in, and a phone for Priya."""
    SHOTS.mkdir(exist_ok=True)
    room = Room.first_chair(module_server.url, browser, module_server.setup_code)
    room.new_meeting(SAFETY_ITEM)
    people = {name: room.join(name, agency) for name, (agency, _r) in RATINGS.items()}
    room.start()
    round_id = room.open_round()
    return room, people, round_id


def no_overflow_at(page, width: int, height: int, name: str) -> None:
    """Show the page at a size, save it, and assert nothing spills over nor is too small."""
    page.set_viewport_size({"width": width, "height": height})
    fitted(page)
    shot(page, f"gaps-{name}-{width}x{height}", full_page=False)
    assert page.evaluate(OVERFLOW) == [], f"{name} at {width}x{height}"
    found = page.evaluate(SMALL_PRINT)
    floor = {1920: 24, 1280: 16}.get(width, 0.75 * font_px(page.locator("body")))
    small = [t for t in found["seen"] if t["px"] < floor - 0.05]
    assert small == [], f"{name} at {width}x{height}: {small[:6]}"


def test_ranges_and_gaps_on_the_phone_the_display_and_the_cockpit(revealed):
    room, people, round_id = revealed
    phone = people["Priya Shah"].context.new_page()
    phone.goto(f"{room.base}/m/{room.meeting_id}")
    form = phone.locator(".rating-form")
    expect(form).to_be_visible(timeout=LIVE)
    # The simple case: a score, an optional reason, one button; the rest folded away.
    expect(phone.locator("details.rate-sure")).not_to_have_attribute("open", "")
    expect(phone.locator("details.rate-cannot")).not_to_have_attribute("open", "")
    expect(phone.locator("input[name=low]")).to_be_hidden()
    shot(phone, "gaps-phone-form-simple-360", full_page=False)
    phone.get_by_text("How sure are you?").click()
    phone.get_by_text("Can't rate this yet?").click()
    phone.locator("details.rate-sure").scroll_into_view_if_needed()
    shot(phone, "gaps-phone-form-open-360")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert serious_violations(phone) == []

    # Priya rates on her phone with a range that does not hold: told, and nothing lost.
    phone.locator("label.pick", has_text="3").first.click()
    phone.locator("input[name=low]").fill("4")
    phone.locator("input[name=high]").fill("5")
    phone.locator("fieldset.sureness label", has_text="Fairly sure").click()
    phone.get_by_role("button", name="Submit my rating").click()
    answered(phone)
    expect(
        phone.get_by_text("The lowest you think plausible (4) is above your rating, 3.")
    ).to_be_visible(timeout=LIVE)
    expect(phone.locator("input[name=high]")).to_have_value("5")
    phone.locator("input[name=low]").fill("2")
    phone.get_by_role("button", name="Submit my rating").click()
    answered(phone)
    expect(phone.locator(".given")).to_contain_text(
        "You rated 3 (plausible 2–5, fairly sure)", timeout=LIVE
    )

    for name, (_agency, rating) in RATINGS.items():
        if name != "Priya Shah":
            room.rate(people[name], round_id, **rating)
    room.rate(room.chair, round_id, score=5, reason="Mother acts quickly when she is late")

    display = room.browser.new_page(viewport={"width": 1920, "height": 1080})
    display.goto(room.display_url)
    expect(display.locator(".scene-round")).to_be_visible(timeout=LIVE)
    cockpit = room.chair.context.new_page()
    cockpit.goto(f"{room.base}/meetings/{room.meeting_id}")
    room.reveal(round_id)

    expect(display.locator(".scene-reveal")).to_be_visible(timeout=LIVE)
    scene = display.locator(".scene-reveal")
    expect(scene).to_contain_text("5 rated, 2 could not rate")
    expect(scene.locator(".gaps")).to_contain_text("2 could not rate: information needed on")
    expect(scene.locator(".gaps")).to_contain_text("the police report on the two missing episodes")
    expect(scene).to_contain_text("plausible 2–5, fairly sure")
    for width, height in ((1920, 1080), (1280, 720), (1024, 768)):
        no_overflow_at(display, width, height, "display")
        inside(display, scene.locator(".gaps"))
    assert serious_violations(display) == []

    # The cockpit: each gap is one date and one button from being an action.
    gaps = cockpit.locator("#region-stage .gaps")
    expect(gaps).to_be_visible(timeout=LIVE)
    gaps.evaluate("el => el.scrollIntoView({block: 'end'})")
    shot(cockpit, "gaps-cockpit-1366x768", full_page=False)
    cockpit.locator("#region-stage .spread").evaluate("el => el.scrollIntoView({block: 'start'})")
    shot(cockpit, "gaps-cockpit-spread-1366x768", full_page=False)
    assert serious_violations(cockpit) == []
    kim = gaps.locator("li", has_text="Kim Key")
    kim.locator("input[name=due]").fill(DUE)
    kim.get_by_role("button", name="Add the action").click()
    expect(gaps.locator("li", has_text="Kim Key")).to_contain_text(
        "Action for Kim Key, due", timeout=LIVE
    )
    expect(cockpit.locator("#region-actions")).to_contain_text(
        "Find out: the police report on the two missing episodes", timeout=LIVE
    )
    gaps.evaluate("el => el.scrollIntoView({block: 'end'})")
    shot(cockpit, "gaps-cockpit-action-1366x768", full_page=False)

    # The phone after the reveal: the gaps listed, nothing wider than the screen.
    expect(phone.locator("#region-stage .gaps")).to_contain_text("Kim Key", timeout=LIVE)
    phone.locator("#region-stage .spread").scroll_into_view_if_needed()
    shot(phone, "gaps-phone-reveal-360")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert serious_violations(phone) == []
