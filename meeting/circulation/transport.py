"""How an email leaves this deployment: handed to its mail server, or written to the outbox.

Each way takes one delivery's email at a time and says what became of it, in the words
the chair's list of deliveries shows; `mail` keeps the record of every attempt.
"""

import re
import smtplib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import TypeVar

from ..models import Delivery, DeliveryResult, Invitation, LetterDelivery, utcnow

# What became of one email, and why, in words.
Outcome = tuple[DeliveryResult, str]


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
        """Return whether mail goes to an SMTP server rather than the outbox folder."""
        return bool(self.host)

    @property
    def lost_after(self) -> timedelta:
        """Return how long one attempt can take; a pending one not taken up for longer was lost."""
        # An attempt is about ten exchanges with the server (connect, greeting, EHLO,
        # STARTTLS, login, MAIL, RCPT, DATA, the message), each allowed `timeout`.
        return timedelta(seconds=10 * self.timeout + 60)


class Unreachable(Exception):
    """The mail server could not be reached, or would not take mail: the message says which."""


class MailServer:
    """The deployment's SMTP server: connected to when first needed, and again after a drop."""

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings
        self.where = f"{settings.host}:{settings.port}"
        self._server: smtplib.SMTP | None = None

    def __enter__(self) -> "MailServer":
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._server is not None:
            try:
                self._server.quit()
            except (smtplib.SMTPException, OSError):
                self._server.close()

    def send(self, delivery: Delivery, message: EmailMessage) -> Outcome:
        """Hand one email to the server for its one address; raise Unreachable if it cannot be."""
        return self.send_to(delivery.email, "", message)

    def send_to(self, email: str, _name: str, message: EmailMessage) -> Outcome:
        """Hand one email to the server for one address; raise Unreachable if it cannot be."""
        if self._server is None:
            try:
                self._server = _connect(self.settings)
            except (smtplib.SMTPException, OSError) as error:
                raise Unreachable(_unreachable(error, self.where, self.settings)) from error
        try:
            self._server.send_message(message, to_addrs=[email])
        except smtplib.SMTPRecipientsRefused as refused:
            code, reply = refused.recipients.get(email, (0, b""))
            return (
                DeliveryResult.REFUSED,
                f"The mail server refused this address: {code} {_text(reply)}",
            )
        except smtplib.SMTPResponseException as error:
            return (
                DeliveryResult.FAILED,
                f"The mail server answered {error.smtp_code} {_text(error.smtp_error)}",
            )
        except (smtplib.SMTPException, OSError) as error:
            self._server.close()
            self._server = None
            return (
                DeliveryResult.FAILED,
                f"The connection to the mail server at {self.where} was lost while sending: "
                f"{_why(error, self.settings)}",
            )
        return DeliveryResult.SENT, f"Accepted by the mail server at {self.where}"


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


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


class Outbox:
    """The folder each email is written to as an .eml file when no mail server is set up."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __enter__(self) -> "Outbox":
        self.folder.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *_exc: object) -> None:
        pass

    def send(self, delivery: Delivery, message: EmailMessage) -> Outcome:
        """Write one email to the folder, named for its meeting, version and recipient."""
        made = delivery.version
        name = (
            f"{_prefix(made.meeting_id)}{made.number}-{delivery.id}-{slug(delivery.attendee.name)}"
        )
        return self.send_to(delivery.email, name, message)

    def send_to(self, _email: str, name: str, message: EmailMessage) -> Outcome:
        """Write one email to the folder as `name`.eml."""
        path = self.folder / f"{name}.eml"
        try:
            path.write_bytes(message.as_bytes())
        except OSError as error:
            return DeliveryResult.FAILED, f"Could not write {path}: {error}"
        return DeliveryResult.OUTBOX, f"Written to {path}"


def slug(name: str) -> str:
    """Return a person's name as it can stand in a file name."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "recipient"


def _prefix(meeting_id: int) -> str:
    return f"meeting-{meeting_id}-v"


def outbox_copies(folder: Path, meeting_id: int) -> list[Path]:
    """Return the emails written to the outbox for one meeting (its minutes, to each person,
    its letters to the young person, and its invitations)."""
    minutes = folder.glob(f"{_prefix(meeting_id)}*.eml")
    letters = folder.glob(f"{letter_prefix(meeting_id)}*.eml")
    return sorted([*minutes, *letters, *folder.glob(f"{invitation_prefix(meeting_id)}*.eml")])


def letter_prefix(meeting_id: int) -> str:
    """Return how the outbox names begin of a meeting's letters to the young person."""
    return f"letter-{meeting_id}-v"


def invitation_prefix(meeting_id: int) -> str:
    """Return how the outbox names begin of the invitations to a meeting."""
    return f"invitation-{meeting_id}-"


# An attempt at one email that keeps its own result: a letter's, or an invitation's.
Attempted = TypeVar("Attempted", LetterDelivery, Invitation)


def send_each(
    attempts: Sequence[Attempted],
    settings: MailSettings,
    write: Callable[[Attempted], EmailMessage],
    named: Callable[[Attempted], str],
    save: Callable[[], None],
) -> None:
    """Send one email per attempt, through the mail server or into the outbox (as `named`),
    saving what became of each before the next. One that cannot be written fails alone; a
    mail server that cannot be reached fails it and every one after it."""
    way = MailServer(settings) if settings.using_smtp else Outbox(settings.outbox)
    with way:
        for index, attempt in enumerate(attempts):
            attempt.attempted_at = utcnow()
            try:
                message = write(attempt)
            except (ValueError, TypeError) as error:
                attempt.result = DeliveryResult.FAILED
                attempt.detail = f"This email could not be written: {error}"
                save()
                continue
            try:
                attempt.result, attempt.detail = way.send_to(attempt.email, named(attempt), message)
            except Unreachable as unreachable:
                for rest in attempts[index:]:
                    rest.result, rest.detail = DeliveryResult.FAILED, str(unreachable)
                save()
                return
            save()
