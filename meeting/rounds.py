"""Rating rounds: open, rate blind, reveal, and what each viewer may see of them.

`visible_ratings` is the only place that decides whether a rating value may be
shown. Pages, fragments and live events see ratings only through it.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from . import scales
from .errors import Forbidden, Invalid, Refused
from .extensions import db
from .models import (
    ADMITTED,
    CLOSED,
    INHERENT,
    RESIDUAL,
    RUNNING,
    Attendee,
    Item,
    Meeting,
    Rating,
    Round,
    utcnow,
)

BASES = {
    INHERENT: "Inherent risk: before control measures",
    RESIDUAL: "Residual risk: after the proposed control measures",
}


@dataclass(frozen=True)
class Viewer:
    """Who is looking: the chair, an attendee, or the shared display."""

    kind: str  # "chair", "attendee" or "display"
    attendee: Attendee | None = None

    @property
    def is_chair(self) -> bool:
        return self.kind == "chair"


def visible_ratings(round_: Round, viewer: Viewer) -> list[Rating]:
    """Return the ratings of a round this viewer may see: all once revealed, else their own."""
    if round_.revealed_at is not None:
        return list(round_.ratings)
    if viewer.attendee is None:
        return []
    return [r for r in round_.ratings if r.attendee_id == viewer.attendee.id]


def value_of(rating: Rating) -> scales.Value:
    """Return a stored rating's value."""
    return scales.Value(rating.score, rating.likelihood, rating.severity, rating.choice)


def eligible_raters(meeting: Meeting) -> list[Attendee]:
    """Return the people who may rate now: admitted and not observing."""
    return [a for a in meeting.attendees if a.may_rate]


@dataclass(frozen=True)
class Progress:
    """Who has rated a round so far (names only, never values)."""

    rated: list[Attendee]
    waiting_for: list[Attendee]

    @property
    def text(self) -> str:
        total = len(self.rated) + len(self.waiting_for)
        return f"{len(self.rated)} of {total} have rated"


def progress(round_: Round) -> Progress:
    """Return who has and has not yet rated a round."""
    by_id = {r.attendee_id for r in round_.ratings}
    if round_.expected_ids is not None:
        expected = [a for a in round_.item.meeting.attendees if a.id in round_.expected_ids]
    else:
        expected = eligible_raters(round_.item.meeting)
    rated = [r.attendee for r in round_.ratings]
    waiting_for = [a for a in expected if a.id not in by_id]
    return Progress(rated, waiting_for)


@dataclass(frozen=True)
class Shown:
    """One revealed rating as every screen shows it."""

    name: str
    role: str
    agency: str
    value: str
    reason: str
    submitted_at: datetime
    minority: bool
    attendee_id: int
    written: bool = False
    report: str = ""


@dataclass(frozen=True)
class Spread:
    """A revealed round: each rating, the middle, the range, minority views, who did not rate."""

    ratings: list[Shown]
    did_not_rate: list[Attendee]
    middle: str
    range: str
    bars: tuple[tuple[str, int], ...]
    divergence: str = ""
    protective_prompt: bool = False

    @property
    def minority(self) -> list[Shown]:
        return [s for s in self.ratings if s.minority]

    @property
    def tallest(self) -> int:
        return max((n for _label, n in self.bars), default=0) or 1


def spread(round_: Round, viewer: Viewer) -> Spread | None:
    """Return the spread of a round as this viewer may see it (None before the reveal)."""
    if round_.revealed_at is None:
        return None
    item = round_.item
    ratings = visible_ratings(round_, viewer)
    values = [value_of(r) for r in ratings]
    summary = scales.summarise(item.scale, item.choices, values)
    shown = [
        Shown(
            name=r.attendee.name,
            role=r.attendee.role,
            agency=r.attendee.agency,
            value=scales.describe(item.scale, v),
            reason=r.reason,
            submitted_at=r.submitted_at,
            minority=marked,
            attendee_id=r.attendee_id,
            written=r.written,
            report=r.report,
        )
        for r, v, marked in zip(ratings, values, summary.minority, strict=True)
    ]
    return Spread(
        shown,
        progress(round_).waiting_for,
        summary.middle,
        summary.spread,
        summary.bars,
        summary.divergence,
        scales.needs_protective_prompt(item.scale, summary),
    )


def own_rating(round_: Round, viewer: Viewer) -> Rating | None:
    """Return the viewer's own rating in a round, if they have given one."""
    if viewer.attendee is None:
        return None
    mine = [r for r in visible_ratings(round_, viewer) if r.attendee_id == viewer.attendee.id]
    return mine[0] if mine else None


def _running(meeting: Meeting) -> None:
    if meeting.status == CLOSED:
        raise Refused("This meeting is closed; its record can be read but not changed.")
    if meeting.status != RUNNING:
        raise Refused("The meeting has not started yet.")


def open_round(item: Item, basis: str | None = None, controls: str = "") -> Round:
    """Open the next rating round on the meeting's current item.

    Likelihood × severity rounds rate the risk before (inherent) or after (residual) the
    control measures, which a residual round must name. Written contributions from absent
    agencies are counted in the first round, as ratings given before anyone else's.
    """
    meeting = item.meeting
    _running(meeting)
    if meeting.current_item_id != item.id:
        raise Refused(f"“{item.title}” is not the item under discussion; move to it first.")
    if item.open_round is not None:
        raise Refused(f"Round {item.open_round.number} is still open; reveal it first.")
    if item.scale == scales.LXS:
        basis = basis or INHERENT
        if basis not in BASES:
            raise Refused("Choose whether this round rates the risk before or after controls.")
        controls = controls.strip()
        if basis == RESIDUAL and not controls:
            raise Invalid({"controls": "Say which control measures the residual rating assumes."})
    else:
        basis, controls = None, ""
    round_ = Round(item=item, number=len(item.rounds) + 1, basis=basis, controls=controls)
    db.session.add(round_)
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
                    first_submitted_at=c.entered_at,
                    submitted_at=c.entered_at,
                )
            )
    return round_


def submit_rating(round_: Round, attendee: Attendee, form: dict[str, str]) -> Rating:
    """Accept or change an attendee's rating before the reveal."""
    meeting = round_.item.meeting
    _running(meeting)
    if round_.revealed_at is not None:
        raise Refused(
            f"Round {round_.number} on “{round_.item.title}” was already revealed; "
            "your rating was not counted."
        )
    if attendee.status != ADMITTED or attendee.meeting_id != meeting.id:
        raise Forbidden("Only people the chair has admitted can rate.")
    if attendee.observer:
        raise Forbidden("You are observing this meeting, so you do not rate.")
    if attendee.left_at is not None:
        raise Forbidden("The chair has recorded that you left the meeting, so you do not rate.")
    value = scales.parse(round_.item.scale, round_.item.choices, form)
    reason = (form.get("reason") or "").strip()[:300]
    rating = db.session.scalar(
        select(Rating).where(Rating.round_id == round_.id, Rating.attendee_id == attendee.id)
    )
    now = utcnow()
    if rating is None:
        rating = Rating(round=round_, attendee=attendee, first_submitted_at=now)
        db.session.add(rating)
    rating.score, rating.likelihood = value.score, value.likelihood
    rating.severity, rating.choice = value.severity, value.choice
    rating.reason, rating.submitted_at = reason, now
    return rating


def reveal(round_: Round) -> None:
    """Reveal a round to everyone at once; it can never be reopened."""
    _running(round_.item.meeting)
    if round_.revealed_at is not None:
        raise Refused(f"Round {round_.number} was already revealed.")
    round_.expected_ids = [a.id for a in eligible_raters(round_.item.meeting)] + [
        r.attendee_id for r in round_.ratings if not r.attendee.may_rate
    ]
    round_.revealed_at = utcnow()


def acknowledge_divergence(round_: Round, note: str) -> None:
    """Record that the chair has heard a round's wide disagreement before deciding."""
    _running(round_.item.meeting)
    spread_ = spread(round_, Viewer("chair"))
    if spread_ is None or not spread_.divergence:
        raise Refused(f"Round {round_.number} showed no wide disagreement to acknowledge.")
    if round_.divergence_acknowledged_at is not None:
        raise Refused(f"The disagreement in round {round_.number} was already acknowledged.")
    round_.divergence_acknowledged_at = utcnow()
    round_.divergence_note = note.strip()


def unacknowledged_divergence(item: Item) -> list[tuple[Round, str]]:
    """Return the revealed rounds of an item whose wide spread the chair has not acknowledged."""
    found = []
    for round_ in item.rounds:
        shown = spread(round_, Viewer("chair"))
        if shown and shown.divergence and round_.divergence_acknowledged_at is None:
            found.append((round_, shown.divergence))
    return found
