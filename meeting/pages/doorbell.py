"""The doorbell: tell open pages which regions of a meeting changed; they fetch them again.

Nothing rung carries meeting data: each page re-reads what its viewer may see.
"""

from typing import Any

from ..extensions import socketio
from ..models import Attendee, Meeting
from ..record.links import digest

# What every screen re-reads when the item under discussion, or its rounds, change.
STAGE = ("agenda", "controls", "stage", "progress", "rate")


def room(meeting_id: int, audience: str = "everyone") -> str:
    """Name the Socket.IO room of one audience of a meeting ("everyone" or "chair")."""
    return f"meeting-{meeting_id}-{audience}"


def person_room(attendee_id: int) -> str:
    """Name the Socket.IO room of one attendee's devices."""
    return f"attendee-{attendee_id}"


def display_room(secret: str) -> str:
    """Name the Socket.IO room of the screens opened with one display link.

    It is named by part of the link's digest, so a room name says nothing that opens it.
    """
    return f"display-{digest(secret)[:16]}"


def _ring(to: str, regions: tuple[str, ...], reload: bool) -> None:
    socketio.emit("changed", {"regions": list(regions), "reload": reload}, to=to)


def ring_everyone(meeting: Meeting, *regions: str, reload: bool = False) -> None:
    """Tell every admitted screen of a meeting which regions changed."""
    _ring(room(meeting.id), regions, reload)


def ring_chair(meeting: Meeting, *regions: str) -> None:
    """Tell the chair's screens which regions changed."""
    _ring(room(meeting.id, "chair"), regions, False)


def ring_attendee(attendee: Attendee) -> None:
    """Tell one attendee's devices to load their page again (admitted, turned away)."""
    _ring(person_room(attendee.id), (), True)


def chair_room(chair_id: int) -> str:
    """Name the Socket.IO room of all one chair's connections, whatever meeting they show."""
    return f"chair-{chair_id}"


def drop_connections(to: str) -> None:
    """Close every live connection in a room (a chair who logged out, someone removed).

    Each server process holds its own connections and closes those it holds.
    """
    server = _server()
    for sid, _engine_sid in list(server.manager.get_participants("/", to)):
        server.disconnect(sid, namespace="/")


def end_display(secret: str) -> None:
    """Send every screen opened with a display link that no longer works back to that link
    (which now says so), and close their live connections."""
    _ring(display_room(secret), (), True)
    drop_connections(display_room(secret))


def leave_meeting(meeting: Meeting, attendee: Attendee) -> None:
    """Take someone's connections out of the meeting's room: they hear only about themselves.

    Used when the chair removes someone, so their device stops hearing the meeting.
    """
    server = _server()
    for sid, _engine_sid in list(server.manager.get_participants("/", person_room(attendee.id))):
        server.leave_room(sid, room(meeting.id), namespace="/")


def _server() -> Any:
    """Return the python-socketio server that Flask-SocketIO made for the app."""
    return vars(socketio)["server"]
