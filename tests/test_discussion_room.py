"""What discussion changed, in a real browser: the display after round 2 keeps it all on
one screen at 1920 × 1080 and 1280 × 720, with names and without; the cockpit and a phone
show it too. Screenshots are saved in tests/screenshots/ for people to look at."""

import pytest
from conftest import SAFETY_ITEM
from playwright.sync_api import expect
from room import CHAIR_SCREEN, LIVE, OVERFLOW, PHONE, SHOTS, SMALL_PRINT, Room, fitted, shot

# Six professionals, their two ratings and their reasons (as in docs/minutes.md).
RATERS = [
    ("Priya Shah", "Children's social care", 2, 5, "Seen with older males twice this month"),
    ("Tom Reid", "School", 3, 4, "Attendance has dropped to three days"),
    ("Lena Ward", "Health", 4, 4, "Missed two appointments"),
    ("Ade Cole", "Police", 4, 6, "No intelligence since the last meeting"),
    ("Sam Boyd", "Youth justice", 6, 6, "Engaging with the worker weekly"),
    ("Kim Lowe", "Housing", 8, 5, "Settled at home; mother says curfew kept"),
]
NAMES = [r[0] for r in RATERS]
SIZES = [(1920, 1080), (1280, 720)]


@pytest.fixture(scope="module")
def room(module_server, browser):
    room = Room.first_chair(module_server.url, browser, module_server.setup_code)
    room.new_meeting(SAFETY_ITEM)
    for name, agency, *_ in RATERS:
        room.join(name, agency)
    room.start()
    for column in (2, 3):
        round_id = room.open_round()
        for name, _agency, *values, reason in RATERS:
            room.rate(room.people[name], round_id, score=values[column - 2], reason=reason)
        room.reveal(round_id)
    return room


def one_screen(page, label: str) -> None:
    """Assert the display shows everything on one screen, no text smaller than its floor."""
    fitted(page)
    assert page.evaluate(OVERFLOW) == [], label
    found = page.evaluate(SMALL_PRINT)
    assert found["outside"] == [], label
    width = page.viewport_size["width"]
    floor = {1920: 24, 1280: 16}[width]
    small = [t for t in found["seen"] if t["px"] < floor - 0.05]
    assert small == [], f"{label}: text under {floor} px: {small[:5]}"


@pytest.mark.parametrize("unnamed", [False, True])
def test_round_2s_reveal_says_what_discussion_changed_on_every_screen(room, browser, unnamed):
    answer = room.chair.http.post(
        f"/meetings/{room.meeting_id}/reveal-names", form={"unnamed": "yes" if unnamed else "no"}
    )
    assert answer.ok
    how = "unnamed" if unnamed else "named"
    display = browser.new_page(viewport={"width": 1920, "height": 1080})
    display.goto(room.display_url)
    expect(display.locator("#connection")).to_have_text("Live", timeout=LIVE)
    changed = display.locator(".discussion")
    expect(changed).to_contain_text("3 moved towards round 1's middle, 1 away from it, 2 held")
    expect(changed).to_contain_text("8 → 5")
    for width, height in SIZES:
        display.set_viewport_size({"width": width, "height": height})
        fitted(display)
        shot(display, f"discussion-display-{how}-{width}x{height}", full_page=False)
        one_screen(display, f"{how} at {width}x{height}")
        scene = display.locator(".stage").inner_text()
        assert [n for n in NAMES if n in scene] == ([] if unnamed else NAMES), how
    display.close()

    phone = room.people["Tom Reid"].context.new_page()
    phone.goto(f"/m/{room.meeting_id}")
    stage = phone.locator(".region-stage .discussion")
    expect(stage).to_contain_text("Round 1: median 4, range 2–8")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, f"discussion-phone-{how}")
    # The round as the phone shows it, its spread and what discussion changed.
    phone.locator("#round-2").screenshot(path=str(SHOTS / f"discussion-phone-{how}-round-2.png"))
    names_in_stage = [n for n in NAMES if n in phone.locator(".region-stage").inner_text()]
    assert names_in_stage == ([] if unnamed else NAMES)
    phone.close()

    cockpit = room.chair.context.new_page()
    cockpit.set_viewport_size(CHAIR_SCREEN)
    cockpit.goto(f"/meetings/{room.meeting_id}")
    table = cockpit.locator(".region-stage .discussion")
    expect(table).to_contain_text("Kim Lowe")
    # Under the step bar, which stays in view: the heading, the sentence and the table.
    table.locator("h4").evaluate("el => el.scrollIntoView({block: 'center'})")
    shot(cockpit, f"discussion-cockpit-{how}", full_page=False)
    cockpit.close()
