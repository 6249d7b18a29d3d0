"""Forecasts and what happened: what each decision expected by its review, answered at
the review as met, partly met or not met."""

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select

from ..agenda.status import writable
from ..changes import Fact
from ..errors import Invalid, Refused
from ..models import (
    AnySession,
    Decision,
    ForecastOutcome,
    ForecastResult,
    Item,
    Meeting,
    session_of,
    word_of,
)
from ..record.log import log
from ..record.seen import hold
from .answers import unchanged


@dataclass(frozen=True)
class Forecast:
    """One line of what an earlier decision forecast for its review, and what happened."""

    item: Item
    decision: Decision
    line: int
    text: str
    outcome: ForecastOutcome | None


def outcomes_of(session: AnySession, decisions: list[Decision]) -> list[ForecastOutcome]:
    """Return every answer given to these decisions' forecasts, oldest first."""
    if not decisions:
        return []
    return list(
        session.scalars(
            select(ForecastOutcome)
            .where(ForecastOutcome.decision_id.in_([d.id for d in decisions]))
            .order_by(ForecastOutcome.id)
        )
    )


def forecasts(meeting: Meeting, item: Item | None = None) -> list[Forecast]:
    """Return the forecasts a review answers: those of the decisions at the meeting it
    reviews (on one item, when given), each with its latest answer at this review."""
    earlier = meeting.previous
    if earlier is None:
        return []
    decided = [
        i.decision
        for i in earlier.items
        if i.decision is not None
        and i.decision.recorded
        and (item is None or item.previous_item_id == i.id)
    ]
    answers: dict[tuple[int, int], ForecastOutcome] = {}
    for row in outcomes_of(session_of(meeting), [d for d in decided if d is not None]):
        if row.meeting_id == meeting.id:
            answers[(row.decision_id, row.line)] = row
    return [
        Forecast(d.item, d, n, text, answers.get((d.id, n)))
        for d in decided
        if d is not None
        for n, text in enumerate(d.forecasts, start=1)
    ]


def answer_forecast(
    meeting: Meeting, decision: Decision, line: int, form: Mapping[str, str]
) -> ForecastOutcome:
    """Record what happened against one line of an earlier decision's forecast."""
    writable(meeting)
    hold(decision)
    found = next(
        (f for f in forecasts(meeting) if f.decision.id == decision.id and f.line == line), None
    )
    if found is None:
        raise Refused("That forecast is not one this review answers.")
    unchanged(form, found.outcome, lambda o: f"{o.result.label}: {o.note}")
    errors: dict[str, str] = {}
    result = word_of(ForecastResult, form.get("result") or "")
    if result is None:
        errors["result"] = "Choose met, partly met or not met."
    note = (form.get("note") or "").strip()
    if result is not None and result != ForecastResult.MET and not note:
        errors["note"] = "Add a line on what happened."
    if errors:
        raise Invalid(errors)
    assert result is not None
    outcome = ForecastOutcome(
        decision=decision,
        meeting_id=meeting.id,
        line=line,
        forecast=found.text,
        result=result,
        note=note,
        by_name=meeting.chair.name,
    )
    session_of(meeting).add(outcome)
    session_of(meeting).flush()
    was = f"Was: {found.outcome.result.label}: {found.outcome.note}" if found.outcome else ""
    log(
        meeting,
        meeting.chair.name,
        f"answered the forecast “{found.text[:80]}” on {found.item.title}: {result.label}",
        "\n".join(x for x in (note, was) if x),
        outcome,
        changed=Fact.CASE,
    )
    return outcome
