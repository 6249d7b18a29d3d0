"""The doorbell: tell open pages which regions of a meeting changed.

Every change names the facts it touched on its line in the event log (`changes`); once it
is committed, the regions that read them (`regions.READS`) are rung, after the request
that made it (`ring_changes`). A ring names the regions that changed. The regions drawn
alike for everyone in an audience (the progress of a round; the display's whole scene)
are drawn once per audience and sent with the ring to that audience's room
(`regions.drawn_once`); a page fetches the others, which are its viewer's own, again.
What a ring carries is drawn for the audience by `concealment` like any page; a form in
it has no tokens, and each page puts in its own (`once.field`, live.js).
"""

import logging
from typing import Any

from flask import Flask, current_app, has_request_context, request
from werkzeug.wrappers import Response

from ..changes import Fact, news
from ..extensions import db, socketio
from ..models import Attendee, AttendeeStatus, Meeting, MeetingStatus
from ..rating.concealment import Viewer, attendee_viewer
from ..record.links import digest
from .queue import Queue, quick
from .regions import AUDIENCE_ROOMS, HELD_BY, OWN, REGIONS, SCENE, Region, drawn_once, reading

# How long a connection counted in a room is remembered without being seen again (s).
LAPSE = 24 * 3600


def room(meeting_id: int, audience: str = "everyone") -> str:
    """Name the Socket.IO room of one audience of a meeting: "everyone", or "chair",
    "attendees" (admitted attendees but the chair and the family), "family" or "display"."""
    return f"meeting-{meeting_id}-{audience}"


def audience_room(viewer: Viewer) -> str:
    """Name the audience room an attendee's pages hear in: "family" for the family (and
    whoever speaks for the young person), else "attendees"."""
    return "family" if viewer.family else "attendees"


def regroup(meeting: Meeting, attendee: Attendee) -> None:
    """Move someone's live connections to the audience room of who they now are (the chair
    changed their part), on whichever server process holds them."""
    server = _server()
    right = room(meeting.id, audience_room(attendee_viewer(attendee)))
    for sid in members(person_room(attendee.id)):
        for name in ("attendees", "family"):
            server.leave_room(sid, room(meeting.id, name), namespace="/")
        if attendee.status == AttendeeStatus.ADMITTED:
            server.enter_room(sid, right, namespace="/")


def person_room(attendee_id: int) -> str:
    """Name the Socket.IO room of one attendee's devices."""
    return f"attendee-{attendee_id}"


def display_room(secret: str) -> str:
    """Name the Socket.IO room of the screens opened with one display link.

    It is named by part of the link's digest, so a room name says nothing that opens it.
    """
    return f"display-{digest(secret)[:16]}"


def init_app(app: Flask) -> None:
    """Ring, after each request, the regions its committed changes touched."""

    @app.after_request
    def ring_after(response: Response) -> Response:
        ring_changes()
        return response


def ring_changes() -> None:
    """Tell the screens of every meeting changed since this was last called which of
    their regions read what changed (or, when the meeting itself changed, to load again).

    A change to a child's case is news to every open meeting of that case.
    """
    told = news(db.session())
    for (whose, meeting_id), facts in sorted(told.items()):
        if whose != "meeting":
            continue
        meeting = db.session.get(Meeting, meeting_id)
        if meeting is None:
            continue
        if Fact.CASE in facts and meeting.case is not None:
            for other in meeting.case.meetings:
                if other.id != meeting.id and other.status != MeetingStatus.CLOSED:
                    ring_everyone(other, *reading({Fact.CASE}))
        if Fact.MEETING in facts:
            ring_everyone(meeting, reload=True)
            continue
        regions = reading(facts)
        if regions:
            ring_everyone(meeting, *regions)
    # Then each person's other devices fetch what of theirs changed: their own version.
    for (whose, attendee_id), facts in sorted(told.items()):
        attendee = db.session.get(Attendee, attendee_id) if whose == "person" else None
        if attendee is not None:
            mine = tuple(r for r, reads in OWN.items() if reads & facts)
            if mine:
                # The page that made the change has its answer drawn already.
                sender = request.headers.get("X-Meeting-Socket") if has_request_context() else None
                ring_person(attendee, *mine, skip=sender)


def _ring(to: str, regions: tuple[Region, ...], reload: bool) -> None:
    socketio.emit("changed", {"regions": [str(r) for r in regions], "reload": reload}, to=to)


def ring_everyone(meeting: Meeting, *regions: Region, reload: bool = False) -> None:
    """Tell every admitted screen of a meeting which regions changed, with those drawn
    alike for its audience (drawn once per audience, not once per screen)."""
    if reload or not regions:
        _ring(room(meeting.id), regions, reload)
        return
    alike: dict[str, str] = {}
    # The family's room is drawn for only once someone of the family is in the meeting.
    family_here = any(
        a.family_side and a.status == AttendeeStatus.ADMITTED for a in meeting.attendees
    )
    for audience, name, family in AUDIENCE_ROOMS:
        # Each audience hears of the regions its pages hold.
        held = tuple(r for r in regions if r in HELD_BY[audience])
        if not held or (family and not family_here):
            continue
        drawn = drawn_once(meeting, audience, held, alike, family)
        socketio.emit(
            "changed",
            {"regions": [str(r) for r in held], "reload": False, **drawn},
            to=room(meeting.id, name),
        )
    # Under gevent the screens' connections send what was emitted only when this request
    # lets them: they go first, before the next request queued behind this one.
    socketio.sleep(0)


def ring_person(attendee: Attendee, *regions: Region, skip: str | None = None) -> None:
    """Tell one person's devices that regions of their own changed: each fetches them
    (but `skip`, the Socket.IO id of a page that has them already)."""
    message = {"regions": [str(r) for r in regions], "reload": False}
    socketio.emit("changed", message, to=person_room(attendee.id), skip_sid=skip)


def ring_attendee(attendee: Attendee) -> None:
    """Tell one attendee's devices to load their page again (admitted, turned away)."""
    _ring(person_room(attendee.id), (), True)


def chair_room(chair_id: int) -> str:
    """Name the Socket.IO room of all one chair's connections, whatever meeting they show."""
    return f"chair-{chair_id}"


def drop_connections(to: str) -> None:
    """Close every live connection in a room (a chair who logged out, someone removed).

    With several server processes, the connections another process holds are closed by
    that process: each one is named to it through the message queue.
    """
    server = _server()
    for sid in members(to):
        server.disconnect(sid, namespace="/")
    _forget(to)


def end_display(secret: str) -> None:
    """Send every screen opened with a display link that no longer works back to that link
    (which now says so), and close their live connections."""
    _ring(display_room(secret), (), True)
    drop_connections(display_room(secret))


def leave_meeting(meeting: Meeting, attendee: Attendee) -> None:
    """Take someone's connections out of the meeting's room: they hear only about themselves.

    Used when the chair removes someone, so their device stops hearing the meeting, on
    whichever server process holds its connection.
    """
    server = _server()
    for sid in members(person_room(attendee.id)):
        server.leave_room(sid, room(meeting.id), namespace="/")
        server.leave_room(sid, room(meeting.id, "attendees"), namespace="/")
        server.leave_room(sid, room(meeting.id, "family"), namespace="/")


# Who is in a room that may have to be closed ------------------------------------------
#
# Socket.IO keeps its rooms per process. The rooms that log-out, removal and a stopped
# display link act on are also kept in Redis when the deployment has it (the message
# queue), so any process can name every connection in them. While Redis is away, a process
# names only its own; each counts its own in again when Redis is back (`after_outage`).

# The rooms each connection of this process was counted in, by its Socket.IO id.
_COUNTED: dict[str, list[str]] = {}
# Rooms whose connections on other processes could not be named while Redis was away (a
# log-out, someone turned away or moved, a stopped display link): once it is back, their
# pages are told to load again and their connections are closed (`after_outage`).
_UNREACHED: set[str] = set()

log = logging.getLogger("meeting.live")


def _redis() -> Any:
    url = current_app.config["SOCKETIO_MESSAGE_QUEUE"]
    if not url:
        return None
    client = current_app.extensions.get("meeting.redis")
    if client is None:
        import redis

        client = redis.Redis.from_url(url, **quick())
        current_app.extensions["meeting.redis"] = client
    return client


def _unreachable() -> tuple[type[Exception], ...]:
    import redis

    return (redis.RedisError, OSError)


def _unanswered(error: BaseException, meaning: str) -> None:
    log.warning("Redis did not answer (%s): %s", type(error).__name__, meaning)


def _key(to: str) -> str:
    return f"{current_app.config['REDIS_PREFIX']}:room:{to}"


def _count_in_redis(client: Any, sids_by_room: dict[str, list[str]]) -> None:
    with client.pipeline() as each:
        for to, sids in sids_by_room.items():
            each.sadd(_key(to), *sids)
            # A process that died cannot take its connections out: let them lapse.
            each.expire(_key(to), LAPSE)
        each.execute()


def count_in(sid: str, to: str) -> None:
    """Note that a connection joined one of the rooms that may have to be closed."""
    _COUNTED.setdefault(sid, []).append(to)
    client = _redis()
    if client is not None:
        try:
            _count_in_redis(client, {to: [sid]})
        except _unreachable() as error:
            _unanswered(error, "counted in this process only.")


def count_out(sid: str) -> None:
    """Take a closed connection out of the rooms it was counted in."""
    rooms = _COUNTED.pop(sid, [])
    client = _redis()
    if client is not None and rooms:
        try:
            with client.pipeline() as each:
                for to in rooms:
                    each.srem(_key(to), sid)
                each.execute()
        except _unreachable() as error:
            # Left behind, it lapses with its room (LAPSE); closing it again does nothing.
            _unanswered(error, "a closed connection stays listed.")


def members(to: str) -> list[str]:
    """Return the Socket.IO ids of every connection in a room, on every server process
    (while Redis is away, on this process only)."""
    here = {sid for sid, _engine_sid in _server().manager.get_participants("/", to)}
    client = _redis()
    if client is not None:
        try:
            here |= {sid.decode() for sid in client.smembers(_key(to))}
        except _unreachable() as error:
            _unanswered(error, "only this process's connections.")
            _UNREACHED.add(to)
            manager = _server().manager
            if isinstance(manager, Queue):
                manager.missed = True
    return sorted(here)


def _forget(to: str) -> None:
    client = _redis()
    if client is not None:
        try:
            client.delete(_key(to))
        except _unreachable() as error:
            _unanswered(error, "a closed room stays listed.")


def after_outage(app: Flask, everywhere: bool) -> None:
    """Once Redis answers again: count this process's connections in it again, close
    those in the rooms it could not name meanwhile (`_UNREACHED`) wherever they are, and
    tell this process's screens (every process's, with `everywhere`) to read every region.

    Whatever was rung while Redis was away reached only the screens of the process that
    rang it; the database has what it was about, so reading everything again is enough.
    """
    with app.app_context():
        client = _redis()
        rooms: dict[str, list[str]] = {}
        for sid, counted in list(_COUNTED.items()):
            for to in counted:
                rooms.setdefault(to, []).append(sid)
        if client is not None and rooms:
            _count_in_redis(client, rooms)
        for to in _closed_while_away(client):
            # Pages load again and connect afresh, joining only what they may now hear.
            _ring(to, (), True)
            manager = _server().manager
            if isinstance(manager, Queue):
                manager.drop_room(to)
            else:
                drop_connections(to)
            _forget(to)
    message = {"regions": [*REGIONS, SCENE], "reload": False}
    # Not through Redis (ignore_queue), unless every process is to hear it.
    _server().emit("changed", message, namespace="/", ignore_queue=not everywhere)


def _closed_while_away(client: Any) -> list[str]:
    """Return the rooms to close now Redis is back: this process's `_UNREACHED`, and those
    any process closed while it was away.

    Redis came back empty, and the other processes listen again each in its own second: a
    room one closes is kept in Redis for a minute, so a process that listens again after
    that ring went by still closes its own connections in it.
    """
    closing = set(_UNREACHED)
    _UNREACHED.clear()
    if client is None:
        return sorted(closing)
    key = f"{current_app.config['REDIS_PREFIX']}:closed-while-away"
    try:
        with client.pipeline() as each:
            if closing:
                each.sadd(key, *closing)
                each.expire(key, 60)
            each.smembers(key)
            closing |= {to.decode() for to in each.execute()[-1]}
    except _unreachable() as error:
        _unanswered(error, "rooms closed meanwhile are closed again when it answers.")
        _UNREACHED.update(closing)
        return []
    return sorted(closing)


def _server() -> Any:
    """Return the python-socketio server that Flask-SocketIO made for the app."""
    return vars(socketio)["server"]
