"""The roll on the web: who left, apologies, written contributions, and going on inquorate."""

from collections.abc import Mapping
from functools import partial

from flask import Blueprint, redirect, render_template, request, url_for

from ..errors import Invalid, Refused
from ..extensions import db
from ..models import Attendee, AttendeeStatus, Item
from ..pages.access import chairs_meeting, login_required, owned
from ..pages.doorbell import ring_attendee
from ..pages.forms import chair_change
from ..settings import policy
from . import quorum, roll

bp = Blueprint("attendance", __name__, url_prefix="/meetings/<int:meeting_id>")


@bp.route("/people/<int:attendee_id>/<any(left, returned):what>", methods=["POST"])
@login_required
def presence(meeting_id, attendee_id, what):
    """Record that someone left the meeting or came back; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    attendee = owned(Attendee, meeting, attendee_id, lambda a: a.meeting_id)
    if what == "left":
        change = partial(roll.mark_left, attendee, request.form.get("left_at"), policy().zone)
    else:
        change = partial(roll.mark_returned, attendee)
    return chair_change(
        meeting,
        f"left-{attendee.id}",
        change,
        anchor="#attendance",
        then=partial(ring_attendee, attendee),
    )


@bp.route("/apologies", methods=["POST"])
@login_required
def apologies(meeting_id):
    """List someone who sent apologies; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    change = partial(roll.add_apologies, meeting, request.form)
    return chair_change(meeting, "apologies", change, anchor="#attendance")


@bp.route("/without-device", methods=["POST"])
@login_required
def without_device(meeting_id):
    """Add someone on a phone line or rating on paper, in the meeting at once; the
    meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    change = partial(roll.add_without_device, meeting, request.form)
    return chair_change(meeting, "without-device", change, anchor="#attendance")


@bp.route("/items/<int:item_id>/restricted", methods=["POST"])
@login_required
def restrict(meeting_id, item_id):
    """Restrict an item from the family, or let them hear it; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    item = owned(Item, meeting, item_id, lambda i: i.meeting_id)
    change = partial(roll.restrict_item, item, request.form.get("restricted") == "yes")
    return chair_change(meeting, "restricted", change)


# The chair's switches for the family: whether they rate, are out, see the display.
FAMILY_SWITCHES = {
    "rates": roll.set_family_rates,
    "out": roll.family_out,
    "display": roll.family_sees_display,
}


@bp.route("/family/<any(rates, out, display):switch>", methods=["POST"])
@login_required
def family(meeting_id, switch):
    """Say whether the family rates (on their own track), is out of the meeting, or sees
    the shared display; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    change = partial(FAMILY_SWITCHES[switch], meeting, request.form.get("on") == "yes")
    return chair_change(meeting, f"family-{switch}", change, anchor="#attendance")


@bp.route("/reveal-names", methods=["POST"])
@login_required
def reveal_names(meeting_id):
    """Say whether the display and the phones show the reveal without names; the meeting's
    chair only."""
    meeting = chairs_meeting(meeting_id)
    change = partial(roll.reveal_unnamed, meeting, request.form.get("unnamed") == "yes")
    return chair_change(meeting, "reveal-names", change, anchor="#attendance")


@bp.route("/quorum", methods=["POST"])
@login_required
def inquorate(meeting_id):
    """Record why the meeting goes on without a quorum; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    reason = request.form.get("reason", "")
    change = partial(quorum.record_inquorate_reason, meeting, reason, policy())
    return chair_change(meeting, "quorum", change, anchor="#attendance")


@bp.route("/people/<int:attendee_id>/contributions/<int:item_id>", methods=["GET", "POST"])
@login_required
def contribution(meeting_id, attendee_id, item_id):
    """Answer or save an absent person's written contribution; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    author = owned(Attendee, meeting, attendee_id, lambda a: a.meeting_id)
    item = owned(Item, meeting, item_id, lambda i: i.meeting_id)
    if author.status != AttendeeStatus.ABSENT:
        raise Refused("Written contributions come from people who sent apologies.")
    form: Mapping[str, str] = request.form
    errors: dict[str, str] = {}
    alert: str | None = None
    entered = next((c for c in item.contributions if c.attendee_id == author.id), None)
    if request.method == "POST":
        try:
            roll.set_contribution(item, author, form)
        except Invalid as invalid:
            db.session.rollback()
            errors = invalid.errors
        except Refused as refused:
            db.session.rollback()
            alert = str(refused)
        else:
            db.session.commit()
            return redirect(url_for("agenda.show", meeting_id=meeting.id) + "#attendance")
    elif entered is not None:
        # The rating itself is never sent back: it stays hidden until the round is revealed.
        form = {"report": entered.report}
    page = render_template(
        "chair/contribution.html",
        meeting=meeting,
        author=author,
        item=item,
        entered=entered,
        form=form,
        errors=errors,
        alert=alert,
    )
    return page, 422 if errors else (409 if alert else 200)
