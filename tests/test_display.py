"""The shared display in real Chromium: each scene of a meeting fits the screen, large.

One server and one browser for the module. The meeting is moved on through real HTTP,
as the chair's and attendees' devices would move it; the display is one page that follows
along live and is looked at in 1920 × 1080, 1280 × 720 and 1024 × 768. Each scene is saved
as tests/screenshots/display-<scene>-<size>.png so a person can look at it too.
"""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from room import LIVE, SHOTS, STARTS_AT, Forms, serious_violations

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

ITEMS = [
    {"title": "Going missing and time in the town centre", "body": LONG_BODY, "scale": "safety"},
    {"title": "Contact with her father", "body": "A short item.", "scale": "lxs"},
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
DECISION = "Child-in-need plan with a safety plan for Friday nights, reviewed in six weeks."
DISSENT = "A plan on paper will not stop the older boys; this needs a strategy discussion."


class Room:
    """A meeting run over HTTP by its chair and six attendees, watched by one display page."""

    STEPS = ("lobby", "item", "round", "reveal", "decision", "closed")

    def __init__(self, server, browser):
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
        assert response.ok, f"{path}: {response.status} {response.text()[:400]}"
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
        self.item_id = int(re.search(rf"/meetings/{self.meeting_id}/items/(\d+)", page).group(1))
        self.display.goto(f"{self.base}/display/{token}")
        expect(self.display.locator("#connection")).to_have_text("Live", timeout=LIVE)
        self.code = self.display.locator(".join-code").inner_text()
        for name, role, agency, *_rating in PEOPLE:
            device = self.browser.new_context()
            self.post(device, f"/join/{self.code}", {"name": name, "role": role, "agency": agency})
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
        self.post(
            device,
            f"/m/{self.meeting_id}/rounds/{self.round_id}/rating",
            {"score": str(score), "reason": reason},
        )

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

    def _closed(self):
        self.post(self.chair, f"/meetings/{self.meeting_id}/close")
        expect(self.display.locator(".scene-closed")).to_be_visible(timeout=LIVE)
        # Closed, the display is no longer live: it hears nothing more about the meeting.
        self.display.reload()
        expect(self.display.locator(".scene-closed")).to_be_visible()
        expect(self.display.locator("#connection")).to_have_count(0)


@pytest.fixture(scope="module")
def room(module_server, browser):
    SHOTS.mkdir(exist_ok=True)
    return Room(module_server, browser)


# What spills over: the document itself, any element past the screen's edge, and any fitted
# block that had to cut its text. Inside a box that clips, what counts is that box.
OVERFLOW = """() => {
  const d = document.documentElement, bad = [];
  if (d.scrollHeight > innerHeight || d.scrollWidth > innerWidth)
    bad.push(`document is ${d.scrollWidth} x ${d.scrollHeight}`);
  const clipped = el => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflow !== 'visible') return true;
    }
    return false;
  };
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || el.closest('.sr, [hidden]') || clipped(el)) continue;
    if (r.bottom > innerHeight + 1 || r.right > innerWidth + 1)
      bad.push(`${el.tagName}.${el.className} ends at ${r.right}, ${r.bottom}`);
  }
  for (const el of document.querySelectorAll('.fit-clipped'))
    bad.push(`${el.className} is cut short`);
  return bad;
}"""


def settled(page) -> None:
    """Wait until the display has fitted the scene to the current window size."""
    page.evaluate(
        "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
    )


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found, f"{locator} has no box"
    return found


def inside(page, locator) -> dict:
    """Assert an element is wholly on the screen; return its box."""
    b = box(locator)
    size = page.viewport_size
    assert b["x"] >= 0 and b["y"] >= 0, b
    assert b["x"] + b["width"] <= size["width"] + 1, (b, size)
    assert b["y"] + b["height"] <= size["height"] + 1, (b, size)
    return b


def font_px(locator) -> float:
    return float(locator.evaluate("el => parseFloat(getComputedStyle(el).fontSize)"))


def each_size(page, stage: str):
    """Show the scene at each screen size: yield the size once it has no overflow.

    axe-core looks at it once: headings, names and contrast do not change with the size.
    """
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        settled(page)
        page.screenshot(path=str(SHOTS / f"display-{stage}-{width}x{height}.png"))
        assert page.evaluate(OVERFLOW) == [], f"{stage} at {width}x{height}"
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
        expect(page.get_by_text("Item 1 of 2 · Safety scale 0–10")).to_be_visible()
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


def test_a_closed_meeting_says_so_and_nothing_else(room):
    room.advance_to("closed")
    page = room.display
    for _size in each_size(page, "closed"):
        inside(page, page.get_by_role("heading", name="This meeting has closed"))
        expect(page.locator(".join-code")).to_have_count(0)
