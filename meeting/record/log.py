"""The event log: a line for each change, saying who did what, when, and what it replaced.

The rule that makes a change writes its line, in the same transaction as the change. The
lines are a hash chain (`chain`): a line about a rating, a view, a decision or an action
names it (`about`) and holds what it says once the change is made.
"""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select

from ..changes import Fact, note
from ..models import Attendee, Event, Meeting, session_of
from . import chain


def log(
    meeting: Meeting,
    actor: str,
    action: str,
    detail: str = "",
    about: Any = None,
    *,
    changed: Fact | Iterable[Fact],
    own: Attendee | None = None,
    content: str = "",
) -> Event:
    """Append a line to the meeting's event log; `detail` keeps what a change replaced.

    `changed` names what the change touched: once it is committed, every page showing a
    region that reads it is told (`changes`), and, for a change that was someone's `own`
    (their rating, their view), every device of theirs. `content` is what a line about no
    one record holds (see `chain.append`).
    """
    session = session_of(meeting)
    note(session, meeting.id, changed, own.id if own is not None else None)
    return chain.append(session, meeting.id, actor[:200], action[:300], detail, about, content)


def mark(meeting: Meeting) -> int:
    """Return how many lines the meeting's event log has: a mark of its state.

    Every change writes a line and none is ever removed, so a page drawn at mark N is out
    of date once the log is longer than N. It counts this meeting's lines only, so it says
    nothing about other meetings.
    """
    lines = session_of(meeting).scalar(
        select(func.count(Event.id)).where(Event.meeting_id == meeting.id)
    )
    return int(lines or 0)
