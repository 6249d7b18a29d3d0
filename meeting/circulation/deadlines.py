"""Where a meeting's minutes stand against their deadlines, in working days."""

from dataclasses import dataclass

from ..clock import local_date
from ..models import CorrectionStatus, Meeting, MeetingStatus
from ..policy import Policy
from .corrections import closes_after, corrections
from .recipients import undelivered
from .versions import circulated


@dataclass(frozen=True)
class Clock:
    """Where a meeting's minutes stand against the working-day deadlines."""

    state: str  # "", "due", "overdue", "circulated", "corrections"
    text: str


def _days(n: int) -> str:
    return f"{n} working day{'' if n == 1 else 's'}"


def clock(meeting: Meeting, policy: Policy) -> Clock:
    """Say when the minutes are due, or how their circulation and corrections stand."""
    if meeting.status != MeetingStatus.CLOSED or meeting.closed_at is None:
        return Clock("", "After the meeting closes")
    days = policy.working_days
    today = policy.today()
    shown = circulated(meeting)
    if not shown:
        closed = local_date(meeting.closed_at, policy.zone)
        summary_due = days.add(closed, policy.summary_days)
        due = days.add(closed, policy.due_days)
        if today > due:
            late = days.between(due, today)
            return Clock("overdue", f"Overdue by {_days(late)}: were due {due:%a %-d %b}")
        left = days.between(today, due)
        text = f"Due {due:%a %-d %b} ({_days(left)} left)"
        if today > summary_due:
            text += f"; the summary was due {summary_due:%a %-d %b}"
        else:
            text += f"; summary due {summary_due:%a %-d %b}"
        return Clock("due", text)
    newest = shown[-1]
    assert newest.circulated_at is not None
    circulated_on = local_date(newest.circulated_at, policy.zone)
    text = f"Circulated {circulated_on:%a %-d %b}, version {newest.number}"
    pending = [c for c in corrections(meeting) if c.status == CorrectionStatus.PENDING]
    unsent = undelivered(newest)
    if unsent:
        text += f"; {len(unsent)} not delivered"
    if pending:
        return Clock("corrections", text + f"; {len(pending)} correction(s) to answer")
    closes = closes_after(shown[0], policy)
    if today <= closes:
        left = days.between(today, closes)
        return Clock(
            "corrections",
            text + f"; corrections open until {closes:%a %-d %b} ({_days(left)} left)",
        )
    return Clock("circulated", text + "; corrections closed")
