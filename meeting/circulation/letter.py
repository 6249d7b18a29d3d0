"""The email that carries the minutes to one person: a covering letter and two attachments.

Each copy group's copy of a version (the Markdown, and the Word document made from it) is
made once and attached to the letter of everyone in that group; the letter says which
version it is, what corrections it carries, what was withheld from this copy, where to
read it online and until when corrections can be asked for.
"""

from datetime import date
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from minutes import GROUPS, digest_of
from minutes.docx import to_docx

from ..models import Attendee, CorrectionStatus, MinutesVersion
from ..policy import Policy
from .versions import copy_of, edition_of, running_header

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# A group's copy of a version: its Markdown, its Word document, and the group it was cut
# for (None: the whole minutes).
Copy = tuple[str, bytes, str | None]


def title(made: MinutesVersion) -> str:
    """Return the letter's subject, which is also the Word document's title."""
    meeting = made.record["meeting"]
    return f"Minutes, version {made.number}: {meeting['title']} ({meeting['starts_at'][:10]})"


def copy_for(made: MinutesVersion, group: str | None, policy: Policy) -> Copy:
    """Make a group's copy of a version, in Markdown and as a Word document."""
    markdown, cut_for = copy_of(made, group)
    running = running_header(made.meeting, made.number, policy)
    return markdown, to_docx(markdown, title(made), running), cut_for


def letter(
    made: MinutesVersion,
    person: Attendee,
    email: str,
    copy: Copy,
    link: str,
    closes: date | None,
    sender: str,
) -> EmailMessage:
    """Write one person's email of a version, with their group's copy attached."""
    # From the chair, or from `sender` when the deployment sends as one address.
    markdown, document, cut_for = copy
    meeting = made.meeting
    message = EmailMessage()
    message["Subject"] = title(made)
    sender = sender or meeting.chair.email
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
