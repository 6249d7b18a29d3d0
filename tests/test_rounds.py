"""The round rules called directly: concealment, the reveal, and the record it freezes."""

import pytest

from meeting.errors import Refused
from meeting.extensions import db
from meeting.joining import people as joining
from meeting.models import Round
from meeting.rating import concealment, rounds
from meeting.rating.concealment import Viewer


@pytest.fixture
def running(people):
    """A started meeting with two admitted attendees and an open round on item 1."""
    people.join_admitted("Priya Shah", "Police")
    people.join_admitted("Tom Reid", "School")
    people.start()
    round_id = people.open_round()
    with people.app.app_context():
        yield people, db.session.get(Round, round_id)


def seats(meeting):
    by_name = {a.name: a for a in meeting.attendees}
    return by_name["Sam Chair"], by_name["Priya Shah"], by_name["Tom Reid"]


def test_before_the_reveal_each_viewer_sees_only_their_own_rating(running):
    _people, round_ = running
    chair, priya, tom = seats(round_.item.meeting)
    rounds.submit_rating(round_, priya, {"score": "3"})
    rounds.submit_rating(round_, chair, {"score": "8"})
    db.session.flush()

    assert [r.score for r in concealment.visible_ratings(round_, Viewer("attendee", priya))] == [3]
    assert [r.score for r in concealment.visible_ratings(round_, Viewer("chair", chair))] == [8]
    assert concealment.visible_ratings(round_, Viewer("attendee", tom)) == []
    assert concealment.visible_ratings(round_, Viewer("display")) == []
    assert concealment.spread(round_, Viewer("chair", chair)) is None


def test_after_the_reveal_everyone_sees_every_rating(running):
    _people, round_ = running
    chair, priya, tom = seats(round_.item.meeting)
    rounds.submit_rating(round_, priya, {"score": "3"})
    rounds.submit_rating(round_, tom, {"score": "8"})
    rounds.reveal(round_)
    for viewer in (Viewer("display"), Viewer("attendee", priya), Viewer("chair", chair)):
        assert sorted(r.score for r in concealment.visible_ratings(round_, viewer)) == [3, 8]
    spread = concealment.spread(round_, Viewer("display"))
    assert [a.name for a in spread.did_not_rate] == ["Sam Chair"]


def test_who_did_not_rate_is_frozen_at_the_reveal(running):
    people, round_ = running
    chair, priya, tom = seats(round_.item.meeting)
    rounds.submit_rating(round_, priya, {"score": "5"})
    rounds.reveal(round_)
    db.session.commit()
    arrival = {"name": "Late Arrival", "agency": "Health", "part": "professional"}
    late = joining.join(round_.item.meeting, arrival)
    joining.admit(late)
    joining.set_observer(tom, True)
    db.session.commit()
    spread = concealment.spread(round_, Viewer("display"))
    assert [a.name for a in spread.did_not_rate] == ["Sam Chair", "Tom Reid"]


def test_a_revealed_round_is_never_reopened(running):
    _people, round_ = running
    _chair, priya, _tom = seats(round_.item.meeting)
    rounds.reveal(round_)
    with pytest.raises(Refused, match="already revealed; your rating was not counted"):
        rounds.submit_rating(round_, priya, {"score": "5"})
    with pytest.raises(Refused, match="already revealed"):
        rounds.reveal(round_)
    assert round_.ratings == []


def test_a_round_opens_only_on_the_item_under_discussion(running):
    _people, round_ = running
    other = round_.item.meeting.items[1]
    with pytest.raises(Refused, match="not the item under discussion"):
        rounds.open_round(other)
