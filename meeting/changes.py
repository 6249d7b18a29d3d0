"""What a change changed: each rule names it on the line it writes to the event log.

A live page is made of regions, and each region reads some of these facts
(`pages.regions.READS`). A rule's log line says which facts its change touched; once the
change is committed, every open page is told about the regions that read them
(`pages.doorbell.ring_changes`). So no change can forget a region, and a region that
reads a fact hears of every change to it.

The facts are kept on the database session until its transaction ends: a commit makes
them news, a rollback drops them.
"""

import enum
from collections.abc import Iterable

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction


class Fact(enum.StrEnum):
    """A part of a meeting that a change can touch."""

    # Who is in the meeting: waiting, admitted, left, observing, apologies, written
    # contributions, the quorum and the reason for going on without one.
    ROLL = "roll"
    # Someone asking to join: the chair's list of who is waiting, the display's count.
    WAITING = "waiting"
    # The agenda: its items, their order and wording.
    AGENDA = "agenda"
    # Which item is under discussion.
    ITEM = "item"
    # The rounds of the item under discussion: opened, revealed, divergence heard.
    ROUND = "round"
    # Ratings in the open round.
    RATINGS = "ratings"
    # A recorded decision, people's views on it and how the meeting considered them.
    DECISION = "decision"
    # The chair's draft of a decision: theirs alone until it is recorded.
    DRAFT = "draft"
    # Actions agreed in the meeting.
    ACTIONS = "actions"
    # The young person's own words and work on an item, and what of it the display shows.
    WORDS = "words"
    # The child's case: chronology, review triggers, last meeting's forecasts and actions.
    CASE = "case"
    # The agencies' reports before the meeting: expected, received, shared with the parents,
    # and what of them is withheld from the family.
    REPORTS = "reports"
    # The meeting itself: started, closed, its details. Every page is loaded again.
    MEETING = "meeting"
    # What only the record and the minutes show: circulation, the display link, readers.
    RECORD = "record"


PENDING = "meeting.changed"
NEWS = "meeting.news"


def note(
    session: Session, meeting_id: int, changed: Fact | Iterable[Fact], own: int | None = None
) -> None:
    """Note, until the transaction ends, that a change touched these facts of a meeting;
    `own`: that it was one person's own (their rating, their view), which their other
    devices show as theirs."""
    facts = {changed} if isinstance(changed, Fact) else set(changed)
    if not facts:
        raise ValueError("A change names at least one fact it changed.")
    pending = session.info.setdefault(PENDING, {})
    pending.setdefault(("meeting", meeting_id), set()).update(facts)
    if own is not None:
        pending.setdefault(("person", own), set()).update(facts)


def news(session: Session) -> dict[tuple[str, int], set[Fact]]:
    """Take what committed changes touched since this was last asked: by ("meeting", id),
    and by ("person", attendee id) for what was someone's own."""
    found: dict[tuple[str, int], set[Fact]] = session.info.pop(NEWS, {})
    return found


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    pending = session.info.pop(PENDING, {})
    if not pending:
        return
    told = session.info.setdefault(NEWS, {})
    for whose, facts in pending.items():
        told.setdefault(whose, set()).update(facts)


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, previous: SessionTransaction) -> None:
    # A savepoint rolled back leaves the rest of the transaction, and what it touched.
    if previous.parent is None:
        session.info.pop(PENDING, None)
