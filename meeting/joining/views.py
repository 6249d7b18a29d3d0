"""Joining on the web: a code (or link), then name, role and agency; the chair lets people in.

At a later meeting of a child's case, a device that joined an earlier one is offered one tap
to join as the person it was (`returning`), and the chair can email the last meeting's
people a link of their own that does the same (`invitations`).
"""

from collections.abc import Mapping
from datetime import timedelta
from functools import partial
from typing import Any

from flask import Blueprint, Flask, current_app, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from sqlalchemy import select
from werkzeug.wrappers import Response

from ..circulation.transport import MailSettings
from ..errors import Invalid, Refused
from ..extensions import db, socketio
from ..models import Attendee, Invitation, Meeting, MeetingStatus, utcnow
from ..pages import allowances
from ..pages.access import (
    chairs_meeting,
    device_attendee,
    login_required,
    owned,
    remember_attendee,
)
from ..pages.doorbell import leave_meeting, regroup, ring_attendee, ring_changes
from ..pages.forms import chair_change
from ..pages.links import public_url
from ..settings import mail_settings
from . import invitations, people, returning

bp = Blueprint("joining", __name__)

UNKNOWN_CODE = "No meeting has that code. Check it with the chair; codes look like KXR-74T."
ENDED = "That meeting has ended, so its code no longer lets anyone in."
NO_INVITATION = (
    "That invitation link does not work: it may be cut short or mistyped. Join with the "
    "code the chair gives you, or ask the chair to send your invitation again."
)
INVITATION_ENDED = "That meeting has ended, so its invitation no longer lets anyone in."
# The device's cookie: a random token (`returning`), sent only to the join pages.
DEVICE_COOKIE = "meeting_device"
TOO_MANY = (
    "Too many wrong join codes have been tried from here in the last minute. Wait a "
    "minute, then try again with the code the chair reads out or shows on the screen."
)


def _wrong_code(typed: str, error: str):
    """Answer a code that opens no meeting, counting it against the allowances.

    Only wrong codes are counted and only wrong codes are refused: a right code or a join
    link always lets its meeting's people in, however many wrong ones were tried from the
    same address (a whole room behind one proxy shares one). Wrong codes are limited per
    client and across the server (shared through Redis when it is configured; counted in
    each process's memory while Redis is away).
    """
    counted = allowances.count("JOIN_ATTEMPTS_LIMIT", "join-code", get_remote_address())
    counted = counted and allowances.count("JOIN_ATTEMPTS_OVERALL", "join-code-all")
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
    """Answer or send the form to join (name, role, agency), or join with one tap as someone
    this device joined an earlier meeting of the case as; anyone with the meeting's code."""
    meeting = people.find_by_join_code(db.session, code)
    if meeting is None:
        return _wrong_code(code, UNKNOWN_CODE)
    if meeting.status == MeetingStatus.CLOSED:
        return _code_page(code, ENDED, 410)
    if device_attendee(meeting) is not None:
        # The same device rejoining is the same person, admitted or waiting as before.
        return redirect(url_for("room.attend", meeting_id=meeting.id))
    offered = returning.offers(meeting, _device_token(), _remembered_since())
    return _join_page(meeting, offered, request.form)


@bp.route("/join/invited/<token>", methods=["GET", "POST"])
def invited(token):
    """Answer or send the join page an invitation's personal link opens: their details filled
    in and one tap to ask to join as them; anyone with the link, until the meeting closes."""
    invitation = invitations.find(db.session, token)
    if invitation is None:
        # Not counted against the join codes' allowance: a link's secret is too long to
        # guess, as a display link's is.
        return _code_page("", NO_INVITATION, 404)
    meeting = invitation.meeting
    if meeting.status == MeetingStatus.CLOSED:
        return _code_page("", INVITATION_ENDED, 410)
    if device_attendee(meeting) is not None:
        return redirect(url_for("room.attend", meeting_id=meeting.id))
    person = invitation.attendee
    form = request.form if request.method == "POST" else returning.identity_of(person)
    return _join_page(meeting, [person], form, invited=person)


def _join_page(
    meeting: Meeting,
    offered: list[Attendee],
    form: Mapping[str, Any],
    invited: Attendee | None = None,
):
    """Answer the join page, or make the join it sent: one tap as someone offered (the form's
    `returning`), or the form as typed (the invited person's, when it came from their link)."""
    errors: dict[str, str] = {}
    alert, status = "", 200
    if request.method == "POST":
        token = _device_token() or returning.new_device_token()
        device = _device_digest(meeting, token)
        try:
            if "returning" in form:
                earlier = next((a for a in offered if str(a.id) == form["returning"]), None)
                if earlier is None:
                    raise Refused(returning.NOT_OFFERED)
                attendee = returning.join_as(meeting, earlier, device)
            else:
                attendee = people.join(meeting, form, device, invited)
        except Invalid as invalid:
            db.session.rollback()
            errors, status = invalid.errors, 422
        except Refused as refused:
            db.session.rollback()
            alert, status, form = str(refused), refused.status, {}
        else:
            db.session.commit()
            remember_attendee(meeting, attendee)
            answer = redirect(url_for("room.attend", meeting_id=meeting.id))
            if device is not None:
                _remember_device(answer, token)
            return answer
    page = render_template(
        "joining/details.html",
        meeting=meeting,
        form=form,
        errors=errors,
        alert=alert,
        offered=offered,
        invited=invited,
        said_as=returning.said_as,
        joining_as=people.JOINING_AS,
        joining_from=people.JOINING_FROM,
    )
    return page, status


def _remember_days() -> int:
    return int(current_app.config["REMEMBER_DEVICE_DAYS"])


def _remembered_since():
    return utcnow() - timedelta(days=max(_remember_days(), 0))


def _device_token() -> str | None:
    """Return the token this device's cookie holds, if it has one that could be ours."""
    if _remember_days() <= 0:
        return None
    return returning.usable_token(request.cookies.get(DEVICE_COOKIE))


def _device_digest(meeting: Meeting, token: str) -> str | None:
    """Return what is kept of this device on a meeting's people (None: it is not kept)."""
    if meeting.case_id is None or _remember_days() <= 0:
        return None
    return returning.device_digest(meeting.case_id, token)


def _remember_device(answer: Response, token: str) -> None:
    """Keep the device's token in a cookie for the join pages, for as long as it is offered."""
    answer.set_cookie(
        DEVICE_COOKIE,
        token,
        max_age=_remember_days() * 24 * 3600,
        path="/join/",
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]) or request.is_secure,
    )


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


@bp.route("/meetings/<int:meeting_id>/invitations", methods=["POST"])
@login_required
def invite(meeting_id):
    """Email each person of the last meeting not invited yet their invitation to this
    review; the meeting's chair only."""
    return _invite(chairs_meeting(meeting_id), None)


@bp.route("/meetings/<int:meeting_id>/invitations/<int:attendee_id>/again", methods=["POST"])
@login_required
def invite_again(meeting_id, attendee_id):
    """Email one person of the last meeting their invitation again, with a new link; the
    meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    person = db.session.get(Attendee, attendee_id)
    if person is None:
        raise Refused(invitations.NOT_INVITABLE)
    return _invite(meeting, person)


def _invite(meeting: Meeting, again: Attendee | None):
    made: list[tuple[Invitation, str]] = []

    def change() -> None:
        made.extend(invitations.invite(meeting, meeting.chair.name, again))

    def then() -> None:
        # Each link is written into its email only: the secret is kept nowhere else.
        links = {i.id: public_url("joining.invited", token=secret) for i, secret in made}
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        socketio.start_background_task(_deliver, app, links, mail_settings())

    return chair_change(meeting, "invitations", change, anchor="#invitations", then=then)


def _deliver(app: Flask, links: dict[int, str], settings: MailSettings) -> None:
    """Send queued invitations (a background task, with its own app context)."""
    with app.app_context():
        try:
            queued = db.session.scalars(
                select(Invitation).where(Invitation.id.in_(links)).order_by(Invitation.id)
            )
            invitations.deliver(list(queued), links, settings, db.session.commit)
            db.session.commit()
        except Exception:
            # Logged without the error's message, which may quote an address; an invitation
            # left pending shows as not known once an attempt's longest time has passed.
            db.session.rollback()
            app.logger.exception("Sending invitations failed: %s", sorted(links))
