"""A target by a date, and the optimism check at a review: the words and the arithmetic,
over plain values (no app)."""

import pytest

from meeting.cases.optimism import question
from meeting.cases.targets import Target, against, read
from meeting.models import ActionStatus, ForecastResult, Scale
from meeting.rating.scales import Value

SAFETY, LXS, CHOICE = Scale.SAFETY, Scale.LXS, Scale.CHOICE
OPTIONS = ["Child-protection plan", "Child-in-need plan", "No further action"]
DONE, PARTLY, NOT_DONE, NOT_NEEDED = (
    ActionStatus.DONE,
    ActionStatus.PARTLY,
    ActionStatus.NOT_DONE,
    ActionStatus.NOT_NEEDED,
)
MET, PARTLY_MET, NOT_MET = ForecastResult.MET, ForecastResult.PARTLY, ForecastResult.NOT_MET


def safety(*scores):
    return [Value(score=s) for s in scores]


def lxs(*pairs):
    return [Value(likelihood=a, severity=b) for a, b in pairs]


@pytest.mark.parametrize(
    ("scale", "raw", "expected"),
    [
        (SAFETY, "", (None, None)),
        (SAFETY, " 7 ", (7, None)),
        (SAFETY, "0", (0, None)),
        (LXS, "9", (9, None)),
        (CHOICE, "Child-in-need plan", (None, "Child-in-need plan")),
    ],
)
def test_a_target_is_read_from_the_form(scale, raw, expected):
    errors: dict[str, str] = {}
    assert read(scale, OPTIONS, raw, errors) == expected
    assert errors == {}


@pytest.mark.parametrize(
    ("scale", "raw", "message"),
    [
        (SAFETY, "11", "The target is a whole safety score from 0 to 10; “11” is not one."),
        (SAFETY, "seven", "The target is a whole safety score from 0 to 10; “seven” is not one."),
        (LXS, "10", "Pick the band the risk should be at most by the review."),
        (CHOICE, "Adoption", "“Adoption” is not one of this item's options: pick one, or none."),
    ],
)
def test_a_target_off_the_scale_is_refused_with_the_reason(scale, raw, message):
    errors: dict[str, str] = {}
    assert read(scale, OPTIONS, raw, errors) == (None, None)
    assert errors == {"target": message}


def test_a_target_reads_as_the_minutes_write_it():
    assert Target(SAFETY, point=7).words == "safety at least 7"
    assert Target(LXS, point=9).words == "likelihood × severity at most Medium"
    assert Target(CHOICE, choice="Child-in-need plan").words == "“Child-in-need plan”"


@pytest.mark.parametrize(
    ("target", "values", "line", "met"),
    [
        (
            Target(SAFETY, point=7),
            safety(4, 5, 6),
            "Target: safety at least 7 by the review. Round 1's median is 5: not met, 2 short.",
            False,
        ),
        (
            Target(SAFETY, point=7),
            safety(7, 7, 9),
            "Target: safety at least 7 by the review. Round 1's median is 7: met.",
            True,
        ),
        (
            Target(SAFETY, point=6),
            safety(7, 8),
            "Target: safety at least 6 by the review. Round 1's median is 7.5: met, 1.5 above.",
            True,
        ),
        (
            Target(LXS, point=9),
            lxs((3, 4), (4, 3), (2, 2)),
            "Target: likelihood × severity at most Medium by the review. "
            "Round 1's median score is 12 (High): not met, 1 band above.",
            False,
        ),
        (
            Target(LXS, point=16),
            lxs((2, 2), (1, 3)),
            "Target: likelihood × severity at most High by the review. "
            "Round 1's median score is 3.5 (Low): met, 2 bands below.",
            True,
        ),
        (
            Target(CHOICE, choice="Child-in-need plan"),
            [Value(choice=c) for c in ("Child-in-need plan", "Child-in-need plan", OPTIONS[0])],
            "Target: “Child-in-need plan” by the review. Round 1's largest group chose "
            "“Child-in-need plan” (2 of 3): met.",
            True,
        ),
        (
            Target(CHOICE, choice="Child-in-need plan"),
            [Value(choice=c) for c in ("Child-in-need plan", OPTIONS[0])],
            "Target: “Child-in-need plan” by the review. Round 1 has no single largest group "
            "(“Child-in-need plan” / “Child-protection plan”, 1 each): not met.",
            False,
        ),
    ],
)
def test_round_1_is_set_against_the_target(target, values, line, met):
    outcome = against(target, values)
    assert outcome is not None
    assert outcome.line == line
    assert outcome.met is met


def test_nothing_is_set_against_a_target_with_no_ratings():
    assert against(Target(SAFETY, point=7), []) is None


@pytest.mark.parametrize(
    ("scale", "then", "now", "actions", "results", "asked"),
    [
        (
            SAFETY,
            4,
            7,
            [NOT_DONE, None, DONE],
            [NOT_MET, MET],
            "Rated safer than last time (median 4 → 7) while 1 action is not done and "
            "1 not reported on, and 1 forecast was not met: what new evidence explains the change?",
        ),
        (
            SAFETY,
            4,
            5.5,
            [PARTLY],
            [],
            "Rated safer than last time (median 4 → 5.5) while 1 action is only partly done: "
            "what new evidence explains the change?",
        ),
        (
            SAFETY,
            4,
            6,
            [DONE, NOT_NEEDED],
            [PARTLY_MET, NOT_MET],
            "Rated safer than last time (median 4 → 6) while 1 forecast was not met and "
            "1 only partly met: "
            "what new evidence explains the change?",
        ),
        (
            SAFETY,
            7,
            4,
            [DONE, NOT_NEEDED],
            [MET],
            "Rated less safe than last time (median 7 → 4) although both actions were done "
            "and the forecast was met: what new evidence explains the change?",
        ),
        (
            LXS,
            12,
            6,
            [None],
            [],
            "Rated lower risk than last time (median score 12 → 6) while 1 action is not "
            "reported on: what new evidence explains the change?",
        ),
        (
            LXS,
            6,
            12,
            [DONE],
            [],
            "Rated higher risk than last time (median score 6 → 12) although the action was "
            "done: what new evidence explains the change?",
        ),
    ],
)
def test_a_rating_that_moved_against_what_was_done_asks_why(
    scale, then, now, actions, results, asked
):
    assert question(scale, then, now, actions, results) == asked


@pytest.mark.parametrize(
    ("scale", "then", "now", "actions", "results"),
    [
        # Safer, and everything was done and met: nothing to explain.
        (SAFETY, 4, 7, [DONE], [MET]),
        # No change.
        (SAFETY, 5, 5, [NOT_DONE], [NOT_MET]),
        # Less safe while things were not done: what the plan expected.
        (SAFETY, 7, 4, [NOT_DONE], [MET]),
        (SAFETY, 7, 4, [DONE], [PARTLY_MET]),
        # Less safe with a forecast not yet answered: not known to be all met.
        (SAFETY, 7, 4, [DONE], [None]),
        # Less safe with nothing agreed or forecast: nothing to set it against.
        (SAFETY, 7, 4, [], []),
        # A choice list has no safer or less safe.
        (CHOICE, 1, 2, [NOT_DONE], []),
    ],
)
def test_a_rating_that_moved_with_what_was_done_asks_nothing(scale, then, now, actions, results):
    assert question(scale, then, now, actions, results) == ""
