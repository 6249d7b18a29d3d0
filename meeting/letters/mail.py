"""Sending a version of the letter to the young person or their advocate, and keeping the result.

The email is the letter itself (as plain text and as HTML), with a Word copy attached to
print. It leaves the way the minutes do (`circulation.transport`: the mail server, or the
outbox folder), outside any request, and every attempt's result is saved as it comes.
"""

from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from minutes import paper
from minutes.docx import to_docx
from minutes.html import to_html

from ..circulation.letter import DOCX
from ..circulation.transport import (
    MailSettings,
    letter_prefix,
    send_each,
    slug,
)
from ..models import LetterDelivery, LetterVersion, Meeting
from ..policy import Policy

Save = Callable[[], None]
TITLE = "A letter from your meeting"


def running_header(meeting: Meeting, made: LetterVersion | None, policy: Policy) -> str:
    """Return the header every printed page of the letter carries, as the minutes' pages do."""
    marking, held = policy.protective_marking, meeting.starts_at.date()
    header = paper.running_header(marking, meeting.child, held, None)
    # The minutes' header ends with their version; the letter's says which letter it is.
    header = header.rsplit(" · ", 1)[0]
    return f"{header} · " + (f"Letter, version {made.number}" if made else "Letter, draft")


def word_copy(made: LetterVersion, policy: Policy) -> bytes:
    """Return a version of the letter as a Word document, A4, with its running header."""
    return to_docx(made.markdown, TITLE, running_header(made.meeting, made, policy))


def email(made: LetterVersion, sender: str, policy: Policy) -> EmailMessage:
    """Write the email that carries one version of the letter to the person it went to."""
    meeting = made.meeting
    chair = meeting.chair
    message = EmailMessage()
    message["Subject"] = f"{TITLE} on {meeting.starts_at:%-d %B %Y}"
    sender = sender or chair.email
    message["From"] = formataddr((chair.name, sender))
    message["Reply-To"] = formataddr((chair.name, chair.email))
    message["To"] = formataddr((made.attendee.name, made.email))
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(made.markdown + "\n")
    message.add_alternative(
        f'<!doctype html><html lang="en"><body>{to_html(made.markdown)}</body></html>',
        subtype="html",
    )
    message.add_attachment(
        word_copy(made, policy),
        maintype=DOCX.split("/")[0],
        subtype=DOCX.split("/")[1],
        filename=f"letter-{meeting.id}-v{made.number}.docx",
    )
    return message


def deliver(
    attempts: list[LetterDelivery], settings: MailSettings, policy: Policy, save: Save
) -> None:
    """Send each pending attempt, saving what became of it before the next."""

    def named(attempt: LetterDelivery) -> str:
        made = attempt.version
        who = slug(attempt.attendee.name)
        return f"{letter_prefix(made.meeting_id)}{made.number}-{attempt.id}-{who}"

    send_each(
        attempts,
        settings,
        lambda attempt: email(attempt.version, settings.sender, policy),
        named,
        save,
    )
