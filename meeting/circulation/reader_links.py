"""Each recipient's link to their copy of the minutes: issued when it is sent, working for a
set number of days from then, and withdrawn by the chair if it went where it should not.

A link that stops working is replaced, never revived: the chair withdrawing it, or its
time running out, ends that secret for good (kept as a digest, so it can say why), and the
next copy sent to that person carries a new one.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..changes import Fact
from ..models import Attendee, LinkEnd
from ..record import links
from ..record.log import log
from ..record.seen import hold

# Where someone's link stands.
NONE = "none"  # not sent yet
LIVE = "live"
EXPIRED = "expired"
WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class ReaderLink:
    """Where one recipient's link stands, and the moments that say so."""

    state: str
    issued_at: datetime | None = None
    # When it stops (or stopped) working; None: it does not run out.
    expires_at: datetime | None = None
    withdrawn_at: datetime | None = None

    @property
    def works(self) -> bool:
        return self.state == LIVE


def expires_at(attendee: Attendee, days: int) -> datetime | None:
    """Return when someone's link runs out (None: never, when `days` is 0 or less)."""
    if attendee.reader_issued_at is None or days <= 0:
        return None
    return attendee.reader_issued_at + timedelta(days=days)


def link_of(
    attendee: Attendee, days: int, now: datetime, withdrawn_at: datetime | None = None
) -> ReaderLink:
    """Say where someone's link stands; `withdrawn_at`: when the chair last withdrew theirs."""
    if attendee.reader_token is None:
        if withdrawn_at is not None:
            return ReaderLink(WITHDRAWN, withdrawn_at=withdrawn_at)
        return ReaderLink(NONE)
    ends = expires_at(attendee, days)
    state = EXPIRED if ends is not None and now >= ends else LIVE
    return ReaderLink(state, attendee.reader_issued_at, ends)


def shown(attendee: Attendee) -> str:
    """Return a short mark of the link a page showed for someone, for a form to carry back.

    It is part of the secret's digest, so a page holding it opens nothing it did not.
    """
    return links.digest(attendee.reader_token)[:16] if attendee.reader_token else ""


def _issue(attendee: Attendee, now: datetime) -> None:
    attendee.reader_token = links.new_secret()
    attendee.reader_issued_at = now


def ready_to_send(attendee: Attendee, days: int, now: datetime, anew: bool) -> bool:
    """Give someone about to be sent the minutes a working link, counted from now.

    A link that works runs from now again; one whose time ran out is replaced (the old one
    keeps saying it expired). One the chair withdrew is replaced only when the chair sends
    to this person on purpose (`anew`); otherwise they are not sent anything (False).
    """
    meeting = attendee.meeting
    if attendee.reader_token is None:
        withdrawn = attendee.id in links.last_withdrawn(meeting)
        if withdrawn and not anew:
            return False
        _issue(attendee, now)
        if withdrawn:
            log(
                meeting,
                meeting.chair.name,
                f"gave {attendee.name} a new link to the minutes",
                changed=Fact.RECORD,
            )
        return True
    ends = expires_at(attendee, days)
    if ends is not None and now >= ends:
        links.end(meeting, attendee, attendee.reader_token, LinkEnd.EXPIRED, ends)
        _issue(attendee, now)
        log(
            meeting,
            meeting.chair.name,
            f"gave {attendee.name} a new link to the minutes",
            f"the last one expired {ends:%Y-%m-%d %H:%M} UTC",
            changed=Fact.RECORD,
        )
        return True
    attendee.reader_issued_at = now
    return True


def withdraw(attendee: Attendee, shown_mark: str | None) -> bool:
    """Stop someone's link to the minutes at once; False if it had already gone.

    `shown_mark` is the link the chair's page showed (`shown`): a link made since is a
    different one, and is left alone.
    """
    hold(attendee)
    if attendee.reader_token is None or (shown_mark and shown_mark != shown(attendee)):
        return False
    meeting = attendee.meeting
    links.end(meeting, attendee, attendee.reader_token)
    attendee.reader_token = None
    attendee.reader_issued_at = None
    log(
        meeting,
        meeting.chair.name,
        f"withdrew {attendee.name}'s link to the minutes",
        changed=Fact.RECORD,
    )
    return True
