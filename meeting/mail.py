"""Sending each recipient their copy of the minutes: by SMTP when set up, else to an outbox.

Every attempt is a Delivery row with its result, so a refusal or a dead mail server is
reported per person and can be tried again; the frozen version is never touched.
"""

import re
import smtplib
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path

from flask import current_app

from minutes import GROUPS, digest_of
from minutes.docx import to_docx

from . import circulation
from .extensions import db
from .models import Attendee, Delivery, MinutesVersion

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def outbox() -> Path:
    return Path(current_app.instance_path) / "outbox"


def using_smtp() -> bool:
    return bool(current_app.config["SMTP_HOST"])


def send(made: MinutesVersion, people: list[Attendee], link_for) -> list[Delivery]:
    """Send a version to each person with an email address; return the attempts."""
    copies: dict = {}
    attempts = []
    for person in people:
        email = circulation.email_of(person)
        if not email:
            continue
        group = circulation.group_of(person)
        if group not in copies:
            markdown, cut_for = circulation.copy_of(made, group)
            copies[group] = (markdown, cut_for, to_docx(markdown, _title(made)))
        markdown, cut_for, document = copies[group]
        delivery = Delivery(
            version=made,
            attendee=person,
            email=email,
            copy_group=cut_for,
            copy_digest=digest_of(markdown),
            result="pending",
        )
        db.session.add(delivery)
        message = _message(made, person, email, markdown, document, cut_for, link_for(person))
        attempts.append((delivery, message))
    db.session.flush()
    if using_smtp():
        _by_smtp(attempts)
    else:
        _to_outbox(made, attempts)
    return [delivery for delivery, _message in attempts]


def _title(made: MinutesVersion) -> str:
    meeting = made.record["meeting"]
    return f"Minutes, version {made.number}: {meeting['title']} ({meeting['starts_at'][:10]})"


def _message(made, person, email, markdown, document, cut_for, link) -> EmailMessage:
    meeting = made.meeting
    config = current_app.config
    message = EmailMessage()
    message["Subject"] = _title(made)
    sender = config["MAIL_FROM"] or meeting.chair.email
    message["From"] = formataddr((meeting.chair.name, sender))
    message["Reply-To"] = formataddr((meeting.chair.name, meeting.chair.email))
    message["To"] = formataddr((person.name, email))
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    edition = circulation.edition_of(made)
    lines = [
        f"Dear {person.name},",
        "",
        f'The minutes of the {meeting.kind_label.lower()} "{meeting.title}" held on '
        f"{meeting.starts_at:%A %-d %B %Y} are attached as a Word document and as text "
        f"(version {made.number}).",
    ]
    news = [c for c in edition.corrections if c.version == made.number and c.outcome == "accepted"]
    if news:
        names = ", ".join(dict.fromkeys(c.requested_by for c in news))
        lines += ["", f"Version {made.number} carries corrections from {names}."]
    if cut_for:
        lines += [
            "",
            f"This copy is for {GROUPS[cut_for]}: a part of the minutes was withheld from it.",
        ]
    closes = circulation.window_closes(meeting)
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


def _by_smtp(attempts: list[tuple[Delivery, EmailMessage]]) -> None:
    config = current_app.config
    where = f"{config['SMTP_HOST']}:{config['SMTP_PORT']}"
    server = None
    for delivery, message in attempts:
        try:
            if server is None:
                server = _connect()
            server.send_message(message, to_addrs=[delivery.email])
        except smtplib.SMTPRecipientsRefused as refused:
            code, reply = refused.recipients.get(delivery.email, (0, b""))
            delivery.result = "refused"
            delivery.detail = f"The mail server refused this address: {code} {_text(reply)}"
            continue
        except smtplib.SMTPResponseException as error:
            delivery.result = "failed"
            delivery.detail = (
                f"The mail server answered {error.smtp_code} {_text(error.smtp_error)}"
            )
            continue
        except (smtplib.SMTPException, OSError) as error:
            delivery.result = "failed"
            delivery.detail = f"Could not reach the mail server at {where}: {error}"
            server = None
            continue
        delivery.result = "sent"
        delivery.detail = f"Accepted by the mail server at {where}"
    if server is not None:
        try:
            server.quit()
        except (smtplib.SMTPException, OSError):
            pass


def _connect() -> smtplib.SMTP:
    config = current_app.config
    server = smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=config["SMTP_TIMEOUT"])
    if config["SMTP_STARTTLS"]:
        server.starttls()
    if config["SMTP_USERNAME"]:
        server.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
    return server


def _text(reply) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _to_outbox(made: MinutesVersion, attempts: list[tuple[Delivery, EmailMessage]]) -> None:
    folder = outbox()
    folder.mkdir(parents=True, exist_ok=True)
    for delivery, message in attempts:
        name = re.sub(r"[^a-z0-9]+", "-", delivery.attendee.name.lower()).strip("-") or "recipient"
        path = folder / f"meeting-{made.meeting_id}-v{made.number}-{delivery.id}-{name}.eml"
        try:
            path.write_bytes(message.as_bytes())
        except OSError as error:
            delivery.result = "failed"
            delivery.detail = f"Could not write {path}: {error}"
            continue
        delivery.result = "outbox"
        delivery.detail = f"Written to {path}"
