"""Sending each recipient their copy of the minutes, and the record of every attempt.

Every attempt is a Delivery row with its result, so a refusal or a dead mail server is
reported per person and can be tried again; the frozen version is never touched. The
rows are queued as pending in the chair's request and sent afterwards, one batch at a
time, outside any request: a slow mail server never holds up a page. What each email
says is `letter`'s; how it leaves, by SMTP or to the outbox folder, is `transport`'s.
"""

from collections.abc import Callable, Mapping
from email.message import EmailMessage

from minutes import digest_of

from ..models import (
    Attendee,
    CopyGroup,
    Delivery,
    DeliveryResult,
    MinutesVersion,
    session_of,
    utcnow,
    word_of,
)
from ..policy import Policy
from .corrections import window_closes
from .letter import Copy, copy_for, letter
from .recipients import email_of, group_of, log_sending
from .transport import MailServer, MailSettings, Outbox, Unreachable
from .versions import copy_of

# Called after each step of sending, so other requests see it at once (a commit).
Save = Callable[[], None]
Attempt = tuple[Delivery, EmailMessage]


def queue(made: MinutesVersion, people: list[Attendee], policy: Policy) -> list[Delivery]:
    """Add a pending delivery of a version for each person with an email address."""
    copies: dict[CopyGroup, tuple[str, str | None]] = {}
    queued = []
    session = session_of(made)
    for person in people:
        email = email_of(person)
        if not email:
            continue
        group = group_of(person)
        if group not in copies:
            copies[group] = copy_of(made, group)
        markdown, cut_for = copies[group]
        delivery = Delivery(
            version=made,
            attendee=person,
            email=email,
            copy_group=word_of(CopyGroup, cut_for),
            copy_digest=digest_of(markdown),
            result=DeliveryResult.PENDING,
        )
        session.add(delivery)
        queued.append(delivery)
    session.flush()
    return queued


def deliver(
    queued: list[Delivery],
    links: Mapping[int, str],
    settings: MailSettings,
    policy: Policy,
    save: Save,
) -> None:
    """Send queued deliveries of one version, saving each result as it comes; log the batch.

    `links` holds each delivery's link to the recipient's copy online, by delivery id.
    """
    if not queued:
        return
    made = queued[0].version
    attempts = _messages(made, queued, links, settings, policy)
    if len(attempts) < len(queued):
        save()
    way = MailServer(settings) if settings.using_smtp else Outbox(settings.outbox)
    with way:
        _send(attempts, way, save)
    log_sending(made, queued)


def _messages(
    made: MinutesVersion,
    queued: list[Delivery],
    links: Mapping[int, str],
    settings: MailSettings,
    policy: Policy,
) -> list[Attempt]:
    """Write each queued delivery's email, making each group's copy and document once."""
    copies: dict[CopyGroup | None, Copy] = {}
    closes = window_closes(made.meeting, policy)
    attempts = []
    for delivery in queued:
        group = delivery.copy_group
        if group not in copies:
            copies[group] = copy_for(made, group, policy)
        try:
            message = letter(
                made,
                delivery.attendee,
                delivery.email,
                copies[group],
                links[delivery.id],
                closes,
                settings.sender,
            )
        except (ValueError, TypeError) as error:
            # One person's details cannot stop everyone else's copy: this one fails alone.
            delivery.result = DeliveryResult.FAILED
            delivery.detail = f"This email could not be written: {error}"
            continue
        attempts.append((delivery, message))
    return attempts


def _send(attempts: list[Attempt], way: MailServer | Outbox, save: Save) -> None:
    """Hand each email to the way out, saving what became of it before the next."""
    for index, (delivery, message) in enumerate(attempts):
        _taken_up(attempts[index:], save)
        try:
            delivery.result, delivery.detail = way.send(delivery, message)
        except Unreachable as unreachable:
            # A server that cannot be reached now will not be reached for the next
            # person either: one wait for it is enough, not one per recipient.
            _fail(attempts[index:], str(unreachable), save)
            return
        save()


def _taken_up(attempts: list[Attempt], save: Save) -> None:
    """Note that the sender is at work on these deliveries, so none of them counts as lost."""
    now = utcnow()
    for delivery, _message in attempts:
        delivery.attempted_at = now
    save()


def _fail(attempts: list[Attempt], detail: str, save: Save) -> None:
    for delivery, _message in attempts:
        delivery.result = DeliveryResult.FAILED
        delivery.detail = detail
    save()
