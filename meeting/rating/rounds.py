"""Rating rounds: open one, rate blind, reveal to everyone at once, hear wide disagreement."""

from collections.abc import Mapping

from sqlalchemy import select, update

from ..agenda.status import running
from ..changes import Fact
from ..errors import Forbidden, Invalid, Refused
from ..models import (
    Attendee,
    AttendeeStatus,
    Basis,
    Given,
    Item,
    Rating,
    Round,
    Scale,
    Track,
    session_of,
    utcnow,
    word_of,
)
from ..record import chain
from ..record.log import log
from . import scales, uncertainty
from .concealment import UNSEATED_CHAIR, eligible_raters, spread

BASES = {
    Basis.INHERENT: "Inherent risk: before control measures",
    Basis.RESIDUAL: "Residual risk: after the proposed control measures",
}


def as_decided(item: Item, fact: Fact) -> tuple[Fact, ...]:
    """What a round or a rating changed: on an item whose decision is recorded (the room
    rates again), how that decision stands too (who rated and is asked for a view)."""
    decided = item.decision is not None and item.decision.recorded
    return (fact, Fact.DECISION) if decided else (fact,)


def track_of(attendee: Attendee) -> Track:
    """Return the track someone's rating is on: the family's beside the professionals'."""
    return Track.FAMILY if attendee.family_side else Track.PROFESSIONALS


def _claim_unrevealed(round_: Round, refusal: str, **values: object) -> None:
    """Take the round for a change while it is still unrevealed, or refuse.

    Ratings and the reveal both go through here, so they are serialised on the round's
    row: a rating that reaches the database after the reveal committed finds the round
    revealed and is refused, never saved behind the chair's back. `values` are set in the
    same statement (the reveal's time); `refusal` says what was not done.
    """
    claimed = session_of(round_).execute(
        update(Round)
        .where(Round.id == round_.id, Round.revealed_at.is_(None))
        .values(values or {"id": Round.id})
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 1) == 0:
        raise Refused(refusal)


def open_round(item: Item, basis: str | None = None, controls: str = "") -> Round:
    """Open the next rating round on the meeting's current item.

    Likelihood × severity rounds rate the risk before (inherent) or after (residual) the
    control measures, which a residual round must name. Written contributions from absent
    agencies are counted in the first round, as ratings given before anyone else's.
    """
    meeting = item.meeting
    running(meeting)
    if meeting.current_item_id != item.id:
        raise Refused(f"“{item.title}” is not the item under discussion; move to it first.")
    still_open = item.open_round
    if still_open is not None:
        raise Refused(f"Round {still_open.number} is still open; reveal it first.")
    if meeting.family_out and not item.restricted:
        raise Refused(
            "The family is out of the meeting, and this item is not restricted from them: "
            "bring them back to rate it, or restrict the item from the family first."
        )
    rated: Basis | None = None
    if item.scale == Scale.LXS:
        rated = word_of(Basis, basis or Basis.INHERENT)
        if rated is None:
            raise Refused("Choose whether this round rates the risk before or after controls.")
        controls = controls.strip()
        if rated == Basis.RESIDUAL and not controls:
            raise Invalid({"controls": "Say which control measures the residual rating assumes."})
    else:
        controls = ""
    round_ = Round(item=item, number=len(item.rounds) + 1, basis=rated, controls=controls)
    session_of(item).add(round_)
    if round_.number == 1:
        for c in item.contributions:
            round_.ratings.append(
                Rating(
                    attendee=c.attendee,
                    score=c.score,
                    likelihood=c.likelihood,
                    severity=c.severity,
                    choice=c.choice,
                    reason=c.reason,
                    report=c.report,
                    written=True,
                    given=Given.WRITTEN,
                    first_submitted_at=c.entered_at,
                    submitted_at=c.entered_at,
                )
            )
    log(
        meeting,
        meeting.chair.name,
        f"opened round {round_.number} on {item.title}",
        changed=as_decided(item, Fact.ROUND),
    )
    for written in round_.ratings:
        log(
            meeting,
            meeting.chair.name,
            f"counted {written.attendee.name}'s written rating in round 1 on {item.title}",
            about=written,
            changed=as_decided(item, Fact.ROUND),
        )
    return round_


def submit_rating(round_: Round, attendee: Attendee, form: Mapping[str, str]) -> Rating:
    """Accept or change an attendee's rating before the reveal."""
    meeting = round_.item.meeting
    running(meeting)
    too_late = (
        f"Round {round_.number} on “{round_.item.title}” was already revealed; "
        "your rating was not counted."
    )
    if round_.revealed_at is not None:
        raise Refused(too_late)
    if attendee.status != AttendeeStatus.ADMITTED or attendee.meeting_id != meeting.id:
        raise Forbidden("Only people the chair has admitted can rate.")
    if attendee.observer:
        raise Forbidden("You are observing this meeting, so you do not rate.")
    if attendee.left_at is not None:
        raise Forbidden("The chair has recorded that you left the meeting, so you do not rate.")
    if attendee.family_side and not meeting.family_rates:
        raise Forbidden(
            "The family does not rate in this meeting; the chair will ask you what you think."
        )
    answer = uncertainty.read(round_.item.scale, round_.item.choices, form)
    reason = (form.get("reason") or "").strip()[:300]
    rating = record_rating(round_, attendee, answer, reason, Given.DEVICE, too_late)
    log(
        meeting,
        attendee.name,
        f"rated round {round_.number} on {round_.item.title}",
        about=rating,
        changed=as_decided(round_.item, Fact.RATINGS),
        own=attendee,
    )
    return rating


def record_rating(
    round_: Round,
    attendee: Attendee,
    answer: uncertainty.Answer,
    reason: str,
    given: Given,
    too_late: str,
) -> Rating:
    """Save someone's rating in a round still unrevealed (a new one, or their change of it),
    however it was given; refuse with `too_late` if the reveal got there first.

    An answer of "I can't rate this yet" clears every value, range and sureness: it is
    an answer with no value."""
    _claim_unrevealed(round_, too_late)
    # Read after the claim: a copy of this rating sent at the same moment has committed.
    session = session_of(round_)
    rating = session.scalar(
        select(Rating).where(Rating.round_id == round_.id, Rating.attendee_id == attendee.id)
    )
    now = utcnow()
    if rating is None:
        rating = Rating(round=round_, attendee=attendee, first_submitted_at=now)
        session.add(rating)
    value = answer.value or scales.Value()
    rating.score, rating.likelihood = value.score, value.likelihood
    rating.severity, rating.choice = value.severity, value.choice
    rating.low, rating.high, rating.sure = answer.low, answer.high, answer.sure
    rating.needs = answer.needs
    rating.reason, rating.submitted_at = reason, now
    rating.track = track_of(attendee)
    rating.given = given
    return rating


def reveal(round_: Round) -> None:
    """Reveal a round to everyone at once; it can never be reopened."""
    meeting = round_.item.meeting
    running(meeting)
    if round_.revealed_at is not None:
        raise Refused(f"Round {round_.number} was already revealed.")
    now = utcnow()
    _claim_unrevealed(round_, f"Round {round_.number} was already revealed.", revealed_at=now)
    # Read after the claim: every rating that got in before the reveal has committed.
    session_of(round_).refresh(round_, ["ratings"])
    round_.expected_ids = [a.id for a in eligible_raters(meeting)] + [
        r.attendee_id for r in round_.ratings if not r.attendee.may_rate
    ]
    round_.revealed_at = now
    round_.sealed_seq, round_.sealed_head = chain.head(session_of(round_), meeting.id)
    log(
        meeting,
        meeting.chair.name,
        f"revealed round {round_.number} on {round_.item.title}",
        changed=as_decided(round_.item, Fact.ROUND),
    )


def acknowledge_divergence(round_: Round, note: str) -> None:
    """Record that the chair has heard a round's wide disagreement before deciding."""
    meeting = round_.item.meeting
    running(meeting)
    spread_ = spread(round_, UNSEATED_CHAIR)
    if spread_ is None or not spread_.divergence:
        raise Refused(f"Round {round_.number} showed no wide disagreement to acknowledge.")
    if round_.divergence_acknowledged_at is not None:
        raise Refused(f"The disagreement in round {round_.number} was already acknowledged.")
    round_.divergence_acknowledged_at = utcnow()
    round_.divergence_note = note.strip()
    log(
        meeting,
        meeting.chair.name,
        f"acknowledged the wide disagreement in round {round_.number} on {round_.item.title}",
        round_.divergence_note,
        changed=Fact.ROUND,
    )


def unacknowledged_divergence(item: Item) -> list[tuple[Round, str]]:
    """Return the revealed rounds of an item whose wide spread the chair has not acknowledged."""
    found = []
    for round_ in item.rounds:
        shown = spread(round_, UNSEATED_CHAIR)
        if shown and shown.divergence and round_.divergence_acknowledged_at is None:
            found.append((round_, shown.divergence))
    return found
