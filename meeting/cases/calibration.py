"""How likely the meeting said a forecast was, and how that went: the likelihood a forecast
line may carry ("… (about 70%)"), the calibration table by likelihood band and the Brier
score, and the rule that keeps any count under 3 off the page so no one's rating can be
read from it. Descriptive only: nothing here weighs anyone's rating or voice."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..models.states import ForecastResult

# Under this many, a count is not shown.
FEWEST = 3

# What each outcome counts as: a partly met forecast counts as half, in the share that came
# true and in the Brier score alike.
OUTCOME = {ForecastResult.MET: 1.0, ForecastResult.PARTLY: 0.5, ForecastResult.NOT_MET: 0.0}
RESULTS = tuple(ForecastResult)

BANDS = ((0, 20), (21, 40), (41, 60), (61, 80), (81, 100))

# The likelihood ends the line: in brackets ("(about 70%)", "(70%)"), after "about" or a
# word like it ("about 70%"), or set off by a dash, comma or colon ("— 70%"). A percentage
# inside the line ("Attends school 90% or more", "at least 90%") is what is forecast.
_ABOUT = r"(?:about|around|roughly|approximately|approx\.?|c\.|~)"


def _number(name: str) -> str:
    return rf"(?P<{name}>\d+(?:[.,]\d+)?)\s*%"


_ENDING = re.compile(
    rf"(?:\(\s*(?:{_ABOUT}\s*)?{_number('bracketed')}\s*\)"
    rf"|(?:(?<=\s)|^){_ABOUT}\s*{_number('about')}"
    rf"|(?:\s[—–-]|[,:;])\s*{_number('set_off')})\s*\.?\s*$",
    re.IGNORECASE,
)


def _written(line: str) -> tuple[str, int | None] | None:
    found = _ENDING.search(line)
    if found is None:
        return None
    number = next(v for v in found.groupdict().values() if v)
    return found.group(0).strip(), int(number) if number.isdigit() else None


def likelihood(line: str) -> int | None:
    """Return the likelihood, in whole percent, that a forecast line ends with, or None for
    a line without one (or with one that is not a whole percent from 0 to 100)."""
    found = _written(line)
    if found is None or found[1] is None or not 0 <= found[1] <= 100:
        return None
    return found[1]


def likelihood_problem(lines: Iterable[str]) -> str | None:
    """Name the first forecast line whose likelihood is not a whole percent from 0 to 100."""
    for n, line in enumerate(lines, start=1):
        found = _written(line)
        if found is not None and (found[1] is None or not 0 <= found[1] <= 100):
            return (
                f"Line {n}: “{found[0]}” is not a likelihood the page can score: write a "
                "whole percent from 0 to 100, e.g. “(about 70%)”."
            )
    return None


def band_of(percent: int) -> str:
    """Return the likelihood band a percentage falls in, e.g. "61–80%"."""
    low, high = next(b for b in BANDS if b[0] <= percent <= b[1])
    return f"{low}–{high}%"


# Keeping small counts off the page ---------------------------------------------------------


def hide(counts: Sequence[int], enough: Sequence[bool]) -> tuple[int | None, ...]:
    """Return the counts of one row as the page may show them (None: not shown).

    A count without enough behind it is not shown. When that would leave exactly one count
    of the row hidden, the smallest other is hidden too: otherwise the row's total less
    the counts shown would give the hidden one away.
    """
    hidden = {n for n, ok in enumerate(enough) if not ok}
    if len(hidden) == 1 and len(counts) > 1:
        others = [n for n in range(len(counts)) if n not in hidden]
        hidden.add(min(others, key=lambda n: (counts[n], n)))
    return tuple(None if n in hidden else c for n, c in enumerate(counts))


# The calibration table ---------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    """One likelihood band: how many forecasts, what the meeting said on average, each
    outcome and the share that came true; None wherever the count is not shown."""

    label: str
    forecasts: int | None
    said: int | None
    counts: tuple[int | None, ...]
    came_true: int | None


@dataclass(frozen=True)
class Calibration:
    """The calibration table and the Brier score over answered forecasts with a likelihood.

    `scored` is how many there were: None when it is not shown (with exactly one band's
    number not shown, it would give that one away), `brier` None with fewer than 3; `any`
    says whether any answered forecast carries a likelihood.
    """

    bands: list[Band]
    scored: int | None
    brier: float | None
    any: bool


def _percent(value: float) -> int:
    # Half-way rounds up, as a person rounding a share would.
    return int(value * 100 + 0.5)


def calibration(answered: Iterable[tuple[int, ForecastResult]]) -> Calibration:
    """Build the calibration table and the Brier score from answered forecasts, each its
    likelihood (whole percent) and what happened."""
    answers = [(p, ForecastResult(r)) for p, r in answered]
    bands = []
    totals = []
    for low, high in BANDS:
        inside = [(p, r) for p, r in answers if low <= p <= high]
        totals.append(len(inside))
        counts = tuple(sum(1 for _p, r in inside if r == result) for result in RESULTS)
        if len(inside) < FEWEST:
            bands.append(Band(f"{low}–{high}%", None, None, (None,) * len(RESULTS), None))
            continue
        shown = hide(counts, [c >= FEWEST for c in counts])
        came = sum(OUTCOME[r] for _p, r in inside) / len(inside)
        bands.append(
            Band(
                f"{low}–{high}%",
                len(inside),
                _percent(sum(p for p, _r in inside) / len(inside) / 100),
                shown,
                _percent(came) if None not in shown else None,
            )
        )
    if len(answers) < FEWEST:
        return Calibration(bands, None, None, bool(answers))
    hidden_bands = sum(1 for n in totals if n < FEWEST)
    brier = sum((p / 100 - OUTCOME[r]) ** 2 for p, r in answers) / len(answers)
    return Calibration(bands, None if hidden_bands == 1 else len(answers), brier, True)


# The ratings table -------------------------------------------------------------------------


@dataclass(frozen=True)
class Counted:
    """One rating behind a decision, once for each of its answered forecasts."""

    scale: str
    agency: str
    rated: str
    person: int
    result: ForecastResult


@dataclass(frozen=True)
class Row:
    """How often an agency's ratings in one band were followed by each outcome; a count is
    None where it is not shown."""

    scale: str
    agency: str
    rated: str
    counts: tuple[int | None, ...]
    total: int


def rows(counted: Iterable[Counted]) -> tuple[list[Row], int]:
    """Count ratings per scale, agency and band by outcome, keeping off the page any row or
    count that rests on fewer than 3 people's ratings; return the rows shown and how many
    were left out."""
    by_row: dict[tuple[str, str, str], list[Counted]] = {}
    for c in counted:
        by_row.setdefault((c.scale, c.agency, c.rated), []).append(c)
    shown, left_out = [], 0
    for key in sorted(by_row, key=lambda k: (k[0], k[1].casefold(), k[2])):
        inside = by_row[key]
        if len({c.person for c in inside}) < FEWEST:
            left_out += 1
            continue
        counts = [sum(1 for c in inside if c.result == r) for r in RESULTS]
        people = [len({c.person for c in inside if c.result == r}) for r in RESULTS]
        shown.append(Row(*key, hide(counts, [n >= FEWEST for n in people]), len(inside)))
    return shown, left_out


def people(attendees: Iterable[tuple[int, int | None, str, str, str]]) -> dict[int, int]:
    """Tell people apart across meetings: attendees (id, the attendee they returned as,
    email, name, agency) who share an email, a name with an agency, or a return are one
    person. Return each attendee's person, as the smallest attendee id among them."""
    listed = list(attendees)
    parent = {a[0]: a[0] for a in listed}

    def root(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    def join(a: int, b: int) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    seen: dict[tuple[str, ...], int] = {}
    for attendee_id, returned, email, name, agency in listed:
        if returned is not None and returned in parent:
            join(attendee_id, returned)
        keys: list[tuple[str, ...]] = [("name", name.strip().casefold(), agency.strip().casefold())]
        if email.strip():
            keys.append(("email", email.strip().casefold()))
        for key in keys:
            if key in seen:
                join(attendee_id, seen[key])
            else:
                seen[key] = attendee_id
    return {a[0]: root(a[0]) for a in listed}
