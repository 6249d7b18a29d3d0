"""The family in the meeting: who they are is said, and their ratings are their own track.

Parents and the young person rate blind like everyone and are revealed at the same moment,
but their numbers stand beside the professionals' spread, never inside its median, range,
minority or divided lines, nor in the consensus.
"""

from conftest import SAFETY_ITEM, People, log_in, make_chair, make_meeting, text_of
from test_concealment import SECRET_FIRST, SECRET_SECOND, every_get_url, snapshot

from meeting.extensions import db
from meeting.models import Attendee, CopyGroup, Part, Rating, Scale
from meeting.rating import concealment, scales
from meeting.rating.concealment import UNSEATED_CHAIR

PROFESSIONALS = (
    ("Ana Silva", "Children's social care", 2),
    ("Priya Shah", "Police", 6),
    ("Nurse Ade", "Health", 6),
    ("Ms Reid", "School", 7),
    ("Tom Hale", "Youth justice", 7),
)
# Pooled, two ratings of 1 would move the minority marks and split the room.
PARENTS = (("Mum Brown", 1, "He is fine with us"), ("Dad Brown", 1, "We keep him in"))


def conference(app) -> People:
    make_chair(app)
    chair = log_in(app)
    return People(app, chair, make_meeting(chair, SAFETY_ITEM, kind="cp_conference"))


def stage_of(people: People, device) -> str:
    url = f"/m/{people.meeting_id}/region/stage"
    return text_of(device.get(url, headers={"HX-Request": "true"}).text)


def scene_of(people: People, display) -> str:
    url = f"{people.open_display(display)}/region/scene"
    return text_of(display.get(url, headers={"HX-Request": "true"}).text)


def test_five_professionals_are_summarised_alone_and_two_parents_stand_beside_them(app, sio):
    people = conference(app)
    pros = {name: people.join_admitted(name, agency) for name, agency, _ in PROFESSIONALS}
    parents = {
        name: people.join_admitted(name, "", role="Parent", part="parent") for name, *_ in PARENTS
    }
    display = app.test_client()
    people.start()
    round_id = people.open_round()
    for name, _agency, score in PROFESSIONALS:
        assert people.rate(pros[name], round_id, score=score).status_code == 302
    for name, score, reason in PARENTS:
        assert people.rate(parents[name], round_id, score=score, reason=reason).status_code == 302

    # Before the reveal no screen shows the family's numbers, nor anyone's.
    assert "He is fine with us" not in stage_of(people, pros["Priya Shah"])
    assert "The family's view" not in scene_of(people, display)
    assert "7 of 8 have rated" in text_of(people.chair.get(f"/meetings/{people.meeting_id}").text)

    listener = sio(pros["Priya Shah"], meeting=people.meeting_id)
    assert people.reveal(round_id).status_code == 302

    alone = scales.summarise(
        Scale.SAFETY, [], [scales.Value(s, None, None, None) for *_, s in PROFESSIONALS]
    )
    marked = [name for (name, *_), m in zip(PROFESSIONALS, alone.minority, strict=True) if m]
    with app.app_context():
        round_ = db.session.get(Rating, 1).round
        spread = concealment.spread(round_, UNSEATED_CHAIR)
        assert (spread.middle, spread.range) == (alone.middle, alone.spread)
        assert (spread.divergence, spread.divided) == (alone.divergence, alone.divided)
        assert [s.name for s in spread.minority] == marked == ["Ana Silva"]
        assert [s.name for s in spread.ratings] == [name for name, *_ in PROFESSIONALS]
        assert [(s.name, s.value, s.part) for s in spread.family] == [
            ("Mum Brown", "1", "Parent or carer"),
            ("Dad Brown", "1", "Parent or carer"),
        ]
        # Revealed at the same moment: one reveal, every rating's value visible from it.
        assert all(r.round.revealed_at == round_.revealed_at for r in round_.ratings)

    # The phones (a professional's and a parent's) and the chair: the spread is the five's.
    for device in (pros["Priya Shah"], parents["Mum Brown"], people.chair):
        page = stage_of(people, device)
        assert f"{alone.middle} · {alone.spread} · 5 professionals rated" in page
        assert "The family's view" in page and "He is fine with us" in page
        assert "Minority view: Ana Silva (Children's social care, 2)" in page
        assert "Mum Brown (" not in page.split("The family's view")[0], "a parent marked"
    assert 'class="family-track"' in repr(listener.get_received()), "the ring carries the track"

    # The display: the five's middle and range, and the family's numbers on their own line.
    scene = scene_of(people, display)
    assert alone.middle in scene and alone.spread in scene and "5 professionals rated" in scene
    assert "The family's view: Mum Brown 1 · Dad Brown 1" in scene

    # The record: every rating says its track; the minutes set the family's apart.
    record = people.chair.get(f"/meetings/{people.meeting_id}/record.json").json
    ratings = record["items"][0]["rounds"][0]["ratings"]
    tracks = {r["name"]: r["track"] for r in ratings}
    assert tracks == {
        **{name: "professionals" for name, *_ in PROFESSIONALS},
        **{name: "family" for name, *_ in PARENTS},
    }
    assert record["items"][0]["rounds"][0]["middle"] == alone.middle
    assert people.chair.post(f"/meetings/{people.meeting_id}/close").status_code == 302
    minutes = people.chair.get(f"/meetings/{people.meeting_id}/minutes/draft.md").text
    professionals_table, family_part = minutes.split("**The family's own view**")
    assert "Mum Brown" not in professionals_table.split("#### Round 1")[1]
    assert "| Mum Brown | Parent or carer | 1 | He is fine with us |" in family_part
    assert f"**Spread:** {alone.middle}; {alone.spread}." in minutes


def test_the_family_track_is_concealed_on_every_channel_before_the_reveal(app, people, sio):
    people.chair.post(f"/meetings/{people.meeting_id}/family/rates", data={"on": "yes"})
    mallory = people.join_admitted("Mallory Parent", "", part="parent")
    victor = people.join_admitted("Victor Parent", "", part="parent")
    display = app.test_client()
    people.start()
    round_id = people.open_round()
    people.rate(mallory, round_id, score=3, reason="mallory's own")
    listeners = {
        "mallory": sio(mallory, meeting=people.meeting_id),
        "chair": sio(people.chair, meeting=people.meeting_id),
        "display": sio(display, display=people.display_token),
    }
    viewers = {"mallory": mallory, "chair": people.chair, "display": display}
    urls = every_get_url(app, people, round_id)

    people.rate(victor, round_id, score=1, reason=SECRET_FIRST)
    heard_first = {name: c.get_received() for name, c in listeners.items()}
    before = {name: snapshot(client, urls) for name, client in viewers.items()}
    people.rate(victor, round_id, score=9, reason=SECRET_SECOND)
    heard_second = {name: c.get_received() for name, c in listeners.items()}
    after = {name: snapshot(client, urls) for name, client in viewers.items()}
    for name in viewers:
        assert heard_first[name] == heard_second[name], name
        assert heard_first[name], f"{name} heard nothing, so the events were not tested"
        assert after[name] == before[name], f"{name} sees the family's rating change"

    people.reveal(round_id)
    assert SECRET_SECOND in stage_of(people, mallory)
    assert "Victor Parent 9" in scene_of(people, display)


def test_who_someone_is_is_said_when_joining_and_never_guessed_from_their_agency(app):
    people = conference(app)
    device = app.test_client()
    form = {"name": "Kerry Moss", "role": "Mum", "agency": "None"}
    refused = device.post(f"/join/{people.code}", data=form)
    assert refused.status_code == 422
    page = text_of(refused.text)
    assert "Say how you are taking part" in page and 'value="Kerry Moss"' in refused.text
    # A mother who types "None" as her agency is a parent because she said so.
    assert device.post(f"/join/{people.code}", data={**form, "part": "parent"}).status_code == 302
    people.admit("Kerry Moss")
    people.join_admitted("Ana Silva", "Children's social care")
    # A professional who typed "Family support service" is a professional.
    people.join_admitted("Lee Page", "Family support service")
    chair_page = text_of(people.chair.get(f"/meetings/{people.meeting_id}").text)
    assert "Agencies present: Children's social care, Family support service." in chair_page
    with app.app_context():
        from meeting.circulation.recipients import group_of

        kerry = db.session.get(Attendee, people.attendee_id("Kerry Moss"))
        lee = db.session.get(Attendee, people.attendee_id("Lee Page"))
        assert (kerry.part, group_of(kerry)) == (Part.PARENT, CopyGroup.FAMILY)
        assert (lee.part, group_of(lee)) == (Part.PROFESSIONAL, CopyGroup.PROFESSIONALS)


def test_the_chair_confirms_or_changes_who_someone_is_and_an_open_rating_follows(app):
    people = conference(app)
    aunt = people.join_admitted("Aunt May", "Kinship carer")
    for name, agency, _score in PROFESSIONALS[:3]:
        people.join_admitted(name, agency)
    people.start()
    round_id = people.open_round()
    assert people.rate(aunt, round_id, score=4).status_code == 302
    aid = people.attendee_id("Aunt May")
    url = f"/meetings/{people.meeting_id}/people/{aid}/part"
    wrong = people.chair.post(url, data={"part": "cousin"})
    assert wrong.status_code == 422
    assert "Choose who this person is in the meeting." in text_of(wrong.text)
    assert people.chair.post(url, data={"part": "family"}).status_code == 302
    with app.app_context():
        rating = db.session.query(Rating).filter_by(attendee_id=aid).one()
        assert rating.track == "family", "her rating moved to the family's track before the reveal"
    people.reveal(round_id)
    page = stage_of(people, people.chair)
    assert "No ratings" in page.split("The family's view")[0], "she is not a professional"
    assert "Aunt May" in page.split("Given and revealed like everyone's")[1]
    # After the reveal, a change of part leaves the revealed round as it was.
    assert people.chair.post(url, data={"part": "professional"}).status_code == 302
    with app.app_context():
        assert db.session.query(Rating).filter_by(attendee_id=aid).one().track == "family"
    log = text_of(people.chair.get(f"/meetings/{people.meeting_id}/events").text)
    assert "recorded Aunt May as: Family member" in log and "Was: Professional" in log
    # Her view on the decision stays the family's: her rating's track decides, not her part now.
    from test_cases import DECISION

    with app.app_context():
        item_id = people.meeting().items[0].id
    decided = people.chair.post(
        f"/meetings/{people.meeting_id}/items/{item_id}/decision",
        data={"intent": "record", **DECISION},
    )
    assert decided.status_code == 302
    view = {"agrees": "no", "text": "He should come home"}
    assert aunt.post(f"/m/{people.meeting_id}/items/{item_id}/view", data=view).status_code == 302
    decision = people.chair.get(f"/meetings/{people.meeting_id}/record.json").json["items"][0]
    views = {v["name"]: v["family"] for v in decision["decision"]["views"]}
    assert views == {"Aunt May": True}
    assert "Aunt May" not in decision["decision"]["awaiting_views_from"]


def test_when_the_family_does_not_rate_their_phone_says_so_and_a_rating_is_refused(app, people):
    mum = people.join_admitted("Mum", "", part="parent")
    people.start()
    round_id = people.open_round()
    phone = text_of(mum.get(f"/m/{people.meeting_id}").text)
    assert "The family does not rate in this meeting" in phone
    refused = people.rate(mum, round_id, score=5)
    assert refused.status_code == 403
    people.chair.post(f"/meetings/{people.meeting_id}/family/rates", data={"on": "yes"})
    assert people.rate(mum, round_id, score=5).status_code == 302
    assert "Your rating is the family's own view" in text_of(
        mum.get(f"/m/{people.meeting_id}").text
    )


def test_at_a_review_each_family_members_movement_is_shown_like_each_agencys(app):
    from test_cases import Case

    make_chair(app)
    case = Case(app, log_in(app))
    case.meetings.append(make_meeting(case.chair, SAFETY_ITEM, kind="cp_conference"))
    scores = ({"Mum Brown": 3, "Ana Silva": 2}, {"Mum Brown": 6, "Ana Silva": 4})
    for number, given in enumerate(scores):
        meeting_id = case.meetings[0] if number == 0 else case.review_of(case.meetings[0])
        people = case.people(meeting_id)
        devices = {
            name: people.join_admitted(name, agency) for name, agency, _ in PROFESSIONALS[:3]
        }
        devices["Mum Brown"] = people.join_admitted("Mum Brown", "", part="parent")
        people.start()
        round_id = people.open_round()
        for name, score in given.items():
            assert people.rate(devices[name], round_id, score=score).status_code == 302
        people.reveal(round_id)
        if number == 0:
            assert people.chair.post(f"/meetings/{meeting_id}/close").status_code == 302

    stage = stage_of(people, devices["Priya Shah"])
    assert "Children's social care 2 4" in stage
    assert "Family Mum Brown (Parent or carer) 3 6" in stage
    assert stage.index("Children's social care 2 4") < stage.index("Family Mum Brown")
    movement = case.record(meeting_id)["items"][0]["history"]["movement"]
    assert [(m["agency"], m["family"]) for m in movement] == [
        ("Children's social care", False),
        ("Mum Brown (Parent or carer)", True),
    ]
    assert people.chair.post(f"/meetings/{meeting_id}/close").status_code == 302
    assert "| Family: Mum Brown (Parent or carer) | 3 | 6 |" in case.minutes(meeting_id)


def test_the_case_report_counts_no_family_rating_as_an_agencys(app):
    from test_cases import DECISION, Case

    make_chair(app)
    case = Case(app, log_in(app))
    first = make_meeting(case.chair, SAFETY_ITEM, kind="cp_conference")
    case.meetings.append(first)
    people = case.people(first)
    # Three social workers, so their row rests on three people and is shown; three of the
    # family, who would make a row of their own if the family's ratings were counted.
    professionals = {"Ana Silva": 2, "Ben Cole": 3, "Cat Ode": 2}
    family = ("Mum Brown", "Dad Brown", "Gran Brown")
    devices = {name: people.join_admitted(name, "Children's social care") for name in professionals}
    # Police and health make the conference quorate; one each, so no row of theirs shows.
    for name, agency, _score in PROFESSIONALS[1:3]:
        devices[name] = people.join_admitted(name, agency)
        professionals[name] = 4
    relatives = [people.join_admitted(name, "", part="parent") for name in family]
    people.start()
    round_id = people.open_round()
    for name, score in professionals.items():
        assert people.rate(devices[name], round_id, score=score).status_code == 302
    for relative in relatives:
        assert people.rate(relative, round_id, score=9).status_code == 302
    people.reveal(round_id)
    item = case.item_id(first, 1)
    case.post(first, f"/items/{item}/decision", intent="record", **DECISION)
    case.post(first, "/close")
    review = case.review_of(first)

    with app.app_context():
        decision_id = case.people(first).meeting().items[0].decision.id
    case.post(review, f"/forecasts/{decision_id}/1", result="met", note="Home every night")
    report = text_of(case.chair.get("/cases/report").text)
    assert "Children's social care 0–3 3 not shown not shown 3" in report
    assert "Police" not in report and "Health" not in report, "one person's rating each"
    assert "No agency given" not in report and "7–10" not in report, "the family's 9s"
