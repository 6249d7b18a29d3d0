"""Rating on the web: the chair opens and reveals rounds; each person rates from their device."""

from functools import partial

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError

from ..cases.case import row_id
from ..errors import Forbidden, Invalid, Refused
from ..extensions import db
from ..models import Attendee, Item, Round
from ..pages.access import chairs_meeting, get_meeting, login_required, owned, viewer_for
from ..pages.forms import chair_change, kept
from ..pages.regions import attendee_page, chair_page, in_place
from ..settings import policy
from . import behalf as entered
from . import gaps, rounds, scales, slips
from .concealment import hidden_from

bp = Blueprint("rating", __name__)


@bp.route("/meetings/<int:meeting_id>/items/<int:item_id>/rounds", methods=["POST"])
@login_required
def open_round(meeting_id, item_id):
    """Open the next rating round on an item; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    item = owned(Item, meeting, item_id, lambda i: i.meeting_id)
    form = request.form
    # A repeat of the click that opened this round (a double click, a retry) is already done.
    number = form.get("number", type=int)
    if any(r.number == number for r in item.rounds):
        flash(f"Round {number} on “{item.title}” was already opened; nothing else changed.")
        return redirect(url_for("agenda.show", meeting_id=meeting.id))
    try:
        rounds.open_round(item, form.get("basis"), form.get("controls", ""))
        db.session.commit()
    except Invalid as invalid:
        db.session.rollback()
        return chair_page(meeting, 422, **kept("round", form, invalid))
    except IntegrityError:
        # The same click arrived twice at once: the other copy opened the round.
        db.session.rollback()
        flash(f"Round {number} on “{item.title}” was already opened; nothing else changed.")
        return redirect(url_for("agenda.show", meeting_id=meeting.id))
    return redirect(url_for("agenda.show", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/rounds/<int:round_id>/reveal", methods=["POST"])
@login_required
def reveal(meeting_id, round_id):
    """Reveal a round's ratings to everyone at once; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    round_ = owned(Round, meeting, round_id, lambda r: r.item.meeting_id)
    # A repeat of the click that revealed this round (a double click, a retry) is already done.
    already = f"Round {round_.number} was already revealed; nothing else changed."
    if round_.revealed_at is not None:
        flash(already)
    else:
        try:
            rounds.reveal(round_)
            db.session.commit()
        except Refused as refused:
            # Revealed by the other copy of the same click in the meantime, or closed.
            db.session.rollback()
            db.session.refresh(round_)
            flash(already if round_.revealed_at else str(refused))
    return redirect(url_for("agenda.show", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/rounds/<int:round_id>/acknowledge", methods=["POST"])
@login_required
def acknowledge(meeting_id, round_id):
    """Record that the chair heard a round's wide disagreement; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    round_ = owned(Round, meeting, round_id, lambda r: r.item.meeting_id)
    return chair_change(
        meeting,
        "acknowledge",
        lambda: rounds.acknowledge_divergence(round_, request.form.get("note", "")),
        anchor=f"#round-{round_.number}",
    )


@bp.route("/meetings/<int:meeting_id>/rounds/<int:round_id>/behalf", methods=["POST"])
@login_required
def behalf(meeting_id, round_id):
    """Enter a rating given to the chair (a phone line, a paper slip, told privately) in the
    open round; the meeting's chair only. Nothing of its value is shown back."""
    meeting = chairs_meeting(meeting_id)
    round_ = owned(Round, meeting, round_id, lambda r: r.item.meeting_id)
    attendee_id = row_id(request.form.get("attendee_id"))
    attendee = db.session.get(Attendee, attendee_id) if attendee_id else None
    change = partial(entered.enter_rating, round_, attendee, request.form)

    def said() -> None:
        assert attendee is not None
        flash(f"{attendee.name}'s rating is in round {round_.number}, hidden until the reveal.")

    return chair_change(meeting, "behalf", change, anchor="#behalf", then=said)


@bp.route(
    "/meetings/<int:meeting_id>/rounds/<int:round_id>/gaps/<int:attendee_id>/action",
    methods=["POST"],
)
@login_required
def gap_action(meeting_id, round_id, attendee_id):
    """Make an information gap at a reveal an action in one step: the person who needs the
    information finds it out by the date the chair gives; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    round_ = owned(Round, meeting, round_id, lambda r: r.item.meeting_id)
    return chair_change(
        meeting,
        f"gap-{round_.id}-{attendee_id}",
        lambda: gaps.make_action(round_, attendee_id, request.form.get("due", ""), policy()),
        anchor=f"#gap-{round_.id}-{attendee_id}",
    )


@bp.route("/m/<int:meeting_id>/rounds/<int:round_id>/rating", methods=["POST"])
def rate(meeting_id, round_id):
    """Submit this device's rating; an admitted attendee who rates, or the chair in their seat."""
    meeting = get_meeting(meeting_id)
    viewer = viewer_for(meeting)
    if viewer is None or viewer.attendee is None:
        raise Forbidden("Only people the chair has admitted can rate.")
    round_ = db.session.get(Round, round_id)
    # An item restricted from the family is, to them, no item at all: not even its name.
    if round_ is None or round_.item.meeting_id != meeting.id or hidden_from(round_.item, viewer):
        abort(404)
    try:
        rounds.submit_rating(round_, viewer.attendee, request.form)
    except (scales.InvalidRating, Refused) as problem:
        db.session.rollback()
        status = problem.status if isinstance(problem, Refused) else 422
        typed = {"rate_error": str(problem), "rate_form": request.form, "rate_round": round_id}
        if viewer.is_chair:
            return chair_page(meeting, status, **typed)
        return attendee_page(meeting, viewer, status, **typed)
    db.session.commit()
    answer = in_place(meeting, viewer)
    if answer is not None:
        return answer
    if viewer.is_chair:
        return redirect(url_for("agenda.show", meeting_id=meeting.id) + "#rate")
    return redirect(url_for("room.attend", meeting_id=meeting.id) + "#rate")


@bp.route("/meetings/<int:meeting_id>/slips")
@login_required
def print_slips(meeting_id):
    """Answer the rating slips to print on A4: one for each person who rates and some blank
    (`?blank=N`; `?for=professionals` puts the items restricted from the family on them);
    the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    problem = ""
    try:
        blank = slips.blank_count(request.args.get("blank"))
    except Invalid as invalid:
        blank, problem = slips.BLANK, invalid.errors["blank"]
    professionals = request.args.get("for") == "professionals"
    page = render_template(
        "chair/slips.html",
        meeting=meeting,
        slips=slips.for_meeting(meeting, blank, professionals),
        blank=request.args.get("blank", str(blank)) if problem else str(blank),
        professionals=professionals,
        problem=problem,
        marking=policy().protective_marking,
        left_out=slips.left_out(meeting),
    )
    return page, 422 if problem else 200
