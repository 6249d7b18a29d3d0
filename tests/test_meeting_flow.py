"""A whole item through the web pages: start, rate blind, progress, reveal, spread, another round."""

from conftest import text_of


def _spread_page(people, device, name="stage"):
    return text_of(
        device.get(f"/m/{people.meeting_id}/region/{name}", headers={"HX-Request": "true"}).text
    )


def test_blind_rating_then_reveal_shows_the_spread_to_everyone(people):
    priya = people.join_admitted("Priya Shah", "Police")
    tom = people.join_admitted("Tom Reid", "School")
    people.start()
    round_id = people.open_round()

    assert people.rate(priya, round_id, score=2, reason="Known to the gang unit").status_code == 302
    page = text_of(tom.get(f"/m/{people.meeting_id}").text)
    assert "1 of 3 have rated" in page
    assert "Known to the gang unit" not in page

    people.rate(tom, round_id, score=7, reason="Attending every day")
    people.rate(people.chair, round_id, score=6)
    assert people.reveal(round_id).status_code == 302

    for device in (priya, tom, people.chair):
        stage = _spread_page(people, device)
        assert "Median 6" in stage
        assert "Range 2–7" in stage
        assert "Priya Shah Practitioner Police 2 Minority view Known to the gang unit" in stage
        assert "Tom Reid Practitioner School 7 Attending every day" in stage
        assert "Hear this view first" in stage


def test_someone_who_did_not_rate_is_shown_as_did_not_rate(people):
    people.join_admitted("Priya Shah", "Police")
    people.start()
    round_id = people.open_round()
    people.rate(people.chair, round_id, score=5)
    people.reveal(round_id)
    stage = _spread_page(people, people.chair)
    assert "Priya Shah Police Did not rate" in stage
    assert "1 rated, 1 did not rate" in stage


def test_a_second_round_leaves_the_first_exactly_as_it_was(people):
    priya = people.join_admitted("Priya Shah", "Police")
    people.start()
    first = people.open_round()
    people.rate(priya, first, score=1, reason="first view")
    people.rate(people.chair, first, score=8)
    people.reveal(first)
    before = _spread_page(people, priya).split("Round 1")[1]

    second = people.open_round()
    assert second != first
    people.rate(priya, second, score=4, reason="moved after discussion")
    people.rate(people.chair, second, score=5)
    people.reveal(second)

    stage = _spread_page(people, priya)
    assert "Round 2 — revealed" in stage and "Round 1 — revealed" in stage
    assert stage.split("Round 1")[1] == before
    assert "moved after discussion" in stage.split("Round 1")[0]
