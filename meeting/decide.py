"""Deciding an item: the chair's decision, each rater's view on it, and the actions agreed."""

from functools import partial

from flask import Blueprint, redirect, request, url_for

from . import actions, decisions, meetings, rounds
from .access import chairs_meeting, get_meeting, login_required, owned, viewer_for
from .errors import Forbidden, Invalid, Refused
from .extensions import db
from .live import attendee_page, chair_change, chair_page, kept, ring_everyone, status_of
from .models import Action, Attendee, Item, Round

bp = Blueprint("decide", __name__)


@bp.route("/meetings/<int:meeting_id>/items/<int:item_id>/decision", methods=["POST"])
@login_required
def decision(meeting_id, item_id):
    meeting = chairs_meeting(meeting_id)
    item = owned(Item, meeting, item_id, lambda i: i.meeting_id)
    record = request.form.get("intent") == "record"
    # A draft is the chair's alone, so only a recorded decision rings the other screens.
    regions = ("decision", "stage") if record else ()
    return chair_change(
        meeting,
        "decision",
        partial(decisions.save, item, request.form, record, meeting.chair.name),
        *regions,
        anchor="#decision",
    )


@bp.route("/meetings/<int:meeting_id>/rounds/<int:round_id>/acknowledge", methods=["POST"])
@login_required
def acknowledge(meeting_id, round_id):
    meeting = chairs_meeting(meeting_id)
    round_ = owned(Round, meeting, round_id, lambda r: r.item.meeting_id)

    def change():
        rounds.acknowledge_divergence(round_, request.form.get("note", ""))
        meetings.log(
            meeting,
            meeting.chair.name,
            f"acknowledged the wide disagreement in round {round_.number} on {round_.item.title}",
            round_.divergence_note,
        )

    return chair_change(meeting, "acknowledge", change, "stage", anchor=f"#round-{round_.number}")


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
    if what == "record":
        change = partial(decisions.respond, item, attendee, request.form, by_chair=True)
    else:
        change = partial(decisions.consider, item, attendee, request.form)
    return chair_change(meeting, f"{what}-{attendee.id}", change, "decision", anchor="#views")


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
        context = kept("view", request.form, problem)
        if viewer.is_chair:
            return chair_page(meeting, status_of(problem), **context)
        return attendee_page(meeting, viewer, status_of(problem), **context)
    db.session.commit()
    ring_everyone(meeting, "decision")
    return redirect(url_for("live.attend", meeting_id=meeting.id) + "#decision")


@bp.route("/meetings/<int:meeting_id>/actions", methods=["POST"])
@login_required
def add_action(meeting_id):
    meeting = chairs_meeting(meeting_id)
    change = partial(actions.add, meeting, request.form)
    return chair_change(meeting, "action", change, "actions", anchor="#actions")


@bp.route("/meetings/<int:meeting_id>/actions/<int:action_id>/withdraw", methods=["POST"])
@login_required
def withdraw_action(meeting_id, action_id):
    meeting = chairs_meeting(meeting_id)
    action = owned(Action, meeting, action_id, lambda a: a.meeting_id)
    change = partial(actions.withdraw, action, request.form.get("reason", ""))
    return chair_change(meeting, f"withdraw-{action.id}", change, "actions", anchor="#actions")
