"""Sending each recipient their copy of the minutes: by SMTP when set up, else to an outbox.

Every attempt is a Delivery row with its result, so a refusal or a dead mail server is
reported per person and can be tried again; the frozen version is never touched. The
rows are queued as pending in the chair's request and sent afterwards, one batch at a
time, outside any request: a slow mail server never holds up a page.
"""

import re
import smtplib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING

from minutes import GROUPS, digest_of
from minutes.docx import to_docx

from ..models import (
    Attendee,
    CopyGroup,
    CorrectionStatus,
    Delivery,
    DeliveryResult,
    MinutesVersion,
    session_of,
    utcnow,
    word_of,
)
from .corrections import window_closes
from .recipients import email_of, group_of, log_sending
from .versions import copy_of, edition_of, running_header

if TYPE_CHECKING:
    from ..policy import Policy

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Called after each step of sending, so other requests see it at once (a commit).
Save = Callable[[], None]
Attempt = tuple[Delivery, EmailMessage]


@dataclass(frozen=True)
class MailSettings:
    """How mail leaves this deployment: an SMTP server, or (with no host) an outbox folder."""

    outbox: Path
    host: str = ""
    port: int = 587
    username: str = ""
    password: str = ""
    starttls: bool = True
    timeout: float = 20
    sender: str = ""

    @property
    def using_smtp(self) -> bool:
        return bool(self.host)

    @property
    def lost_after(self) -> timedelta:
        """Return how long one attempt can take; a pending one not taken up for longer was lost."""
        # An attempt is about ten exchanges with the server (connect, greeting, EHLO,
        # STARTTLS, login, MAIL, RCPT, DATA, the message), each allowed `timeout`.
        return timedelta(seconds=10 * self.timeout + 60)


def queue(made: MinutesVersion, people: list[Attendee], policy: "Policy") -> list[Delivery]:
    """Add a pending delivery of a version for each person with an email address."""
    copies: dict[CopyGroup, tuple[str, str | None]] = {}
    queued = []
    session = session_of(made)
    for person in people:
        email = email_of(person)
        if not email:
            continue
        group = group_of(person, policy)
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
    policy: "Policy",
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
    if settings.using_smtp:
        _by_smtp(attempts, settings, save)
    else:
        _to_outbox(made, attempts, settings.outbox, save)
    log_sending(made, queued)


def _messages(
    made: MinutesVersion,
    queued: list[Delivery],
    links: Mapping[int, str],
    settings: MailSettings,
    policy: "Policy",
) -> list[Attempt]:
    """Write each queued delivery's email, making each group's copy and document once."""
    copies: dict[CopyGroup | None, tuple[str, bytes, str | None]] = {}
    closes = window_closes(made.meeting, policy)
    attempts = []
    for delivery in queued:
        group = delivery.copy_group
        if group not in copies:
            markdown, cut_for = copy_of(made, group)
            running = running_header(made.meeting, made.number, policy)
            copies[group] = (markdown, to_docx(markdown, _title(made), running), cut_for)
        try:
            message = _message(
                made,
                delivery.attendee,
                delivery.email,
                copies[group],
                links[delivery.id],
                closes,
                settings,
            )
        except (ValueError, TypeError) as error:
            # One person's details cannot stop everyone else's copy: this one fails alone.
            delivery.result = DeliveryResult.FAILED
            delivery.detail = f"This email could not be written: {error}"
            continue
        attempts.append((delivery, message))
    return attempts


def _taken_up(attempts: list[Attempt], save: Save) -> None:
    """Note that the sender is at work on these deliveries, so none of them counts as lost."""
    now = utcnow()
    for delivery, _message in attempts:
        delivery.attempted_at = now
    save()


def _title(made: MinutesVersion) -> str:
    meeting = made.record["meeting"]
    return f"Minutes, version {made.number}: {meeting['title']} ({meeting['starts_at'][:10]})"


def _message(
    made: MinutesVersion,
    person: Attendee,
    email: str,
    copy: tuple[str, bytes, str | None],
    link: str,
    closes: date | None,
    settings: MailSettings,
) -> EmailMessage:
    markdown, document, cut_for = copy
    meeting = made.meeting
    message = EmailMessage()
    message["Subject"] = _title(made)
    sender = settings.sender or meeting.chair.email
    message["From"] = formataddr((meeting.chair.name, sender))
    message["Reply-To"] = formataddr((meeting.chair.name, meeting.chair.email))
    message["To"] = formataddr((person.name, email))
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    edition = edition_of(made)
    lines = [
        f"Dear {person.name},",
        "",
        f'The minutes of the {meeting.kind_label.lower()} "{meeting.title}" held on '
        f"{meeting.starts_at:%A %-d %B %Y} are attached as a Word document and as text "
        f"(version {made.number}).",
    ]
    news = [
        c
        for c in edition.corrections
        if c.version == made.number and c.outcome == CorrectionStatus.ACCEPTED
    ]
    if news:
        names = ", ".join(dict.fromkeys(c.requested_by for c in news))
        lines += ["", f"Version {made.number} carries corrections from {names}."]
    if cut_for:
        lines += [
            "",
            f"This copy is for {GROUPS[cut_for]}: a part of the minutes was withheld from it.",
        ]
    lines += [
        "",
        "Read them online, and ask the chair for a correction, at:",
        link,
        "",
        f"Corrections can be asked for until {closes:%A %-d %B %Y}." if closes else "",
        f"SHA-256 digest of this copy: {digest_of(markdown)}",
        "",
        meeting.chair.name,
        f"Chair, {meeting.chair.agency}" if meeting.chair.agency else "Chair",
    ]
    message.set_content("\n".join(lines) + "\n")
    stem = f"minutes-{meeting.id}-v{made.number}"
    message.add_attachment(
        document,
        maintype=DOCX.split("/")[0],
        subtype=DOCX.split("/")[1],
        filename=f"{stem}.docx",
    )
    message.add_attachment(markdown, subtype="markdown", charset="utf-8", filename=f"{stem}.md")
    return message


def _by_smtp(attempts: list[Attempt], settings: MailSettings, save: Save) -> None:
    where = f"{settings.host}:{settings.port}"
    server = None
    for index, (delivery, message) in enumerate(attempts):
        _taken_up(attempts[index:], save)
        if server is None:
            try:
                server = _connect(settings)
            except (smtplib.SMTPException, OSError) as error:
                # A server that cannot be reached now will not be reached for the next
                # person either: one wait for it is enough, not one per recipient.
                _fail(attempts[index:], _unreachable(error, where, settings), save)
                return
        try:
            server.send_message(message, to_addrs=[delivery.email])
        except smtplib.SMTPRecipientsRefused as refused:
            code, reply = refused.recipients.get(delivery.email, (0, b""))
            delivery.result = DeliveryResult.REFUSED
            delivery.detail = f"The mail server refused this address: {code} {_text(reply)}"
        except smtplib.SMTPResponseException as error:
            delivery.result = DeliveryResult.FAILED
            delivery.detail = (
                f"The mail server answered {error.smtp_code} {_text(error.smtp_error)}"
            )
        except (smtplib.SMTPException, OSError) as error:
            delivery.result = DeliveryResult.FAILED
            delivery.detail = (
                f"The connection to the mail server at {where} was lost while sending: "
                f"{_why(error, settings)}"
            )
            server.close()
            server = None
        else:
            delivery.result = DeliveryResult.SENT
            delivery.detail = f"Accepted by the mail server at {where}"
        save()
    if server is not None:
        try:
            server.quit()
        except (smtplib.SMTPException, OSError):
            server.close()


def _connect(settings: MailSettings) -> smtplib.SMTP:
    server = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        if settings.starttls:
            server.starttls()
        if settings.username:
            server.login(settings.username, settings.password)
    except BaseException:
        server.close()
        raise
    return server


def _unreachable(error: Exception, where: str, settings: MailSettings) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        return (
            f"The mail server at {where} would not take mail: it answered "
            f"{error.smtp_code} {_text(error.smtp_error)}"
        )
    return f"Could not reach the mail server at {where}: {_why(error, settings)}"


def _why(error: Exception, settings: MailSettings) -> str:
    # smtplib reports a server that says nothing as "Connection unexpectedly closed".
    if isinstance(error, TimeoutError) or isinstance(error.__context__, TimeoutError):
        return f"it did not answer within {settings.timeout:g} s"
    return str(error)


def _fail(attempts: list[Attempt], detail: str, save: Save) -> None:
    for delivery, _message in attempts:
        delivery.result = DeliveryResult.FAILED
        delivery.detail = detail
    save()


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _to_outbox(made: MinutesVersion, attempts: list[Attempt], folder: Path, save: Save) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for index, (delivery, message) in enumerate(attempts):
        _taken_up(attempts[index:], save)
        name = re.sub(r"[^a-z0-9]+", "-", delivery.attendee.name.lower()).strip("-") or "recipient"
        path = folder / f"{_outbox_prefix(made.meeting_id)}{made.number}-{delivery.id}-{name}.eml"
        try:
            path.write_bytes(message.as_bytes())
        except OSError as error:
            delivery.result = DeliveryResult.FAILED
            delivery.detail = f"Could not write {path}: {error}"
        else:
            delivery.result = DeliveryResult.OUTBOX
            delivery.detail = f"Written to {path}"
        save()


def _outbox_prefix(meeting_id: int) -> str:
    return f"meeting-{meeting_id}-v"


def outbox_copies(folder: Path, meeting_id: int) -> list[Path]:
    """Return the emails written to the outbox for one meeting (its minutes, to each person)."""
    return sorted(folder.glob(f"{_outbox_prefix(meeting_id)}*.eml"))
