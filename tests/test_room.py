"""The meeting room in real Chromium: phones that lead each person to their next step, and
the chair's cockpit, with typed text that is never lost.

One real server and one browser serve the whole module; each test makes its own meeting.
Screenshots of each stage are saved in tests/screenshots/ for people to look at.
"""

import re
import time
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect
from room import (
    CHAIR_SCREEN,
    LIVE,
    PHONE,
    Room,
    answered,
    heard,
    listen,
    serious_violations,
    shot,
)

LONG_BODY = "\n\n".join(
    [
        "## Background",
        "Jade is 14 and lives with her mother and two younger brothers. " * 4,
        "## What we are worried about",
        "- Three missing episodes since September, each overnight, found in another town\n"
        "- Seen getting into cars driven by older males near the school gates\n"
        "- A new phone and expensive clothes her mother cannot account for\n"
        "- Attendance has fallen from 96% to 61% this term",
        "## What is working well",
        "- She attends football training every week and her coach is a trusted adult\n"
        "- Her mother engages with the family support worker and wants help\n"
        "- She talks openly with the school nurse",
        "## Her views",
        "She says the older males are her friends and she is not in danger. " * 3,
        "## Agency information",
        "Police hold intelligence linking one of the cars to a county lines investigation. "
        "Health note an attendance at the sexual health clinic in October. " * 3,
    ]
)
SAFETY_LONG = {"title": "Risk of criminal exploitation", "body": LONG_BODY, "scale": "safety"}
CHOICE = {
    "title": "Plan",
    "body": "What plan is needed?",
    "scale": "choice",
    "choices": "Child-protection plan\nChild-in-need plan\nNo further action",
}
RATERS = [
    ("Priya Shah", "Police"),
    ("Tom Reid", "School"),
    ("Dr Ade Okafor", "Health"),
    ("Mo Khan", "Youth justice"),
    ("Lee Grant", "Residential care"),
    ("Ana Silva", "Housing"),
]


@pytest.fixture(scope="module")
def room(module_server, browser) -> Room:
    return Room.first_chair(module_server.url, browser, module_server.setup_code)


def fits_sideways(page: Page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def top_of(locator) -> float:
    box = locator.bounding_box()
    assert box is not None
    return box["y"]


def open_live(page: Page, url: str) -> Page:
    page.goto(url)
    expect(page.locator("#connection")).to_have_text("Live", timeout=LIVE)
    return page


def test_a_phone_leads_each_person_to_their_next_step(room):
    room.new_meeting(SAFETY_LONG, CHOICE, title="Jade: review conference")
    people = [room.join(name, agency) for name, agency in RATERS]
    room.start()
    priya = people[0].context.new_page()
    fetched = []
    priya.on("request", lambda r: "/region/" in r.url and fetched.append(r.url))
    open_live(priya, f"{room.base}/m/{room.meeting_id}")
    priya.wait_for_load_state("networkidle")
    assert fetched == [], "a fresh page fetched regions it already shows"
    stages = {}

    # Before any round: the item is there to read, and nothing is wider than the phone.
    expect(priya.get_by_role("heading", name="Risk of criminal exploitation")).to_be_visible()
    assert fits_sideways(priya)
    shot(priya, "phone-1-item")
    stages["item"] = serious_violations(priya)

    # A round opens: the rating control is on the first screen, and it is announced.
    round_id = room.open_round()
    rating = priya.get_by_role("group", name=re.compile("Safety"))
    expect(rating).to_be_visible(timeout=LIVE)
    assert top_of(rating) < PHONE["height"] - 100
    expect(priya.locator("#announcer")).to_contain_text("Round 1 is open")
    expect(priya.locator("details.item")).not_to_have_attribute("open", "")
    assert fits_sideways(priya)
    shot(priya, "phone-2-round-open")
    shot(priya, "phone-2-round-open-first-screen", full_page=False)
    stages["round open"] = serious_violations(priya)

    # A rating sent without a value is refused; the error stays through live refreshes.
    priya.get_by_label("Why? (optional, one line)").fill("Older males, new phone")
    priya.get_by_role("button", name="Submit my rating").click()
    error = priya.locator("#region-rate").get_by_role("alert")
    expect(error).to_contain_text("Choose", timeout=LIVE)
    for person in people[1:3]:
        room.rate(person, round_id, score=8, reason=f"{person.name}'s reason")
    expect(priya.locator("#region-progress")).to_contain_text("2 of", timeout=LIVE)
    expect(priya.locator("#announcer")).to_contain_text("have rated")
    observer = f"/meetings/{room.meeting_id}/people/{people[5].id}/observe"
    with priya.expect_response(lambda r: "/region/rate" in r.url, timeout=LIVE):
        room.chair.http.post(observer)
    expect(priya.locator("#region-progress")).to_contain_text("of 6 have rated", timeout=LIVE)
    expect(error).to_contain_text("Choose")
    expect(priya.get_by_label("Why? (optional, one line)")).to_have_value("Older males, new phone")

    # Rating by keyboard alone: arrows move along the scale, Enter sends it.
    priya.get_by_role("radio", name="0", exact=True).focus()
    for _ in range(2):
        priya.keyboard.press("ArrowRight")
    expect(priya.get_by_role("radio", name="2", exact=True)).to_be_checked()
    ring = priya.evaluate(
        """() => { const s = getComputedStyle(document.activeElement.nextElementSibling);
                   return [s.outlineStyle, s.outlineColor]; }"""
    )
    assert ring[0] == "solid" and contrast(ring[1], "rgb(255, 255, 255)") >= 3
    # Sent in place: the answer and the progress it rings, not the whole page again.
    asked = []
    priya.on("request", lambda r: asked.append((r.resource_type, r.method, r.url)))
    priya.keyboard.press("Tab")
    priya.keyboard.press("Enter")
    expect(priya.locator("#region-rate")).to_contain_text("You rated 2", timeout=LIVE)
    expect(error).to_have_count(0)
    expect(priya.locator("#region-progress")).to_contain_text("3 of 6 have rated", timeout=LIVE)
    priya.wait_for_load_state("networkidle")
    assert len(asked) <= 3, asked
    # Her receipt, to check later that the record holds her rating as she gave it.
    receipt = priya.locator("#region-rate .receipt")
    expect(receipt).to_contain_text(
        re.compile(r"Your receipt: [A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}")
    )
    assert fits_sideways(priya)
    shot(priya, "phone-2-rated")

    for person in people[3:5]:
        room.rate(person, round_id, score=8, reason=f"{person.name} sees it as lower risk")
    room.reveal(round_id)

    # The reveal: the spread is on the first screen, with her own rating marked.
    chart = priya.get_by_role("img", name=re.compile("Spread"))
    expect(chart).to_be_visible(timeout=LIVE)
    assert top_of(chart) < PHONE["height"]
    expect(priya.locator("#announcer")).to_contain_text("Round 1 revealed")
    expect(priya.locator("tr.mine")).to_contain_text("Priya Shah")
    # The stage came drawn alike for everyone; her page marks her minority view as hers.
    expect(priya.locator("tr.mine.minority")).to_have_count(1)
    expect(priya.get_by_text("Your rating is a minority view")).to_be_visible()
    assert fits_sideways(priya)
    shot(priya, "phone-3-revealed")
    shot(priya, "phone-3-revealed-first-screen", full_page=False)
    stages["revealed"] = serious_violations(priya)

    # A decision: agree or disagree is the first thing on the screen.
    item_id = room.current_item_id()
    room.chair.http.post(
        f"/meetings/{room.meeting_id}/rounds/{round_id}/acknowledge", form={"note": "Heard"}
    )
    room.decide(
        item_id,
        text="Child-protection plan under the category of exploitation",
        rationale="Missing episodes with older males",
        child_views="She says she is not in danger",
    )
    question = priya.get_by_role("group", name="Do you agree with the decision?")
    expect(question).to_be_visible(timeout=LIVE)
    assert top_of(question) < PHONE["height"]
    assert fits_sideways(priya)
    shot(priya, "phone-4-decision")
    stages["decision"] = serious_violations(priya)

    # Joining from a phone: the code, the details form and the waiting page fit too.
    late = room.browser.new_context(base_url=room.base, viewport=PHONE).new_page()
    late.goto(f"{room.base}/join/")
    assert fits_sideways(late)
    late.goto(f"{room.base}/join/{room.join_code}")
    late.get_by_text("I am the young person's advocate").click()
    late.get_by_label("Your name").fill("Kim Late-Arrival-With-A-Long-Double-Barrelled-Name")
    late.get_by_label("Your role").fill("Advocate")
    late.get_by_label("Your agency").fill("Independent advocacy service for young people")
    late.get_by_role("button", name="Ask to join").click()
    expect(late.get_by_role("heading", name="Waiting for the chair")).to_be_visible()
    assert fits_sideways(late)
    late.context.close()

    # Narrower and wider phones: nothing sideways at any of them.
    for width in (320, 414):
        priya.set_viewport_size({"width": width, "height": 800})
        assert fits_sideways(priya), width

    assert {stage: found for stage, found in stages.items() if found} == {}


def contrast(colour: str, against: str) -> float:
    """WCAG contrast ratio of two CSS rgb() colours."""

    def luminance(css: str) -> float:
        parts = [int(p) / 255 for p in re.findall(r"\d+", css)[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in parts]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(colour), luminance(against)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_a_rating_sent_while_the_server_restarts_is_kept_and_sent_when_it_is_back(
    room, module_server
):
    room.new_meeting(CHOICE, title="Restart")
    tom = room.join("Tom Reid", "School")
    room.start()
    phone = open_live(tom.context.new_page(), f"{room.base}/m/{room.meeting_id}")
    # The rating form arrives live, as it does in a meeting, not with the page.
    round_id = room.open_round()
    expect(phone.get_by_role("button", name="Submit my rating")).to_be_visible(timeout=LIVE)

    module_server.stop()
    try:
        phone.get_by_text("Child-in-need plan", exact=True).click()
        phone.get_by_label("Why? (optional, one line)").fill("Support is enough for now")
        phone.get_by_role("button", name="Submit my rating").click()
        expect(phone.get_by_role("alert").filter(has_text="Not sent")).to_be_visible(timeout=LIVE)
        expect(phone.locator("#offline")).to_be_visible(timeout=LIVE)
        assert phone.url.endswith(f"/m/{room.meeting_id}")
        expect(phone.get_by_label("Why? (optional, one line)")).to_have_value(
            "Support is enough for now"
        )
        shot(phone, "phone-5-not-sent")
    finally:
        module_server.start()
    expect(phone.locator("#region-rate")).to_contain_text(
        "You rated Child-in-need plan", timeout=30_000
    )
    expect(phone.locator("#offline")).to_be_hidden()
    room.reveal(round_id)
    expect(phone.locator("#region-stage")).to_contain_text("Support is enough for now")


def test_the_chairs_cockpit_keeps_the_step_in_view_and_loses_no_typed_text(room):
    room.new_meeting(SAFETY_LONG, CHOICE, title="Cockpit")
    people = [room.join(name, agency) for name, agency in RATERS]
    chair = open_live(room.chair.context.new_page(), f"{room.base}/meetings/{room.meeting_id}")
    shot(chair, "chair-0-setup")
    found = {"set-up": serious_violations(chair)}
    room.start()
    # Starting the meeting reloads every page of it.
    expect(chair.get_by_role("button", name="Open a rating round")).to_be_visible(timeout=LIVE)
    expect(chair.locator("#connection")).to_have_text("Live", timeout=LIVE)

    # The whole cockpit fits the laptop's screen; the columns scroll on their own.
    def page_fits() -> bool:
        return chair.evaluate(
            "document.documentElement.scrollHeight <= innerHeight"
            " && document.documentElement.scrollWidth <= innerWidth"
        )

    shot(chair, "chair-1-item")
    assert page_fits()
    found["item"] = serious_violations(chair)

    # A double click on Open (150 ms apart) opens the round and does not reveal it: the
    # second click lands on Reveal, which is held when it appears.
    opening = chair.get_by_role("button", name="Open a rating round")
    spot = centre(opening)
    opening.click()
    chair.wait_for_timeout(150)
    chair.mouse.click(*spot)
    reveal = chair.get_by_role("button", name="Reveal round 1")
    expect(reveal).to_be_visible(timeout=LIVE)
    # Whatever the two clicks sent has been answered and drawn.
    answered(chair)
    expect(reveal).to_be_visible()
    expect(chair.locator("#region-stage")).to_contain_text("Round 1 — open")
    round_id = int(re.search(r"/rounds/(\d+)/rating", chair.content()).group(1))
    for person, score in zip(people, (2, 3, 3, 4, 8, 9), strict=True):
        room.rate(person, round_id, score=score, reason=f"{person.name}: one line of why")
    expect(chair.locator("#region-controls")).to_contain_text("6 of 7 have rated", timeout=LIVE)

    # Every per-person control names its person.
    people_region = chair.locator("#region-people")
    for name, _agency in RATERS:
        expect(people_region.get_by_role("button", name=f"Remove {name}")).to_have_count(1)
        expect(people_region.get_by_role("button", name=f"{name} left")).to_have_count(1)

    # The chair types a decision while the round is open, scrolls the deciding column
    # away from the controls, and reveals: nothing typed is lost, the step stays in view.
    decision = chair.get_by_label("Decision, in plain words")
    decision.fill("Child-protection plan")
    chair.get_by_label("Rationale: why this decision, on what evidence").fill(
        "Missing episodes and older males"
    )
    chair.locator(".cockpit-col.col-now").evaluate("c => c.scrollTop = c.scrollHeight")
    assert in_view(chair, reveal)
    shot(chair, "chair-2-round-open")
    found["round open"] = serious_violations(chair)

    # A refusal answered to a form sent in place (here a round that is not there, as on a
    # page left open too long) says why, and the place is drawn again as it now is.
    stale = chair.locator("#region-controls form").first
    stale.evaluate(
        "f => { f.setAttribute('action', f.action.replace(/rounds\\/\\d+/, 'rounds/999999'));"
        " htmx.process(f); }"
    )
    chair.get_by_role("button", name="Reveal round 1").click()
    expect(chair.locator("#flash").get_by_role("alert")).to_contain_text(
        "Not done: That no longer exists in this meeting", timeout=LIVE
    )
    # The place reads itself again, and its button posts to the round as it now is.
    answered(chair)
    reveal = chair.get_by_role("button", name="Reveal round 1")
    expect(reveal.locator("xpath=ancestor::form")).not_to_have_attribute(
        "action", re.compile("999999")
    )
    expect(reveal).to_be_enabled(timeout=LIVE)
    expect(decision).to_have_value("Child-protection plan")

    # Two clicks on Reveal 300 ms apart reveal once and open nothing: the second lands
    # where the first did, on whatever is there by then.
    spot = centre(reveal)
    reveal.click()
    time.sleep(0.3)
    chair.mouse.click(*spot)
    expect(chair.locator("#region-stage")).to_contain_text("Round 1 — revealed", timeout=LIVE)
    answered(chair)
    expect(chair.locator("#region-stage")).not_to_contain_text("Round 2")
    expect(chair.get_by_role("button", name="Open round 2")).to_be_visible()
    expect(decision).to_have_value("Child-protection plan")
    expect(chair.locator("#draft-status")).to_contain_text("Draft saved at", timeout=LIVE)
    shot(chair, "chair-3-revealed")
    assert page_fits()
    found["revealed"] = serious_violations(chair)

    # A reconnect (the laptop loses the network for a moment) keeps it too.
    chair.context.set_offline(True)
    decision.fill("Child-protection plan under the category of exploitation")
    chair.context.set_offline(False)
    chair.reload()
    expect(chair.locator("#connection")).to_have_text("Live", timeout=LIVE)
    expect(chair.get_by_label("Decision, in plain words")).to_have_value(
        "Child-protection plan under the category of exploitation"
    )
    expect(chair.get_by_label("Rationale: why this decision, on what evidence")).to_have_value(
        "Missing episodes and older males"
    )

    # Closed: the chair's page becomes the record, with the way to the minutes.
    room.chair.http.post(f"/meetings/{room.meeting_id}/close")
    expect(chair.get_by_role("link", name="Minutes")).to_be_visible(timeout=LIVE)
    shot(chair, "chair-4-closed")
    found["closed"] = serious_violations(chair)

    assert {stage: v for stage, v in found.items() if v} == {}


def in_view(page: Page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return (
        box is not None
        and box["y"] >= 0
        and box["y"] + box["height"] <= size["height"]
        and box["x"] + box["width"] <= size["width"]
    )


def centre(locator) -> tuple[float, float]:
    box = locator.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


LXS = {"title": "Unsupervised time in the community", "body": "Two hours a day.", "scale": "lxs"}


def test_rating_by_keyboard_alone_on_every_scale(room):
    room.new_meeting(LXS, CHOICE, title="Keyboard")
    ana = room.join("Ana Silva", "Housing")
    room.start()
    phone = open_live(ana.context.new_page(), f"{room.base}/m/{room.meeting_id}")

    # Likelihood × severity: two groups of five, each chosen with the arrow keys.
    room.open_round()
    expect(phone.get_by_role("group", name="Likelihood")).to_be_visible(timeout=LIVE)
    phone.get_by_role("group", name="Likelihood").get_by_role("radio").first.focus()
    phone.keyboard.press("ArrowRight")
    phone.keyboard.press("ArrowRight")
    phone.keyboard.press("Tab")
    phone.keyboard.press("ArrowRight")
    phone.keyboard.press("Tab")
    phone.keyboard.type("Evenings are the worry")
    phone.keyboard.press("Enter")
    expect(phone.locator("#region-rate")).to_contain_text("You rated", timeout=LIVE)
    expect(phone.locator("#region-rate .given")).to_contain_text("L3")
    expect(phone.locator("#region-rate .given")).to_contain_text("S2")

    # The chair types the control measures for a residual round; a live refresh of the
    # controls and a reload of the page keep them.
    room.reveal(int(re.search(r"/rounds/(\d+)/rating", phone.content()).group(1)))
    chair = open_live(room.chair.context.new_page(), f"{room.base}/meetings/{room.meeting_id}")
    measures = chair.get_by_label("Control measures the residual rating assumes")
    measures.fill("Hourly check-ins by phone")
    lxs_item = room.current_item_id()
    again = f"/meetings/{room.meeting_id}/current"
    listen(chair)
    room.chair.http.post(again, form={"item_id": lxs_item})
    heard(chair, "controls")
    answered(chair)
    expect(measures).to_have_value("Hourly check-ins by phone")
    chair.reload()
    expect(chair.locator("#connection")).to_have_text("Live", timeout=LIVE)
    expect(measures).to_have_value("Hourly check-ins by phone")
    chair.close()

    # A choice list: the same keys.
    item = re.search(r'name="item_id" value="(\d+)"', room.chair_page()).group(1)
    room.chair.http.post(f"/meetings/{room.meeting_id}/current", form={"item_id": item})
    room.open_round()
    expect(phone.get_by_role("group", name="Choose one")).to_be_visible(timeout=LIVE)
    phone.get_by_role("group", name="Choose one").get_by_role("radio").first.focus()
    phone.keyboard.press("ArrowDown")
    phone.keyboard.press("Tab")
    phone.keyboard.press("Enter")
    expect(phone.locator("#region-rate")).to_contain_text(
        "You rated Child-in-need plan", timeout=LIVE
    )


def test_the_other_pages_pass_axe_at_a_laptop_and_a_phone(room):
    meeting_id = room.new_meeting(CHOICE, title="Pages")
    room.join("Ana Silva", "Housing")
    page = room.chair.context.new_page()
    page.goto(f"{room.base}/meetings/{meeting_id}")
    item = re.search(rf"/meetings/{meeting_id}/items/(\d+)\"", page.content()).group(1)
    room.chair.http.post(
        f"/meetings/{meeting_id}/apologies", form={"name": "Dr Lee", "agency": "Health"}
    )
    page.reload()
    contribution = page.get_by_role("link", name="Add a written contribution").get_attribute("href")
    paths = [
        "/meetings/",
        "/meetings/new",
        f"/meetings/{meeting_id}/items/{item}",
        contribution,
        f"/meetings/{meeting_id}/events",
    ]
    stranger = room.browser.new_context(base_url=room.base).new_page()
    found = {}
    for viewport in (CHAIR_SCREEN, PHONE):
        page.set_viewport_size(viewport)
        stranger.set_viewport_size(viewport)
        for path in paths:
            page.goto(room.base + path)
            name = re.sub(r"\W+", "-", path.split(f"/{meeting_id}", 1)[-1]).strip("-")
            shot(page, f"page-{name or 'meetings'}-{viewport['width']}")
            found[(path, viewport["width"])] = serious_violations(page)
            if viewport is PHONE and not fits_sideways(page):
                found[(path, "sideways")] = ["wider than the phone"]
        stranger.goto(room.base + "/login")
        found[("/login", viewport["width"])] = serious_violations(stranger)
    stranger.context.close()
    assert {where: v for where, v in found.items() if v} == {}


def test_a_draft_saving_itself_as_the_decision_is_recorded_never_fails_or_overwrites(
    room, module_server
):
    """The autosave and Record, sent at the same moment from two windows, ten times over."""
    import threading

    from conftest import BrowserSession

    chair = BrowserSession()
    login = {"email": "sam@example.org", "password": "a long password"}
    assert chair.post(module_server.url + "/login", data=login).ok
    statuses = []
    for trial in range(10):
        meeting_id = room.new_meeting(CHOICE, title=f"Race {trial}")
        room.start()
        room.reveal(room.open_round())
        item_id = room.current_item_id()
        path = f"{module_server.url}/meetings/{meeting_id}/items/{item_id}/decision"
        recorded = {
            "intent": "record",
            "text": f"Recorded wording {trial}",
            "rationale": "Heard everyone",
            "child_views": "Not asked: too young",
            "review_date": (date.today() + timedelta(days=30)).isoformat(),
        }
        late_draft = {"text": f"Draft wording {trial}", "rationale": "Still typing"}
        if trial % 2:
            # Half the trials race the draft's first save; half a draft that exists.
            assert chair.post(path + "/draft", data=late_draft).ok
        start = threading.Barrier(2)

        def send(url, form, start=start):
            start.wait()
            statuses.append(chair.post(url, data=form, allow_redirects=False).status_code)

        both = [
            threading.Thread(target=send, args=(path, recorded)),
            threading.Thread(target=send, args=(path + "/draft", late_draft)),
        ]
        for t in both:
            t.start()
        for t in both:
            t.join()
        shown = chair.get(f"{module_server.url}/meetings/{meeting_id}/record.json").json()
        decision = shown["items"][0]["decision"]
        if decision and decision["status"] == "recorded":
            assert decision["decision"] == recorded["text"], trial
        else:
            # Record lost the race for the first save: sent again, it is recorded.
            assert chair.post(path, data=recorded, allow_redirects=False).status_code == 302
    assert not [s for s in statuses if s >= 500], statuses
