"""A child's case across meetings: reviews that start from the last decision, actions
carried forward with what became of them, forecasts answered, the chronology, triggers.

Plain functions over the models, like the rest of the domain: views parse, call, render.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import select

from ..clock import parse_date
from ..errors import Invalid, Refused
from ..models import (
    Action,
    ActionStatus,
    ActionUpdate,
    AnySession,
    Attendee,
    Chair,
    ChildCase,
    ChronologyEntry,
    Decision,
    ForecastOutcome,
    ForecastResult,
    Item,
    Meeting,
    MeetingStatus,
    ReviewTrigger,
    session_of,
    utcnow,
    word_of,
)
from ..record.log import log
from ..record.seen import fingerprint, hold

if TYPE_CHECKING:
    from ..policy import Policy

# A review six weeks on is the usual rhythm when a decision set no review date.
USUAL_REVIEW = timedelta(weeks=6)


# Who may see a case --------------------------------------------------------------------


def may_see(case: ChildCase, chair: Chair, policy: "Policy") -> bool:
    """Say whether a chair may open a case: they ran one of its meetings, or manage cases."""
    if chair.email.lower() in policy.case_managers:
        return True
    return case.created_by_id == chair.id or any(m.chair_id == chair.id for m in case.meetings)


def cases_for(session: AnySession, chair: Chair, policy: "Policy") -> list[ChildCase]:
    """Return the cases a chair may open, the latest meeting first."""
    every = session.scalars(select(ChildCase).order_by(ChildCase.id.desc()))
    shown = [c for c in every if may_see(c, chair, policy)]
    return sorted(
        shown, key=lambda c: latest(c).starts_at if c.meetings else c.created_at, reverse=True
    )


def latest(case: ChildCase) -> Meeting:
    """Return the case's latest meeting."""
    return case.meetings[-1]


# Making a meeting of a case ------------------------------------------------------------

# The largest id a row can have (a 32-bit integer, as addresses allow: `factory.RowId`).
LARGEST_ID = 2**31 - 1


def row_id(raw: object) -> int | None:
    """Read a row's id as typed or sent: plain digits within range, else None."""
    text = str(raw or "").strip()
    if not (text.isascii() and text.isdigit()) or int(text) > LARGEST_ID:
        return None
    return int(text)


def reviewable(session: AnySession, chair: Chair, raw: object, policy: "Policy") -> Meeting | None:
    """Return the meeting a chair may arrange a review of (an id as sent), or None."""
    number = row_id(raw)
    earlier = session.get(Meeting, number) if number is not None else None
    if earlier is None or earlier.case is None or not may_see(earlier.case, chair, policy):
        return None
    return earlier


def case_for(
    session: AnySession, chair: Chair, form: Mapping[str, str], child: str, policy: "Policy"
) -> tuple[ChildCase, Meeting | None]:
    """Return the case a new meeting joins and the meeting it reviews (None: the first).

    The form names a meeting to review (`review_of`) or a case to join (`case_id`, the
    review of its latest meeting); with neither, the meeting starts a case of its own.
    """
    review_of = (form.get("review_of") or "").strip()
    case_id = (form.get("case_id") or "").strip()
    if review_of:
        earlier = reviewable(session, chair, review_of, policy)
        if earlier is None or earlier.case is None:
            raise Invalid({"case_id": "That meeting cannot be reviewed from your account."})
        return earlier.case, earlier
    if case_id:
        number = row_id(case_id)
        case = session.get(ChildCase, number) if number is not None else None
        if case is None or not may_see(case, chair, policy):
            raise Invalid({"case_id": "Pick one of your cases, or start a new one."})
        # It reviews the case's last meeting held (a review arranged but not held is not).
        held = [m for m in case.meetings if m.status == MeetingStatus.CLOSED]
        chosen = held or case.meetings
        return case, chosen[-1] if chosen else None
    case = ChildCase(child=child, created_by=chair)
    session.add(case)
    return case, None


def begin(meeting: Meeting, case: ChildCase, earlier: Meeting | None) -> None:
    """Put a new meeting in its case; a review copies the agenda it follows.

    Each item keeps its title, assessment and scale, and knows the item it continues, so
    its previous decision and ratings can be shown once its new round is revealed. Triggers
    still waiting for a review, and chronology entries not yet taken to a meeting, are this
    meeting's to answer and discuss.
    """
    meeting.case = case
    meeting.previous = earlier
    if earlier is not None:
        for each in earlier.items:
            meeting.items.append(
                Item(
                    position=each.position,
                    title=each.title,
                    body=each.body,
                    scale=each.scale,
                    choices=list(each.choices),
                    previous_item=each,
                )
            )
    session_of(case).flush()
    for trigger in case.triggers:
        if trigger.answered_by_id is None:
            trigger.answered_by_id = meeting.id
    for entry in case.chronology:
        if entry.meeting_id is None:
            entry.meeting_id = meeting.id


def review_form(earlier: Meeting, policy: "Policy") -> dict[str, str]:
    """Return the new-meeting form filled in for a review of an earlier meeting: the same
    kind, child and place, on the review date its decisions set (or six weeks on)."""
    when = due_by_decisions(earlier) or (earlier.starts_at.date() + USUAL_REVIEW)
    if when < policy.today():
        when = policy.today()
    title = earlier.title if earlier.title.startswith("Review") else f"Review: {earlier.title}"
    return {
        "review_of": str(earlier.id),
        "title": title,
        "kind": earlier.kind,
        "child": earlier.child,
        "place": earlier.place,
        "starts_at": f"{when.isoformat()}T{earlier.starts_at:%H:%M}",
        "chair_role": earlier.seat.role,
    }


# When the next review is due -----------------------------------------------------------


def due_by_decisions(meeting: Meeting) -> date | None:
    """Return the earliest review date a meeting's recorded decisions set."""
    dates = [
        i.decision.review_date
        for i in meeting.items
        if i.decision is not None and i.decision.recorded and i.decision.review_date
    ]
    return min(dates, default=None)


@dataclass(frozen=True)
class Due:
    """When the case's next review is due, and why."""

    on: date | None
    now: bool
    reason: str
    # The meeting already arranged for it, if any.
    arranged: Meeting | None = None


def review_due(case: ChildCase) -> Due:
    """Return when the next review is due: now, when a trigger waits for one; else the
    review date the latest closed meeting set; a meeting not yet held is the one arranged."""
    upcoming = next((m for m in reversed(case.meetings) if m.status != MeetingStatus.CLOSED), None)
    waiting = [
        t
        for t in case.triggers
        if t.answered_by is None or t.answered_by.status != MeetingStatus.CLOSED
    ]
    if waiting:
        reasons = "; ".join(t.reason for t in waiting)
        return Due(None, True, reasons, upcoming)
    closed = [m for m in case.meetings if m.status == MeetingStatus.CLOSED]
    on = due_by_decisions(closed[-1]) if closed else None
    return Due(on, False, "the review date the last meeting set" if on else "", upcoming)


# Actions carried forward ---------------------------------------------------------------


Row = TypeVar("Row", Meeting, Item)


def back_from(row: Row, step: Callable[[Row], Row | None]) -> list[Row]:
    """Return the rows before `row` along `step`, the nearest first (a loop ends it)."""
    earlier, seen = [], {row.id}
    at = step(row)
    while at is not None and at.id not in seen:
        earlier.append(at)
        seen.add(at.id)
        at = step(at)
    return earlier


def chain(meeting: Meeting) -> list[Meeting]:
    """Return the meetings this one follows, the one it reviews first, then back."""
    return back_from(meeting, lambda m: m.previous)


def updates_of(session: AnySession, actions: list[Action]) -> dict[int, list[ActionUpdate]]:
    """Return each action's updates, oldest first."""
    if not actions:
        return {}
    rows = session.scalars(
        select(ActionUpdate)
        .where(ActionUpdate.action_id.in_([a.id for a in actions]))
        .order_by(ActionUpdate.id)
    )
    found: dict[int, list[ActionUpdate]] = {a.id: [] for a in actions}
    for row in rows:
        found[row.action_id].append(row)
    return found


@dataclass(frozen=True)
class Carried:
    """An action from an earlier meeting, as this review sees it."""

    action: Action
    # What was said of it for this review (the latest), and at an earlier review.
    update: ActionUpdate | None
    before: ActionUpdate | None
    overdue: bool
    # Where it was agreed: "the last meeting" or the date of an earlier one.
    agreed_at: Meeting

    @property
    def status(self) -> ActionStatus | None:
        return ActionStatus(self.update.status) if self.update else None


def carried(meeting: Meeting) -> list[Carried]:
    """Return the actions a review looks back on: every standing action of the meeting it
    reviews, and any from before that an earlier review did not see finished."""
    earlier = chain(meeting)
    if not earlier:
        return []
    ids = {m.id for m in earlier}
    actions = [a for m in earlier for a in m.actions if a.withdrawn_at is None]
    updates = updates_of(session_of(meeting), actions)
    # Overdue as at the day the review was held; before it starts, as at today.
    held_on = (meeting.started_at or utcnow()).date()
    found = []
    for action in sorted(actions, key=lambda a: (a.meeting.starts_at, a.id)):
        said = updates[action.id]
        before = [u for u in said if u.meeting_id in ids]
        here = [u for u in said if u.meeting_id == meeting.id]
        last_before = before[-1] if before else None
        if last_before is not None and ActionStatus(last_before.status).closes:
            continue
        update = here[-1] if here else None
        finished = update is not None and ActionStatus(update.status).closes
        found.append(
            Carried(
                action=action,
                update=update,
                before=last_before,
                overdue=not finished and action.due < held_on,
                agreed_at=action.meeting,
            )
        )
    return found


def owns(action: Action, attendee: Attendee | None) -> bool:
    """Say whether someone at a review is the owner of an action from an earlier meeting:
    the same email, or the same name and agency as the owner gave then."""
    if attendee is None or attendee.is_chair:
        return False
    owner = action.owner
    if owner is not None and owner.email and attendee.email:
        return owner.email.strip().lower() == attendee.email.strip().lower()
    same = attendee.name.strip().casefold() == action.owner_name.strip().casefold()
    return same and attendee.agency.strip().casefold() == action.agency.strip().casefold()


def mine(meeting: Meeting, attendee: Attendee | None) -> list[Carried]:
    """Return the carried actions someone at the review owns."""
    return [c for c in carried(meeting) if owns(c.action, attendee)]


def answer_shown(answer: ActionUpdate | ForecastOutcome | None) -> list[int]:
    """Return what a form answering an action or a forecast showed: the answer standing."""
    return [answer.id if answer is not None else 0]


def _unchanged(form: Mapping[str, str], answer: Any, reads: Callable[[Any], str]) -> None:
    """Refuse an answer drawn before another one was given (a second window, the owner and
    the chair at once): it is shown with the answer now standing, never saved over it."""
    if not form.get("based_on") or form.get("based_on") == fingerprint(answer_shown(answer)):
        return
    if answer is None:
        raise Refused(
            "This changed after your form was drawn, so yours was not saved; what you "
            "picked is kept below. Check it and save again."
        )
    raise Refused(
        f"{answer.by_name} answered this meanwhile: {reads(answer).rstrip(': ')}. "
        "Yours was not saved; what you picked is kept below. Check it and save again."
    )


def _open_for_review(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CLOSED:
        raise Refused("This meeting is closed; its record can be read but not changed.")


def set_status(
    meeting: Meeting,
    action: Action,
    form: Mapping[str, str],
    by: Attendee | None,
) -> ActionUpdate:
    """Say what became of a carried action: its owner from their device (`by`), or the chair.

    Each time is a line of its own; the latest stands, and the log keeps who said what.
    """
    _open_for_review(meeting)
    if not any(c.action.id == action.id for c in carried(meeting)):
        raise Refused("That action is not one this review looks back on.")
    if by is not None and not owns(action, by):
        raise Refused(f"Only {action.owner_name} or the chair can say what became of it.")
    # Held, then read afresh: an answer from another device meanwhile is a conflict.
    hold(action)
    standing = session_of(meeting).scalar(
        select(ActionUpdate)
        .where(ActionUpdate.action_id == action.id, ActionUpdate.meeting_id == meeting.id)
        .order_by(ActionUpdate.id.desc())
        .limit(1)
    )
    _unchanged(form, standing, lambda u: f"{u.status.label}: {u.note}")
    errors: dict[str, str] = {}
    status = word_of(ActionStatus, form.get("status") or "")
    if status is None:
        errors["status"] = (
            "Choose what became of it: done, partly done, not done or no longer needed."
        )
    note = (form.get("note") or "").strip()
    if status is not None and status != ActionStatus.DONE and not note:
        errors["note"] = "Add a line on what happened."
    if errors:
        raise Invalid(errors)
    assert status is not None
    name = by.name if by is not None else meeting.chair.name
    update = ActionUpdate(
        action=action,
        meeting_id=meeting.id,
        status=status,
        note=note,
        by_name=name,
        by_owner=by is not None,
    )
    session_of(meeting).add(update)
    was = f"Was: {standing.status.label}: {standing.note}" if standing else ""
    session_of(meeting).flush()
    log(
        meeting,
        name,
        f"marked the action for {action.owner_name} “{action.what[:80]}”: {status.label}",
        "\n".join(x for x in (note, was) if x),
        update,
    )
    return update


# Forecasts and what happened -----------------------------------------------------------


@dataclass(frozen=True)
class Forecast:
    """One line of what an earlier decision forecast for its review, and what happened."""

    item: Item
    decision: Decision
    line: int
    text: str
    outcome: ForecastOutcome | None


def outcomes_of(session: AnySession, decisions: list[Decision]) -> list[ForecastOutcome]:
    """Return every answer given to these decisions' forecasts, oldest first."""
    if not decisions:
        return []
    return list(
        session.scalars(
            select(ForecastOutcome)
            .where(ForecastOutcome.decision_id.in_([d.id for d in decisions]))
            .order_by(ForecastOutcome.id)
        )
    )


def forecasts(meeting: Meeting, item: Item | None = None) -> list[Forecast]:
    """Return the forecasts a review answers: those of the decisions at the meeting it
    reviews (on one item, when given), each with its latest answer at this review."""
    earlier = meeting.previous
    if earlier is None:
        return []
    decided = [
        i.decision
        for i in earlier.items
        if i.decision is not None
        and i.decision.recorded
        and (item is None or item.previous_item_id == i.id)
    ]
    answers: dict[tuple[int, int], ForecastOutcome] = {}
    for row in outcomes_of(session_of(meeting), [d for d in decided if d is not None]):
        if row.meeting_id == meeting.id:
            answers[(row.decision_id, row.line)] = row
    return [
        Forecast(d.item, d, n, text, answers.get((d.id, n)))
        for d in decided
        if d is not None
        for n, text in enumerate(d.forecasts, start=1)
    ]


def answer_forecast(
    meeting: Meeting, decision: Decision, line: int, form: Mapping[str, str]
) -> ForecastOutcome:
    """Record what happened against one line of an earlier decision's forecast."""
    _open_for_review(meeting)
    hold(decision)
    found = next(
        (f for f in forecasts(meeting) if f.decision.id == decision.id and f.line == line), None
    )
    if found is None:
        raise Refused("That forecast is not one this review answers.")
    _unchanged(form, found.outcome, lambda o: f"{o.result.label}: {o.note}")
    errors: dict[str, str] = {}
    result = word_of(ForecastResult, form.get("result") or "")
    if result is None:
        errors["result"] = "Choose met, partly met or not met."
    note = (form.get("note") or "").strip()
    if result is not None and result != ForecastResult.MET and not note:
        errors["note"] = "Add a line on what happened."
    if errors:
        raise Invalid(errors)
    assert result is not None
    outcome = ForecastOutcome(
        decision=decision,
        meeting_id=meeting.id,
        line=line,
        forecast=found.text,
        result=result,
        note=note,
        by_name=meeting.chair.name,
    )
    session_of(meeting).add(outcome)
    session_of(meeting).flush()
    was = f"Was: {found.outcome.result.label}: {found.outcome.note}" if found.outcome else ""
    log(
        meeting,
        meeting.chair.name,
        f"answered the forecast “{found.text[:80]}” on {found.item.title}: {result.label}",
        "\n".join(x for x in (note, was) if x),
        outcome,
    )
    return outcome


# The chronology and review triggers ----------------------------------------------------


def add_entry(
    case: ChildCase,
    meeting: Meeting | None,
    form: Mapping[str, str],
    by: str,
    policy: "Policy",
) -> ChronologyEntry:
    """Add a significant event to the case's chronology, during or before `meeting`."""
    if meeting is not None:
        _open_for_review(meeting)
    errors: dict[str, str] = {}
    try:
        happened = parse_date(form.get("happened_on"))
    except ValueError:
        happened = None
        errors["happened_on"] = f"Enter the date as a date, e.g. {policy.today():%Y-%m-%d}."
    else:
        if happened is None:
            errors["happened_on"] = "Enter the date it happened."
        elif happened > policy.today():
            errors["happened_on"] = "A chronology records what has happened: not a future date."
    what = (form.get("what") or "").strip()
    if not what:
        errors["what"] = "Say what happened."
    agency = (form.get("agency") or "").strip()[:120]
    if not agency:
        errors["agency"] = "Say which agency this comes from."
    if errors:
        raise Invalid(errors)
    assert happened is not None
    if meeting is None:
        meeting = next((m for m in case.meetings if m.status != MeetingStatus.CLOSED), None)
    entry = ChronologyEntry(
        case=case,
        meeting_id=meeting.id if meeting else None,
        happened_on=happened,
        what=what,
        agency=agency,
        added_by=by[:200],
    )
    session_of(case).add(entry)
    if meeting is not None:
        log(meeting, by, f"added to the chronology: {happened:%-d %b %Y}, {agency}", what)
    return entry


def discussed_at(meeting: Meeting) -> list[ChronologyEntry]:
    """Return the chronology entries taken to a meeting, in date order."""
    if meeting.case is None:
        return []
    return [e for e in meeting.case.chronology if e.meeting_id == meeting.id]


def record_trigger(case: ChildCase, form: Mapping[str, str], by: str) -> ReviewTrigger:
    """Record that something happened which brings the review forward: it is due now."""
    reason = (form.get("reason") or "").strip()
    if not reason:
        raise Invalid({"reason": "Say what happened that brings the review forward."})
    trigger = ReviewTrigger(case=case, reason=reason, recorded_by=by[:200])
    session_of(case).add(trigger)
    upcoming = next((m for m in case.meetings if m.status != MeetingStatus.CLOSED), None)
    if upcoming is not None and upcoming.previous is not None:
        # The review already arranged answers it, brought forward if need be.
        session_of(case).flush()
        trigger.answered_by_id = upcoming.id
        log(upcoming, by, "recorded that a review trigger occurred", reason)
    return trigger


def brought_forward_by(meeting: Meeting) -> list[ReviewTrigger]:
    """Return the triggers a review was arranged to answer."""
    if meeting.case is None:
        return []
    return [t for t in meeting.case.triggers if t.answered_by_id == meeting.id]
