"""A case's story (its meetings, decisions, forecasts against outcomes, open actions), and
the deployment's report of how ratings and forecasts related to what happened: descriptive
counts per agency and scale and by the likelihood the meeting gave, never a score of any
one person, with any count under 3 kept off the page."""

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
    Rating,
    Scale,
    Track,
    session_of,
)
from ..rating import concealment, scales
from ..rating.concealment import UNSEATED_CHAIR
from . import calibration
from .calibration import Calibration
from .calibration import Row as RatingRow
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
class Outcomes:
    """Every answered forecast: the calibration table over those with a likelihood, and
    the ratings behind their decisions counted by what happened, small counts kept off."""

    calibration: Calibration
    rows: list[RatingRow]
    left_out: int
    forecasts: int
    decisions: int


def outcomes(cases: list[ChildCase]) -> Outcomes:
    """Count what happened to the answered forecasts: by the likelihood the meeting gave
    them, and per scale, agency and rating band of the ratings in their decision's last
    revealed round (each rating once per answered forecast)."""
    decisions = [
        i.decision
        for c in cases
        for m in c.meetings
        for i in m.items
        if i.decision and i.decision.recorded and i.decision.forecasts
    ]
    answers = _latest_outcomes([d for d in decisions if d is not None])
    counted: list[tuple[Rating, str, str, str, ForecastResult]] = []
    scored: list[tuple[int, ForecastResult]] = []
    for outcome in answers.values():
        result = ForecastResult(outcome.result)
        said = calibration.likelihood(outcome.forecast)
        if said is not None:
            scored.append((said, result))
        item = outcome.decision.item
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
            if not bucket:
                # An answer that the rater could not rate yet carries no value to count.
                continue
            agency = rating.attendee.agency.strip() or "No agency given"
            counted.append((rating, scales.SCALES[scale], agency, bucket, result))
    raters = {r.attendee for r, *_ in counted}
    person = calibration.people(
        (a.id, a.previous_attendee_id, a.email, a.name, a.agency)
        for a in sorted(raters, key=lambda a: a.id)
    )
    shown, left_out = calibration.rows(
        calibration.Counted(scale, agency, bucket, person[rating.attendee_id], result)
        for rating, scale, agency, bucket, result in counted
    )
    return Outcomes(
        calibration.calibration(scored),
        shown,
        left_out,
        len(answers),
        len({decision_id for decision_id, _line in answers}),
    )
