"""The display shared in a video call, in real Chromium: a conference with the family on the
call, looked at in a window of 1280 × 720 and of 960 × 540 at every stage.

One server and one browser for the module. The chair opens the display from the link on
their page for sharing in a call (`?share=1`) and the meeting is moved on over HTTP as the
chair's and attendees' devices would move it. At each stage and size nothing scrolls or
spills, no text is cut, nothing is smaller than the call can carry, there is no QR code,
and nothing needs a pointer held over it. A rating updates the count while it is looked
at. Each stage is saved as tests/screenshots/share-<stage>-<size>.png.
"""

import re

import pytest
from playwright.sync_api import Page, expect
from room import (
    LIVE,
    OVERFLOW,
    SHOTS,
    SMALL_PRINT,
    WHOLE,
    Room,
    fitted,
    font_px,
    inside,
    sent,
    serious_violations,
)

SIZES = [(1280, 720), (960, 540)]
# The smallest text, in CSS px, at each window width: a 960 × 540 window shrinks again on
# a laptop in the call to about two thirds, where 16 px reads as 11.
FLOOR = {1280: 21, 960: 16}
# The item's title, and the decision's words, at each width.
TITLE = {1280: 37, 960: 28}

SAFETY = {
    "title": "Risk of criminal exploitation",
    "body": (
        "## What we are worried about\n\n"
        "- Seen twice in the town centre late at night with older males\n"
        "- A second phone his mother cannot account for\n\n"
        "## What is working well\n\n"
        "- He goes to school every day and talks to his head of year\n"
        "- His mother calls the police as soon as he is late home"
    ),
    "scale": "safety",
}
POLICE = {
    "title": "Intelligence about an adult in the household",
    "body": "Shared by the police for the professionals only.",
    "scale": "safety",
}
PROFESSIONALS = (("Ana Silva", "Children's social care"), ("Priya Shah", "Police"))
LATE = ("Ade Okafor", "Health")
# Each person's rating and reason: the social worker's is a minority view; the family's
# are their own track, beside the professionals'.
RATINGS = {
    "Ana Silva": (1, "He told me he owes them money and cannot say no"),
    "Priya Shah": (4, "Seen with the same group twice this month"),
    "Ade Okafor": (5, "No injuries and he keeps his health appointments"),
    "Sam Chair": (5, "The family acts quickly when he is missing"),
    "Mum Brown": (7, "He is home every night and I always know where he is"),
    "Jay": (8, "I am fine, they are just my mates"),
}
DISSENT = "A plan will not stop them: this needs a strategy discussion with the police now."
DECISION = "Child-protection plan under the category of neglect, reviewed in three months."


class Call:
    """A conference run over HTTP by its chair, shown in a window shared in a video call."""

    STEPS = ("lobby", "item", "round", "reveal", "decision", "held")

    def __init__(self, room: Room):
        self.room = room
        self.done: list[str] = []
        room.new_meeting(
            SAFETY, POLICE, title="Initial child-protection conference", kind="cp_conference"
        )
        found = re.findall(rf"/meetings/{room.meeting_id}/items/(\d+)", room.chair_page())
        self.item_ids = [int(i) for i in dict.fromkeys(found)]
        # The police item is restricted from the family before the meeting starts.
        self.post(f"/items/{self.item_ids[1]}/restricted", restricted="yes")
        self.people = {name: room.join(name, agency) for name, agency in PROFESSIONALS}
        self.people[LATE[0]] = room.join(*LATE)
        self.people["Mum Brown"] = room.join("Mum Brown", "", role="Mother", part="parent")
        self.people["Jay"] = room.join("Jay", "", role="", part="young_person")
        self.people["Sam Chair"] = room.chair
        # The chair opens the display from their page, to share its window in the call.
        chair = room.chair.context.new_page()
        chair.goto(f"/meetings/{room.meeting_id}")
        link = chair.get_by_role("link", name="Share the display in a video call")
        self.page = room.browser.new_page(viewport={"width": 1280, "height": 720})
        self.page.goto(room.base + link.get_attribute("href"))
        expect(self.page.locator("#connection")).to_have_text("Live", timeout=LIVE)
        chair.close()

    def post(self, path: str, **form: str) -> None:
        """Send one of the chair's forms about this meeting."""
        url = f"/meetings/{self.room.meeting_id}{path}"
        sent(self.room.chair.http.post(url, form=form), path)

    def advance_to(self, step: str) -> None:
        """Run the meeting on to a step, doing whatever steps before it are not done yet."""
        for name in self.STEPS[: self.STEPS.index(step) + 1]:
            if name not in self.done:
                getattr(self, f"_{name}")()
                self.done.append(name)

    def _lobby(self):
        expect(self.page.get_by_role("heading", name="In the meeting (6)")).to_be_visible()

    def _item(self):
        self.room.start()
        expect(self.page.locator(".scene-item")).to_be_visible(timeout=LIVE)
        expect(self.page.locator("#connection")).to_have_text("Live", timeout=LIVE)

    def _round(self):
        self.round_id = self.room.open_round()
        for name in ("Ana Silva", "Priya Shah", "Mum Brown"):
            self.rate(name)
        expect(self.page.locator(".progress-count")).to_have_text("3 of 6 have rated", timeout=LIVE)

    def rate(self, name: str) -> None:
        score, reason = RATINGS[name]
        self.room.rate(self.people[name], self.round_id, score=score, reason=reason)

    def _reveal(self):
        for name in ("Jay", "Sam Chair"):
            self.rate(name)
        self.room.reveal(self.round_id)
        expect(self.page.locator(".scene-reveal")).to_be_visible(timeout=LIVE)

    def _decision(self):
        item_id = self.item_ids[0]
        self.room.decide(
            item_id,
            text=DECISION,
            rationale="He is at risk of exploitation now, and the family is acting on it.",
            child_views="Jay wants to stay at home and keep going to football.",
        )
        for name in ("Priya Shah", "Ade Okafor"):
            self.room.answer(self.people[name], item_id, agrees=True)
        self.room.answer(self.people["Ana Silva"], item_id, agrees=False, text=DISSENT)
        expect(self.page.locator(".consensus")).to_contain_text("2 agree", timeout=LIVE)

    def _held(self):
        # The family is on the call and sees the shared screen: it holds with their phones.
        self.post("/family/display", on="yes")
        self.post("/current", item_id=str(self.item_ids[1]))
        expect(self.page.locator(".holding-scene")).to_be_visible(timeout=LIVE)


@pytest.fixture(scope="module")
def call(module_server, browser) -> Call:
    SHOTS.mkdir(exist_ok=True)
    room = Room.first_chair(module_server.url, browser, module_server.setup_code)
    return Call(room)


# Every box that cuts what overflows it (a block fitted to its room, a reason cut to a few
# lines, a word cut with an ellipsis) and has text in it: what it holds does not overflow.
CUT = """() => [...document.querySelectorAll('body *')].filter(el => {
  const s = getComputedStyle(el);
  if (s.overflowX === 'visible' && s.overflowY === 'visible') return false;
  if (!el.innerText.trim() || el.closest('.sr') || !el.checkVisibility()) return false;
  return el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1;
}).map(el => `${el.tagName}.${el.className}: ${el.innerText.trim().slice(0, 40)}`)"""


def each_size(page: Page, stage: str):
    """Show the stage in each window size: yield the size once it fits, readable, with no
    QR code. axe-core looks at it once."""
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        fitted(page)
        page.screenshot(path=str(SHOTS / f"share-{stage}-{width}x{height}.png"))
        assert page.evaluate(OVERFLOW) == [], f"{stage} at {width}x{height}"
        assert page.evaluate("() => document.documentElement.scrollHeight") <= height
        assert page.evaluate(CUT) == [], f"{stage} at {width}x{height}: text cut"
        found = page.evaluate(SMALL_PRINT)
        assert found["outside"] == [], f"{stage} at {width}x{height}: {found['outside']}"
        small = [t for t in found["seen"] if t["px"] < FLOOR[width] - 0.05]
        assert small == [], f"{stage} at {width}x{height}: under {FLOOR[width]} px: {small[:6]}"
        expect(page.get_by_role("img", name=re.compile("QR code"))).to_have_count(0)
        if width == SIZES[0][0]:
            assert serious_violations(page) == [], stage
        yield width, height


def nothing_needs_a_pointer(page: Page) -> None:
    """Assert no text is held back for a pointer: no tooltip, no style that shows on hover."""
    assert page.locator("[title]").count() == 0
    hover = page.evaluate(
        "() => [...document.styleSheets].flatMap(s => [...s.cssRules])"
        ".map(r => r.cssText).filter(t => t.includes(':hover'))"
    )
    assert hover == []


def test_the_lobby_says_who_is_in_and_the_join_code_in_words(call: Call):
    call.advance_to("lobby")
    page = call.page
    assert "(display to share)" in page.title(), "the window to pick in the call"
    assert "share" in page.locator("body").get_attribute("class").split()
    for _size in each_size(page, "lobby"):
        code = page.locator(".join-big .join-code")
        expect(code).to_have_text(call.room.join_code)
        inside(page, code)
        for name in ("Ana Silva", "Priya Shah", "Ade Okafor", "Mum Brown", "Jay"):
            inside(page, page.locator(".names li", has_text=name))
    nothing_needs_a_pointer(page)
    # Nothing scanned the code: the QR code was never fetched.
    fetched = page.evaluate("() => performance.getEntriesByType('resource').map(e => e.name)")
    assert not [url for url in fetched if "qr.svg" in url]


def test_the_item_reads_large_in_a_small_window(call: Call):
    call.advance_to("item")
    page = call.page
    for width, _height in each_size(page, "item"):
        title = page.get_by_role("heading", level=1, name=SAFETY["title"])
        inside(page, title)
        assert title.evaluate(WHOLE), "the title is cut"
        assert font_px(title) >= TITLE[width]
        expect(page.get_by_text("Item 1 of 2 · Safety scale 0–10")).to_be_visible()
        inside(page, page.locator(".item-body li").last)
        inside(page, page.locator(".scale-key"))
    expect(page.locator(".join-strip")).to_be_hidden()


def test_a_rating_moves_the_count_on_while_it_is_shared(call: Call):
    call.advance_to("round")
    page = call.page
    for _width, height in each_size(page, "round"):
        count = page.get_by_text("3 of 6 have rated")
        assert inside(page, count)["height"] >= 0.1 * height, "the count is large"
        for name in ("Ana Silva", "Mum Brown", "Ade Okafor", "Jay"):
            inside(page, page.locator(".raters li", has_text=name))
    # At 960 × 540, someone rates: the count moves on in the same page, not a new one.
    page.evaluate("() => { window.notReloaded = true; }")
    call.rate("Ade Okafor")
    expect(page.locator(".progress-count")).to_have_text("4 of 6 have rated", timeout=LIVE)
    assert page.evaluate("() => window.notReloaded === true")
    assert "share" in page.locator("body").get_attribute("class").split()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_have_count(0)
    page.screenshot(path=str(SHOTS / "share-round-rated-960x540.png"))
    assert page.evaluate(OVERFLOW) == []
    nothing_needs_a_pointer(page)


def test_the_reveal_shows_the_spread_and_the_familys_view_beside_it(call: Call):
    call.advance_to("reveal")
    page = call.page
    for _width, height in each_size(page, "reveal"):
        chart = inside(page, page.get_by_role("img", name=re.compile(r"^Spread: ")))
        assert chart["height"] >= 0.2 * height, "the chart is large"
        inside(page, page.get_by_text("Median 4.5", exact=True))
        card = page.locator(".minority-cards .card")
        inside(page, card)
        expect(card).to_contain_text("Ana Silva")
        for name in RATINGS:
            reason = page.locator(".views").get_by_text(RATINGS[name][1], exact=True)
            inside(page, reason)
            assert reason.evaluate(WHOLE), f"{name}'s reason is cut"
        family = page.locator(".family-track")
        inside(page, family)
        expect(family).to_contain_text("The family's view:")
        expect(family).to_contain_text("Jay 8 · Mum Brown 7")
        assert family.evaluate(WHOLE)
    nothing_needs_a_pointer(page)


def test_a_recorded_decision_reads_whole(call: Call):
    call.advance_to("decision")
    page = call.page
    for width, _height in each_size(page, "decision"):
        inside(page, page.get_by_role("heading", level=1, name="Decision"))
        words = page.get_by_text(DECISION)
        inside(page, words)
        assert font_px(words) >= TITLE[width], "the decision reads as large as a title"
        inside(page, page.locator(".consensus"))
        inside(page, page.get_by_text("Median 4.5"))
        inside(page, page.get_by_text(DISSENT))


def test_with_the_family_on_the_call_a_restricted_item_holds_the_shared_screen(call: Call):
    call.advance_to("held")
    page = call.page
    for _size in each_size(page, "held"):
        inside(page, page.get_by_text("The meeting is talking about something without the family"))
    expect(page.locator("body")).not_to_contain_text(POLICE["title"])
    expect(page.locator("body")).not_to_contain_text(POLICE["body"])
