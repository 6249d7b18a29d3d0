"""Taking part however one can: in the room, on video, on a phone line, or on paper.

Whoever has no device of their own gives their rating to the chair (read out on the phone
line, or on a paper slip), who enters it in the same blind round: it is hidden until the
reveal like everyone's, from the chair too, revealed with the rest, and the minutes say how
each rating was given.
"""

import json
import re

from conftest import text_of
from test_concealment import SECRET_FIRST, SECRET_SECOND, every_get_url, snapshot

from meeting.extensions import db
from meeting.models import Attendee, Given, Round

PHONES = (("Ana Silva", "Children's social care", 3), ("Priya Shah", "Police", 4))


def add_without_device(people, name: str, channel: str, **more) -> int:
    """The chair adds someone with no device to join with; returns their attendee id."""
    fields = {"name": name, "channel": channel, "part": "professional", "role": "", **more}
    response = people.chair.post(f"/meetings/{people.meeting_id}/without-device", data=fields)
    assert response.status_code == 302, text_of(response.text)
    return people.attendee_id(name)


def enter(people, round_id: int, attendee_id: int, given: str, **fields):
    """The chair enters a rating given to them for someone."""
    data = {
        "attendee_id": str(attendee_id),
        "given": given,
        **{k: str(v) for k, v in fields.items()},
    }
    answer = people.chair.post(f"/meetings/{people.meeting_id}/rounds/{round_id}/behalf", data=data)
    if answer.status_code == 302:
        # The chair's browser follows on to the page that says it was entered.
        said = text_of(people.chair.get(answer.location).text)
        assert "rating is in round" in said and "hidden until the reveal" in said
    return answer


def without_entries(seen: dict) -> dict:
    """Drop what entering a rating adds whoever's it is: its line in the log, its time."""
    out = {}
    for (url, htmx), (status, body) in seen.items():
        body = re.sub(rb"entered at \d\d:\d\d", b"entered at", body)
        body = re.sub(
            rb"\s*<tr><td><strong>\d+</strong>[^<]*</td><td>[^<]*</td><td>entered [^<]*"
            rb"rating in round.*?</tr>\s*",
            b"",
            body,
            flags=re.S,
        )
        if url.endswith("/record.json") and body.startswith(b"{"):
            data = json.loads(body)
            data["events"] = [e for e in data["events"] if "rating in round" not in e["what"]]
            body = json.dumps(data).encode()
        out[(url, htmx)] = (status, body)
    return out


def test_three_phones_a_phone_line_and_a_paper_slip_rate_in_one_blind_round(app, people, sio):
    phones = {name: people.join_admitted(name, agency) for name, agency, _ in PHONES}
    video = people.join("Nurse Ade", "Health")
    people.admit("Nurse Ade")
    line = add_without_device(people, "Dr Lee", "phone", agency="GP practice", role="GP")
    paper = add_without_device(people, "Ms Reid", "paper", agency="School", role="Teacher")
    display = app.test_client()
    people.start()
    round_id = people.open_round()
    for name, _agency, score in PHONES:
        assert people.rate(phones[name], round_id, score=score).status_code == 302
    assert people.rate(video, round_id, score=5).status_code == 302
    assert (
        enter(people, round_id, paper, "paper", score=7, reason="From her slip").status_code == 302
    )

    # Every channel, before the phone line's rating and after it changes: nothing differs.
    viewers = {**phones, "Nurse Ade": video, "chair": people.chair, "display": display}
    listeners = {
        name: sio(
            client,
            **(
                {"display": people.display_token}
                if name == "display"
                else {"meeting": people.meeting_id}
            ),
        )
        for name, client in viewers.items()
    }
    urls = every_get_url(app, people, round_id)
    assert enter(people, round_id, line, "phone", score=1, reason=SECRET_FIRST).status_code == 302
    heard_first = {name: c.get_received() for name, c in listeners.items()}
    before = {name: without_entries(snapshot(c, urls)) for name, c in viewers.items()}
    assert enter(people, round_id, line, "phone", score=9, reason=SECRET_SECOND).status_code == 302
    heard_second = {name: c.get_received() for name, c in listeners.items()}
    after = {name: without_entries(snapshot(c, urls)) for name, c in viewers.items()}
    for name in viewers:
        assert heard_first[name], f"{name} heard nothing, so the events were not tested"
        assert SECRET_SECOND not in repr(heard_second[name]), name
        assert repr(heard_first[name]).replace(SECRET_FIRST, "") == repr(
            heard_second[name]
        ).replace(SECRET_SECOND, ""), name
        for key, seen in before[name].items():
            assert after[name][key] == seen, f"{name} sees a change at {key}"

    # The chair's screen says whose rating was entered and how, never its value.
    cockpit = text_of(people.chair.get(f"/meetings/{people.meeting_id}").text)
    assert "Dr Lee On a phone line entered at" in cockpit
    assert "read out to the chair on a phone line" in cockpit
    assert "5 of 6 have rated" in cockpit  # the chair has not rated

    # Revealed together: one reveal, every value visible from it, on every device.
    assert people.reveal(round_id).status_code == 302
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        given = {r.attendee.name: r.given for r in round_.ratings}
        assert all(r.submitted_at <= round_.revealed_at for r in round_.ratings)
    assert given == {
        "Ana Silva": Given.DEVICE,
        "Priya Shah": Given.DEVICE,
        "Nurse Ade": Given.DEVICE,
        "Dr Lee": Given.PHONE,
        "Ms Reid": Given.PAPER,
    }
    stage = text_of(
        phones["Ana Silva"]
        .get(f"/m/{people.meeting_id}/region/stage", headers={"HX-Request": "true"})
        .text
    )
    for shown in (SECRET_SECOND, "From her slip", "Dr Lee", "Ms Reid", "Nurse Ade"):
        assert shown in stage

    record = people.chair.get(f"/meetings/{people.meeting_id}/record.json").json
    ratings = {r["name"]: r for r in record["items"][0]["rounds"][0]["ratings"]}
    assert (ratings["Dr Lee"]["given"], ratings["Dr Lee"]["score"]) == ("phone", 9)
    assert ratings["Ms Reid"]["given"] == "paper"
    channels = {p["name"]: p["channel"] for p in record["attendance"]}
    assert channels["Dr Lee"] == "On a phone line" and channels["Ms Reid"] == "On paper"

    assert people.chair.post(f"/meetings/{people.meeting_id}/close").status_code == 302
    minutes = people.chair.get(f"/meetings/{people.meeting_id}/minutes/draft.md").text
    rows = {
        line.split("|")[1].strip(): line for line in minutes.splitlines() if line.startswith("| ")
    }
    assert "| Given |" in minutes
    assert rows["Dr Lee"].rstrip(" |").endswith("read out on a phone line, entered by the chair")
    assert rows["Ms Reid"].rstrip(" |").endswith("paper slip, entered by the chair")
    for name in ("Ana Silva", "Priya Shah", "Nurse Ade"):
        assert any(
            line.rstrip(" |").endswith("own device")
            for line in minutes.splitlines()
            if line.startswith(f"| {name} |") and "|" in line[2:]
        ), name
    assert "Present, on a phone line" in minutes and "Present, on paper" in minutes


def test_the_chair_cannot_enter_over_a_rating_given_on_its_owners_device(app, people):
    ana = people.join_admitted("Ana Silva", "Children's social care")
    people.start()
    round_id = people.open_round()
    assert people.rate(ana, round_id, score=3).status_code == 302
    answer = enter(people, round_id, people.attendee_id("Ana Silva"), "phone", score=8)
    assert answer.status_code == 409
    assert "Ana Silva rated on their own device; only they can change that rating." in text_of(
        answer.text
    )
    with app.app_context():
        assert db.session.get(Round, round_id).ratings[0].score == 3


def test_a_bad_entry_comes_back_with_what_was_typed_and_the_problem_named(app, people):
    line = add_without_device(people, "Dr Lee", "phone", agency="GP practice")
    people.start()
    round_id = people.open_round()
    answer = enter(people, round_id, line, "phone", reason="Thinks it is worse")
    assert answer.status_code == 422
    page = answer.text
    assert "Thinks it is worse" in page
    assert "Choose a safety score from 0 to 10." in text_of(page)
    nobody = enter(people, round_id, 0, "phone", score=4)
    assert nobody.status_code == 422 and "Choose whose rating this is." in text_of(nobody.text)
    with app.app_context():
        assert db.session.get(Round, round_id).ratings == []

    # After the reveal an entry is refused, saying what happened.
    assert people.reveal(round_id).status_code == 302
    late = enter(people, round_id, line, "phone", score=4)
    assert late.status_code == 409
    assert "was already revealed" in text_of(late.text)


def test_how_someone_takes_part_is_said_when_joining_and_the_chair_can_change_it(app, people):
    device = people.app.test_client()
    answer = device.post(
        f"/join/{people.code}",
        data={"name": "Mum Brown", "part": "parent", "channel": "video", "agency": ""},
    )
    assert answer.status_code == 302
    people.admit("Mum Brown")
    mum = people.attendee_id("Mum Brown")
    with app.app_context():
        assert db.session.get(Attendee, mum).channel_label == "On video"
    # Her own phone lists who is here, each with how they take part.
    page = text_of(device.get(f"/m/{people.meeting_id}").text)
    assert "Mum Brown Parent or carer · on video" in page
    changed = people.chair.post(
        f"/meetings/{people.meeting_id}/people/{mum}/part",
        data={"part": "parent", "channel": "phone"},
    )
    assert changed.status_code == 302
    with app.app_context():
        assert db.session.get(Attendee, mum).channel_label == "On a phone line"
    wrong = people.chair.post(
        f"/meetings/{people.meeting_id}/people/{mum}/part",
        data={"part": "parent", "channel": "carrier pigeon"},
    )
    assert wrong.status_code == 422
    assert "Choose how this person takes part." in text_of(wrong.text)
