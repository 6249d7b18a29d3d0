"""Inviting the last meeting's people to its review: an email each, with the meeting's date,
time, place and join code, and a personal link that opens the join page with their details
filled in and one tap to ask to join as them. The chair still admits them.

Each link's secret is made when its email is written and kept only as its digest: the email
holds the only copy. A link works for that review alone, until it closes. Inviting again
sends only to those not invited yet; the chair sends one person's again on purpose, with a
new link (the first one still works). Emails leave the way the minutes do
(`circulation.transport`), outside any request, and what came of each is kept.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from sqlalchemy import select

from ..agenda.status import writable
from ..changes import Fact
from ..circulation.transport import (
    MailSettings,
    invitation_prefix,
    send_each,
    slug,
)
from ..errors import Refused
from ..models import (
    AnySession,
    Attendee,
    AttendeeStatus,
    DeliveryResult,
    Invitation,
    Meeting,
    MeetingKind,
    session_of,
)
from ..record import links
from ..record.log import log
from ..record.seen import hold
from .returning import said_as

Save = Callable[[], None]
# Longer than any secret this server makes (`links.new_secret`): no link of ours.
LONGEST_SECRET = 64
NOT_A_REVIEW = "Only a review invites the last meeting's people: this meeting follows none."
ALL_INVITED = (
    "Everyone from the last meeting with an email address has been invited already, or has "
    "asked to join. To send someone's invitation again, use Send again beside their name."
)
NOT_INVITABLE = (
    "That person was not at the last meeting, or gave no email address, so there is "
    "nowhere to send their invitation."
)


def invitable(meeting: Meeting) -> list[Attendee]:
    """Return the people of the meeting a review follows: everyone the chair let in or who
    sent apologies, the chair apart (the family too: they came last time)."""
    earlier = meeting.previous
    if earlier is None:
        return []
    came = (AttendeeStatus.ADMITTED, AttendeeStatus.ABSENT)
    return [a for a in earlier.attendees if not a.is_chair and a.status in came]


def invitations_of(meeting: Meeting) -> list[Invitation]:
    """Return every invitation to a meeting, oldest first."""
    return list(
        session_of(meeting).scalars(
            select(Invitation).where(Invitation.meeting_id == meeting.id).order_by(Invitation.id)
        )
    )


@dataclass(frozen=True)
class Invited:
    """One person of the last meeting, their invitations to the review (oldest first), and
    whether they have already asked to join it as themselves (one tap, or their link)."""

    person: Attendee
    sent: list[Invitation]
    joined: bool

    @property
    def latest(self) -> Invitation | None:
        return self.sent[-1] if self.sent else None

    @property
    def said(self) -> str:
        return said_as(self.person)


def joined_as(meeting: Meeting) -> set[int]:
    """Return who of the last meeting has asked to join a review as themselves (their ids
    there), unless the chair turned them away."""
    return {
        a.previous_attendee_id
        for a in meeting.attendees
        if a.previous_attendee_id is not None and a.status != AttendeeStatus.TURNED_AWAY
    }


def standing(meeting: Meeting) -> list[Invited]:
    """Return each person of the last meeting with the invitations sent to them."""
    sent, joined = invitations_of(meeting), joined_as(meeting)
    return [
        Invited(p, [i for i in sent if i.attendee_id == p.id], p.id in joined)
        for p in invitable(meeting)
    ]


def invite(
    meeting: Meeting, by: str, again: Attendee | None = None
) -> list[tuple[Invitation, str]]:
    """Invite each person of the last meeting with an email address who is not invited yet
    and has not joined (or, `again`, that one person once more); return each invitation
    with its link's secret.

    The meeting's row is held first, so two windows sending at once invite each person once.
    """
    writable(meeting)
    if meeting.previous is None:
        raise Refused(NOT_A_REVIEW)
    hold(meeting)
    people = [p for p in invitable(meeting) if p.email]
    if again is not None:
        if again not in people:
            raise Refused(NOT_INVITABLE)
        people = [again]
    else:
        # Nor anyone who has already asked to join as themselves: they need no invitation.
        done = {i.attendee_id for i in invitations_of(meeting)} | joined_as(meeting)
        people = [p for p in people if p.id not in done]
        if not people:
            raise Refused(ALL_INVITED)
    made = []
    for person in people:
        secret = links.new_secret()
        invitation = Invitation(
            meeting=meeting,
            attendee=person,
            email=person.email,
            digest=links.digest(secret),
            invited_by=by[:200],
            result=DeliveryResult.PENDING,
        )
        session_of(meeting).add(invitation)
        made.append((invitation, secret))
    session_of(meeting).flush()
    names = ", ".join(p.name for p in people)
    if again is not None:
        said = f"sent {again.name}'s invitation again, with a new link"
    else:
        said = f"invited {len(people)} from the last meeting to this one"
    log(meeting, by, said, names if again is None else "", changed=Fact.RECORD)
    return made


def find(session: AnySession, secret: str) -> Invitation | None:
    """Return the invitation a link's secret belongs to, if any."""
    if not secret or len(secret) > LONGEST_SECRET:
        return None
    return session.scalar(select(Invitation).where(Invitation.digest == links.digest(secret)))


def email(invitation: Invitation, link: str, sender: str) -> EmailMessage:
    """Write one person's invitation: the meeting's date, time, place, join code, and their link."""
    meeting, person = invitation.meeting, invitation.attendee
    earlier, chair = person.meeting, meeting.chair
    message = EmailMessage()
    when = f"{meeting.starts_at:%A %-d %B %Y at %H:%M}"
    message["Subject"] = f"Invitation: {meeting.title}, {when}"
    sender = sender or chair.email
    message["From"] = formataddr((chair.name, sender))
    message["Reply-To"] = formataddr((chair.name, chair.email))
    message["To"] = formataddr((person.name, invitation.email))
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    said = said_as(person)
    kind = f" ({meeting.kind_label})" if meeting.kind != MeetingKind.OTHER else ""
    lines = [
        f"Dear {person.name},",
        "",
        f'You were at "{earlier.title}" on {earlier.starts_at:%A %-d %B %Y}. You are '
        "invited to the meeting that reviews it:",
        "",
        f"  What: {meeting.title}{kind}",
        f"  When: {when}",
        f"  Where: {meeting.place or 'the chair will say'}",
        f"  Join code: {meeting.join_code}",
        "",
        f"Your own link to join, as {person.name}" + (f" ({said})" if said else "") + ":",
        link,
        "",
        "It opens the join page with your details filled in: one tap asks to join, and the "
        "chair lets each person in. The link is yours alone and works for this meeting "
        "only, until it closes. Please do not pass it on: anyone else joins with the code.",
        "",
        chair.name,
        f"Chair, {chair.agency}" if chair.agency else "Chair",
    ]
    message.set_content("\n".join(lines) + "\n")
    return message


def deliver(
    invitations: list[Invitation],
    links_by_id: Mapping[int, str],
    settings: MailSettings,
    save: Save,
) -> None:
    """Send each pending invitation, saving what became of it before the next."""

    def named(invitation: Invitation) -> str:
        who = slug(invitation.attendee.name)
        return f"{invitation_prefix(invitation.meeting_id)}{invitation.id}-{who}"

    send_each(
        invitations,
        settings,
        lambda invitation: email(invitation, links_by_id[invitation.id], settings.sender),
        named,
        save,
    )
