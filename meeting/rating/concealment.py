"""What each viewer may see of a round: the one place that decides whether a value is shown.

`visible_ratings` decides. Pages, fragments, the record and live events see ratings only
through it, so no value reaches anyone before its round is revealed, the chair included.
`earlier_shown` decides when an earlier meeting's ratings of the same item may be shown at
a review: not before the review's own round is revealed, so they never anchor it.
`hidden_from` and `holding` decide what of the parts restricted from the family reaches
the family's devices (and the display, when the family sees it): nothing, ever.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ..models import Attendee, Item, Meeting, MeetingStatus, Part, Rating, Round, Track
from . import scales, uncertainty


class Audience(StrEnum):
    """Who a page is drawn for."""

    CHAIR = "chair"
    ATTENDEE = "attendee"
    DISPLAY = "display"


@dataclass(frozen=True)
class Viewer:
    """Who is looking: the chair, an attendee, or the shared display."""

    kind: Audience
    attendee: Attendee | None = None
    # The family, or a screen they see: the parts restricted from them never reach it.
    family: bool = False

    @property
    def is_chair(self) -> bool:
        return self.kind == Audience.CHAIR


def attendee_viewer(attendee: Attendee) -> Viewer:
    """Return an admitted attendee as a viewer of their meeting."""
    return Viewer(Audience.ATTENDEE, attendee, family=attendee.family_side)


def display_viewer(meeting: Meeting) -> Viewer:
    """Return the shared display of a meeting: drawn as for the family when they see it."""
    return Viewer(Audience.DISPLAY, family=meeting.family_sees_display)


def hidden_from(item: Item, viewer: Viewer) -> bool:
    """Say whether an item is restricted from this viewer: the family, and what they see."""
    return viewer.family and item.restricted


def holding(meeting: Meeting, viewer: Viewer) -> bool:
    """Say whether this viewer sees the holding screen now: the family (and a display they
    see) while a part restricted from them runs (a restricted item, or the family out)."""
    if not viewer.family or meeting.status != MeetingStatus.RUNNING:
        return False
    item = meeting.current_item
    return meeting.family_out or (item is not None and item.restricted)


# The chair's eyes with no seat: sees what any viewer sees of a revealed round.
UNSEATED_CHAIR = Viewer(Audience.CHAIR)


def chair_viewer(meeting: Meeting) -> Viewer:
    """Return the chair of a meeting as a viewer of it, in their own seat."""
    return Viewer(Audience.CHAIR, meeting.seat)


def visible_ratings(round_: Round, viewer: Viewer) -> list[Rating]:
    """Return the ratings of a round this viewer may see: all once revealed, else their own;
    none of an item restricted from them."""
    if hidden_from(round_.item, viewer):
        return []
    if round_.revealed_at is not None:
        return list(round_.ratings)
    if viewer.attendee is None:
        return []
    return [r for r in round_.ratings if r.attendee_id == viewer.attendee.id]


def earlier_shown(item: Item, viewer: Viewer) -> bool:
    """Say whether a viewer may see what earlier meetings rated and decided on an item.

    Everyone may once a round on it is revealed at this meeting and while no other is
    open; before that, only the chair preparing for a meeting not yet started. Earlier
    ratings seen before a blind round would anchor it.
    """
    if item.previous_item_id is None:
        return False
    if item.meeting.status == MeetingStatus.SETUP:
        return viewer.is_chair
    # A round open again (after discussion, or on the risk after control measures) is
    # blind too: nothing from before shows while it is.
    if item.open_round is not None:
        return False
    return any(r.revealed_at is not None for r in item.rounds)


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
    # Who they are in the meeting ("Parent or carer"), as the family's track names them.
    part: str = ""
    # How uncertain: the plausible range in words ("4–7", "Medium–High") and how sure
    # ("Fairly sure"); or, for "I can't rate this yet", what they need (and no value).
    range: str = ""
    sure: str = ""
    needs: str = ""

    @property
    def uncertainty(self) -> str:
        """Return the range and sureness in a few words ("plausible 4–7, fairly sure")."""
        words = [f"plausible {self.range}"] if self.range else []
        return ", ".join([*words, self.sure.lower()] if self.sure else words)


@dataclass(frozen=True)
class Spread:
    """A revealed round: each rating, the middle, the range, minority views, who did not rate.

    `ratings`, the middle, range, bars, minority and divided lines are the professionals'
    alone; `family` holds the family's ratings, revealed at the same moment and shown
    beside them, never pooled.
    """

    ratings: list[Shown]
    did_not_rate: list[Attendee]
    middle: str
    range: str
    bars: tuple[tuple[str, int], ...]
    divergence: str = ""
    protective_prompt: bool = False
    # How the room split, when a third or more sat on one side: that side is not marked a
    # minority; a side held by few still can be.
    divided: str = ""
    family: tuple[Shown, ...] = ()
    # "I can't rate this yet": who said so and what they need, on either track; counted
    # apart, never in the middle, range, bars or minority views.
    gaps: tuple[Shown, ...] = ()

    @property
    def minority(self) -> list[Shown]:
        return [s for s in self.ratings if s.minority]

    @property
    def tallest(self) -> int:
        return max((n for _label, n in self.bars), default=0) or 1


def spread(round_: Round, viewer: Viewer) -> Spread | None:
    """Return the spread of a round as this viewer may see it (None before the reveal, and
    for an item restricted from them)."""
    if round_.revealed_at is None or hidden_from(round_.item, viewer):
        return None
    item = round_.item
    visible = visible_ratings(round_, viewer)
    answered = [r for r in visible if not r.cannot_rate]
    ratings = [r for r in answered if r.track != Track.FAMILY]
    values = [value_of(r) for r in ratings]
    summary = scales.summarise(item.scale, item.choices, values)
    shown = [_shown(r, marked) for r, marked in zip(ratings, summary.minority, strict=True)]
    # The young person's own rating first (theirs, or their advocate's for them).
    family = tuple(
        _shown(r, False)
        for r in sorted(
            (r for r in answered if r.track == Track.FAMILY),
            key=lambda r: r.attendee.part not in (Part.YOUNG_PERSON, Part.ADVOCATE),
        )
    )
    return Spread(
        shown,
        progress(round_).waiting_for,
        summary.middle,
        summary.spread,
        summary.bars,
        summary.divergence,
        scales.needs_protective_prompt(item.scale, summary),
        summary.divided,
        family,
        tuple(_shown(r, False) for r in visible if r.cannot_rate),
    )


def _shown(rating: Rating, minority: bool) -> Shown:
    """Return one revealed rating as every screen shows it."""
    scale = rating.round.item.scale
    return Shown(
        name=rating.attendee.name,
        role=rating.attendee.role,
        agency=rating.attendee.agency,
        value="" if rating.cannot_rate else scales.describe(scale, value_of(rating)),
        reason=rating.reason,
        submitted_at=rating.submitted_at,
        minority=minority,
        attendee_id=rating.attendee_id,
        written=rating.written,
        report=rating.report,
        part=rating.attendee.part_label,
        range=uncertainty.describe_range(scale, rating.low, rating.high),
        sure=uncertainty.sureness(rating.sure),
        needs=rating.needs,
    )


def own_rating(round_: Round, viewer: Viewer) -> Rating | None:
    """Return the viewer's own rating in a round, if they have given one."""
    if viewer.attendee is None:
        return None
    mine = [r for r in visible_ratings(round_, viewer) if r.attendee_id == viewer.attendee.id]
    return mine[0] if mine else None
