"""Socket.IO: a connection joins its meeting's rooms; the server rings, clients re-read.

Handlers work on a copy of the session taken at connect, so they only read it.
"""

import time
from typing import Any

from flask import current_app, request, session
from flask_socketio import emit, join_room
from werkzeug.exceptions import HTTPException

from ..cases.case import row_id
from ..extensions import socketio
from ..models import AttendeeStatus, MeetingStatus
from ..monitoring import counts
from ..pages.access import (
    device_attendee,
    display_meeting,
    get_meeting,
    shown_meeting,
    viewer_for,
)
from ..pages.doorbell import (
    audience_room,
    chair_room,
    count_in,
    count_out,
    display_room,
    person_room,
    room,
)
from ..pages.regions import REGIONS, SCENE
from ..rating.concealment import Audience
from ..record import log


@socketio.on("connect")
def connect(auth):
    """Join a page to the rooms it may hear; sent by every live page on connect, answered to it.

    Sent by every live page (chair, attendee or display) on (re)connect with its meeting
    (a display page: `screen`, the meeting whose display link this browser opened, the
    link's secret in a cookie; a program may send the secret itself as `display`, in the
    connection's first packet, never in an address), and `since`, the mark of the
    meeting's event log the page was drawn at. The meeting's chair and admitted attendees
    join its rooms, a display (while its link works and the meeting is open) the
    display's, someone waiting only their own; any other connection is refused. If the
    meeting changed since, this connection is told at once that every region changed;
    otherwise it hears only the doorbell's later
    `changed` events to the rooms joined here.
    """
    auth = auth if isinstance(auth, dict) else {}
    try:
        if auth.get("screen") or auth.get("display"):
            if auth.get("screen"):
                meeting = shown_meeting(int(auth["screen"]))
            else:
                meeting = display_meeting(str(auth["display"]))
            if meeting.status == MeetingStatus.CLOSED:
                return False
            join_room(room(meeting.id))
            join_room(room(meeting.id, "display"))
            # Its own room too, so stopping this link closes these screens and no others.
            _join_closable(display_room(meeting.display_token))
            _catch_up(meeting, auth)
            _counted("display")
            return True
        meeting = get_meeting(row_id(auth.get("meeting")) or 0)
    except (HTTPException, ValueError, TypeError):
        return False
    viewer = viewer_for(meeting)
    if viewer is not None:
        join_room(room(meeting.id))
        if viewer.attendee is not None:
            _join_closable(person_room(viewer.attendee.id))
        if viewer.kind == Audience.ATTENDEE:
            # The family hear in a room of their own: what the others are sent of a part
            # restricted from them never reaches them.
            join_room(room(meeting.id, audience_room(viewer)))
        if viewer.is_chair:
            join_room(room(meeting.id, "chair"))
            _join_closable(chair_room(meeting.chair_id))
            _close_when_log_in_ends(request.sid)  # type: ignore[attr-defined]
        _catch_up(meeting, auth)
        _counted("chair" if viewer.is_chair else "attendee")
        return True
    attendee = device_attendee(meeting)
    if attendee is not None and attendee.status == AttendeeStatus.WAITING:
        # Someone waiting hears only about themselves: admitted or turned away.
        _join_closable(person_room(attendee.id))
        _counted("waiting")
        return True
    return False


@socketio.on("disconnect")
def disconnect(*_reason):
    """Stop counting a closed connection in its rooms; sent as any page goes, answers nothing."""
    count_out(request.sid)  # type: ignore[attr-defined]
    counts.disconnected(request.sid)  # type: ignore[attr-defined]
    gone = _LOG_IN_WATCHED.pop(request.sid, None)  # type: ignore[attr-defined]
    if gone is not None:
        gone.set()


def _counted(kind: str) -> None:
    """Count this connection among the live ones this process holds, by its kind of page."""
    counts.connected(request.sid, kind)  # type: ignore[attr-defined]


def _join_closable(to: str) -> None:
    """Join a room that log-out, removal or a stopped link may close, on any process."""
    join_room(to)
    count_in(request.sid, to)  # type: ignore[attr-defined]


# A chair's connections on this process, each with what its watcher waits on (`_close_...`).
_LOG_IN_WATCHED: dict[str, Any] = {}


def _close_when_log_in_ends(sid: str) -> None:
    """Close a chair's connection when their log-in ends (`CHAIR_SESSION_HOURS` after it
    was made), as their pages then would refuse them: it hears nothing of the meeting after.

    The connection's own process watches it; log-out closes it earlier (`chairs.views`).
    """
    since = session.get("chair_since", 0)
    ends = since + current_app.config["CHAIR_SESSION_HOURS"] * 3600
    server = vars(socketio)["server"]
    gone = _LOG_IN_WATCHED[sid] = server.eio.create_event()

    def watch() -> None:
        if not gone.wait(timeout=max(ends - time.time(), 0)):
            server.disconnect(sid, namespace="/")

    socketio.start_background_task(watch)


def _catch_up(meeting, auth: dict) -> None:
    """Tell a page drawn before the meeting's latest change to read its regions again."""
    since = auth.get("since")
    if since is None:
        return
    if not isinstance(since, int) or log.mark(meeting) > since:
        emit("changed", {"regions": [*REGIONS, SCENE], "reload": False})
