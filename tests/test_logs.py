"""The server's log: a line per request and per chair action, and nothing about the child.

Read from a real server's output while a meeting is held on it, as lines of text and as
JSON objects, and from a failure the database reports in the middle of a request.
"""

import json
import re
from dataclasses import dataclass

import pytest
import requests
from conftest import (
    PASSWORD,
    BrowserSession,
    LiveServer,
    log_in,
    make_chair,
    make_meeting,
    until,
)
from flask import request
from room import STARTS_AT
from story import circulate

from meeting import create_app
from meeting.circulation import mail
from meeting.extensions import db
from meeting.models import Meeting
from meeting.startup import NotReady

CHILD = "Jaylen Okafor"
REASON = "Dad's new partner has a caution"


@dataclass
class Held:
    """What a meeting held on a real server left to look for in its log."""

    meeting_id: int
    round_id: str
    attendee_id: str
    token: str
    code: str


def hold_a_meeting(server) -> Held:
    """Hold a meeting through the server's pages: a display, a person joins and rates."""
    chair = server.first_chair()
    details = {"title": "Review", "kind": "other", "child": CHILD, "starts_at": STARTS_AT}
    made = chair.post(server.url + "/meetings/new", data=details, allow_redirects=False)
    path = made.headers["Location"]
    meeting_id = int(re.search(r"/meetings/(\d+)", path).group(1))
    item = {"title": "Home", "body": "Rate it.", "scale": "safety"}
    assert chair.post(f"{server.url}{path}/items", data=item).ok
    page = chair.get(server.url + path).text
    display = re.search(r'href="(/display/[^"]+)"', page).group(1)
    code = re.search(r'class="join-code"[^>]*>([\w-]+)<', page).group(1)
    assert requests.get(server.url + display).ok
    phone = BrowserSession()
    person = {
        "name": "Priya Shah",
        "role": "Social worker",
        "agency": "CSC",
        "part": "professional",
    }
    assert phone.post(f"{server.url}/join/{code}", data=person).ok
    attendee_id = re.search(r"/people/(\d+)/admit", chair.get(server.url + path).text).group(1)
    assert chair.post(f"{server.url}{path}/people/{attendee_id}/admit").ok
    assert chair.post(f"{server.url}{path}/start").ok
    page = chair.get(server.url + path).text
    item_id = re.search(r"/items/(\d+)/rounds\"", page).group(1)
    opened = chair.post(f"{server.url}{path}/items/{item_id}/rounds", data={"number": "1"})
    round_id = re.search(r"/rounds/(\d+)/reveal", opened.text).group(1)
    rating = {"score": "3", "reason": REASON}
    assert phone.post(f"{server.url}/m/{meeting_id}/rounds/{round_id}/rating", data=rating).ok
    assert chair.post(f"{server.url}{path}/rounds/{round_id}/reveal").ok
    return Held(meeting_id, round_id, attendee_id, display.rsplit("/", 1)[1], code)


def test_the_log_follows_a_meeting_without_the_child_or_any_secret(live_server):
    held = hold_a_meeting(live_server)
    meeting_id, round_id, attendee_id = held.meeting_id, held.round_id, held.attendee_id

    log = "".join(live_server.said)
    for secret in (CHILD, REASON, held.token, held.code, PASSWORD, "Priya Shah"):
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


def test_the_json_log_is_one_object_per_line_with_each_requests_id(tmp_path):
    """MEETING_LOG_FORMAT=json: every line of the meeting's log is a JSON object naming the
    request it belongs to by the id its answer carried back in X-Request-Id."""
    server = LiveServer(tmp_path, env={"MEETING_LOG_FORMAT": "json"})
    server.start()
    try:
        held = hold_a_meeting(server)
        given = requests.get(server.url + "/healthz", headers={"X-Request-Id": "probe-0042"})
        assert given.headers["X-Request-Id"] == "probe-0042"
        # An id too long, or with what could break a line or a log format, is replaced.
        for insane in ("x" * 129, "two words", 'quote"d', "tab\there"):
            replaced = requests.get(server.url + "/login", headers={"X-Request-Id": insane})
            assert re.fullmatch(r"[0-9a-f]{32}", replaced.headers["X-Request-Id"]), insane
        made = requests.get(server.url + "/login").headers["X-Request-Id"]
        assert re.fullmatch(r"[0-9a-f]{32}", made)
    finally:
        server.stop()

    lines = [line.rstrip("\n") for line in server.said]
    entries = [json.loads(line) for line in lines if line.startswith("{")]
    assert len(entries) > 20
    for line in lines:
        if not line.startswith("{"):
            assert not re.search(r"\b(INFO|WARNING|ERROR) meeting\b", line), line
    for entry in entries:
        assert {"time", "level", "logger", "message", "request_id", "route"} <= entry.keys()
        assert entry["logger"].startswith("meeting")
        assert entry["time"].endswith("+00:00")

    access = [e for e in entries if e["logger"] == "meeting.access"]
    ids = [e["request_id"] for e in access]
    assert len(set(ids)) == len(ids), "each request has an id of its own"
    (probe,) = [e for e in access if e["request_id"] == "probe-0042"]
    assert probe["route"] == "/healthz" and probe["method"] == "GET"
    assert probe["status"] == 200 and probe["duration_ms"] >= 0
    assert [e["route"] for e in access if e["request_id"] == made] == ["/login"]
    rule = "/m/<int:meeting_id>/rounds/<int:round_id>/rating"
    (rated,) = [e for e in access if e["route"] == rule]
    assert rated["status"] == 302 and rated["method"] == "POST"
    assert f"/m/{held.meeting_id}/rounds/{held.round_id}/rating 302" in rated["message"]
    assert any(e["route"] == "/display/<token>" for e in access)
    audits = [e for e in entries if e["logger"] == "meeting.audit"]
    assert {"agenda.start", "rating.reveal"} <= {
        re.search(r"action=(\S+)", e["message"]).group(1) for e in audits
    }
    assert {e["request_id"] for e in audits} <= set(ids), "an action's line names its request"

    log = "\n".join(lines)
    for secret in (CHILD, REASON, held.token, held.code, PASSWORD, "Priya Shah"):
        assert secret not in log, f"the log holds {secret!r}"


def test_every_answer_carries_its_request_id(client):
    first = client.get("/login")
    second = client.get("/login")
    assert re.fullmatch(r"[0-9a-f]{32}", first.headers["X-Request-Id"])
    assert first.headers["X-Request-Id"] != second.headers["X-Request-Id"]
    kept = client.get("/nowhere", headers={"X-Request-Id": "edge-7f3a"})
    assert kept.status_code == 404 and kept.headers["X-Request-Id"] == "edge-7f3a"


def test_an_unknown_log_format_stops_the_start(tmp_path, monkeypatch):
    monkeypatch.setenv("MEETING_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("MEETING_LOG_FORMAT", "xml")
    with pytest.raises(NotReady, match="MEETING_LOG_FORMAT must be text or json, not 'xml'"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite3'}"})


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
