"""The live meeting's screens: an attendee's page, the shared display, and the join QR code."""

from io import BytesIO
from typing import NoReturn

import segno
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select

from ..agenda import meetings
from ..circulation import reader_links
from ..errors import Forbidden
from ..extensions import db
from ..models import AttendeeStatus, Meeting, MeetingStatus, utcnow
from ..pages import passes
from ..pages.access import (
    chairs_meeting,
    current_chair,
    device_attendee,
    get_meeting,
    login_required,
    viewer_for,
)
from ..pages.doorbell import end_display
from ..pages.links import public_url
from ..pages.regions import attendee_page, fragment, page
from ..rating.concealment import display_viewer
from ..record import links
from ..settings import policy

bp = Blueprint("room", __name__)


@bp.route("/m/<int:meeting_id>")
def attend(meeting_id):
    """Answer the attendee's page (live, waiting or turned away); whoever joined on this device."""
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
    if meeting.status == MeetingStatus.CLOSED and viewer.attendee is not None:
        # Where their link to the minutes stands: it works, or why it does not.
        withdrawn = links.last_withdrawn(meeting).get(viewer.attendee.id)
        days = policy().reader_link_days
        link = reader_links.link_of(viewer.attendee, days, utcnow(), withdrawn)
        return attendee_page(meeting, viewer, reader_link=link)
    return attendee_page(meeting, viewer)


@bp.route("/m/<int:meeting_id>/region/<name>")
def region(meeting_id, name):
    """Answer one live region of the meeting's page; its chair or an admitted attendee."""
    meeting = get_meeting(meeting_id)
    viewer = viewer_for(meeting)
    if viewer is None:
        raise Forbidden("Only people the chair has admitted can see this meeting.")
    return fragment(meeting, viewer, name)


def _shared() -> bool:
    """Say whether the display was opened to share in a video call (`?share=1`)."""
    return request.args.get("share", "") not in ("", "0")


def _stopped(token: str, scene: bool = False) -> NoReturn:
    """Answer a display link's secret that opens no meeting: 410 if the chair stopped it
    (a page, or with `scene` the scene a live display swaps in), any other 404.

    The stopped page names nothing about the meeting; only its own chair is offered the
    new link (to share in a call, if that is how this one was opened).
    """
    ended = links.ended(db.session, token) if token else None
    if ended is None or ended.attendee_id is not None:
        abort(404)
    chair = current_chair()
    new_link = None
    if chair is not None and chair.id == ended.meeting.chair_id:
        if ended.meeting.status != MeetingStatus.CLOSED:
            new_link = url_for("room.display", token=ended.meeting.display_token)
            new_link += "?share=1" if _shared() else ""
    template = "display/_stopped.html" if scene else "display/stopped.html"
    answer = render_template(
        template, stopped_at=ended.ended_at, new_link=new_link, share=_shared()
    )
    abort(make_response(answer, 410))


def _displayed(meeting_id: int, scene: bool = False) -> Meeting:
    """Return the meeting whose display this browser opened with its link, while the link
    works; a link stopped since answers 410 saying so, anything else 404."""
    meeting = db.session.get(Meeting, meeting_id)
    secret = passes.display_secret(meeting_id)
    if meeting is not None and passes.shows(meeting, secret):
        return meeting
    _stopped(secret, scene)


@bp.route("/display/<token>")
def display(token):
    """Trade the display link's secret for a cookie and send the screen on to the display's
    own address, which holds no secret; anyone holding the link.

    What is shown there, whether the display is shared in a call (`?share=1`), and a link
    the chair stopped (410), are as the link opens them.
    """
    meeting = db.session.scalar(select(Meeting).where(Meeting.display_token == token))
    if meeting is None:
        _stopped(token)
    to = url_for("room.screen", meeting_id=meeting.id, share=1 if _shared() else None)
    return passes.traded(to, passes.display_cookie(meeting.id), token)


@bp.route("/display/meeting/<int:meeting_id>")
def screen(meeting_id):
    """Answer the display's page; a browser that opened the meeting's display link, read-only.

    With `?share=1` it is the same display, set out to be shared in a video call (larger
    type, no QR code): the page is marked so, and every scene it is sent reads that way.
    """
    meeting = _displayed(meeting_id)
    share = _shared()
    # Once the meeting closes the link has done its work: it says so, and shows nothing else.
    if meeting.status == MeetingStatus.CLOSED:
        return page("display/meeting.html", meeting, display_viewer(meeting), 410, share=share)
    links.note_opening(meeting, None, links.THE_DISPLAY)
    db.session.commit()
    return page("display/meeting.html", meeting, display_viewer(meeting), share=share)


@bp.route("/display/meeting/<int:meeting_id>/region/<name>")
def display_region(meeting_id, name):
    """Answer the display's scene; a browser that opened the meeting's display link."""
    meeting = _displayed(meeting_id, scene=bool(request.headers.get("HX-Request")))
    return fragment(meeting, display_viewer(meeting), name)


@bp.route("/meetings/<int:meeting_id>/display/stop", methods=["POST"])
@login_required
def stop_display(meeting_id):
    """Stop the display link and make a new one; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    stopped = meetings.stop_display_link(meeting, request.form.get("link"))
    db.session.commit()
    if stopped is None:
        flash("That display link was already stopped. The new one is below.")
    else:
        end_display(stopped)
        flash("The display link is stopped: a screen showing it now says so. Open the new one.")
    return redirect(url_for("agenda.show", meeting_id=meeting.id, _anchor="display-link"))


def _qr(meeting: Meeting) -> Response:
    link = public_url("joining.details", code=meeting.join_code)
    out = BytesIO()
    segno.make(link, error="m").save(out, kind="svg", scale=8, border=2, title="Join link")
    return Response(out.getvalue(), mimetype="image/svg+xml")


@bp.route("/display/meeting/<int:meeting_id>/qr.svg")
def display_qr(meeting_id):
    """Answer the QR code of the join link; a browser that opened the display link, while open."""
    meeting = _displayed(meeting_id)
    if meeting.status == MeetingStatus.CLOSED:
        abort(404)
    return _qr(meeting)


@bp.route("/meetings/<int:meeting_id>/qr.svg")
def chair_qr(meeting_id):
    """Answer the QR code of the join link; the meeting's chair only."""
    meeting = get_meeting(meeting_id)
    viewer = viewer_for(meeting)
    if viewer is None or not viewer.is_chair:
        raise Forbidden("Only the meeting's chair can see this.")
    return _qr(meeting)
