"""Every screen tells the truth after every step: a scripted meeting and its review, in real
Chromium, with a chair, the shared display and two phones connected as live clients. After
each step, each region each of them holds reads as a fresh load of the same page would read.

A region a change forgets (a fact it reads that nobody rang) stays stale and fails here; so
does a region named wrongly in a page (`regions.named` refuses it, and the page with it).
"""

import re
import time
from datetime import date, timedelta

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from room import (
    CHAIR_SCREEN,
    LIVE,
    PHONE,
    REVIEW_DATE,
    Forms,
    Person,
    Room,
    answered,
    heard,
    listen,
    sent,
    shot,
)
from test_room import LONG_BODY

ITEMS = [
    {"title": "Risk of criminal exploitation", "body": "Missing twice.", "scale": "safety"},
    {
        "title": "Where the child lives",
        "body": "Placement.",
        "scale": "choice",
        "choices": "Home\nKinship care\nFoster care",
    },
]
DISPLAY = {"width": 1920, "height": 1080}
# What each page of a person holds, region by region: the text a person reads in it.
READ = """() => Object.fromEntries([...document.querySelectorAll('[data-region]')].map(
    el => [el.id, el.innerText.replace(/\\s+/g, ' ').trim()]))"""


@pytest.fixture(scope="module")
def room(module_server, browser) -> Room:
    return Room.first_chair(module_server.url, browser, module_server.setup_code)


class Screens:
    """The live pages of a meeting, each checked against a fresh load after every step."""

    def __init__(self, room: Room):
        self.room = room
        self.pages: dict[str, Page] = {}
        self.steps = 0

    def open(self, name: str, context: BrowserContext, url: str) -> Page:
        page = context.new_page()
        page.goto(url)
        expect(page.locator("#connection")).to_have_text("Live", timeout=LIVE)
        self.pages[name] = page
        return page

    def start(self, step: str) -> None:
        """The chair starts the meeting: every page loads again, and that is the new truth."""
        sent(self.room.chair.http.post(f"/meetings/{self.room.meeting_id}/start"), "start")
        for page in self.pages.values():
            page.wait_for_load_state()
            expect(page.locator("#connection")).to_have_text("Live", timeout=LIVE)
        self.check(step)

    def check(self, step: str) -> None:
        """Each live page shows, region by region, what a fresh load of it shows now."""
        self.steps += 1
        for name, page in self.pages.items():
            answered(page)
            fresh = page.context.new_page()
            fresh.goto(page.url)
            truth = fresh.evaluate(READ)
            fresh.close()
            assert truth, f"{step}: {name} shows no regions"
            try:
                page.wait_for_function(
                    f"truth => JSON.stringify(({READ})()) === JSON.stringify(truth)",
                    arg=truth,
                    timeout=LIVE,
                )
            except PlaywrightTimeout:
                live = page.evaluate(READ)
                stale = {
                    region: (live.get(region), text)
                    for region, text in truth.items()
                    if live.get(region) != text
                }
                missing = set(live) ^ set(truth)
                pytest.fail(f"after {step!r}, {name}'s page is stale: {stale} {missing}")


def waiting_phone(
    room: Room, screens: Screens, name: str, agency: str, part: str = "professional"
) -> Person:
    context = room.browser.new_context(base_url=room.base, viewport=PHONE)
    forms = Forms(context)
    details = {"name": name, "role": "Practitioner", "agency": agency, "part": part}
    sent(forms.post(f"/join/{room.join_code}", form=details), f"{name} asks to join")
    person = Person(name, agency, context)
    person.http = forms
    room.people[name] = person
    return person


def admitted(room: Room, screens: Screens, chair: Page, person: Person, key: str) -> None:
    """The chair admits someone from the cockpit; their phone loads the meeting."""
    admit = r"/people/(\d+)/admit\"[^<]*(?:<input[^>]*>)*[^<]*<[^<]*\bAdmit "
    person.id = int(re.search(admit + re.escape(person.name), room.chair_page()).group(1))
    chair.locator("#region-people").get_by_role("button", name=f"Admit {person.name}").click()
    answered(chair)
    screens.open(key, person.context, f"{room.base}/m/{room.meeting_id}")


def test_every_region_on_every_screen_is_true_after_every_step(room):
    meeting_id = room.new_meeting(*ITEMS, title="A meeting step by step")
    screens = Screens(room)
    chair = screens.open("chair", room.chair.context, f"{room.base}/meetings/{meeting_id}")
    chair.set_viewport_size(CHAIR_SCREEN)
    display_context = room.browser.new_context(viewport=DISPLAY)
    screens.open("display", display_context, room.display_url)
    screens.check("set-up")

    priya = waiting_phone(room, screens, "Priya Shah", "Police")
    screens.check("Priya asks to join")
    tom = waiting_phone(room, screens, "Tom Reid", "School")
    screens.check("Tom asks to join")
    admitted(room, screens, chair, priya, "priya")
    screens.check("Priya admitted")
    admitted(room, screens, chair, tom, "tom")
    screens.check("Tom admitted")
    # Someone with no device, on a phone line: the chair adds them and rates for them.
    line = {"name": "Dr Lee", "role": "GP", "agency": "Health", "part": "professional"}
    added = room.chair.http.post(
        f"/meetings/{meeting_id}/without-device", form={**line, "channel": "phone"}
    )
    sent(added, "Dr Lee added")
    screens.check("Dr Lee added on a phone line")
    sent(
        room.chair.http.post(
            f"/meetings/{meeting_id}/people/{tom.id}/part",
            form={"part": "professional", "channel": "video"},
        ),
        "Tom on video",
    )
    screens.check("Tom is on video")
    report = {"agency": "Police", "author": "DC Shah"}
    sent(room.chair.http.post(f"/meetings/{meeting_id}/reports", form=report), "report")
    screens.check("a report expected")
    report_id = re.search(r"/reports/(\d+)/received", room.chair_page()).group(1)
    received = {"received_on": date.today().isoformat()}
    path = f"/meetings/{meeting_id}/reports/{report_id}/received"
    sent(room.chair.http.post(path, form=received), "received")
    screens.check("the report received")

    screens.start("started")

    chair.get_by_role("button", name="Open a rating round").click()
    screens.check("round 1 opened")
    round_id = int(re.search(r"/rounds/(\d+)/reveal", room.chair_page()).group(1))
    room.rate(priya, round_id, score=3, reason="Missing twice this month")
    screens.check("Priya rated")
    # The chair enters the rating Dr Lee reads out, in the cockpit.
    behalf = chair.locator("#region-behalf")
    expect(behalf.get_by_label("Whose rating")).to_have_value(re.compile(r"\d+"))
    behalf.locator("label.pick", has_text="4").first.click()
    behalf.get_by_role("button", name="Enter this rating").click()
    screens.check("Dr Lee's rating entered by the chair")
    room.rate(tom, round_id, score=5, reason="Settled at school")
    screens.check("Tom rated")
    reveal = chair.get_by_role("button", name="Reveal round 1")
    reveal.click()
    screens.check("round 1 revealed")
    people = chair.locator("#region-people")
    people.get_by_role("button", name="Reveal without names on shared screens").click()
    screens.check("the reveal without names on shared screens")
    people.get_by_role("button", name="Show names at the reveal").click()
    screens.check("names at the reveal again")

    item_id = room.current_item_id()
    room.decide(
        item_id,
        text="Child-protection plan",
        rationale="Missing episodes",
        child_views="I want to play football",
        forecast="No missing episodes",
    )
    screens.check("decision recorded")
    expect(chair.locator("#region-controls")).not_to_contain_text("record the decision")
    room.answer(tom, item_id, agrees=False, text="The school sees a settled child")
    screens.check("Tom's minority view")
    room.answer(priya, item_id, agrees=True)
    screens.check("Priya agrees")
    considered = {"considered": "Heard; the plan keeps school in touch"}
    path = f"/meetings/{meeting_id}/items/{item_id}/views/{tom.id}/consider"
    sent(room.chair.http.post(path, form=considered), "considered")
    screens.check("Tom's view considered")
    soon = (date.today() + timedelta(days=7)).isoformat()
    action = {"what": "Share the missing reports", "owner_id": str(priya.id), "due": soon}
    sent(room.chair.http.post(f"/meetings/{meeting_id}/actions", form=action), "action")
    screens.check("action added")

    next_item = re.search(r'name="item_id" value="(\d+)"[^<]*<[^<]*Next item', room.chair_page())
    sent(
        room.chair.http.post(
            f"/meetings/{meeting_id}/current", form={"item_id": next_item.group(1)}
        ),
        "next",
    )
    screens.check("next item")
    round_id = room.open_round()
    screens.check("round 1 opened on item 2")
    room.rate(priya, round_id, choice="Kinship care")
    screens.check("Priya chose")
    room.reveal(round_id)
    screens.check("item 2 revealed")
    room.decide(
        room.current_item_id(),
        text="Stay at home with support",
        rationale="Safe at home",
        child_views="I want to stay home",
    )
    screens.check("item 2 decided")
    assert screens.steps >= 20


def test_every_screen_of_the_family_and_the_professionals_is_true_after_every_step(room):
    """A parent's phone (in the family's room), a professional's, the chair's and a display
    the family sees, through the family's track, a restricted item and a part without them."""
    meeting_id = room.new_meeting(*ITEMS, title="A conference with the family")
    base = f"/meetings/{meeting_id}"
    screens = Screens(room)
    chair = screens.open("chair", room.chair.context, f"{room.base}{base}")
    chair.set_viewport_size(CHAIR_SCREEN)
    screens.open("display", room.browser.new_context(viewport=DISPLAY), room.display_url)
    first, second = map(int, re.findall(r"/items/(\d+)/restricted", room.chair_page()))

    def chair_says(path: str, step: str, **form: str) -> None:
        sent(room.chair.http.post(f"{room.base}{base}{path}", form=form), step)
        screens.check(step)

    chair_says(f"/items/{second}/restricted", "item 2 restricted", restricted="yes")
    chair_says("/family/rates", "the family asked to rate", on="yes")
    chair_says("/family/display", "the family sees the display", on="yes")
    mum = waiting_phone(room, screens, "Mum Brown", "", part="parent")
    screens.check("Mum asks to join")
    admitted(room, screens, chair, mum, "mum")
    screens.check("Mum admitted")
    priya = waiting_phone(room, screens, "Priya Shah", "Police")
    admitted(room, screens, chair, priya, "priya")
    screens.check("Priya admitted")
    screens.start("started")

    chair.get_by_role("button", name="Open a rating round").click()
    screens.check("round opened")
    round_id = int(re.search(r"/rounds/(\d+)/reveal", room.chair_page()).group(1))
    room.rate(mum, round_id, score=8, reason="He is safe with us")
    screens.check("Mum rated")
    room.rate(priya, round_id, score=3)
    screens.check("Priya rated")
    chair.get_by_role("button", name="Reveal round 1").click()
    screens.check("revealed, the family's view beside the spread")
    expect(screens.pages["mum"].locator("#region-stage .family-track")).to_contain_text("8")

    chair_says("/current", "on to the restricted item", item_id=str(second))
    expect(screens.pages["mum"].locator(".holding")).to_be_visible()
    chair_says("/current", "back to item 1", item_id=str(first))
    chair_says("/family/out", "the family steps out", on="yes")
    expect(screens.pages["mum"].locator(".holding")).to_be_visible()
    chair_says("/family/out", "the family is back", on="no")
    expect(screens.pages["mum"].locator(".holding")).to_have_count(0)


def test_every_region_on_every_screen_is_true_after_every_step_of_a_review(room):
    first = room.new_meeting(ITEMS[0], title="Initial conference")
    ade = room.join("Ade Okafor", "Health")
    room.start()
    round_id = room.open_round()
    room.rate(ade, round_id, score=3, reason="Missing twice")
    room.reveal(round_id)
    room.decide(
        room.current_item_id(),
        text="Child-protection plan",
        rationale="Missing",
        child_views="I want to play football",
        forecast="No missing episodes\nAttends school 90% or more",
    )
    soon = (date.today() + timedelta(days=7)).isoformat()
    action = {"what": "Share the missing reports", "owner_id": str(ade.id), "due": soon}
    sent(room.chair.http.post(f"/meetings/{first}/actions", form=action), "action")
    sent(room.chair.http.post(f"/meetings/{first}/close"), "close")
    ade.context.close()

    review = room.review_of(first)

    screens = Screens(room)
    chair = screens.open("chair", room.chair.context, f"{room.base}/meetings/{review}")
    chair.set_viewport_size(CHAIR_SCREEN)
    screens.open("display", room.browser.new_context(viewport=DISPLAY), room.display_url)
    screens.check("review set up")
    ade = waiting_phone(room, screens, "Ade Okafor", "Health")
    screens.check("Ade asks to join")
    admitted(room, screens, chair, ade, "ade")
    screens.check("Ade admitted")
    kim = waiting_phone(room, screens, "Kim Lee", "School")
    admitted(room, screens, chair, kim, "kim")
    screens.check("Kim admitted")
    screens.start("review started")

    # Ade says what became of their action, from their phone's case region.
    carried = re.search(r"/meetings/\d+/carried/(\d+)", room.chair_page())
    path = f"/m/{review}/carried/{carried.group(1)}"
    sent(ade.http.post(path, form={"status": "done", "note": ""}), "carried action")
    screens.check("Ade's action done")
    round_id = room.open_round()
    screens.check("review round opened")
    room.rate(ade, round_id, score=6, reason="No missing episodes since")
    screens.check("Ade rated")
    room.rate(kim, round_id, score=7, reason="Attending school")
    screens.check("Kim rated")
    room.reveal(round_id)
    screens.check("review round revealed")
    answer = re.search(r"/meetings/\d+/forecasts/(\d+)/(\d+)", room.chair_page())
    sent(
        room.chair.http.post(answer.group(0), form={"result": "met", "note": "None since"}),
        "forecast",
    )
    screens.check("forecast answered")
    room.decide(
        room.current_item_id(),
        text="Step down to child in need",
        rationale="Progress",
        child_views="I am happier",
    )
    screens.check("review decided")
    sent(room.chair.http.post(f"/meetings/{review}/close"), "close")
    for page in screens.pages.values():
        page.wait_for_load_state()
    screens.check("review closed")


def below_the_sticky_controls(page: Page, selector: str) -> bool:
    """Whether what `selector` finds comes (within LIVE) to be on screen, in full, and not
    under the cockpit's sticky controls: by bounding boxes, as the chair sees it."""
    try:
        page.wait_for_function(CLEAR_OF_CONTROLS, arg=selector, timeout=LIVE)
    except PlaywrightTimeout:
        return False
    return True


CLEAR_OF_CONTROLS = """selector => {
            const el = document.querySelector(selector);
            if (!el) return false;
            const box = el.getBoundingClientRect();
            const col = el.closest('.cockpit-col');
            const sticky = col && col.querySelector('.region-controls');
            const top = sticky && getComputedStyle(sticky).position === 'sticky'
                ? Math.max(0, sticky.getBoundingClientRect().bottom) : 0;
            return box.top >= top - 1 && box.bottom <= innerHeight && box.height > 0;
        }"""


def test_the_chair_sees_what_they_just_did(room):
    room.new_meeting(
        {"title": "Risk of criminal exploitation", "body": LONG_BODY, "scale": "safety"},
        title="The chair's view",
    )
    priya, tom = room.join("Priya Shah", "Police"), room.join("Tom Reid", "School")
    room.start()
    chair = room.chair.context.new_page()
    chair.set_viewport_size(CHAIR_SCREEN)
    chair.goto(f"{room.base}/meetings/{room.meeting_id}")
    expect(chair.locator("#connection")).to_have_text("Live", timeout=LIVE)
    chair.get_by_role("button", name="Open a rating round").click()
    # The chair rates in their own seat, down the first column, as the others rate.
    rate = chair.locator("#region-rate")
    rate.get_by_text("4", exact=True).click()
    rate.get_by_role("button", name="Submit my rating").click()
    answered(chair)
    round_id = int(re.search(r"/rounds/(\d+)/reveal", room.chair_page()).group(1))
    room.rate(priya, round_id, score=3, reason="Missing twice this month")
    room.rate(tom, round_id, score=5, reason="Settled at school")
    expect(chair.locator("#region-controls")).to_contain_text("3 of 3 have rated", timeout=LIVE)

    chair.get_by_role("button", name="Reveal round 1").click()
    answered(chair)
    # The revealed round's headline (median and range) comes into view, clear of the controls.
    headline = "#round-1 .spread .summary"
    clear = below_the_sticky_controls(chair, headline)
    shot(chair, "chair-revealed-in-view", full_page=False)
    assert clear
    # The next step's button is held a moment, and says why.
    expect(chair.locator("#region-controls .held-note")).to_be_visible()

    # Tom's minority view comes in; the chair records the decision from the form below.
    form = chair.locator("#decision-form")
    form.get_by_label("Decision, in plain words").fill("Child-protection plan")
    form.get_by_label("Rationale: why this decision, on what evidence").fill("Missing episodes")
    form.get_by_label("In their words where possible").fill("I want to play football")
    form.get_by_label("Review date").fill(REVIEW_DATE)
    form.get_by_role("button", name="Record the decision").click()
    answered(chair)
    decision = "#region-decision h2[data-announce]"
    clear = below_the_sticky_controls(chair, decision)
    shot(chair, "chair-decided-in-view", full_page=False)
    assert clear


def test_focus_and_typed_text_survive_live_updates(room):
    """A keyboard user on a phone keeps their place while the room changes around them."""
    room.new_meeting(ITEMS[0], title="Focus kept")
    priya = room.join("Priya Shah", "Police")
    room.start()
    round_id = room.open_round()
    phone = priya.context.new_page()
    phone.goto(f"{room.base}/m/{room.meeting_id}")
    expect(phone.locator("#connection")).to_have_text("Live", timeout=LIVE)
    reason = phone.locator("#region-rate").get_by_label("Why? (optional, one line)")
    listen(phone)

    # Focus is in the empty field when someone is admitted: it stays there.
    reason.focus()
    room.join("Tom Reid", "School")
    heard(phone, "rate")
    answered(phone)
    expect(phone.locator("#region-people")).to_contain_text("Tom Reid")
    phone.keyboard.type("Missing tw")
    expect(reason).to_be_focused()
    # Typed text and focus stay through the next change too (a rating, a new person).
    room.rate(room.people["Tom Reid"], round_id, score=5)
    room.join("Ade Okafor", "Health")
    expect(phone.locator("#region-people")).to_contain_text("Ade Okafor", timeout=LIVE)
    answered(phone)
    phone.keyboard.type("ice this month")
    expect(reason).to_be_focused()
    expect(reason).to_have_value("Missing twice this month")
    # Her other device (a second tab) shows her rating too; the page she rated from has it
    # from its answer, and is not told again.
    other = priya.context.new_page()
    other.goto(f"{room.base}/m/{room.meeting_id}")
    expect(other.locator("#connection")).to_have_text("Live", timeout=LIVE)
    phone.evaluate("() => { window.rung = []; }")
    phone.locator("#region-rate").get_by_text("3", exact=True).click()
    phone.locator("#region-rate").get_by_role("button", name="Submit my rating").click()
    expect(phone.locator("#region-rate")).to_contain_text("You rated 3", timeout=LIVE)
    expect(other.locator("#region-rate")).to_contain_text("You rated 3", timeout=LIVE)
    assert ["rate"] not in phone.evaluate("() => window.rung")
    room.reveal(round_id)
    record = room.chair.http.get(f"/meetings/{room.meeting_id}/record.json").json()
    reasons = [
        r.get("reason") for i in record["items"] for rd in i["rounds"] for r in rd["ratings"]
    ]
    assert "Missing twice this month" in reasons


def test_a_decision_recorded_while_its_draft_saves_is_recorded(room):
    """The draft saves itself as the chair types; Record pressed while a save is on its way
    waits its turn and records (the pressed button still says so)."""
    room.new_meeting(ITEMS[0], title="Record while saving")
    priya = room.join("Priya Shah", "Police")
    room.start()
    round_id = room.open_round()
    room.rate(priya, round_id, score=4)
    room.reveal(round_id)
    chair = room.chair.context.new_page()
    chair.set_viewport_size(CHAIR_SCREEN)
    chair.goto(f"{room.base}/meetings/{room.meeting_id}")
    expect(chair.locator("#connection")).to_have_text("Live", timeout=LIVE)

    # Each draft save takes a second to reach the server, as on a slow network.
    def slowly(route):
        time.sleep(1)
        route.continue_()

    chair.route("**/decision/draft", slowly)
    form = chair.locator("#decision-form")
    form.get_by_label("Rationale: why this decision, on what evidence").fill("Missing episodes")
    form.get_by_label("In their words where possible").fill("I want to play football")
    form.get_by_label("Review date").fill(REVIEW_DATE)
    with chair.expect_request("**/decision/draft"):
        form.get_by_label("Decision, in plain words").fill("Child-protection plan")
    form.get_by_role("button", name="Record the decision").click()
    answered(chair)
    expect(chair.locator("#region-decision")).to_contain_text(
        "Decision on “Risk of criminal exploitation”", timeout=LIVE
    )
    events = room.chair.http.get(f"/meetings/{room.meeting_id}/events").text()
    assert "recorded the decision on Risk of criminal exploitation" in events


def test_a_form_sent_with_enter_is_empty_for_the_next_entry(room):
    room.new_meeting(ITEMS[0], title="Apologies")
    chair = room.chair.context.new_page()
    chair.set_viewport_size(CHAIR_SCREEN)
    chair.goto(f"{room.base}/meetings/{room.meeting_id}")
    expect(chair.locator("#connection")).to_have_text("Live", timeout=LIVE)
    roll = chair.locator("#region-roll")
    roll.get_by_text("Add someone who sent apologies").click()
    roll.get_by_label("Name", exact=True).fill("Dr Ade Okafor")
    roll.get_by_label("Role", exact=True).fill("Named nurse")
    roll.get_by_label("Agency", exact=True).fill("Health")
    roll.get_by_label("Agency", exact=True).press("Enter")
    answered(chair)
    expect(chair.locator("#region-people")).to_contain_text("Dr Ade Okafor", timeout=LIVE)
    # Sent: the form is empty for the next person, the field still has focus.
    for label in ("Name", "Role", "Agency"):
        expect(roll.get_by_label(label, exact=True)).to_have_value("")
    roll.get_by_label("Agency", exact=True).press("Enter")
    answered(chair)
    events = room.chair.http.get(f"/meetings/{room.meeting_id}/events").text()
    assert events.count("recorded apologies from Dr Ade Okafor") == 1
