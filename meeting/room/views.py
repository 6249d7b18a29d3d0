"""The live meeting's screens: an attendee's page, the shared display, and the join QR code."""

from io import BytesIO

import segno
from flask import Blueprint, Response, abort, redirect, render_template, url_for

from ..errors import Forbidden
from ..models import AttendeeStatus, Meeting, MeetingStatus
from ..pages.access import device_attendee, display_meeting, get_meeting, viewer_for
from ..pages.links import public_url
from ..pages.regions import attendee_page, fragment, page
from ..rating.concealment import Audience, Viewer

bp = Blueprint("room", __name__)

DISPLAY = Viewer(Audience.DISPLAY)


@bp.route("/m/<int:meeting_id>")
def attend(meeting_id):
    meeting = get_meeting(meeting_id)
    viewer = viewer_for(meeting)
    if viewer is not None and viewer.is_chair:
        return redirect(url_for("agenda.show", meeting_id=meeting.id))
    if viewer is None:
        attendee = device_attendee(meeting)
        if attendee is None:
            return redirect(url_for("joining.details", code=meeting.join_code))
        turned_away = attendee.status == AttendeeStatus.TURNED_AWAY
        template = "attendee/turned_away.html" if turned_away else "attendee/waiting.html"
        live_room = attendee.status == AttendeeStatus.WAITING
        return render_template(template, meeting=meeting, attendee=attendee, live_room=live_room)
    return attendee_page(meeting, viewer)


@bp.route("/m/<int:meeting_id>/region/<name>")
def region(meeting_id, name):
    meeting = get_meeting(meeting_id)
    viewer = viewer_for(meeting)
    if viewer is None:
        raise Forbidden("Only people the chair has admitted can see this meeting.")
    return fragment(meeting, viewer, name)


@bp.route("/display/<token>")
def display(token):
    meeting = display_meeting(token)
    # Once the meeting closes the link has done its work: it says so, and shows nothing else.
    status = 410 if meeting.status == MeetingStatus.CLOSED else 200
    return page("display/meeting.html", meeting, DISPLAY, status)


@bp.route("/display/<token>/region/<name>")
def display_region(token, name):
    return fragment(display_meeting(token), DISPLAY, name)


def _qr(meeting: Meeting) -> Response:
    link = public_url("joining.details", code=meeting.join_code)
    out = BytesIO()
    segno.make(link, error="m").save(out, kind="svg", scale=8, border=2, title="Join link")
    return Response(out.getvalue(), mimetype="image/svg+xml")


@bp.route("/display/<token>/qr.svg")
def display_qr(token):
    meeting = display_meeting(token)
    if meeting.status == MeetingStatus.CLOSED:
        abort(404)
    return _qr(meeting)


@bp.route("/meetings/<int:meeting_id>/qr.svg")
def chair_qr(meeting_id):
    meeting = get_meeting(meeting_id)
    viewer = viewer_for(meeting)
    if viewer is None or not viewer.is_chair:
        raise Forbidden("Only the meeting's chair can see this.")
    return _qr(meeting)
