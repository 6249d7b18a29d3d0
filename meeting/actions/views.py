"""Actions on the web: the chair adds them, or withdraws one added in error."""

from flask import Blueprint, request

from ..models import Action
from ..pages.access import chairs_meeting, login_required, owned
from ..pages.forms import chair_change
from ..settings import policy
from . import rules as actions

bp = Blueprint("actions", __name__, url_prefix="/meetings/<int:meeting_id>/actions")


@bp.route("", methods=["POST"])
@login_required
def add(meeting_id):
    """Add an action for an item or the whole meeting; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    return chair_change(
        meeting,
        "action",
        lambda: actions.add(meeting, request.form, policy()),
        anchor="#actions",
    )


@bp.route("/<int:action_id>/withdraw", methods=["POST"])
@login_required
def withdraw(meeting_id, action_id):
    """Withdraw an action added in error, with the reason; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    action = owned(Action, meeting, action_id, lambda a: a.meeting_id)
    return chair_change(
        meeting,
        f"withdraw-{action.id}",
        lambda: actions.withdraw(action, request.form.get("reason", "")),
        anchor="#actions",
    )
