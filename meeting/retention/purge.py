"""Purging a closed meeting: which meetings are due, and every row that is theirs.

A meeting's rows are deleted in one transaction, each table's before the rows they point
to, so the database's foreign keys (PostgreSQL's always, SQLite's on every connection
here) refuse the purge rather than leave a row pointing at what was removed. Only a
meeting that is closed is ever purged, and only as it was when it was exported.
"""

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, delete, select, update

from ..cases.review import chain
from ..errors import Refused
from ..models import (
    Action,
    ActionUpdate,
    AgencyReport,
    AnySession,
    Attendee,
    Base,
    ChildCase,
    ChronologyEntry,
    Contribution,
    Correction,
    Decision,
    Delivery,
    EndedLink,
    Event,
    ForecastOutcome,
    Invitation,
    Item,
    LetterDelivery,
    LetterDraft,
    LetterVersion,
    LinkOpening,
    Meeting,
    MeetingStatus,
    MinutesVersion,
    OwnWords,
    OwnWork,
    Rating,
    ReviewTrigger,
    Round,
    View,
    session_of,
)
from ..record.log import mark

# The tables that hold nothing of any one meeting: chair accounts, the first-run set-up
# code, and the random tokens of forms already acted on (forgotten after two days).
NOT_A_MEETINGS = frozenset({"chair", "setup_code", "form_token"})


def due(session: AnySession, closed_before: datetime) -> tuple[list[Meeting], list[Meeting]]:
    """Return the closed meetings that closed before a moment (naive UTC), and those of them
    held back.

    A review's record rests on the meeting it reviews (what became of its actions, how the
    ratings moved), so a meeting stays while a later review of it stays, and goes with it:
    each review is listed before the meeting it reviews. Otherwise, oldest first.
    """
    closed = list(
        session.scalars(
            select(Meeting)
            .where(Meeting.status == MeetingStatus.CLOSED, Meeting.closed_at < closed_before)
            .order_by(Meeting.closed_at, Meeting.id)
        )
    )
    reviewed_by: dict[int, list[int]] = {}
    for review_id, earlier_id in session.execute(select(Meeting.id, Meeting.previous_id)):
        if earlier_id is not None:
            reviewed_by.setdefault(earlier_id, []).append(review_id)
    going = {m.id for m in closed}
    while stays := [m for m in going if set(reviewed_by.get(m, ())) - going]:
        going -= set(stays)

    def depth(meeting: Meeting) -> int:
        return len(chain(meeting))

    ready = sorted((m for m in closed if m.id in going), key=depth, reverse=True)
    return ready, [m for m in closed if m.id not in going]


def closed_on(meeting: Meeting, zone: ZoneInfo) -> date:
    """Return the day a meeting closed, where it was held."""
    assert meeting.closed_at is not None
    return meeting.closed_at.replace(tzinfo=UTC).astimezone(zone).date()


def rows_of(meeting_id: int) -> list[tuple[type[Base], ColumnElement[bool]]]:
    """Return every table holding a meeting's rows, and which rows, in the order they go."""
    items = select(Item.id).where(Item.meeting_id == meeting_id)
    rounds = select(Round.id).where(Round.item_id.in_(items))
    decisions = select(Decision.id).where(Decision.item_id.in_(items))
    versions = select(MinutesVersion.id).where(MinutesVersion.meeting_id == meeting_id)
    letters = select(LetterVersion.id).where(LetterVersion.meeting_id == meeting_id)
    return [
        # What this meeting, a review, said of earlier actions and forecasts. What a later
        # review said of this one's is that review's: it went first (see `due`), and if
        # anything of it is left, the database refuses rather than lose it.
        (ActionUpdate, ActionUpdate.meeting_id == meeting_id),
        (ForecastOutcome, ForecastOutcome.meeting_id == meeting_id),
        (ChronologyEntry, ChronologyEntry.meeting_id == meeting_id),
        (ReviewTrigger, ReviewTrigger.answered_by_id == meeting_id),
        (Delivery, Delivery.version_id.in_(versions)),
        (LetterDelivery, LetterDelivery.version_id.in_(letters)),
        (LetterVersion, LetterVersion.meeting_id == meeting_id),
        (LetterDraft, LetterDraft.meeting_id == meeting_id),
        (Correction, Correction.meeting_id == meeting_id),
        (MinutesVersion, MinutesVersion.meeting_id == meeting_id),
        (View, View.decision_id.in_(decisions)),
        (Decision, Decision.item_id.in_(items)),
        (Rating, Rating.round_id.in_(rounds)),
        (Round, Round.item_id.in_(items)),
        (Contribution, Contribution.item_id.in_(items)),
        (OwnWords, OwnWords.item_id.in_(items)),
        (OwnWork, OwnWork.meeting_id == meeting_id),
        (Action, Action.meeting_id == meeting_id),
        (AgencyReport, AgencyReport.meeting_id == meeting_id),
        (Event, Event.meeting_id == meeting_id),
        (LinkOpening, LinkOpening.meeting_id == meeting_id),
        (EndedLink, EndedLink.meeting_id == meeting_id),
        # Its invitations, sent to the people of the meeting it reviews. Invitations to a
        # later review, sent to this one's people, are that review's: it went first.
        (Invitation, Invitation.meeting_id == meeting_id),
        (Attendee, Attendee.meeting_id == meeting_id),
        (Item, Item.meeting_id == meeting_id),
        (Meeting, Meeting.id == meeting_id),
    ]


def remove(meeting: Meeting, as_seen: int) -> int:
    """Delete a closed meeting and every row of it; return how many rows went.

    `as_seen` is the mark of its event log when it was exported (or listed): a meeting
    changed since then is refused, so nothing goes that the export does not hold.
    """
    session = session_of(meeting)
    meeting_id = meeting.id
    # Writing the meeting's row first holds off any other change to it until this
    # transaction ends: a row lock on PostgreSQL, the database's write lock on SQLite.
    claimed: Any = session.execute(
        update(Meeting)
        .where(Meeting.id == meeting_id, Meeting.status == MeetingStatus.CLOSED)
        .values(status=Meeting.status)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise Refused(f"Meeting {meeting_id} is not closed, so it was not purged.")
    if mark(meeting) != as_seen:
        raise Refused(
            f"Meeting {meeting_id} changed while it was being exported, so it was not "
            "purged; purge again to export it as it is now."
        )
    case_id = meeting.case_id
    removed = 0
    for table, rows in [*rows_of(meeting_id), *_case_if_last(session, case_id, meeting_id)]:
        done: Any = session.execute(
            delete(table).where(rows).execution_options(synchronize_session=False)
        )
        removed += done.rowcount
    session.expunge(meeting)
    return removed


def _case_if_last(
    session: AnySession, case_id: int | None, meeting_id: int
) -> list[tuple[type[Base], ColumnElement[bool]]]:
    """Return the rows of a meeting's case, when it is the case's last meeting."""
    if case_id is None:
        return []
    others = session.scalar(
        select(Meeting.id).where(Meeting.case_id == case_id, Meeting.id != meeting_id).limit(1)
    )
    if others is not None:
        return []
    return [
        (ChronologyEntry, ChronologyEntry.case_id == case_id),
        (ReviewTrigger, ReviewTrigger.case_id == case_id),
        (ChildCase, ChildCase.id == case_id),
    ]
