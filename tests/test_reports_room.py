"""The reports panel in real Chromium: the chair lists the agencies' reports on the set-up
page and marks them as they come, each answer drawn in place; a parent's phone hears each
change; the panel fits the chair's 1366×768 screen, a 360 px phone and the cockpit once
the meeting runs, with nothing axe-core finds serious; the minutes list the reports.

Screenshots are saved in tests/screenshots/ (reports-*) for people to look at.
"""

from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect
from room import CHAIR_SCREEN, LIVE, PHONE, Room, answered, sent, serious_violations, shot
from test_phones import OVERFLOW

SAFETY = {"title": "Risk of neglect", "body": "Home conditions.", "scale": "safety"}
HELD = date.today() + timedelta(days=7)
SUMMARY = "A previous partner's conviction"
REASON = "It is about another adult, not the family"


@pytest.fixture(scope="module")
def room(module_server, browser) -> Room:
    return Room.first_chair(module_server.url, browser, module_server.setup_code)


def fits(page: Page, width: int, stage: str) -> None:
    """Assert that nothing on the page is wider than the screen and axe-core finds nothing
    serious on it; keep a picture."""
    page.wait_for_load_state("networkidle")
    found = page.evaluate(OVERFLOW, width)
    shot(page, f"reports-{stage}")
    assert found["scroll"] <= width, f"{stage}: the page is {found['scroll']} px wide"
    assert found["wide"] == [], f"{stage}: drawn beyond {width} px: {found['wide']}"
    assert serious_violations(page) == [], stage


def add_report(panel, agency: str, author: str = "") -> None:
    """The chair lists a report in the panel itself, as they would."""
    form = panel.locator("#report-add-form")
    if not form.is_visible():
        panel.get_by_text("Add a report expected").click()
    form.get_by_label("Agency").fill(agency)
    form.get_by_label("Who writes it (optional)").fill(author)
    form.get_by_role("button", name="Add the report").click()
    expect(panel.locator(".reports")).to_contain_text(agency, timeout=LIVE)


def test_the_chair_keeps_the_reports_on_the_set_up_page_and_the_family_sees_them(room):
    meeting = room.new_meeting(
        SAFETY, title="Initial child protection conference", kind="cp_conference"
    )
    details = {
        "title": "Initial child protection conference",
        "kind": "cp_conference",
        "child": "A.B.",
        "starts_at": f"{HELD.isoformat()}T10:00",
        "place": "Room 2",
    }
    sent(room.chair.http.post(f"/meetings/{meeting}/details", form=details), "details")
    mum = room.join("Kerry Brown", "", role="Mother", part="parent")
    chair = room.chair.context.new_page()
    chair.goto(f"/meetings/{meeting}")
    expect(chair.locator("#connection")).to_have_text("Live", timeout=LIVE)
    panel = chair.locator("#region-reports")
    # The deployment's agency words are offered as the chair types.
    options = panel.locator("#agency-words option")
    assert "Police" in [options.nth(i).get_attribute("value") for i in range(options.count())]
    for agency, author in (
        ("Police", "DC Priya Shah"),
        ("Health", "Dr Ade Okafor, GP"),
        ("Education", ""),
    ):
        add_report(panel, agency, author)
    expect(panel).to_contain_text("3 reports not received: Police (DC Priya Shah)")
    expect(panel).to_contain_text("working days before the meeting")

    police = panel.locator(".report").filter(has_text="Police")
    police.get_by_role("button", name="Mark received: Police (DC Priya Shah)").click()
    answered(chair)
    expect(panel).to_contain_text("2 reports not received: Health (Dr Ade Okafor, GP), Education")
    expect(panel).to_contain_text("Not yet shared with the parents: Police (DC Priya Shah).")
    police.get_by_text("Withhold a part from the family").click()
    police.get_by_label("What part is withheld").fill(SUMMARY)
    police.get_by_label("Why it is withheld from the family").fill(REASON)
    police.get_by_role("button", name="Save what is withheld").click()
    answered(chair)
    expect(police.locator(".withheld-part")).to_contain_text(SUMMARY)

    # Her phone hears the report shared with her, and nothing of what is withheld.
    phone = mum.context.new_page()
    phone.goto(f"/m/{meeting}")
    expect(phone.locator("#connection")).to_have_text("Live", timeout=LIVE)
    police.get_by_role("button", name="Mark shared with the parents: Police").click()
    answered(chair)
    expect(panel).to_contain_text("Shared with the parents")
    reports = phone.locator("#region-reports")
    expect(reports).to_contain_text("shared with you", timeout=LIVE)
    expect(reports).to_contain_text("A part of it is not shared with you.")
    assert SUMMARY not in phone.content() and REASON not in phone.content()
    phone.locator("#region-reports").scroll_into_view_if_needed()
    fits(phone, PHONE["width"], "parent-phone")

    # A date in the future is refused in place, with what was typed kept.
    health = panel.locator(".report").filter(has_text="Health")
    later = (date.today() + timedelta(days=2)).isoformat()
    step = health.locator("form.report-step")
    step.get_by_label("Received on").fill(later)
    step.get_by_role("button", name="Mark received").click()
    answered(chair)
    expect(panel).to_contain_text("cannot be in the future")
    expect(step.get_by_label("Received on")).to_have_value(later)

    chair.locator("#reports").scroll_into_view_if_needed()
    shot(chair, "reports-set-up-1366", full_page=False)
    fits(chair, CHAIR_SCREEN["width"], "set-up-1366-whole")
    chair.set_viewport_size(PHONE)
    chair.locator("#reports").scroll_into_view_if_needed()
    shot(chair, "reports-set-up-360-screen", full_page=False)
    fits(chair, PHONE["width"], "set-up-360")

    # Once the meeting runs, the panel is in the cockpit's column of the room.
    chair.set_viewport_size(CHAIR_SCREEN)
    reason = {"reason": "Police and health send reports; the GP could not come"}
    sent(room.chair.http.post(f"/meetings/{meeting}/quorum", form=reason), "inquorate")
    room.start()
    # The page loads again by itself: the meeting started.
    expect(chair.locator(".cockpit")).to_be_visible(timeout=LIVE)
    expect(panel).to_contain_text("The meeting has started.")
    chair.wait_for_load_state("networkidle")
    # Folded under its headline, so the room's column keeps the people and the agenda.
    fold = panel.locator("details.reports-fold > summary")
    expect(fold).to_contain_text("Reports (3) 2 not received")
    chair.locator("#reports").scroll_into_view_if_needed()
    shot(chair, "reports-cockpit-1366-folded", full_page=False)
    fold.click()
    expect(panel.get_by_role("button", name="Remove")).to_have_count(0)
    chair.locator("#reports").scroll_into_view_if_needed()
    shot(chair, "reports-cockpit-1366", full_page=False)
    fits(chair, CHAIR_SCREEN["width"], "cockpit-1366-whole")

    # The minutes list them.
    sent(room.chair.http.post(f"/meetings/{meeting}/close"), "close")
    # Closing loads every page of the meeting again; the minutes are opened once it has.
    expect(chair.locator(".notice", has_text="This meeting closed")).to_be_visible(timeout=LIVE)
    chair.wait_for_load_state("networkidle")
    chair.goto(f"/meetings/{meeting}/minutes")
    heading = chair.get_by_role("heading", name="Reports before the meeting")
    expect(heading).to_be_visible()
    heading.scroll_into_view_if_needed()
    shot(chair, "reports-minutes", full_page=False)
    paper = chair.locator(".minutes-paper")
    expect(paper).to_contain_text("Expected but never received: Health (Dr Ade Okafor, GP)")
    expect(paper).to_contain_text(SUMMARY)
