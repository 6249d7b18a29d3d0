"""A meeting's life: its details and agenda in set-up, then start, move through it, close."""

import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ..cases import case as cases
from ..cases import copied
from ..changes import Fact
from ..errors import Invalid, Refused
from ..models import (
    AnySession,
    Attendee,
    AttendeeStatus,
    Chair,
    Item,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Scale,
    utcnow,
    word_of,
)
from ..policy import Policy
from ..rating.rounds import reveal
from ..record import links
from ..record.log import log
from ..record.seen import hold, still_as_seen
from .status import writable

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B, 6/G: nothing that is misread or misheard.
JOIN_ALPHABET = "ACDEFHJKMNPQRTUVWXY3479"
JOIN_CODE_LENGTH = 6


def new_join_code(session: AnySession) -> str:
    """Return an unused join code, e.g. "KXR-74T"."""
    while True:
        raw = "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        code = f"{raw[:3]}-{raw[3:]}"
        if session.scalar(select(Meeting.id).where(Meeting.join_code == code)) is None:
            return code


def parse_meeting(form: Mapping[str, str]) -> dict[str, Any]:
    """Check a meeting's details form; return clean fields or raise Invalid."""
    errors: dict[str, str] = {}
    fields: dict[str, Any] = {}
    fields["title"] = form.get("title", "").strip()
    if not fields["title"]:
        errors["title"] = "Give the meeting a title."
    fields["kind"] = word_of(MeetingKind, form.get("kind", ""))
    if fields["kind"] is None:
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


def last_role(chair: Chair) -> str:
    """Return the role the chair gave at their latest meeting ("" before their first)."""
    latest = max(chair.meetings, key=lambda m: m.id, default=None)
    return latest.seat.role if latest is not None else ""


def chair_role(form: Mapping[str, str], errors: dict[str, str]) -> str | None:
    """Return the role the chair gives for this meeting (None: the form did not ask)."""
    if "chair_role" not in form:
        return None
    role = form["chair_role"].strip()[:120]
    if not role:
        errors["chair_role"] = "Give your role in this meeting, e.g. Independent reviewing officer."
    return role


def parse_details(form: Mapping[str, str]) -> tuple[dict[str, Any], str | None]:
    """Check the meeting's details and the chair's role together; raise Invalid with both."""
    errors: dict[str, str] = {}
    role = chair_role(form, errors)
    try:
        fields = parse_meeting(form)
    except Invalid as invalid:
        raise Invalid({**invalid.errors, **errors}) from invalid
    if errors:
        raise Invalid(errors)
    return fields, role


def create_meeting(
    session: AnySession, chair: Chair, form: Mapping[str, str], policy: Policy
) -> Meeting:
    """Create a meeting in set-up, with the chair's own seat in it (and their role).

    It joins a child's case: a new one, the one picked, or the case of the meeting it
    reviews, whose agenda it then starts from (`cases.begin`).
    """
    try:
        fields, role = parse_details(form)
    except Invalid as invalid:
        fields, role = {}, None
        problem: Invalid | None = invalid
    else:
        problem = None
    try:
        case, earlier = cases.case_for(session, chair, form, fields.get("child", ""), policy)
    except Invalid as wrong:
        raise Invalid({**(problem.errors if problem else {}), **wrong.errors}) from wrong
    if problem is not None:
        raise problem
    meeting = Meeting(
        chair=chair,
        join_code=new_join_code(session),
        display_token=links.new_secret(),
        # The family rates on its own track at a conference unless the chair says not.
        family_rates=fields["kind"] == MeetingKind.CP_CONFERENCE,
        **fields,
    )
    meeting.attendees.append(
        Attendee(
            name=chair.name,
            role=role or "Chair",
            agency=chair.agency,
            status=AttendeeStatus.ADMITTED,
            is_chair=True,
            admitted_at=utcnow(),
        )
    )
    session.add(meeting)
    cases.begin(meeting, case, earlier)
    if earlier is None:
        log(meeting, chair.name, "created the meeting", changed=Fact.MEETING)
    else:
        log(
            meeting,
            chair.name,
            f"created the meeting as a review of “{earlier.title}” "
            f"({earlier.starts_at:%-d %b %Y}), with its agenda",
            changed=Fact.MEETING,
        )
    return meeting


def update_meeting(meeting: Meeting, form: Mapping[str, str]) -> None:
    """Change a meeting's details (not once it is closed)."""
    writable(meeting)
    fields, role = parse_details(form)
    still_as_seen(
        meeting,
        form.get("based_on"),
        lambda: meeting.details_shown,
        lambda: (
            f"“{meeting.title}”, {meeting.kind_label}, about {meeting.child}, "
            f"{meeting.starts_at:%-d %b %Y %H:%M}" + (f", {meeting.place}" if meeting.place else "")
        ),
    )
    for key, value in fields.items():
        setattr(meeting, key, value)
    if role:
        meeting.seat.role = role
    log(
        meeting,
        meeting.chair.name,
        "changed the meeting's details",
        changed=(Fact.AGENDA, Fact.ROUND),
    )


def _agenda_open(meeting: Meeting) -> None:
    writable(meeting)
    if meeting.status != MeetingStatus.SETUP:
        raise Refused("The meeting has started, so its agenda can no longer be changed.")


def parse_item(form: Mapping[str, str]) -> dict[str, Any]:
    """Check an agenda item's form; return clean fields or raise Invalid."""
    errors: dict[str, str] = {}
    fields: dict[str, Any] = {}
    fields["title"] = form.get("title", "").strip()
    if not fields["title"]:
        errors["title"] = "Give the item a title, e.g. “Risk of criminal exploitation”."
    fields["body"] = form.get("body", "").strip()
    fields["scale"] = word_of(Scale, form.get("scale", ""))
    if fields["scale"] is None:
        errors["scale"] = "Choose a rating scale."
    choices = [c.strip() for c in form.get("choices", "").splitlines() if c.strip()]
    is_choice = fields["scale"] == Scale.CHOICE
    fields["choices"] = list(dict.fromkeys(choices)) if is_choice else []
    if is_choice and len(fields["choices"]) < 2:
        errors["choices"] = "A choice list needs at least two different options, one per line."
    if errors:
        raise Invalid(errors)
    return fields


def add_item(meeting: Meeting, form: Mapping[str, str]) -> Item:
    """Add an item to the end of the agenda."""
    _agenda_open(meeting)
    item = Item(position=len(meeting.items) + 1, **parse_item(form))
    meeting.items.append(item)
    log(
        meeting,
        meeting.chair.name,
        f"added item {item.position}: {item.title}",
        changed=Fact.AGENDA,
    )
    return item


def update_item(item: Item, form: Mapping[str, str]) -> None:
    """Change an agenda item before the meeting starts."""
    _agenda_open(item.meeting)
    fields = parse_item(form)
    still_as_seen(
        item,
        form.get("based_on"),
        lambda: item.shown,
        lambda: f"“{item.title}”: {item.body}",
    )
    if item.contributions and fields["scale"] != item.scale:
        raise Invalid(
            {
                "scale": "Written contributions were rated on this item's scale, so the scale "
                "cannot change; remove the item and add it again to start afresh."
            }
        )
    was = f"Was: {item.title} ({item.scale})"
    copied.edited(item, fields["title"], fields["body"])
    for key, value in fields.items():
        setattr(item, key, value)
    log(
        item.meeting,
        item.meeting.chair.name,
        f"changed item {item.position}: {item.title}",
        was,
        changed=Fact.AGENDA,
    )


def move_item(item: Item, step: int) -> None:
    """Move an item one place up (-1) or down (+1) the agenda."""
    _agenda_open(item.meeting)
    items = list(item.meeting.items)
    at = items.index(item)
    to = max(0, min(len(items) - 1, at + step))
    items.insert(to, items.pop(at))
    for position, each in enumerate(items, start=1):
        each.position = position
    if to != at:
        meeting = item.meeting
        log(
            meeting,
            meeting.chair.name,
            f"moved {item.title} to item {item.position}",
            changed=Fact.AGENDA,
        )


def remove_item(item: Item) -> None:
    """Take an item off the agenda before the meeting starts."""
    meeting = item.meeting
    _agenda_open(meeting)
    if any(a.item_id == item.id for a in meeting.actions):
        raise Refused(f"“{item.title}” has actions in the record, so it stays on the agenda.")
    meeting.items.remove(item)
    for position, each in enumerate(meeting.items, start=1):
        each.position = position
    log(meeting, meeting.chair.name, f"took {item.title} off the agenda", changed=Fact.AGENDA)


def start(meeting: Meeting) -> None:
    """Start the meeting at its first item; the agenda is fixed from now on."""
    _agenda_open(meeting)
    if not meeting.items:
        raise Refused("Add at least one agenda item before starting the meeting.")
    meeting.status = MeetingStatus.RUNNING
    meeting.started_at = utcnow()
    meeting.current_item_id = meeting.items[0].id
    log(meeting, meeting.chair.name, "started the meeting", changed=Fact.MEETING)


def move_to(meeting: Meeting, item: Item) -> None:
    """Make an item the one under discussion."""
    writable(meeting)
    if meeting.status != MeetingStatus.RUNNING:
        raise Refused("Start the meeting before moving through the agenda.")
    if item.meeting_id != meeting.id:
        raise Refused("That item belongs to another meeting.")
    meeting.current_item_id = item.id
    log(
        meeting,
        meeting.chair.name,
        f"moved to item {item.position}: {item.title}",
        changed=Fact.ITEM,
    )


def close(meeting: Meeting) -> None:
    """Close the meeting: it becomes read-only; any open round is revealed first."""
    writable(meeting)
    for item in meeting.items:
        open_round = item.open_round
        if open_round is not None:
            reveal(open_round)
    meeting.status = MeetingStatus.CLOSED
    meeting.closed_at = utcnow()
    log(meeting, meeting.chair.name, "closed the meeting", changed=Fact.MEETING)


def display_shown(meeting: Meeting) -> str:
    """Return a short mark of the display link a page showed, for a form to carry back.

    It is part of the secret's digest, so a page holding it opens nothing it did not.
    """
    return links.digest(meeting.display_token)[:16]


def stop_display_link(meeting: Meeting, shown_mark: str | None) -> str | None:
    """Stop the display link at once and make a new one; return the one stopped.

    None: the link the chair's page showed (`shown_mark`) was already stopped, and the
    new one is left alone. Once the meeting has closed its link shows nothing anyway.
    """
    writable(meeting)
    hold(meeting)
    if shown_mark and shown_mark != display_shown(meeting):
        return None
    old = meeting.display_token
    links.end(meeting, None, old)
    meeting.display_token = links.new_secret()
    log(
        meeting,
        meeting.chair.name,
        "stopped the display link and made a new one",
        changed=Fact.RECORD,
    )
    return old
