"""The chair's meetings: the list, creating one, its details and agenda, and running it."""

from collections.abc import Mapping

from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from ..attendance.quorum import require_quorum
from ..cases.case import cases_for, reviewable, row_id
from ..cases.review import brought_forward, review_form
from ..circulation.deadlines import clock
from ..errors import Invalid, Refused
from ..extensions import db
from ..models import Item, Meeting
from ..pages.access import chairs_meeting, logged_in_chair, login_required, owned
from ..pages.regions import chair_page
from ..settings import policy
from . import meetings

bp = Blueprint("agenda", __name__, url_prefix="/meetings")


def _back(meeting: Meeting, anchor: str = "") -> Response:
    return redirect(url_for("agenda.show", meeting_id=meeting.id) + anchor)


@bp.route("/")
@login_required
def index():
    """List the logged-in chair's own meetings; any logged-in chair."""
    rows = db.session.scalars(
        select(Meeting)
        .where(Meeting.chair_id == logged_in_chair().id)
        .order_by(Meeting.starts_at.desc())
    )
    rules = policy()
    return render_template(
        "agenda/index.html", meetings=list(rows), minutes_clock=lambda m: clock(m, rules)
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Answer or save the form for a new meeting; any logged-in chair, who will run it."""
    form: Mapping[str, str] = request.form
    errors: dict[str, str] = {}
    chair, rules = logged_in_chair(), policy()
    if request.method == "GET":
        form = {"chair_role": meetings.last_role(chair)}
        earlier = reviewable(db.session, chair, request.args.get("review_of"), rules)
        if earlier is not None:
            form = review_form(earlier, rules)
        elif request.args.get("case_id"):
            form = {**form, "case_id": request.args.get("case_id", "")}
    if request.method == "POST":
        try:
            meeting = meetings.create_meeting(db.session, chair, form, rules)
        except Invalid as invalid:
            db.session.rollback()
            errors = invalid.errors
        else:
            db.session.commit()
            return _back(meeting)
    reviewed = reviewable(db.session, chair, form.get("review_of"), rules)
    page = render_template(
        "agenda/new.html",
        form=form,
        errors=errors,
        reviewed=reviewed,
        brought_forward=brought_forward(reviewed) if reviewed else [],
        cases=cases_for(db.session, chair, rules),
    )
    return page, 422 if errors else 200


@bp.route("/<int:meeting_id>")
@login_required
def show(meeting_id):
    """Answer the chair's page of a meeting (set-up, console or record); its chair only."""
    return chair_page(chairs_meeting(meeting_id))


@bp.route("/<int:meeting_id>/details", methods=["POST"])
@login_required
def details(meeting_id):
    """Change the meeting's details; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    try:
        meetings.update_meeting(meeting, request.form)
    except Invalid as invalid:
        db.session.rollback()
        return chair_page(meeting, details_form=request.form, details_errors=invalid.errors)
    except Refused as refused:
        db.session.rollback()
        return chair_page(
            meeting,
            refused.status,
            details_form=request.form,
            details_errors={},
            kept_alert=str(refused),
        )
    db.session.commit()
    return _back(meeting)


def _item(meeting: Meeting, item_id: int) -> Item:
    item = db.get_or_404(Item, item_id)
    if item.meeting_id != meeting.id:
        abort(404)
    return item


@bp.route("/<int:meeting_id>/items", methods=["POST"])
@login_required
def add_item(meeting_id):
    """Add an item to the agenda; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    try:
        meetings.add_item(meeting, request.form)
    except Invalid as invalid:
        db.session.rollback()
        return chair_page(meeting, item_form=request.form, item_errors=invalid.errors)
    db.session.commit()
    return _back(meeting, "#agenda")


@bp.route("/<int:meeting_id>/items/<int:item_id>", methods=["GET", "POST"])
@login_required
def edit_item(meeting_id, item_id):
    """Answer or save the form for one agenda item; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    item = _item(meeting, item_id)
    form: Mapping[str, str] = request.form
    errors: dict[str, str] = {}
    refused: Refused | None = None
    if request.method == "POST":
        try:
            meetings.update_item(item, form)
        except Invalid as invalid:
            db.session.rollback()
            errors = invalid.errors
        except Refused as problem:
            db.session.rollback()
            refused = problem
        else:
            db.session.commit()
            return _back(meeting, "#agenda")
    else:
        form = {
            "title": item.title,
            "body": item.body,
            "scale": item.scale,
            "choices": "\n".join(item.choices),
        }
    page = render_template(
        "agenda/item.html",
        meeting=meeting,
        item=item,
        form=form,
        errors=errors,
        kept_alert=str(refused or ""),
    )
    return page, refused.status if refused else 422 if errors else 200


@bp.route("/<int:meeting_id>/items/<int:item_id>/move", methods=["POST"])
@login_required
def move_item(meeting_id, item_id):
    """Move an agenda item up or down one place; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    meetings.move_item(_item(meeting, item_id), -1 if request.form.get("to") == "up" else 1)
    db.session.commit()
    return _back(meeting, "#agenda")


@bp.route("/<int:meeting_id>/items/<int:item_id>/delete", methods=["POST"])
@login_required
def remove_item(meeting_id, item_id):
    """Remove an item from the agenda; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    meetings.remove_item(_item(meeting, item_id))
    db.session.commit()
    return _back(meeting, "#agenda")


@bp.route("/<int:meeting_id>/start", methods=["POST"])
@login_required
def start(meeting_id):
    """Start the meeting, if quorate or the reason is recorded; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    meetings.writable(meeting)
    require_quorum(meeting, "starting", policy())
    meetings.start(meeting)
    db.session.commit()
    return _back(meeting)


@bp.route("/<int:meeting_id>/current", methods=["POST"])
@login_required
def current(meeting_id):
    """Move the meeting on to another agenda item; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    meetings.writable(meeting)
    item_id = row_id(request.form.get("item_id")) or 0
    item = owned(Item, meeting, item_id, lambda i: i.meeting_id)
    meetings.move_to(meeting, item)
    db.session.commit()
    return _back(meeting)


@bp.route("/<int:meeting_id>/close", methods=["POST"])
@login_required
def close(meeting_id):
    """Close the meeting, revealing any open round; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    meetings.close(meeting)
    db.session.commit()
    return _back(meeting)
