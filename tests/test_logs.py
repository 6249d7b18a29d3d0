"""The server's log: a line per request and per chair action, and nothing about the child.

Read from a real server's output while a meeting is held on it, and from a failure the
database reports in the middle of a request.
"""

import re

import requests
from conftest import (
    PASSWORD,
    BrowserSession,
    log_in,
    make_chair,
    make_meeting,
    until,
)
from flask import request
from room import STARTS_AT
from story import circulate

from meeting.circulation import mail
from meeting.extensions import db
from meeting.models import Meeting

CHILD = "Jaylen Okafor"
REASON = "Dad's new partner has a caution"


def test_the_log_follows_a_meeting_without_the_child_or_any_secret(live_server):
    chair = live_server.first_chair()
    details = {"title": "Review", "kind": "other", "child": CHILD, "starts_at": STARTS_AT}
    made = chair.post(live_server.url + "/meetings/new", data=details, allow_redirects=False)
    path = made.headers["Location"]
    meeting_id = int(re.search(r"/meetings/(\d+)", path).group(1))
    item = {"title": "Home", "body": "Rate it.", "scale": "safety"}
    assert chair.post(f"{live_server.url}{path}/items", data=item).ok
    page = chair.get(live_server.url + path).text
    display = re.search(r'href="(/display/[^"]+)"', page).group(1)
    code = re.search(r'class="join-code"[^>]*>([\w-]+)<', page).group(1)
    assert requests.get(live_server.url + display).ok
    phone = BrowserSession()
    person = {
        "name": "Priya Shah",
        "role": "Social worker",
        "agency": "CSC",
        "part": "professional",
    }
    assert phone.post(f"{live_server.url}/join/{code}", data=person).ok
    attendee_id = re.search(r"/people/(\d+)/admit", chair.get(live_server.url + path).text).group(1)
    assert chair.post(f"{live_server.url}{path}/people/{attendee_id}/admit").ok
    assert chair.post(f"{live_server.url}{path}/start").ok
    page = chair.get(live_server.url + path).text
    item_id = re.search(r"/items/(\d+)/rounds\"", page).group(1)
    opened = chair.post(f"{live_server.url}{path}/items/{item_id}/rounds", data={"number": "1"})
    round_id = re.search(r"/rounds/(\d+)/reveal", opened.text).group(1)
    rating = {"score": "3", "reason": REASON}
    assert phone.post(f"{live_server.url}/m/{meeting_id}/rounds/{round_id}/rating", data=rating).ok
    assert chair.post(f"{live_server.url}{path}/rounds/{round_id}/reveal").ok

    log = "".join(live_server.said)
    token = display.rsplit("/", 1)[1]
    for secret in (CHILD, REASON, token, code, PASSWORD, "Priya Shah"):
        assert secret not in log, f"the log holds {secret!r}"
    assert re.search(r"meeting\.access \S+ GET /display/<token> 303 \d+ms", log)
    assert re.search(rf"meeting\.access \S+ GET /display/meeting/{meeting_id} 200 \d+ms", log)
    assert re.search(r"meeting\.access \S+ POST /join/<code> 302", log)
    assert re.search(rf"meeting\.access \S+ POST /m/{meeting_id}/rounds/{round_id}/rating 302", log)
    audits = re.findall(r"meeting\.audit chair=(\d+) meeting=(\S+) action=(\S+) (\S+) answer=", log)
    actions = [(meeting, action) for _chair, meeting, action, _path in audits]
    assert (str(meeting_id), "agenda.start") in actions
    assert (str(meeting_id), "rating.open_round") in actions
    assert (str(meeting_id), "rating.reveal") in actions
    assert f"/meetings/{meeting_id}/people/{attendee_id}/admit" in [a[3] for a in audits]
    assert not any(a == "rating.rate" for _m, a in actions), "a rating is not the chair's"


def test_failures_are_logged_without_the_values_and_told_truly(any_app, caplog):
    """A database conflict, and failures before and after saving, as people and the log see them."""
    app = any_app

    @app.route("/fails/<int:meeting_id>/<when>", methods=["POST"])
    def fails(meeting_id, when):
        meeting = db.session.get(Meeting, meeting_id)
        meeting.place = "Room 9"
        if when == "after":
            db.session.commit()
        if when != "conflict":
            raise RuntimeError("the page could not be drawn")
        # Another meeting with this one's join code and a child's name: refused by the
        # database, which quotes the values it refused on PostgreSQL.
        copy = Meeting(
            chair_id=meeting.chair_id,
            title="Copy",
            kind=meeting.kind,
            child=CHILD,
            starts_at=meeting.starts_at,
            join_code=meeting.join_code,
            display_token=CHILD,
        )
        db.session.add(copy)
        db.session.flush()
        return "unreachable"

    make_chair(app)
    chair = log_in(app)
    meeting_id = make_meeting(chair)
    with app.app_context():
        code = db.session.get(Meeting, meeting_id).join_code
    with caplog.at_level("INFO", logger="meeting"):
        before = chair.post(f"/fails/{meeting_id}/before")
        after = chair.post(f"/fails/{meeting_id}/after")
        conflict = chair.post(f"/fails/{meeting_id}/conflict")
    assert before.status_code == after.status_code == 500
    assert "what you sent was not saved" in before.text
    assert "What you sent was saved, but the page could not be shown" in after.text
    assert conflict.status_code == 409
    assert "changed from elsewhere at the same moment" in conflict.text
    assert "what you sent was not saved" in conflict.text
    written = caplog.text
    assert f"Conflict: POST /fails/{meeting_id}/conflict: " in written
    assert "join_code" in written, "the log names the constraint"
    assert CHILD not in written and code not in written
    assert "Failed: POST /fails/" in written


def test_an_error_is_logged_by_its_kind_and_place_never_its_message(app, caplog):
    """An error's message may quote what was typed: the log has where it happened instead."""
    app.testing = False  # served as in production: the error is answered, not raised here

    @app.route("/breaks", methods=["POST"])
    def breaks():
        try:
            int(request.form["child"])
        except ValueError as error:
            raise KeyError(request.form["child"]) from error
        return "unreachable"

    with caplog.at_level("INFO", logger="meeting"):
        answer = app.test_client().post("/breaks", data={"child": CHILD})

    assert answer.status_code == 500
    assert "Something went wrong on the server" in answer.text
    written = caplog.text
    assert "Failed: POST /breaks" in written
    assert "builtins.ValueError (its message is not logged)" in written
    assert "builtins.KeyError (its message is not logged)" in written
    assert 'test_logs.py", line' in written and "int(request.form" in written
    assert CHILD not in written


def test_a_failure_while_sending_the_minutes_is_logged_without_the_address(
    story, app, caplog, monkeypatch
):
    def fails(queued, *_args):
        raise RuntimeError(f"could not send to {queued[0].email}")

    monkeypatch.setattr(mail, "deliver", fails)
    with caplog.at_level("INFO", logger="meeting"):
        circulated = circulate(story.people, wait=False)
        assert circulated.status_code == 302
        until(lambda: "Sending the minutes failed" in caplog.text, 10, "nothing was logged")

    written = caplog.text
    assert "builtins.RuntimeError (its message is not logged)" in written
    assert "@" not in written, "no address"
