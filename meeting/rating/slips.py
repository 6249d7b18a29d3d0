"""Rating slips on paper, for someone rating without a device: who gets one, and what it asks.

One slip for each person who rates (not the chair, who rates on their own page), and some
blank ones. A slip asks for each item in turn, with its scale drawn out to tick. What is
restricted from the family is decided where it always is (`concealment.hidden_from`): a
family member's slip leaves those items out altogether, and so does a blank slip, which
may be handed to anyone, unless the chair asks for blank slips for professionals.
"""

from dataclasses import dataclass, replace

from ..errors import Invalid
from ..models import Attendee, Channel, Item, Meeting, Scale
from . import scales
from .concealment import Audience, Viewer, attendee_viewer, hidden_from

# Blank slips when the chair has not said how many, and the most at once.
BLANK = 2
MOST_BLANK = 30


@dataclass(frozen=True)
class Box:
    """One box to tick: what it stands for, and the words beside it ("Rare")."""

    mark: str
    words: str = ""


@dataclass(frozen=True)
class Line:
    """A row of boxes, one to tick; `label` names it where an item has two (likelihood)."""

    label: str
    boxes: tuple[Box, ...]


@dataclass(frozen=True)
class Question:
    """One item on a slip: its number, title and scale, drawn out to tick."""

    position: int
    title: str
    scale: str
    lines: tuple[Line, ...]
    # The scale's words at its two ends (the safety scale's 0 and 10), if it has them.
    ends: tuple[Box, Box] | None = None
    # How the ticks are read together (likelihood × severity's bands), if they are.
    key: str = ""
    # Restricted from the family: only ever on a professional's slip.
    restricted: bool = False


@dataclass(frozen=True)
class Slip:
    """One person's slip (a blank one has no name), and the items it asks about."""

    name: str
    shown_as: str
    questions: tuple[Question, ...]
    family: bool = False

    @property
    def not_for_the_family(self) -> bool:
        """Whether it carries an item restricted from the family: it must not reach them."""
        return any(q.restricted for q in self.questions)


def blank_count(raw: str | None) -> int:
    """Read how many blank slips the chair asked for; none said gives the usual number."""
    text = (raw or "").strip()
    if not text:
        return BLANK
    problem = f"Blank slips: give a whole number from 0 to {MOST_BLANK}."
    try:
        number = int(text)
    except ValueError:
        raise Invalid({"blank": problem}) from None
    if not 0 <= number <= MOST_BLANK:
        raise Invalid({"blank": problem})
    return number


def question(item: Item) -> Question:
    """Draw out an item's scale as boxes to tick."""
    return replace(_drawn(item), restricted=item.restricted)


def _drawn(item: Item) -> Question:
    if item.scale == Scale.SAFETY:
        numbers = (Line("", tuple(Box(str(n)) for n in range(11))),)
        ends = (Box("0", scales.SAFETY_ANCHORS[0]), Box("10", scales.SAFETY_ANCHORS[10]))
        return Question(item.position, item.title, scales.SCALES[item.scale], numbers, ends)
    if item.scale == Scale.LXS:
        lines = tuple(
            Line(label, tuple(Box(str(n), word) for n, word in words.items()))
            for label, words in (("Likelihood", scales.LIKELIHOOD), ("Severity", scales.SEVERITY))
        )
        bands, low = [], 1
        for top, name in scales.BANDS:
            bands.append(f"{name} {low}–{top}")
            low = top + 1
        key = "Risk score = likelihood × severity: " + ", ".join(bands) + "."
        return Question(item.position, item.title, scales.SCALES[item.scale], lines, key=key)
    choices = (Line("", tuple(Box(choice) for choice in item.choices)),)
    return Question(item.position, item.title, "Choose one", choices)


def _slip(meeting: Meeting, viewer: Viewer, person: Attendee | None = None) -> Slip:
    asked = tuple(question(i) for i in meeting.items if not hidden_from(i, viewer))
    if person is None:
        return Slip("", "", asked)
    return Slip(person.name, person.shown_as, asked, family=person.family_side)


def raters(meeting: Meeting) -> list[Attendee]:
    """Return the people who get a slip with their name: everyone admitted who rates now
    (the family only while they rate in this meeting), but the chair; those rating on
    paper first."""
    named = [a for a in meeting.attendees if a.may_rate and not a.is_chair]
    return sorted(named, key=lambda a: a.channel != Channel.PAPER)


def left_out(meeting: Meeting) -> list[Attendee]:
    """Return the family members in the meeting who get no slip: the family does not rate
    in this meeting."""
    if meeting.family_rates:
        return []
    return [a for a in meeting.attendees if a.family_side and a.present]


def for_meeting(meeting: Meeting, blank: int, blank_for_professionals: bool = False) -> list[Slip]:
    """Return the slips to print: one for each person who rates, then `blank` blank ones
    (for anyone, or with the items restricted from the family for professionals)."""
    named = [_slip(meeting, attendee_viewer(a), a) for a in raters(meeting)]
    anyone = Viewer(Audience.ATTENDEE, family=not blank_for_professionals)
    drawn = named + [_slip(meeting, anyone) for _ in range(blank)]
    # A slip with nothing on it to rate (every item restricted from its holder) is none.
    return [slip for slip in drawn if slip.questions]
