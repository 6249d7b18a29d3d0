"""No start-again: a review's items copied from the last meeting are marked until the chair
edits or confirms each, beside the chronology since; an action carried to review after
review says so; the chair sees what earlier meetings decided on the item under discussion.

The rules first, on plain objects (no Flask, no database); then through the pages.
"""

import re
from datetime import date, datetime, timedelta

from conftest import log_in, make_chair, make_meeting, text_of
from test_cases import DECISION, REVIEW_DECISION, Case, day, first_meeting, reviewed

from meeting.cases import copied
from meeting.cases.again import (
    CarriedAgain,
    carried_again,
    counted,
    earlier_decisions,
    ordinal,
    said_words,
    short,
)
from meeting.extensions import db
from meeting.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    ChildCase,
    ChronologyEntry,
    Decision,
    DecisionStatus,
    Event,
    Item,
    Meeting,
    MeetingStatus,
)

TODAY = date.today()
MARK = "From the last meeting: review before the meeting"
SINCE = "Missing for 3 hours, returned by police"
BEFORE = "Missing, found at 2am"  # first_meeting's entry, from before that meeting
HTMX = {"HX-Request": "true"}


# The rules ---------------------------------------------------------------------------------


def test_ordinals_and_counts_read_as_a_chair_would_say_them():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st",
        "111th",
    ]  # fmt: skip
    assert counted(1, "review") == "one review"
    assert counted(2, "review") == "two reviews"
    assert counted(12, "review") == "12 reviews"


def test_what_the_reviews_said_is_counted_in_the_order_it_was_first_said():
    not_done, partly = ActionStatus.NOT_DONE, ActionStatus.PARTLY
    assert said_words((not_done, not_done)) == "not done at two reviews"
    assert said_words((partly, not_done, None)) == (
        "partly done at one review, not done at one review and not answered at one review"
    )
    assert said_words((None,)) == "not answered at one review"
    assert said_words(()) == ""


def test_a_carried_action_says_how_many_times_and_what_each_review_said():
    agreed = TODAY - timedelta(days=120)
    line = CarriedAgain(3, agreed, (ActionStatus.NOT_DONE, ActionStatus.NOT_DONE))
    assert line.again
    day_month = f"{agreed.day} {agreed:%b}"
    assert line.words(agreed.year) == (
        f"Carried for the 3rd time: agreed {day_month}, not done at two reviews"
    )
    assert line.words(agreed.year + 1) == (
        f"Carried for the 3rd time: agreed {day_month} {agreed.year}, not done at two reviews"
    )
    assert not CarriedAgain(1, agreed, ()).again, "the first review just carries it"


def _chain(*statuses: MeetingStatus) -> list[Meeting]:
    """Meetings of one case, each reviewing the one before, six weeks apart."""
    meetings: list[Meeting] = []
    for n, status in enumerate(statuses, start=1):
        held = datetime.combine(
            TODAY - timedelta(weeks=6 * (len(statuses) - n)), datetime.min.time()
        )
        meetings.append(
            Meeting(id=n, title=f"Meeting {n}", starts_at=held, status=status,
                    previous=meetings[-1] if meetings else None)
        )  # fmt: skip
    return meetings


def test_an_action_is_counted_along_the_chain_of_meetings():
    closed, running = MeetingStatus.CLOSED, MeetingStatus.RUNNING
    first, second, third, fourth = _chain(closed, closed, closed, running)
    action = Action(id=1, meeting=first, what="Refer to the exploitation team", owner_name="Jo")
    updates = [
        ActionUpdate(id=1, meeting_id=second.id, status=ActionStatus.DONE),
        # Changed at the same review: the latest stands.
        ActionUpdate(id=2, meeting_id=second.id, status=ActionStatus.NOT_DONE),
        # Said at the review now running: its own line shows it, not the count.
        ActionUpdate(id=4, meeting_id=fourth.id, status=ActionStatus.PARTLY),
    ]
    line = carried_again(action, fourth, updates)
    assert line == CarriedAgain(3, first.starts_at.date(), (ActionStatus.NOT_DONE, None))
    assert carried_again(action, second, updates).times == 1
    assert carried_again(action, first, updates) is None, "agreed at the meeting itself"
    elsewhere = _chain(closed, running)
    assert carried_again(action, elsewhere[1], updates) is None, "another case's chain"


def _decided(item: Item, text: str) -> Item:
    item.decision = Decision(status=DecisionStatus.RECORDED, text=text)
    return item


def test_earlier_decisions_follow_the_item_back_the_last_meeting_first():
    first, second, third = _chain(MeetingStatus.CLOSED, MeetingStatus.CLOSED, MeetingStatus.SETUP)
    long = "Child-protection plan " + "with a safety plan for the evenings " * 8
    then = _decided(Item(id=1, meeting=first, title="Risk", position=1), long)
    between = Item(id=2, meeting=second, title="Risk", position=1, previous_item=then)
    between.decision = Decision(status=DecisionStatus.DRAFT, text="A draft is not a decision")
    now = Item(id=3, meeting=third, title="Risk", position=1, previous_item=between)
    found = earlier_decisions(now)
    assert [(d.held, d.meeting.id) for d in found] == [(first.starts_at.date(), 1)]
    assert found[0].text == short(long) and found[0].text.endswith("…")
    assert len(found[0].text) <= 160 and "  " not in found[0].text
    _decided(between, "The plan continues")
    assert [d.text for d in earlier_decisions(now)] == ["The plan continues", short(long)]
    assert earlier_decisions(then) == []


def test_a_copied_item_waits_until_its_words_change_and_the_chronology_is_since_the_last():
    first, review = _chain(MeetingStatus.CLOSED, MeetingStatus.SETUP)
    case = ChildCase(child="K.M.")
    first.case, review.case = case, case
    copied_item = Item(id=2, meeting=review, title="Risk", body="No missing episodes",
                       position=1, previous_item_id=1)  # fmt: skip
    added_here = Item(id=3, meeting=review, title="Health", position=2)
    assert copied.awaiting(copied_item) and not copied.awaiting(added_here)
    assert copied.unreviewed(review) == [copied_item]
    copied.edited(copied_item, "Risk", "No missing episodes")
    assert copied.awaiting(copied_item), "saved as it was: not looked at again"
    copied.edited(copied_item, "Risk", "Missing for 3 hours since the last meeting")
    assert not copied.awaiting(copied_item) and copied.unreviewed(review) == []

    held = first.starts_at.date()
    entries = [
        ChronologyEntry(id=1, case=case, happened_on=held - timedelta(days=3), what="before",
                        meeting_id=first.id),
        ChronologyEntry(id=2, case=case, happened_on=held + timedelta(days=9), what="since"),
        ChronologyEntry(id=3, case=case, happened_on=held, what="that day", meeting_id=first.id),
        # Long ago, but new to the record: taken to this review.
        ChronologyEntry(id=4, case=case, happened_on=held - timedelta(days=40), what="late",
                        meeting_id=review.id),
    ]  # fmt: skip
    assert len(entries) == len(case.chronology)
    assert [e.what for e in copied.since_last(review)] == ["late", "that day", "since"]
    assert copied.since_last(first) == [], "a first meeting has no last one"


# Through the pages -------------------------------------------------------------------------


def _events(app, meeting_id: int, words: str) -> int:
    with app.app_context():
        rows = db.session.query(Event).filter(Event.meeting_id == meeting_id).all()
        return sum(words in e.action for e in rows)


def _copied_block(page: str, item_id: int) -> str:
    found = re.search(rf'<div class="copied" id="copied-{item_id}">(.*?)<p class="copied-steps">',
                      page, re.S)  # fmt: skip
    return text_of(found.group(1)) if found else ""


def test_set_up_marks_copied_items_until_confirmed_or_edited(app, sio):
    case, review, devices = reviewed(app)
    first = case.meetings[0]
    since = {"happened_on": day(0), "what": SINCE, "agency": "Police"}
    assert devices["Priya Shah"].post(f"/m/{review}/chronology", data=since).status_code == 302
    risk, plan = case.item_id(review, 1), case.item_id(review, 2)

    page = case.chair.get(f"/meetings/{review}").text
    for item_id in (risk, plan):
        block = _copied_block(page, item_id)
        assert MARK in block, item_id
        # Its words as the last meeting left them, beside what has happened since.
        assert SINCE in block and BEFORE not in block
    assert "Seen with older males" in _copied_block(page, risk)
    start = text_of(page.split('id="reports"')[1])
    assert "2 items from the last meeting not yet reviewed: 1. Risk of criminal" in start
    assert "you can still start" in start

    # Confirmed unchanged: the mark goes, once, however often it is pressed.
    for _twice in range(2):
        case.post(review, f"/items/{plan}/confirm")
    page = case.chair.get(f"/meetings/{review}").text
    assert _copied_block(page, plan) == "" and MARK in _copied_block(page, risk)
    assert re.search(rf'id="copied-{plan}">From the last meeting · looked at again', page)
    assert _events(app, review, "confirmed item 2 unchanged from the last meeting: Plan") == 1
    assert "1 item from the last meeting not yet reviewed: 1. Risk" in text_of(page)

    # Saved with its words as they were, it still waits; with new words, it is reviewed.
    fields = {"title": "Risk of criminal exploitation", "scale": "safety"}
    with app.app_context():
        body = case.people(review).meeting().items[0].body
    case.post(review, f"/items/{risk}", **fields, body=body)
    assert MARK in _copied_block(case.chair.get(f"/meetings/{review}").text, risk)
    case.post(review, f"/items/{risk}", **fields, body=f"{body}\n\n- {SINCE}")
    page = case.chair.get(f"/meetings/{review}").text
    assert MARK not in page and "not yet reviewed" not in page

    # Nobody else sees the mark, the chronology beside it or the warning.
    people = case.people(review)
    screen = app.test_client()
    watching = (
        (devices["Lena Okafor"], f"/m/{review}"),
        (screen, f"/display/{people.display_token}"),
    )
    for client, url in watching:
        seen = client.get(url, follow_redirects=True).text
        assert "review before the meeting" not in seen and "looked at again" not in seen

    # An item added at this meeting has nothing to confirm; nor has a started meeting.
    added = {"title": "Health", "body": "", "scale": "safety"}
    case.post(review, "/items", **added)
    fresh = case.item_id(review, 3)
    refused = case.chair.post(f"/meetings/{review}/items/{fresh}/confirm")
    assert refused.status_code == 409 and "nothing to confirm" in text_of(refused.text)
    people.start()
    late = case.chair.post(f"/meetings/{review}/items/{plan}/confirm")
    assert late.status_code == 409 and "The meeting has started" in text_of(late.text)
    assert _events(app, first, "confirmed") == 0


def _answer(case: Case, meeting_id: int, action_id: int, status: str, note: str) -> None:
    case.post(meeting_id, f"/carried/{action_id}", status=status, note=note)


def _actions(case: Case) -> dict[str, int]:
    with case.app.app_context():
        return {a.what: a.id for a in case.people(case.meetings[0]).meeting().actions}


def _held(case: Case, meeting_id: int) -> date:
    with case.app.app_context():
        return case.people(meeting_id).meeting().starts_at.date()


def three_reviews(app) -> tuple[Case, dict]:
    """The first meeting and three reviews: the referral not done at two of them, the
    attendance reports partly done at the first; a decision at the first review only."""
    make_chair(app)
    case = Case(app, log_in(app))
    first_meeting(case)
    actions = _actions(case)
    referral = actions["Refer to the exploitation team"]
    weekly = actions["Send weekly attendance to the social worker"]
    shared = actions["Share the missing reports with the school"]

    second = case.review_of(case.meetings[0])
    people = case.people(second)
    devices = case.join_all(people)
    people.start()
    _answer(case, second, referral, "not_done", "Waiting for consent")
    _answer(case, second, weekly, "partly", "Four weeks of six")
    _answer(case, second, shared, "done", "Sent")
    round_id = people.open_round()
    for name, score in {"Priya Shah": 3, "Tom Reid": 6, "Lena Okafor": 4}.items():
        assert people.rate(devices[name], round_id, score=score).status_code == 302
    assert people.reveal(round_id).status_code == 302
    case.post(second, f"/items/{case.item_id(second, 1)}/decision", intent="record",
              **REVIEW_DECISION)  # fmt: skip
    case.post(second, "/close")

    third = case.review_of(second)
    case.people(third).start()
    _answer(case, third, referral, "not_done", "Consent refused")
    case.post(third, "/close")

    fourth = case.review_of(third)
    return case, {"referral": referral, "weekly": weekly, "shared": shared, "fourth": fourth}


def test_the_cockpit_and_the_case_page_show_an_action_carried_again(app, sio):
    case, ids = three_reviews(app)
    fourth = ids["fourth"]
    agreed = _held(case, case.meetings[0])
    year = "" if _held(case, fourth).year == agreed.year else f" {agreed.year}"
    third_time = f"Carried for the 3rd time: agreed {agreed.day} {agreed:%b}{year}"
    referral = f"{third_time}, not done at two reviews"
    weekly = f"{third_time}, partly done at one review and not answered at one review"

    people = case.people(fourth)
    devices = case.join_all(people)
    people.start()
    cockpit = text_of(case.chair.get(f"/meetings/{fourth}").text)
    # Beside the item under discussion, before any round: for the chair alone.
    stage = text_of(case.chair.get(f"/m/{fourth}/region/stage", headers=HTMX).text)
    assert f"{referral} Refer to the exploitation team (Jo Bloggs, Social care)" in stage
    assert f"{weekly} Send weekly attendance" in stage
    assert "Share the missing reports" not in stage, "done at the first review"
    second_held, first_held = _held(case, case.meetings[1]), agreed
    assert (
        f"Earlier decisions on this item {second_held:%-d %b %Y} {REVIEW_DECISION['text']} "
        f"{first_held:%-d %b %Y} {DECISION['text']}"
    ) in stage
    # Both items came in unreviewed: the cockpit names them.
    assert "Not reviewed before the meeting: this item is the last meeting's words" in stage
    assert "Also not reviewed before the meeting: item 2, Plan." in stage
    # The carried actions in the case panel say it too.
    assert f"Refer to the exploitation team (from {agreed:%-d %b %Y}) {referral}" in cockpit

    # The case page writes the year when it is not this year's.
    case_page = text_of(case.chair.get(f"/cases/{case.case_id()}").text)
    year = "" if agreed.year == TODAY.year else f" {agreed.year}"
    on_case = f"Carried for the 3rd time: agreed {agreed.day} {agreed:%b}{year}, not done at two"
    assert f"Refer to the exploitation team (agreed {agreed:%-d %b %Y}) {on_case}" in case_page

    # Nothing of it reaches the room: not before the round, nor once it is revealed.
    lena, screen = devices["Lena Okafor"], app.test_client()
    display = people.open_display(screen)
    hidden = ["Carried for the", "Earlier decisions on this item", "Looking back", "Not reviewed"]

    def room_sees() -> str:
        return "".join(
            (
                lena.get(f"/m/{fourth}").text,
                lena.get(f"/m/{fourth}/region/stage", headers={"HX-Request": "true"}).text,
                lena.get(f"/m/{fourth}/region/case", headers={"HX-Request": "true"}).text,
                screen.get(display).text,
            )
        )

    before = room_sees()
    for words in [*hidden, REVIEW_DECISION["text"], DECISION["text"]]:
        assert words not in before, words
    round_id = people.open_round()
    for name in ("Priya Shah", "Tom Reid", "Lena Okafor"):
        assert people.rate(devices[name], round_id, score=5).status_code == 302
    assert people.reveal(round_id).status_code == 302
    after = room_sees()
    for words in hidden:
        assert words not in after, words


def test_the_first_review_carries_an_action_without_saying_again(app):
    case, review, _devices = reviewed(app)
    case.people(review).start()
    stage = case.chair.get(f"/m/{review}/region/stage", headers={"HX-Request": "true"}).text
    assert "Carried for the" not in stage
    held = _held(case, case.meetings[0])
    assert f"Earlier decisions on this item {held:%-d %b %Y}" in text_of(stage)
    # A meeting that is no review has nothing to look back on.
    alone = make_meeting(case.chair, {"title": "Risk", "body": "", "scale": "safety"})
    case.post(alone, "/start")
    page = case.chair.get(f"/meetings/{alone}").text
    assert "Looking back" not in page and "not yet reviewed" not in page


NOT_LOOKED_AT = (
    "This assessment is the last meeting's, copied word for word: the chair did not look "
    "at it again before this meeting."
)


def _section(minutes: str, position: int) -> str:
    """One item's section of the minutes, up to the next item's."""
    return minutes.split(f"## Item {position}:")[1].split("\n## ")[0]


def test_the_record_and_minutes_say_which_copied_items_were_never_looked_at_again(app, sio):
    case, review, _devices = reviewed(app)
    case.post(review, f"/items/{case.item_id(review, 2)}/confirm")
    case.post(review, "/items", title="Health", body="Two A&E visits", scale="safety")
    case.people(review).start()
    case.post(review, "/close")

    items = case.record(review)["items"]
    assert items[0]["copied"] == {"from_last_meeting": True, "looked_at_again_at": None}
    assert items[1]["copied"]["from_last_meeting"] is True
    assert items[1]["copied"]["looked_at_again_at"].startswith(TODAY.isoformat())
    assert items[2]["copied"] is None, "added at this meeting"

    minutes = case.minutes(review)
    assessed = _section(minutes, 1).split("### What was assessed")[1].split("### Ratings")[0]
    assert "Seen with older males" in assessed and NOT_LOOKED_AT in text_of(assessed)
    for position in (2, 3):
        assert "copied word for word" not in _section(minutes, position), position
