"""The concealment rule, tested as a hostile attendee would try it.

Before a reveal, every page, fragment and event that each viewer can reach must be
byte-for-byte the same whatever another attendee rated: if a value leaked anywhere,
changing it would change what that viewer receives.
"""

import json
import re

import pytest
from conftest import text_of

from meeting.pages.regions import REGIONS, SCENE

SECRET_FIRST = "VICTOR-SECRET-ALPHA"
SECRET_SECOND = "VICTOR-SECRET-BRAVO"

# A value for each scale, and a different one to change it to.
VALUES = {
    1: ({"score": 1}, {"score": 9}),
    2: ({"likelihood": 1, "severity": 2}, {"likelihood": 5, "severity": 5}),
    3: ({"choice": "No further action"}, {"choice": "Child-protection plan"}),
}


def every_get_url(app, people, round_id) -> list[str]:
    """Fill every GET route in the app with this meeting's ids, tokens and region names."""
    with app.app_context():
        meeting = people.meeting()
        values = {
            "meeting_id": [meeting.id],
            "case_id": [meeting.case_id],
            "item_id": [i.id for i in meeting.items],
            "round_id": [round_id],
            "attendee_id": [a.id for a in meeting.attendees],
            "token": [meeting.display_token],
            "code": [meeting.join_code],
            "name": [*REGIONS, SCENE, "nonsense"],
            "number": [1],
            "ext": ["md", "docx"],
            "work_id": [1],
        }
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        combos = [{}]
        for arg in rule.arguments:
            combos = [{**c, arg: v} for c in combos for v in values[arg]]
        for args in combos:
            path = rule.rule
            for key, value in args.items():
                # "<int:meeting_id>", "<any(md, docx):ext>" and "<code>" alike.
                path = re.sub(rf"<(?:[^<>]*:)?{key}>", str(value), path)
            assert "<" not in path, path
            urls.append(path)
    # The display link first: opening it gives the viewer the display's cookie, so every
    # snapshot asks for the display's own address with the same cookie.
    return sorted(set(urls), key=lambda url: (values["token"][0] not in url, url))


def without_history(url: str, body: bytes) -> bytes:
    """Drop the event log from a page: every rating adds a line to it (who, never what).

    A live page also carries the mark of the log it was drawn at (`data-as-of`).
    """
    body = re.sub(rb' data-as-of="\d+"', b"", body)
    # Each form is drawn with a fresh one-time token, and each page with the session's
    # CSRF token signed at that moment; neither says anything about anyone.
    body = re.sub(rb'name="(?:once|csrf_token)" value="[^"]*"', b"", body)
    body = re.sub(rb'name="csrf-token" content="[^"]*"', b"", body)
    if url.endswith("/record.json") and body.startswith(b"{"):
        data = json.loads(body)
        data["events"] = [e for e in data["events"] if "rated round" not in e["what"]]
        # When someone last changed their rating is theirs to show; the value is not.
        for item in data["items"]:
            for round_ in item["rounds"]:
                for rating in round_["ratings"]:
                    rating.pop("submitted_at")
        return json.dumps(data).encode()
    if url.endswith("/events"):
        return re.sub(rb"\s*<tr><td>.*?</td><td>[^<]*</td><td>rated round .*?</tr>\s*", b"", body)
    return body


def snapshot(client, urls) -> dict:
    seen = {}
    for url in urls:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            assert SECRET_FIRST.encode() not in response.data
            assert SECRET_SECOND.encode() not in response.data
            seen[(url, bool(headers))] = (response.status_code, without_history(url, response.data))
    return seen


@pytest.mark.parametrize("position", [1, 2, 3])
def test_no_viewer_can_obtain_another_rating_before_the_reveal(app, people, sio, position):
    first, second = VALUES[position]
    unchanged_until_the_reveal(app, people, sio, position, first, second)


# A rating's range and sureness, and "I can't rate this yet" with what is needed, are hidden
# as its value is: changing only them (or a value for a gap) changes nothing anyone sees.
UNCERTAIN = {
    "safety range and sureness": (
        1,
        {"score": 5, "low": 4, "high": 6, "sure": "sure"},
        {"score": 5, "low": 0, "high": 10, "sure": "unsure"},
        "plausible 0–10, not sure",
    ),
    "likelihood × severity bands": (
        2,
        {"likelihood": 3, "severity": 3, "low": 4, "high": 9},
        {"likelihood": 3, "severity": 3, "low": 9, "high": 25, "sure": "fairly"},
        "plausible Medium–Very high, fairly sure",
    ),
    "choice sureness": (
        3,
        {"choice": "No further action", "sure": "sure"},
        {"choice": "No further action", "sure": "unsure"},
        "not sure",
    ),
    "a value, then cannot rate": (
        1,
        {"score": 1},
        {"answer": "cannot", "needs": f"{SECRET_SECOND} police check"},
        "1 could not rate",
    ),
    "what is needed": (
        2,
        {"answer": "cannot", "needs": f"{SECRET_FIRST} school report"},
        {"answer": "cannot", "needs": f"{SECRET_SECOND} school report"},
        # Mallory and the chair answered alike, with needs of their own.
        "3 could not rate",
    ),
}


@pytest.mark.parametrize("case", UNCERTAIN)
def test_no_viewer_can_obtain_a_range_sureness_or_gap_before_the_reveal(app, people, sio, case):
    position, first, second, revealed = UNCERTAIN[case]
    unchanged_until_the_reveal(app, people, sio, position, first, second, revealed)


def unchanged_until_the_reveal(app, people, sio, position, first, second, revealed=""):
    """Victor rates `first`, then `second`: before the reveal nobody's pages, fragments or
    events change; after it the same pages show the second (and the words `revealed`)."""
    mallory = people.join_admitted("Mallory Hostile", "Unknown agency")
    victor = people.join_admitted("Victor Rater", "Health")
    display = app.test_client()
    people.start()
    people.move_to(position)
    round_id = people.open_round()
    # The hostile attendee and the chair have rated too, so their own forms are in play.
    # Their own answers, whatever Victor's: what they need is theirs, not his secret.
    own = {k: "their own need" if k == "needs" else v for k, v in first.items()}
    people.rate(mallory, round_id, **own, reason="mallory's own")
    people.rate(people.chair, round_id, **own, reason="chair's own")

    listeners = {
        "mallory": sio(mallory, meeting=people.meeting_id),
        "chair": sio(people.chair, meeting=people.meeting_id),
        "display": sio(display, display=people.display_token),
    }
    viewers = {"mallory": mallory, "chair": people.chair, "display": display}
    urls = every_get_url(app, people, round_id)
    assert len(urls) > 20

    people.rate(victor, round_id, **first, reason=SECRET_FIRST)
    events_first = {name: c.get_received() for name, c in listeners.items()}
    before = {name: snapshot(client, urls) for name, client in viewers.items()}

    people.rate(victor, round_id, **second, reason=SECRET_SECOND)
    events_second = {name: c.get_received() for name, c in listeners.items()}
    after = {name: snapshot(client, urls) for name, client in viewers.items()}

    for name in viewers:
        assert events_first[name] == events_second[name], name
        assert events_first[name], f"{name} heard nothing, so the events were not tested"
        for key, (status, body) in before[name].items():
            assert after[name][key] == (status, body), f"{name} sees a change at {key}"
            assert SECRET_FIRST.encode() not in body and SECRET_SECOND.encode() not in body
        assert SECRET_SECOND not in repr(events_second[name])

    # The same pages do show the rating once it is revealed: the search above could find it.
    people.reveal(round_id)
    stage = mallory.get(f"/m/{people.meeting_id}/region/stage", headers={"HX-Request": "true"})
    assert SECRET_SECOND in stage.text
    assert revealed in text_of(stage.text)


def _set_written(app, people, score: int, reason: str) -> None:
    """Change the absent agency's rating behind the scenes, wherever it is held now."""
    from meeting.extensions import db
    from meeting.models import Contribution, Rating

    with app.app_context():
        for row in (
            db.session.query(Contribution).all()
            + db.session.query(Rating).filter_by(written=True).all()
        ):
            row.score, row.reason = score, reason
        db.session.commit()


def test_a_written_contribution_is_hidden_like_any_rating(app, people):
    mallory = people.join_admitted("Mallory Hostile", "Unknown agency")
    display = app.test_client()
    viewers = {"mallory": mallory, "chair": people.chair, "display": display}
    people.chair.post(
        f"/meetings/{people.meeting_id}/apologies", data={"name": "Dr Lee", "agency": "Health"}
    )
    with app.app_context():
        item_id = people.meeting().items[0].id
    lee = people.attendee_id("Dr Lee")
    entered = people.chair.post(
        f"/meetings/{people.meeting_id}/people/{lee}/contributions/{item_id}",
        data={"report": "Seen at A&E twice.", "score": "1", "reason": SECRET_FIRST},
    )
    assert entered.status_code == 302

    def unchanged_when_the_value_changes(round_id):
        urls = every_get_url(app, people, round_id)
        _set_written(app, people, 1, SECRET_FIRST)
        before = {name: snapshot(client, urls) for name, client in viewers.items()}
        _set_written(app, people, 9, SECRET_SECOND)
        after = {name: snapshot(client, urls) for name, client in viewers.items()}
        for name in viewers:
            for key, (status, body) in before[name].items():
                assert after[name][key] == (status, body), f"{name} sees a change at {key}"
                assert SECRET_FIRST.encode() not in body and SECRET_SECOND.encode() not in body

    unchanged_when_the_value_changes(round_id=1)
    people.start()
    round_id = people.open_round()
    unchanged_when_the_value_changes(round_id)

    people.reveal(round_id)
    stage = display.get(
        f"{people.open_display(display)}/region/scene", headers={"HX-Request": "true"}
    )
    assert SECRET_SECOND in stage.text and "Written contribution" in stage.text
