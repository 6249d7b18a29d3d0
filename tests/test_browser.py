"""A meeting in real Chromium: a chair, the shared display and an attendee's phone.

This is the check that the pages work as people use them: forms, the vendored
htmx and Socket.IO client, and live updates arriving without a reload.
"""

import shutil

import pytest
from playwright.sync_api import expect, sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LIVE = 10_000  # milliseconds for a live update to arrive


@pytest.fixture
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def test_chair_display_and_phone_run_an_item_live(live_server, browser):
    base = live_server.url
    outside = []

    def page(**options):
        p = browser.new_context(**options).new_page()
        p.on("request", lambda r: r.url.startswith(base) or outside.append(r.url))
        return p

    chair = page(viewport={"width": 1280, "height": 900})
    chair.goto(base)
    expect(chair.get_by_role("heading", name="Create the first chair account")).to_be_visible()
    chair.get_by_label("Set-up code").fill(live_server.setup_code)
    chair.get_by_label("Your name").fill("Sam Chair")
    chair.get_by_label("Your agency").fill("Children's social care")
    chair.get_by_label("Email address").fill("sam@example.org")
    chair.get_by_label("Password", exact=True).fill("a long password")
    chair.get_by_label("Password again").fill("a long password")
    chair.get_by_role("button", name="Create account").click()

    chair.get_by_role("link", name="New meeting").click()
    chair.get_by_label("Title").fill("Placement risk review")
    chair.get_by_label("Kind of meeting").select_option("placement_review")
    chair.get_by_label("Child's name or initials").fill("K.M.")
    chair.get_by_label("Date and time").fill("2026-11-23T14:00")
    chair.get_by_role("button", name="Create meeting").click()
    chair.get_by_label("Item title").fill("Access to a mobile phone")
    chair.get_by_label("Assessment (Markdown)").fill(
        "## What is working well\n\n- Calls home daily"
    )
    chair.get_by_label("Rating scale").select_option("choice")
    chair.get_by_label("Options, for a choice list (one per line)").fill(
        "Keep the phone\nPhone at night only\nNo phone"
    )
    chair.get_by_role("button", name="Add item").click()

    code = chair.locator(".join-code").inner_text()
    display = page(viewport={"width": 1600, "height": 900})
    display.goto(base + chair.get_by_role("link", name="Open the display").get_attribute("href"))
    expect(display.locator("#connection")).to_have_text("Live", timeout=LIVE)
    expect(display.locator(".join-code")).to_have_text(code)

    phone = page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.goto(base + "/join/")
    phone.get_by_label("Join code").fill(code.lower().replace("-", " "))
    phone.get_by_role("button", name="Continue").click()
    phone.get_by_label("Your name").fill("Jo Keyworker")
    phone.get_by_label("Your role").fill("Residential worker")
    phone.get_by_label("Your agency").fill("Children's home")
    phone.get_by_role("button", name="Ask to join").click()
    expect(phone.get_by_role("heading", name="Waiting for the chair")).to_be_visible()
    expect(phone.locator("body")).not_to_contain_text("K.M.")

    # The chair sees the request arrive without reloading, and admits.
    chair.get_by_role("button", name="Admit Jo Keyworker").click(timeout=LIVE)
    expect(phone.get_by_text("Child: K.M.")).to_be_visible(timeout=LIVE)
    expect(display.locator("#region-people")).to_contain_text("Jo Keyworker", timeout=LIVE)

    chair.get_by_role("button", name="Start the meeting").click()
    expect(phone.get_by_role("heading", name="Access to a mobile phone")).to_be_visible(
        timeout=LIVE
    )
    chair.get_by_role("button", name="Open a rating round").click()
    expect(phone.get_by_role("heading", name="Your rating: round 1")).to_be_visible(timeout=LIVE)
    expect(display.locator("#region-progress")).to_contain_text("0 of 2 have rated", timeout=LIVE)

    phone.get_by_text("Keep the phone", exact=True).click()
    phone.get_by_label("Why? (optional, one line)").fill("Phone keeps her in touch with her mum")
    phone.get_by_role("button", name="Submit my rating").click()
    expect(phone.get_by_text("You rated Keep the phone")).to_be_visible()
    expect(display.locator("#region-progress")).to_contain_text("1 of 2 have rated", timeout=LIVE)
    expect(chair.locator("#region-progress")).to_contain_text("1 of 2 have rated", timeout=LIVE)
    expect(display.locator("body")).not_to_contain_text("in touch with her mum")

    chair.locator("#region-rate").get_by_text("No phone", exact=True).click()
    chair.locator("#region-rate").get_by_role("button", name="Submit my rating").click()
    # The display loses its connection while the chair reveals; when it comes back
    # it re-reads its regions from the server and shows the reveal it missed.
    display.evaluate("window.meetingSocket.disconnect()")
    expect(display.locator("#connection")).to_have_text("Reconnecting…")
    chair.get_by_role("button", name="Reveal round 1").click()
    expect(phone.locator("#region-stage")).to_contain_text("Round 1 — revealed", timeout=LIVE)
    expect(display.locator("#region-stage")).not_to_contain_text("Round 1 — revealed")
    display.evaluate("window.meetingSocket.connect()")

    for screen in (display, phone):
        stage = screen.locator("#region-stage")
        expect(stage).to_contain_text("Round 1 — revealed", timeout=LIVE)
        expect(stage).to_contain_text("Phone keeps her in touch with her mum")
        expect(stage).to_contain_text("No single largest group")
        expect(stage.locator(".chart")).to_be_visible()
    display.screenshot(path=str(live_server_shot(live_server, "display-revealed.png")))
    assert outside == [], f"pages fetched from outside the server: {outside}"


def live_server_shot(live_server, name):
    import pathlib

    folder = pathlib.Path("test-artifacts")
    folder.mkdir(exist_ok=True)
    return folder / name
