"""The event log: a line for each change, saying who did what, when, and what it replaced.

The rule that makes a change writes its line, in the same transaction as the change.
"""

from sqlalchemy import func, select

from ..models import Event, Meeting, session_of


def log(meeting: Meeting, actor: str, action: str, detail: str = "") -> None:
    """Append a line to the meeting's event log; `detail` keeps what a change replaced."""
    session_of(meeting).add(
        Event(meeting_id=meeting.id, actor=actor[:200], action=action[:300], detail=detail)
    )


def mark(meeting: Meeting) -> int:
    """Return how many lines the meeting's event log has: a mark of its state.

    Every change writes a line and none is ever removed, so a page drawn at mark N is out
    of date once the log is longer than N. It counts this meeting's lines only, so it says
    nothing about other meetings.
    """
    lines = session_of(meeting).scalar(
        select(func.count(Event.id)).where(Event.meeting_id == meeting.id)
    )
    return int(lines or 0)
