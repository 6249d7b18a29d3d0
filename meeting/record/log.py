"""The event log: a line for each change, saying who did what, when, and what it replaced.

The rule that makes a change writes its line, in the same transaction as the change.
"""

from ..models import Event, Meeting, session_of


def log(meeting: Meeting, actor: str, action: str, detail: str = "") -> None:
    """Append a line to the meeting's event log; `detail` keeps what a change replaced."""
    session_of(meeting).add(
        Event(meeting_id=meeting.id, actor=actor[:200], action=action[:300], detail=detail)
    )
