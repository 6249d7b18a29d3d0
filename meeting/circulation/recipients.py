"""Who the minutes go to, which copy each person gets, and what came of sending it."""

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import select

from minutes import GROUPS

from ..changes import Fact
from ..errors import Invalid
from ..joining.people import BAD_EMAIL, plausible_email
from ..models import (
    AnySession,
    Attendee,
    CopyGroup,
    Delivery,
    DeliveryResult,
    Meeting,
    MinutesVersion,
    word_of,
)
from ..policy import Policy
from ..record.export import ATTENDED
from ..record.log import log
from ..record.seen import still_as_seen


def recipients(meeting: Meeting) -> list[Attendee]:
    """Return everyone who attended or sent apologies: the people the minutes go to."""
    return [a for a in meeting.attendees if a.status in ATTENDED]


def email_of(attendee: Attendee) -> str:
    """Return where someone's minutes go: their address, or the chair's account address."""
    if attendee.email:
        return attendee.email
    return attendee.meeting.chair.email if attendee.is_chair else ""


def group_of(attendee: Attendee) -> CopyGroup:
    """Return which copy someone gets: their set group, else the one for their part."""
    if attendee.copy_group is not None:
        return attendee.copy_group
    if attendee.family_side and not attendee.is_chair:
        return CopyGroup.FAMILY
    return CopyGroup.PROFESSIONALS


def reader(session: AnySession, token: str) -> Attendee | None:
    """Return the recipient a reader link belongs to, if any."""
    if not token:
        return None
    return session.scalar(select(Attendee).where(Attendee.reader_token == token))


def set_recipient(attendee: Attendee, form: Mapping[str, str], policy: Policy) -> None:
    """Change where someone's minutes go and which copy they get."""
    email = form.get("email", "").strip()[:254]
    typed = form.get("copy_group", "").strip()
    group = word_of(CopyGroup, typed) if typed else None
    if not plausible_email(email):
        raise Invalid({"email": BAD_EMAIL})
    if typed and group is None:
        raise Invalid({"copy_group": "Choose one of the copies listed."})
    still_as_seen(
        attendee,
        form.get("based_on"),
        lambda: attendee.recipient_shown,
        lambda: f"{attendee.email or 'no email'}, {GROUPS[group_of(attendee)]} copy",
    )
    before = (attendee.email, attendee.copy_group)
    attendee.email, attendee.copy_group = email, group
    if before != (email, group):
        log(
            attendee.meeting,
            attendee.meeting.chair.name,
            f"changed where {attendee.name}'s minutes go: {email or 'no email'}, "
            f"{GROUPS[group_of(attendee)]} copy",
            f"was {before[0] or 'no email'}, {before[1] or 'worked out'}",
            changed=Fact.RECORD,
        )


def latest_deliveries(made: MinutesVersion) -> dict[int, Delivery]:
    """Return each recipient's latest delivery attempt for a version."""
    last = {}
    for delivery in made.deliveries:
        last[delivery.attendee_id] = delivery
    return last


def undelivered(made: MinutesVersion) -> list[Delivery]:
    """Return the latest attempts for a version that have not delivered (or not yet)."""
    return [d for d in latest_deliveries(made).values() if not d.delivered]


# Where a pending attempt stands: still on its way, or lost when the sender stopped.
SENDING = "sending"
LOST = "lost"


def standing(delivery: Delivery, lost_after: timedelta, now: datetime) -> str:
    """Say where an attempt stands: its result, or for a pending one, sending or lost.

    The sender notes the time whenever it takes up a batch's next attempt; a pending
    attempt not taken up for longer than an attempt can take was lost (the server
    stopped while sending), so its result is not known.
    """
    if delivery.result != DeliveryResult.PENDING:
        return delivery.result
    return SENDING if now - delivery.attempted_at < lost_after else LOST


def sending(made: MinutesVersion, lost_after: timedelta, now: datetime) -> list[Delivery]:
    """Return the attempts for a version that are still on their way."""
    return [d for d in made.deliveries if standing(d, lost_after, now) == SENDING]


def send_again(made: MinutesVersion, lost_after: timedelta, now: datetime) -> list[Delivery]:
    """Return the latest attempts for a version that did not deliver and are not on their way."""
    return [d for d in undelivered(made) if standing(d, lost_after, now) != SENDING]


def _copy_name(group: str | None) -> str:
    return f"copy for {GROUPS[group]}" if group else "full minutes"


def log_sending(made: MinutesVersion, batch: list[Delivery]) -> None:
    """Write to the event log who was sent which copy of a version in one batch, and how it went."""
    sent = sum(1 for d in batch if d.delivered)
    meeting = made.meeting
    log(
        meeting,
        meeting.chair.name,
        f"sent version {made.number} of the minutes: {sent} of {len(batch)} delivered",
        "\n".join(
            f"{d.attendee.name} <{d.email}>, {_copy_name(d.copy_group)}: {d.result}. {d.detail}"
            for d in batch
        ),
        changed=Fact.RECORD,
    )
