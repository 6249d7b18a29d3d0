"""A meeting room against the real server: a chair and attendees as HTTP clients.

Browser tests set the scene through the same forms people use (sent over HTTP, with each
person's own cookies and the CSRF token their pages carry), then look at it in Chromium.
Playwright's request contexts carry the cookies; a page opened in the same browser context
is that person's device.
"""

import re
import shutil
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import APIResponse, Browser, BrowserContext, Locator, Page

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
STARTS_AT = datetime.now().replace(hour=14, minute=0).strftime("%Y-%m-%dT%H:%M")
REVIEW_DATE = (date.today() + timedelta(days=48)).isoformat()

PHONE = {"width": 360, "height": 740}
CHAIR_SCREEN = {"width": 1366, "height": 768}
SHOTS = Path(__file__).parent / "screenshots"


def shot(page: Page, name: str, full_page: bool = True) -> Path:
    """Save a screenshot in tests/screenshots/, for people to look at: the whole page, or
    (`full_page=False`) the one screen a person sees without scrolling."""
    SHOTS.mkdir(exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def serious_violations(page: Page) -> list[str]:
    """What axe-core finds on the page that is serious or critical, one line each."""
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


# What a screen that never scrolls shows (the display, in the room or shared in a call).
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


# Every piece of text a person can see on the display: its type size, and where it is
# drawn. Text clipped away (a cut line, a screen-reader label) is not seen; what is seen
# must lie within the screen.
SMALL_PRINT = """() => {
  const seen = [], outside = [], range = document.createRange();
  const clips = el => {
    const boxes = [];
    for (let a = el; a && a !== document.documentElement; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.overflowX !== 'visible' || s.overflowY !== 'visible')
        boxes.push(a.getBoundingClientRect());
    }
    return boxes;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.data.trim(), el = node.parentElement;
    if (!text || el.closest('.sr, script, style, template')) continue;
    if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
    range.selectNodeContents(node);
    const boxes = clips(el);
    const shown = [...range.getClientRects()].filter(r => r.width >= 1 && r.height >= 1
      && boxes.every(b => r.left < b.right - 1 && r.right > b.left + 1
                       && r.top < b.bottom - 1 && r.bottom > b.top + 1));
    if (!shown.length) continue;
    const where = `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`;
    seen.push({px: parseFloat(getComputedStyle(el).fontSize), text: text.slice(0, 50), where});
    for (const r of shown)
      if (r.left < -1 || r.top < -1 || r.right > innerWidth + 1 || r.bottom > innerHeight + 1)
        outside.push(`"${text.slice(0, 30)}" at ${Math.round(r.right)}, ${Math.round(r.bottom)}`);
  }
  seen.sort((a, b) => a.px - b.px);
  return {seen, outside};
}"""


def fitted(page: Page) -> None:
    """Wait until the display has fitted the scene to the current window size."""
    page.evaluate(
        "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
    )


def box(locator: Locator) -> dict:
    """Return where an element is drawn; it must be drawn."""
    found = locator.bounding_box()
    assert found, f"{locator} has no box"
    return found


def inside(page: Page, locator: Locator) -> dict:
    """Assert an element is wholly on the screen; return its box."""
    b = box(locator)
    size = page.viewport_size
    assert b["x"] >= 0 and b["y"] >= 0, b
    assert b["x"] + b["width"] <= size["width"] + 1, (b, size)
    assert b["y"] + b["height"] <= size["height"] + 1, (b, size)
    return b


# An element shows all of its text: nothing is cut at its edge or its last line.
WHOLE = "el => el.scrollHeight <= el.clientHeight + 1 && el.scrollWidth <= el.clientWidth + 1"


def font_px(locator: Locator) -> float:
    """Return an element's type size in CSS pixels."""
    return float(locator.evaluate("el => parseFloat(getComputedStyle(el).fontSize)"))


def answered(page: Page, within: float = LIVE) -> None:
    """Wait until the page has the answer to every request htmx sent for it, drawn in place."""
    # htmx marks what sends (a form, a region reading itself again) with htmx-request from
    # the moment it sends until its answer is swapped in. A click's request is sent while
    # the click is handled, so once a click has returned its request is here or answered.
    page.wait_for_function("() => !document.querySelector('.htmx-request')", timeout=within)


def listen(page: Page) -> None:
    """Keep, in the page, each ring its live connection hears, after the page acted on it."""
    # Socket.IO calls its listeners in turn: live.js's (which swaps regions in, or sends
    # for them) before this one.
    page.evaluate(
        "() => { window.rung = [];"
        " window.meetingSocket.on('changed', m => window.rung.push(m.regions || [])); }"
    )


def heard(page: Page, region: str, within: float = LIVE) -> None:
    """Wait until the page (see `listen`) has heard and acted on a ring naming this region."""
    page.wait_for_function(
        "name => window.rung.some(regions => regions.includes(name))", arg=region, timeout=within
    )


def sent(response, what: str):
    """Check that a form was accepted (a redirect followed to a page); return the answer."""
    assert response.ok, f"{what}: {response.status} {response.text()[:500]}"
    return response


# The token a page carries for its session's forms.
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
# Logging in (or creating the first account) starts a new session, with a new token.
LOG_INS = ("/login", "/setup")


class Forms:
    """HTTP in a person's browser context (their cookies), sending forms as their pages do.

    Each form carries the CSRF token of the last page fetched. Before the first form, or
    after a log-in that showed no page, /login is opened for it, as a browser shows a page
    before its form is sent.
    """

    def __init__(self, context: BrowserContext):
        self.request = context.request
        self.token: str | None = None

    def get(self, url: str, **kwargs) -> APIResponse:
        return self._read(self.request.get(url, **kwargs))

    def post(self, url: str, form: dict | None = None, **kwargs) -> APIResponse:
        if self.token is None:
            page = self.get(urljoin(url, "/login"))
            assert self.token, f"no CSRF token on {page.url}: {page.status}"
        form = {**(form or {}), "csrf_token": self.token}
        response = self.request.post(url, form=form, **kwargs)
        if urlsplit(url).path in LOG_INS:
            self.token = None
        return self._read(response)

    def _read(self, response: APIResponse) -> APIResponse:
        if "html" in response.headers.get("content-type", ""):
            found = CSRF_META.search(response.text())
            if found:
                self.token = found.group(1)
        return response


@dataclass
class Person:
    name: str
    agency: str
    context: BrowserContext
    id: int = 0
    http: Forms = field(init=False)

    def __post_init__(self) -> None:
        self.http = Forms(self.context)


@dataclass
class Room:
    """One meeting on the real server, its chair, and the people who joined it."""

    base: str
    browser: Browser
    chair: Person
    meeting_id: int = 0
    people: dict[str, Person] = field(default_factory=dict)

    @classmethod
    def first_chair(cls, base: str, browser: Browser, setup_code: str, **screen) -> "Room":
        """Create the first chair account with the set-up code, logged in on its own context."""
        context = browser.new_context(base_url=base, viewport=screen or CHAIR_SCREEN)
        fields = {
            "setup_code": setup_code,
            "name": "Sam Chair",
            "agency": "Children's social care",
            "email": "sam@example.org",
            "password": "a long password",
            "confirm": "a long password",
        }
        chair = Person("Sam Chair", "Children's social care", context)
        sent(chair.http.post("/setup", form=fields), "set-up")
        return cls(base, browser, chair)

    def new_meeting(
        self, *items: dict, title: str = "Review conference", kind: str = "other"
    ) -> int:
        """Create a meeting with these agenda items; it becomes this room's meeting."""
        answer = sent(
            self.chair.http.post(
                "/meetings/new",
                form={
                    "title": title,
                    "kind": kind,
                    "child": "A.B.",
                    "starts_at": STARTS_AT,
                    "place": "Room 2",
                },
            ),
            "new meeting",
        )
        self.meeting_id = int(re.search(r"/meetings/(\d+)", answer.url).group(1))
        self.people = {}
        for item in items:
            sent(self.chair.http.post(f"/meetings/{self.meeting_id}/items", form=item), "item")
        return self.meeting_id

    def chair_page(self) -> str:
        return self.chair.http.get(f"/meetings/{self.meeting_id}").text()

    @property
    def join_code(self) -> str:
        return re.search(r'class="join-code"[^>]*>([\w-]+)<', self.chair_page()).group(1)

    @property
    def display_url(self) -> str:
        return self.base + re.search(r'href="(/display/[^"]+)"', self.chair_page()).group(1)

    def join(
        self,
        name: str,
        agency: str,
        role: str = "Practitioner",
        part: str = "professional",
        channel: str = "room",
        **screen,
    ) -> Person:
        """A new device joins with the code and the chair admits it."""
        context = self.browser.new_context(base_url=self.base, viewport=screen or PHONE)
        details = {"name": name, "role": role, "agency": agency, "part": part, "channel": channel}
        forms = Forms(context)
        sent(forms.post(f"/join/{self.join_code}", form=details), f"join {name}")
        page = self.chair_page()
        # The Admit button of their row (after the form's tokens).
        admit = rf"/meetings/{self.meeting_id}/people/(\d+)/admit\"[^<]*"
        admit += r"(?:<input[^>]*>)*[^<]*<[^<]*\bAdmit "
        found = re.search(admit + re.escape(name), page)
        assert found, f"{name} is not waiting"
        person = Person(name, agency, context, int(found.group(1)))
        person.http = forms
        admit = f"/meetings/{self.meeting_id}/people/{person.id}/admit"
        sent(self.chair.http.post(admit), f"admit {name}")
        self.people[name] = person
        return person

    def start(self) -> None:
        sent(self.chair.http.post(f"/meetings/{self.meeting_id}/start"), "start")

    def review_of(self, earlier: int) -> int:
        """Arrange the review of a closed meeting as its form proposes; it becomes this
        room's meeting (nobody has joined it yet)."""
        page = self.chair.http.get(f"/meetings/new?review_of={earlier}").text()
        form = dict(re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', page))
        form.pop("csrf_token", None)
        made = sent(self.chair.http.post("/meetings/new", form={**form, "kind": "other"}), "review")
        self.meeting_id = int(re.search(r"/meetings/(\d+)", made.url).group(1))
        self.people = {}
        return self.meeting_id

    def current_item_id(self) -> int:
        return int(re.search(r"/items/(\d+)/rounds\"", self.chair_page()).group(1))

    def open_round(self) -> int:
        """Open the next round on the current item; return its id."""
        page = self.chair_page()
        item_id = int(re.search(r"/items/(\d+)/rounds\"", page).group(1))
        number = re.search(r'name="number" value="(\d+)"', page).group(1)
        path = f"/meetings/{self.meeting_id}/items/{item_id}/rounds"
        answer = sent(self.chair.http.post(path, form={"number": number}), "open round")
        return int(re.search(r"/rounds/(\d+)/reveal", answer.text()).group(1))

    def rate(self, person: Person, round_id: int, **fields) -> None:
        path = f"/m/{self.meeting_id}/rounds/{round_id}/rating"
        form = {k: str(v) for k, v in fields.items()}
        sent(person.http.post(path, form=form), f"{person.name} rates")

    def reveal(self, round_id: int) -> None:
        path = f"/meetings/{self.meeting_id}/rounds/{round_id}/reveal"
        sent(self.chair.http.post(path), "reveal")

    def decide(self, item_id: int, **fields) -> None:
        path = f"/meetings/{self.meeting_id}/items/{item_id}/decision"
        form = {"intent": "record", "review_date": REVIEW_DATE, **fields}
        answer = sent(self.chair.http.post(path, form=form), "decision")
        assert "Not recorded yet" not in answer.text(), answer.text()

    def answer(self, person: Person, item_id: int, agrees: bool, text: str = "") -> None:
        path = f"/m/{self.meeting_id}/items/{item_id}/view"
        form = {"agrees": "yes" if agrees else "no", "text": text}
        sent(person.http.post(path, form=form), f"{person.name} answers")
