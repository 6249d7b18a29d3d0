"""Deciding an item: the chair's decision, each rater's view on it, and the actions agreed."""

from flask import Blueprint, redirect, request, url_for

from . import actions, decisions, meetings, rounds
from .access import chairs_meeting, get_meeting, login_required, viewer_for
from .console import owned
from .errors import Forbidden, Invalid, Refused
from .extensions import db
from .live import attendee_page, chair_page, kept, ring_everyone, status_of
from .models import Action, Attendee, Item, Round

bp = Blueprint("decide", __name__)


def _chair_back(meeting, anchor: str):
    return redirect(url_for("agenda.show", meeting_id=meeting.id) + anchor)


@bp.route("/meetings/<int:meeting_id>/items/<int:item_id>/decision", methods=["POST"])
@login_required
def decision(meeting_id, item_id):
    meeting = chairs_meeting(meeting_id)
    item = owned(Item, meeting, item_id, lambda i: i.meeting_id)
    record = request.form.get("intent") == "record"
    try:
        decisions.save(item, request.form, record, meeting.chair.name)
    except (Invalid, Refused) as problem:
        db.session.rollback()
        return chair_page(meeting, status_of(problem), **kept("decision", request.form, problem))
    db.session.commit()
    if record:
        ring_everyone(meeting, "decision", "stage")
    return _chair_back(meeting, "#decision")


@bp.route("/meetings/<int:meeting_id>/rounds/<int:round_id>/acknowledge", methods=["POST"])
@login_required
def acknowledge(meeting_id, round_id):
    meeting = chairs_meeting(meeting_id)
    round_ = owned(Round, meeting, round_id, lambda r: r.item.meeting_id)
    rounds.acknowledge_divergence(round_, request.form.get("note", ""))
    meetings.log(
        meeting,
        meeting.chair.name,
        f"acknowledged the wide disagreement in round {round_.number} on {round_.item.title}",
        round_.divergence_note,
    )
    db.session.commit()
    ring_everyone(meeting, "stage")
    return _chair_back(meeting, f"#round-{round_.number}")


@bp.route(
    "/meetings/<int:meeting_id>/items/<int:item_id>/views/<int:attendee_id>"
    "/<any(record, consider):what>",
    methods=["POST"],
)
@login_required
def chair_view(meeting_id, item_id, attendee_id, what):
    meeting = chairs_meeting(meeting_id)
    item = owned(Item, meeting, item_id, lambda i: i.meeting_id)
    attendee = owned(Attendee, meeting, attendee_id, lambda a: a.meeting_id)
    try:
        if what == "record":
            decisions.respond(item, attendee, request.form, by_chair=True)
        else:
            decisions.consider(item, attendee, request.form)
    except (Invalid, Refused) as problem:
        db.session.rollback()
        key = f"{what}-{attendee.id}"
        return chair_page(meeting, status_of(problem), **kept(key, request.form, problem))
    db.session.commit()
    ring_everyone(meeting, "decision")
    return _chair_back(meeting, "#views")


@bp.route("/m/<int:meeting_id>/items/<int:item_id>/view", methods=["POST"])
def own_view(meeting_id, item_id):
    meeting = get_meeting(meeting_id)
    viewer = viewer_for(meeting)
    if viewer is None:
        raise Forbidden("Only people the chair has admitted can record a view.")
    item = owned(Item, meeting, item_id, lambda i: i.meeting_id)
    try:
        decisions.respond(item, viewer.attendee, request.form, by_chair=False)
    except (Invalid, Refused) as problem:
        db.session.rollback()
        page = (
            chair_page if viewer.is_chair else lambda m, *a, **k: attendee_page(m, viewer, *a, **k)
        )
        return page(meeting, status_of(problem), **kept("view", request.form, problem))
    db.session.commit()
    ring_everyone(meeting, "decision")
    return redirect(url_for("live.attend", meeting_id=meeting.id) + "#decision")


@bp.route("/meetings/<int:meeting_id>/actions", methods=["POST"])
@login_required
def add_action(meeting_id):
    meeting = chairs_meeting(meeting_id)
    try:
        actions.add(meeting, request.form)
    except (Invalid, Refused) as problem:
        db.session.rollback()
        return chair_page(meeting, status_of(problem), **kept("action", request.form, problem))
    db.session.commit()
    ring_everyone(meeting, "actions")
    return _chair_back(meeting, "#actions")


@bp.route("/meetings/<int:meeting_id>/actions/<int:action_id>/withdraw", methods=["POST"])
@login_required
def withdraw_action(meeting_id, action_id):
    meeting = chairs_meeting(meeting_id)
    action = owned(Action, meeting, action_id, lambda a: a.meeting_id)
    try:
        actions.withdraw(action, request.form.get("reason", ""))
    except (Invalid, Refused) as problem:
        db.session.rollback()
        key = f"withdraw-{action.id}"
        return chair_page(meeting, status_of(problem), **kept(key, request.form, problem))
    db.session.commit()
    ring_everyone(meeting, "actions")
    return _chair_back(meeting, "#actions")
