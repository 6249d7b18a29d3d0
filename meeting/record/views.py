"""The record on the web: the whole meeting as JSON, and its event log as a page."""

from flask import Blueprint, Response, render_template
from sqlalchemy import select

from ..extensions import db
from ..models import Event
from ..pages.access import chairs_meeting, login_required
from ..rating.concealment import chair_viewer
from ..settings import policy
from . import export

bp = Blueprint("record", __name__, url_prefix="/meetings/<int:meeting_id>")


@bp.route("/record.json")
@login_required
def download(meeting_id):
    """Download the meeting's whole record as JSON; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    body = export.as_json(export.build(meeting, chair_viewer(meeting), policy()))
    filename = export.filename(meeting.id)
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/events")
@login_required
def events(meeting_id):
    """Answer the page of the meeting's event log; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    rows = db.session.scalars(
        select(Event).where(Event.meeting_id == meeting.id).order_by(Event.seq)
    )
    return render_template("chair/events.html", meeting=meeting, events=list(rows))
