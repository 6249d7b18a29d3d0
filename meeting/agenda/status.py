"""Where a meeting stands, as the rules that change it check it: closed meetings are
read-only, and what happens in the room waits for the meeting to start."""

from ..errors import Refused
from ..models import Meeting, MeetingStatus

CLOSED = "This meeting is closed; its record can be read but not changed."


def writable(meeting: Meeting) -> None:
    """Refuse any change to a closed meeting."""
    if meeting.status == MeetingStatus.CLOSED:
        raise Refused(CLOSED)


def running(meeting: Meeting, not_yet: str = "The meeting has not started yet.") -> None:
    """Refuse what only a running meeting does: closed, or not started (`not_yet` says so)."""
    writable(meeting)
    if meeting.status != MeetingStatus.RUNNING:
        raise Refused(not_yet)
