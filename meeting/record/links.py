"""The secrets in links people open: one that stopped working is known by its digest, and
every opening of one is noted, so the chair can see who opened what, and when.

Neither keeps the secret itself: an ended link is kept as the SHA-256 digest of its secret
(enough to say why it no longer works, useless to open anything), and an opening says
whose link it was and what it opened.
"""

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from ..models import (
    AnySession,
    Attendee,
    EndedLink,
    LinkEnd,
    LinkOpening,
    Meeting,
    session_of,
    utcnow,
)

# What the display link opens, as the chair reads it.
THE_DISPLAY = "the display"


def new_secret() -> str:
    """Return a fresh secret for a link (display or reader)."""
    return secrets.token_urlsafe(24)


def digest(secret: str) -> str:
    """Return the SHA-256 digest a link that stopped working is kept as."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def end(
    meeting: Meeting,
    attendee: Attendee | None,
    secret: str,
    why: LinkEnd = LinkEnd.WITHDRAWN,
    at: datetime | None = None,
) -> EndedLink:
    """Remember that a link stopped working (`attendee` None: the display link), by its digest."""
    ended = EndedLink(
        meeting_id=meeting.id,
        attendee_id=attendee.id if attendee else None,
        digest=digest(secret),
        why=why,
        ended_at=at or utcnow(),
    )
    session_of(meeting).add(ended)
    return ended


def ended(session: AnySession, secret: str) -> EndedLink | None:
    """Return the link this secret was, if it stopped working."""
    if not secret:
        return None
    return session.scalar(select(EndedLink).where(EndedLink.digest == digest(secret)))


def last_withdrawn(meeting: Meeting) -> dict[int, datetime]:
    """Return when the chair last withdrew each recipient's link to the minutes, by attendee."""
    rows = session_of(meeting).execute(
        select(EndedLink.attendee_id, func.max(EndedLink.ended_at))
        .where(
            EndedLink.meeting_id == meeting.id,
            EndedLink.attendee_id.is_not(None),
            EndedLink.why == LinkEnd.WITHDRAWN,
        )
        .group_by(EndedLink.attendee_id)
    )
    return {attendee_id: at for attendee_id, at in rows if attendee_id is not None}


def note_opening(meeting: Meeting, attendee: Attendee | None, what: str) -> None:
    """Note that a link was opened: a recipient's (`attendee`), or the display's (None)."""
    session_of(meeting).add(
        LinkOpening(
            meeting_id=meeting.id,
            attendee_id=attendee.id if attendee else None,
            what=what[:80],
            opened_at=utcnow(),
        )
    )


@dataclass
class Opened:
    """How one link was used: how often, first and last, and what it opened (in that order)."""

    count: int = 0
    first: datetime | None = None
    last: datetime | None = None
    what: list[str] = field(default_factory=list)


def openings(meeting: Meeting) -> dict[int | None, Opened]:
    """Return how each link of a meeting was used, by attendee id (None: the display link)."""
    rows = session_of(meeting).execute(
        select(
            LinkOpening.attendee_id,
            LinkOpening.what,
            func.count(LinkOpening.id),
            func.min(LinkOpening.opened_at),
            func.max(LinkOpening.opened_at),
        )
        .where(LinkOpening.meeting_id == meeting.id)
        .group_by(LinkOpening.attendee_id, LinkOpening.what)
        .order_by(func.min(LinkOpening.opened_at))
    )
    found: dict[int | None, Opened] = {}
    for whose, what, count, first, last in rows:
        opened = found.setdefault(whose, Opened())
        opened.count += count
        opened.first = first if opened.first is None else min(opened.first, first)
        opened.last = last if opened.last is None else max(opened.last, last)
        opened.what.append(what)
    return found
