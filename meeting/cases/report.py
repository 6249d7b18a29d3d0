"""A case's story (its meetings, decisions, forecasts against outcomes, open actions), and
the deployment's report of how ratings related to what happened: descriptive counts per
agency and scale, never a score of any one person."""

from collections import Counter
from dataclasses import dataclass

from ..models import (
    Action,
    ActionStatus,
    ActionUpdate,
    ChildCase,
    Decision,
    ForecastOutcome,
    ForecastResult,
    Item,
    Meeting,
    Scale,
    Track,
    session_of,
)
from ..rating import concealment, scales
from ..rating.concealment import UNSEATED_CHAIR
from .carried import updates_of
from .forecasts import outcomes_of


@dataclass(frozen=True)
class Forecasted:
    """One line a decision forecast, and what the review that followed found."""

    text: str
    outcome: ForecastOutcome | None


@dataclass(frozen=True)
class Decided:
    """A recorded decision on an item, with its forecasts and their outcomes."""

    item: Item
    decision: Decision
    middle: str
    forecasts: list[Forecasted]


@dataclass(frozen=True)
class Chapter:
    """One meeting of the case."""

    meeting: Meeting
    decided: list[Decided]


@dataclass(frozen=True)
class Story:
    """A case from its first meeting to its latest."""

    chapters: list[Chapter]
    open_actions: list[tuple[Action, ActionUpdate | None]]


def _middle(item: Item) -> str:
    revealed = [r for r in item.rounds if r.revealed_at is not None]
    shown = concealment.spread(revealed[-1], UNSEATED_CHAIR) if revealed else None
    return shown.middle if shown else ""


def _latest_outcomes(decisions: list[Decision]) -> dict[tuple[int, int], ForecastOutcome]:
    if not decisions:
        return {}
    found: dict[tuple[int, int], ForecastOutcome] = {}
    for row in outcomes_of(session_of(decisions[0]), decisions):
        found[(row.decision_id, row.line)] = row
    return found


def story(case: ChildCase) -> Story:
    """Return a case's meetings with their decisions and forecasts, and its open actions."""
    decisions = [
        i.decision for m in case.meetings for i in m.items if i.decision and i.decision.recorded
    ]
    answers = _latest_outcomes([d for d in decisions if d is not None])
    chapters = []
    for meeting in case.meetings:
        decided = [
            Decided(
                item,
                item.decision,
                _middle(item),
                [
                    Forecasted(text, answers.get((item.decision.id, n)))
                    for n, text in enumerate(item.decision.forecasts, start=1)
                ],
            )
            for item in meeting.items
            if item.decision is not None and item.decision.recorded
        ]
        chapters.append(Chapter(meeting, decided))
    actions = [a for m in case.meetings for a in m.actions if a.withdrawn_at is None]
    updates = updates_of(session_of(case), actions) if actions else {}
    still_open = []
    for action in actions:
        said = updates.get(action.id) or []
        last = said[-1] if said else None
        if last is None or not ActionStatus(last.status).closes:
            still_open.append((action, last))
    return Story(chapters, still_open)


# The deployment's report ------------------------------------------------------------------

RESULTS = tuple(ForecastResult)
# Safety ratings read in three bands: grave worry, in between, and safe enough.
SAFETY_BANDS = ((0, 3, "0–3"), (4, 6, "4–6"), (7, 10, "7–10"))


def _bucket(scale: Scale, value: scales.Value) -> str:
    if scale == Scale.SAFETY and value.score is not None:
        return next(label for low, high, label in SAFETY_BANDS if low <= value.score <= high)
    if scale == Scale.LXS:
        point = scales.position(scale, value)
        return scales.band(point) if point is not None else ""
    return value.choice or ""


@dataclass(frozen=True)
class Row:
    """How often an agency's rating in one band was followed by each outcome."""

    scale: str
    agency: str
    rated: str
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class Outcomes:
    """Every answered forecast, counted by the ratings behind its decision."""

    rows: list[Row]
    forecasts: int
    decisions: int


def outcomes(cases: list[ChildCase]) -> Outcomes:
    """Count, per scale, agency and rating band, what happened to the forecasts of the
    decisions those ratings led to (each rating in a decision's last revealed round)."""
    decisions = [
        i.decision
        for c in cases
        for m in c.meetings
        for i in m.items
        if i.decision and i.decision.recorded and i.decision.forecasts
    ]
    answers = _latest_outcomes([d for d in decisions if d is not None])
    counts: Counter[tuple[str, str, str, ForecastResult]] = Counter()
    answered_decisions = set()
    for (decision_id, _line), outcome in answers.items():
        decision = outcome.decision
        answered_decisions.add(decision_id)
        item = decision.item
        revealed = [r for r in item.rounds if r.revealed_at is not None]
        if not revealed:
            continue
        scale = Scale(item.scale)
        for rating in concealment.visible_ratings(revealed[-1], UNSEATED_CHAIR):
            if rating.track == Track.FAMILY or rating.cannot_rate:
                # The family's own view is no agency's forecast; "I can't rate this yet"
                # is no rating at all.
                continue
            bucket = _bucket(scale, concealment.value_of(rating))
            agency = rating.attendee.agency.strip() or "No agency given"
            counts[(scales.SCALES[scale], agency, bucket, ForecastResult(outcome.result))] += 1
    keys = sorted({k[:3] for k in counts}, key=lambda k: (k[0], k[1].casefold(), k[2]))
    rows = [Row(*key, tuple(counts[(*key, r)] for r in RESULTS)) for key in keys]
    return Outcomes(rows, len(answers), len(answered_decisions))
