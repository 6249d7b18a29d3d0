"""A conference with the family in it, in real Chromium, stage by stage.

The young person gives their own words and a drawing from their phone before the
meeting starts; they come first on the item, and the drawing reaches the display once the
chair shows it. Two parents join from their phones saying who they are; they rate blind with the
professionals and their numbers are revealed beside the professionals' spread on the
display, the chair's cockpit and every phone. When the chair moves to an item restricted
from the family, a parent's phone (360 px) and the display the family sees show a holding
screen and nothing of it, and come back by themselves when the meeting moves on.

Screenshots of every stage, at every screen size, are saved in tests/screenshots/
(family-*) for people to look at.
"""

from io import BytesIO

import pytest
from PIL import Image, ImageDraw
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
WORDS = "I want to stay at home and keep going to football."
DISPLAYS = {"1080": {"width": 1920, "height": 1080}, "720": {"width": 1280, "height": 720}}


def a_drawing() -> bytes:
    """A child's drawing of a house and a sun, as a phone would send a photo of it."""
    image = Image.new("RGB", (480, 360), "white")
    pen = ImageDraw.Draw(image)
    pen.rectangle((120, 160, 300, 320), outline="black", width=6)
    pen.polygon(((100, 165), (210, 70), (320, 165)), outline="red", width=6)
    pen.ellipse((370, 30, 450, 110), outline="orange", width=6)
    out = BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


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
    jay = room.join("Jay", "", role="", part="young_person")
    # Before the start, the young person gives their words and a drawing from their phone.
    words = opened(jay, f"/m/{room.meeting_id}")
    words.get_by_role("link", name="Give your words").click()
    words.get_by_label("What do you want the meeting to know?").first.fill(WORDS)
    words.locator("input[type=file]").first.set_input_files(
        {"name": "my-house.png", "mimeType": "image/png", "buffer": a_drawing()}
    )
    words.get_by_role("button", name="Give this to the meeting").first.click()
    expect(words.locator("body")).to_contain_text("Kept: what you gave")
    shot(words, "family-0-words-jay")
    words.goto(f"/m/{room.meeting_id}")
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
        "jay": words,
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
    # The young person's words come first on the item, on every phone and the display;
    # the drawing reaches the display only once the chair shows it.
    for name in ("mum", "priya", "jay", "chair"):
        expect(screens[name].locator("#region-stage .own-words")).to_contain_text(WORDS)
    for name in ("display-1080", "display-720"):
        expect(screens[name].locator(".own-words")).to_contain_text(WORDS)
        expect(screens[name].locator(".own-words img")).to_have_count(0)
    chair.get_by_role("button", name="Show on the screen").click()
    answered(chair)
    for name in ("display-1080", "display-720"):
        expect(screens[name].locator(".own-words img")).to_be_visible(timeout=LIVE)
    shoot("1b-words", screens)
    round_id = room.open_round()
    expect(screens["mum"].locator(".family-note")).to_contain_text("the family's own view")
    for name, _agency, score in PROFESSIONALS:
        room.rate(pros[name], round_id, score=score)
    for name, score, reason in PARENTS:
        room.rate(parents[name], round_id, score=score, reason=reason)
    room.rate(jay, round_id, score=9, reason="I feel safe at home")
    expect(chair.locator("#region-progress")).to_contain_text("6 of 7 have rated")
    shoot("2-round", screens)

    room.reveal(round_id)
    for name in ("display-1080", "display-720"):
        track = screens[name].locator(".family-track")
        expect(track).to_contain_text("Jay 9 · Mum Brown 8 · Dad Brown 7")
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
    expect(screens["jay"].locator(".holding")).to_contain_text("Please wait a moment")
    expect(screens["jay"].locator("body")).not_to_contain_text(POLICE["title"])
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
