"""Meetings and their agenda, attendees and lifecycle: the domain under the chair's views."""

import secrets
from datetime import datetime

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from . import scales
from .errors import Invalid, Refused
from .extensions import db
from .models import (
    ADMITTED,
    CLOSED,
    MEETING_KINDS,
    RUNNING,
    SETUP,
    TURNED_AWAY,
    Attendee,
    Chair,
    Event,
    Item,
    Meeting,
    SetupCode,
    utcnow,
)
from .rounds import reveal

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B, 6/G: nothing that is misread or misheard.
JOIN_ALPHABET = "ACDEFHJKMNPQRTUVWXY3479"
JOIN_CODE_LENGTH = 6


def new_join_code() -> str:
    """Return an unused join code, e.g. "KXR-74T"."""
    while True:
        raw = "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        code = f"{raw[:3]}-{raw[3:]}"
        if db.session.scalar(select(Meeting.id).where(Meeting.join_code == code)) is None:
            return code


def normalise_join_code(typed: str) -> str:
    """Turn what someone typed ("kxr 74t", "KXR74T") into the stored form."""
    raw = "".join(ch for ch in typed.upper() if ch.isalnum())
    return f"{raw[:3]}-{raw[3:]}" if len(raw) == JOIN_CODE_LENGTH else raw


def find_by_join_code(typed: str) -> Meeting | None:
    """Return the meeting a typed join code names, if any."""
    code = normalise_join_code(typed)
    return db.session.scalar(select(Meeting).where(Meeting.join_code == code))


def log(meeting: Meeting, actor: str, action: str, detail: str = "") -> None:
    """Append a line to the meeting's event log; `detail` keeps what a change replaced."""
    db.session.add(
        Event(meeting_id=meeting.id, actor=actor[:200], action=action[:300], detail=detail)
    )


# Chairs ------------------------------------------------------------------------------


def chair_count() -> int:
    """Return how many chair accounts exist."""
    return db.session.scalar(select(func.count(Chair.id))) or 0


def setup_code() -> str | None:
    """Return the one-time set-up code while no chair exists, creating it if needed."""
    if chair_count():
        return None
    row = db.session.scalar(select(SetupCode))
    if row is None:
        row = SetupCode(code=secrets.token_hex(4).upper())
        db.session.add(row)
        db.session.commit()
    return row.code


def validate_chair(name: str, email: str, password: str, confirm: str) -> dict[str, str]:
    """Return what is wrong with a new chair's details (empty when they are fine)."""
    errors = {}
    if not name.strip():
        errors["name"] = "Enter your name."
    if "@" not in email or len(email) > 254:
        errors["email"] = "Enter an email address, e.g. name@council.gov.uk."
    elif db.session.scalar(select(Chair.id).where(Chair.email == email.strip().lower())):
        errors["email"] = "A chair with this email address already exists."
    if len(password) < 10:
        errors["password"] = "Use a password of at least 10 characters."
    elif password != confirm:
        errors["confirm"] = "The two passwords differ."
    return errors


def create_chair(name: str, email: str, password: str, agency: str = "") -> Chair:
    """Create a chair account with a hashed password."""
    chair = Chair(
        name=name.strip(),
        email=email.strip().lower(),
        agency=agency.strip(),
        password_hash=generate_password_hash(password),
    )
    db.session.add(chair)
    return chair


def authenticate(email: str, password: str) -> Chair | None:
    """Return the chair these credentials belong to, or None."""
    chair = db.session.scalar(select(Chair).where(Chair.email == email.strip().lower()))
    if chair and check_password_hash(chair.password_hash, password):
        return chair
    return None


# Meetings ----------------------------------------------------------------------------


def parse_meeting(form: dict[str, str]) -> dict:
    """Check a meeting's details form; return clean fields or raise Invalid."""
    errors, fields = {}, {}
    fields["title"] = form.get("title", "").strip()
    if not fields["title"]:
        errors["title"] = "Give the meeting a title."
    fields["kind"] = form.get("kind", "")
    if fields["kind"] not in MEETING_KINDS:
        errors["kind"] = "Choose the kind of meeting."
    fields["child"] = form.get("child", "").strip()
    if not fields["child"]:
        errors["child"] = "Enter the child's name or initials."
    fields["place"] = form.get("place", "").strip()
    try:
        fields["starts_at"] = datetime.fromisoformat(form.get("starts_at", "").strip())
    except ValueError:
        errors["starts_at"] = "Enter the date and time the meeting starts."
    if errors:
        raise Invalid(errors)
    return fields


def create_meeting(chair: Chair, form: dict[str, str]) -> Meeting:
    """Create a meeting in set-up, with the chair's own seat in it."""
    meeting = Meeting(
        chair=chair,
        join_code=new_join_code(),
        display_token=secrets.token_urlsafe(24),
        **parse_meeting(form),
    )
    meeting.attendees.append(
        Attendee(
            name=chair.name,
            role="Chair",
            agency=chair.agency,
            status=ADMITTED,
            is_chair=True,
            admitted_at=utcnow(),
        )
    )
    db.session.add(meeting)
    db.session.flush()
    log(meeting, chair.name, "created the meeting")
    return meeting


def update_meeting(meeting: Meeting, form: dict[str, str]) -> None:
    """Change a meeting's details (not once it is closed)."""
    writable(meeting)
    for key, value in parse_meeting(form).items():
        setattr(meeting, key, value)


def writable(meeting: Meeting) -> None:
    """Refuse any change to a closed meeting."""
    if meeting.status == CLOSED:
        raise Refused("This meeting is closed; its record can be read but not changed.")


def _agenda_open(meeting: Meeting) -> None:
    writable(meeting)
    if meeting.status != SETUP:
        raise Refused("The meeting has started, so its agenda can no longer be changed.")


def parse_item(form: dict[str, str]) -> dict:
    """Check an agenda item's form; return clean fields or raise Invalid."""
    errors, fields = {}, {}
    fields["title"] = form.get("title", "").strip()
    if not fields["title"]:
        errors["title"] = "Give the item a title, e.g. “Risk of criminal exploitation”."
    fields["body"] = form.get("body", "").strip()
    fields["scale"] = form.get("scale", "")
    if fields["scale"] not in scales.SCALES:
        errors["scale"] = "Choose a rating scale."
    choices = [c.strip() for c in form.get("choices", "").splitlines() if c.strip()]
    fields["choices"] = list(dict.fromkeys(choices)) if fields["scale"] == scales.CHOICE else []
    if fields["scale"] == scales.CHOICE and len(fields["choices"]) < 2:
        errors["choices"] = "A choice list needs at least two different options, one per line."
    if errors:
        raise Invalid(errors)
    return fields


def add_item(meeting: Meeting, form: dict[str, str]) -> Item:
    """Add an item to the end of the agenda."""
    _agenda_open(meeting)
    item = Item(position=len(meeting.items) + 1, **parse_item(form))
    meeting.items.append(item)
    return item


def update_item(item: Item, form: dict[str, str]) -> None:
    """Change an agenda item before the meeting starts."""
    _agenda_open(item.meeting)
    for key, value in parse_item(form).items():
        setattr(item, key, value)


def move_item(item: Item, step: int) -> None:
    """Move an item one place up (-1) or down (+1) the agenda."""
    _agenda_open(item.meeting)
    items = list(item.meeting.items)
    at = items.index(item)
    to = max(0, min(len(items) - 1, at + step))
    items.insert(to, items.pop(at))
    for position, each in enumerate(items, start=1):
        each.position = position


def remove_item(item: Item) -> None:
    """Take an item off the agenda before the meeting starts."""
    meeting = item.meeting
    _agenda_open(meeting)
    meeting.items.remove(item)
    for position, each in enumerate(meeting.items, start=1):
        each.position = position


def start(meeting: Meeting) -> None:
    """Start the meeting at its first item; the agenda is fixed from now on."""
    _agenda_open(meeting)
    if not meeting.items:
        raise Refused("Add at least one agenda item before starting the meeting.")
    meeting.status = RUNNING
    meeting.started_at = utcnow()
    meeting.current_item_id = meeting.items[0].id
    log(meeting, meeting.chair.name, "started the meeting")


def move_to(meeting: Meeting, item: Item) -> None:
    """Make an item the one under discussion."""
    writable(meeting)
    if meeting.status != RUNNING:
        raise Refused("Start the meeting before moving through the agenda.")
    if item.meeting_id != meeting.id:
        raise Refused("That item belongs to another meeting.")
    meeting.current_item_id = item.id
    log(meeting, meeting.chair.name, f"moved to item {item.position}: {item.title}")


def close(meeting: Meeting) -> None:
    """Close the meeting: it becomes read-only; any open round is revealed first."""
    writable(meeting)
    for item in meeting.items:
        if item.open_round is not None:
            reveal(item.open_round)
    meeting.status = CLOSED
    meeting.closed_at = utcnow()
    log(meeting, meeting.chair.name, "closed the meeting")


# Attendees ---------------------------------------------------------------------------


BAD_EMAIL = "Enter an email address, e.g. name@school.org.uk, or leave it blank."


def plausible_email(email: str) -> bool:
    """Say whether an optional email address is blank or looks like one."""
    name, at, domain = email.rpartition("@")
    return not email or bool(name and at and "." in domain and " " not in email)


def parse_joiner(form: dict[str, str]) -> dict:
    """Check an attendee's name, role, agency and (optional) email; return them or raise Invalid."""
    fields = {k: form.get(k, "").strip()[:120] for k in ("name", "role", "agency")}
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


def join(meeting: Meeting, form: dict[str, str]) -> Attendee:
    """Ask to join a meeting; the attendee waits until the chair admits them."""
    writable(meeting)
    attendee = Attendee(**parse_joiner(form))
    meeting.attendees.append(attendee)
    db.session.flush()
    log(meeting, attendee.name, f"asked to join ({attendee.role}, {attendee.agency})")
    return attendee


def admit(attendee: Attendee) -> None:
    """Let a waiting (or turned-away) attendee into the meeting."""
    writable(attendee.meeting)
    attendee.status = ADMITTED
    attendee.admitted_at = utcnow()
    log(attendee.meeting, attendee.meeting.chair.name, f"admitted {attendee.name}")


def turn_away(attendee: Attendee) -> None:
    """Refuse an attendee entry, or remove them from the meeting."""
    writable(attendee.meeting)
    if attendee.is_chair:
        raise Refused("The chair cannot be removed from their own meeting.")
    attendee.status = TURNED_AWAY
    log(attendee.meeting, attendee.meeting.chair.name, f"turned away {attendee.name}")


def set_observer(attendee: Attendee, observer: bool) -> None:
    """Mark someone as an observer who does not rate, or as a rater again."""
    writable(attendee.meeting)
    attendee.observer = observer
    what = "an observer" if observer else "a rater"
    log(attendee.meeting, attendee.meeting.chair.name, f"made {attendee.name} {what}")
