"""A reveal without names on the shared screens: the chair's choice for a meeting.

When a meeting asks for it (`Meeting.reveal_unnamed`), the display and every phone show
the revealed ratings with their values, reasons and minority marks, and what those who
could not rate yet need, but without who gave them: no name, role or agency, in order of
the ratings rather than of the people. The chair's cockpit, the minutes and the record
keep every name, so dissent stays attributable where it is recorded. At a review the
shared screens leave out each agency's movement since the last meeting (with one person to
an agency, it names every rating) and keep the item's middle at each meeting; after a
decision they show the minority views without who holds them.
"""

from dataclasses import dataclass, replace
from typing import Any, cast

from ..models import Attendee, Meeting
from .concealment import Shown, Spread, Viewer


def names_off(meeting: Meeting, viewer: Viewer) -> bool:
    """Say whether this viewer sees the reveal without names: anyone but the chair, when
    the meeting asks for it."""
    return bool(meeting.reveal_unnamed) and not viewer.is_chair


@dataclass(frozen=True)
class Unnamed:
    """Someone who did not rate, counted but not named."""

    id: int = 0
    name: str = ""
    shown_as: str = ""


def _order(spread: Spread, shown: Shown) -> tuple[int, str]:
    """Sort a rating by where it sits on the chart, then by its words."""
    labels = [label for label, _n in spread.bars]
    at = next(
        (
            i
            for i, label in enumerate(labels)
            if shown.value in (label,) or shown.value.endswith(f"({label})")
        ),
        len(labels),
    )
    return at, shown.value


def _without_name(shown: Shown, family: bool) -> Shown:
    # The family's part ("Parent or carer") says which track it is on; it names no one.
    return replace(
        shown, name="", role="", agency="", attendee_id=0, part=shown.part if family else ""
    )


def as_seen(spread: Spread | None, unnamed: bool) -> Spread | None:
    """Return a revealed round's spread as drawn for a screen: without names when `unnamed`."""
    if spread is None or not unnamed:
        return spread
    ratings = sorted(spread.ratings, key=lambda s: _order(spread, s))
    family = sorted(spread.family, key=lambda s: _order(spread, s))
    return replace(
        spread,
        ratings=[_without_name(s, False) for s in ratings],
        # Drawn only for their number: a blank in each one's place.
        did_not_rate=cast("list[Attendee]", [Unnamed() for _a in spread.did_not_rate]),
        family=tuple(_without_name(s, True) for s in family),
        gaps=tuple(_without_name(g, False) for g in sorted(spread.gaps, key=lambda g: g.needs)),
    )


def earlier_as_seen(earlier: Any, unnamed: bool) -> Any:
    """Return an item's history across meetings as drawn for a screen: when `unnamed`,
    without each agency's (and family member's) movement, which names every rating; the
    middle at each meeting stays, and `moved_elsewhere` says the movement was left off."""
    if earlier is None or not unnamed:
        return earlier
    return replace(
        earlier,
        spreads=[(r, as_seen(s, True)) for r, s in earlier.spreads],
        moved=[],
        moved_elsewhere=bool(earlier.moved),
    )
