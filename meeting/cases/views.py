"""A child's case on the web: the case page and report for chairs, and, in a meeting, the
actions carried forward, the forecasts answered and the chronology added to."""

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ..errors import Forbidden, Invalid, Refused
from ..extensions import db
from ..models import Action, ChildCase, Decision, Item, Meeting
from ..pages.access import (
    chairs_meeting,
    get_meeting,
    logged_in_chair,
    login_required,
    owned,
    viewer_for,
)
from ..pages.forms import added_by, chair_change, kept, status_of
from ..pages.regions import Page, attendee_page, chair_page
from ..rating.concealment import UNSEATED_CHAIR, Viewer
from ..settings import policy
from . import report, targets
from .again import again_in_case
from .carried import set_status
from .case import cases_for, may_see
from .chronology import add_entry
from .copied import confirm
from .forecasts import answer_forecast
from .panel import seen_by
from .review import review_due
from .triggers import record_trigger

bp = Blueprint("cases", __name__)


def _case(case_id: int) -> ChildCase:
    case = db.get_or_404(ChildCase, case_id)
    if not may_see(case, logged_in_chair(), policy()):
        raise Forbidden("This child's case is open only to the chairs of its meetings.")
    return case


@bp.route("/cases")
@login_required
def index():
    """List the cases the logged-in chair may open, the latest meeting first."""
    shown = cases_for(db.session, logged_in_chair(), policy())
    return render_template("cases/index.html", cases=shown, due=review_due)


def _case_page(case: ChildCase, status: int = 200, **extra: Any) -> Page:
    story = report.story(case)
    return (
        render_template(
            "cases/case.html",
            case=case,
            due=review_due(case),
            story=story,
            again=again_in_case(case, [a for a, _said in story.open_actions]),
            today=policy().today(),
            current_chair_id=logged_in_chair().id,
            target_of=lambda d: targets.checked_later(d, UNSEATED_CHAIR),
            kept_key=extra.pop("kept_key", ""),
            kept_form=extra.pop("kept_form", {}),
            kept_errors=extra.pop("kept_errors", {}),
            kept_alert=extra.pop("kept_alert", ""),
            **extra,
        ),
        status,
    )


@bp.route("/cases/<int:case_id>")
@login_required
def show(case_id):
    """Show a child's case across its meetings; its chairs and case managers only."""
    return _case_page(_case(case_id))


def _case_change(case: ChildCase, key: str, change: Callable[[], object]) -> Response | Page:
    try:
        change()
        db.session.commit()
    except (Invalid, Refused) as problem:
        db.session.rollback()
        return _case_page(case, status_of(problem), **kept(key, request.form, problem))
    return redirect(url_for("cases.show", case_id=case.id) + f"#{key}")


@bp.route("/cases/<int:case_id>/triggers", methods=["POST"])
@login_required
def trigger(case_id):
    """Record a review trigger on the case page; its chairs and case managers only."""
    case = _case(case_id)
    chair = logged_in_chair()
    return _case_change(case, "trigger", lambda: record_trigger(case, request.form, chair.name))


@bp.route("/cases/<int:case_id>/chronology", methods=["POST"])
@login_required
def case_chronology(case_id):
    """Add an event to the case's chronology; its chairs and case managers only."""
    case = _case(case_id)
    chair = logged_in_chair()
    return _case_change(
        case,
        "chronology",
        lambda: add_entry(case, None, request.form, chair.name, policy()),
    )


@bp.route("/cases/report")
@login_required
def deployment_report():
    """Count forecasts against outcomes over the cases the chair may open."""
    chair, rules = logged_in_chair(), policy()
    shown = cases_for(db.session, chair, rules)
    return render_template(
        "cases/report.html",
        table=report.outcomes(shown),
        cases=len(shown),
        manager=chair.email.lower() in rules.case_managers,
    )


# In a meeting: the chair ------------------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>/carried/<int:action_id>", methods=["POST"])
@login_required
def chair_carried(meeting_id, action_id):
    """Record what became of a carried action; the review's chair only."""
    meeting = chairs_meeting(meeting_id)
    action = db.get_or_404(Action, action_id)
    return chair_change(
        meeting,
        f"carried-{action.id}",
        lambda: set_status(meeting, action, request.form, None),
        anchor="#case",
    )


@bp.route("/meetings/<int:meeting_id>/items/<int:item_id>/confirm", methods=["POST"])
@login_required
def confirm_item(meeting_id, item_id):
    """Confirm an item copied from the last meeting unchanged; the review's chair only."""
    meeting = chairs_meeting(meeting_id)
    item = owned(Item, meeting, item_id, lambda i: i.meeting_id)
    return chair_change(
        meeting,
        f"confirm-{item.id}",
        lambda: confirm(item, meeting.chair.name),
        anchor=f"#copied-{item.id}",
    )


@bp.route("/meetings/<int:meeting_id>/forecasts/<int:decision_id>/<int:line>", methods=["POST"])
@login_required
def forecast(meeting_id, decision_id, line):
    """Record how a forecast of the last meeting turned out; the review's chair only."""
    meeting = chairs_meeting(meeting_id)
    decision = db.get_or_404(Decision, decision_id)
    return chair_change(
        meeting,
        f"forecast-{decision.id}-{line}",
        lambda: answer_forecast(meeting, decision, line, request.form),
        anchor="#case",
    )


# In a meeting: anyone admitted ---------------------------------------------------------------


def _own_change(meeting: Meeting, key: str, change: Callable[[Viewer], object]) -> Any:
    viewer = viewer_for(meeting)
    if viewer is None or viewer.attendee is None:
        raise Forbidden("Only people the chair has admitted can do that.")
    try:
        change(viewer)
        db.session.commit()
    except (Invalid, Refused) as problem:
        db.session.rollback()
        context = kept(key, request.form, problem)
        if viewer.is_chair:
            return chair_page(meeting, status_of(problem), **context)
        return attendee_page(meeting, viewer, status_of(problem), **context)
    if viewer.is_chair:
        return redirect(url_for("agenda.show", meeting_id=meeting.id) + "#case")
    return redirect(url_for("room.attend", meeting_id=meeting.id) + "#case")


@bp.route("/m/<int:meeting_id>/carried/<int:action_id>", methods=["POST"])
def own_carried(meeting_id, action_id):
    """Record what became of your own carried action; its owner, admitted, or the chair."""
    meeting = get_meeting(meeting_id)
    action = db.get_or_404(Action, action_id)
    return _own_change(
        meeting,
        f"carried-{action.id}",
        lambda viewer: set_status(
            meeting, action, request.form, None if viewer.is_chair else viewer.attendee
        ),
    )


@bp.route("/m/<int:meeting_id>/chronology", methods=["POST"])
def chronology(meeting_id):
    """Add an event to the case's chronology from a meeting; anyone admitted to it."""
    meeting = get_meeting(meeting_id)
    if meeting.case is None:
        abort(404)

    def add(viewer: Viewer) -> object:
        assert meeting.case is not None and viewer.attendee is not None
        form = request.form
        entry = add_entry(meeting.case, meeting, form, viewer.attendee.name, policy())
        if not viewer.is_chair:
            added_by(viewer.attendee)
        return entry

    return _own_change(meeting, "chronology", add)


@bp.route("/m/<int:meeting_id>/trigger", methods=["POST"])
def own_trigger(meeting_id):
    """Record a review trigger from a meeting; its chair, or professionals where allowed."""
    meeting = get_meeting(meeting_id)
    case = meeting.case
    if case is None:
        abort(404)

    def record(viewer: Viewer) -> object:
        assert case is not None and viewer.attendee is not None
        if not seen_by(meeting, viewer, policy()).may_trigger:
            raise Refused("Only the chair can record that a review trigger occurred here.")
        who = f"{viewer.attendee.name} ({viewer.attendee.agency})"
        trigger = record_trigger(case, request.form, who)
        if not viewer.is_chair:
            added_by(viewer.attendee)
        return trigger

    return _own_change(meeting, "trigger", record)
