"""An item's history across a child's meetings, as a review shows it once its round is
revealed: the last decision and its reasons, the earlier spreads, how each agency's rating
moved, and the item's median at every meeting.

Everything here is reached through `concealment.earlier_shown`, which says when a viewer
may see it: never before the review's own blind round on the item is revealed.
"""

from dataclasses import dataclass
from datetime import datetime
from statistics import median

from ..models import Decision, Item, Meeting, Round, Scale, Track
from ..rating import concealment, scales
from ..rating.concealment import UNSEATED_CHAIR, Spread, Viewer
from .forecasts import Forecast, forecasts
from .review import back_from

# Where a numeric scale's track starts and ends, for the movement chart.
TRACKS = {Scale.SAFETY: (0.0, 10.0), Scale.LXS: (1.0, 25.0)}


@dataclass(frozen=True)
class Moved:
    """One agency's (or one family member's) rating at the last meeting beside it now."""

    agency: str
    then: str
    now: str
    # Where each sits along the scale's track, 0–100 (None: not rated, or a choice list).
    then_at: float | None
    now_at: float | None
    words: str
    # A family member's own track, shown after the agencies, never pooled with them.
    family: bool = False


@dataclass(frozen=True)
class Middle:
    """The item's middle rating at one meeting of the case."""

    held: datetime
    middle: str
    now: bool = False


@dataclass(frozen=True)
class Earlier:
    """What the last meeting said on an item, and how the ratings moved since."""

    item: Item
    meeting: Meeting
    decision: Decision | None
    spreads: list[tuple[Round, Spread]]
    forecasts: list[Forecast]
    moved: list[Moved]
    middles: list[Middle]
    # How higher reads on the scale: "safer" or "higher risk" ("" for a choice list).
    higher: str
    # Each agency's movement left off a screen that shows the reveal without names.
    moved_elsewhere: bool = False


def lineage(item: Item) -> list[Item]:
    """Return the item as it stood at each earlier meeting of the case, oldest first."""
    return list(reversed(back_from(item, lambda i: i.previous_item)))


def _revealed(item: Item) -> list[Round]:
    return [r for r in item.rounds if r.revealed_at is not None]


def _like(item: Item, round_: Round) -> Round | None:
    """Return an item's last revealed round that rated what `round_` rates (its basis)."""
    alike = [r for r in _revealed(item) if r.basis == round_.basis]
    return alike[-1] if alike else None


def _spread(round_: Round) -> Spread | None:
    return concealment.spread(round_, UNSEATED_CHAIR)


def earlier(item: Item, viewer: Viewer) -> Earlier | None:
    """Return an item's history for a viewer, or None: there is none, or not yet for them."""
    if not concealment.earlier_shown(item, viewer):
        return None
    before = item.previous_item
    assert before is not None
    if viewer.family and any(i.restricted for i in lineage(item)):
        # Restricted from the family at an earlier meeting: what was said then stays so.
        return None
    if before.scale != item.scale:
        # Rated on another scale then: nothing to set beside this one.
        return None
    decision = before.decision if before.decision and before.decision.recorded else None
    now = _revealed(item)
    # Likelihood × severity: only what this meeting has rated too (inherent, residual), so
    # an earlier residual round never anchors a residual round still to come.
    # (The chair preparing, before any round here, sees every earlier one.)
    bases = {r.basis for r in (now or _revealed(before))}
    spreads = [
        (r, s) for r in _revealed(before) if r.basis in bases and (s := _spread(r)) is not None
    ]
    latest = now[-1] if now else None
    moved = _moved(before, latest) if latest is not None and spreads else []
    middles = [
        Middle(each.meeting.starts_at, s.middle)
        for each in lineage(item)
        if each.scale == item.scale
        and latest is not None
        and (last := _like(each, latest)) is not None
        and (s := _spread(last)) is not None
    ]
    if latest is not None and (s := _spread(latest)) is not None:
        middles.append(Middle(item.meeting.starts_at, s.middle, now=True))
    higher = {Scale.SAFETY: "safer", Scale.LXS: "higher risk"}.get(Scale(item.scale), "")
    return Earlier(
        item=before,
        meeting=before.meeting,
        decision=decision,
        spreads=spreads,
        forecasts=forecasts(item.meeting, item),
        moved=moved,
        middles=middles,
        higher=higher,
    )


def _by_agency(round_: Round) -> dict[tuple[bool, str], list[scales.Value]]:
    """Return the values of a round by agency, and the family's by who each of them is
    (their name and part): (True, "Mum Brown (Parent or carer)")."""
    found: dict[tuple[bool, str], list[scales.Value]] = {}
    for rating in concealment.visible_ratings(round_, UNSEATED_CHAIR):
        if rating.cannot_rate:
            # "I can't rate this yet" has no value to compare.
            continue
        person = rating.attendee
        if rating.track == Track.FAMILY:
            key = (True, f"{person.name} ({person.part_label})")
        else:
            key = (False, person.agency.strip() or person.name)
        found.setdefault(key, []).append(concealment.value_of(rating))
    return found


def _where(scale: Scale, values: list[scales.Value]) -> tuple[str, float | None]:
    """Return how an agency's values read, and their middle along the scale's track."""
    if not values:
        return "not rated", None
    said = ", ".join(scales.describe(scale, v) for v in values)
    points = [p for v in values if (p := scales.position(scale, v)) is not None]
    if scale not in TRACKS or not points:
        return said, None
    low, high = TRACKS[scale]
    return said, round((median(points) - low) / (high - low) * 100, 1)


def _moved(before: Item, now: Round) -> list[Moved]:
    """Return each agency's rating at the last meeting's final round beside its rating now."""
    scale = Scale(now.item.scale)
    then_round = _like(before, now)
    if then_round is None:
        return []
    then, latest = _by_agency(then_round), _by_agency(now)
    rows = []
    for key in sorted(set(then) | set(latest), key=lambda k: (k[0], k[1].casefold())):
        was, was_at = _where(scale, then.get(key, []))
        is_, is_at = _where(scale, latest.get(key, []))
        words = _words(scale, was, is_, was_at, is_at)
        rows.append(Moved(key[1], was, is_, was_at, is_at, words, family=key[0]))
    return rows


def _words(scale: Scale, was: str, is_: str, was_at: float | None, is_at: float | None) -> str:
    if was == "not rated":
        return "not rated last time"
    if is_ == "not rated":
        return "not rated this time"
    if was_at is None or is_at is None:
        return "the same" if was == is_ else "changed"
    if is_at == was_at:
        return "no change"
    up = is_at > was_at
    if scale == Scale.SAFETY:
        return "rated safer" if up else "rated less safe"
    return "rated higher risk" if up else "rated lower risk"
