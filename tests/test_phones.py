"""Phones at 360 px, in real Chromium, through a meeting and its review: at every stage
nothing is wider than the screen, the movement since the last meeting is said in words a
screen reader reads, the chart's labels sit clear of its axis and its minority bar is
marked, and the offline banner leaves the page's title in view. The chair's cockpit puts
the spread's headline below its sticky controls when it is scrolled into view.

Screenshots of each stage are saved in tests/screenshots/ (phones-*) for people to look at.
"""

import re

import pytest
from playwright.sync_api import Page, expect
from room import LIVE, PHONE, SHOTS, Person, Room, sent, shot

SAFETY = {
    "title": "Risk of criminal exploitation",
    "body": "Seen with older males.",
    "scale": "safety",
}
LXS = {"title": "Unsupervised time in the community", "body": "Two hours a day.", "scale": "lxs"}
CHOICE = {
    "title": "Plan",
    "body": "What plan is needed?",
    "scale": "choice",
    "choices": "Child-protection plan\nChild-in-need plan\nNo further action",
}
# Who rates, and what: at the first meeting, then at the review.
PEOPLE = [("Priya Shah", "Police"), ("Tom Reid", "School"), ("Ade Okafor", "Health")]
LXS_THEN = [(2, 3), (4, 4), (3, 3)]
LXS_NOW = [(4, 5), (2, 2), (3, 3)]
CHOICE_THEN = ["Child-in-need plan", "Child-protection plan", "Child-protection plan"]
CHOICE_NOW = ["Child-protection plan", "Child-protection plan", "No further action"]
DECISION = {
    "text": "Child-protection plan with an evening safety plan",
    "rationale": "Missing episodes with older males",
    "child_views": "I want to keep playing football",
    "review_triggers": "Another missing episode",
    "forecast": "No missing episodes",
}
WIDTH = PHONE["width"]

# What on the page reaches past the right edge of the screen: the document's own width,
# and every element drawn (not hidden, not clipped away to nothing) beyond it.
OVERFLOW = """width => {
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden') continue;
    if (box.right + window.scrollX > width + 0.5) {
      const classes = typeof el.className === 'string' ? el.className.trim() : '';
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + (classes ? '.' + classes.split(/\\s+/).join('.') : '');
      wide.push(`${name} to ${Math.round(box.right + window.scrollX)}`);
    }
  }
  return {scroll: document.documentElement.scrollWidth, wide: wide.slice(0, 8)};
}"""


@pytest.fixture(scope="module")
def room(module_server, browser) -> Room:
    return Room.first_chair(module_server.url, browser, module_server.setup_code)


def fits(page: Page, stage: str) -> None:
    """Assert that nothing on the phone's page is wider than its screen; keep a picture."""
    page.wait_for_load_state("networkidle")
    found = page.evaluate(OVERFLOW, WIDTH)
    shot(page, f"phones-{stage}")
    assert found["scroll"] <= WIDTH, f"{stage}: the page is {found['scroll']} px wide"
    assert found["wide"] == [], f"{stage}: drawn beyond {WIDTH} px: {found['wide']}"


def open_phone(person: Person, url: str) -> Page:
    page = person.context.new_page()
    page.goto(url)
    expect(page.locator("#connection")).to_have_text("Live", timeout=LIVE)
    return page


def open_round(room: Room, **fields) -> int:
    """Open the next round on the current item (with `fields`, e.g. its basis); its id."""
    page = room.chair_page()
    item_id = int(re.search(r"/items/(\d+)/rounds\"", page).group(1))
    number = re.search(r'name="number" value="(\d+)"', page).group(1)
    path = f"/meetings/{room.meeting_id}/items/{item_id}/rounds"
    answer = sent(room.chair.http.post(path, form={"number": number, **fields}), "open round")
    return int(re.search(r"/rounds/(\d+)/reveal", answer.text()).group(1))


def decide(room: Room, round_id: int, **fields) -> None:
    """The chair acknowledges a wide disagreement, if the round had one, and decides."""
    if f'id="acknowledge-{round_id}"' in room.chair_page():
        path = f"/meetings/{room.meeting_id}/rounds/{round_id}/acknowledge"
        sent(room.chair.http.post(path, form={"note": "Heard both sides"}), "acknowledge")
    room.decide(room.current_item_id(), **{**DECISION, **fields})


def next_item(room: Room) -> None:
    """The chair moves the meeting on to the next item on the agenda."""
    page = room.chair_page()
    current = room.current_item_id()
    later = [int(i) for i in re.findall(r'name="item_id" value="(\d+)"', page)]
    following = min(i for i in later if i > current)
    path = f"/meetings/{room.meeting_id}/current"
    sent(room.chair.http.post(path, form={"item_id": str(following)}), "next item")


def rate_all(room: Room, people: list[Person], round_id: int, values: list[dict]) -> None:
    for person, fields in zip(people, values, strict=True):
        room.rate(person, round_id, **fields)


def rate_on_phone(phone: Page, **fields) -> None:
    """The phone's person rates on the page itself, as they would with a thumb."""
    form = phone.locator("#region-rate form.rating-form")
    for name, value in fields.items():
        if name == "reason":
            form.get_by_label("Why? (optional, one line)").fill(value)
        else:
            form.locator(f'input[name="{name}"][value="{value}"] + span').click()
    form.get_by_role("button", name="Submit my rating").click()
    expect(phone.locator("#region-rate")).to_contain_text("You rated", timeout=LIVE)


def chart_is_clear(page: Page, stage: str) -> None:
    """The newest chart's labels sit below its axis, and its minority bar is marked."""
    chart = page.locator("#region-stage .chart").first
    clash = chart.evaluate(
        """chart => {
          // The bars stand on the axis: each label starts below the lowest bar's foot.
          const axis = Math.max(...[...chart.querySelectorAll('.bar')]
            .map(b => b.getBoundingClientRect().bottom));
          return [...chart.querySelectorAll('.label')]
            .filter(l => l.getBoundingClientRect().top < axis)
            .map(l => l.textContent.trim());
        }"""
    )
    assert clash == [], f"{stage}: the axis runs through {clash}"
    colours = chart.evaluate(
        """chart => [...chart.querySelectorAll('.bar-col')].map(c => [
             c.classList.contains('minority'),
             getComputedStyle(c.querySelector('.bar')).backgroundColor])"""
    )
    flat = chart.evaluate(
        """chart => [...chart.querySelectorAll('.bar-col')]
             .filter(c => c.querySelector('.count').textContent.trim())
             .filter(c => c.querySelector('.bar').getBoundingClientRect().height < 4)
             .map(c => c.querySelector('.label').textContent.trim())"""
    )
    assert flat == [], f"{stage}: the bars of {flat} are not drawn"
    marked = {colour for minority, colour in colours if minority}
    usual = {colour for minority, colour in colours if not minority}
    assert marked, f"{stage}: no bar is marked as a minority view"
    assert not marked & usual, f"{stage}: the minority bar is drawn like the others"


def movement_said(phone: Page, words: list[str], stage: str) -> None:
    """How each agency moved is on screen in words, and in what a screen reader reads."""
    movement = phone.locator("#region-stage .movement")
    expect(movement).to_be_visible(timeout=LIVE)
    SHOTS.mkdir(exist_ok=True)
    phone.locator("#region-stage .earlier-meeting").screenshot(
        path=SHOTS / f"phones-{stage}-then-and-now.png"
    )
    read = movement.aria_snapshot()
    for said in words:
        expect(movement.get_by_text(said, exact=True).first).to_be_visible()
        assert said in read, f"{stage}: a screen reader does not hear {said!r}:\n{read}"


def title_clear_of_banner(page: Page, stage: str) -> None:
    """With the connection lost, the banner shows and the page's title is not under it."""
    page.context.set_offline(True)
    page.evaluate("window.meetingSocket.io.engine.close()")
    banner = page.locator("#offline")
    expect(banner).to_be_visible(timeout=LIVE)
    expect(page.locator("body")).to_have_class(re.compile(r"\bis-offline\b"))
    title = page.locator(".meeting-head h1").bounding_box()
    under = banner.bounding_box()
    assert title["y"] >= under["y"] + under["height"] - 0.5, (
        f"{stage}: the banner ({under}) covers the title ({title})"
    )
    # Scrolled down, the banner stays at the top of the screen.
    page.evaluate("window.scrollTo(0, 300)")
    assert page.evaluate("window.scrollY") > 0, f"{stage}: the page does not scroll"
    assert abs(banner.bounding_box()["y"]) < 1, f"{stage}: the banner left the top"
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, f"phones-{stage}", full_page=False)
    page.context.set_offline(False)
    expect(page.locator("#connection")).to_have_text("Live", timeout=3 * LIVE)
    expect(banner).to_be_hidden()


def test_a_phone_at_360_px_through_a_meeting(room):
    room.new_meeting(
        SAFETY, CHOICE, title="Jade Morgan-Williams: initial child protection conference"
    )
    people = [room.join(name, agency) for name, agency in PEOPLE]
    phone = open_phone(people[0], f"{room.base}/m/{room.meeting_id}")
    fits(phone, "1-lobby")

    room.start()
    expect(phone.locator("#region-stage h2")).to_have_text(SAFETY["title"], timeout=LIVE)
    expect(phone.locator("#connection")).to_have_text("Live", timeout=LIVE)
    fits(phone, "2-item")
    title_clear_of_banner(phone, "2-item-offline")

    round_id = room.open_round()
    expect(phone.get_by_role("button", name="Submit my rating")).to_be_visible(timeout=LIVE)
    fits(phone, "3-round-open")

    rate_on_phone(phone, score=2, reason="Older males")
    rate_all(room, people[1:], round_id, [{"score": 7}, {"score": 8}])
    fits(phone, "4-rated")

    room.reveal(round_id)
    expect(phone.locator("#region-stage")).to_contain_text("revealed", timeout=LIVE)
    fits(phone, "5-revealed")
    chart_is_clear(phone, "5-revealed")

    item_id = room.current_item_id()
    decide(room, round_id)
    expect(phone.get_by_role("button", name="Record my answer")).to_be_visible(timeout=LIVE)
    fits(phone, "6-decision")
    room.answer(people[0], item_id, agrees=False, text="Her mother needs support, not a plan")
    expect(phone.locator("#region-decision")).to_contain_text("Minority views", timeout=LIVE)
    fits(phone, "6-decision-answered")

    next_item(room)
    expect(phone.locator("#region-stage h2")).to_have_text(CHOICE["title"], timeout=LIVE)
    fits(phone, "7-next-item")
    round_id = room.open_round()
    rate_all(room, people, round_id, [{"choice": c} for c in CHOICE_NOW])
    room.reveal(round_id)
    expect(phone.locator("#region-stage")).to_contain_text("revealed", timeout=LIVE)
    fits(phone, "8-choice-revealed")
    chart_is_clear(phone, "8-choice-revealed")


def first_meeting(room: Room) -> int:
    """Hold and close a meeting on a likelihood × severity item and a choice list."""
    earlier = room.new_meeting(LXS, CHOICE, title="Initial conference")
    people = [room.join(name, agency) for name, agency in PEOPLE]
    room.start()
    round_id = open_round(room, basis="inherent")
    rate_all(room, people, round_id, [{"likelihood": lk, "severity": s} for lk, s in LXS_THEN])
    room.reveal(round_id)
    decide(room, round_id)
    next_item(room)
    round_id = room.open_round()
    rate_all(room, people, round_id, [{"choice": c} for c in CHOICE_THEN])
    room.reveal(round_id)
    decide(room, round_id, text="Child-protection plan")
    sent(room.chair.http.post(f"/meetings/{earlier}/close"), "close")
    for person in people:
        person.context.close()
    return earlier


def test_a_phone_at_360_px_sees_then_and_now_at_a_review(room):
    review = room.review_of(first_meeting(room))
    people = [room.join(name, agency) for name, agency in PEOPLE]
    phone = open_phone(people[0], f"{room.base}/m/{review}")
    fits(phone, "review-1-lobby")
    room.start()
    expect(phone.locator("#region-stage h2")).to_have_text(LXS["title"], timeout=LIVE)
    expect(phone.locator("#connection")).to_have_text("Live", timeout=LIVE)
    chair = room.chair.context.new_page()
    chair.goto(f"{room.base}/meetings/{review}")
    expect(chair.locator("#connection")).to_have_text("Live", timeout=LIVE)

    # Likelihood × severity: then and now, stacked, and the movement in words.
    round_id = open_round(room, basis="inherent")
    fits(phone, "review-2-round-open")
    likelihood, severity = LXS_NOW[0]
    rate_on_phone(phone, likelihood=likelihood, severity=severity)
    rate_all(
        room, people[1:], round_id, [{"likelihood": lk, "severity": s} for lk, s in LXS_NOW[1:]]
    )
    fits(phone, "review-3-rated")
    room.reveal(round_id)
    movement_said(phone, ["rated higher risk", "rated lower risk", "no change"], "review-4")
    fits(phone, "review-4-revealed-lxs")
    headline_below_the_controls(chair, "review-4")

    # The decision: Priya disagrees; the chair's cockpit brings her words into view.
    decide(room, round_id)
    room.answer(people[0], room.current_item_id(), agrees=False, text="Evenings are the worry")
    dissent = chair.locator("#region-decision .minority-view").first
    expect(dissent).to_be_visible(timeout=LIVE)
    below_the_controls(chair, dissent, "review-4-dissent")
    expect(phone.locator("#region-decision")).to_contain_text("Minority views", timeout=LIVE)
    fits(phone, "review-4-decision")

    # A choice list: then and now are whole sentences, stacked all the same.
    next_item(room)
    expect(phone.locator("#region-stage h2")).to_have_text(CHOICE["title"], timeout=LIVE)
    round_id = room.open_round()
    rate_all(room, people, round_id, [{"choice": c} for c in CHOICE_NOW])
    room.reveal(round_id)
    movement_said(phone, ["changed", "the same"], "review-5")
    fits(phone, "review-5-revealed-choice")
    chart_is_clear(phone, "review-5-revealed-choice")
    headline_below_the_controls(chair, "review-5")


def headline_below_the_controls(chair: Page, stage: str) -> None:
    """In the cockpit, the spread's headline scrolled into view sits below the controls."""
    headline = chair.locator("#region-stage .spread .summary").first
    expect(headline).to_be_visible(timeout=LIVE)
    below_the_controls(chair, headline, stage)


def below_the_controls(chair: Page, locator, stage: str) -> None:
    """Scrolled into view (as the cockpit does on a reveal or a dissent), the thing sits in
    its column below the column's sticky controls, if it has them, and on the screen."""
    locator.evaluate(
        "el => { el.closest('.cockpit-col').scrollTop = 1e6; el.scrollIntoView({block: 'start'}); }"
    )
    column = locator.evaluate_handle("el => el.closest('.cockpit-col')").as_element()
    controls = column.query_selector(".region-controls")
    floor = column.bounding_box()["y"]
    if controls is not None:
        box = controls.bounding_box()
        floor = box["y"] + box["height"]
    top = locator.bounding_box()["y"]
    assert floor <= top < chair.viewport_size["height"] - 40, (
        f"{stage}: scrolled into view at {top}, not below {floor}"
    )
    shot(chair, f"phones-{stage}-cockpit", full_page=False)
