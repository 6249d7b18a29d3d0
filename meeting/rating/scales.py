"""The three rating scales: what a valid rating is, how it reads, where it sits.

Plain Python over plain values, so the arithmetic is tested without an app.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from statistics import median

from ..models.states import Scale

SAFETY, LXS, CHOICE = Scale.SAFETY, Scale.LXS, Scale.CHOICE

SCALES = {
    SAFETY: "Safety scale 0–10",
    LXS: "Likelihood × severity",
    CHOICE: "Choice list",
}

SAFETY_ANCHORS = {
    0: "Action needed now: the child cannot stay as things are",
    10: "Everyone is confident the child is safe enough to close",
}
LIKELIHOOD = {1: "Rare", 2: "Unlikely", 3: "Possible", 4: "Likely", 5: "Almost certain"}
SEVERITY = {1: "Minimal", 2: "Minor", 3: "Moderate", 4: "Serious", 5: "Severe"}
# Highest score in each band; 5 × 5 scores run 1–25.
BANDS = [(4, "Low"), (9, "Medium"), (16, "High"), (25, "Very high")]

# How far from the middle a rating must sit to be marked as a minority view.
SAFETY_MINORITY_DISTANCE = 3
LXS_MINORITY_BANDS = 1
# And how few must hold it: fewer than this share of the raters (one person always may).
MINORITY_SHARE = 1 / 3
# When a round's spread is wide enough that the chair must acknowledge it before deciding.
SAFETY_DIVERGENT_RANGE = 5
LXS_DIVERGENT_BANDS = 2
# A safety median at or below this prompts the chair to consider immediate protective action.
SAFETY_PROTECTIVE_MEDIAN = 2


class InvalidRating(ValueError):
    """A rating that is not on the item's scale; the message says what is wrong."""


@dataclass(frozen=True)
class Value:
    """A rating's value, whichever scale it is on."""

    score: int | None = None
    likelihood: int | None = None
    severity: int | None = None
    choice: str | None = None


def band_index(score: float) -> int:
    """Return the index in BANDS of a likelihood × severity score (fractions allowed)."""
    for index, (top, _name) in enumerate(BANDS):
        if score <= top:
            return index
    return len(BANDS) - 1


def band(score: float) -> str:
    """Return the band name of a likelihood × severity score."""
    return BANDS[band_index(score)][1]


def _whole(form: Mapping[str, str], field: str, low: int, high: int, name: str) -> int:
    raw = (form.get(field) or "").strip()
    if not raw:
        raise InvalidRating(f"Choose a {name} from {low} to {high}.")
    try:
        number = int(raw)
    except ValueError:
        raise InvalidRating(f"The {name} must be a whole number from {low} to {high}.") from None
    if not low <= number <= high:
        raise InvalidRating(f"The {name} must be from {low} to {high}; {number} is off the scale.")
    return number


def parse(scale: Scale, choices: list[str], form: Mapping[str, str]) -> Value:
    """Read a rating for this scale from submitted form fields, or raise InvalidRating."""
    if scale == SAFETY:
        return Value(score=_whole(form, "score", 0, 10, "safety score"))
    if scale == LXS:
        return Value(
            likelihood=_whole(form, "likelihood", 1, 5, "likelihood"),
            severity=_whole(form, "severity", 1, 5, "severity"),
        )
    picked = (form.get("choice") or "").strip()
    if not picked:
        raise InvalidRating("Choose one of the options.")
    if picked not in choices:
        raise InvalidRating(f"“{picked}” is not one of this item's options.")
    return Value(choice=picked)


def _lxs_score(value: Value) -> int:
    if value.likelihood is None or value.severity is None:
        raise InvalidRating("A likelihood × severity rating needs a likelihood and a severity.")
    return value.likelihood * value.severity


def _picked(value: Value) -> str:
    if value.choice is None:
        raise InvalidRating("A rating on a choice list needs one of the options.")
    return value.choice


def position(scale: Scale, value: Value) -> float | None:
    """Return where a value sits on a numeric scale (None for choice lists)."""
    if scale == SAFETY:
        return value.score
    if scale == LXS:
        return _lxs_score(value)
    return None


def _point(scale: Scale, value: Value) -> float:
    point = position(scale, value)
    if point is None:
        raise InvalidRating(f"A rating has no value on the item's scale ({SCALES[scale]}).")
    return point


def describe(scale: Scale, value: Value) -> str:
    """Return a value as a person reads it aloud."""
    if scale == SAFETY:
        return f"{value.score}"
    if scale == LXS:
        score = _lxs_score(value)
        return f"L{value.likelihood} × S{value.severity} = {score} ({band(score)})"
    return value.choice or ""


def number(x: float) -> str:
    """Return a point on a scale as written: 4, 4.5, never 4.0."""
    return f"{x:g}"


@dataclass(frozen=True)
class Summary:
    """The middle and spread of a set of values, and which of them are minority views."""

    middle: str
    spread: str
    minority: tuple[bool, ...]
    bars: tuple[tuple[str, int], ...]
    # Plain words saying why the spread is wide, or "" when it is not.
    divergence: str = ""
    median: float | None = None
    # Plain words saying how the room split into large groups, or "" when it did not.
    divided: str = ""


def summarise(scale: Scale, choices: list[str], values: list[Value]) -> Summary:
    """Summarise revealed values: middle, range, minority marks (in order) and chart bars."""
    if not values:
        return Summary("No ratings", "—", (), _bars(scale, choices, values))
    if scale == CHOICE:
        return _summarise_choices(choices, values)
    points = [_point(scale, v) for v in values]
    mid = median(points)
    low, high = min(points), max(points)
    divergence = ""
    if scale == SAFETY:
        far = [abs(p - mid) >= SAFETY_MINORITY_DISTANCE for p in points]
        middle = f"Median {number(mid)}"
        if high - low >= SAFETY_DIVERGENT_RANGE:
            divergence = f"Wide disagreement: ratings run from {number(low)} to {number(high)}."
    else:
        centre = band_index(mid)
        far = [abs(band_index(p) - centre) >= LXS_MINORITY_BANDS for p in points]
        middle = f"Median score {number(mid)} ({band(mid)})"
        if band_index(high) - band_index(low) >= LXS_DIVERGENT_BANDS:
            divergence = (
                f"Wide disagreement: ratings run from {band(low)} ({number(low)}) "
                f"to {band(high)} ({number(high)})."
            )
    spread = f"Range {number(low)}–{number(high)}" if low != high else f"Range: all {number(low)}"
    marks, divided = _minorities(scale, points, mid, far)
    bars = _bars(scale, choices, values)
    return Summary(middle, spread, marks, bars, divergence, mid, divided)


def few(held_by: int, raters: int) -> bool:
    """Say whether a view held by this many of the raters is few enough to be a minority."""
    return held_by == 1 or held_by < raters * MINORITY_SHARE


def _minorities(
    scale: Scale, points: list[float], mid: float, far: list[bool]
) -> tuple[tuple[bool, ...], str]:
    """Mark the ratings far from the middle on a side held by few; say if the room divided.

    Each side of the middle is taken as one group: those far below and those far above.
    A side held by few raters is a minority view. A side held by a third or more is not:
    the meeting was divided, and nobody on that side is marked. So is a room where nobody
    is near the middle, whatever its size.
    """
    sides = {
        "below": [i for i, p in enumerate(points) if far[i] and p < mid],
        "above": [i for i, p in enumerate(points) if far[i] and p > mid],
    }
    near = [i for i in range(len(points)) if not far[i]]
    everyone_far = not near and sides["below"] and sides["above"]
    marks = [False] * len(points)
    large = []
    for side in sides.values():
        if not side:
            continue
        if few(len(side), len(points)) and not everyone_far:
            for i in side:
                marks[i] = True
        else:
            large.append(side)
    if not large:
        return tuple(marks), ""
    groups = [g for g in (sides["below"], near, sides["above"]) if g]
    words = [_held(scale, [points[i] for i in group], len(points)) for group in groups]
    return tuple(marks), "The meeting was divided: " + "; ".join(words) + "."


def _held(scale: Scale, points: list[float], raters: int) -> str:
    low, high = min(points), max(points)
    if scale == SAFETY:
        where = number(low) if low == high else f"{number(low)}–{number(high)}"
    else:
        names = dict.fromkeys(band(p) for p in sorted(points))
        where = " or ".join(names)
    return f"{len(points)} of {raters} rated {where}"


def _summarise_choices(choices: list[str], values: list[Value]) -> Summary:
    counts = {c: 0 for c in choices}
    for v in values:
        picked = _picked(v)
        counts[picked] = counts.get(picked, 0) + 1
    most = max(counts.values())
    largest = [c for c, n in counts.items() if n == most]
    if len(largest) == 1:
        word = "Majority" if most * 2 > len(values) else "Largest group"
        middle = f"{word}: {largest[0]} ({most} of {len(values)})"
    else:
        middle = "No single largest group: " + " / ".join(largest) + f" ({most} each)"
    # An option held by few is a minority view; two or more held by many divide the room.
    marks = tuple(
        v.choice not in largest and few(counts[v.choice or ""], len(values)) for v in values
    )
    many = [c for c, n in counts.items() if n and not few(n, len(values))]
    divided = ""
    if len(many) > 1 or (len(largest) > 1 and len(values) > 1):
        split = sorted(
            (c for c, n in counts.items() if n and (c in many or c in largest)),
            key=lambda c: -counts[c],
        )
        divided = (
            "The meeting was divided: "
            + "; ".join(f"{counts[c]} of {len(values)} chose {c}" for c in split)
            + "."
        )
        marks = tuple(v.choice not in split and m for v, m in zip(values, marks, strict=True))
    held = [c for c, n in counts.items() if n]
    spread = f"{len(held)} of {len(choices)} options chosen"
    divergence = ""
    if len(values) > 1 and most * 2 <= len(values):
        divergence = "Wide disagreement: no option is held by a majority."
    return Summary(middle, spread, marks, _bars(CHOICE, choices, values), divergence, None, divided)


def needs_protective_prompt(scale: Scale, summary: Summary) -> bool:
    """Say whether a revealed safety median is low enough to prompt immediate protective action."""
    return (
        scale == SAFETY
        and summary.median is not None
        and summary.median <= SAFETY_PROTECTIVE_MEDIAN
    )


def _bars(scale: Scale, choices: list[str], values: list[Value]) -> tuple[tuple[str, int], ...]:
    if scale == SAFETY:
        labels = [str(n) for n in range(11)]
        keys = [str(v.score) for v in values]
    elif scale == LXS:
        labels = [name for _top, name in BANDS]
        keys = [band(_lxs_score(v)) for v in values]
    else:
        labels = list(choices)
        keys = [_picked(v) for v in values]
    return tuple((label, keys.count(label)) for label in labels)
