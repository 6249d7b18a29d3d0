"""Joining a meeting: finding it by code, asking to join, and the chair's answer."""

from collections.abc import Mapping
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from ..agenda.meetings import JOIN_CODE_LENGTH
from ..agenda.status import writable
from ..changes import Fact
from ..errors import Invalid, Refused
from ..models import (
    AnySession,
    Attendee,
    AttendeeStatus,
    Channel,
    Meeting,
    Part,
    Rating,
    Round,
    session_of,
    utcnow,
    word_of,
)
from ..rating.rounds import track_of
from ..record.log import log

BAD_EMAIL = "Enter an email address, e.g. name@school.org.uk, or leave it blank."


def normalise_join_code(typed: str) -> str:
    """Turn what someone typed ("kxr 74t", "KXR74T") into the stored form."""
    raw = "".join(ch for ch in typed.upper() if ch.isalnum())
    return f"{raw[:3]}-{raw[3:]}" if len(raw) == JOIN_CODE_LENGTH else raw


def find_by_join_code(session: AnySession, typed: str) -> Meeting | None:
    """Return the meeting a typed join code names, if any."""
    code = normalise_join_code(typed)
    return session.scalar(select(Meeting).where(Meeting.join_code == code))


def plausible_email(email: str) -> bool:
    """Say whether an optional email address is blank or looks like one."""
    if not email:
        return True
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


# How each part is offered to someone joining, in words a parent understands.
JOINING_AS = {
    Part.PROFESSIONAL: "I work for an agency (e.g. social care, police, health, a school)",
    Part.PARENT: "I am the child's parent or carer",
    Part.FAMILY: "I am another member of the child's family",
    Part.YOUNG_PERSON: "I am the young person this meeting is about",
    Part.ADVOCATE: "I am the young person's advocate",
    Part.INTERPRETER: "I am interpreting",
    Part.OBSERVER: "I am observing and will not take part",
}
NO_PART = "Say how you are taking part, so the chair knows who you are in the meeting."
# Where someone joining on a device can be: paper is for those the chair adds, with none.
JOINING_FROM = {
    Channel.ROOM: "In the meeting room",
    Channel.VIDEO: "On a video call",
    Channel.PHONE: "On a phone line (calling in), with this device to rate on",
}


def parse_joiner(form: Mapping[str, str]) -> dict[str, Any]:
    """Check an attendee's part, name, role, agency and (optional) email; return them or
    raise Invalid. Only a professional must name an agency."""
    # One line each: a name, role or agency is a heading in the minutes and an email header.
    fields: dict[str, Any] = {
        k: " ".join(form.get(k, "").split())[:120] for k in ("name", "role", "agency")
    }
    fields["email"] = form.get("email", "").strip()[:254]
    part = word_of(Part, form.get("part"))
    channel = word_of(Channel, form.get("channel") or Channel.ROOM)
    errors = {}
    if part is None:
        errors["part"] = NO_PART
    if channel is None:
        errors["channel"] = "Say where you are: in the room, on video or on a phone line."
    if not fields["name"]:
        errors["name"] = "Enter your name, so the chair knows who is asking to join."
    if part == Part.PROFESSIONAL and not fields["agency"]:
        errors["agency"] = "Enter your agency, e.g. Police, School, Health."
    if not plausible_email(fields["email"]):
        errors["email"] = BAD_EMAIL
    if errors:
        raise Invalid(errors)
    assert part is not None and channel is not None
    fields["part"], fields["observer"] = part, not part.rates
    fields["channel"] = channel
    return fields


def join(
    meeting: Meeting,
    form: Mapping[str, str],
    device: str | None = None,
    previous: Attendee | None = None,
) -> Attendee:
    """Ask to join a meeting; the attendee waits until the chair admits them.

    `device` is the digest of the device they joined from (`returning.device_digest`);
    `previous`, who they were at an earlier meeting of the case, if they came as them.
    """
    writable(meeting)
    return waiting(meeting, Attendee(**parse_joiner(form)), device, previous)


def waiting(
    meeting: Meeting, attendee: Attendee, device: str | None, previous: Attendee | None
) -> Attendee:
    """Put someone who asked to join on the chair's waiting list, and log that they asked."""
    attendee.device_digest = device
    attendee.previous_attendee = previous
    meeting.attendees.append(attendee)
    session_of(meeting).flush()
    said = ", ".join(
        x
        for x in (attendee.part_label, attendee.role, attendee.agency, attendee.channel_label)
        if x
    )
    came = f", as at the meeting of {previous.meeting.starts_at:%-d %b %Y}" if previous else ""
    log(meeting, attendee.name, f"asked to join ({said}){came}", changed=Fact.WAITING)
    return attendee


def admit(attendee: Attendee) -> None:
    """Let a waiting (or turned-away) attendee into the meeting."""
    writable(attendee.meeting)
    attendee.status = AttendeeStatus.ADMITTED
    attendee.admitted_at = utcnow()
    log(
        attendee.meeting,
        attendee.meeting.chair.name,
        f"admitted {attendee.name}",
        changed=Fact.ROLL,
    )


def turn_away(attendee: Attendee) -> None:
    """Refuse an attendee entry, or remove them from the meeting."""
    writable(attendee.meeting)
    if attendee.is_chair:
        raise Refused("The chair cannot be removed from their own meeting.")
    attendee.status = AttendeeStatus.TURNED_AWAY
    log(
        attendee.meeting,
        attendee.meeting.chair.name,
        f"turned away {attendee.name}",
        changed=Fact.ROLL,
    )


def set_part(attendee: Attendee, typed: str | None) -> None:
    """Confirm or change who someone is in the meeting (the chair's word is final).

    A part that does not rate makes them an observer. Their ratings in a round not yet
    revealed move to the track of their new part; a revealed round never changes.
    """
    writable(attendee.meeting)
    part = word_of(Part, typed)
    if part is None:
        raise Invalid({"part": "Choose who this person is in the meeting."})
    if attendee.is_chair and part != Part.PROFESSIONAL:
        raise Refused("The chair takes part as a professional.")
    if part == attendee.part:
        return
    was = attendee.part_label
    attendee.part = part
    if not part.rates:
        attendee.observer = True
    for rating in session_of(attendee).scalars(
        select(Rating)
        .join(Round)
        .where(Rating.attendee_id == attendee.id, Round.revealed_at.is_(None))
    ):
        rating.track = track_of(attendee)
    log(
        attendee.meeting,
        attendee.meeting.chair.name,
        f"recorded {attendee.name} as: {part.label}",
        f"Was: {was}",
        changed=Fact.ROLL,
        own=attendee,
    )


def set_channel(attendee: Attendee, typed: str | None) -> None:
    """Confirm or change how someone takes part: in the room, on video, on a phone line or
    on paper (the chair then enters their rating for them)."""
    writable(attendee.meeting)
    channel = word_of(Channel, typed)
    if channel is None:
        raise Invalid({"channel": "Choose how this person takes part."})
    if channel == attendee.channel:
        return
    was = attendee.channel_label
    attendee.channel = channel
    log(
        attendee.meeting,
        attendee.meeting.chair.name,
        f"recorded that {attendee.name} takes part: {channel.label}",
        f"Was: {was}",
        changed=Fact.ROLL,
    )


def set_observer(attendee: Attendee, observer: bool) -> None:
    """Mark someone as an observer who does not rate, or as a rater again."""
    writable(attendee.meeting)
    attendee.observer = observer
    what = "an observer" if observer else "a rater"
    log(
        attendee.meeting,
        attendee.meeting.chair.name,
        f"made {attendee.name} {what}",
        changed=Fact.ROLL,
        own=attendee,
    )
