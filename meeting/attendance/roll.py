"""The roll: who left and when, who sent apologies, and absent agencies' written contributions."""

from collections.abc import Mapping
from zoneinfo import ZoneInfo

from ..agenda.status import writable
from ..changes import Fact
from ..clock import utc_from_local_time
from ..errors import Invalid, Refused
from ..joining.people import parse_joiner
from ..models import (
    Attendee,
    AttendeeStatus,
    Channel,
    Contribution,
    Item,
    Meeting,
    Part,
    utcnow,
)
from ..rating import scales
from ..record.log import log


def attendance_label(attendee: Attendee) -> str:
    """Return how someone took part: present, left at a time, apologies, written contribution."""
    if attendee.status == AttendeeStatus.ABSENT:
        return "Apologies"
    if attendee.left_at is not None:
        return "Left"
    return "Present"


def mark_left(attendee: Attendee, at: str | None, zone: ZoneInfo) -> None:
    """Record that someone left the meeting (now, or at a local clock time typed HH:MM)."""
    meeting = attendee.meeting
    writable(meeting)
    if attendee.status != AttendeeStatus.ADMITTED:
        raise Refused(f"{attendee.name} is not in the meeting, so cannot leave it.")
    if attendee.is_chair:
        raise Refused("The chair stays until the meeting closes.")
    try:
        attendee.left_at = utc_from_local_time(at, zone)
    except ValueError:
        raise Invalid({"left_at": "Enter the time they left as HH:MM, e.g. 11:40."}) from None
    log(meeting, meeting.chair.name, f"recorded that {attendee.name} left", changed=Fact.ROLL)


def mark_returned(attendee: Attendee) -> None:
    """Record that someone who left came back."""
    meeting = attendee.meeting
    writable(meeting)
    left = attendee.left_at
    attendee.left_at = None
    log(
        meeting,
        meeting.chair.name,
        f"recorded that {attendee.name} came back",
        f"Had left: {left}",
        changed=Fact.ROLL,
    )


def add_apologies(meeting: Meeting, form: Mapping[str, str]) -> Attendee:
    """List someone who sent apologies (name, role, agency, and an email for the minutes)."""
    writable(meeting)
    # Agencies send most apologies: a professional unless the chair says otherwise.
    fields = parse_joiner({"part": Part.PROFESSIONAL.value, **form})
    attendee = Attendee(status=AttendeeStatus.ABSENT, **fields)
    meeting.attendees.append(attendee)
    log(
        meeting,
        meeting.chair.name,
        f"recorded apologies from {attendee.name} ({attendee.agency})",
        changed=Fact.ROLL,
    )
    return attendee


def add_without_device(meeting: Meeting, form: Mapping[str, str]) -> Attendee:
    """Add someone who takes part with no device of their own to join with (on a phone
    line, or in the room rating on paper): in the meeting at once, their ratings entered
    by the chair."""
    writable(meeting)
    fields = parse_joiner({**form, "channel": form.get("channel") or Channel.PHONE.value})
    attendee = Attendee(status=AttendeeStatus.ADMITTED, admitted_at=utcnow(), **fields)
    meeting.attendees.append(attendee)
    said = ", ".join(x for x in (attendee.part_label, attendee.agency) if x)
    log(
        meeting,
        meeting.chair.name,
        f"added {attendee.name} ({said}), {attendee.channel_label.lower()}",
        changed=Fact.ROLL,
    )
    return attendee


def set_contribution(item: Item, author: Attendee, form: Mapping[str, str]) -> Contribution:
    """Enter or replace an absent agency's written report and rating for an item."""
    meeting = item.meeting
    writable(meeting)
    if author.status != AttendeeStatus.ABSENT or author.meeting_id != meeting.id:
        raise Refused("Written contributions come from people who sent apologies.")
    if item.rounds:
        raise Refused(
            f"Round 1 on “{item.title}” has opened, so a written contribution can no longer "
            "be added to it; the chair can read the report out instead."
        )
    errors = {}
    report = form.get("report", "").strip()
    if not report:
        errors["report"] = "Enter the agency's written report, or its summary."
    value = None
    try:
        value = scales.parse(item.scale, item.choices, form)
    except scales.InvalidRating as invalid:
        errors["rating"] = str(invalid)
    if errors or value is None:
        raise Invalid(errors)
    contribution = next((c for c in item.contributions if c.attendee_id == author.id), None)
    if contribution is None:
        contribution = Contribution(attendee=author)
        item.contributions.append(contribution)
    contribution.report = report
    contribution.reason = form.get("reason", "").strip()[:300]
    contribution.score, contribution.likelihood = value.score, value.likelihood
    contribution.severity, contribution.choice = value.severity, value.choice
    contribution.entered_at = utcnow()
    log(
        meeting,
        meeting.chair.name,
        f"entered a written contribution from {author.name} on {item.title}",
        about=contribution,
        changed=Fact.ROLL,
    )
    return contribution


def _switch(
    row: Meeting | Item, name: str, on: bool, said: str, fact: Fact | tuple[Fact, ...]
) -> None:
    """Set one of the chair's switches on a meeting or an item, logging it once: pressing
    it again when it already stands that way changes nothing."""
    meeting = row if isinstance(row, Meeting) else row.meeting
    writable(meeting)
    if getattr(row, name) == on:
        return
    setattr(row, name, on)
    log(meeting, meeting.chair.name, said, changed=fact)


def set_family_rates(meeting: Meeting, rates: bool) -> None:
    """Say whether the family (parents, carers, the young person) rate, on their own track.

    Ratings they already gave stay on the record; from now on they are asked or not.
    """
    said = "asked the family to rate" if rates else "stopped asking the family to rate"
    _switch(meeting, "family_rates", rates, f"{said}, on their own track", Fact.ROLL)


def restrict_item(item: Item, restricted: bool) -> None:
    """Restrict an item from the family (third-party information), or let them hear it.

    While it is under discussion the family's devices show a holding screen, and nothing of
    it reaches them, before or after; the family's copy of the minutes withholds it.
    """
    said = "restricted from the family" if restricted else "no longer restricted from the family"
    _switch(item, "restricted", restricted, f"{item.title}: {said}", (Fact.AGENDA, Fact.ITEM))


def family_out(meeting: Meeting, out: bool) -> None:
    """Begin or end a part of the discussion the family is out of (not an item of its own).

    Their devices hold while it runs. A round cannot be opened during it: what is rated
    without the family belongs in an item restricted from them.
    """
    said = "began a part without the family" if out else "brought the family back"
    _switch(meeting, "family_out", out, said, Fact.ITEM)


def family_sees_display(meeting: Meeting, sees: bool) -> None:
    """Say whether the family sees the shared display: if so, it holds for them too."""
    said = "the family sees the display" if sees else "the family does not see the display"
    _switch(meeting, "family_sees_display", sees, f"recorded that {said}", Fact.ITEM)


def reveal_unnamed(meeting: Meeting, unnamed: bool) -> None:
    """Say whether the display and the phones show the reveal without names.

    The chair's cockpit, the minutes and the record keep every name either way.
    """
    said = "without names" if unnamed else "with names"
    _switch(
        meeting,
        "reveal_unnamed",
        unnamed,
        f"set the reveal on shared screens {said}",
        (Fact.ITEM, Fact.ROLL),
    )
