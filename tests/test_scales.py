"""The scale arithmetic: what is a valid rating, the middle, the range and minority views."""

import pytest

from meeting.rating import scales
from meeting.rating.scales import CHOICE, LXS, SAFETY, InvalidRating, Value, summarise

OPTIONS = ["Child-protection plan", "Child-in-need plan", "No further action"]


def safety(*scores):
    return [Value(score=s) for s in scores]


def lxs(*pairs):
    return [Value(likelihood=a, severity=b) for a, b in pairs]


def choices(*picked):
    return [Value(choice=c) for c in picked]


@pytest.mark.parametrize(
    ("scale", "form", "expected"),
    [
        (SAFETY, {"score": "0"}, Value(score=0)),
        (SAFETY, {"score": " 10 "}, Value(score=10)),
        (LXS, {"likelihood": "3", "severity": "5"}, Value(likelihood=3, severity=5)),
        (CHOICE, {"choice": "Child-in-need plan"}, Value(choice="Child-in-need plan")),
    ],
)
def test_valid_ratings_are_read(scale, form, expected):
    assert scales.parse(scale, OPTIONS, form) == expected


@pytest.mark.parametrize(
    ("scale", "form", "message"),
    [
        (SAFETY, {"score": "11"}, "from 0 to 10; 11 is off the scale"),
        (SAFETY, {"score": "-1"}, "off the scale"),
        (SAFETY, {"score": "seven"}, "must be a whole number"),
        (SAFETY, {}, "Choose a safety score"),
        (LXS, {"likelihood": "6", "severity": "2"}, "likelihood must be from 1 to 5"),
        (LXS, {"likelihood": "2", "severity": "0"}, "severity must be from 1 to 5"),
        (LXS, {"likelihood": "2"}, "Choose a severity"),
        (CHOICE, {"choice": "Adoption"}, "“Adoption” is not one of this item's options"),
        (CHOICE, {}, "Choose one of the options"),
    ],
)
def test_ratings_off_the_scale_are_refused_with_the_reason(scale, form, message):
    with pytest.raises(InvalidRating, match=message):
        scales.parse(scale, OPTIONS, form)


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (1, "Low"),
        (4, "Low"),
        (5, "Medium"),
        (9, "Medium"),
        (10, "High"),
        (16, "High"),
        (20, "Very high"),
        (25, "Very high"),
        (9.5, "High"),
    ],
)
def test_likelihood_severity_bands(score, band):
    assert scales.band(score) == band


def test_lxs_reads_with_score_and_band():
    assert scales.describe(LXS, Value(likelihood=4, severity=4)) == "L4 × S4 = 16 (High)"


def test_safety_minority_is_three_or_more_points_from_the_median():
    summary = summarise(SAFETY, [], safety(2, 5, 6, 6, 9))
    assert summary.middle == "Median 6"
    assert summary.spread == "Range 2–9"
    assert summary.minority == (True, False, False, False, True)


def test_safety_median_of_an_even_count_can_be_a_half():
    summary = summarise(SAFETY, [], safety(4, 5))
    assert summary.middle == "Median 4.5"
    assert summary.minority == (False, False)


def test_unanimous_safety_ratings_have_no_minority():
    summary = summarise(SAFETY, [], safety(7, 7, 7))
    assert summary.spread == "Range: all 7"
    assert not any(summary.minority)


def test_lxs_minority_is_a_band_away_from_the_median_band():
    # Scores 6, 8, 9 (Medium), 16 (High), 2 (Low): median 8, Medium.
    summary = summarise(LXS, [], lxs((2, 3), (2, 4), (3, 3), (4, 4), (1, 2)))
    assert summary.middle == "Median score 8 (Medium)"
    assert summary.minority == (False, False, False, True, True)
    assert dict(summary.bars) == {"Low": 1, "Medium": 3, "High": 1, "Very high": 0}


def test_choice_minority_is_anyone_outside_the_largest_group():
    summary = summarise(CHOICE, OPTIONS, choices(OPTIONS[0], OPTIONS[0], OPTIONS[1], OPTIONS[0]))
    assert summary.middle == "Majority: Child-protection plan (3 of 4)"
    assert summary.minority == (False, False, True, False)


def test_choice_without_a_majority_names_the_largest_group():
    picked = choices(OPTIONS[0], OPTIONS[0], OPTIONS[1], OPTIONS[2])
    summary = summarise(CHOICE, OPTIONS, picked)
    assert summary.middle == "Largest group: Child-protection plan (2 of 4)"
    assert summary.minority == (False, False, True, True)


def test_choice_tie_for_largest_group_marks_only_those_outside_both():
    picked = choices(OPTIONS[0], OPTIONS[1], OPTIONS[0], OPTIONS[1], OPTIONS[2])
    summary = summarise(CHOICE, OPTIONS, picked)
    assert summary.middle.startswith("No single largest group")
    assert summary.minority == (False, False, False, False, True)


def test_safety_chart_has_a_bar_for_every_point():
    summary = summarise(SAFETY, [], safety(3, 3, 8))
    assert [label for label, _ in summary.bars] == [str(n) for n in range(11)]
    assert dict(summary.bars)["3"] == 2 and dict(summary.bars)["8"] == 1


@pytest.mark.parametrize(
    ("scale", "values", "divergent"),
    [
        (SAFETY, safety(2, 4, 7), "Wide disagreement: ratings run from 2 to 7."),
        (SAFETY, safety(2, 4, 6), ""),
        (LXS, lxs((1, 2), (4, 4)), "Wide disagreement: ratings run from Low (2) to High (16)."),
        (LXS, lxs((1, 2), (2, 3)), ""),
        (
            CHOICE,
            choices(OPTIONS[0], OPTIONS[1]),
            "Wide disagreement: no option is held by a majority.",
        ),
        (CHOICE, choices(OPTIONS[0], OPTIONS[0], OPTIONS[1]), ""),
        (CHOICE, choices(OPTIONS[0]), ""),
    ],
)
def test_a_wide_spread_is_called_divergent_in_plain_words(scale, values, divergent):
    assert summarise(scale, OPTIONS, values).divergence == divergent


@pytest.mark.parametrize(("scores", "prompted"), [((1, 2, 3), True), ((2, 3, 3), False)])
def test_a_safety_median_at_or_below_two_prompts_protective_action(scores, prompted):
    summary = summarise(SAFETY, [], safety(*scores))
    assert scales.needs_protective_prompt(SAFETY, summary) is prompted


def test_only_the_safety_scale_prompts_protective_action():
    summary = summarise(LXS, [], lxs((1, 1), (1, 2)))
    assert scales.needs_protective_prompt(LXS, summary) is False


# The minority rule on each scale: far from the middle, and held by fewer than a third.


def test_the_issue_round_marks_one_minority_and_says_the_room_divided():
    # L4×S4, L3×S4, L1×S4, L2×S3, L2×S3 and a written L2×S4: scores 16, 12, 4, 6, 6, 8.
    summary = summarise(LXS, [], lxs((4, 4), (3, 4), (1, 4), (2, 3), (2, 3), (2, 4)))
    assert summary.middle == "Median score 7 (Medium)"
    # The key worker's Low is a minority view; the two Highs are a third of the room.
    assert summary.minority == (False, False, True, False, False, False)
    assert summary.divided == (
        "The meeting was divided: 1 of 6 rated Low; 3 of 6 rated Medium; 2 of 6 rated High."
    )


@pytest.mark.parametrize(
    ("scale", "room", "marked", "divided"),
    [
        # Safety scale: 3 or more points from the median.
        (SAFETY, safety(6, 7, 6, 5, 6), (False,) * 5, ""),
        (SAFETY, safety(7, 7, 6, 7, 1), (False,) * 4 + (True,), ""),
        (SAFETY, safety(2, 2, 2, 8, 8, 8), (False,) * 6, "3 of 6 rated 2; 3 of 6 rated 8"),
        (
            SAFETY,
            safety(1, 1, 5, 5, 5, 9),
            (False,) * 5 + (True,),
            "2 of 6 rated 1; 3 of 6 rated 5; 1 of 6 rated 9",
        ),
        (SAFETY, safety(2, 8), (False, False), "1 of 2 rated 2; 1 of 2 rated 8"),
        (SAFETY, safety(2, 8, 8), (True, False, False), ""),
        # Likelihood × severity: a band from the median's band.
        (LXS, lxs((2, 3), (3, 3), (2, 4), (3, 2)), (False,) * 4, ""),
        (LXS, lxs((2, 3), (3, 3), (2, 4), (3, 2), (5, 5)), (False,) * 4 + (True,), ""),
        (
            LXS,
            lxs((1, 2), (1, 3), (1, 2), (4, 4), (4, 5), (5, 4)),
            (False,) * 6,
            "3 of 6 rated Low; 1 of 6 rated High; 2 of 6 rated Very high",
        ),
        # Choice list: outside the largest group, and held by few.
        (CHOICE, choices(*[OPTIONS[0]] * 4, OPTIONS[1]), (False,) * 4 + (True,), ""),
        (
            CHOICE,
            choices(*[OPTIONS[0]] * 3, *[OPTIONS[1]] * 3),
            (False,) * 6,
            f"3 of 6 chose {OPTIONS[0]}; 3 of 6 chose {OPTIONS[1]}",
        ),
        (
            CHOICE,
            choices(*[OPTIONS[0]] * 4, *[OPTIONS[1]] * 2),
            (False,) * 6,
            f"4 of 6 chose {OPTIONS[0]}; 2 of 6 chose {OPTIONS[1]}",
        ),
        (
            CHOICE,
            choices(*[OPTIONS[0]] * 5, OPTIONS[1], OPTIONS[2]),
            (False,) * 5 + (True, True),
            "",
        ),
    ],
)
def test_a_minority_is_few_and_far_and_a_split_room_is_divided(scale, room, marked, divided):
    summary = summarise(scale, OPTIONS, room)
    assert summary.minority == marked
    assert summary.divided == (f"The meeting was divided: {divided}." if divided else "")


def test_a_minority_is_never_as_much_as_a_third_of_the_room():
    for n in range(2, 13):
        for far in range(1, n):
            room = safety(*([1] * far + [6] * (n - far)))
            summary = summarise(SAFETY, [], room)
            count = sum(summary.minority)
            assert count == 0 or count == 1 or count < n / 3, (n, far, summary.minority)
