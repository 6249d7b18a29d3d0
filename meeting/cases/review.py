"""A review: the meeting that follows an earlier one of the case, when it is due, and the
form that arranges it, filled in from the meeting it reviews."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from ..models import ChildCase, Item, Meeting, MeetingStatus, ReviewTrigger
from ..policy import Policy

# A review six weeks on is the usual rhythm when a decision set no review date.
USUAL_REVIEW = timedelta(weeks=6)


def review_form(earlier: Meeting, policy: Policy) -> dict[str, str]:
    """Return the new-meeting form filled in for a review of an earlier meeting: the same
    kind, child and place, on the review date its decisions set (or six weeks on); or, when
    a review trigger makes it due now (as `review_due` says), today or the next working day.
    """
    when = due_by_decisions(earlier) or (earlier.starts_at.date() + USUAL_REVIEW)
    if brought_forward(earlier) or when < policy.today():
        when = policy.working_days.on_or_after(policy.today())
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


def waiting_triggers(case: ChildCase) -> list[ReviewTrigger]:
    """Return the review triggers that make the case's review due now: those no meeting
    held (closed) has answered yet."""
    return [
        t
        for t in case.triggers
        if t.answered_by is None or t.answered_by.status != MeetingStatus.CLOSED
    ]


def brought_forward(earlier: Meeting) -> list[ReviewTrigger]:
    """Return the review triggers that bring forward the review of an earlier meeting."""
    return waiting_triggers(earlier.case) if earlier.case is not None else []


def review_due(case: ChildCase) -> Due:
    """Return when the next review is due: now, when a trigger waits for one; else the
    review date the latest closed meeting set; a meeting not yet held is the one arranged."""
    upcoming = next((m for m in reversed(case.meetings) if m.status != MeetingStatus.CLOSED), None)
    waiting = waiting_triggers(case)
    if waiting:
        reasons = "; ".join(t.reason for t in waiting)
        return Due(None, True, reasons, upcoming)
    closed = [m for m in case.meetings if m.status == MeetingStatus.CLOSED]
    on = due_by_decisions(closed[-1]) if closed else None
    return Due(on, False, "the review date the last meeting set" if on else "", upcoming)


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
