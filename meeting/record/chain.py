"""The meeting's log as a hash chain: writing each line, and the receipts raters hold.

Every line of a meeting's log holds the hash of the line before it, a random nonce, and,
when it records a rating, a view, a decision or an action, what that record said at that
moment (its "content"). Changing a line breaks its hash; removing or inserting one breaks
the chain; changing a record without writing a line leaves the record and its last line
disagreeing. Outside the database the chain is anchored three ways: each rater holds a
receipt (the start of their rating's line hash), each reveal stores the line the ratings
were sealed at, and each version of the minutes quotes the chain's head when it was made;
the line that makes a version holds the digest of the record it was made from.
`record.verify` checks a meeting against all of these.
"""

import base64
import enum
import hashlib
import json
import secrets
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update

from ..models import (
    Action,
    ActionUpdate,
    AnySession,
    Contribution,
    Decision,
    Event,
    ForecastOutcome,
    Meeting,
    OwnWords,
    OwnWork,
    Rating,
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
    "own_words": OwnWords,
    "own_work": OwnWork,
}
# Columns that change without a line being written (a draft decision saves as it is
# typed), or that a line holds only by their digest (attached work, by its SHA-256).
UNCHAINED: dict[type, set[str]] = {Decision: {"updated_at"}, OwnWork: {"data"}}
RECEIPT_LENGTH = 12
# What the line that makes a version of the minutes holds: the digest of the record they
# were made from, so the rows they rest on can be checked against it later (`record.basis`).
RECORD_DIGEST = "record_sha256"


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
    return canonical(values)


def held_by(content: str) -> dict[str, Any]:
    """Return what a line holds as data ({} when it holds nothing, or nothing readable)."""
    try:
        held = json.loads(content) if content else {}
    except ValueError:
        return {}
    return held if isinstance(held, dict) else {}


def line_name(entry: Event) -> str:
    """Return how a line is named to a reader: its number, time, who and what."""
    return f"entry {entry.seq} ({entry.at:%Y-%m-%d %H:%M:%S} UTC, {entry.actor}: {entry.action})"


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


def canonical(value: Any) -> str:
    """Return plain data as canonical JSON: the same data always gives the same text."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def record_digest(record: Any) -> str:
    """Return the SHA-256 digest of a plain record (what a version of the minutes is made from)."""
    return hashlib.sha256(canonical(record).encode("utf-8")).hexdigest()


def append(
    session: AnySession,
    meeting_id: int,
    actor: str,
    action: str,
    detail: str,
    about: Any = None,
    content: str = "",
) -> Event:
    """Add a line to the end of the meeting's chain, in the caller's transaction.

    A line about a record (`about`) holds what it says; any other line may hold `content`
    of its own (a version of the minutes: the digest of the record it was made from).
    """
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
        content=content_of(about) if about is not None else content,
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
