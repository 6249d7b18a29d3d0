"""The meeting's log as a hash chain, and the check that the record still matches it.

Every line of a meeting's log holds the hash of the line before it, a random nonce, and,
when it records a rating, a view, a decision or an action, what that record said at that
moment (its "content"). Changing a line breaks its hash; removing or inserting one breaks
the chain; changing a record without writing a line leaves the record and its last line
disagreeing. Outside the database the chain is anchored three ways: each rater holds a
receipt (the start of their rating's line hash), each reveal stores the line the ratings
were sealed at, and each version of the minutes quotes the chain's head when it was made.
A copy of the database rewritten from end to end still disagrees with those.
"""

import base64
import enum
import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update

import minutes

from ..models import (
    Action,
    ActionUpdate,
    AnySession,
    Contribution,
    Decision,
    DecisionStatus,
    Event,
    ForecastOutcome,
    Item,
    Meeting,
    MinutesVersion,
    Rating,
    Round,
    View,
    utcnow,
)

# The hash the first line of every meeting's log follows.
GENESIS = "0" * 64
# What each kind of record is called in a line's subject.
KINDS: dict[str, type] = {
    "rating": Rating,
    "contribution": Contribution,
    "decision": Decision,
    "view": View,
    "action": Action,
    "action_update": ActionUpdate,
    "forecast_outcome": ForecastOutcome,
}
# Columns that change without a line being written: a draft decision saves as it is typed.
UNCHAINED = {Decision: {"updated_at"}}
RECEIPT_LENGTH = 12


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def subject_of(row: Any) -> str:
    """Return what a line calls a record: its kind and id ("rating:12")."""
    kind = next(k for k, model in KINDS.items() if isinstance(row, model))
    return f"{kind}:{row.id}"


def content_of(row: Any) -> str:
    """Return what a record says, as canonical JSON: every column but its id."""
    skipped = UNCHAINED.get(type(row), set()) | {"id"}
    values = {
        column.key: _plain(getattr(row, column.key))
        for column in row.__mapper__.column_attrs
        if column.key not in skipped
    }
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_hash(entry: Event) -> str:
    """Return the hash of a line: of everything it says and of the line before it."""
    fields = [
        entry.meeting_id,
        entry.seq,
        entry.at.isoformat(timespec="microseconds"),
        entry.actor,
        entry.action,
        entry.detail,
        entry.subject,
        entry.content,
        entry.nonce,
        entry.prev,
    ]
    text = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _hold(session: AnySession, meeting_id: int) -> None:
    # One writer at a time extends a meeting's chain: a row lock on the meeting on
    # PostgreSQL; SQLite's single write lock does the same.
    session.execute(
        update(Meeting)
        .where(Meeting.id == meeting_id)
        .values(id=Meeting.id)
        .execution_options(synchronize_session=False)
    )


def head(session: AnySession, meeting_id: int) -> tuple[int, str]:
    """Return the meeting's last line number and hash (0 and the genesis hash when none)."""
    last = session.execute(
        select(Event.seq, Event.hash)
        .where(Event.meeting_id == meeting_id)
        .order_by(Event.seq.desc())
        .limit(1)
    ).first()
    return (last.seq, last.hash) if last else (0, GENESIS)


def append(
    session: AnySession, meeting_id: int, actor: str, action: str, detail: str, about: Any = None
) -> Event:
    """Add a line to the end of the meeting's chain, in the caller's transaction."""
    if about is not None and about.id is None:
        session.flush()
    _hold(session, meeting_id)
    seq, prev = head(session, meeting_id)
    entry = Event(
        meeting_id=meeting_id,
        seq=seq + 1,
        at=utcnow(),
        actor=actor,
        action=action,
        detail=detail,
        subject=subject_of(about) if about is not None else "",
        content=content_of(about) if about is not None else "",
        nonce=secrets.token_hex(16),
        prev=prev,
    )
    entry.hash = entry_hash(entry)
    session.add(entry)
    session.flush()
    return entry


# Receipts -------------------------------------------------------------------------------


def receipt_of(entry_hash_: str) -> str:
    """Return the short receipt for a line: its hash's first bits, readable aloud."""
    letters = base64.b32encode(bytes.fromhex(entry_hash_)).decode("ascii")[:RECEIPT_LENGTH]
    return "-".join(letters[i : i + 4] for i in range(0, RECEIPT_LENGTH, 4))


def receipt_for(rating: Rating, session: AnySession) -> str | None:
    """Return the receipt of the line that last recorded this rating, if there is one."""
    last = session.scalar(
        select(Event.hash)
        .where(Event.subject == subject_of(rating))
        .order_by(Event.seq.desc())
        .limit(1)
    )
    return receipt_of(last) if last else None


def _receipt_letters(receipt: str) -> str:
    return "".join(ch for ch in receipt.upper() if ch.isalnum())


# Checking -------------------------------------------------------------------------------


@dataclass
class Check:
    """What checking one meeting's record against its log found."""

    meeting_id: int
    entries: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _line(entry: Event) -> str:
    return f"entry {entry.seq} ({entry.at:%Y-%m-%d %H:%M:%S} UTC, {entry.actor}: {entry.action})"


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
                f"The log breaks before {_line(entry)}: a line before it was removed, "
                "inserted or reordered."
            )
            return
        if entry_hash(entry) != entry.hash:
            check.problems.append(
                _sentence(f"{_line(entry)} was altered: it no longer matches its hash.")
            )
            return
        prev = entry.hash


def _check_records(
    session: AnySession, meeting: Meeting, entries: list[Event], check: Check
) -> None:
    last: dict[str, Event] = {}
    for entry in entries:
        if entry.subject:
            last[entry.subject] = entry
    for row in _records(session, meeting):
        logged = last.get(subject_of(row))
        if logged is None:
            check.problems.append(_sentence(f"{_describe(row)} has no line in the log."))
        elif differences := _differences(content_of(row), logged.content):
            check.problems.append(
                _sentence(f"{_describe(row)} does not match {_line(logged)}: {differences}.")
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
                f"{where} was sealed at entry {sealed.seq}, but {_line(later[0])} "
                "records a rating in it afterwards."
            )


def _check_minutes(
    session: AnySession, meeting: Meeting, entries: list[Event], check: Check
) -> None:
    by_seq = {e.seq: e for e in entries}
    made = session.scalars(
        select(MinutesVersion)
        .where(MinutesVersion.meeting_id == meeting.id)
        .order_by(MinutesVersion.number)
    )
    for version in made:
        name = f"Version {version.number} of the minutes"
        if minutes.digest_of(version.markdown) != version.digest:
            check.problems.append(f"{name} no longer matches its digest {version.digest[:16]}…")
        logged = [e for e in entries if e.action == f"made version {version.number} of the minutes"]
        if not logged or logged[0].detail != version.digest:
            check.problems.append(f"{name} has a digest the log did not record when it was made.")
        quoted = version.edition.get("log_entries")
        if quoted:
            entry = by_seq.get(quoted)
            if entry is None or entry.hash != version.edition.get("log_head"):
                check.problems.append(
                    f"{name} quotes entry {quoted} of the log with hash "
                    f"{str(version.edition.get('log_head'))[:16]}…, which the log no longer holds."
                )


def _check_receipts(entries: list[Event], receipts: list[str], check: Check) -> None:
    for receipt in receipts:
        letters = _receipt_letters(receipt)
        found = [e for e in entries if _receipt_letters(receipt_of(e.hash)) == letters]
        if len(letters) != RECEIPT_LENGTH or not found:
            check.problems.append(f"Receipt {receipt} matches no line of this meeting's log.")
            continue
        entry = found[0]
        later = [e for e in entries if e.subject == entry.subject and e.seq > entry.seq]
        status = (
            f"changed later by the rater at entry {later[-1].seq}"
            if later
            else "the rating as it stands in the record"
        )
        check.notes.append(f"Receipt {receipt_of(entry.hash)} is {_line(entry)}: {status}.")


def verify(session: AnySession, meeting: Meeting, receipts: Sequence[str] = ()) -> Check:
    """Check a meeting's log, its records, its reveals, its minutes and any receipts given."""
    entries = list(
        session.scalars(select(Event).where(Event.meeting_id == meeting.id).order_by(Event.seq))
    )
    check = Check(meeting_id=meeting.id, entries=len(entries))
    _check_chain(entries, check)
    _check_records(session, meeting, entries, check)
    _check_reveals(session, meeting, entries, check)
    _check_minutes(session, meeting, entries, check)
    _check_receipts(entries, list(receipts), check)
    return check
