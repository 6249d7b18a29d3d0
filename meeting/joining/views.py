"""Joining on the web: a code (or link), then name, role and agency; the chair lets people in."""

from functools import partial

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from limits import parse

from ..errors import Invalid
from ..extensions import db, limiter
from ..models import Attendee, MeetingStatus
from ..pages.access import (
    chairs_meeting,
    device_attendee,
    login_required,
    owned,
    remember_attendee,
)
from ..pages.doorbell import leave_meeting, regroup, ring_attendee, ring_changes
from ..pages.forms import chair_change
from . import people

bp = Blueprint("joining", __name__)

UNKNOWN_CODE = "No meeting has that code. Check it with the chair; codes look like KXR-74T."
ENDED = "That meeting has ended, so its code no longer lets anyone in."
TOO_MANY = (
    "Too many wrong join codes have been tried from here in the last minute. Wait a "
    "minute, then try again with the code the chair reads out or shows on the screen."
)


def _wrong_code(typed: str, error: str):
    """Answer a code that opens no meeting, counting it against the allowances.

    Only wrong codes are counted and only wrong codes are refused: a right code or a join
    link always lets its meeting's people in, however many wrong ones were tried from the
    same address (a whole room behind one proxy shares one). Wrong codes are limited per
    client and across the server (shared through Redis when it is configured).
    """
    per_client = parse(current_app.config["JOIN_ATTEMPTS_LIMIT"])
    overall = parse(current_app.config["JOIN_ATTEMPTS_OVERALL"])
    counted = limiter.limiter.hit(per_client, "join-code", get_remote_address())
    counted = counted and limiter.limiter.hit(overall, "join-code-all")
    if not counted:
        return _code_page(typed, TOO_MANY, 429)
    return _code_page(typed, error, 404)


def _code_page(typed: str, error: str | None, status: int):
    return render_template("joining/code.html", code=typed, error=error), status


@bp.route("/join/", methods=["GET", "POST"])
def code():
    """Answer the join-code form and pass a right code on; anyone, wrong codes limited."""
    typed = request.values.get("code", "")
    if request.method == "GET" and not typed:
        return _code_page("", None, 200)
    if not typed.strip():
        return _code_page(typed, "Enter the join code.", 404)
    meeting = people.find_by_join_code(db.session, typed)
    if meeting is None:
        return _wrong_code(typed, UNKNOWN_CODE)
    if meeting.status == MeetingStatus.CLOSED:
        return _code_page(typed, ENDED, 410)
    return redirect(url_for("joining.details", code=meeting.join_code))


@bp.route("/join/<code>", methods=["GET", "POST"])
def details(code):
    """Answer or send the form to join (name, role, agency); anyone with the meeting's code."""
    meeting = people.find_by_join_code(db.session, code)
    if meeting is None:
        return _wrong_code(code, UNKNOWN_CODE)
    if meeting.status == MeetingStatus.CLOSED:
        return _code_page(code, ENDED, 410)
    if device_attendee(meeting) is not None:
        # The same device rejoining is the same person, admitted or waiting as before.
        return redirect(url_for("room.attend", meeting_id=meeting.id))
    form, errors = request.form, {}
    if request.method == "POST":
        try:
            attendee = people.join(meeting, form)
        except Invalid as invalid:
            errors = invalid.errors
        else:
            db.session.commit()
            remember_attendee(meeting, attendee)
            return redirect(url_for("room.attend", meeting_id=meeting.id))
    page = render_template(
        "joining/details.html",
        meeting=meeting,
        form=form,
        errors=errors,
        joining_as=people.JOINING_AS,
        joining_from=people.JOINING_FROM,
    )
    return page, 422 if errors else 200


@bp.route(
    "/meetings/<int:meeting_id>/people/<int:attendee_id>"
    '/<any(admit, "turn-away", observe, rate):what>',
    methods=["POST"],
)
@login_required
def person(meeting_id, attendee_id, what):
    """Admit or turn away someone, or make them an observer or a rater; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    attendee = owned(Attendee, meeting, attendee_id, lambda a: a.meeting_id)
    if what == "admit":
        people.admit(attendee)
    elif what == "turn-away":
        people.turn_away(attendee)
    else:
        people.set_observer(attendee, what == "observe")
    db.session.commit()
    if what == "turn-away":
        leave_meeting(meeting, attendee)
    # What changed for everyone is rung first: then this person's own screens are told.
    ring_changes()
    if what in ("admit", "turn-away"):
        ring_attendee(attendee)
    return redirect(url_for("agenda.show", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/people/<int:attendee_id>/part", methods=["POST"])
@login_required
def part(meeting_id, attendee_id):
    """Confirm or change who someone is in the meeting and how they take part (in the room,
    on video, on a phone line, on paper); the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    attendee = owned(Attendee, meeting, attendee_id, lambda a: a.meeting_id)
    form = request.form

    def change() -> None:
        if not attendee.is_chair or "part" in form:
            people.set_part(attendee, form.get("part"))
        if "channel" in form:
            people.set_channel(attendee, form.get("channel"))

    # Their live connections move to the audience room of who they now are.
    then = partial(regroup, meeting, attendee)
    return chair_change(meeting, f"part-{attendee.id}", change, anchor="#attendance", then=then)
