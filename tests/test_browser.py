"""A meeting in real Chromium: a chair, the shared display and an attendee's phone.

This is the check that the pages work as people use them: forms, the vendored
htmx and Socket.IO client, and live updates arriving without a reload.
"""

import re
import time
from datetime import date, datetime, timedelta

from playwright.sync_api import expect
from room import LIVE, SHOTS, answered, heard, listen, serious_violations, shot

# Dates typed into the forms, worked out from today: a review or due date must not be past.
STARTS_AT = datetime.now().replace(hour=14, minute=0).strftime("%Y-%m-%dT%H:%M")
REVIEW_DATE = (date.today() + timedelta(days=48)).isoformat()
DUE_DATE = (date.today() + timedelta(days=8)).isoformat()


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
    assert serious_violations(chair) == []
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
    chair.get_by_label("Date and time").fill(STARTS_AT)
    chair.get_by_label("Your role in this meeting").fill("Independent reviewing officer")
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
    expect(chair.locator(".agenda")).to_contain_text("Access to a mobile phone")
    assert serious_violations(chair) == []

    code = chair.locator(".join-code").inner_text()
    display = page(viewport={"width": 1600, "height": 900})
    display.goto(base + chair.get_by_role("link", name="Open the display").get_attribute("href"))
    expect(display.locator("#connection")).to_have_text("Live", timeout=LIVE)
    expect(display.locator(".join-code")).to_have_text(code)

    phone = page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.goto(base + "/join/")
    assert serious_violations(phone) == []
    phone.get_by_label("Join code").fill(code.lower().replace("-", " "))
    phone.get_by_role("button", name="Continue").click()
    phone.get_by_text("I work for an agency").click()
    phone.get_by_label("Your name").fill("Jo Keyworker")
    phone.get_by_label("Your role").fill("Residential worker")
    phone.get_by_label("Your agency").fill("Children's home")
    phone.get_by_role("button", name="Ask to join").click()
    expect(phone.get_by_role("heading", name="Waiting for the chair")).to_be_visible()
    assert serious_violations(phone) == []
    expect(phone.locator("body")).not_to_contain_text("K.M.")

    # The chair sees the request arrive without reloading, and admits.
    chair.get_by_role("button", name="Admit Jo Keyworker").click(timeout=LIVE)
    expect(phone.get_by_text("Child: K.M.")).to_be_visible(timeout=LIVE)
    expect(display.locator("#region-scene")).to_contain_text("Jo Keyworker", timeout=LIVE)

    # One agency besides the chair's own service: the chair says why it goes on.
    expect(chair.locator("body")).to_contain_text("Not quorate")
    chair.get_by_label("Why the meeting goes on without a quorum").fill(
        "The placement review cannot wait; the school sent its view in writing."
    )
    chair.get_by_role("button", name="Record the reason").click()
    chair.get_by_role("button", name="Start the meeting").click()
    expect(phone.get_by_role("heading", name="Access to a mobile phone")).to_be_visible(
        timeout=LIVE
    )
    chair.get_by_role("button", name="Open a rating round").click()
    expect(phone.get_by_role("heading", name="Your rating: round 1")).to_be_visible(timeout=LIVE)
    expect(display.locator("#region-scene")).to_contain_text("0 of 2 have rated", timeout=LIVE)

    phone.get_by_text("Keep the phone", exact=True).click()
    phone.get_by_label("Why? (optional, one line)").fill("Phone keeps her in touch with her mum")
    # A live refresh of the rating region while someone is typing keeps what they typed.
    chair.locator("#region-people").get_by_role("button", name="Make observer: Sam Chair").click()
    expect(phone.locator("#region-progress")).to_contain_text("0 of 1 have rated", timeout=LIVE)
    expect(phone.get_by_label("Why? (optional, one line)")).to_have_value(
        "Phone keeps her in touch with her mum"
    )
    expect(phone.get_by_text("Keep the phone", exact=True)).to_be_checked()
    chair.locator("#region-people").get_by_role("button", name="Let rate: Sam Chair").click()
    expect(phone.locator("#region-progress")).to_contain_text("0 of 2 have rated", timeout=LIVE)
    phone.get_by_role("button", name="Submit my rating").click()
    expect(phone.get_by_text("You rated Keep the phone")).to_be_visible()
    expect(display.locator("#region-scene")).to_contain_text("1 of 2 have rated", timeout=LIVE)
    expect(chair.locator("#region-progress")).to_contain_text("1 of 2 have rated", timeout=LIVE)
    expect(display.locator("body")).not_to_contain_text("in touch with her mum")

    chair.locator("#region-rate").get_by_text("No phone", exact=True).click()
    chair.locator("#region-rate").get_by_role("button", name="Submit my rating").click()
    # The display loses its connection while the chair reveals; when it comes back
    # it re-reads its regions from the server and shows the reveal it missed.
    display.evaluate("window.meetingSocket.disconnect()")
    expect(display.locator("#connection")).to_have_text("Reconnecting…")
    # A double click on Reveal (300 ms apart) reveals once and opens nothing: the second
    # click lands where Reveal was, on a button that is being sent, or on the next
    # round's button that took its place and is held.
    reveal = chair.get_by_role("button", name="Reveal round 1")
    expect(chair.locator("#region-progress")).to_contain_text("2 of 2 have rated", timeout=LIVE)
    # The page has settled: connected, and its regions read again after connecting.
    expect(chair.locator("#connection")).to_have_text("Live", timeout=LIVE)
    chair.wait_for_load_state("networkidle")
    # Reveal is held a moment after it first appears (a round opened under 1.5 s ago).
    expect(reveal).to_be_enabled()
    chair.evaluate("window.scrollTo(0, 0)")
    middle = reveal.evaluate(
        "b => { const r = b.getBoundingClientRect();"
        " return [r.x + r.width / 2, r.y + r.height / 2]; }"
    )
    assert middle[1] < 900, "Reveal is on the chair's first screen"
    fetched = []
    chair.on("request", lambda r: "/region/" in r.url and fetched.append(r.url))
    listen(chair)
    started = time.monotonic()
    chair.mouse.click(*middle)
    chair.wait_for_timeout(max(0, 300 - (time.monotonic() - started) * 1000))
    chair.mouse.click(*middle)
    expect(chair.get_by_role("button", name="Open round 2")).to_be_visible(timeout=LIVE)
    expect(phone.locator("#region-stage")).to_contain_text("Round 1 — revealed", timeout=LIVE)
    expect(display.locator("#region-scene")).not_to_contain_text("Round 1 — revealed")
    # Whatever the two clicks sent has been answered (so the record below has it), and the
    # chair's page has heard the reveal's ring and read whatever it made it read.
    answered(chair)
    heard(chair, "stage")
    answered(chair)
    meeting_id = re.search(r"/meetings/(\d+)", chair.url).group(1)
    log = chair.request.get(f"{base}/meetings/{meeting_id}/record.json").json()["events"]
    said = [e["what"] for e in log]
    assert said.count("revealed round 1 on Access to a mobile phone") == 1, said
    assert not any("round 2" in what for what in said), said
    expect(phone.locator("#region-rate")).not_to_contain_text("round 2")
    # The reveal came drawn for the chair's screens, forms and all. Only the place the click
    # was sent from reads itself once more, after its answer: the ring came while the click
    # was on its way, so its answer could be older than the ring.
    assert [url.rsplit("/", 1)[1] for url in fetched] in ([], ["controls"]), fetched
    display.evaluate("window.meetingSocket.connect()")

    for screen in (display, phone):
        # The shared display draws one region, the scene, whatever changed.
        stage = screen.locator("#region-scene" if screen is display else "#region-stage")
        expect(stage).to_contain_text("Round 1 — revealed", timeout=LIVE)
        expect(stage).to_contain_text("Phone keeps her in touch with her mum")
        expect(stage).to_contain_text("No single largest group")
        expect(stage.locator(".chart")).to_be_visible()
    shot(display, "story-display-revealed")

    # Two people, two options: the display says so plainly, and the chair acknowledges it.
    expect(display.locator("#region-scene")).to_contain_text("no option is held by a majority")
    chair.get_by_role("button", name="Acknowledge the disagreement").click()
    expect(display.locator("#region-scene")).to_contain_text(
        "Acknowledged by the chair", timeout=LIVE
    )

    chair.get_by_label("Decision, in plain words").fill(
        "She keeps the phone; it stays downstairs at night."
    )
    chair.get_by_label("Rationale: why this decision, on what evidence").fill(
        "Contact with her mum matters; night-time use was the risk."
    )
    chair.get_by_label("In their words where possible").fill("“I need to talk to my mum.”")
    chair.get_by_label("Review date").fill(REVIEW_DATE)
    chair.get_by_role("button", name="Record the decision").click()
    for screen in (display, phone):
        region = "#region-scene" if screen is display else "#region-decision"
        expect(screen.locator(region)).to_contain_text("it stays downstairs at night", timeout=LIVE)

    phone.get_by_text("I disagree", exact=True).click()
    phone.get_by_label("Your view, in your own words (needed if you disagree)").fill(
        "Taking it at night will feel like a punishment to her."
    )
    phone.get_by_role("button", name="Record my answer").click()
    decision = display.locator("#region-scene")
    expect(decision).to_contain_text("against the majority of ratings", timeout=LIVE)
    expect(decision).to_contain_text("feel like a punishment to her. Jo Keyworker, Children's home")

    chair.get_by_label("What is to be done").fill("Agree night-time phone routine with her")
    chair.get_by_label("Owner: one named person").select_option(
        label="Jo Keyworker (Children's home)"
    )
    chair.get_by_label("Due by").fill(DUE_DATE)
    chair.get_by_role("button", name="Add the action").click()
    expect(phone.locator("#region-actions")).to_contain_text("Your actions (1)", timeout=LIVE)
    expect(display.locator("#region-scene")).to_contain_text("Agree night-time phone routine")
    shot(display, "story-display-decided")
    shot(chair, "story-chair-decided")
    shot(phone, "story-phone-decided")

    # After the meeting: the minutes, circulated to the outbox, read and corrected on the phone.
    chair.on("dialog", lambda dialog: dialog.accept())
    chair.get_by_role("button", name="Close the meeting").click()
    chair.get_by_role("link", name="Minutes").click()
    paper = chair.locator(".minutes-paper")
    expect(paper).to_contain_text("DRAFT: not yet circulated")
    expect(paper).to_contain_text("Taking it at night will feel like a punishment to her.")
    chair.get_by_label("Summary (optional)").fill("A short meeting about one phone.")
    chair.get_by_role("button", name="Save draft").click()
    expect(paper).to_contain_text("A short meeting about one phone.")
    chair.get_by_role("button", name="Circulate version 1").click()
    expect(chair.locator("#versions")).to_contain_text("Version 1")
    expect(chair.locator("#deliveries")).to_contain_text("In the outbox")
    shot(chair, "story-chair-minutes")
    assert serious_violations(chair) == []

    # Printed, only the minutes remain, on A4.
    chair.emulate_media(media="print")
    expect(chair.locator("#versions")).to_be_hidden()
    expect(chair.locator(".top")).to_be_hidden()
    expect(paper).to_be_visible()
    pdf = chair.pdf(prefer_css_page_size=True)
    (SHOTS / "story-minutes.pdf").write_bytes(pdf)
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert boxes, "the PDF has pages"
    for width, height in boxes:  # A4 is 595 × 842 points
        assert abs(float(width) - 595.3) < 1 and abs(float(height) - 841.9) < 1
    chair.emulate_media(media="screen")

    phone.reload()
    phone.get_by_role("link", name="Read the minutes").click()
    expect(phone.locator(".minutes-paper")).to_contain_text("She keeps the phone")
    phone.get_by_label("Which part").select_option(label="The minutes as a whole")
    phone.get_by_label("What is wrong, and what should it say?").fill(
        "The phone stays in the office at night, not downstairs."
    )
    phone.get_by_role("button", name="Send to the chair").click()
    expect(phone.locator("#corrections")).to_contain_text("waiting for the chair")
    shot(phone, "story-phone-minutes")
    assert serious_violations(phone) == []
    phone.set_viewport_size({"width": 360, "height": 740})
    assert phone.evaluate("document.documentElement.scrollWidth <= innerWidth")
    chair.reload()
    expect(chair.locator("#corrections")).to_contain_text("stays in the office at night")
    assert outside == [], f"pages fetched from outside the server: {outside}"
