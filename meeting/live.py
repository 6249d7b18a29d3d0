"""What each viewer sees of a meeting, region by region, and the doorbell that says what changed.

Every page is made of regions (`templates/live/_<region>.html`). A page includes
them; a live event names the regions that changed and each open page fetches
them again, rendered for its viewer. Nothing in an event carries meeting data.
"""

from io import BytesIO

import segno
from flask import (
    Blueprint,
    Response,
    abort,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from . import actions, attendance, decisions, meetings, rounds, scales
from .access import chair_seat, device_attendee, display_meeting, get_meeting, viewer_for
from .errors import Forbidden, Invalid, Refused
from .extensions import db, socketio
from .models import TURNED_AWAY, WAITING, Meeting, Round
from .rounds import Viewer

bp = Blueprint("live", __name__)

REGIONS = ("agenda", "stage", "progress", "rate", "people", "decision", "actions")


def room(meeting_id: int, audience: str = "everyone") -> str:
    """Name the Socket.IO room of one audience of a meeting ("everyone" or "chair")."""
    return f"meeting-{meeting_id}-{audience}"


def person_room(attendee_id: int) -> str:
    """Name the Socket.IO room of one attendee's devices."""
    return f"attendee-{attendee_id}"


def _ring(to: str, regions: tuple[str, ...], reload: bool) -> None:
    socketio.emit("changed", {"regions": list(regions), "reload": reload}, to=to)


def ring_everyone(meeting: Meeting, *regions: str, reload: bool = False) -> None:
    """Tell every admitted screen of a meeting which regions changed."""
    _ring(room(meeting.id), regions, reload)


def ring_chair(meeting: Meeting, *regions: str) -> None:
    """Tell the chair's screens which regions changed."""
    _ring(room(meeting.id, "chair"), regions, False)


def ring_attendee(attendee) -> None:
    """Tell one attendee's devices to load their page again (admitted, turned away)."""
    _ring(person_room(attendee.id), (), True)


def region_context(meeting: Meeting, viewer: Viewer, only: str | None = None, **extra) -> dict:
    """Gather what the regions (or the one region `only`) show a viewer.

    Rating values come only through `rounds`. Spreads are worked out only where the
    stage is drawn: progress is fetched by every screen after every rating.
    """
    item = meeting.current_item
    shown_rounds, open_round = [], None
    if item is not None:
        open_round = item.open_round
        if only in (None, "stage"):
            shown_rounds = [(r, rounds.spread(r, viewer)) for r in item.rounds]
    mine = rounds.own_rating(open_round, viewer) if open_round else None
    kept = extra.pop("rate_form", None)
    if only in (None, "decision") and item is not None:
        extra.setdefault("consensus", decisions.consensus(item))
        # Only the chair's list of views shows who was a minority at the reveal.
        if viewer.is_chair:
            extra.setdefault("minority_marks", decisions.minority_at_reveal(item))
        extra.setdefault("raters", decisions.raters(item))
        extra.setdefault("my_view", decisions.view_of(item.decision, viewer.attendee))
    if only in (None, "actions"):
        extra.setdefault("standing_actions", actions.live(meeting))
        extra.setdefault("my_actions", actions.owned_by(meeting, viewer.attendee))
    if only in (None, "people"):
        extra.setdefault("quorum", attendance.quorum(meeting))
    return {
        "meeting": meeting,
        "viewer": viewer,
        "item": item,
        "rounds": shown_rounds,
        "open_round": open_round,
        "progress": rounds.progress(open_round) if open_round else None,
        "mine": mine,
        "rate_values": dict(kept) if kept else _values(mine),
        "join_link": url_for("join.details", code=meeting.join_code, _external=True),
        "scales": scales,
        "attendance_label": attendance.attendance_label,
        **extra,
    }


def _values(rating) -> dict[str, str]:
    if rating is None:
        return {}
    fields = ("score", "likelihood", "severity", "choice", "reason")
    return {f: str(getattr(rating, f)) for f in fields if getattr(rating, f) is not None}


def _region_url(meeting: Meeting, viewer: Viewer, name: str) -> str:
    if viewer.kind == "display":
        return url_for("live.display_region", token=meeting.display_token, name=name)
    return url_for("live.region", meeting_id=meeting.id, name=name)


def _page(template: str, meeting: Meeting, viewer: Viewer, status: int = 200, **extra):
    context = region_context(meeting, viewer, **extra)
    context["region_url"] = lambda name: _region_url(meeting, viewer, name)
    return render_template(template, **context), status


def _fragment(meeting: Meeting, viewer: Viewer, name: str):
    """Answer an htmx request with one region; anything else goes to the full page."""
    if name not in REGIONS:
        abort(404)
    if not request.headers.get("HX-Request") or request.headers.get("HX-History-Restore-Request"):
        if viewer.kind == "display":
            return redirect(url_for("live.display", token=meeting.display_token))
        return redirect(url_for("live.attend", meeting_id=meeting.id))
    response = make_response(
        render_template(f"live/_{name}.html", **region_context(meeting, viewer, only=name))
    )
    response.headers["Vary"] = "HX-Request, HX-History-Restore-Request, Cookie"
    response.headers["Cache-Control"] = "no-store"
    return response


def kept(key: str, form, problem: Exception) -> dict:
    """Keep what someone typed into the form `key`, with what was wrong, to show it again."""
    errors = getattr(problem, "errors", None)
    return {
        "kept_key": key,
        "kept_form": form,
        "kept_errors": errors or {},
        "kept_alert": "" if errors else str(problem),
    }


def status_of(problem: Exception) -> int:
    """Return the status a refused or invalid form answers with."""
    return getattr(problem, "status", 422)


def chair_change(meeting: Meeting, key: str, change, *regions: str, anchor: str = "", then=None):
    """Make one change from the chair's page, then commit, ring `regions` and go back.

    If the change is refused or its input is wrong, nothing is saved and the chair's
    page comes back with the problem named and the form `key` as they typed it.
    """
    try:
        change()
    except (Invalid, Refused) as problem:
        db.session.rollback()
        return chair_page(meeting, status_of(problem), **kept(key, request.form, problem))
    db.session.commit()
    ring_everyone(meeting, *regions)
    if then is not None:
        then()
    return redirect(url_for("agenda.show", meeting_id=meeting.id) + anchor)


def attendee_page(meeting: Meeting, viewer: Viewer, status: int = 200, **extra):
    """Render an admitted attendee's page of a meeting."""
    return _page("attendee/meeting.html", meeting, viewer, status, **extra)


def chair_page(meeting: Meeting, status: int | None = None, **extra):
    """Render the chair's page of a meeting (set-up, console or record)."""
    errors = any(k.endswith("_errors") and v for k, v in extra.items())
    status = status or (422 if errors else 200)
    item = meeting.current_item
    extra.setdefault("legal_bases", decisions.legal_bases())
    extra.setdefault("protective", bool(item and decisions.protective_prompt(item)))
    return _page(
        "chair/meeting.html", meeting, Viewer("chair", chair_seat(meeting)), status, **extra
    )


@bp.route("/m/<int:meeting_id>")
def attend(meeting_id):
    meeting = get_meeting(meeting_id)
    viewer = viewer_for(meeting)
    if viewer is not None and viewer.is_chair:
        return redirect(url_for("agenda.show", meeting_id=meeting.id))
    if viewer is None:
        attendee = device_attendee(meeting)
        if attendee is None:
            return redirect(url_for("join.details", code=meeting.join_code))
        page = (
            "attendee/turned_away.html"
            if attendee.status == TURNED_AWAY
            else "attendee/waiting.html"
        )
        live_room = attendee.status == WAITING
        return render_template(page, meeting=meeting, attendee=attendee, live_room=live_room)
    return attendee_page(meeting, viewer)


@bp.route("/m/<int:meeting_id>/region/<name>")
def region(meeting_id, name):
    meeting = get_meeting(meeting_id)
    viewer = viewer_for(meeting)
    if viewer is None:
        raise Forbidden("Only people the chair has admitted can see this meeting.")
    return _fragment(meeting, viewer, name)


@bp.route("/m/<int:meeting_id>/rounds/<int:round_id>/rating", methods=["POST"])
def rate(meeting_id, round_id):
    meeting = get_meeting(meeting_id)
    viewer = viewer_for(meeting)
    if viewer is None:
        raise Forbidden("Only people the chair has admitted can rate.")
    round_ = db.session.get(Round, round_id)
    if round_ is None or round_.item.meeting_id != meeting.id:
        abort(404)
    try:
        rounds.submit_rating(round_, viewer.attendee, request.form)
    except (scales.InvalidRating, Refused) as problem:
        db.session.rollback()
        status = 422 if isinstance(problem, scales.InvalidRating) else problem.status
        kept = {"rate_error": str(problem), "rate_form": request.form, "rate_round": round_id}
        if viewer.is_chair:
            return chair_page(meeting, status, **kept)
        return attendee_page(meeting, viewer, status, **kept)
    meetings.log(
        meeting, viewer.attendee.name, f"rated round {round_.number} on {round_.item.title}"
    )
    db.session.commit()
    ring_everyone(meeting, "progress")
    if viewer.is_chair:
        return redirect(url_for("agenda.show", meeting_id=meeting.id) + "#rate")
    return redirect(url_for("live.attend", meeting_id=meeting.id) + "#rate")


@bp.route("/display/<token>")
def display(token):
    meeting = display_meeting(token)
    return _page("display/meeting.html", meeting, Viewer("display"))


@bp.route("/display/<token>/region/<name>")
def display_region(token, name):
    return _fragment(display_meeting(token), Viewer("display"), name)


def _qr(meeting: Meeting) -> Response:
    link = url_for("join.details", code=meeting.join_code, _external=True)
    out = BytesIO()
    segno.make(link, error="m").save(out, kind="svg", scale=8, border=2, title="Join link")
    return Response(out.getvalue(), mimetype="image/svg+xml")


@bp.route("/display/<token>/qr.svg")
def display_qr(token):
    return _qr(display_meeting(token))


@bp.route("/meetings/<int:meeting_id>/qr.svg")
def chair_qr(meeting_id):
    meeting = get_meeting(meeting_id)
    viewer = viewer_for(meeting)
    if viewer is None or not viewer.is_chair:
        raise Forbidden("Only the meeting's chair can see this.")
    return _qr(meeting)
