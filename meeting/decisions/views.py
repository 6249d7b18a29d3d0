"""Deciding on the web: the chair's decision form, and each rater's view from their device."""

from functools import partial

from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError

from ..errors import Forbidden, Invalid, Refused
from ..extensions import db
from ..models import Attendee, Item
from ..pages.access import chairs_meeting, get_meeting, login_required, owned, viewer_for
from ..pages.forms import chair_change, kept, status_of
from ..pages.regions import attendee_page, chair_page
from ..rating.concealment import hidden_from
from ..settings import policy
from . import decision as decisions
from . import dissent

bp = Blueprint("decisions", __name__)


@bp.route("/meetings/<int:meeting_id>/items/<int:item_id>/decision", methods=["POST"])
@login_required
def decision(meeting_id, item_id):
    """Save or record the decision on an item; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    item = owned(Item, meeting, item_id, lambda i: i.meeting_id)
    record = request.form.get("intent") == "record"
    return chair_change(
        meeting,
        "decision",
        lambda: decisions.save(item, request.form, record, meeting.chair.name, policy()),
        anchor="#decision",
    )


@bp.route("/meetings/<int:meeting_id>/items/<int:item_id>/decision/draft", methods=["POST"])
@login_required
def draft(meeting_id, item_id):
    """Save a draft decision as it is typed, answering its status line; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    item = owned(Item, meeting, item_id, lambda i: i.meeting_id)
    problem = ""
    try:
        decisions.save(item, request.form, False, meeting.chair.name, policy())
        db.session.commit()
    except (Invalid, Refused) as refused:
        db.session.rollback()
        problem = str(refused)
    except IntegrityError:
        # Begun in another window at the same moment: that one was saved.
        db.session.rollback()
        problem = "it was saved from elsewhere at the same moment; it saves again as you type."
    return render_template("chair/_draft_status.html", d=item.decision, draft_problem=problem)


@bp.route(
    "/meetings/<int:meeting_id>/items/<int:item_id>/views/<int:attendee_id>"
    "/<any(record, consider):what>",
    methods=["POST"],
)
@login_required
def chair_view(meeting_id, item_id, attendee_id, what):
    """Record a person's view, or how the meeting considered it; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    item = owned(Item, meeting, item_id, lambda i: i.meeting_id)
    attendee = owned(Attendee, meeting, attendee_id, lambda a: a.meeting_id)
    if what == "record":
        change = partial(dissent.respond, item, attendee, request.form, by_chair=True)
    else:
        change = partial(dissent.consider, item, attendee, request.form, policy())
    return chair_change(meeting, f"{what}-{attendee.id}", change, anchor="#views")


@bp.route("/m/<int:meeting_id>/items/<int:item_id>/view", methods=["POST"])
def own_view(meeting_id, item_id):
    """Record one's own view on an item's decision; an admitted attendee who rated it."""
    meeting = get_meeting(meeting_id)
    viewer = viewer_for(meeting)
    if viewer is None or viewer.attendee is None:
        raise Forbidden("Only people the chair has admitted can record a view.")
    item = owned(Item, meeting, item_id, lambda i: i.meeting_id)
    if hidden_from(item, viewer):
        # Restricted from the family: to them there is no such item, not even its name.
        abort(404)
    try:
        dissent.respond(item, viewer.attendee, request.form, by_chair=False)
    except (Invalid, Refused) as problem:
        db.session.rollback()
        context = kept("view", request.form, problem)
        if viewer.is_chair:
            return chair_page(meeting, status_of(problem), **context)
        return attendee_page(meeting, viewer, status_of(problem), **context)
    db.session.commit()
    return redirect(url_for("room.attend", meeting_id=meeting.id) + "#decision")
