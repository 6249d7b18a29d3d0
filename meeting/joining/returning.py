"""Welcome back: a device that joined a meeting of a child's case is offered, at the case's
later meetings, one tap to ask to join as the person it joined as then.

The device keeps a random token (in a cookie the web layer sets). Each person who joins
from it keeps only the SHA-256 digest of the case and that token, so the token is never
stored, the digest opens nothing, and the same device's joins in two cases cannot be
matched with each other. A device with no token, or the token of another case, is offered
no one.
"""

import hashlib
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ..agenda.status import writable
from ..errors import Refused
from ..models import Attendee, AttendeeStatus, Meeting, Part, session_of
from . import people

# Every detail that says who someone is, copied from the earlier meeting: adding a field
# here is all it takes for a returning person to bring it with them.
IDENTITY = ("part", "name", "role", "agency", "email", "channel")
# The length of a token this server makes (`new_device_token`); anything longer is not one.
LONGEST_TOKEN = 64
NOT_OFFERED = (
    "This device cannot join as that person any more: they have already joined from it, "
    "or the chair turned them away. Fill in the form instead."
)


def new_device_token() -> str:
    """Return a fresh random token for a device's cookie."""
    return secrets.token_urlsafe(32)


def usable_token(raw: str | None) -> str | None:
    """Return a device token as its cookie sent it, or None if it cannot be one."""
    if not raw or len(raw) > LONGEST_TOKEN or not raw.isascii():
        return None
    return raw


def device_digest(case_id: int, token: str) -> str:
    """Return what is kept of a device in one case: the digest of the case and its token."""
    return hashlib.sha256(f"{case_id}:{token}".encode()).hexdigest()


def identity_of(attendee: Attendee) -> dict[str, Any]:
    """Return the details that say who someone is (`IDENTITY`), as the meeting had them."""
    return {name: getattr(attendee, name) for name in IDENTITY}


def said_as(attendee: Attendee) -> str:
    """Return who someone said they were, after their name: "Social worker, Children's
    social care", or for the family "Mum, Parent or carer"."""
    return ", ".join(dict.fromkeys(x for x in (attendee.role, attendee.shown_as) if x))


def _person(attendee: Attendee) -> str:
    # One person may come to several meetings of the case: the latest time counts.
    return " ".join(attendee.name.split()).casefold()


def offers(meeting: Meeting, token: str | None, since: datetime) -> list[Attendee]:
    """Return whom a device may join this meeting as: each person it joined another meeting
    of the case as (since `since`), as they were the latest time, newest first.

    Nobody the chair turned away that time (or who was never let in) is offered, nor
    anyone who has already asked to join this meeting from this device.
    """
    if meeting.case_id is None or token is None:
        return []
    digest = device_digest(meeting.case_id, token)
    earlier = session_of(meeting).scalars(
        select(Attendee)
        .join(Meeting, Attendee.meeting_id == Meeting.id)
        .where(
            Meeting.case_id == meeting.case_id,
            Meeting.id != meeting.id,
            Attendee.device_digest == digest,
            Attendee.joined_at >= since,
        )
        .order_by(Meeting.starts_at.desc(), Attendee.id.desc())
    )
    seen = {_person(a) for a in meeting.attendees if a.device_digest == digest}
    found = []
    for attendee in earlier:
        person = _person(attendee)
        if person in seen:
            continue
        seen.add(person)
        if attendee.status == AttendeeStatus.ADMITTED:
            found.append(attendee)
    return found


def join_as(meeting: Meeting, earlier: Attendee, device: str | None) -> Attendee:
    """Ask to join a meeting as someone came to an earlier meeting of its case: every detail
    they gave then (as the chair confirmed it) is copied, and the chair still admits them.
    """
    writable(meeting)
    if earlier.meeting.case_id != meeting.case_id or earlier.meeting_id == meeting.id:
        raise Refused(NOT_OFFERED)
    fields = identity_of(earlier)
    attendee = Attendee(**fields, observer=not Part(fields["part"]).rates)
    return people.waiting(meeting, attendee, device, earlier)
