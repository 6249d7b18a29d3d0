"""An optimism check at a review: a rating that moved against what was done asks the chair
for the new evidence that explains it before the decision can be recorded.

Rated safer than last time while the item's carried actions are not done or its forecasts
not met, or rated less safe when every one was done and met: the question names what was
not done (`question`, plain Python); `asked` works it out for an item at a review.
"""

from collections.abc import Sequence
from statistics import median

from ..models import ActionStatus, ForecastResult, Item, Round, Scale
from ..rating import concealment, scales
from ..rating.concealment import UNSEATED_CHAIR
from ..rating.scales import position
from .carried import carried
from .forecasts import forecasts
from .review import back_from
from .targets import professionals

# A forecast answered with one of these was not met.
MISSED = (ForecastResult.NOT_MET, ForecastResult.PARTLY)
ASK = "what new evidence explains the change?"


def _tally(noun: str, present: bool, states: Sequence[tuple[int, str]]) -> str:
    """Say how many of a kind stand in each state, each named as it is ("2 actions are not
    done, 1 only partly done and 1 not answered"); states with none are left out."""
    said = [(n, state) for n, state in states if n]
    first_n, first_state = said[0]
    verb = ("is" if first_n == 1 else "are") if present else ("was" if first_n == 1 else "were")
    words = [f"{first_n} {noun}{'' if first_n == 1 else 's'} {verb} {first_state}"]
    words += [f"{n} {state}" for n, state in said[1:]]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _every(n: int, what: str) -> str:
    return {1: f"the {what}", 2: f"both {what}s"}.get(n, f"all {n} {what}s")


def question(
    scale: Scale,
    then: float,
    now: float,
    actions: Sequence[ActionStatus | None],
    results: Sequence[ForecastResult | None],
) -> str:
    """Return the question a review's rating raises, or "" when it raises none.

    `then` is the last meeting's final middle and `now` the latest revealed middle (the
    professionals' medians); `actions` are what became of the item's carried actions (None:
    nobody said) and `results` the answers to its forecasts (None: not answered yet).
    """
    if scale == Scale.CHOICE or then == now:
        return ""
    safer = now > then if scale == Scale.SAFETY else now < then
    median_of = "median" if scale == Scale.SAFETY else "median score"
    moved = f"({median_of} {scales.number(then)} → {scales.number(now)})"
    undone = sum(1 for s in actions if s is None or not s.closes)
    missed = sum(1 for r in results if r in MISSED)
    if safer:
        if not (undone or missed):
            return ""
        said = []
        if undone:
            said.append(
                _tally(
                    "action",
                    True,
                    [
                        (actions.count(ActionStatus.NOT_DONE), "not done"),
                        (actions.count(ActionStatus.PARTLY), "only partly done"),
                        (actions.count(None), "not reported on"),
                    ],
                )
            )
        if missed:
            said.append(
                _tally(
                    "forecast",
                    False,
                    [
                        (results.count(ForecastResult.NOT_MET), "not met"),
                        (results.count(ForecastResult.PARTLY), "only partly met"),
                    ],
                )
            )
        way = "safer" if scale == Scale.SAFETY else "lower risk"
        joined = (", and " if any(" and " in x for x in said) else " and ").join(said)
        return f"Rated {way} than last time {moved} while {joined}: {ASK}"
    all_met = all(r == ForecastResult.MET for r in results)
    if not (actions or results) or undone or not all_met:
        return ""
    said = []
    if actions:
        said.append(
            f"{_every(len(actions), 'action')} {'was' if len(actions) == 1 else 'were'} done"
        )
    if results:
        said.append(
            f"{_every(len(results), 'forecast')} {'was' if len(results) == 1 else 'were'} met"
        )
    way = "less safe" if scale == Scale.SAFETY else "higher risk"
    return f"Rated {way} than last time {moved} although {' and '.join(said)}: {ASK}"


def _middle(round_: Round) -> float | None:
    """Return the professionals' median of a revealed round (None before the reveal)."""
    values = professionals(round_, UNSEATED_CHAIR)
    points = [p for v in values or [] if (p := position(Scale(round_.item.scale), v)) is not None]
    return median(points) if points else None


def asked(item: Item) -> str:
    """Return the question a review's item raises now, or "": its latest revealed middle
    beside the last meeting's final one (of the same basis), with what became of the
    actions agreed on the item and of the forecasts of its decision."""
    before = item.previous_item
    if before is None or before.scale != item.scale or item.scale == Scale.CHOICE:
        return ""
    if not concealment.earlier_shown(item, UNSEATED_CHAIR):
        return ""
    now = [r for r in item.rounds if r.revealed_at is not None]
    if not now:
        return ""
    latest = now[-1]
    alike = [r for r in before.rounds if r.revealed_at is not None and r.basis == latest.basis]
    if not alike:
        return ""
    then_middle, now_middle = _middle(alike[-1]), _middle(latest)
    if then_middle is None or now_middle is None:
        return ""
    lineage = {i.id for i in back_from(item, lambda i: i.previous_item)}
    actions = [c.status for c in carried(item.meeting) if c.action.item_id in lineage]
    results = [f.outcome.result if f.outcome else None for f in forecasts(item.meeting, item)]
    return question(Scale(item.scale), then_middle, now_middle, actions, results)
