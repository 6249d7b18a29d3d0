"""A word too long for any screen, in Chromium: every page still fits its window.

An admitted attendee adds a chronology event of one unbroken word; the chair's item text,
decision's rationale and an action carry one too (as long as each field holds: a 99,000-character
word in the item). On a 360 px phone and a 1366 px laptop, the chair's cockpit, the
attendee's phone page, the shared display and, once the meeting closes, the minutes are no
wider than the window: the words wrap. One server and one browser for the module.
"""

import re
from datetime import date

import pytest
from playwright.sync_api import expect
from room import CHAIR_SCREEN, PHONE, Room, sent, shot
from story import DECISION_ONE, SOON

WORDS = {
    "item": "Itemword" + "i" * 98_990,
    "chronology": "Eventword" + "e" * 1_990,
    "rationale": "Reasonword" + "r" * 19_980,
    "action": "Actionword" + "a" * 1_980,
    "summary": "Summaryword" + "s" * 19_980,
}
SIZES = {"phone": PHONE, "laptop": CHAIR_SCREEN}
# How wide the page is against its window (the minutes were 1,329 px wide in a 1,366 px one
# with a scroll bar, and far wider on a phone).
WIDTHS = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
# How wide the paper of the minutes is against its box (it scrolls sideways when wider).
PAPER = "el => [el.scrollWidth, el.clientWidth]"
# The innermost blocks of the paper holding each long word that are wider than the paper.
HOLDING = """(paper, prefixes) => {
  const wide = [];
  const blocks = [...paper.querySelectorAll("p, li, td, th, dd, blockquote, h1, h2, h3, h4")];
  for (const prefix of prefixes) {
    const holding = blocks.filter(b => b.textContent.includes(prefix));
    for (const b of holding.filter(b => !holding.some(o => o !== b && b.contains(o)))) {
      const width = b.getBoundingClientRect().width;
      if (width > paper.clientWidth || b.scrollWidth > b.clientWidth + 1)
        wide.push([prefix.slice(0, 12), Math.round(width), paper.clientWidth]);
    }
  }
  return wide;
}"""


@pytest.fixture(scope="module")
def room(module_server, browser):
    """A meeting whose item, chronology and decision each hold an unbroken word."""
    room = Room.first_chair(module_server.url, browser, module_server.setup_code)
    item = {"title": "Risk of going missing", "body": WORDS["item"], "scale": "safety"}
    meeting_id = room.new_meeting(item)
    priya = room.join("Priya Shah", "Police")
    room.start()
    base = f"/meetings/{meeting_id}"
    item_id = re.search(rf"{base}/items/(\d+)/rounds", room.chair_page()).group(1)
    sent(room.chair.http.post(f"{base}/items/{item_id}/rounds", form={"number": "1"}), "round")
    round_id = re.search(rf"{base}/rounds/(\d+)/reveal", room.chair_page()).group(1)
    rated = priya.http.post(f"/m/{meeting_id}/rounds/{round_id}/rating", form={"score": "4"})
    sent(rated, "rating")
    sent(room.chair.http.post(f"{base}/rounds/{round_id}/reveal"), "reveal")
    event = {"happened_on": date.today().isoformat(), "what": WORDS["chronology"]}
    event["agency"] = "Police"
    sent(priya.http.post(f"/m/{meeting_id}/chronology", form=event), "event")
    decision = {**DECISION_ONE, "rationale": WORDS["rationale"], "intent": "record"}
    decision["legal_bases"] = DECISION_ONE["legal_bases"][0]
    sent(room.chair.http.post(f"{base}/items/{item_id}/decision", form=decision), "decision")
    action = {"what": WORDS["action"], "due": SOON, "item_id": item_id, "owner_id": priya.id}
    sent(room.chair.http.post(f"{base}/actions", form=action), "action")
    return room


def widths(room: Room, context, url: str, size: dict, name: str) -> tuple[list[str], list[int]]:
    """Open a page at a window size; return which long words it shows and how wide it is."""
    page = context.new_page()
    try:
        page.set_viewport_size(size)
        page.goto(room.base + url)
        page.wait_for_load_state("load")
        shown = page.content()
        found = [where for where, word in WORDS.items() if word[:60] in shown]
        shot(page, f"insider-long-word-{name}", full_page=False)
        return found, page.evaluate(WIDTHS)
    finally:
        page.close()


@pytest.mark.parametrize("size", SIZES)
def test_a_word_longer_than_the_screen_wraps_on_every_page(room, size):
    display = room.browser.new_context(base_url=room.base)
    try:
        pages = {
            "cockpit": (room.chair.context, f"/meetings/{room.meeting_id}"),
            "phone": (room.people["Priya Shah"].context, f"/m/{room.meeting_id}"),
            "display": (display, room.display_url.removeprefix(room.base)),
        }
        too_wide = {}
        for name, (context, url) in pages.items():
            found, (scroll, client) = widths(room, context, url, SIZES[size], f"{name}-{size}")
            assert found, f"the {name} shows none of the long words, so nothing was tried"
            if scroll > client:
                too_wide[name] = (scroll, client, found)
        assert not too_wide, f"wider than the window: {too_wide}"
    finally:
        display.close()


def test_text_too_long_for_its_field_stays_in_the_form_with_the_reason(room):
    """On a phone, an event longer than the chronology holds is not saved: the form keeps
    every character and says why, and the shortened one is added."""
    page = room.people["Priya Shah"].context.new_page()
    try:
        page.set_viewport_size(PHONE)
        page.goto(f"{room.base}/m/{room.meeting_id}")
        page.locator("#chronology > summary").click()
        page.get_by_text("Add a significant event").click()
        form = page.locator("#chronology-form")
        typed = "Missing overnight, found at a bus station. " * 60
        form.get_by_label("Date it happened").fill(date.today().isoformat())
        form.get_by_label("What happened").fill(typed)
        form.get_by_label("Source agency").fill("Police")
        form.get_by_role("button", name="Add to the chronology").click()
        expect(form.get_by_role("alert")).to_contain_text("Not saved: too long (what).")
        assert form.get_by_label("What happened").input_value() == typed
        form.get_by_label("What happened").fill("Missing overnight, found at a bus station.")
        form.get_by_role("button", name="Add to the chronology").click()
        expect(page.get_by_text("Missing overnight, found at a bus station.").first).to_be_visible()
    finally:
        page.close()


def test_the_minutes_wrap_a_word_longer_than_the_screen(room):
    base = f"/meetings/{room.meeting_id}"
    sent(room.chair.http.post(f"{base}/close"), "close")
    draft = {"summary": WORDS["summary"], "undecided_reason": "", "then": "save"}
    sent(room.chair.http.post(f"{base}/minutes/draft", form=draft), "summary")
    too_wide = {}
    prefixes = [word[:60] for word in WORDS.values()]
    for size in SIZES:
        page = room.chair.context.new_page()
        try:
            page.set_viewport_size(SIZES[size])
            page.goto(f"{room.base}{base}/minutes")
            shown = page.content()
            found = {where for where, word in WORDS.items() if word[:60] in shown}
            assert {"chronology", "rationale", "action", "summary"} <= found, found
            shot(page, f"insider-long-word-minutes-{size}", full_page=False)
            page.locator(".withhold").screenshot(path=f"/tmp/withhold-{size}.png")
            scroll, client = page.evaluate(WIDTHS)
            if scroll > client:
                too_wide[f"page at {size}"] = (scroll, client)
            # On a phone the paper's tables scroll sideways within it, as they always have;
            # whatever holds a long word still fits the paper's width.
            for held in page.locator(".minutes-paper").evaluate(HOLDING, prefixes):
                too_wide[f"{held[0]} at {size}"] = held[1:]
            scroll, client = page.locator(".minutes-paper").evaluate(PAPER)
            if size == "laptop" and scroll > client:
                too_wide[f"paper at {size}"] = (scroll, client)
        finally:
            page.close()
    assert not too_wide, f"the minutes are wider than the window: {too_wide}"
