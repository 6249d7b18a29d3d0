"""A target by a date: where a decision says the item should be by its review, and, at
the review, round 1's result set against it (met or not met, and by how much).

The words and the arithmetic are plain Python over plain values (`read`, `Target`,
`against`). What the review shows is reached through `concealment`: round 1's result only
once it is revealed, and the earlier meeting's target only once `earlier_shown` allows, so
neither anchors a blind round.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from ..models import Decision, Item, Round, Scale, Track, session_of
from ..rating import concealment, scales
from ..rating.concealment import Viewer
from ..record.plain import day
from .review import back_from

# What the form offers on a likelihood × severity item: at most this band (its top score).
BAND_TOPS = {top: name for top, name in scales.BANDS}


@dataclass(frozen=True)
class Target:
    """Where the item should be by the review, on its scale."""

    scale: Scale
    point: int | None = None
    choice: str | None = None

    @property
    def words(self) -> str:
        """Say the target as the minutes and the pages write it: "safety at least 7"."""
        if self.scale == Scale.SAFETY:
            return f"safety at least {self.point}"
        if self.scale == Scale.LXS:
            return f"likelihood × severity at most {scales.band(self.point or 0)}"
        return f"“{self.choice}”"


def read(
    scale: Scale, choices: list[str], given: str | None, errors: dict[str, str]
) -> tuple[int | None, str | None]:
    """Read a decision's target as its form gave it (`given`): (target_point,
    target_choice), both None when no target is set. A problem is noted in `errors` under
    "target"."""
    raw = (given or "").strip()
    if not raw:
        return None, None
    if scale == Scale.CHOICE:
        if raw not in choices:
            errors["target"] = f"“{raw}” is not one of this item's options: pick one, or none."
            return None, None
        return None, raw
    try:
        point = int(raw)
    except ValueError:
        point = None
    if scale == Scale.SAFETY:
        if point is None or not 0 <= point <= 10:
            errors["target"] = (
                f"The target is a whole safety score from 0 to 10; “{raw}” is not one."
            )
            return None, None
        return point, None
    if point not in BAND_TOPS:
        errors["target"] = "Pick the band the risk should be at most by the review."
        return None, None
    return point, None


def of(decision: Decision | None) -> Target | None:
    """Return the target a decision set, or None."""
    if decision is None:
        return None
    scale = Scale(decision.item.scale)
    if scale == Scale.CHOICE:
        return Target(scale, choice=decision.target_choice) if decision.target_choice else None
    return Target(scale, point=decision.target_point) if decision.target_point is not None else None


def agreed_line(decision: Decision | None) -> str | None:
    """Say a decision's target as the room agrees to it: "Target by 18 Jan 2027: safety at
    least 7" ("by the review" with no date set), or None when it sets none."""
    target = of(decision)
    if decision is None or target is None:
        return None
    by = f"{decision.review_date:%-d %b %Y}" if decision.review_date else "the review"
    return f"Target by {by}: {target.words}"


def _bands(n: int) -> str:
    return f"{n} band{'s' if n != 1 else ''}"


@dataclass(frozen=True)
class Outcome:
    """Round 1's result set against a target."""

    target: Target
    # "Round 1's median is 5"
    result: str
    met: bool
    # "not met, 2 short"
    verdict: str

    @property
    def line(self) -> str:
        """The whole line: "Target: safety at least 7 by the review. Round 1's median is 5:
        not met, 2 short." """
        return f"Target: {self.target.words} by the review. {self.result}: {self.verdict}."


def against(target: Target, values: list[scales.Value], number: int = 1) -> Outcome | None:
    """Set a round's professionals' values against a target (None when nobody rated)."""
    if not values:
        return None
    if target.scale == Scale.CHOICE:
        return _chosen(target, values, number)
    mid = scales.summarise(target.scale, [], values).median
    assert mid is not None and target.point is not None
    if target.scale == Scale.SAFETY:
        result = f"Round {number}'s median is {scales.number(mid)}"
        gap = mid - target.point
        if gap < 0:
            return Outcome(target, result, False, f"not met, {scales.number(-gap)} short")
        return Outcome(
            target, result, True, "met" if gap == 0 else f"met, {scales.number(gap)} above"
        )
    result = f"Round {number}'s median score is {scales.number(mid)} ({scales.band(mid)})"
    gap = scales.band_index(mid) - scales.band_index(target.point)
    if gap > 0:
        return Outcome(target, result, False, f"not met, {_bands(gap)} above")
    return Outcome(target, result, True, "met" if gap == 0 else f"met, {_bands(-gap)} below")


def _chosen(target: Target, values: list[scales.Value], number: int) -> Outcome:
    counts: dict[str, int] = {}
    for v in values:
        counts[v.choice or ""] = counts.get(v.choice or "", 0) + 1
    most = max(counts.values())
    largest = [c for c, n in counts.items() if n == most]
    if len(largest) > 1:
        named = " / ".join(f"“{c}”" for c in largest)
        result = f"Round {number} has no single largest group ({named}, {most} each)"
        return Outcome(target, result, False, "not met")
    result = f"Round {number}'s largest group chose “{largest[0]}” ({most} of {len(values)})"
    met = largest[0] == target.choice
    return Outcome(target, result, met, "met" if met else "not met")


def professionals(round_: Round, viewer: Viewer) -> list[scales.Value] | None:
    """Return the professionals' values of a round as this viewer may see them: None until
    it is revealed to them (`concealment.spread`); the family's own track and anyone who
    could not rate are never counted."""
    if round_.revealed_at is None or concealment.hidden_from(round_.item, viewer):
        return None
    return [
        concealment.value_of(r)
        for r in concealment.visible_ratings(round_, viewer)
        if r.track != Track.FAMILY and not r.cannot_rate
    ]


@dataclass(frozen=True)
class Check:
    """A target set at the last meeting, as the review shows it."""

    target: Target
    review_date: date | None
    # None until the review's round 1 is revealed.
    outcome: Outcome | None

    @property
    def line(self) -> str:
        """The check in one line, or what it waits for."""
        if self.outcome is not None:
            return self.outcome.line
        return f"Target: {self.target.words} by the review. Set against round 1 once revealed."


def set_by(item: Item) -> Decision | None:
    """Return the recorded decision at the last meeting whose target this item is checked
    against: the decision on the item it was copied from, rated on the same scale."""
    before = item.previous_item
    if before is None or before.scale != item.scale:
        return None
    decision = before.decision
    if decision is None or not decision.recorded or of(decision) is None:
        return None
    return decision


def first_round(item: Item) -> Round | None:
    """Return an item's round 1, if it has one."""
    return next((r for r in item.rounds if r.number == 1), None)


def at_review(item: Item, viewer: Viewer) -> Check | None:
    """Return the target check on a review's item as this viewer may see it: nothing until
    the earlier meeting may be shown (`concealment.earlier_shown`), and no result until
    round 1 is revealed to them."""
    decision = set_by(item)
    if decision is None or not concealment.earlier_shown(item, viewer):
        return None
    if viewer.family and (decision.item.restricted or item.restricted):
        return None
    target = of(decision)
    assert target is not None
    first = first_round(item)
    values = professionals(first, viewer) if first is not None else None
    outcome = against(target, values) if values else None
    return Check(target, decision.review_date, outcome)


def reviewed_by(decision: Decision) -> Item | None:
    """Return the item at the next meeting that reviews the item this decision was on."""
    return session_of(decision).scalar(
        select(Item).where(Item.previous_item_id == decision.item_id).order_by(Item.id).limit(1)
    )


def checked_later(decision: Decision, viewer: Viewer) -> Check | None:
    """Return how a decision's target fared at the review that followed, as a viewer may see
    it (the case page), or just the target while no review has revealed round 1."""
    target = of(decision)
    if target is None or not decision.recorded:
        return None
    later = reviewed_by(decision)
    if later is not None and later.scale == decision.item.scale:
        found = at_review(later, viewer)
        if found is not None:
            return found
    return Check(target, decision.review_date, None)


def recorded_target(decision: Decision) -> dict[str, Any] | None:
    """Return a decision's target as the record holds it, or None."""
    target = of(decision)
    if target is None:
        return None
    return {"words": target.words, "point": target.point, "choice": target.choice}


def recorded_check(item: Item, viewer: Viewer) -> dict[str, Any] | None:
    """Return a review item's target check as the record holds it, as this viewer may see
    it: None when the last meeting set no target, or before round 1 is revealed."""
    check = at_review(item, viewer)
    if check is None or check.outcome is None:
        return None
    decision = set_by(item)
    assert decision is not None
    return {
        "set_by_meeting_id": decision.item.meeting_id,
        "target": check.target.words,
        "review_date": day(check.review_date),
        "round": 1,
        "result": check.outcome.result,
        "met": check.outcome.met,
        "verdict": check.outcome.verdict,
        "line": check.outcome.line,
        # Restricted from the family at any meeting: never in the family's copy.
        "restricted": any(
            i.restricted for i in (item, *back_from(item, lambda i: i.previous_item))
        ),
    }
