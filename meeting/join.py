"""Attendees joining: a code (or link), then name, role and agency; the chair admits them."""

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from . import meetings
from .access import device_attendee, remember_attendee
from .errors import Invalid
from .extensions import db, limiter
from .live import ring_chair
from .models import CLOSED, Meeting

bp = Blueprint("join", __name__, url_prefix="/join")

# Wrong codes count against the device's allowance; right ones never do.
guesses = limiter.shared_limit(
    lambda: current_app.config["JOIN_ATTEMPTS_LIMIT"],
    scope="join-code",
    deduct_when=lambda response: response.status_code == 404,
)

UNKNOWN_CODE = "No meeting has that code. Check it with the chair; codes look like KXR-74T."
ENDED = "That meeting has ended, so its code no longer lets anyone in."


def _code_page(typed: str, error: str | None, status: int):
    return render_template("join/code.html", code=typed, error=error), status


@bp.route("/", methods=["GET", "POST"])
@guesses
def code():
    typed = request.values.get("code", "")
    if request.method == "GET" and not typed:
        return _code_page("", None, 200)
    meeting = meetings.find_by_join_code(typed)
    if meeting is None:
        return _code_page(typed, UNKNOWN_CODE if typed.strip() else "Enter the join code.", 404)
    if meeting.status == CLOSED:
        return _code_page(typed, ENDED, 410)
    return redirect(url_for("join.details", code=meeting.join_code))


@bp.route("/<code>", methods=["GET", "POST"])
@guesses
def details(code):
    meeting: Meeting | None = meetings.find_by_join_code(code)
    if meeting is None:
        return _code_page(code, UNKNOWN_CODE, 404)
    if meeting.status == CLOSED:
        return _code_page(code, ENDED, 410)
    if device_attendee(meeting) is not None:
        # The same device rejoining is the same person, admitted or waiting as before.
        return redirect(url_for("live.attend", meeting_id=meeting.id))
    form, errors = request.form, {}
    if request.method == "POST":
        try:
            attendee = meetings.join(meeting, form)
        except Invalid as invalid:
            errors = invalid.errors
        else:
            db.session.commit()
            remember_attendee(meeting, attendee)
            ring_chair(meeting, "people")
            return redirect(url_for("live.attend", meeting_id=meeting.id))
    page = render_template("join/details.html", meeting=meeting, form=form, errors=errors)
    return page, 422 if errors else 200


@bp.app_errorhandler(429)
def too_many_guesses(error):
    message = (
        "Too many wrong join codes from this device. Wait a minute, then try again "
        "with the code the chair reads out or shows on the screen."
    )
    return _code_page(request.values.get("code", request.view_args.get("code", "")), message, 429)
