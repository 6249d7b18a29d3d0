"""The agencies' reports on the web: the chair lists them, marks each received and shared
with the parents, records a part withheld from the family, corrects and removes them."""

from functools import partial

from flask import Blueprint, request

from ..models import AgencyReport
from ..pages.access import chairs_meeting, login_required, owned
from ..pages.forms import chair_change
from ..settings import policy
from . import rules

bp = Blueprint("reports", __name__, url_prefix="/meetings/<int:meeting_id>/reports")

# Where the chair's page opens after a change: at the reports.
ANCHOR = "#reports"


@bp.route("", methods=["POST"])
@login_required
def add(meeting_id):
    """List an agency's report as expected before the meeting; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    change = partial(rules.add_report, meeting, request.form)
    return chair_change(meeting, "report-add", change, anchor=ANCHOR)


@bp.route("/<int:report_id>/<any(received, shared):step>", methods=["POST"])
@login_required
def mark(meeting_id, report_id, step):
    """Record the day a report was received, or shared with the parents; the meeting's
    chair only."""
    meeting = chairs_meeting(meeting_id)
    report = owned(AgencyReport, meeting, report_id, lambda r: r.meeting_id)
    rule = rules.mark_received if step == "received" else rules.mark_shared
    change = partial(rule, report, request.form.get(f"{step}_on"), policy())
    return chair_change(meeting, f"report-{report.id}-{step}", change, anchor=ANCHOR)


@bp.route("/<int:report_id>/withheld", methods=["POST"])
@login_required
def withheld(meeting_id, report_id):
    """Say what part of a report is withheld from the family, and why; the meeting's chair
    only."""
    meeting = chairs_meeting(meeting_id)
    report = owned(AgencyReport, meeting, report_id, lambda r: r.meeting_id)
    change = partial(rules.set_withheld, report, request.form)
    return chair_change(meeting, f"report-{report.id}-withheld", change, anchor=ANCHOR)


@bp.route("/<int:report_id>", methods=["POST"])
@login_required
def correct(meeting_id, report_id):
    """Correct who writes a report and its dates; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    report = owned(AgencyReport, meeting, report_id, lambda r: r.meeting_id)
    change = partial(rules.correct, report, request.form, policy())
    return chair_change(meeting, f"report-{report.id}-correct", change, anchor=ANCHOR)


@bp.route("/<int:report_id>/delete", methods=["POST"])
@login_required
def remove(meeting_id, report_id):
    """Remove a report listed as expected by mistake, before the meeting starts; the
    meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    report = owned(AgencyReport, meeting, report_id, lambda r: r.meeting_id)
    change = partial(rules.remove_report, report)
    return chair_change(meeting, "report-remove", change, anchor=ANCHOR)
