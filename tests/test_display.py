"""The shared display in real Chromium: each scene of a meeting fits the screen, large.

One server and one browser for the module. The meeting is moved on through real HTTP,
as the chair's and attendees' devices would move it, and then reviewed at a second
meeting; the display is one page that follows along live and is looked at in 1920 × 1080,
1280 × 720 and 1024 × 768. At every scene and size nothing spills off the screen and no
text is smaller than three quarters of the display's type (24 px at 1080p, 16 px at 720p):
small print has to be read from the back of the room. Each scene is saved as
tests/screenshots/display-<scene>-<size>.png so a person can look at it too, and the
smallest text of each in display-small-print.json.
"""

import json
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from room import (
    LIVE,
    OVERFLOW,
    SHOTS,
    SMALL_PRINT,
    STARTS_AT,
    WHOLE,
    Forms,
    box,
    fitted,
    font_px,
    inside,
    serious_violations,
)

SIZES = [(1920, 1080), (1280, 720), (1024, 768)]

LONG_BODY = """\
## Why this item is on the agenda

Amira is 14 and lives with her mother and two younger brothers. Since May she has been
reported missing twice, each time for one night, and was found by police in the town
centre with a group of older boys who are known to the youth offending service. She has
told her keyworker that she feels safe with them and that they look after her.

## What we are worried about

- Two missing episodes in eight weeks, both on Friday nights
- New clothes and a second phone that her mother cannot account for
- Older males collecting her from the school gate on three occasions
- A sharp fall in attendance in June, now partly recovered
- She has stopped going to her football club, which she used to love

## What is working well

- Her mother rings the police as soon as Amira is late, and keeps a written log
- Amira talks openly with her school nurse and has kept every appointment
- Attendance is back to 92% this term with a part-time timetable
- Her grandmother is willing to have her stay at weekends

## What the family says

Amira's mother says she is exhausted and afraid that Amira will be hurt. She wants
help to set limits without pushing Amira further away. Amira says the adults are
overreacting; she wants her phone and her friends, and she wants to go back to football
if the coach will have her.

## The question for this meeting

How safe is Amira now, on the safety scale: 0 means action is needed now and she cannot
stay as things are; 10 means everyone is confident she is safe enough for the plan to
close. Please give one line of reason with your rating, in particular if you know
something the rest of the room may not. After the reveal we will hear the views
furthest from the middle first, then agree what happens next and who does it.
"""

CHOICES = ["Child-protection plan", "Child-in-need plan", "No further action"]
ITEMS = [
    {"title": "Going missing and time in the town centre", "body": LONG_BODY, "scale": "safety"},
    {
        "title": "Contact with her father",
        "body": "Weekend contact at his flat, which he has asked to make overnight.",
        "scale": "lxs",
    },
    {
        "title": "What plan does Amira need?",
        "body": "The plan the room recommends to the service manager.",
        "scale": "choice",
        "choices": "\n".join(CHOICES),
    },
]
# Six attendees and the chair rate; the two far from the middle are minority views.
PEOPLE = [
    ("Priya Shah", "Detective sergeant", "Police", 6, "Both missing episodes ended within a day"),
    ("Tom Reid", "Head of year", "School", 7, "Attendance is back up to 92% this term"),
    ("Ade Okafor", "School nurse", "Health", 6, "She keeps every appointment and talks openly"),
    ("Lena Brooks", "Family support worker", "Early help", 2, "She told me she is scared of them"),
    ("Sam Patel", "Youth worker", "Youth service", 7, "She is back in touch with the youth club"),
    ("Kim Lowe", "Social worker", "Children's social care", 1, "The second phone worries me most"),
]
CHAIR = ("Maria Lopez", "Independent chair", 6, "Risks are real but the family is acting fast")
# Likelihood, severity and a reason: before control measures (inherent), then after.
INHERENT = {
    "Priya Shah": (3, 4, "He has kept every contact so far"),
    "Tom Reid": (2, 3, "She comes to school happy on Mondays"),
    "Ade Okafor": (3, 3, "No injuries or health concerns after contact"),
    "Lena Brooks": (5, 5, "She says he drinks and she has to look after him"),
    "Sam Patel": (3, 4, "Nothing new from the youth club"),
    "Kim Lowe": (4, 5, "Overnight stays are a big change with no assessment"),
    "Maria Lopez": (3, 4, "Supervised handovers have gone well"),
}
RESIDUAL = {name: (max(1, lk - 1), s, reason) for name, (lk, s, reason) in INHERENT.items()}
CONTROLS = "Handover at the grandmother's house; no overnight stays until the assessment"
PICKED = {
    "Priya Shah": ("Child-in-need plan", "The family works with us"),
    "Tom Reid": ("Child-in-need plan", "School can hold this with support"),
    "Ade Okafor": ("Child-in-need plan", ""),
    "Lena Brooks": ("Child-protection plan", "The exploitation risk is significant harm"),
    "Sam Patel": ("No further action", "Early help is enough"),
    "Kim Lowe": ("Child-protection plan", "Two missing episodes in eight weeks"),
    "Maria Lopez": ("Child-in-need plan", "Needs a plan, not yet protection"),
}
# At the review six weeks on: each rating again, some with a longer reason.
REVIEW = {
    "Priya Shah": (8, "No missing episodes since the plan; the older boys have moved on"),
    "Tom Reid": (8, "Settling well; attendance is 96% and she has rejoined the football team"),
    "Ade Okafor": (7, "She still talks openly with the school nurse"),
    "Lena Brooks": (3, "She is still in touch with one of them online and hides her phone"),
    "Sam Patel": (8, "Back at the youth club every week"),
    "Kim Lowe": (6, "Better, but the second phone was never explained"),
    "Maria Lopez": (7, "The plan is working and the family is using it"),
}
REVIEW_INHERENT = {
    "Priya Shah": (2, 4, "No concerns reported by the police"),
    "Tom Reid": (2, 2, "She talks about the weekends happily"),
    "Ade Okafor": (3, 3, "Nothing new"),
    "Lena Brooks": (4, 5, "She still worries about his drinking"),
    "Sam Patel": (2, 3, "Nothing new from the youth club"),
    "Kim Lowe": (4, 4, "The assessment is not finished"),
    "Maria Lopez": (3, 3, "Handovers have gone well"),
}
DECISION = "Child-in-need plan with a safety plan for Friday nights, reviewed in six weeks."
DISSENT = "A plan on paper will not stop the older boys; this needs a strategy discussion."


def lxs(likelihood: int, severity: int, reason: str) -> dict:
    return {"likelihood": likelihood, "severity": severity, "reason": reason}


def picked(choice: str, reason: str) -> dict:
    return {"choice": choice, "reason": reason}


def safety(score: int, reason: str) -> dict:
    return {"score": score, "reason": reason}


class Room:
    """A meeting run over HTTP by its chair and six attendees, watched by one display page."""

    STEPS = (
        "lobby",
        "item",
        "round",
        "reveal",
        "decision",
        "lxs_item",
        "lxs_reveal",
        "choice_item",
        "choice_reveal",
        "closed",
        "review_reveal",
        "review_lxs_reveal",
    )

    def __init__(self, server, browser):
        self.server = server
        self.base, self.setup_code = server.url, server.setup_code
        self.browser = browser
        self.chair = browser.new_context()
        self.devices: dict[str, object] = {}
        self.ids: dict[str, int] = {}
        self.done: list[str] = []
        self.display = browser.new_page(viewport={"width": 1920, "height": 1080})
        # Each device's forms, with the token of its pages.
        self.forms: dict[int, Forms] = {}

    def post(self, context, path: str, form: dict | None = None):
        forms = self.forms.setdefault(id(context), Forms(context))
        response = forms.post(self.base + path, form=form or {})
        said = "".join(self.server.said[-20:])
        assert response.ok, f"{path}: {response.status}; the server said:\n{said}"
        return response

    def chair_page(self) -> str:
        return self.chair.request.get(f"{self.base}/meetings/{self.meeting_id}").text()

    def advance_to(self, step: str) -> None:
        """Run the meeting on to a step, doing whatever steps before it are not done yet."""
        for name in self.STEPS[: self.STEPS.index(step) + 1]:
            if name not in self.done:
                getattr(self, f"_{name}")()
                self.done.append(name)

    def _lobby(self):
        self.post(
            self.chair,
            "/setup",
            {
                "setup_code": self.setup_code,
                "name": CHAIR[0],
                "agency": "Children's social care",
                "email": "maria@example.org",
                "password": "a long password",
                "confirm": "a long password",
            },
        )
        created = self.post(
            self.chair,
            "/meetings/new",
            {
                "title": "Child-in-need review",
                "kind": "other",
                "child": "A.K.",
                "starts_at": STARTS_AT,
                "place": "Room 2",
            },
        )
        self.meeting_id = int(re.search(r"/meetings/(\d+)", created.url).group(1))
        for item in ITEMS:
            self.post(self.chair, f"/meetings/{self.meeting_id}/items", item)
        page = self.chair_page()
        token = re.search(r'href="/display/([^"/]+)"', page).group(1)
        found = re.findall(rf"/meetings/{self.meeting_id}/items/(\d+)", page)
        self.item_ids = [int(i) for i in dict.fromkeys(found)]
        self.item_id = self.item_ids[0]
        self.display.goto(f"{self.base}/display/{token}")
        expect(self.display.locator("#connection")).to_have_text("Live", timeout=LIVE)
        self.code = self.display.locator(".join-code").inner_text()
        for name, role, agency, *_rating in PEOPLE:
            device = self.browser.new_context()
            self.post(
                device,
                f"/join/{self.code}",
                {"name": name, "role": role, "agency": agency, "part": "professional"},
            )
            admit = re.search(rf"/meetings/{self.meeting_id}/people/(\d+)/admit", self.chair_page())
            self.ids[name] = int(admit.group(1))
            self.post(self.chair, admit.group(0))
            self.devices[name] = device
        expect(self.display.get_by_text(PEOPLE[-1][0])).to_be_visible(timeout=LIVE)

    def _item(self):
        self.post(self.chair, f"/meetings/{self.meeting_id}/start")
        expect(self.display.locator(".scene-item")).to_be_visible(timeout=LIVE)
        # Starting reloads every screen; the display is live again before it is looked at.
        expect(self.display.locator("#connection")).to_have_text("Live", timeout=LIVE)

    def _round(self):
        self.post(
            self.chair, f"/meetings/{self.meeting_id}/items/{self.item_id}/rounds", {"number": "1"}
        )
        attendee_page = self.devices[PEOPLE[0][0]].request.get(f"{self.base}/m/{self.meeting_id}")
        self.round_id = int(re.search(r"/rounds/(\d+)/rating", attendee_page.text()).group(1))
        for name, _role, _agency, score, reason in PEOPLE[:4]:
            self.rate(self.devices[name], score, reason)
        expect(self.display.locator(".progress-count")).to_have_text(
            "4 of 7 have rated", timeout=LIVE
        )

    def rate(self, device, score: int, reason: str) -> None:
        self.rate_as(device, score=score, reason=reason)

    def rate_as(self, device, **fields) -> None:
        self.post(
            device,
            f"/m/{self.meeting_id}/rounds/{self.round_id}/rating",
            {k: str(v) for k, v in fields.items()},
        )

    def everyone(self):
        """Each person who rates, with their device: the attendees, then the chair."""
        return [*self.devices.items(), (CHAIR[0], self.chair)]

    def open_round(self, number: int, **fields) -> None:
        """Open a round on the item under discussion; note its id from a phone's page."""
        self.post(
            self.chair,
            f"/meetings/{self.meeting_id}/items/{self.item_id}/rounds",
            {"number": str(number), **fields},
        )
        device = self.devices[PEOPLE[0][0]]
        attendee_page = device.request.get(f"{self.base}/m/{self.meeting_id}").text()
        self.round_id = int(re.search(r"/rounds/(\d+)/rating", attendee_page).group(1))

    def reveal_round(self) -> None:
        self.post(self.chair, f"/meetings/{self.meeting_id}/rounds/{self.round_id}/reveal")
        expect(self.display.locator(".scene-reveal")).to_be_visible(timeout=LIVE)

    def move_to(self, position: int) -> None:
        """The chair moves the meeting on to the item at this place on the agenda."""
        self.item_id = self.item_ids[position - 1]
        self.post(self.chair, f"/meetings/{self.meeting_id}/current", {"item_id": self.item_id})
        expect(self.display.locator(".scene-item h1")).to_have_text(
            ITEMS[position - 1]["title"], timeout=LIVE
        )

    def rate_all(self, ratings: dict, fields) -> None:
        for name, device in self.everyone():
            self.rate_as(device, **fields(*ratings[name]))

    def _reveal(self):
        for name, _role, _agency, score, reason in PEOPLE[4:]:
            self.rate(self.devices[name], score, reason)
        self.rate(self.chair, CHAIR[2], CHAIR[3])
        self.post(self.chair, f"/meetings/{self.meeting_id}/rounds/{self.round_id}/reveal")
        expect(self.display.locator(".scene-reveal")).to_be_visible(timeout=LIVE)

    def _decision(self):
        meeting = f"/meetings/{self.meeting_id}"
        self.post(
            self.chair,
            f"{meeting}/rounds/{self.round_id}/acknowledge",
            {"note": "Heard Early help and social care first"},
        )
        self.post(
            self.chair,
            f"{meeting}/items/{self.item_id}/decision",
            {
                "intent": "record",
                "text": DECISION,
                "rationale": "Risks are current but the family acts quickly and school is steady.",
                "child_views": "She wants her phone, her friends and her football back.",
                "review_date": (date.today() + timedelta(days=42)).isoformat(),
            },
        )
        for name, *_rest in PEOPLE:
            answer = {"agrees": "no", "text": DISSENT} if name == "Lena Brooks" else {}
            self.post(
                self.devices[name],
                f"/m/{self.meeting_id}/items/{self.item_id}/view",
                answer or {"agrees": "yes", "text": ""},
            )
        self.post(
            self.chair,
            f"{meeting}/actions",
            {
                "what": "Write the Friday-night safety plan with Amira and her mother",
                "owner_id": str(self.ids["Lena Brooks"]),
                "due": (date.today() + timedelta(days=7)).isoformat(),
                "item_id": str(self.item_id),
            },
        )
        expect(self.display.locator(".scene-decision")).to_contain_text(
            "5 agree · 1 disagree", timeout=LIVE
        )
        expect(self.display.locator(".actions-strip")).to_be_visible(timeout=LIVE)

    def _lxs_item(self):
        self.move_to(2)

    def _lxs_reveal(self):
        # Rated before control measures, then after: the reveal compares the two.
        self.open_round(1, basis="inherent")
        self.rate_all(INHERENT, lxs)
        self.reveal_round()
        self.open_round(2, basis="residual", controls=CONTROLS)
        expect(self.display.locator(".scene-round")).to_be_visible(timeout=LIVE)
        self.rate_all(RESIDUAL, lxs)
        self.reveal_round()
        expect(self.display.locator(".inherent-residual")).to_contain_text("round 2", timeout=LIVE)

    def _choice_item(self):
        self.move_to(3)

    def _choice_reveal(self):
        self.open_round(1)
        self.rate_all(PICKED, picked)
        self.reveal_round()

    def _closed(self):
        self.post(self.chair, f"/meetings/{self.meeting_id}/close")
        expect(self.display.locator(".scene-closed")).to_be_visible(timeout=LIVE)
        # Closed, the display is no longer live: it hears nothing more about the meeting.
        self.display.reload()
        expect(self.display.locator(".scene-closed")).to_be_visible()
        expect(self.display.locator("#connection")).to_have_count(0)

    def _review_reveal(self):
        # Six weeks on, the same people review the meeting: its agenda is copied.
        chair = self.forms[id(self.chair)]
        earlier = self.meeting_id
        page = chair.get(f"{self.base}/meetings/new?review_of={earlier}").text()
        form = dict(re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', page))
        form.pop("csrf_token", None)
        made = self.post(self.chair, "/meetings/new", {**form, "kind": "other"})
        self.meeting_id = int(re.search(r"/meetings/(\d+)", made.url).group(1))
        page = self.chair_page()
        code = re.search(r'class="join-code"[^>]*>([\w-]+)<', page).group(1)
        token = re.search(r'href="/display/([^"/]+)"', page).group(1)
        found = re.findall(rf"/meetings/{self.meeting_id}/items/(\d+)", page)
        self.item_ids = [int(i) for i in dict.fromkeys(found)]
        self.item_id = self.item_ids[0]
        for name, role, agency, *_rating in PEOPLE:
            self.devices[name].close()
            device = self.browser.new_context()
            self.post(
                device,
                f"/join/{code}",
                {"name": name, "role": role, "agency": agency, "part": "professional"},
            )
            admit = re.search(rf"/meetings/{self.meeting_id}/people/(\d+)/admit", self.chair_page())
            self.post(self.chair, admit.group(0))
            self.devices[name] = device
        self.display.goto(f"{self.base}/display/{token}")
        expect(self.display.locator("#connection")).to_have_text("Live", timeout=LIVE)
        self.post(self.chair, f"/meetings/{self.meeting_id}/start")
        expect(self.display.locator(".scene-item")).to_be_visible(timeout=LIVE)
        expect(self.display.locator("#connection")).to_have_text("Live", timeout=LIVE)
        self.open_round(1)
        self.rate_all(REVIEW, safety)
        self.reveal_round()
        expect(self.display.locator(".since")).to_contain_text("Last meeting", timeout=LIVE)

    def _review_lxs_reveal(self):
        self.move_to(2)
        self.open_round(1, basis="inherent")
        self.rate_all(REVIEW_INHERENT, lxs)
        self.reveal_round()
        expect(self.display.locator(".since")).to_contain_text("Last meeting", timeout=LIVE)


@pytest.fixture(scope="module")
def room(module_server, browser):
    SHOTS.mkdir(exist_ok=True)
    return Room(module_server, browser)


# The smallest text of each scene at each size, for people to read (display-small-print.json).
SMALLEST: dict[str, dict[str, float]] = {}


def small_print(page, stage: str, width: int, height: int) -> None:
    """Assert that no text on the display is smaller than three quarters of its type, nor
    drawn off the screen; that is 24 px at 1920 × 1080 and 16 px at 1280 × 720."""
    found = page.evaluate(SMALL_PRINT)
    assert found["seen"], f"{stage}: no text seen"
    assert found["outside"] == [], f"{stage} at {width}x{height}: {found['outside']}"
    type_px = font_px(page.locator("body"))
    floor = {1920: 24, 1280: 16}.get(width, 0.75 * type_px)
    small = [t for t in found["seen"] if t["px"] < floor - 0.05]
    assert small == [], f"{stage} at {width}x{height}: text under {floor:g} px: {small[:8]}"
    SMALLEST.setdefault(stage, {})[f"{width}x{height}"] = round(found["seen"][0]["px"], 1)
    (SHOTS / "display-small-print.json").write_text(json.dumps(SMALLEST, indent=1))


def reasons_whole(page, ratings: dict) -> None:
    """Assert that each person's reason is on the screen whole, not cut short."""
    for name, (*_value, reason) in ratings.items():
        if not reason:
            continue
        shown = page.locator(".views").get_by_text(reason, exact=True)
        inside(page, shown)
        assert shown.evaluate(WHOLE), f"{name}'s reason is cut"


def each_size(page, stage: str):
    """Show the scene at each screen size: yield the size once it has no overflow.

    axe-core looks at it once: headings, names and contrast do not change with the size.
    """
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        fitted(page)
        page.screenshot(path=str(SHOTS / f"display-{stage}-{width}x{height}.png"))
        assert page.evaluate(OVERFLOW) == [], f"{stage} at {width}x{height}"
        small_print(page, stage, width, height)
        if width == SIZES[0][0]:
            assert serious_violations(page) == [], stage
        yield width, height


def test_the_lobby_shows_the_join_code_large_and_who_is_here(room):
    room.advance_to("lobby")
    page = room.display
    for _width, height in each_size(page, "lobby"):
        code = page.locator(".join-code")
        expect(code).to_have_text(room.code)
        inside(page, code)
        assert font_px(code) >= 2.5 * font_px(page.locator("body")), "the code is large"
        qr = inside(page, page.get_by_role("img", name=re.compile("QR code of the join link")))
        assert qr["height"] >= 0.25 * height, "the QR code is large"
        heading = page.get_by_role("heading", name="In the meeting (7)")
        expect(heading).to_be_visible()
        for name, *_rest in PEOPLE:
            inside(page, page.get_by_text(name, exact=True))
        scene = page.locator("#region-scene")
        expect(scene).not_to_contain_text("Actions")
        expect(scene).not_to_contain_text("quorate")


def test_the_item_fills_the_screen_with_its_text_and_the_join_code_shrinks(room):
    room.advance_to("item")
    page = room.display
    for width, height in each_size(page, "item"):
        if (width, height) == (1920, 1080):
            assert font_px(page.locator("body")) >= 32
        title = page.get_by_role("heading", level=1, name=ITEMS[0]["title"])
        inside(page, title)
        expect(page.get_by_text("Item 1 of 3 · Safety scale 0–10")).to_be_visible()
        body = page.locator(".item-body")
        last = body.locator("p").last
        expect(last).to_contain_text("then agree what happens next and who does it")
        inside(page, last)
        heading = body.get_by_role("heading", name="What we are worried about")
        assert font_px(heading) <= 0.7 * font_px(title), "headings in the text are smaller"
        assert font_px(body) >= 0.5 * font_px(page.locator("body")), "the text stays readable"
        # Once the meeting has started the join panel is a strip, the code still readable.
        qr = inside(page, page.get_by_role("img", name=re.compile("QR code of the join link")))
        assert qr["height"] <= 0.13 * height
        code = page.locator(".join-code")
        inside(page, code)
        assert font_px(code) >= 0.9 * font_px(page.locator("body"))


def test_an_open_round_shows_the_count_and_names_never_values(room):
    room.advance_to("round")
    page = room.display
    for _width, height in each_size(page, "round"):
        count = page.get_by_text("4 of 7 have rated")
        b = inside(page, count)
        assert b["height"] >= 0.08 * height, "the count is large"
        inside(page, page.get_by_role("heading", level=1, name=ITEMS[0]["title"]))
        for name, *_rest in PEOPLE:
            inside(page, page.locator(".raters li", has_text=name))
        expect(page.locator(".raters .done")).to_have_count(4)
        expect(page.locator(".raters .pending")).to_have_count(3)
    html = page.content()
    for _name, _role, _agency, _score, reason in PEOPLE[:4]:
        assert reason not in html


def test_the_reveal_gives_the_chart_and_the_minority_views_the_screen(room):
    room.advance_to("reveal")
    page = room.display
    minority = [p for p in PEOPLE if p[3] <= 2]
    for _width, height in each_size(page, "reveal"):
        chart = page.get_by_role("img", name=re.compile(r"^Spread: 0: 0, 1: 1, 2: 1,"))
        chart_box = inside(page, chart)
        assert chart_box["height"] >= 0.22 * height, "the chart is large"
        # The bar of the most common rating (6, three people) stands most of the chart's height.
        tallest = box(chart.locator(".bar").nth(6))
        assert tallest["height"] >= 0.6 * chart_box["height"], (tallest, chart_box)
        assert box(chart.locator(".bar").nth(7))["height"] >= 0.6 * tallest["height"]
        middle = inside(page, page.get_by_text("Median 6", exact=True))
        assert middle["height"] >= 0.06 * height
        inside(page, page.get_by_text("Range 1–7", exact=True))
        heading = page.get_by_role("heading", name="Minority views")
        everyone = page.get_by_role("heading", name="Everyone else")
        assert box(heading)["y"] < box(everyone)["y"], "minority views come first"
        cards = page.locator(".minority-cards .card")
        expect(cards).to_have_count(2)
        for (name, _role, agency, score, reason), card in zip(minority, cards.all(), strict=True):
            inside(page, card)
            expect(card).to_contain_text(name)
            expect(card).to_contain_text(agency)
            expect(card.locator(".value")).to_have_text(str(score))
            shown = card.locator(".reason")
            expect(shown).to_have_text(reason)
            assert shown.evaluate("el => el.scrollHeight <= el.clientHeight + 1"), "not cut"
        for name, _role, _agency, _score, reason in PEOPLE + [(CHAIR[0], "", "", 0, CHAIR[3])]:
            if (name, reason) in [(m[0], m[4]) for m in minority]:
                continue
            row = page.locator(".others tr", has_text=name)
            inside(page, row)
            shown = row.locator(".reason .clamp")
            expect(shown).to_have_text(reason)
            assert shown.evaluate("el => el.scrollHeight <= el.clientHeight + 1"), "not cut"
        inside(page, page.get_by_role("note").filter(has_text="Wide disagreement"))


def test_a_recorded_decision_shows_its_words_the_consensus_and_the_dissent(room):
    room.advance_to("decision")
    page = room.display
    for _width, height in each_size(page, "decision"):
        inside(page, page.get_by_role("heading", level=1, name="Decision"))
        words = inside(page, page.get_by_text(DECISION))
        assert words["height"] >= 0.05 * height
        inside(page, page.get_by_text("Agreed with recorded dissent"))
        inside(page, page.locator(".consensus"))
        expect(page.locator(".consensus")).to_contain_text("5 agree · 1 disagree")
        inside(page, page.get_by_text(DISSENT))
        inside(page, page.get_by_text("Lena Brooks, Early help"))
        inside(page, page.get_by_role("heading", name="Actions (1)"))
        inside(page, page.get_by_text("Median 6"))


def test_a_likelihood_by_severity_item_shows_its_key_and_the_actions_so_far(room):
    room.advance_to("lxs_item")
    page = room.display
    for _size in each_size(page, "lxs-item"):
        inside(page, page.get_by_role("heading", level=1, name=ITEMS[1]["title"]))
        key = inside(page, page.locator(".scale-key"))
        expect(page.locator(".scale-key")).to_contain_text("Likelihood 1–5 × severity 1–5")
        # The actions agreed so far, each with its owner and date in full.
        action = page.locator(".actions-strip li").first
        inside(page, action)
        assert box(action)["y"] > key["y"]
        for said in ("Lena Brooks", "by "):
            part = action.locator(".owner" if said == "Lena Brooks" else ".due")
            expect(part).to_contain_text(said)
            assert part.evaluate(WHOLE), f"{said} is cut"


def test_a_likelihood_by_severity_reveal_compares_inherent_with_residual_risk(room):
    room.advance_to("lxs_reveal")
    page = room.display
    for _size in each_size(page, "lxs-reveal"):
        compared = page.locator(".inherent-residual")
        inside(page, compared)
        expect(compared).to_contain_text("Inherent risk (before control measures)")
        expect(compared).to_contain_text("Residual risk (after control measures)")
        inside(page, page.locator(".controls-note"))
        cards = page.locator(".minority-cards .card")
        for card in cards.all():
            inside(page, card)
            assert card.locator(".reason").evaluate(WHOLE), "a minority reason is cut"
        reasons_whole(page, RESIDUAL)


def test_a_choice_list_item_lists_its_options(room):
    room.advance_to("choice_item")
    page = room.display
    for _size in each_size(page, "choice-item"):
        key = page.locator(".scale-key")
        inside(page, key)
        for choice in CHOICES:
            expect(key).to_contain_text(choice)


def test_a_choice_list_reveal_gives_each_option_its_bar(room):
    room.advance_to("choice_reveal")
    page = room.display
    for _size in each_size(page, "choice-reveal"):
        chart = inside(page, page.get_by_role("img", name=re.compile("^Spread: ")))
        for choice in CHOICES:
            inside(page, page.locator(".chart .label", has_text=choice))
        assert chart["height"] >= 0.2 * page.viewport_size["height"]
        reasons_whole(page, PICKED)


def test_a_closed_meeting_says_so_and_nothing_else(room):
    room.advance_to("closed")
    page = room.display
    for _size in each_size(page, "closed"):
        inside(page, page.get_by_role("heading", name="This meeting has closed"))
        expect(page.locator(".join-code")).to_have_count(0)


def test_a_review_shows_then_and_now_beside_the_reveal(room):
    room.advance_to("review_reveal")
    page = room.display
    for _size in each_size(page, "review-reveal"):
        since = page.locator(".since")
        inside(page, since)
        expect(since).to_contain_text("Last meeting")
        for agency in ("Police", "School", "Early help"):
            row = since.locator(".movement tr", has_text=agency)
            inside(page, row)
            inside(page, row.locator(".words"))
        reasons_whole(page, REVIEW)


def test_a_review_of_a_likelihood_by_severity_item_shows_then_and_now(room):
    room.advance_to("review_lxs_reveal")
    page = room.display
    for _size in each_size(page, "review-lxs-reveal"):
        since = page.locator(".since")
        inside(page, since)
        for row in since.locator(".movement tbody tr").all():
            inside(page, row)
        reasons_whole(page, REVIEW_INHERENT)
