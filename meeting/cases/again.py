"""No start-again: how many reviews an open action has come to, and what earlier meetings
decided on the same item, as the chair of a review and the case page show them.

"Carried for the 3rd time: agreed 14 Mar, not done at two reviews" is worked out along the
chain of meetings (`review.chain`) from what each review held said of the action.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from ..models import (
    Action,
    ActionStatus,
    ActionUpdate,
    ChildCase,
    Item,
    Meeting,
    MeetingStatus,
    session_of,
)
from .carried import carried, updates_of
from .copied import unreviewed
from .review import back_from, chain

NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
# How long an earlier decision is, at most, where it is shown in short.
SHORT = 160


def ordinal(n: int) -> str:
    """Return 1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st."""
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def counted(n: int, noun: str) -> str:
    """Return "one review", "two reviews", "12 reviews"."""
    word = NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)
    return f"{word} {noun}{'' if n == 1 else 's'}"


def short(text: str, limit: int = SHORT) -> str:
    """Return text on one line, cut at a word before `limit` characters with "…"."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.")
    return f"{cut}…"


def said_words(said: tuple[ActionStatus | None, ...]) -> str:
    """Return what the reviews said of an action, counted: "not done at two reviews",
    "partly done at one review and not done at one review"."""
    labels = [s.label.lower() if s is not None else "not answered" for s in said]
    counts = Counter(labels)
    parts = [f"{label} at {counted(counts[label], 'review')}" for label in dict.fromkeys(labels)]
    if len(parts) < 2:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


@dataclass(frozen=True)
class CarriedAgain:
    """An open action at a review: how many reviews it has come to, and what each review
    held since it was agreed said became of it."""

    # The reviews it has come to, this one included.
    times: int
    agreed_on: date
    # At each review held since it was agreed, oldest first (None: nothing was said).
    said: tuple[ActionStatus | None, ...]

    @property
    def again(self) -> bool:
        """Whether it has come to more than one review: carried again, not just carried."""
        return self.times >= 2

    def words(self, year: int | None = None) -> str:
        """Say it in a line: "Carried for the 3rd time: agreed 14 Mar, not done at two
        reviews" (the year shown when it is not `year`)."""
        day = f"{self.agreed_on.day} {self.agreed_on:%b}"
        if year is not None and self.agreed_on.year != year:
            day += f" {self.agreed_on.year}"
        line = f"Carried for the {ordinal(self.times)} time: agreed {day}"
        return f"{line}, {said_words(self.said)}" if self.said else line


def carried_again(
    action: Action, upto: Meeting, updates: list[ActionUpdate]
) -> CarriedAgain | None:
    """Return how an action stands at `upto` along the chain of meetings, from its updates
    (any order); None when it was not agreed at a meeting `upto` follows."""
    reviews = [upto, *chain(upto)]
    at = next((n for n, m in enumerate(reviews) if m is action.meeting), None)
    if at is None or at == 0:
        return None
    since = list(reversed(reviews[:at]))
    said: list[ActionStatus | None] = []
    for meeting in since:
        if meeting.status != MeetingStatus.CLOSED:
            continue
        there = [u for u in updates if u.meeting_id == meeting.id]
        latest = max(there, key=lambda u: u.id or 0) if there else None
        said.append(ActionStatus(latest.status) if latest is not None else None)
    return CarriedAgain(len(since), action.meeting.starts_at.date(), tuple(said))


def _again(upto: Meeting, actions: list[Action]) -> dict[int, CarriedAgain]:
    if not actions:
        return {}
    updates = updates_of(session_of(upto), actions)
    found = {}
    for action in actions:
        line = carried_again(action, upto, updates[action.id])
        if line is not None and line.again:
            found[action.id] = line
    return found


def again_at(meeting: Meeting, actions: list[Action] | None = None) -> dict[int, CarriedAgain]:
    """Return, by action id, the actions a review carries (or those of them given) that have
    come to it again."""
    return _again(meeting, [c.action for c in carried(meeting)] if actions is None else actions)


def again_in_case(case: ChildCase, actions: list[Action]) -> dict[int, CarriedAgain]:
    """Return, by action id, the open actions of a case that have come to more than one
    review, as its latest meeting sees them."""
    return _again(case.meetings[-1], actions) if case.meetings else {}


@dataclass(frozen=True)
class EarlierDecision:
    """What an earlier meeting decided on an item, in short."""

    meeting: Meeting
    held: date
    text: str


def earlier_decisions(item: Item) -> list[EarlierDecision]:
    """Return the decisions recorded on an item at the earlier meetings it continues, the
    last meeting's first."""
    found = []
    for before in back_from(item, lambda i: i.previous_item):
        decision = before.decision
        if decision is not None and decision.recorded and decision.text.strip():
            meeting = before.meeting
            found.append(EarlierDecision(meeting, meeting.starts_at.date(), short(decision.text)))
    return found


@dataclass(frozen=True)
class LookingBack:
    """What the chair of a review sees beside the item under discussion: the items still
    the last meeting's words, this item's actions carried again, its earlier decisions."""

    unreviewed: list[Item]
    carried: list[tuple[Action, CarriedAgain]]
    decisions: list[EarlierDecision]

    def __bool__(self) -> bool:
        return bool(self.unreviewed or self.carried or self.decisions)


def looking_back(item: Item) -> LookingBack:
    """Return what the chair of a review sees beside an item: for the chair alone, since
    it speaks of nothing rated (no rating, range or middle of any round)."""
    meeting = item.meeting
    lineage = {i.id for i in back_from(item, lambda i: i.previous_item)}
    ours = [c.action for c in carried(meeting) if c.action.item_id in lineage]
    again = _again(meeting, ours)
    mine = [(a, again[a.id]) for a in ours if a.id in again]
    waiting = unreviewed(meeting) if meeting.status == MeetingStatus.RUNNING else []
    return LookingBack(waiting, mine, earlier_decisions(item))
