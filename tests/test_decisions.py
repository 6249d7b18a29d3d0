"""Recording a decision, each rater's view on it, and consensus, as the people in the room do it."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from conftest import SAFETY_ITEM, People, log_in, make_chair, make_meeting, text_of
from flask.testing import FlaskClient

from meeting.extensions import db
from meeting.models import Decision, Event

NEXT_MONTH = (date.today() + timedelta(days=30)).isoformat()

DECISION = {
    "text": "Child-protection plan under the category of neglect.",
    "rationale": "Repeated missing episodes with older males; school attendance has fallen.",
    "evidence": "Police: three missing reports (Oct). School: attendance 61%.",
    "options": "Child-in-need plan: not chosen, the harm is current.",
    "benefits": "Keeps her football club, which she values.",
    "cost_of_restriction": "A curfew would cost her the club and her friendships.",
    "least_restrictive": "Yes: the plan keeps her at home with support.",
    "child_views": "“I just want to be left alone, but I like football.”",
    "legal_bases": ["Children Act 1989 s.47 (enquiries)"],
    "legal_note": "Threshold for significant harm met.",
    "review_date": NEXT_MONTH,
    "review_triggers": "Another missing episode; exclusion from school.",
}


@dataclass
class Room:
    """A running meeting whose first item has one revealed round."""

    people: People
    police: FlaskClient
    health: FlaskClient
    school: FlaskClient
    display: FlaskClient
    round_id: int

    @property
    def url(self) -> str:
        return f"/meetings/{self.people.meeting_id}"

    @property
    def item_id(self) -> int:
        with self.people.app.app_context():
            return self.people.meeting().items[0].id

    def decide(self, intent="record", **fields):
        return self.people.chair.post(
            f"{self.url}/items/{self.item_id}/decision", data={**fields, "intent": intent}
        )

    def answer(self, device, agrees, text=""):
        return device.post(
            f"/m/{self.people.meeting_id}/items/{self.item_id}/view",
            data={"agrees": agrees, "text": text},
        )

    def region(self, device, name):
        path = f"/m/{self.people.meeting_id}/region/{name}"
        if device is self.display:
            # The shared display draws one region, the scene, whatever changed.
            path = f"{self.people.open_display(device)}/region/scene"
        return text_of(device.get(path, headers={"HX-Request": "true"}).text)


def room_with(people: People, scores: dict[str, int]) -> Room:
    devices = {
        "Priya Shah": people.join_admitted("Priya Shah", "Police"),
        "Dr Okafor": people.join_admitted("Dr Okafor", "Health"),
        "Ms Reid": people.join_admitted("Ms Reid", "School"),
    }
    people.start()
    round_id = people.open_round()
    for (name, device), score in zip(devices.items(), scores.values(), strict=True):
        assert (
            people.rate(device, round_id, score=score, reason=f"{name}'s reason").status_code == 302
        )
    assert people.reveal(round_id).status_code == 302
    police, health, school = devices.values()
    return Room(people, police, health, school, people.app.test_client(), round_id)


@pytest.fixture
def room(people) -> Room:
    """Police 3, Health 4, School 6: close enough that no acknowledgement is needed."""
    return room_with(people, {"police": 3, "health": 4, "school": 6})


def test_recorded_decision_reaches_the_display_and_attendees(room):
    assert room.decide(**DECISION).status_code == 302
    for device in (room.display, room.police):
        shown = room.region(device, "decision")
        assert DECISION["text"] in shown
        assert "Keeps her football club" in shown
        assert "Children Act 1989 s.47" in shown
        assert "Waiting for views" in shown


def test_a_draft_is_the_chairs_alone_until_recorded(room):
    assert room.decide("draft", text="Draft: maybe a CIN plan").status_code == 302
    assert "Draft: maybe a CIN plan" in room.people.chair.get(room.url).text
    for device in (room.display, room.police):
        shown = room.region(device, "decision")
        assert "maybe a CIN plan" not in shown
        assert "Decision on" not in shown and "There is nothing here" not in shown


def test_a_decision_without_rationale_or_childs_views_is_refused_and_kept(room):
    past = (date.today() - timedelta(days=1)).isoformat()
    response = room.decide(text="Plan agreed", review_date=past, legal_note="my note")
    assert response.status_code == 422
    page = text_of(response.text)
    assert "Give the rationale" in page
    assert "Record the child's views, or say why they were not obtained" in page
    assert "cannot be in the past" in page
    assert "Plan agreed" in response.text and "my note" in response.text
    with room.people.app.app_context():
        assert db.session.query(Decision).count() == 0


def test_the_childs_views_may_be_missing_only_with_the_reason(room):
    fields = {**DECISION, "child_views": "", "child_views_missing": "She declined to meet."}
    assert room.decide(**fields).status_code == 302
    assert "Not obtained because: She declined to meet." in room.region(room.police, "decision")


def test_only_the_chair_records_a_decision(room):
    response = room.police.post(
        f"{room.url}/items/{room.item_id}/decision", data={**DECISION, "intent": "record"}
    )
    assert response.status_code == 403
    assert "Only the meeting's chair" in text_of(response.text)


def test_disagreeing_needs_the_view_in_their_own_words(room):
    room.decide(**DECISION)
    refused = room.answer(room.school, "no", "")
    assert refused.status_code == 422
    assert "Write your view in your own words" in text_of(refused.text)

    words = "Her school says she is safe in the day; a plan is out of proportion."
    assert room.answer(room.school, "no", words).status_code == 302
    on_display = room.region(room.display, "decision")
    assert words in on_display and "Ms Reid, School" in on_display
    assert "Minority views" in on_display


def test_a_refused_answer_keeps_what_was_typed(room):
    room.decide(**DECISION)
    response = room.answer(room.school, "", "I have doubts about the evidence")
    assert response.status_code == 422
    assert "Say whether you agree" in text_of(response.text)
    assert "I have doubts about the evidence" in response.text


@pytest.mark.parametrize(
    ("answers", "status"),
    [
        (("yes", "yes", "yes"), "Unanimous"),
        (("yes", "yes", "no"), "Agreed with recorded dissent"),
        (("no", "yes", "no"), "Chair's decision against the majority of ratings"),
    ],
)
def test_consensus_is_worked_out_from_the_answers(room, answers, status):
    room.decide(**DECISION)
    for device, agrees in zip((room.police, room.health, room.school), answers, strict=True):
        assert (
            room.answer(device, agrees, "Not proportionate" if agrees == "no" else "").status_code
            == 302
        )
    for device in (room.display, room.police):
        assert status in room.region(device, "decision")


def test_the_chair_records_a_view_for_someone_marked_as_such(room):
    room.decide(**DECISION)
    health_id = room.people.attendee_id("Dr Okafor")
    response = room.people.chair.post(
        f"{room.url}/items/{room.item_id}/views/{health_id}/record",
        data={"agrees": "no", "text": "Said aloud before leaving: the plan should name CAMHS."},
    )
    assert response.status_code == 302
    shown = room.region(room.display, "decision")
    assert "the plan should name CAMHS" in shown and "Recorded by the chair" in shown
    # The person sees it on their own device too, and can change it.
    assert "recorded by the chair for you" in room.region(room.health, "decision")


def test_an_attendee_cannot_record_someone_elses_view(room):
    room.decide(**DECISION)
    school_id = room.people.attendee_id("Ms Reid")
    response = room.police.post(
        f"{room.url}/items/{room.item_id}/views/{school_id}/record",
        data={"agrees": "yes"},
    )
    assert response.status_code == 403
    assert "waiting for: Priya Shah, Dr Okafor, Ms Reid" in room.region(room.display, "decision")
    with room.people.app.app_context():
        assert db.session.query(Decision).one().views == []


def test_views_wait_for_the_decision(room):
    response = room.answer(room.police, "yes")
    assert response.status_code == 409
    assert "has not been recorded yet" in text_of(response.text)


def test_minority_at_the_reveal_is_listed_with_how_it_was_considered(people):
    room = room_with(people, {"police": 3, "health": 3, "school": 7})
    room.decide(**DECISION)
    chair_view = text_of(people.chair.get(room.url).text)
    assert "Minority view at the reveal (round 1: 7)" in chair_view
    school_id = people.attendee_id("Ms Reid")
    consider = f"{room.url}/items/{room.item_id}/views/{school_id}/consider"

    missing = people.chair.post(consider, data={"considered": "Heard first.", "escalate": "yes"})
    assert missing.status_code == 422
    assert "Say who the escalation goes to" in text_of(missing.text)
    assert "Heard first." in missing.text

    room.answer(room.school, "no", "The plan is too much; she is safe at school.")
    done = people.chair.post(
        consider,
        data={
            "considered": "Heard first; the meeting weighed school's evidence against police's.",
            "escalate": "yes",
            "escalate_to": "Head of Safeguarding",
            "respond_by": NEXT_MONTH,
        },
    )
    assert done.status_code == 302
    shown = room.region(room.display, "decision")
    assert "weighed school's evidence" in shown
    assert "Escalated to Head of Safeguarding" in shown


def test_a_wide_spread_must_be_acknowledged_before_deciding(people):
    room = room_with(people, {"police": 1, "health": 4, "school": 8})
    assert "Wide disagreement: ratings run from 1 to 8." in room.region(room.display, "stage")

    refused = room.decide(**DECISION)
    assert refused.status_code == 409
    assert "Acknowledge the disagreement" in text_of(refused.text)
    assert DECISION["rationale"] in refused.text

    ack = people.chair.post(
        f"{room.url}/rounds/{room.round_id}/acknowledge", data={"note": "Heard all three."}
    )
    assert ack.status_code == 302
    assert "Acknowledged by the chair" in room.region(room.display, "stage")
    assert room.decide(**DECISION).status_code == 302


def test_a_low_safety_median_prompts_protective_action(people):
    room = room_with(people, {"police": 1, "health": 2, "school": 2})
    assert "Consider immediate protective action" in room.region(room.display, "stage")
    refused = room.decide(**DECISION)
    assert refused.status_code == 422
    assert "record what immediate protective action was considered" in text_of(refused.text)
    fields = {**DECISION, "protective_action": "Strategy discussion today; no removal needed."}
    assert room.decide(**fields).status_code == 302
    assert "Strategy discussion today" in room.region(room.police, "decision")


def test_a_decision_waits_for_the_open_round(room):
    room.people.open_round()
    response = room.decide(**DECISION)
    assert response.status_code == 409
    assert "reveal it before recording the decision" in text_of(response.text)


def test_changing_a_recorded_decision_leaves_a_trace(room):
    room.decide(**DECISION)
    room.answer(room.police, "yes")
    changed = {**DECISION, "rationale": "Missing episodes continue; attendance falling."}
    assert room.decide(**changed).status_code == 302
    with room.people.app.app_context():
        event = db.session.query(Event).filter(Event.action.like("edited the decision%")).one()
        assert "Rationale" in event.action
        assert DECISION["rationale"] in event.detail
    log = text_of(room.people.chair.get(f"{room.url}/events").text)
    assert "edited the decision on Risk of criminal exploitation (Rationale)" in log
    assert "Rationale was: Repeated missing episodes" in log
    # Police answered the first wording, and their device says so.
    assert "The decision was changed after you answered" in room.region(room.police, "decision")


def test_nothing_is_recorded_once_the_meeting_is_closed(room):
    room.decide(**DECISION)
    room.people.chair.post(f"{room.url}/close")
    response = room.decide(**{**DECISION, "rationale": "Typed after the close"})
    assert response.status_code == 409
    assert "meeting is closed" in text_of(response.text)
    assert "Typed after the close" in response.text

    late = room.answer(room.school, "no", "My late dissent")
    assert late.status_code == 409
    assert "My late dissent" in late.text


def test_decisions_ring_every_screen_of_this_meeting_only(room, sio, app):
    make_chair(app, email="other@example.org", name="Other Chair")
    other = log_in(app, "other@example.org")
    make_meeting(other, SAFETY_ITEM, title="Another child")
    elsewhere = sio(other, meeting=2)
    screens = [
        sio(room.police, meeting=room.people.meeting_id),
        sio(room.display, display=room.people.display_token),
    ]
    for screen in [*screens, elsewhere]:
        screen.get_received()

    room.decide(**DECISION)
    room.answer(room.school, "no", "Too much")
    # Recording the decision, then a view on it: each rings the regions that read decisions.
    expected = [["stage", "decision"]] * 2, [["scene"]] * 2
    for screen, regions in zip(screens, expected, strict=True):
        rung = [e["args"][0]["regions"] for e in screen.get_received() if e["name"] == "changed"]
        assert rung == regions
        assert "Too much" not in repr(rung)
    assert elsewhere.get_received() == []


def test_consensus_settles_with_an_absent_agencys_written_rating(people):
    """An agency that sent apologies and a written rating counts, but is never waited for."""
    people.chair.post(
        f"/meetings/{people.meeting_id}/apologies",
        data={"name": "Dr Lee", "role": "CAMHS clinician", "agency": "CAMHS"},
    )
    with people.app.app_context():
        item_id = people.meeting().items[0].id
    lee = people.attendee_id("Dr Lee")
    written = people.chair.post(
        f"/meetings/{people.meeting_id}/people/{lee}/contributions/{item_id}",
        data={"report": "Low mood; engages well.", "score": "9", "reason": "Engaging with CAMHS"},
    )
    assert written.status_code == 302
    room = room_with(people, {"police": 5, "health": 6, "school": 6})
    record = people.chair.get(f"{room.url}/record.json").get_json()
    ratings = record["items"][0]["rounds"][0]["ratings"]
    assert {r["name"]: r["minority"] for r in ratings}["Dr Lee"] is True, "it counts, marked"

    room.decide(**DECISION)
    for device in (room.police, room.health, room.school):
        assert room.answer(device, "yes").status_code == 302
    shown = room.region(room.display, "decision")
    assert "Agreed by everyone present" in shown
    assert "waiting for" not in shown
    assert "written contribution from Dr Lee (absent: not asked to answer)" in room.region(
        room.police, "decision"
    )
    # The written minority view is weighed on the record like anyone's.
    considered = people.chair.post(
        f"{room.url}/items/{room.item_id}/views/{lee}/consider",
        data={"considered": "CAMHS's view that she is engaging was weighed against police's."},
    )
    assert considered.status_code == 302
    assert people.chair.post(f"{room.url}/close").status_code == 302
    decision = people.chair.get(f"{room.url}/record.json").get_json()["items"][0]["decision"]
    assert decision["consensus"] == "Agreed by everyone present"
    assert decision["awaiting_views_from"] == []
    assert decision["written_contributions_from"] == ["Dr Lee"]
    lee_view = next(v for v in decision["views"] if v["name"] == "Dr Lee")
    assert lee_view["how_considered"].startswith("CAMHS's view")
    minutes = text_of(people.chair.get(f"{room.url}/minutes").text)
    assert "Agreed by everyone present (3 agree, 0 disagree)" in minutes
    assert "a written contribution from Dr Lee, who was absent, was weighed" in minutes
    assert "no answer recorded from" not in minutes
