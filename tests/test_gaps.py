"""Uncertainty and information gaps through the pages: a rating with the range the rater
thinks plausible and how sure they are, or "I can't rate this yet: I need …" instead,
counted apart at the reveal, made an action in one step, and said in the record and the
minutes as the docs say it."""

import re
from datetime import date, timedelta
from pathlib import Path

from conftest import People, text_of

from meeting.extensions import db
from meeting.models import Action, Rating

DOCS = Path(__file__).parent.parent / "docs"
NEXT_MONTH = date.today() + timedelta(days=30)
NEEDS = "the school nurse's notes since March"


def rating_of(people: People, name: str) -> Rating:
    with people.app.app_context():
        aid = people.attendee_id(name)
        row = db.session.query(Rating).filter_by(attendee_id=aid).one()
        db.session.expunge(row)
        return row


def the_room(people: People) -> tuple[People, dict, int]:
    """Three raters on the safety item: one with a range and sureness, one plain, and one
    who cannot rate yet; the round open, nothing revealed."""
    devices = {
        name: people.join_admitted(name, agency)
        for name, agency in (
            ("Ann Police", "Police"),
            ("Bo School", "School"),
            ("Cy Health", "Health"),
        )
    }
    people.start()
    round_id = people.open_round()
    assert (
        people.rate(
            devices["Ann Police"], round_id, score=6, low=4, high=7, sure="fairly"
        ).status_code
        == 302
    )
    assert (
        people.rate(devices["Bo School"], round_id, score=7, reason="Attending again").status_code
        == 302
    )
    assert (
        people.rate(devices["Cy Health"], round_id, answer="cannot", needs=NEEDS).status_code == 302
    )
    assert people.rate(people.chair, round_id, score=5).status_code == 302
    return people, devices, round_id


def test_a_range_that_does_not_hold_comes_back_with_everything_typed(people):
    ann = people.join_admitted("Ann Police", "Police")
    people.start()
    round_id = people.open_round()
    refused = people.rate(ann, round_id, score=6, low=7, high=9, sure="fairly", reason="Kept")
    assert refused.status_code == 422
    page = refused.text
    assert "The lowest you think plausible (7) is above your rating, 6." in text_of(page)
    # What was typed is all there: the value, both ends, the sureness and the reason, and
    # the folded section is open so the person sees what to change.
    assert re.search(r'name="score" value="6" checked', page)
    assert re.search(r'name="low"[^>]*value="7"', page)
    assert re.search(r'name="high"[^>]*value="9"', page)
    assert re.search(r'name="sure" value="fairly" checked', page)
    assert 'value="Kept"' in page
    assert '<details class="rate-sure" open>' in page
    assert rating_of_none(people, "Ann Police")

    # Asked to say what is needed, with nothing said: the same, kept.
    refused = people.rate(ann, round_id, answer="cannot", needs="  ", reason="Kept")
    assert refused.status_code == 422
    assert "Say what you need to know before you can rate this" in text_of(refused.text)


def rating_of_none(people: People, name: str) -> bool:
    with people.app.app_context():
        aid = people.attendee_id(name)
        return db.session.query(Rating).filter_by(attendee_id=aid).first() is None


def test_the_simple_case_stays_simple_and_the_own_answer_says_what_was_given(people):
    people_, devices, round_id = the_room(people)
    ann = rating_of(people, "Ann Police")
    assert (ann.score, ann.low, ann.high, ann.sure) == (6, 4, 7, "fairly")
    cy = rating_of(people, "Cy Health")
    assert cy.needs == NEEDS and cy.score is None and cy.low is None and cy.cannot_rate

    page = devices["Ann Police"].get(f"/m/{people.meeting_id}").text
    # The optional parts are folded away on an empty form; a person's own answer opens them.
    assert "You rated 6 (plausible 4–7, fairly sure)" in text_of(page)
    assert '<details class="rate-sure" open>' in page
    bo_page = devices["Bo School"].get(f"/m/{people.meeting_id}").text
    assert '<details class="rate-sure">' in bo_page and '<details class="rate-cannot">' in bo_page
    cy_page = text_of(devices["Cy Health"].get(f"/m/{people.meeting_id}").text)
    assert f"that you can't rate this yet: you need {NEEDS}" in cy_page

    # Progress counts "can't rate" as an answer, without saying which.
    progress = people.chair.get(
        f"/m/{people.meeting_id}/region/progress", headers={"HX-Request": "true"}
    )
    assert "4 of 4 have rated" in text_of(progress.text)

    # Rating instead clears what was needed.
    assert people.rate(devices["Cy Health"], round_id, score=3).status_code == 302
    cy = rating_of(people, "Cy Health")
    assert (cy.score, cy.needs) == (3, "")


def test_the_reveal_counts_a_gap_apart_and_shows_ranges_on_every_screen(people):
    people, devices, round_id = the_room(people)
    display = people.app.test_client()
    display_url = people.open_display(display)
    assert people.reveal(round_id).status_code == 302

    stage = text_of(
        devices["Bo School"]
        .get(f"/m/{people.meeting_id}/region/stage", headers={"HX-Request": "true"})
        .text
    )
    # The median and range are of the three values given (5, 6, 7), never of the gap.
    assert "Median 6 · Range 5–7 · 3 rated, 1 could not rate" in stage
    assert "6 plausible 4–7, fairly sure" in stage
    assert f"1 could not rate: information needed on: {NEEDS} (Cy Health, Health)" in stage
    # Only the chair's cockpit makes a gap an action.
    assert "Make it an action" not in stage

    scene = text_of(display.get(f"{display_url}/region/scene", headers={"HX-Request": "true"}).text)
    assert "3 rated, 1 could not rate" in scene
    assert "plausible 4–7, fairly sure" in scene
    assert f"1 could not rate: information needed on {NEEDS} Cy Health Health" in scene

    cockpit = text_of(people.chair.get(f"/meetings/{people.meeting_id}").text)
    assert "Make it an action for Cy Health" in cockpit


def test_a_gap_becomes_an_action_once(people):
    people, _devices, round_id = the_room(people)
    cy = people.attendee_id("Cy Health")
    url = f"/meetings/{people.meeting_id}/rounds/{round_id}/gaps/{cy}/action"

    # Before the reveal there is no gap to see, so none to act on.
    early = people.chair.post(url, data={"due": NEXT_MONTH.isoformat()})
    assert early.status_code == 409
    assert "not revealed yet" in text_of(early.text)
    people.reveal(round_id)

    # A due date is asked for, and a bad one comes back named, with what was typed.
    past = (date.today() - timedelta(days=1)).isoformat()
    refused = people.chair.post(url, data={"due": past})
    assert refused.status_code == 422
    assert f'value="{past}"' in refused.text
    assert 'aria-invalid="true"' in refused.text

    made = people.chair.post(url, data={"due": NEXT_MONTH.isoformat()})
    assert made.status_code == 302
    with people.app.app_context():
        actions = db.session.query(Action).filter_by(meeting_id=people.meeting_id).all()
        assert [(a.what, a.owner_name, a.agency, a.due) for a in actions] == [
            (f"Find out: {NEEDS}", "Cy Health", "Health", NEXT_MONTH)
        ]
    cockpit = text_of(people.chair.get(f"/meetings/{people.meeting_id}").text)
    assert f"Action for Cy Health, due {NEXT_MONTH:%-d %b %Y}" in cockpit
    assert "Make it an action for Cy Health" not in cockpit

    # Asked again (another window, a retry with a new form): refused, not added twice.
    again = people.chair.post(url, data={"due": NEXT_MONTH.isoformat()})
    assert again.status_code == 409
    assert "is already an action for Cy Health" in text_of(again.text)
    with people.app.app_context():
        assert db.session.query(Action).filter_by(meeting_id=people.meeting_id).count() == 1

    # Someone who rated has no gap to make an action of.
    ann = people.attendee_id("Ann Police")
    none = people.chair.post(
        f"/meetings/{people.meeting_id}/rounds/{round_id}/gaps/{ann}/action",
        data={"due": NEXT_MONTH.isoformat()},
    )
    assert none.status_code == 409


def test_the_chair_enters_a_gap_or_a_range_for_someone_on_a_phone_line(people):
    added = people.chair.post(
        f"/meetings/{people.meeting_id}/without-device",
        data={
            "name": "Di Phone",
            "agency": "Probation",
            "channel": "phone",
            "part": "professional",
            "role": "",
        },
    )
    assert added.status_code == 302, text_of(added.text)
    di = people.attendee_id("Di Phone")
    people.start()
    round_id = people.open_round()
    url = f"/meetings/{people.meeting_id}/rounds/{round_id}/behalf"
    cockpit = text_of(people.chair.get(f"/meetings/{people.meeting_id}").text)
    assert "Enter: they can't rate this yet" in cockpit
    entered = people.chair.post(
        url, data={"attendee_id": di, "given": "phone", "answer": "cannot", "needs": NEEDS}
    )
    assert entered.status_code == 302, entered.text
    assert rating_of(people, "Di Phone").needs == NEEDS
    entered = people.chair.post(
        url,
        data={
            "attendee_id": di,
            "given": "phone",
            "score": 4,
            "low": 2,
            "high": 6,
            "sure": "unsure",
        },
    )
    assert entered.status_code == 302
    di_rating = rating_of(people, "Di Phone")
    assert (di_rating.score, di_rating.low, di_rating.high, di_rating.sure, di_rating.needs) == (
        4,
        2,
        6,
        "unsure",
        "",
    )
    refused = people.chair.post(
        url, data={"attendee_id": di, "given": "phone", "score": 4, "low": 5, "high": 6}
    )
    assert refused.status_code == 422
    assert "The lowest you think plausible (5) is above your rating, 4." in text_of(refused.text)


def worked_example(doc: str) -> list[str]:
    """Return the lines of a docs file's worked example of an information gap."""
    text = (DOCS / doc).read_text()
    start = text.index("<!-- gaps example -->")
    end = text.index("<!-- end of gaps example -->")
    lines = [line.strip() for line in text[start:end].splitlines()[1:]]
    return [line for line in lines if line and not line.startswith("```")]


def test_the_record_and_the_minutes_say_it_as_the_docs_do(people):
    people, _devices, round_id = the_room(people)
    people.reveal(round_id)
    record = people.chair.get(f"/meetings/{people.meeting_id}/record.json").json
    round_ = record["items"][0]["rounds"][0]
    by_name = {r["name"]: r for r in round_["ratings"]}
    assert by_name["Cy Health"]["cannot_rate"] is True
    assert by_name["Cy Health"]["needs"] == NEEDS
    assert "value" not in by_name["Cy Health"] and "score" not in by_name["Cy Health"]
    ann = by_name["Ann Police"]
    assert (ann["low"], ann["high"], ann["range"], ann["sure"], ann["sureness"]) == (
        4,
        7,
        "4–7",
        "fairly",
        "Fairly sure",
    )
    assert round_["could_not_rate"] == [
        {
            "attendee_id": people.attendee_id("Cy Health"),
            "name": "Cy Health",
            "agency": "Health",
            "part": "Professional",
            "needs": NEEDS,
        }
    ]
    assert round_["range"] == "Range 5–7" and round_["middle"] == "Median 6"
    assert sum(b["count"] for b in round_["chart"]) == 3

    assert people.chair.post(f"/meetings/{people.meeting_id}/close").status_code == 302
    markdown = people.chair.get(f"/meetings/{people.meeting_id}/minutes/draft.md").text
    for line in worked_example("minutes.md"):
        assert line in markdown, line
    assert "| Cy Health | Health | Could not rate yet (information needed) |" in markdown


def test_a_gap_at_a_review_is_no_value_in_how_the_ratings_moved(app):
    """At a review, someone who cannot rate yet has no rating to set beside the last one:
    their agency reads "not rated this time", and the review's median is of the values."""
    from conftest import SAFETY_ITEM, log_in, make_chair, make_meeting
    from test_cases import Case

    make_chair(app)
    case = Case(app, log_in(app))
    first = make_meeting(case.chair, SAFETY_ITEM, title="Initial", child="K.M.")
    case.meetings.append(first)
    people = case.people(first)
    devices = case.join_all(people)
    people.start()
    round_id = people.open_round()
    for name, score in (("Priya Shah", 3), ("Tom Reid", 6), ("Lena Okafor", 4)):
        assert people.rate(devices[name], round_id, score=score).status_code == 302
    assert people.reveal(round_id).status_code == 302
    case.post(first, "/close")

    review = case.review_of(first)
    people = case.people(review)
    devices = case.join_all(people)
    people.start()
    round_id = people.open_round()
    priya = people.rate(devices["Priya Shah"], round_id, answer="cannot", needs=NEEDS)
    assert priya.status_code == 302
    for name, score in (("Tom Reid", 8), ("Lena Okafor", 4)):
        assert people.rate(devices[name], round_id, score=score).status_code == 302
    assert people.reveal(round_id).status_code == 302
    stage = text_of(
        devices["Tom Reid"].get(f"/m/{review}/region/stage", headers={"HX-Request": "true"}).text
    )
    assert "Median 6 · Range 4–8 · 2 rated, 1 could not rate" in stage
    assert "Police 3 not rated not rated this time" in stage
    assert "None" not in stage
