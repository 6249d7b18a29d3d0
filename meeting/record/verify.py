"""Checking a meeting against its log: the chain, the records, the reveals, the minutes.

A record changed without a line written disagrees with its last line, and one removed
leaves its lines naming a record that is not there; a line changed, removed or inserted
breaks the chain (`record.chain`). The people, the agenda and the chronology are checked
against the record each version of the minutes was made from, whose digest the log fixed
(`record.issued`, `record.basis`). A copy of the database rewritten from end to end, chain
and all, still disagrees with what is held outside it: the raters' receipts, the line
each reveal was sealed at, the head each version of the minutes quotes in its text, and
any copy of the minutes someone received. Each disagreement is named: which record or
line, and how it differs.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from ..models import (
    Action,
    ActionUpdate,
    AnySession,
    Attendee,
    Contribution,
    Decision,
    DecisionStatus,
    Event,
    ForecastOutcome,
    Item,
    Meeting,
    OwnWords,
    OwnWork,
    Rating,
    Round,
    View,
)
from ..policy import Policy
from . import issued
from .chain import (
    GENESIS,
    KINDS,
    RECEIPT_LENGTH,
    content_of,
    entry_hash,
    held_by,
    line_name,
    receipt_of,
    subject_of,
)


@dataclass
class Check:
    """What checking one meeting's record against its log found."""

    meeting_id: int
    entries: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        """Return whether the record and its log agree throughout."""
        return not self.problems


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _describe(row: Any) -> str:
    if isinstance(row, Rating):
        item = row.round.item
        return (
            f"the rating by {row.attendee.name} ({row.attendee.agency}) in round "
            f"{row.round.number} on “{item.title}”"
        )
    if isinstance(row, Contribution):
        return f"the written contribution from {row.attendee.name} on “{row.item.title}”"
    if isinstance(row, Decision):
        return f"the decision on “{row.item.title}”"
    if isinstance(row, View):
        return f"{row.attendee.name}'s view on the decision on “{row.decision.item.title}”"
    if isinstance(row, ActionUpdate):
        return f"what {row.by_name} said became of the action “{row.action.what[:60]}”"
    if isinstance(row, OwnWords):
        return f"the young person's own words on “{row.item.title}”"
    if isinstance(row, OwnWork):
        return f"the work “{row.name}” the young person attached"
    if isinstance(row, ForecastOutcome):
        return f"the outcome recorded for the forecast “{row.forecast[:60]}”"
    return f"the action for {row.owner_name}: “{row.what[:60]}”"


def _differences(now: str, then: str) -> str:
    """Say where a record differs from its line; "" when it does not.

    Only what the line holds is compared: a column added in a later release was never
    vouched for by the lines written before it.
    """
    reads, logged = json.loads(now), json.loads(then)
    changed = [k for k in sorted(logged) if reads.get(k) != logged[k]]
    return "; ".join(
        f"{k} reads {json.dumps(reads.get(k), ensure_ascii=False)} but the log has "
        f"{json.dumps(logged.get(k), ensure_ascii=False)}"
        for k in changed
    )


def _records(session: AnySession, meeting: Meeting) -> list[Any]:
    """Return every record of the meeting that the chain vouches for."""
    items = select(Item.id).where(Item.meeting_id == meeting.id)
    rows: list[Any] = []
    rows += session.scalars(
        select(Rating).join(Round).where(Round.item_id.in_(items)).order_by(Rating.id)
    )
    rows += session.scalars(
        select(Contribution).where(Contribution.item_id.in_(items)).order_by(Contribution.id)
    )
    decisions = list(
        session.scalars(
            select(Decision)
            .where(Decision.item_id.in_(items), Decision.status == DecisionStatus.RECORDED)
            .order_by(Decision.id)
        )
    )
    rows += decisions
    rows += session.scalars(
        select(View)
        .where(View.decision_id.in_([d.id for d in decisions]))
        .where((View.recorded_at.is_not(None)) | (View.considered != ""))
        .order_by(View.id)
    )
    rows += session.scalars(
        select(Action).where(Action.meeting_id == meeting.id).order_by(Action.id)
    )
    rows += session.scalars(
        select(ActionUpdate).where(ActionUpdate.meeting_id == meeting.id).order_by(ActionUpdate.id)
    )
    rows += session.scalars(
        select(OwnWords).where(OwnWords.item_id.in_(items)).order_by(OwnWords.id)
    )
    rows += session.scalars(
        select(OwnWork).where(OwnWork.meeting_id == meeting.id).order_by(OwnWork.id)
    )
    rows += session.scalars(
        select(ForecastOutcome)
        .where(ForecastOutcome.meeting_id == meeting.id)
        .order_by(ForecastOutcome.id)
    )
    return rows


def _check_chain(entries: list[Event], check: Check) -> None:
    prev = GENESIS
    for number, entry in enumerate(entries, start=1):
        if entry.seq != number or entry.prev != prev:
            check.problems.append(
                f"The log breaks before {line_name(entry)}: a line before it was removed, "
                "inserted or reordered."
            )
            return
        if entry_hash(entry) != entry.hash:
            check.problems.append(
                _sentence(f"{line_name(entry)} was altered: it no longer matches its hash.")
            )
            return
        prev = entry.hash


def _named(session: AnySession, model: type, key: Any) -> Any:
    return session.get(model, key) if isinstance(key, int) else None


def _gone(session: AnySession, kind: str, number: str, said: dict[str, Any]) -> str:
    """Describe a record that is no longer in the database from what its line said."""
    person = _named(session, Attendee, said.get("attendee_id"))
    item = _named(session, Item, said.get("item_id"))
    whose = f"{person.name} ({person.agency})" if person else f"attendee {said.get('attendee_id')}"
    on = f"“{item.title}”" if item else f"item {said.get('item_id')}"
    if kind == "rating":
        round_ = _named(session, Round, said.get("round_id"))
        where = f"round {round_.number} on “{round_.item.title}”" if round_ else "a round"
        return f"the rating by {whose} in {where}"
    if kind == "contribution":
        return f"the written contribution from {whose} on {on}"
    if kind == "decision":
        return f"the decision on {on}"
    if kind == "view":
        decision = _named(session, Decision, said.get("decision_id"))
        about = f"“{decision.item.title}”" if decision else f"decision {said.get('decision_id')}"
        return f"{whose}'s view on the decision on {about}"
    if kind == "action":
        return f"the action for {said.get('owner_name')}: “{str(said.get('what'))[:60]}”"
    if kind == "own_words":
        return f"the young person's own words on {on}"
    if kind == "own_work":
        return f"the work “{said.get('name')}” the young person attached"
    if kind == "forecast_outcome":
        return f"the outcome recorded for the forecast “{str(said.get('forecast'))[:60]}”"
    return f"{kind.replace('_', ' ')} {number}"


def _taken_off(
    session: AnySession, said: dict[str, Any], after: Event, entries: list[Event]
) -> bool:
    """Say whether a record went with its item, taken off the agenda before the meeting."""
    item_id = said.get("item_id")
    return (
        isinstance(item_id, int)
        and session.get(Item, item_id) is None
        and any(
            e.seq > after.seq
            and e.action.startswith("took ")
            and e.action.endswith(" off the agenda")
            for e in entries
        )
    )


def _check_removed(
    session: AnySession, last: dict[str, Event], entries: list[Event], check: Check
) -> None:
    for subject, entry in last.items():
        kind, _, number = subject.partition(":")
        model = KINDS.get(kind)
        if model is None or not number.isdigit() or session.get(model, int(number)):
            continue
        said = held_by(entry.content)
        if _taken_off(session, said, entry, entries):
            continue
        check.problems.append(
            _sentence(
                f"{_gone(session, kind, number, said)} that {line_name(entry)} recorded is no "
                "longer in the database."
            )
        )


def _check_records(
    session: AnySession, meeting: Meeting, entries: list[Event], check: Check
) -> None:
    last: dict[str, Event] = {}
    for entry in entries:
        if entry.subject:
            last[entry.subject] = entry
    _check_removed(session, last, entries, check)
    for row in _records(session, meeting):
        logged = last.get(subject_of(row))
        if logged is None:
            check.problems.append(_sentence(f"{_describe(row)} has no line in the log."))
        elif differences := _differences(content_of(row), logged.content):
            check.problems.append(
                _sentence(f"{_describe(row)} does not match {line_name(logged)}: {differences}.")
            )


def _check_reveals(
    session: AnySession, meeting: Meeting, entries: list[Event], check: Check
) -> None:
    by_seq = {e.seq: e for e in entries}
    rounds = session.scalars(
        select(Round)
        .join(Item)
        .where(Item.meeting_id == meeting.id, Round.sealed_seq.is_not(None))
        .order_by(Round.id)
    )
    for round_ in rounds:
        sealed = by_seq.get(round_.sealed_seq or 0)
        where = f"Round {round_.number} on “{round_.item.title}”"
        if sealed is None or sealed.hash != round_.sealed_head:
            check.problems.append(
                f"{where} was sealed at entry {round_.sealed_seq} with hash "
                f"{round_.sealed_head[:16]}…, which the log no longer holds."
            )
            continue
        later = [
            e
            for e in entries
            if e.seq > sealed.seq
            and e.subject.startswith("rating:")
            and any(e.subject == subject_of(r) for r in round_.ratings)
        ]
        if later:
            check.problems.append(
                f"{where} was sealed at entry {sealed.seq}, but {line_name(later[0])} "
                "records a rating in it afterwards."
            )


def _receipt_letters(receipt: str) -> str:
    return "".join(ch for ch in receipt.upper() if ch.isalnum())


def _check_receipts(entries: list[Event], receipts: list[str], check: Check) -> None:
    for receipt in receipts:
        letters = _receipt_letters(receipt)
        found = [e for e in entries if _receipt_letters(receipt_of(e.hash)) == letters]
        if len(letters) != RECEIPT_LENGTH or not found:
            check.problems.append(f"Receipt {receipt} matches no line of this meeting's log.")
            continue
        entry = found[0]
        if entry.subject.partition(":")[0] != "rating":
            check.problems.append(
                f"Receipt {receipt} is {line_name(entry)}, which records no rating: it is not a "
                "receipt."
            )
            continue
        later = [e for e in entries if e.subject == entry.subject and e.seq > entry.seq]
        status = (
            f"changed later by the rater at entry {later[-1].seq}"
            if later
            else "the rating as it stands in the record"
        )
        check.notes.append(f"Receipt {receipt_of(entry.hash)} is {line_name(entry)}: {status}.")


def verify(
    session: AnySession,
    meeting: Meeting,
    receipts: Sequence[str] = (),
    copies: Sequence[tuple[str, str]] = (),
    *,
    policy: Policy,
) -> Check:
    """Check a meeting's log, its records, its reveals, its minutes, and any receipts and
    copies of the minutes (where each was found, and its text) given."""
    entries = list(
        session.scalars(select(Event).where(Event.meeting_id == meeting.id).order_by(Event.seq))
    )
    check = Check(meeting_id=meeting.id, entries=len(entries))
    _check_chain(entries, check)
    _check_records(session, meeting, entries, check)
    _check_reveals(session, meeting, entries, check)
    issued.check_versions(session, meeting, entries, check.problems, policy)
    issued.check_copies(session, meeting, entries, copies, check.problems, check.notes)
    _check_receipts(entries, list(receipts), check)
    return check
