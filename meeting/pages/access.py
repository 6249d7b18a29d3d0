"""Who is asking: the logged-in chair, an attendee's device, or the shared display."""

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app, g, redirect, request, session, url_for
from sqlalchemy import select

from ..errors import Forbidden, Refused
from ..extensions import db
from ..models import Attendee, AttendeeStatus, Base, Chair, Meeting
from ..rating.concealment import Viewer, attendee_viewer, chair_viewer
from . import passes

Row = TypeVar("Row", bound=Base)


def current_chair() -> Chair | None:
    """Return the chair logged in on this device, if any."""
    if "chair" not in g:
        chair_id = session.get("chair_id")
        found = db.session.get(Chair, chair_id) if chair_id else None
        # A copy of the cookie from before a log-out is no longer a chair's, and a chair's
        # log-in lasts a working day at most, however the browser keeps its cookies.
        if found is not None and (
            session.get("chair_version") != found.session_version or not _within_hours()
        ):
            found = None
        g.chair = found
    chair: Chair | None = g.chair
    return chair


def _within_hours() -> bool:
    since = session.get("chair_since")
    if not isinstance(since, int | float):
        return False
    hours = current_app.config["CHAIR_SESSION_HOURS"]
    return 0 <= time.time() - since < hours * 3600


def log_in_chair(chair: Chair) -> None:
    """Make this device the chair's: the session carries their account's version and when."""
    session["chair_id"], session["chair_version"] = chair.id, chair.session_version
    session["chair_since"] = int(time.time())


def logged_in_chair() -> Chair:
    """Return the chair logged in on this device, or refuse anyone who is not one."""
    chair = current_chair()
    if chair is None:
        raise Forbidden("Only the meeting's chair can do that. Log in as the chair first.")
    return chair


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Send anyone who is not a logged-in chair to the log-in page (or refuse a POST)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_chair() is None:
            if request.method != "GET":
                raise Forbidden("Only the meeting's chair can do that. Log in as the chair first.")
            return redirect(url_for("chairs.login", next=request.path))
        return view(*args, **kwargs)

    return wrapped


def get_meeting(meeting_id: int) -> Meeting:
    """Return a meeting or answer 404."""
    return db.get_or_404(Meeting, meeting_id)


def chairs_meeting(meeting_id: int) -> Meeting:
    """Return a meeting the logged-in chair runs, or refuse."""
    meeting = get_meeting(meeting_id)
    chair = current_chair()
    if chair is None or meeting.chair_id != chair.id:
        raise Forbidden("This meeting is run by another chair.")
    return meeting


def owned(model: type[Row], meeting: Meeting, key: int, meeting_of: Callable[[Row], int]) -> Row:
    """Return a row that belongs to this meeting, or refuse: it was removed or never was."""
    thing = db.session.get(model, key)
    if thing is None or meeting_of(thing) != meeting.id:
        raise Refused(
            "That no longer exists in this meeting; the page has been brought up to date."
        )
    return thing


def remember_attendee(meeting: Meeting, attendee: Attendee) -> None:
    """Tie this device to an attendee of one meeting (a signed cookie)."""
    seats = dict(session.get("seats", {}))
    seats[str(meeting.id)] = attendee.id
    session["seats"] = seats
    session.permanent = True


def device_attendee(meeting: Meeting) -> Attendee | None:
    """Return the attendee this device joined a meeting as, if any."""
    attendee_id = session.get("seats", {}).get(str(meeting.id))
    attendee = db.session.get(Attendee, attendee_id) if attendee_id else None
    return attendee if attendee and attendee.meeting_id == meeting.id else None


def viewer_for(meeting: Meeting) -> Viewer | None:
    """Return who this device is in a meeting: its chair, an admitted attendee, or None."""
    chair = current_chair()
    if chair is not None and meeting.chair_id == chair.id:
        return chair_viewer(meeting)
    attendee = device_attendee(meeting)
    if attendee is not None and attendee.status == AttendeeStatus.ADMITTED:
        return attendee_viewer(attendee)
    return None


def display_meeting(token: str) -> Meeting:
    """Return the meeting a display link's secret opens, or answer 404."""
    meeting = db.session.scalar(select(Meeting).where(Meeting.display_token == token))
    if meeting is None:
        abort(404)
    return meeting


def shown_meeting(meeting_id: int) -> Meeting:
    """Return a meeting whose display this browser opened with its working link, or answer
    404 (the link's secret is in a cookie: see `pages.passes`)."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not passes.shows(meeting, passes.display_secret(meeting_id)):
        abort(404)
    return meeting
