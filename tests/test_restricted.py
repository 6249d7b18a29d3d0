"""The parts restricted from the family, tested as a parent's phone would try them.

Third-party information (police intelligence, another person's health) is discussed with
the family out of the room. While it runs, a parent's phone (and the display, when the
family sees it) shows a holding screen; nothing of it reaches them over any channel,
before or after: not a page, not a region, not a Socket.IO frame, not their minutes.
"""

from datetime import date, timedelta

from conftest import LXS_ITEM, SAFETY_ITEM, text_of
from test_concealment import every_get_url

from meeting.extensions import db
from meeting.models import Meeting

SECRET = "INTEL-ABOUT-MR-X"
SOON = (date.today() + timedelta(days=14)).isoformat()
# What the restricted item says: its title and body are for the professionals alone.
RESTRICTED_WORDS = (LXS_ITEM["title"], LXS_ITEM["body"], SECRET)


def fetch_everything(client, urls) -> str:
    """Every URL the device knows, as a page and as htmx asks for it, in one text."""
    seen = []
    for url in urls:
        for headers in ({}, {"HX-Request": "true"}):
            seen.append(client.get(url, headers=headers).get_data(as_text=True))
    return "\n".join(seen)


def leaks(text: str) -> list[str]:
    return [word for word in RESTRICTED_WORDS if word in text]


def test_a_parents_phone_receives_nothing_of_a_restricted_part(app, people, sio):
    chair = people.chair
    base = f"/meetings/{people.meeting_id}"
    with app.app_context():
        item_ids = [i.id for i in people.meeting().items]
    mum = people.join_admitted("Mum", "", part="parent")
    young = people.join_admitted("Sam", "", part="young_person")
    pro = people.join_admitted("Priya Shah", "Police")
    display = app.test_client()
    # Before the meeting: the chair restricts item 2, and says the family sees the display.
    assert chair.post(f"{base}/items/{item_ids[1]}/restricted", data={"restricted": "yes"})
    assert chair.post(f"{base}/family/display", data={"on": "yes"}).status_code == 302
    heard = {
        "mum": sio(mum, meeting=people.meeting_id),
        "young person": sio(young, meeting=people.meeting_id),
        "display": sio(display, display=people.display_token),
        "priya": sio(pro, meeting=people.meeting_id),
    }
    viewers = {"mum": mum, "young person": young, "display": display}
    urls = every_get_url(app, people, round_id=1)
    before = {name: fetch_everything(client, urls) for name, client in viewers.items()}
    for name, text in before.items():
        assert not leaks(text), f"{name} sees the restricted item before it runs"
    assert "Discussed without the family" in text_of(mum.get(f"/m/{people.meeting_id}").text)
    # The young person's page for their own words offers only what they may hear.
    words = text_of(young.get(f"/m/{people.meeting_id}/words").text)
    assert SAFETY_ITEM["title"] in words and LXS_ITEM["title"] not in words
    given = young.post(f"/m/{people.meeting_id}/words/{item_ids[1]}", data={"words": "x"})
    assert given.status_code == 404

    # During: rated, revealed and given an action, with the family out.
    people.start()
    people.move_to(2)
    phone = text_of(mum.get(f"/m/{people.meeting_id}").text)
    assert "Please wait a moment" in phone and LXS_ITEM["title"] not in phone
    scene = text_of(display.get(f"/display/{people.display_token}", follow_redirects=True).text)
    assert "talking about something without the family" in scene
    round_id = people.open_round()
    assert people.rate(pro, round_id, likelihood=4, severity=5, reason=SECRET).status_code == 302
    assert people.reveal(round_id).status_code == 302
    action = {"what": SECRET, "owner_id": people.attendee_id("Priya Shah"), "due": SOON}
    added = chair.post(f"{base}/actions", data={**action, "item_id": item_ids[1]})
    assert added.status_code == 302
    urls = every_get_url(app, people, round_id)
    during = {name: fetch_everything(client, urls) for name, client in viewers.items()}
    # The professionals see it all: the search above could find it.
    assert SECRET in text_of(pro.get(f"/m/{people.meeting_id}").text)
    assert SECRET in repr(heard["priya"].get_received())

    # After: the meeting moves on; nothing of the restricted part shows or arrives later.
    people.move_to(3)
    assert "Please wait a moment" not in text_of(mum.get(f"/m/{people.meeting_id}").text)
    after = {name: fetch_everything(client, urls) for name, client in viewers.items()}
    for name in viewers:
        assert not leaks(during[name]), f"{name} received {leaks(during[name])} during it"
        assert not leaks(after[name]), f"{name} received {leaks(after[name])} after it"
        frames = repr(heard[name].get_received())
        assert frames and not leaks(frames), f"{name} heard {leaks(frames)}"

    # The family's copy of the minutes withholds the item; the professionals' has it.
    assert chair.post(f"{base}/close").status_code == 302
    family = chair.get(f"{base}/minutes/draft.md?copy=family").get_data(as_text=True)
    whole = chair.get(f"{base}/minutes/draft.md").get_data(as_text=True)
    assert SECRET in whole and LXS_ITEM["title"] in whole
    assert not leaks(family) and "Item 1" in family


def test_the_family_steps_out_for_part_of_an_item_and_comes_back(app, people, sio):
    base = f"/meetings/{people.meeting_id}"
    mum = people.join_admitted("Mum", "", part="parent")
    people.join_admitted("Priya Shah", "Police")
    people.start()
    listener = sio(mum, meeting=people.meeting_id)
    assert people.chair.post(f"{base}/family/out", data={"on": "yes"}).status_code == 302
    assert "Please wait a moment" in text_of(mum.get(f"/m/{people.meeting_id}").text)
    assert "Please wait a moment" in repr(listener.get_received())
    # A round on an item the family may hear waits for them.
    with app.app_context():
        item_id = people.meeting().current_item.id
    refused = people.chair.post(f"{base}/items/{item_id}/rounds")
    assert refused.status_code == 409
    assert "bring them back to rate it" in text_of(refused.text)
    cockpit = text_of(people.chair.get(base).text)
    assert "a part of the discussion without the family is running" in cockpit
    assert people.chair.post(f"{base}/family/out", data={"on": "no"}).status_code == 302
    phone = text_of(mum.get(f"/m/{people.meeting_id}").text)
    assert "Please wait a moment" not in phone and SAFETY_ITEM["title"] in phone
    with app.app_context():
        assert db.session.get(Meeting, people.meeting_id).family_out is False
    log = text_of(people.chair.get(f"{base}/events").text)
    assert "began a part without the family" in log and "brought the family back" in log


def test_a_parent_recorded_by_the_chair_moves_to_the_familys_room(app, people, sio):
    base = f"/meetings/{people.meeting_id}"
    with app.app_context():
        item_ids = [i.id for i in people.meeting().items]
    people.chair.post(f"{base}/items/{item_ids[0]}/restricted", data={"restricted": "yes"})
    # She joined as a professional by mistake; the chair records her as a parent.
    mum = people.join_admitted("Kerry Moss", "Family support")
    listener = sio(mum, meeting=people.meeting_id)
    aid = people.attendee_id("Kerry Moss")
    assert (
        people.chair.post(f"{base}/people/{aid}/part", data={"part": "parent"}).status_code == 302
    )
    listener.get_received()
    people.start()
    frames = repr(listener.get_received())
    assert frames and SAFETY_ITEM["title"] not in frames, "her open page hears as the family's"
    assert "Please wait a moment" in text_of(mum.get(f"/m/{people.meeting_id}").text)


def test_a_meeting_closed_on_a_restricted_item_shows_the_family_nothing_of_it(app, people):
    base = f"/meetings/{people.meeting_id}"
    with app.app_context():
        item_ids = [i.id for i in people.meeting().items]
    mum = people.join_admitted("Mum", "", part="parent")
    pro = people.join_admitted("Priya Shah", "Police")
    people.chair.post(f"{base}/items/{item_ids[1]}/restricted", data={"restricted": "yes"})
    people.start()
    people.move_to(2)
    round_id = people.open_round()
    people.rate(pro, round_id, likelihood=4, severity=5, reason=SECRET)
    people.reveal(round_id)
    assert people.chair.post(f"{base}/close").status_code == 302
    urls = every_get_url(app, people, round_id)
    assert not leaks(fetch_everything(mum, urls))
    # Posting to it, by its number, names nothing either.
    for answer in (
        people.rate(mum, round_id, likelihood=1, severity=1),
        mum.post(f"/m/{people.meeting_id}/items/{item_ids[1]}/view", data={"agrees": "yes"}),
    ):
        assert answer.status_code == 404 and not leaks(answer.text)


def test_at_a_review_what_was_restricted_last_time_stays_out_of_the_familys_sight(app):
    from conftest import CHOICE_ITEM, log_in, make_chair, make_meeting
    from test_cases import DECISION, FIRST_RATINGS, Case, day

    make_chair(app)
    case = Case(app, log_in(app))
    first = make_meeting(case.chair, SAFETY_ITEM, CHOICE_ITEM, child="K.M.")
    case.meetings.append(first)
    people = case.people(first)
    devices = case.join_all(people)
    item = case.item_id(first, 1)
    case.post(first, f"/items/{item}/restricted", restricted="yes")
    people.start()
    round_id = people.open_round()
    for name, (score, reason) in FIRST_RATINGS.items():
        people.rate(devices[name], round_id, score=score, reason=reason)
    people.reveal(round_id)
    decision = {**DECISION, "forecast": "FORECAST-SECRET"}
    case.post(first, f"/items/{item}/decision", intent="record", **decision)
    owner = people.attendee_id("Priya Shah")
    case.post(first, "/actions", what="ACTION-SECRET", due=day(14), item_id=item, owner_id=owner)
    case.post(first, "/close")

    # At the review the chair lets the family hear the item this time.
    review = case.review_of(first)
    again = case.people(review)
    mum = again.join_admitted("Mum", "", part="parent")
    devices = case.join_all(again)
    case.post(review, f"/items/{case.item_id(review, 1)}/restricted", restricted="no")
    again.start()
    round_id = again.open_round()
    for name, (score, _reason) in FIRST_RATINGS.items():
        again.rate(devices[name], round_id, score=score)
    again.reveal(round_id)
    secrets = ("FORECAST-SECRET", "ACTION-SECRET", DECISION["rationale"])
    phone = mum.get(f"/m/{review}").text
    assert not [s for s in secrets if s in phone], "last time's restricted part on her phone"
    assert DECISION["rationale"] in devices["Priya Shah"].get(f"/m/{review}").text
    case.post(review, "/close")
    family = case.chair.get(f"/meetings/{review}/minutes/draft.md?copy=family").text
    whole = case.minutes(review)
    assert not [s for s in secrets if s in family]
    assert all(s in whole for s in secrets)
