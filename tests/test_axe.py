"""Every screen of a whole meeting and of its review, checked by axe-core in real Chromium.

One walk on one real server: set-up, lobby, admitted, the first item, a round open, rated,
revealed, a decision with a dissent, actions, the next item, closed; then the minutes as the
chair and as a reader see them, the child's case, and a review meeting up to its reveal. At
each stage the chair's cockpit (1366×768), the shared display (1920×1080) and a phone (360
px wide) are loaded afresh and axe runs once on each; nothing serious or critical may be found.
"""

import email
import re
import time
from datetime import date, timedelta

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect
from room import CHAIR_SCREEN, LIVE, PHONE, Forms, Person, Room, sent

DISPLAY = {"width": 1920, "height": 1080}
ITEMS = [
    {
        "title": "Risk of going missing",
        "body": "Twice in May, found in another town.",
        "scale": "safety",
    },
    {
        "title": "Plan",
        "body": "What plan is needed?",
        "scale": "choice",
        "choices": "Child-protection plan\nChild-in-need plan\nNo further action",
    },
]
DECISION = {
    "text": "Child-protection plan with an evening safety plan",
    "rationale": "Missing episodes with older males",
    "child_views": "I want to keep playing football",
    "review_triggers": "Another missing episode",
    "forecast": "No missing episodes\nAttends school 90% or more",
}
DISSENT = "The plan is too much: she is safe at school every day"


AXE = Axe()
SERIOUS = ("serious", "critical")


def violations(page: Page) -> list[dict]:
    """What axe-core finds on the page, its experimental rules included: one of them checks
    that a button's accessible name contains the words it shows (label-content-name-mismatch)."""
    page.evaluate(AXE.axe_script)
    experimental = page.evaluate("axe.getRules(['experimental']).map(rule => rule.ruleId)")
    rules = {rule: {"enabled": True} for rule in experimental}
    return AXE.run(page, options={"resultTypes": ["violations"], "rules": rules}).response[
        "violations"
    ]


def load(page: Page, url: str) -> None:
    """Open the page afresh, even if the page there was just told to reload itself."""
    for _ in range(5):
        try:
            page.goto(url)
            return
        except PlaywrightError as error:
            # Interrupted by that reload (Chromium may say so, or just that it aborted).
            said = str(error)
            if "interrupted by another navigation" not in said and "ERR_ABORTED" not in said:
                raise
            # Where the reload lands is as good, once loaded.
            page.wait_for_load_state()
            if page.url == url:
                return
    raise AssertionError(f"{url} kept being reloaded")


class Walk:
    """The screens of one meeting, each loaded afresh and checked at every stage."""

    def __init__(self, room: Room, display: Page, phone: Page):
        self.room, self.display, self.phone = room, display, phone
        self.chair = room.chair.context.new_page()
        self.found: dict[tuple[str, str], list[str]] = {}
        # The moderate and minor ones, reported but not failed on.
        self.lesser: dict[tuple[str, str], list[str]] = {}
        # A closed meeting's page no longer shows its display link: kept from before.
        self.displays: dict[int, str] = {}

    def check(self, stage: str, **screens: str) -> None:
        """Load each named screen at its address and note what axe finds there."""
        pages = {"chair": self.chair, "display": self.display, "phone": self.phone}
        for screen, path in screens.items():
            page = pages[screen.split("_")[0]]
            load(page, path if path.startswith("http") else self.room.base + path)
            if page.locator("#connection").count():
                expect(page.locator("#connection")).to_have_text("Live", timeout=LIVE)
            page.wait_for_function("() => !document.querySelector('.htmx-request')", timeout=LIVE)
            found = violations(page)
            for impacts, kept in ((SERIOUS, self.found), (("moderate", "minor"), self.lesser)):
                kept[(stage, screen)] = [
                    f"{v['id']} ({v['impact']}, {len(v['nodes'])}): "
                    f"{[n['target'] for n in v['nodes']][:3]}"
                    for v in found
                    if v["impact"] in impacts
                ]

    def live(self, stage: str, phone: str | None = None) -> None:
        """Check the chair's cockpit, the display and (if given) the phone's page."""
        meeting = self.room.meeting_id
        if meeting not in self.displays:
            self.displays[meeting] = self.room.display_url
        screens = {"chair": f"/meetings/{meeting}", "display": self.displays[meeting]}
        if phone:
            screens["phone"] = phone
        self.check(stage, **screens)


def join(room: Room, name: str, agency: str, email_address: str = "") -> Person:
    """A new phone joins with the code (and an email address for the minutes); admit it."""
    context = room.browser.new_context(base_url=room.base, viewport=PHONE)
    forms = Forms(context)
    details = {
        "name": name,
        "role": "Practitioner",
        "agency": agency,
        "email": email_address,
        "part": "professional",
    }
    sent(forms.post(f"/join/{room.join_code}", form=details), f"join {name}")
    return Person(name, agency, context)


def admit(room: Room, person: Person) -> None:
    page = room.chair_page()
    admit = rf"/meetings/{room.meeting_id}/people/(\d+)/admit\"[^<]*"
    admit += r"(?:<input[^>]*>)*[^<]*<[^<]*\bAdmit " + re.escape(person.name)
    person.id = int(re.search(admit, page).group(1))
    sent(room.chair.http.post(f"/meetings/{room.meeting_id}/people/{person.id}/admit"), "admit")
    room.people[person.name] = person


def reader_link(server, name: str) -> str:
    """The link to the minutes in the email written to the outbox for `name`."""
    deadline = time.monotonic() + LIVE / 1000
    while time.monotonic() < deadline:
        for path in sorted((server.folder / "instance" / "outbox").glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes())
            if name not in str(message["To"]):
                continue
            for part in message.walk():
                body = part.get_payload(decode=True)
                found = body and re.search(rb"https?://[^\s\"<>]+/minutes/[\w-]+", body)
                if found:
                    return found.group(0).decode()
        time.sleep(0.1)
    raise AssertionError(f"no email with a link for {name}")


def test_every_screen_of_a_meeting_and_its_review_passes_axe(module_server, browser):
    room = Room.first_chair(module_server.url, browser, module_server.setup_code, **CHAIR_SCREEN)
    meeting = room.new_meeting(*ITEMS, title="Initial conference")
    display = browser.new_context(viewport=DISPLAY).new_page()
    newcomer = browser.new_context(base_url=room.base, viewport=PHONE).new_page()
    walk = Walk(room, display, newcomer)
    code = room.join_code
    walk.live("set-up", phone="/join/")
    walk.check(
        "set-up", phone_details=f"/join/{code}", chair_list="/meetings/", chair_new="/meetings/new"
    )

    priya = join(room, "Priya Shah", "Police", "priya@police.example")
    tom = join(room, "Tom Reid", "School", "tom@school.example")
    walk.phone = priya.context.new_page()
    walk.live("lobby", phone=f"/m/{meeting}")
    admit(room, priya)
    admit(room, tom)
    walk.live("admitted", phone=f"/m/{meeting}")

    room.start()
    walk.live("item", phone=f"/m/{meeting}")
    first = room.current_item_id()
    round_id = room.open_round()
    walk.live("round open", phone=f"/m/{meeting}")
    room.rate(priya, round_id, score=3, reason="Missing twice this month")
    room.rate(tom, round_id, score=7)
    walk.live("rated", phone=f"/m/{meeting}")
    room.reveal(round_id)
    walk.live("reveal", phone=f"/m/{meeting}")
    room.decide(first, **DECISION)
    room.answer(priya, first, agrees=False, text=DISSENT)
    room.answer(tom, first, agrees=True)
    walk.live("decision with dissent", phone=f"/m/{meeting}")
    soon = (date.today() + timedelta(days=10)).isoformat()
    for what, owner in (("Share the missing reports", priya), ("Refer to the team", tom)):
        form = {"what": what, "owner_id": str(owner.id), "due": soon, "item_id": str(first)}
        sent(room.chair.http.post(f"/meetings/{meeting}/actions", form=form), "action")
    walk.live("actions", phone=f"/m/{meeting}")

    chair_page = room.chair_page()
    second = next(
        int(i) for i in re.findall(r'name="item_id" value="(\d+)"', chair_page) if int(i) != first
    )
    sent(room.chair.http.post(f"/meetings/{meeting}/current", form={"item_id": second}), "next")
    walk.live("next item", phone=f"/m/{meeting}")
    sent(room.chair.http.post(f"/meetings/{meeting}/close"), "close")
    walk.live("closed", phone=f"/m/{meeting}")

    walk.check("minutes draft", chair=f"/meetings/{meeting}/minutes")
    circulated = {"summary": "", "undecided_reason": "Waits for Friday", "then": "circulate"}
    sent(room.chair.http.post(f"/meetings/{meeting}/minutes/draft", form=circulated), "circulate")
    walk.check(
        "minutes circulated",
        chair=f"/meetings/{meeting}/minutes",
        phone=reader_link(module_server, "Priya Shah"),
    )
    case = re.search(r'href="/cases/(\d+)"', room.chair_page())
    assert case, "the meeting's page links to its case"
    walk.check("case", chair=f"/cases/{case.group(1)}", chair_list="/cases")

    # The review of it, up to its reveal.
    review = room.review_of(meeting)
    if "/items/" not in room.chair_page():
        sent(room.chair.http.post(f"/meetings/{review}/items", form=ITEMS[0]), "item")
    walk.live("review set-up")
    priya, tom = join(room, "Priya Shah", "Police"), join(room, "Tom Reid", "School")
    admit(room, priya)
    admit(room, tom)
    walk.phone = priya.context.new_page()
    room.start()
    walk.live("review item", phone=f"/m/{review}")
    round_id = room.open_round()
    room.rate(priya, round_id, score=5)
    room.rate(tom, round_id, score=6)
    room.reveal(round_id)
    walk.live("review reveal", phone=f"/m/{review}")

    lesser = "\n".join(f"{where}: {found}" for where, found in walk.lesser.items() if found)
    print(f"axe, moderate or minor, on {len(walk.lesser)} screens:\n{lesser or 'nothing'}")
    report = "\n".join(f"{where}: {found}" for where, found in walk.found.items() if found)
    assert report == "", f"axe, serious or critical:\n{report}"
