"""What discussion changed: each rater's round 1 against their latest, without an app."""

from meeting.models.states import Scale
from meeting.rating.discussion import Way, compare, sentence, way_words
from meeting.rating.scales import Value

SAFETY, LXS, CHOICE = Scale.SAFETY, Scale.LXS, Scale.CHOICE
OPTIONS = ["Child-protection plan", "Child-in-need plan", "No further action"]


def scores(*values: int) -> dict[int, Value]:
    return {who: Value(score=v) for who, v in enumerate(values, start=1) if v is not None}


def test_safety_counts_who_moved_towards_round_1s_middle_away_and_held():
    # Round 1: 2 3 4 4 6 8 (median 4); round 2: 5 4 4 6 6 5 (median 5).
    c = compare(SAFETY, [], scores(2, 3, 4, 4, 6, 8), scores(5, 4, 4, 6, 6, 5))
    assert c.ways == {
        1: Way.TOWARDS,
        2: Way.TOWARDS,
        3: Way.HELD,
        4: Way.AWAY,
        5: Way.HELD,
        6: Way.TOWARDS,
    }
    assert sentence(SAFETY, c) == (
        "Round 1: median 4, range 2–8; round 2: median 5, range 4–6. "
        "3 moved towards round 1's middle, 1 away from it, 2 held."
    )


def test_the_middle_is_round_1s_not_the_latest():
    # Round 1's median is 3; round 2's is 7. Moving from 5 to 6 is away from round 1's
    # middle, though it is nearer round 2's.
    c = compare(SAFETY, [], scores(1, 3, 5), scores(7, 7, 6))
    assert c.ways[3] == Way.AWAY
    assert c.ways[1] == Way.AWAY and c.ways[2] == Way.AWAY


def test_moving_to_the_other_side_no_nearer_is_said_apart():
    c = compare(SAFETY, [], scores(3, 5, 7), scores(7, 5, 3))
    assert c.ways == {1: Way.ACROSS, 2: Way.HELD, 3: Way.ACROSS}
    assert sentence(SAFETY, c).endswith(
        "0 moved towards round 1's middle, 0 away from it, 1 held, 2 moved across it."
    )


def test_someone_rating_in_one_round_only_is_listed_and_not_compared():
    first = scores(2, 4, 6)
    latest = {2: Value(score=4), 3: Value(score=5), 4: Value(score=9)}
    c = compare(SAFETY, [], first, latest)
    assert c.ways == {1: None, 2: Way.HELD, 3: Way.TOWARDS, 4: None}
    assert sentence(SAFETY, c).endswith(
        "1 held. 2 not compared (a rating in one of the two rounds only)."
    )
    assert way_words(SAFETY, None) == "Not compared: no rating in both rounds"


def lxs(*pairs: tuple[int, int]) -> dict[int, Value]:
    return {who: Value(likelihood=a, severity=b) for who, (a, b) in enumerate(pairs, start=1)}


def test_likelihood_by_severity_moves_by_score_against_round_1s_median_score():
    # Round 1 scores 4, 8, 15 (median 8); round 2 scores 6, 8, 12.
    c = compare(LXS, [], lxs((2, 2), (2, 4), (3, 5)), lxs((2, 3), (4, 2), (3, 4)))
    assert c.ways == {1: Way.TOWARDS, 2: Way.HELD, 3: Way.TOWARDS}
    assert sentence(LXS, c) == (
        "Round 1: median score 8 (Medium), range 4–15; "
        "round 2: median score 8 (Medium), range 6–12. "
        "2 moved towards round 1's middle, 0 away from it, 1 held."
    )


def test_likelihood_by_severity_the_same_score_another_way_is_held():
    # L2 × S4 and L4 × S2 both score 8: the risk is rated the same.
    c = compare(LXS, [], lxs((2, 4), (1, 1)), lxs((4, 2), (1, 1)))
    assert c.ways[1] == Way.HELD


def picks(*chosen: str) -> dict[int, Value]:
    return {who: Value(choice=c) for who, c in enumerate(chosen, start=1)}


def test_a_choice_list_counts_who_changed_to_round_1s_largest_group_away_and_held():
    cpp, cin, nfa = OPTIONS
    c = compare(CHOICE, OPTIONS, picks(cin, cin, cin, cpp, nfa), picks(cin, cpp, cin, cin, cpp))
    assert c.ways == {1: Way.HELD, 2: Way.AWAY, 3: Way.HELD, 4: Way.TOWARDS, 5: Way.ACROSS}
    assert sentence(CHOICE, c) == (
        "Round 1: majority: Child-in-need plan (3 of 5), 3 of 3 options chosen; "
        "round 2: majority: Child-in-need plan (3 of 5), 2 of 3 options chosen. "
        "1 changed to round 1's largest group, 1 away from it, 2 held, "
        "1 changed between other options."
    )
    assert way_words(CHOICE, Way.TOWARDS) == "Changed to the largest group"
    assert way_words(CHOICE, Way.AWAY) == "Changed away from the largest group"


def test_a_choice_list_with_two_largest_groups_counts_either_as_the_largest():
    cpp, cin, nfa = OPTIONS
    c = compare(CHOICE, OPTIONS, picks(cpp, cpp, cin, cin, nfa), picks(cpp, cin, cin, cin, cin))
    assert c.ways == {1: Way.HELD, 2: Way.ACROSS, 3: Way.HELD, 4: Way.HELD, 5: Way.TOWARDS}
