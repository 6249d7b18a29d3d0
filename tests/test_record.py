"""Actions, attendance and quorum, written contributions, and the record downloaded as JSON."""

import json
from datetime import date, timedelta

from conftest import (
    CHOICE_ITEM,
    HELD_AT,
    LXS_ITEM,
    SAFETY_ITEM,
    People,
    log_in,
    make_chair,
    make_meeting,
    text_of,
)

from meeting.extensions import db
from meeting.models import Action, Event

NEXT_WEEK = (date.today() + timedelta(days=7)).isoformat()


def region(people: People, device, name: str) -> str:
    response = device.get(f"/m/{people.meeting_id}/region/{name}", headers={"HX-Request": "true"})
    return text_of(response.text)


def display_region(people: People) -> str:
    """What the shared display shows: one region, the scene, whatever changed."""
    screen = people.app.test_client()
    path = f"{people.open_display(screen)}/region/scene"
    return text_of(screen.get(path, headers={"HX-Request": "true"}).text)


def add_action(people: People, **fields):
    return people.chair.post(f"/meetings/{people.meeting_id}/actions", data=fields)


# Actions -----------------------------------------------------------------------------


def test_an_action_without_owner_or_date_is_refused_and_kept(people):
    people.start()
    response = add_action(people, what="Refer to the exploitation panel", owner_id="", due="")
    assert response.status_code == 422
    page = text_of(response.text)
    assert "Every action needs one named owner" in page
    assert "Enter the date it is due by." in page
    assert "Refer to the exploitation panel" in response.text
    with people.app.app_context():
        assert db.session.query(Action).count() == 0


def test_a_due_date_in_the_past_is_refused(people):
    people.start()
    past = (date.today() - timedelta(days=2)).isoformat()
    response = add_action(people, what="Visit", owner_name="Jo Bloggs", agency="Housing", due=past)
    assert response.status_code == 422
    assert "cannot be in the past" in text_of(response.text)


def test_the_owner_sees_their_action_on_their_own_device(people):
    priya = people.join_admitted("Priya Shah", "Police")
    other = people.join_admitted("Dr Okafor", "Health")
    people.start()
    with people.app.app_context():
        item_id = people.meeting().items[0].id
    owner = people.attendee_id("Priya Shah")
    what = "Share missing-episode reports with the school"
    assert (
        add_action(people, what=what, owner_id=owner, item_id=item_id, due=NEXT_WEEK).status_code
        == 302
    )
    assert (
        add_action(
            people,
            what="Book the review",
            owner_name="Alex Admin",
            agency="Business support",
            due=NEXT_WEEK,
        ).status_code
        == 302
    )

    mine = region(people, priya, "actions")
    assert mine.startswith("Your actions (1)") and what in mine
    assert "Your actions" not in region(people, other, "actions")
    shown = display_region(people)
    assert what in shown and "Priya Shah" in shown and "Police" in shown
    assert "Alex Admin (not at the meeting) Business support" in shown
    assert "Whole meeting" in shown and "Item 1" in shown


def test_a_named_owner_not_present_needs_an_agency(people):
    people.start()
    response = add_action(people, what="Visit", owner_name="Jo Bloggs", agency="", due=NEXT_WEEK)
    assert response.status_code == 422
    assert "Enter Jo Bloggs's agency." in text_of(response.text)


def test_a_withdrawn_action_leaves_the_list_but_not_the_record(people):
    people.start()
    add_action(people, what="Wrong action", owner_name="Jo", agency="Housing", due=NEXT_WEEK)
    with people.app.app_context():
        action_id = db.session.query(Action).one().id
    url = f"/meetings/{people.meeting_id}/actions/{action_id}/withdraw"
    assert people.chair.post(url, data={"reason": ""}).status_code == 422
    assert people.chair.post(url, data={"reason": "Added to the wrong child"}).status_code == 302
    assert "Wrong action" not in display_region(people)
    record = people.chair.get(f"/meetings/{people.meeting_id}/record.json").json
    assert record["actions"][0]["withdrawn_because"] == "Added to the wrong child"


# Attendance and quorum ---------------------------------------------------------------


def conference(app) -> People:
    make_chair(app)
    chair = log_in(app)
    meeting_id = make_meeting(chair, SAFETY_ITEM, kind="cp_conference")
    return People(app, chair, meeting_id)


def test_an_item_with_actions_stays_on_the_agenda(people):
    with people.app.app_context():
        first, second = (i.id for i in people.meeting().items[:2])
    added = add_action(
        people,
        what="Ask the school",
        owner_name="Jo",
        agency="Housing",
        item_id=first,
        due=NEXT_WEEK,
    )
    assert added.status_code == 302
    refused = people.chair.post(f"/meetings/{people.meeting_id}/items/{first}/delete")
    assert refused.status_code == 409
    assert "has actions in the record, so it stays on the agenda" in text_of(refused.text)
    assert (
        people.chair.post(f"/meetings/{people.meeting_id}/items/{second}/delete").status_code == 302
    )
    events = text_of(people.chair.get(f"/meetings/{people.meeting_id}/events").text)
    assert "took Unsupervised time in the community off the agenda" in events
    with people.app.app_context():
        assert [i.title for i in people.meeting().items] == [
            "Risk of criminal exploitation",
            "Plan",
        ]


def test_a_conference_without_quorum_goes_on_only_with_the_chairs_reason(app):
    people = conference(app)
    people.join_admitted("Priya Shah", "Metropolitan Police")
    refused = people.chair.post(f"/meetings/{people.meeting_id}/start")
    assert refused.status_code == 409
    page = text_of(refused.text)
    # The chair's own service (children's social care here) does not count.
    assert "Not quorate (no children's social care; 2 more agencies needed)" in page
    assert "children's social care and at least two other agencies" in page

    empty = people.chair.post(f"/meetings/{people.meeting_id}/quorum", data={"reason": " "})
    assert empty.status_code == 422
    reason = "Health sent a report; the child's safety cannot wait for a new date."
    people.chair.post(f"/meetings/{people.meeting_id}/quorum", data={"reason": reason})
    people.start()
    assert reason in display_region(people)
    record = people.chair.get(f"/meetings/{people.meeting_id}/record.json").json
    assert record["quorum"]["met"] is False and record["quorum"]["inquorate_reason"] == reason


def test_agencies_are_counted_as_people_type_them(app):
    people = conference(app)
    people.join_admitted("Ana Silva", "Children's services")
    people.join_admitted("Priya Shah", "Met Police")
    people.join_admitted("Nurse Ade", "School nurse (NHS)")
    people.join_admitted("Mum", "", part="parent")
    shown = text_of(people.chair.get(f"/meetings/{people.meeting_id}").text)
    assert "Quorate: children's social care and at least two other agencies." in shown
    assert "Agencies present: Children's social care, Police, Health." in shown
    people.start()


def test_quorum_ignores_observers_and_the_chairs_own_service(app):
    """A strategy discussion needs social care, police and health, from those who take part."""
    make_chair(app)
    chair = log_in(app)
    details = {"chair_role": "Independent reviewing officer"}
    meeting_id = make_meeting(chair, SAFETY_ITEM, kind="strategy", **details)
    people = People(app, chair, meeting_id)
    people.join_admitted("Priya Shah", "Police")
    people.join_admitted("Dr Okafor", "Health")
    people.join_admitted("Jo Bell", "Children's social care advocacy")
    aid = people.attendee_id("Jo Bell")
    assert chair.post(f"/meetings/{meeting_id}/people/{aid}/observe").status_code == 302
    shown = text_of(chair.get(f"/meetings/{meeting_id}").text)
    assert "Not quorate (no children's social care; 1 more agency needed)" in shown
    assert "Agencies present: Police, Health." in shown
    record = chair.get(f"/meetings/{meeting_id}/record.json").json
    assert record["quorum"]["agencies_present"] == ["Police", "Health"]
    seat = next(a for a in record["attendance"] if a["name"] == "Sam Chair")
    assert seat["role"] == "Independent reviewing officer"

    people.join_admitted("Ana Silva", "CSC")
    shown = text_of(chair.get(f"/meetings/{meeting_id}").text)
    assert "Quorate: children's social care, police and health." in shown


def test_the_chair_gives_their_role_at_set_up(app):
    make_chair(app)
    chair = log_in(app)
    form = chair.get("/meetings/new").text
    assert "Your role in this meeting" in form
    details = {"title": "Review", "kind": "other", "child": "A.B.", "starts_at": HELD_AT}
    refused = chair.post("/meetings/new", data={**details, "chair_role": " "})
    assert refused.status_code == 422
    assert "Give your role in this meeting" in text_of(refused.text)
    assert 'value="Review"' in refused.text
    made = chair.post("/meetings/new", data={**details, "chair_role": "Child protection chair"})
    assert made.status_code == 302
    # The next meeting's form starts from the role given last time.
    assert 'value="Child protection chair"' in chair.get("/meetings/new").text


def test_someone_who_left_is_shown_and_no_longer_rates(people):
    priya = people.join_admitted("Priya Shah", "Police")
    people.start()
    round_id = people.open_round()
    aid = people.attendee_id("Priya Shah")
    bad = people.chair.post(
        f"/meetings/{people.meeting_id}/people/{aid}/left", data={"left_at": "soon"}
    )
    assert bad.status_code == 422 and "HH:MM" in text_of(bad.text)
    people.chair.post(f"/meetings/{people.meeting_id}/people/{aid}/left", data={"left_at": "11:40"})
    assert "Left at 11:40" in display_region(people)
    assert "recorded that you left at 11:40" in region(people, priya, "rate")
    refused = people.rate(priya, round_id, score=5)
    assert refused.status_code == 403
    assert "0 of 1 have rated" in display_region(people)

    people.chair.post(f"/meetings/{people.meeting_id}/people/{aid}/returned")
    assert people.rate(priya, round_id, score=5).status_code == 302


def test_apologies_are_listed_with_an_email_for_the_minutes(people):
    url = f"/meetings/{people.meeting_id}/apologies"
    bad = people.chair.post(url, data={"name": "", "agency": "Health", "email": "nope"})
    assert bad.status_code == 422 and 'value="Health"' in bad.text
    people.chair.post(
        url, data={"name": "Dr Lee", "role": "GP", "agency": "Health", "email": "lee@nhs.net"}
    )
    assert "Apologies (1) Dr Lee · GP · Health" in text_of(
        people.chair.get(f"/meetings/{people.meeting_id}").text
    )
    record = people.chair.get(f"/meetings/{people.meeting_id}/record.json").json
    lee = next(a for a in record["attendance"] if a["name"] == "Dr Lee")
    assert lee["attendance"] == "Apologies" and lee["email"] == "lee@nhs.net"


# Written contributions ---------------------------------------------------------------


def enter_contribution(people: People, position: int, **fields):
    with people.app.app_context():
        item_id = people.meeting().items[position - 1].id
    aid = people.attendee_id("Dr Lee")
    url = f"/meetings/{people.meeting_id}/people/{aid}/contributions/{item_id}"
    return people.chair.post(url, data=fields), url


def test_an_item_with_a_written_contribution_keeps_its_scale(people):
    people.chair.post(
        f"/meetings/{people.meeting_id}/apologies", data={"name": "Dr Lee", "agency": "Health"}
    )
    saved, _url = enter_contribution(people, 1, report="Seen at A&E.", score="2")
    assert saved.status_code == 302
    with people.app.app_context():
        item_id = people.meeting().items[0].id
    edit = f"/meetings/{people.meeting_id}/items/{item_id}"
    changed = people.chair.post(edit, data={"title": "Renamed risk", "scale": "lxs"})
    assert changed.status_code == 422
    page = text_of(changed.text)
    assert "Written contributions were rated on this item's scale" in page
    assert "Renamed risk" in changed.text
    kept_scale = people.chair.post(edit, data={"title": "Renamed risk", "scale": "safety"})
    assert kept_scale.status_code == 302
    assert "Renamed risk" in people.chair.get(f"/meetings/{people.meeting_id}").text


def test_a_written_contribution_counts_in_round_one_marked_and_hidden_until_the_reveal(people):
    people.chair.post(
        f"/meetings/{people.meeting_id}/apologies", data={"name": "Dr Lee", "agency": "Health"}
    )
    missing, url = enter_contribution(people, 1, report="", score="")
    assert missing.status_code == 422
    assert "Enter the agency's written report" in text_of(missing.text)
    saved, url = enter_contribution(
        people, 1, report="Seen at A&E twice in October.", score="2", reason="Injuries unexplained"
    )
    assert saved.status_code == 302
    # Going back to it shows the report, never the rating.
    again = people.chair.get(url).text
    assert "Seen at A&amp;E twice" in again and "checked" not in again

    priya = people.join_admitted("Priya Shah", "Police")
    tom = people.join_admitted("Tom Reid", "Education")
    people.start()
    round_id = people.open_round()
    progress = display_region(people)
    assert "1 of 4 have rated" in progress
    assert "Dr Lee Health has rated Written contribution" in progress
    people.rate(priya, round_id, score=8)
    people.rate(tom, round_id, score=7)
    assert "Injuries unexplained" not in display_region(people)
    people.reveal(round_id)
    stage = display_region(people)
    assert "Dr Lee Health 2 Minority view Written contribution Injuries unexplained" in stage
    assert "Written report from Health: Seen at A&E twice in October." in stage

    late, _url = enter_contribution(people, 1, report="More", score="3")
    assert late.status_code == 409 and "Round 1" in text_of(late.text)


# Likelihood × severity before and after controls ------------------------------------


def test_lxs_rounds_rate_inherent_then_residual_risk_and_both_are_shown(people):
    priya = people.join_admitted("Priya Shah", "Police")
    people.start()
    people.move_to(2)
    with people.app.app_context():
        item_id = people.meeting().items[1].id
    url = f"/meetings/{people.meeting_id}/items/{item_id}/rounds"
    people.chair.post(url, data={"basis": "inherent"})
    with people.app.app_context():
        first = people.meeting().items[1].rounds[0].id
    people.rate(priya, first, likelihood=4, severity=4)
    people.reveal(first)

    refused = people.chair.post(url, data={"basis": "residual", "controls": ""})
    assert refused.status_code == 422
    assert "Say which control measures" in text_of(refused.text)
    controls = "Check-ins every hour by phone; a trusted adult at the park."
    people.chair.post(url, data={"basis": "residual", "controls": controls})
    with people.app.app_context():
        second = people.meeting().items[1].rounds[1].id
    assert controls in display_region(people)
    people.rate(priya, second, likelihood=2, severity=3)
    people.reveal(second)
    stage = display_region(people)
    assert "Inherent risk (before control measures) Median score 16 (High) · round 1" in stage
    assert "Residual risk (after control measures) Median score 6 (Medium) · round 2" in stage


# The record as data ------------------------------------------------------------------


def test_the_record_downloads_as_json_with_everything_the_minutes_need(people):
    priya = people.join_admitted("Priya Shah", "Police")
    people.start()
    round_id = people.open_round()
    people.rate(priya, round_id, score=4, reason="Missing twice")
    people.reveal(round_id)
    with people.app.app_context():
        item_id = people.meeting().items[0].id
    people.chair.post(
        f"/meetings/{people.meeting_id}/items/{item_id}/decision",
        data={
            "intent": "record",
            "text": "CIN plan",
            "rationale": "Harm not current",
            "child_views": "Wants to stay home",
            "review_date": NEXT_WEEK,
            "legal_bases": "Children Act 1989 s.17 (child in need)",
        },
    )
    priya.post(
        f"/m/{people.meeting_id}/items/{item_id}/view", data={"agrees": "no", "text": "Too little"}
    )
    add_action(
        people,
        what="Visit",
        owner_id=people.attendee_id("Priya Shah"),
        due=NEXT_WEEK,
        item_id=item_id,
    )

    response = people.chair.get(f"/meetings/{people.meeting_id}/record.json")
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    record = json.loads(response.data)
    assert record["format"] == "meeting-record/1"
    assert record["meeting"]["child"] == "A.B."
    item = record["items"][0]
    rating = item["rounds"][0]["ratings"][0]
    assert (
        rating["name"] == "Priya Shah"
        and rating["score"] == 4
        and rating["reason"] == "Missing twice"
    )
    assert rating["submitted_at"].endswith("Z")
    decision = item["decision"]
    assert decision["decision"] == "CIN plan" and decision["legal_basis"] == [
        "Children Act 1989 s.17 (child in need)"
    ]
    assert decision["consensus"] == "Chair's decision against the majority of ratings"
    assert decision["views"][0]["view"] == "Too little"
    assert item["actions"][0]["owner"] == "Priya Shah" and item["actions"][0]["due"] == NEXT_WEEK
    whats = [e["what"] for e in record["events"]]
    assert "recorded the decision on Risk of criminal exploitation" in whats
    assert any(w.startswith("added an action") for w in whats)

    assert priya.get(f"/meetings/{people.meeting_id}/record.json").status_code == 302


def test_the_json_record_holds_no_value_of_an_open_round(people):
    priya = people.join_admitted("Priya Shah", "Police")
    people.start()
    round_id = people.open_round()
    people.rate(priya, round_id, score=7, reason="SECRET-REASON")
    body = people.chair.get(f"/meetings/{people.meeting_id}/record.json").text
    assert "SECRET-REASON" not in body
    rating = json.loads(body)["items"][0]["rounds"][0]["ratings"][0]
    assert rating["name"] == "Priya Shah" and "score" not in rating


def test_every_change_is_in_the_event_log(people):
    people.join_admitted("Priya Shah", "Police")
    people.chair.post(
        f"/meetings/{people.meeting_id}/apologies", data={"name": "Dr Lee", "agency": "Health"}
    )
    people.start()
    aid = people.attendee_id("Priya Shah")
    people.chair.post(f"/meetings/{people.meeting_id}/people/{aid}/left", data={"left_at": ""})
    add_action(people, what="Visit", owner_name="Jo", agency="Housing", due=NEXT_WEEK)
    log = text_of(people.chair.get(f"/meetings/{people.meeting_id}/events").text)
    for line in (
        "recorded apologies from Dr Lee (Health)",
        "started the meeting",
        "recorded that Priya Shah left",
        "added an action for Jo (Housing)",
    ):
        assert line in log
    with people.app.app_context():
        assert db.session.query(Event).filter(Event.actor == "Sam Chair").count() >= 4
    assert people.app.test_client().get(f"/meetings/{people.meeting_id}/events").status_code == 302


def test_choice_items_without_a_majority_are_flagged(people):
    devices = [people.join_admitted(n, a) for n, a in (("A", "Police"), ("B", "Health"))]
    people.start()
    people.move_to(3)
    round_id = people.open_round()
    for device, pick in zip(devices, CHOICE_ITEM["choices"].splitlines(), strict=False):
        people.rate(device, round_id, choice=pick)
    people.reveal(round_id)
    assert "no option is held by a majority" in display_region(people)
    assert LXS_ITEM["title"]  # the agenda keeps all three scales in play
