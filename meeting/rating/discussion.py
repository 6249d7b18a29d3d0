"""What discussion changed on an item: each rater's independent round 1 against their latest.

Round 1 is the independent estimate, given blind before anyone heard anyone. Once a later
round on the same question is revealed, each person's round-1 rating is set beside their
rating in that latest round: did they move towards round 1's middle (on a choice list, to
round 1's largest group), away from it, or hold? And how did the spread change? A room
that moved to the middle after discussion may have learned something, or conformed; the
record shows which people moved, so the meeting can ask.

`compare` is the rule, over plain values. `changed` applies it to an item as a viewer may
see it: only revealed rounds, only through `concealment.visible_ratings`. The professionals'
ratings are counted; the family's own track is compared beside them and never counted in
them. An answer of "I can't rate this yet" carries no value, so it is never compared.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from ..models import Item, Rating, Round, Scale, Track
from . import scales
from .concealment import Viewer, hidden_from, value_of, visible_ratings


class Way(StrEnum):
    """How one person's latest rating sits against their round-1 rating."""

    TOWARDS = "towards"
    AWAY = "away"
    HELD = "held"
    # Moved to the other side of the middle, no nearer to it and no further.
    ACROSS = "across"


# How a person's change reads, on a numeric scale and on a choice list.
WORDS = {
    Way.TOWARDS: "Moved towards the middle",
    Way.AWAY: "Moved away from the middle",
    Way.HELD: "Held",
    Way.ACROSS: "Moved across the middle",
}
CHOICE_WORDS = {
    Way.TOWARDS: "Changed to the largest group",
    Way.AWAY: "Changed away from the largest group",
    Way.HELD: "Held",
    Way.ACROSS: "Changed, not to the largest group",
}
NOT_COMPARED = "Not compared: no rating in both rounds"
# In place of a round's value, for someone who answered "I can't rate this yet" in it.
CANNOT_RATE = "could not rate"


def way(
    scale: Scale,
    choices: Sequence[str],
    first: Sequence[scales.Value],
    a: scales.Value,
    b: scales.Value,
) -> Way:
    """Return how a rating moved from `a` (round 1) to `b` (latest), against round 1's middle.

    On a numeric scale the middle is round 1's median (a likelihood × severity rating by
    its score); on a choice list it is round 1's largest group (every option tied largest).
    """
    if scale == Scale.CHOICE:
        if a.choice == b.choice:
            return Way.HELD
        largest = _largest(choices, first)
        if b.choice in largest and a.choice not in largest:
            return Way.TOWARDS
        if a.choice in largest and b.choice not in largest:
            return Way.AWAY
        return Way.ACROSS
    then, now = scales.position(scale, a), scales.position(scale, b)
    if then == now:
        return Way.HELD
    middle = scales.summarise(scale, list(choices), list(first)).median
    assert middle is not None and then is not None and now is not None
    before, after = abs(then - middle), abs(now - middle)
    if after < before:
        return Way.TOWARDS
    if after > before:
        return Way.AWAY
    return Way.ACROSS


def _largest(choices: Sequence[str], values: Sequence[scales.Value]) -> set[str]:
    counts = {c: 0 for c in choices}
    for v in values:
        counts[v.choice or ""] = counts.get(v.choice or "", 0) + 1
    most = max(counts.values(), default=0)
    return {c for c, n in counts.items() if n == most and n}


@dataclass(frozen=True)
class Comparison:
    """Round 1 against a later round: the spread then and now, and each person's way.

    `ways` maps each person compared to how they moved (None: a value in one round only).
    """

    first_number: int
    latest_number: int
    then: scales.Summary
    now: scales.Summary
    ways: dict[int, Way | None]

    def count(self, way_: Way) -> int:
        """Return how many people moved this way."""
        return sum(1 for w in self.ways.values() if w == way_)

    @property
    def not_compared(self) -> int:
        return sum(1 for w in self.ways.values() if w is None)


def compare(
    scale: Scale,
    choices: Sequence[str],
    first: Mapping[int, scales.Value],
    latest: Mapping[int, scales.Value],
    numbers: tuple[int, int] = (1, 2),
) -> Comparison:
    """Compare each person's round-1 value with their latest (both keyed by who gave them).

    Only values count: leave out answers without one. Anyone with a value in one of the
    two rounds only is listed as not compared.
    """
    then = scales.summarise(scale, list(choices), list(first.values()))
    now = scales.summarise(scale, list(choices), list(latest.values()))
    ways: dict[int, Way | None] = {}
    for who in [*first, *(k for k in latest if k not in first)]:
        if who in first and who in latest:
            ways[who] = way(scale, choices, list(first.values()), first[who], latest[who])
        else:
            ways[who] = None
    return Comparison(numbers[0], numbers[1], then, now, ways)


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def spread_words(number: int, summary: scales.Summary) -> str:
    """Say a round's middle and spread in a clause: "round 2: median 5, range 4–6"."""
    return f"round {number}: {_lower(summary.middle)}, {_lower(summary.spread)}"


def sentence(scale: Scale, comparison: Comparison) -> str:
    """Say in plain words what discussion changed: the spread then and now, who moved."""
    c = comparison
    first = spread_words(c.first_number, c.then)
    spreads = f"{first[:1].upper()}{first[1:]}; {spread_words(c.latest_number, c.now)}."
    towards, away, held, across = (
        c.count(w) for w in (Way.TOWARDS, Way.AWAY, Way.HELD, Way.ACROSS)
    )
    if scale == Scale.CHOICE:
        moved = f"{towards} changed to round 1's largest group, {away} away from it, {held} held"
        if across:
            moved += f", {across} changed between other options"
    else:
        moved = f"{towards} moved towards round 1's middle, {away} away from it, {held} held"
        if across:
            moved += f", {across} moved across it"
    said = f"{spreads} {moved}."
    if c.not_compared:
        said += f" {c.not_compared} not compared (a rating in one of the two rounds only)."
    return said


def way_words(scale: Scale, way_: Way | None) -> str:
    """Say how one person moved, as their row in the table reads."""
    if way_ is None:
        return NOT_COMPARED
    return (CHOICE_WORDS if scale == Scale.CHOICE else WORDS)[way_]


@dataclass(frozen=True)
class Moved:
    """One person's row: their round-1 rating, their latest, and how they moved."""

    attendee_id: int
    name: str
    agency: str
    part: str
    first: str
    latest: str
    way: Way | None
    words: str
    family: bool = False


@dataclass(frozen=True)
class Discussion:
    """What discussion changed on an item, as one viewer may see it.

    `moved` holds the professionals' rows, which the sentence counts; `family` holds the
    family's own, compared against the same middle and shown beside, never counted.
    """

    first_number: int
    latest_number: int
    sentence: str
    moved: tuple[Moved, ...]
    family: tuple[Moved, ...] = ()
    # Drawn without names or agencies (the shared screens of a meeting that asks for it).
    unnamed: bool = False


def rounds_compared(item: Item) -> tuple[Round, Round] | None:
    """Return round 1 and the latest later round on the same question, both revealed.

    On likelihood × severity a later round may rate the risk after control measures: only
    a round of the same basis as round 1 answers the same question again.
    """
    revealed = [r for r in item.rounds if r.revealed_at is not None]
    first = next((r for r in revealed if r.number == 1), None)
    if first is None:
        return None
    later = [r for r in revealed if r.number > 1 and r.basis == first.basis]
    return (first, later[-1]) if later else None


def _valued(round_: Round, viewer: Viewer) -> list[Rating]:
    """Return the ratings of a revealed round with a value, as this viewer may see them."""
    if round_.revealed_at is None:
        return []
    return [r for r in visible_ratings(round_, viewer) if not r.cannot_rate]


def changed(item: Item, viewer: Viewer, unnamed: bool = False) -> Discussion | None:
    """Return what discussion changed on an item as a viewer may see it, or None before a
    later round on the same question is revealed (and for an item restricted from them).

    `unnamed` draws the rows without names or agencies, in order of their ratings.
    """
    pair = rounds_compared(item)
    if pair is None or hidden_from(item, viewer):
        return None
    first, latest = pair
    then, now = _valued(first, viewer), _valued(latest, viewer)
    pro = Track.PROFESSIONALS
    # Who answered "I can't rate this yet" in each round: said so, rather than a blank.
    gaps = tuple(
        {r.attendee_id for r in visible_ratings(round_, viewer) if r.cannot_rate}
        for round_ in (first, latest)
    )

    def shown(values: dict, who: int, gap: set[int]) -> str:
        if who in values:
            return scales.describe(item.scale, values[who])
        return CANNOT_RATE if who in gap else "—"

    def values(ratings: list[Rating], family: bool) -> dict[int, scales.Value]:
        return {r.attendee_id: value_of(r) for r in ratings if (r.track != pro) == family}

    comparison = compare(
        item.scale, item.choices, values(then, False), values(now, False), (1, latest.number)
    )
    people = {r.attendee_id: r.attendee for r in [*then, *now]}
    family_then, family_now = values(then, True), values(now, True)
    pooled_first = list(values(then, False).values())

    def row(who: int, way_: Way | None, given: tuple[dict, dict], family: bool) -> Moved:
        a, b = given
        person = people[who]
        return Moved(
            attendee_id=who,
            name=person.name,
            agency=person.agency,
            part=person.part_label,
            first=shown(a, who, gaps[0]),
            latest=shown(b, who, gaps[1]),
            way=way_,
            words=way_words(item.scale, way_),
            family=family,
        )

    pros = (values(then, False), values(now, False))
    moved = [row(who, w, pros, False) for who, w in comparison.ways.items()]
    family = []
    for who in [*family_then, *(k for k in family_now if k not in family_then)]:
        w = None
        if who in family_then and who in family_now and pooled_first:
            w = way(item.scale, item.choices, pooled_first, family_then[who], family_now[who])
        family.append(row(who, w, (family_then, family_now), True))
    if unnamed:
        moved = _unnamed(item, moved, pros)
        family = _unnamed(item, family, (family_then, family_now))
    return Discussion(
        1,
        latest.number,
        sentence(item.scale, comparison),
        tuple(moved),
        tuple(family),
        unnamed,
    )


def _unnamed(item: Item, rows: list[Moved], given: tuple[dict, dict]) -> list[Moved]:
    """Return rows without who gave them, in order of their ratings, so order names nobody."""
    a, b = given

    def at(values: dict, who: int) -> tuple[int, float, str]:
        if who not in values:
            return (1, 0, "")
        value = values[who]
        point = scales.position(item.scale, value)
        if point is None:
            options = list(item.choices)
            point = options.index(value.choice) if value.choice in options else len(options)
        return (0, point, value.choice or "")

    ordered = sorted(rows, key=lambda m: (at(a, m.attendee_id), at(b, m.attendee_id)))
    return [
        Moved(0, "", "", m.part if m.family else "", m.first, m.latest, m.way, m.words, m.family)
        for m in ordered
    ]


def as_record(discussion: Discussion | None) -> dict | None:
    """Return what discussion changed as the record keeps it: every name, every row."""
    if discussion is None:
        return None
    return {
        "rounds": [discussion.first_number, discussion.latest_number],
        "summary": discussion.sentence,
        "people": [
            {
                "attendee_id": m.attendee_id,
                "name": m.name,
                "agency": m.agency,
                "part": m.part,
                "family": m.family,
                "round_1": m.first,
                "latest": m.latest,
                "change": m.way.value if m.way else None,
                "change_words": m.words,
            }
            for m in (*discussion.moved, *discussion.family)
        ],
    }
