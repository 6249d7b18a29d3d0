"""A conference with the family in it, in real Chromium, stage by stage.

Two parents join from their phones saying who they are; they rate blind with the
professionals and their numbers are revealed beside the professionals' spread on the
display, the chair's cockpit and every phone. When the chair moves to an item restricted
from the family, a parent's phone (360 px) and the display the family sees show a holding
screen and nothing of it, and come back by themselves when the meeting moves on.

Screenshots of every stage, at every screen size, are saved in tests/screenshots/
(family-*) for people to look at.
"""

import pytest
from playwright.sync_api import Page, expect
from room import CHAIR_SCREEN, LIVE, PHONE, Person, Room, answered, shot

SAFETY = {
    "title": "Risk of criminal exploitation",
    "body": "Seen with older males.",
    "scale": "safety",
}
POLICE = {
    "title": "Information from the police",
    "body": "Intelligence about an adult in the household.",
    "scale": "safety",
}
PROFESSIONALS = (
    ("Ana Silva", "Children's social care", 3),
    ("Priya Shah", "Police", 4),
    ("Ade Okafor", "Health", 4),
)
PARENTS = (("Mum Brown", 8, "He is safe at home"), ("Dad Brown", 7, ""))
DISPLAYS = {"1080": {"width": 1920, "height": 1080}, "720": {"width": 1280, "height": 720}}


@pytest.fixture(scope="module")
def room(module_server, browser) -> Room:
    return Room.first_chair(module_server.url, browser, module_server.setup_code)


def opened(person: Person, url: str) -> Page:
    page = person.context.new_page()
    page.goto(url)
    expect(page.locator("#connection")).to_have_text("Live", timeout=LIVE)
    return page


def shoot(stage: str, screens: dict[str, Page]) -> None:
    """Keep a picture of every screen at this stage, once each has drawn what it heard."""
    for name, page in screens.items():
        page.wait_for_load_state("networkidle")
        answered(page)
        shot(page, f"family-{stage}-{name}", full_page=not name.startswith("display"))


def test_a_conference_with_parents_and_a_part_without_them(room: Room, browser):
    room.new_meeting(
        SAFETY, POLICE, title="Initial child-protection conference", kind="cp_conference"
    )
    # Joining on a phone: how they take part comes first, in words a parent understands.
    joining = browser.new_context(base_url=room.base, viewport=PHONE).new_page()
    joining.goto(f"/join/{room.join_code}")
    joining.get_by_label("Your name").fill("Kerry Moss")
    joining.get_by_role("button", name="Ask to join").click()
    expect(joining.locator("#e-part")).to_have_text(
        "Say how you are taking part, so the chair knows who you are in the meeting."
    )
    expect(joining.get_by_label("Your name")).to_have_value("Kerry Moss")
    joining.get_by_text("I am the child's parent or carer").click()
    assert joining.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(joining, "family-0-join-phone")
    joining.context.close()
    pros = {name: room.join(name, agency) for name, agency, _ in PROFESSIONALS}
    parents = {name: room.join(name, "", role="Parent", part="parent") for name, *_ in PARENTS}
    chair = room.chair.context.new_page()
    chair.goto(f"/meetings/{room.meeting_id}")
    expect(chair.locator("#connection")).to_have_text("Live", timeout=LIVE)
    # Item 2 is police intelligence: restricted from the family before the meeting; the
    # family joins by video and sees the shared screen.
    chair.get_by_role("button", name=f"Restrict from the family: {POLICE['title']}").click()
    answered(chair)
    screens = {
        "chair": chair,
        "mum": opened(parents["Mum Brown"], f"/m/{room.meeting_id}"),
        "priya": opened(pros["Priya Shah"], f"/m/{room.meeting_id}"),
    }
    for size, viewport in DISPLAYS.items():
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        page.goto(room.display_url)
        expect(page.locator("#connection")).to_have_text("Live", timeout=LIVE)
        screens[f"display-{size}"] = page
    assert chair.viewport_size == CHAIR_SCREEN and screens["mum"].viewport_size == PHONE

    # The lobby: everyone is seen in the part they said.
    lobby = screens["display-1080"].locator(".room-now")
    expect(lobby).to_contain_text("Mum Brown Parent or carer")
    expect(screens["mum"].locator(".agenda")).to_contain_text("Discussed without the family")
    expect(screens["mum"].locator(".agenda")).not_to_contain_text(POLICE["title"])
    shoot("1-lobby", screens)

    room.start()
    round_id = room.open_round()
    expect(screens["mum"].locator(".family-note")).to_contain_text("the family's own view")
    for name, _agency, score in PROFESSIONALS:
        room.rate(pros[name], round_id, score=score)
    for name, score, reason in PARENTS:
        room.rate(parents[name], round_id, score=score, reason=reason)
    expect(chair.locator("#region-progress")).to_contain_text("5 of 6 have rated")
    shoot("2-round", screens)

    room.reveal(round_id)
    for name in ("display-1080", "display-720"):
        track = screens[name].locator(".family-track")
        expect(track).to_contain_text("Mum Brown 8 · Dad Brown 7")
        expect(screens[name].locator(".summary")).to_contain_text("Median 4")
    for name in ("mum", "priya", "chair"):
        expect(screens[name].locator("#region-stage .family-track")).to_contain_text(
            "He is safe at home"
        )
        expect(screens[name].locator("#region-stage .spread .summary").first).to_contain_text(
            "3 professionals rated"
        )
    shoot("3-revealed", screens)

    # The family sees the display: it holds with their phones.
    chair.get_by_role("button", name="The family can see the display").click()
    answered(chair)
    chair.get_by_role("button", name=f"Discuss this item: {POLICE['title']}").click()
    chair.wait_for_load_state("networkidle")
    mum = screens["mum"]
    expect(mum.locator(".holding")).to_contain_text("Please wait a moment", timeout=LIVE)
    expect(mum.locator("body")).not_to_contain_text(POLICE["title"])
    expect(mum.locator("body")).not_to_contain_text(POLICE["body"])
    for name in ("display-1080", "display-720"):
        expect(screens[name].locator(".holding-scene")).to_be_visible(timeout=LIVE)
        expect(screens[name].locator("body")).not_to_contain_text(POLICE["title"])
    expect(screens["priya"].locator("#region-stage")).to_contain_text(POLICE["body"])
    expect(chair.locator(".family-controls")).to_contain_text(
        "this item is restricted from the family"
    )
    # Nothing on the phone is wider than the screen, and the words are in view unscrolled.
    box = mum.locator(".holding").bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert mum.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot("4-restricted", screens)

    # The meeting moves back to the first item: the family's screens come back by themselves.
    chair.get_by_role("button", name=f"Discuss this item: {SAFETY['title']}").click()
    chair.wait_for_load_state("networkidle")
    expect(mum.locator(".holding")).to_have_count(0, timeout=LIVE)
    expect(mum.locator("#region-stage")).to_contain_text(SAFETY["title"])
    expect(screens["display-1080"].locator(".family-track")).to_contain_text("Mum Brown 8")
    shoot("5-back", screens)
