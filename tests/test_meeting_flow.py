"""A whole item through the web pages: rate blind, progress, reveal, spread, another round."""

from conftest import text_of
from sqlalchemy import select

from meeting.extensions import db
from meeting.models import Event


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
    # Round 1's section, from its heading on (what discussion changed, above it, names
    # round 1 too).
    before = _spread_page(people, priya).split("Round 1 — revealed")[1]

    second = people.open_round()
    assert second != first
    people.rate(priya, second, score=4, reason="moved after discussion")
    people.rate(people.chair, second, score=5)
    people.reveal(second)

    stage = _spread_page(people, priya)
    assert "Round 2 — revealed" in stage and "Round 1 — revealed" in stage
    assert stage.split("Round 1 — revealed")[1] == before
    assert "moved after discussion" in stage.split("Round 1 — revealed")[0]


def test_a_rating_off_the_scale_is_refused_and_the_reason_kept(people):
    priya = people.join_admitted("Priya Shah", "Police")
    people.start()
    round_id = people.open_round()
    response = people.rate(priya, round_id, score=11, reason="Carefully worded reason")
    assert response.status_code == 422
    assert "11 is off the scale" in response.text
    assert 'value="Carefully worded reason"' in response.text
    assert "0 of 2 have rated" in text_of(response.text)


def test_a_rating_can_be_changed_until_the_reveal_and_only_the_last_counts(people):
    priya = people.join_admitted("Priya Shah", "Police")
    people.start()
    round_id = people.open_round()
    people.rate(priya, round_id, score=3, reason="first thought")
    page = text_of(priya.get(f"/m/{people.meeting_id}").text)
    assert "You rated 3" in page and "Change my rating" in page
    people.rate(priya, round_id, score=6, reason="second thought")
    people.rate(people.chair, round_id, score=6)
    people.reveal(round_id)
    stage = _spread_page(people, people.chair)
    assert "Priya Shah Practitioner Police 6 second thought" in stage
    assert "first thought" not in stage
    assert "2 rated" in stage


def test_rating_a_revealed_round_is_refused_not_counted(people):
    priya = people.join_admitted("Priya Shah", "Police")
    people.start()
    round_id = people.open_round()
    people.rate(people.chair, round_id, score=4)
    people.reveal(round_id)
    late = people.rate(priya, round_id, score=9, reason="typed before the reveal")
    assert late.status_code == 409
    page = text_of(late.text)
    assert "was already revealed; your rating was not counted" in page
    assert "typed before the reveal" in page
    stage = _spread_page(people, people.chair)
    assert "Priya Shah Police Did not rate" in stage


def test_a_late_rating_lands_in_the_form_of_the_next_round(people):
    priya = people.join_admitted("Priya Shah", "Police")
    people.start()
    first = people.open_round()
    people.reveal(first)
    people.open_round()
    late = people.rate(priya, first, score=9, reason="kept for round two")
    assert late.status_code == 409
    assert "Your rating: round 2" in text_of(late.text)
    assert 'value="kept for round two"' in late.text


def test_reveal_twice_and_a_second_open_round_are_refused(people):
    people.start()
    round_id = people.open_round()
    with people.app.app_context():
        item_id = people.meeting().current_item.id
    again = people.chair.post(f"/meetings/{people.meeting_id}/items/{item_id}/rounds")
    assert again.status_code == 409
    assert "Round 1 is still open; reveal it first" in again.text
    people.reveal(round_id)
    # A repeat of the same click (a double click, a retry) is already done, and says so.
    twice = people.reveal(round_id)
    assert twice.status_code == 302
    page = people.chair.get(twice.headers["Location"]).text
    assert "Round 1 was already revealed; nothing else changed." in page
    with people.app.app_context():
        assert len(people.meeting().current_item.rounds) == 1
        revealed = [
            e for e in db.session.scalars(select(Event)) if e.action.startswith("revealed round 1")
        ]
        assert len(revealed) == 1
    opened = people.chair.post(
        f"/meetings/{people.meeting_id}/items/{item_id}/rounds", data={"number": "2"}
    )
    assert opened.status_code == 302
    again = people.chair.post(
        f"/meetings/{people.meeting_id}/items/{item_id}/rounds", data={"number": "2"}
    )
    assert again.status_code == 302
    assert "Round 2 on" in people.chair.get(again.headers["Location"]).text
    with people.app.app_context():
        assert [r.number for r in people.meeting().current_item.rounds] == [1, 2]


def test_moving_through_the_agenda_changes_every_screen(people):
    priya = people.join_admitted("Priya Shah", "Police")
    people.start()
    people.move_to(2)
    page = text_of(priya.get(f"/m/{people.meeting_id}").text)
    assert "Item 2 of 3" in page and "Unsupervised time in the community" in page
    assert "Likelihood" in page


def _reveal_item(people, position, priya, tom, chair):
    """Priya, Tom and the chair rate item `position` once; return the revealed stage."""
    devices = {"priya": people.join_admitted("Priya Shah", "Police")}
    devices["tom"] = people.join_admitted("Tom Reid", "School")
    people.start()
    people.move_to(position)
    round_id = people.open_round()
    for device, value in ((devices["priya"], priya), (devices["tom"], tom), (people.chair, chair)):
        people.rate(device, round_id, **value)
    people.reveal(round_id)
    return _spread_page(people, devices["tom"])


def test_likelihood_severity_round_shows_scores_and_bands(people):
    stage = _reveal_item(
        people,
        2,
        priya={"likelihood": 4, "severity": 5},
        tom={"likelihood": 2, "severity": 3},
        chair={"likelihood": 2, "severity": 4},
    )
    assert "Median score 8 (Medium)" in stage
    assert "L4 × S5 = 20 (Very high) Minority view" in stage
    assert "L2 × S3 = 6 (Medium)" in stage


def test_choice_round_shows_the_majority_and_marks_the_rest(people):
    stage = _reveal_item(
        people,
        3,
        priya={"choice": "Child-protection plan"},
        tom={"choice": "Child-in-need plan"},
        chair={"choice": "Child-protection plan"},
    )
    assert "Majority: Child-protection plan (2 of 3)" in stage
    assert "Tom Reid Practitioner School Child-in-need plan Minority view" in stage


def test_a_closed_meeting_is_read_only(people):
    priya = people.join_admitted("Priya Shah", "Police")
    people.start()
    round_id = people.open_round()
    people.rate(priya, round_id, score=5, reason="stays")
    assert people.chair.post(f"/meetings/{people.meeting_id}/close").status_code == 302
    # Closing revealed the open round rather than losing it.
    assert "Priya Shah Practitioner Police 5 stays" in _spread_page(people, priya)
    refused = people.rate(priya, round_id, score=2)
    assert refused.status_code == 409 and "closed" in refused.text
    for path in ("start", "close", "current"):
        response = people.chair.post(f"/meetings/{people.meeting_id}/{path}")
        assert response.status_code == 409
        assert "This meeting is closed" in response.text
    with people.app.app_context():
        meeting = people.meeting()
        assert meeting.status == "closed"
        item = meeting.items[0]
    blocked = people.chair.post(f"/meetings/{people.meeting_id}/items/{item.id}/rounds")
    assert blocked.status_code == 409 and "This meeting is closed" in blocked.text
