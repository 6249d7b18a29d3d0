"""The chair running a meeting: start, admit, move through the agenda, open and reveal, close."""

from flask import Blueprint, redirect, request, url_for

from . import attendance, meetings, rounds
from .access import chairs_meeting, login_required, owned
from .errors import Invalid
from .extensions import db
from .live import chair_page, kept, ring_attendee, ring_everyone
from .models import Attendee, Item, Meeting, Round

bp = Blueprint("console", __name__, url_prefix="/meetings/<int:meeting_id>")

# What every screen re-reads when the item under discussion, or its rounds, change.
STAGE = ("agenda", "stage", "progress", "rate")


def _back(meeting: Meeting):
    return redirect(url_for("agenda.show", meeting_id=meeting.id))


@bp.route("/start", methods=["POST"])
@login_required
def start(meeting_id):
    meeting = chairs_meeting(meeting_id)
    meetings.writable(meeting)
    attendance.require_quorum(meeting, "starting")
    meetings.start(meeting)
    db.session.commit()
    ring_everyone(meeting, reload=True)
    return _back(meeting)


@bp.route("/close", methods=["POST"])
@login_required
def close(meeting_id):
    meeting = chairs_meeting(meeting_id)
    meetings.close(meeting)
    db.session.commit()
    ring_everyone(meeting, reload=True)
    return _back(meeting)


@bp.route(
    '/people/<int:attendee_id>/<any(admit, "turn-away", observe, rate):what>', methods=["POST"]
)
@login_required
def person(meeting_id, attendee_id, what):
    meeting = chairs_meeting(meeting_id)
    attendee = owned(Attendee, meeting, attendee_id, lambda a: a.meeting_id)
    if what == "admit":
        meetings.admit(attendee)
    elif what == "turn-away":
        meetings.turn_away(attendee)
    else:
        meetings.set_observer(attendee, what == "observe")
    db.session.commit()
    ring_everyone(meeting, "people", "progress", "rate")
    if what in ("admit", "turn-away"):
        ring_attendee(attendee)
    return _back(meeting)


@bp.route("/current", methods=["POST"])
@login_required
def current(meeting_id):
    meeting = chairs_meeting(meeting_id)
    meetings.writable(meeting)
    item = owned(Item, meeting, request.form.get("item_id", type=int) or 0, lambda i: i.meeting_id)
    meetings.move_to(meeting, item)
    db.session.commit()
    ring_everyone(meeting, *STAGE)
    return _back(meeting)


@bp.route("/items/<int:item_id>/rounds", methods=["POST"])
@login_required
def open_round(meeting_id, item_id):
    meeting = chairs_meeting(meeting_id)
    item = owned(Item, meeting, item_id, lambda i: i.meeting_id)
    form = request.form
    try:
        round_ = rounds.open_round(item, form.get("basis"), form.get("controls", ""))
    except Invalid as invalid:
        db.session.rollback()
        return chair_page(meeting, 422, **kept("round", form, invalid))
    db.session.flush()
    meetings.log(meeting, meeting.chair.name, f"opened round {round_.number} on {item.title}")
    db.session.commit()
    ring_everyone(meeting, *STAGE)
    return _back(meeting)


@bp.route("/rounds/<int:round_id>/reveal", methods=["POST"])
@login_required
def reveal(meeting_id, round_id):
    meeting = chairs_meeting(meeting_id)
    round_ = owned(Round, meeting, round_id, lambda r: r.item.meeting_id)
    rounds.reveal(round_)
    meetings.log(
        meeting, meeting.chair.name, f"revealed round {round_.number} on {round_.item.title}"
    )
    db.session.commit()
    ring_everyone(meeting, *STAGE)
    return _back(meeting)
