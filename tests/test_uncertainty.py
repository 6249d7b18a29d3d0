"""How sure a rater is, or what they need before they can rate: the rules, without an app."""

import pytest

from meeting.models import Sureness
from meeting.rating import uncertainty
from meeting.rating.scales import CHOICE, LXS, SAFETY, InvalidRating, Value
from meeting.rating.uncertainty import Answer, describe_range, read, said

OPTIONS = ["Child-protection plan", "Child-in-need plan", "No further action"]


@pytest.mark.parametrize(
    ("scale", "form", "expected"),
    [
        # The simple case: a value and nothing else.
        (SAFETY, {"score": "6"}, Answer(Value(score=6))),
        (SAFETY, {"score": "6", "low": "", "high": "", "sure": ""}, Answer(Value(score=6))),
        (
            SAFETY,
            {"score": "6", "low": "4", "high": "7", "sure": "fairly"},
            Answer(Value(score=6), 4, 7, Sureness.FAIRLY),
        ),
        # The ends of the range may be the rating itself.
        (SAFETY, {"score": "0", "low": "0", "high": "0"}, Answer(Value(score=0), 0, 0)),
        (SAFETY, {"score": "6", "sure": "unsure"}, Answer(Value(score=6), sure=Sureness.UNSURE)),
        # Likelihood × severity: a range of bands, each given as its top score. 3 × 3 = 9 is
        # Medium; Low–High holds it.
        (
            LXS,
            {"likelihood": "3", "severity": "3", "low": "4", "high": "16"},
            Answer(Value(likelihood=3, severity=3), 4, 16),
        ),
        # 2 × 2 = 4, the top of Low: a range of Low alone holds it.
        (
            LXS,
            {"likelihood": "2", "severity": "2", "low": "4", "high": "4", "sure": "sure"},
            Answer(Value(likelihood=2, severity=2), 4, 4, Sureness.SURE),
        ),
        # A choice list has no range: only sureness is read.
        (
            CHOICE,
            {"choice": "Child-in-need plan", "sure": "sure", "low": "1", "high": "9"},
            Answer(Value(choice="Child-in-need plan"), sure=Sureness.SURE),
        ),
    ],
)
def test_a_rating_is_read_with_its_optional_range_and_sureness(scale, form, expected):
    assert read(scale, OPTIONS, form) == expected


@pytest.mark.parametrize(
    ("scale", "form", "message"),
    [
        (SAFETY, {"score": "6", "low": "4"}, "Give both the lowest and the highest"),
        (SAFETY, {"score": "6", "high": "9"}, "Give both the lowest and the highest"),
        (
            SAFETY,
            {"score": "6", "low": "7", "high": "9"},
            r"lowest you think plausible \(7\) is above your rating, 6",
        ),
        (
            SAFETY,
            {"score": "6", "low": "2", "high": "5"},
            r"highest you think plausible \(5\) is below your rating, 6",
        ),
        (
            SAFETY,
            {"score": "6", "low": "-1", "high": "9"},
            "lowest you think plausible must be a whole number from 0 to 10",
        ),
        (
            SAFETY,
            {"score": "6", "low": "2", "high": "11"},
            "highest you think plausible must be a whole number from 0 to 10",
        ),
        (SAFETY, {"score": "6", "low": "two", "high": "9"}, "whole number from 0 to 10"),
        (
            SAFETY,
            {"score": "6", "sure": "certain"},
            "Say how sure you are: sure, fairly sure or not sure",
        ),
        # 4 × 4 = 16 is High: a lowest band of Very high is above it, a highest of Medium below.
        (
            LXS,
            {"likelihood": "4", "severity": "4", "low": "25", "high": "25"},
            r"lowest you think plausible \(Very high\) is above your rating, 16 \(High\)",
        ),
        (
            LXS,
            {"likelihood": "4", "severity": "4", "low": "4", "high": "9"},
            r"highest you think plausible \(Medium\) is below your rating, 16 \(High\)",
        ),
        # A band is given by its top score: any other number is not a band.
        (
            LXS,
            {"likelihood": "4", "severity": "4", "low": "10", "high": "16"},
            "Choose the lowest band you think plausible from the list",
        ),
        # The value itself is still checked first.
        (SAFETY, {"score": "12", "low": "2", "high": "9"}, "12 is off the scale"),
        (CHOICE, {"sure": "sure"}, "Choose one of the options"),
    ],
)
def test_a_range_or_sureness_that_does_not_hold_is_refused_with_the_reason(scale, form, message):
    with pytest.raises(InvalidRating, match=message):
        read(scale, OPTIONS, form)


def test_cannot_rate_needs_what_is_needed_and_carries_no_value():
    form = {
        "answer": "cannot",
        "needs": "  the school's   attendance since March ",
        # Whatever else the form still held is not a rating.
        "score": "6",
        "low": "4",
        "high": "7",
        "sure": "sure",
    }
    answer = read(SAFETY, OPTIONS, form)
    assert answer == Answer(None, needs="the school's attendance since March")
    assert answer.cannot_rate

    with pytest.raises(InvalidRating, match="Say what you need to know before you can rate"):
        read(SAFETY, OPTIONS, {"answer": "cannot", "needs": "   "})
    with pytest.raises(InvalidRating, match="500 characters or fewer"):
        read(LXS, OPTIONS, {"answer": "cannot", "needs": "x" * 501})
    # Without the button, the same text is no answer: a rating is asked for.
    with pytest.raises(InvalidRating, match="Choose a safety score"):
        read(SAFETY, OPTIONS, {"needs": "the police check"})


@pytest.mark.parametrize(
    ("scale", "low", "high", "sure", "words"),
    [
        (SAFETY, 4, 7, Sureness.FAIRLY, "plausible 4–7, fairly sure"),
        (SAFETY, 5, 5, None, "plausible 5"),
        (SAFETY, None, None, Sureness.UNSURE, "not sure"),
        (SAFETY, None, None, None, ""),
        (LXS, 9, 16, "sure", "plausible Medium–High, sure"),
        (LXS, 16, 16, None, "plausible High"),
        (CHOICE, None, None, Sureness.SURE, "sure"),
    ],
)
def test_uncertainty_is_said_in_a_few_words(scale, low, high, sure, words):
    assert said(scale, low, high, sure) == words


def test_ranges_read_as_the_scale_does():
    assert describe_range(SAFETY, 0, 10) == "0–10"
    assert describe_range(LXS, 4, 25) == "Low–Very high"
    assert describe_range(LXS, None, 25) == ""
    assert uncertainty.sureness("fairly") == "Fairly sure"
    assert uncertainty.sureness(None) == ""
    assert uncertainty.gaps_line(2) == "2 could not rate: information needed on"
