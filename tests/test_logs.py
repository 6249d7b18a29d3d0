"""The server's log: a line per request and per chair action, and nothing about the child.

Read from a real server's output while a meeting is held on it, and from a failure the
database reports in the middle of a request.
"""

import re

import pytest
import requests
from conftest import PASSWORD, LiveServer, log_in, make_chair, make_meeting
from room import STARTS_AT
from sqlalchemy.exc import IntegrityError

from meeting.extensions import db
from meeting.models import Meeting

CHILD = "Jaylen Okafor"
REASON = "Dad's new partner has a caution"


@pytest.fixture
def server(tmp_path):
    running = LiveServer(tmp_path)
    running.start()
    yield running
    running.stop()


def test_the_log_follows_a_meeting_without_the_child_or_any_secret(server):
    chair = requests.Session()
    fields = {
        "setup_code": server.setup_code,
        "name": "Sam Chair",
        "agency": "Children's social care",
        "email": "sam@example.org",
        "password": PASSWORD,
        "confirm": PASSWORD,
    }
    assert chair.post(server.url + "/setup", data=fields).ok
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
    phone = requests.Session()
    person = {"name": "Priya Shah", "role": "Social worker", "agency": "CSC"}
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

    log = "".join(server.said)
    token = display.rsplit("/", 1)[1]
    for secret in (CHILD, REASON, token, code, PASSWORD, "Priya Shah"):
        assert secret not in log, f"the log holds {secret!r}"
    assert re.search(r"meeting\.access \S+ GET /display/<token> 200 \d+ms", log)
    assert re.search(r"meeting\.access \S+ POST /join/<code> 302", log)
    assert re.search(rf"meeting\.access \S+ POST /m/{meeting_id}/rounds/{round_id}/rating 302", log)
    audits = re.findall(r"meeting\.audit chair=(\d+) meeting=(\S+) action=(\S+) (\S+) answer=", log)
    actions = [(meeting, action) for _chair, meeting, action, _path in audits]
    assert (str(meeting_id), "agenda.start") in actions
    assert (str(meeting_id), "rating.open_round") in actions
    assert (str(meeting_id), "rating.reveal") in actions
    assert f"/meetings/{meeting_id}/people/{attendee_id}/admit" in [a[3] for a in audits]
    assert not any(a == "rating.rate" for _m, a in actions), "a rating is not the chair's"


def test_a_database_failure_is_logged_without_the_values_and_told_truly(app, caplog):
    """A request that fails after saving says so; one that fails before saving says that."""

    @app.route("/fails/<int:meeting_id>/<when>", methods=["POST"])
    def fails(meeting_id, when):
        meeting = db.session.get(Meeting, meeting_id)
        if when == "after":
            meeting.place = "Room 9"
            db.session.commit()
        copy = Meeting(
            chair_id=meeting.chair_id,
            title="Copy",
            kind=meeting.kind,
            child=CHILD,
            starts_at=meeting.starts_at,
            join_code=meeting.join_code,
            display_token=meeting.display_token,
        )
        db.session.add(copy)
        db.session.flush()
        return "unreachable"

    make_chair(app)
    chair = log_in(app)
    meeting_id = make_meeting(chair)

    app.testing = False
    with caplog.at_level("ERROR", logger="meeting"):
        before = chair.post(f"/fails/{meeting_id}/before")
        after = chair.post(f"/fails/{meeting_id}/after")
    assert before.status_code == after.status_code == 500
    assert "what you sent was not saved" in before.text
    assert "What you sent was saved, but the page could not be shown" in after.text
    failures = [r for r in caplog.records if r.exc_info and r.exc_info[0] is IntegrityError]
    assert len(failures) == 2
    written = "\n".join(caplog.text.splitlines())
    assert "INSERT INTO meeting" in written
    assert CHILD not in written
    assert "Failed: POST /fails/" in written
