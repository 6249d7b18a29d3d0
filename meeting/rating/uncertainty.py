"""How sure a rater is, or what they need before they can rate: read, checked and said.

With a rating, a rater may give the lowest and highest they think plausible and how sure
they are; or, instead of a rating, say "I can't rate this yet: I need …". A range is in
positions on the scale: safety 0–10; likelihood × severity as the top score of a band
(Low, Medium, High, Very high), so it is offered and read as bands. A choice list has no
range, only sureness. An answer that needs information has no value at all: it is
counted apart, never in a middle, a range or a minority.

Plain Python over plain values, like `scales`, so the rules are tested without an app.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from ..models.states import SURENESS_LABELS, Scale, Sureness, word_of
from . import scales
from .scales import CHOICE, LXS, SAFETY, InvalidRating, Value

# The `answer` a form sends for "I can't rate this yet" (the button pressed).
CANNOT = "cannot"
NEEDS_LONGEST = 500
# The band tops a likelihood × severity range is given in, lowest first.
BAND_TOPS = tuple(top for top, _name in scales.BANDS)


@dataclass(frozen=True)
class Answer:
    """What someone gave in a round: a value with how uncertain it is, or what they need."""

    value: Value | None
    low: int | None = None
    high: int | None = None
    sure: Sureness | None = None
    needs: str = ""

    @property
    def cannot_rate(self) -> bool:
        """Whether this is "I can't rate this yet", with no value."""
        return bool(self.needs)


def read(scale: Scale, choices: list[str], form: Mapping[str, str]) -> Answer:
    """Read a rating with its optional range and sureness, or "I can't rate this yet" with
    what is needed, from submitted form fields; raise InvalidRating saying what is wrong."""
    if (form.get("answer") or "") == CANNOT:
        needs = " ".join((form.get("needs") or "").split())
        if not needs:
            raise InvalidRating(
                "Say what you need to know before you can rate this, or give a rating."
            )
        if len(needs) > NEEDS_LONGEST:
            raise InvalidRating(
                f"Say what you need in {NEEDS_LONGEST} characters or fewer (this is {len(needs)})."
            )
        return Answer(None, needs=needs)
    value = scales.parse(scale, choices, form)
    sure = _sure(form)
    if scale == CHOICE:
        return Answer(value, sure=sure)
    low, high = _range(scale, value, form)
    return Answer(value, low, high, sure)


def _sure(form: Mapping[str, str]) -> Sureness | None:
    raw = (form.get("sure") or "").strip()
    if not raw:
        return None
    sure = word_of(Sureness, raw)
    if sure is None:
        raise InvalidRating("Say how sure you are: sure, fairly sure or not sure.")
    return sure


def _end(scale: Scale, raw: str, which: str) -> int:
    if scale == SAFETY:
        problem = f"The {which} you think plausible must be a whole number from 0 to 10."
        allowed: tuple[int, ...] = tuple(range(11))
    else:
        problem = f"Choose the {which} band you think plausible from the list."
        allowed = BAND_TOPS
    try:
        number = int(raw)
    except ValueError:
        raise InvalidRating(problem) from None
    if number not in allowed:
        raise InvalidRating(problem)
    return number


def _range(scale: Scale, value: Value, form: Mapping[str, str]) -> tuple[int | None, int | None]:
    raw_low = (form.get("low") or "").strip()
    raw_high = (form.get("high") or "").strip()
    if not raw_low and not raw_high:
        return None, None
    if not raw_low or not raw_high:
        raise InvalidRating(
            "Give both the lowest and the highest you think plausible, or leave both empty."
        )
    low, high = _end(scale, raw_low, "lowest"), _end(scale, raw_high, "highest")
    point = scales.position(scale, value)
    assert point is not None
    if scale == SAFETY:
        said, at, lo, hi = f"{value.score}", point, low, high
        low_said, high_said = str(low), str(high)
    else:
        said = f"{int(point)} ({scales.band(point)})"
        at, lo, hi = scales.band_index(point), scales.band_index(low), scales.band_index(high)
        low_said, high_said = scales.band(low), scales.band(high)
    if lo > at:
        raise InvalidRating(
            f"The lowest you think plausible ({low_said}) is above your rating, {said}."
        )
    if hi < at:
        raise InvalidRating(
            f"The highest you think plausible ({high_said}) is below your rating, {said}."
        )
    return low, high


def describe_range(scale: Scale, low: int | None, high: int | None) -> str:
    """Return a plausible range as a person reads it ("4–7", "Medium–High"), or ""."""
    if low is None or high is None or scale == CHOICE:
        return ""
    if scale == LXS:
        low_said, high_said = scales.band(low), scales.band(high)
    else:
        low_said, high_said = str(low), str(high)
    return low_said if low_said == high_said else f"{low_said}–{high_said}"


def sureness(sure: Sureness | str | None) -> str:
    """Return how sure someone said they were, in words ("Fairly sure"), or ""."""
    found = word_of(Sureness, sure) if sure else None
    return SURENESS_LABELS[found] if found else ""


def said(scale: Scale, low: int | None, high: int | None, sure: Sureness | str | None) -> str:
    """Return a rating's uncertainty in a few words ("plausible 4–7, fairly sure"), or ""."""
    words = []
    span = describe_range(scale, low, high)
    if span:
        words.append(f"plausible {span}")
    how = sureness(sure)
    if how:
        words.append(how.lower())
    return ", ".join(words)


def gaps_line(count: int) -> str:
    """Return the words that head a round's information gaps ("2 could not rate")."""
    return f"{count} could not rate: information needed on"
