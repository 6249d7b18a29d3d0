"""Joining a meeting: finding it by code, asking to join, and the chair's answer."""

from collections.abc import Mapping

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from ..agenda.meetings import JOIN_CODE_LENGTH
from ..agenda.status import writable
from ..changes import Fact
from ..errors import Invalid, Refused
from ..models import AnySession, Attendee, AttendeeStatus, Meeting, session_of, utcnow
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


def parse_joiner(form: Mapping[str, str]) -> dict[str, str]:
    """Check an attendee's name, role, agency and (optional) email; return them or raise Invalid."""
    # One line each: a name, role or agency is a heading in the minutes and an email header.
    fields = {k: " ".join(form.get(k, "").split())[:120] for k in ("name", "role", "agency")}
    fields["email"] = form.get("email", "").strip()[:254]
    errors = {}
    if not fields["name"]:
        errors["name"] = "Enter your name, so the chair knows who is asking to join."
    if not fields["agency"]:
        errors["agency"] = "Enter your agency, e.g. Police, School, Health."
    if not plausible_email(fields["email"]):
        errors["email"] = BAD_EMAIL
    if errors:
        raise Invalid(errors)
    return fields


def join(meeting: Meeting, form: Mapping[str, str]) -> Attendee:
    """Ask to join a meeting; the attendee waits until the chair admits them."""
    writable(meeting)
    attendee = Attendee(**parse_joiner(form))
    meeting.attendees.append(attendee)
    session_of(meeting).flush()
    log(
        meeting,
        attendee.name,
        f"asked to join ({attendee.role}, {attendee.agency})",
        changed=Fact.WAITING,
    )
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
