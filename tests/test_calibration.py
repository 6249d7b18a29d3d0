"""Forecasts that can be scored, as rules: the likelihood a forecast line ends with, the
calibration table and Brier score, and the counts kept off the page so no one's rating can
be read from it."""

import pytest

from meeting.cases.calibration import (
    Counted,
    band_of,
    calibration,
    hide,
    likelihood,
    likelihood_problem,
    people,
    rows,
)
from meeting.models.states import ForecastResult

MET, PARTLY, NOT_MET = ForecastResult.MET, ForecastResult.PARTLY, ForecastResult.NOT_MET


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("Attends school every day (about 70%)", 70),
        ("Attends school every day (70%)", 70),
        ("Attends school every day about 70%", 70),
        ("Attends school every day, about 70%", 70),
        ("No missing episodes — 70%", 70),
        ("No missing episodes: 5%", 5),
        ("Home by 10pm (About 100 %).", 100),
        ("Home by 10pm (around 0%)", 0),
        ("Attends school 90% or more (about 80%)", 80),
        # A percentage that is what is forecast is no likelihood.
        ("Attends school 90% or more", None),
        ("Attendance at least 90%", None),
        ("Attendance 60-70%", None),
        ("No missing episodes", None),
        ("", None),
        # Not a whole percent from 0 to 100: not scored.
        ("No missing episodes (about 150%)", None),
        ("No missing episodes (about 70.5%)", None),
    ],
)
def test_a_forecast_line_may_end_with_the_meetings_likelihood(line, said):
    assert likelihood(line) == said


def test_a_likelihood_that_cannot_be_scored_is_named_with_its_line():
    assert likelihood_problem(["No missing episodes (about 70%)", "Attends 90% or more"]) is None
    problem = likelihood_problem(["No missing episodes", "Home every night (about 150%)"])
    assert problem is not None
    assert problem.startswith("Line 2: “(about 150%)” is not a likelihood")
    assert "whole percent from 0 to 100" in problem
    assert "Line 1: “— 70.5%”" in (likelihood_problem(["Home — 70.5%"]) or "")


def test_bands_are_fifths_of_a_hundred():
    assert [band_of(p) for p in (0, 20, 21, 60, 61, 80, 81, 100)] == [
        "0–20%",
        "0–20%",
        "21–40%",
        "41–60%",
        "61–80%",
        "61–80%",
        "81–100%",
        "81–100%",
    ]


def test_a_lone_hidden_count_takes_the_smallest_other_with_it():
    # One hidden count would be the total less the others: the smallest other goes too.
    assert hide((5, 1, 4), (True, False, True)) == (5, None, None)
    assert hide((0, 4, 3), (False, True, True)) == (None, 4, None)
    # Two or more hidden already keep each other.
    assert hide((5, 1, 0), (True, False, False)) == (5, None, None)
    assert hide((3, 3, 3), (True, True, True)) == (3, 3, 3)
    assert hide((1, 0, 2), (False, False, False)) == (None, None, None)


TEN = [
    (70, NOT_MET),
    (80, MET),
    (70, PARTLY),
    (75, MET),
    (65, NOT_MET),
    (70, NOT_MET),
    (70, PARTLY),
    (65, MET),
    (70, PARTLY),
    (85, MET),
]


def test_the_calibration_table_counts_by_band_and_scores_partly_met_as_half():
    table = calibration(TEN)
    shown = {b.label: b for b in table.bands}
    assert list(shown) == ["0–20%", "21–40%", "41–60%", "61–80%", "81–100%"]
    band = shown["61–80%"]
    assert (band.forecasts, band.said, band.counts, band.came_true) == (9, 71, (3, 3, 3), 50)
    # The 85% forecast is alone in its band: nothing of it is shown, not even that it is one.
    alone = shown["81–100%"]
    assert (alone.forecasts, alone.said, alone.counts, alone.came_true) == (
        None,
        None,
        (None, None, None),
        None,
    )
    assert shown["0–20%"].forecasts is None, "no forecasts is a count under 3 too"
    # Brier: the mean of (p − o)², o = 1 met, ½ partly, 0 not met.
    expected = sum((p / 100 - {MET: 1, PARTLY: 0.5, NOT_MET: 0}[r]) ** 2 for p, r in TEN) / 10
    assert table.brier == pytest.approx(expected) == pytest.approx(0.177)
    assert table.scored == 10


def test_a_band_hiding_a_count_hides_the_share_that_came_true():
    # 61–80%: 5 forecasts, 4 met, 1 not met. Not met and partly (0) are hidden; the share
    # that came true (80% or 90%) would say which, so it is not shown.
    table = calibration([(70, MET)] * 4 + [(70, NOT_MET)])
    band = {b.label: b for b in table.bands}["61–80%"]
    assert (band.forecasts, band.said, band.counts) == (5, 70, (4, None, None))
    assert band.came_true is None


def test_the_number_scored_is_not_shown_when_it_would_give_one_band_away():
    # Every band but 0–20% has 3 or more: the total less the bands shown would be its number.
    answers = [(p, MET) for p in (30, 30, 30, 50, 50, 50, 70, 70, 70, 90, 90, 90, 10)]
    table = calibration(answers)
    assert [b.forecasts for b in table.bands] == [None, 3, 3, 3, 3]
    assert table.scored is None and table.brier is not None
    # With two bands hidden, neither can be worked out: the number is shown.
    assert calibration(answers[:-4] + [(10, MET)]).scored == 10


def test_fewer_than_three_scored_forecasts_give_no_brier_score():
    assert calibration([(70, MET), (20, NOT_MET)]).brier is None
    assert calibration([]).brier is None and not calibration([]).any
    assert calibration([(70, MET)]).any


def counted(agency: str, rated: str, person: int, *results: ForecastResult) -> list[Counted]:
    return [Counted("Safety scale 0–10", agency, rated, person, r) for r in results]


def test_a_row_of_ratings_appears_only_resting_on_three_people():
    # One officer's rating, counted once for each of three forecasts, is still one person.
    alone = counted("Police", "0–3", 1, MET, MET, MET)
    shown, left_out = rows(alone)
    assert shown == [] and left_out == 1
    three = [c for person in (1, 2, 3) for c in counted("Police", "0–3", person, MET, MET)]
    shown, left_out = rows(three + counted("School", "7–10", 4, MET, NOT_MET))
    assert left_out == 1
    assert [(r.agency, r.rated, r.counts, r.total) for r in shown] == [
        ("Police", "0–3", (6, None, None), 6)
    ]


def test_a_count_resting_on_fewer_than_three_people_is_hidden_with_a_second():
    # Four officers; the not met forecast rests on two of them: hidden, and since it would be
    # the only one hidden, partly met (0) goes with it.
    police = [c for person in (1, 2, 3, 4) for c in counted("Police", "0–3", person, MET)]
    police += counted("Police", "0–3", 1, NOT_MET) + counted("Police", "0–3", 2, NOT_MET)
    shown, _ = rows(police)
    assert [(r.counts, r.total) for r in shown] == [((4, None, None), 6)]


def test_people_are_told_apart_by_email_name_and_agency_and_return():
    found = people(
        [
            (1, None, "priya@police.example", "Priya Shah", "Police"),
            (2, None, "", "priya shah", "police "),  # the same name and agency
            (3, None, "PRIYA@police.example", "P. Shah", "Police"),  # the same email
            (4, 3, "", "Priya S", "Police"),  # returned as attendee 3
            (5, None, "", "Priya Shah", "School"),  # another agency: another person
        ]
    )
    assert found == {1: 1, 2: 1, 3: 1, 4: 1, 5: 5}
