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


def latest(meeting: Meeting) -> int:
    """Return the id of the meeting's newest event line (0 if none): a mark of its state.

    Every change writes a line, so a page drawn at mark N is out of date once there is a
    line after N.
    """
    newest = session_of(meeting).scalar(
        select(func.max(Event.id)).where(Event.meeting_id == meeting.id)
    )
    return int(newest or 0)
