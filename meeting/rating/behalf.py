"""Ratings the chair enters for someone: read out on a phone line, handed in on a paper
slip, or told privately. They are in the same blind round as everyone else's, hidden until
the reveal like any rating, and marked with how they were given and when."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from ..agenda.status import running
from ..changes import Fact
from ..errors import Invalid, Refused
from ..models import (
    ENTERED_BY_CHAIR,
    Attendee,
    AttendeeStatus,
    Channel,
    Given,
    Rating,
    Round,
    word_of,
)
from ..record.log import log
from . import scales, uncertainty
from .concealment import attendee_viewer, eligible_raters, hidden_from
from .rounds import as_decided, record_rating

NOBODY = "Choose whose rating this is."


@dataclass(frozen=True)
class Entry:
    """Someone the chair may enter a rating for in the open round, and what is known of
    theirs so far: whether one was given and how, never its value."""

    attendee: Attendee
    given: Given | None
    at: datetime | None

    @property
    def own_device(self) -> bool:
        """Whether their rating in this round came from their own device (theirs to change)."""
        return self.given == Given.DEVICE

    @property
    def no_device(self) -> bool:
        """Whether they take part with no device to rate on (a phone line, paper)."""
        return not Channel(self.attendee.channel).has_device

    @property
    def listed(self) -> bool:
        """Whether the chair's panel lists them: no device, or a rating the chair entered."""
        return self.no_device or (self.given is not None and not self.own_device)

    @property
    def due(self) -> bool:
        """Whether the chair has their rating to ask for: no device, and none given yet."""
        return self.no_device and self.given is None


def entries(round_: Round) -> list[Entry]:
    """Return who the chair may enter a rating for in this round: everyone who rates but
    the chair, those without a device of their own (a phone line, paper) first."""
    given = {r.attendee_id: r for r in round_.ratings}
    item = round_.item
    people = [
        a
        for a in eligible_raters(item.meeting)
        if not a.is_chair and not hidden_from(item, attendee_viewer(a))
    ]
    people.sort(key=lambda a: Channel(a.channel).has_device)
    out = []
    for a in people:
        rating = given.get(a.id)
        out.append(Entry(a, rating.given, rating.submitted_at) if rating else Entry(a, None, None))
    return out


def _default_given(attendee: Attendee) -> Given:
    return Given.PAPER if attendee.channel == Channel.PAPER else Given.PHONE


def enter_rating(round_: Round, attendee: Attendee | None, form: Mapping[str, str]) -> Rating:
    """Enter (or correct) someone's rating for them in the open round, as the chair.

    It is marked with how it was given (phone line, paper slip, told privately) and the time
    it was entered. A rating the person gave on their own device is theirs to change; the
    chair's entry never replaces it. Nothing of any value is shown back: the round is blind
    to the chair too.
    """
    meeting = round_.item.meeting
    running(meeting)
    revealed = f"Round {round_.number} on “{round_.item.title}” was already revealed"
    if round_.revealed_at is not None:
        raise Refused(f"{revealed}.")
    if attendee is None or attendee.meeting_id != meeting.id:
        raise Invalid({"attendee": NOBODY})
    too_late = f"{revealed}; {attendee.name}'s rating was not counted."
    if attendee.is_chair:
        raise Invalid({"attendee": "Your own rating goes in your rating form above."})
    if attendee.status != AttendeeStatus.ADMITTED or attendee.left_at is not None:
        raise Refused(f"{attendee.name} is not in the meeting now, so has no rating to enter.")
    if not attendee.may_rate:
        raise Refused(f"{attendee.name} does not rate in this meeting.")
    if hidden_from(round_.item, attendee_viewer(attendee)):
        raise Refused(
            f"“{round_.item.title}” is restricted from the family: "
            f"{attendee.name} does not rate it."
        )
    existing = next((r for r in round_.ratings if r.attendee_id == attendee.id), None)
    if existing is not None and existing.given == Given.DEVICE:
        raise Refused(
            f"{attendee.name} rated on their own device; only they can change that rating."
        )
    errors = {}
    given = word_of(Given, form.get("given") or _default_given(attendee))
    if given not in ENTERED_BY_CHAIR:
        errors["given"] = "Say how the rating reached you: a phone line, a paper slip, or told."
    answer = None
    try:
        answer = uncertainty.read(round_.item.scale, round_.item.choices, form)
    except scales.InvalidRating as invalid:
        errors["rating"] = str(invalid)
    if errors or answer is None or given is None:
        raise Invalid(errors)
    reason = (form.get("reason") or "").strip()[:300]
    rating = record_rating(round_, attendee, answer, reason, given, too_late)
    log(
        meeting,
        meeting.chair.name,
        f"entered {attendee.name}'s rating in round {round_.number} on {round_.item.title}, "
        f"{given.label}",
        about=rating,
        changed=as_decided(round_.item, Fact.RATINGS),
        own=attendee,
    )
    return rating
