"""Several server processes, as a deployment runs them: one PostgreSQL, one Redis.

Socket.IO keeps its rooms per process. Log-out, turning someone away and stopping a
display link must reach the connections another process holds, as they reach its own; so
must a rating and the reveal, and each rating must count once whichever process took it.
"""

import re
import threading
import time

import pytest
import requests
import socketio
from conftest import (
    PASSWORD,
    REDIS,
    BrowserSession,
    LiveServer,
    postgres_database,
    shared_settings,
    stop_all,
    text_of,
)
from room import STARTS_AT

WAIT = 10
# What one person's devices hear when their own rating region changed.
MARKER = {"regions": ["rate"], "reload": False}


class Device:
    """Someone's browser: its pages from one process, its live connection to another."""

    def __init__(self, http: requests.Session, live: LiveServer):
        self.http, self.live = http, live
        self.heard: list[dict] = []
        self.closed = threading.Event()
        self.client = socketio.Client(reconnection=False)
        self.client.on("changed", self.heard.append)
        self.client.on("disconnect", lambda *_reason: self.closed.set())

    def connect(self, **auth) -> None:
        cookie = "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())
        self.client.connect(
            self.live.url, headers={"Cookie": cookie}, auth=auth, transports=["websocket"]
        )

    def hears_within(self, seconds: float, what) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if any(what(message) for message in self.heard):
                return True
            time.sleep(0.05)
        return False


@pytest.fixture(scope="module", params=["embedded", "production"])
def two_processes(request, tmp_path_factory):
    """Two server processes on one PostgreSQL database and one Redis, with its own prefix:
    `python -m meeting`, or the production server (gunicorn with gevent) as deploy/ runs it."""
    databases = postgres_database()
    url = next(databases)
    settings = shared_settings()
    env = next(settings)
    production = request.param == "production"
    first = LiveServer(tmp_path_factory.mktemp("first"), url, env, production)
    first.start()
    second = LiveServer(tmp_path_factory.mktemp("second"), url, env, production)
    second.start()
    yield first, second
    stop_all(second, first)
    next(settings, None)
    next(databases, None)


def chair_on(live: LiveServer) -> BrowserSession:
    """The chair, logged in on this process: the first account, made by whichever test
    comes first."""
    chair = BrowserSession()
    fields = {"email": "sam@example.org", "password": PASSWORD}
    if chair.post(live.url + "/login", data=fields, allow_redirects=False).status_code == 302:
        return chair
    return live.first_chair()


def a_meeting(chair: BrowserSession, live: LiveServer, title: str) -> tuple[int, str, str, str]:
    """Make a meeting with one item on this process; return its id, page, code, display token."""
    details = {"title": title, "kind": "other", "child": "A.B.", "starts_at": STARTS_AT}
    made = chair.post(live.url + "/meetings/new", data=details, allow_redirects=False)
    meeting_id = int(re.search(r"/meetings/(\d+)", made.headers["Location"]).group(1))
    path = f"{live.url}/meetings/{meeting_id}"
    chair.post(path + "/items", data={"title": "Item", "body": "", "scale": "safety"})
    page = chair.get(path).text
    code = re.search(r'class="join-code"[^>]*>([\w-]+)<', page).group(1)
    token = re.search(r"/display/([\w-]+)", page).group(1)
    return meeting_id, path, code, token


def test_log_out_removal_and_a_stopped_display_reach_another_process(two_processes):
    first, second = two_processes
    chair = chair_on(first)
    meeting_id, path, code, token = a_meeting(chair, first, "Two processes")

    priya = BrowserSession()
    joined = {"name": "Priya Shah", "role": "Detective", "agency": "Police", "part": "professional"}
    assert priya.post(f"{first.url}/join/{code}", data=joined).ok
    attendee_id = re.search(r"/people/(\d+)/admit", chair.get(path).text).group(1)
    assert chair.post(f"{path}/people/{attendee_id}/admit").ok

    # Every live connection is held by the second process; every change goes to the first.
    chair_device = Device(chair, second)
    chair_device.connect(meeting=meeting_id)
    phone = Device(priya, second)
    phone.connect(meeting=meeting_id)
    display = Device(requests.Session(), second)
    display.connect(display=token)

    # A change made on the first process rings the second process's connections.
    assert chair.post(path + "/start").ok
    for device in (chair_device, phone, display):
        assert device.hears_within(WAIT, lambda m: m["reload"])

    # Turned away on the first: her connection on the second hears that, and nothing after.
    assert chair.post(f"{path}/people/{attendee_id}/turn-away").ok
    assert phone.hears_within(WAIT, lambda m: m["reload"])
    phone.heard.clear()
    display.heard.clear()
    item_id = re.search(rf"/meetings/{meeting_id}/items/(\d+)/rounds", chair.get(path).text)
    assert chair.post(f"{path}/items/{item_id.group(1)}/rounds").ok
    assert display.hears_within(WAIT, lambda m: "scene" in m["regions"])
    # A marker along the same path (a change on the first process, through Redis, to her
    # connection on the second): making her a rater again rings her own devices. Anything
    # about the round would have reached her before it.
    assert chair.post(f"{path}/people/{attendee_id}/rate").ok
    assert phone.hears_within(WAIT, lambda m: m == MARKER)
    assert phone.heard == [MARKER], phone.heard

    # The display link stopped on the first: the screen on the second is closed.
    assert not display.closed.is_set()
    assert chair.post(f"{path}/display/stop").ok
    assert display.closed.wait(WAIT), "the stopped display kept its connection"

    # Log-out on the first: the chair's connection on the second is closed.
    assert not chair_device.closed.is_set()
    assert chair.post(first.url + "/logout").ok
    assert chair_device.closed.wait(WAIT), "the logged-out chair kept a connection"
    for device in (chair_device, phone, display):
        if device.client.connected:
            device.client.disconnect()


def test_a_rating_on_one_process_reaches_a_display_on_the_other_and_counts_once(two_processes):
    """A phone's live connection and its rating on the first process; the display on the
    second hears the progress and then the reveal, and reads them from the second, as the
    page does. Then everyone else rates at the same moment, half through each process: the
    record holds each rating exactly once."""
    first, second = two_processes
    chair = chair_on(first)
    meeting_id, path, code, token = a_meeting(chair, first, "Across")
    people: dict[str, BrowserSession] = {}
    for n in range(6):
        device = BrowserSession()
        joined = {
            "name": f"Person {n + 1}",
            "role": "Practitioner",
            "agency": f"Agency {n + 1}",
            "part": "professional",
        }
        assert device.post(f"{first.url}/join/{code}", data=joined).ok
        people[joined["name"]] = device
    for attendee_id in re.findall(r"/people/(\d+)/admit", chair.get(path).text):
        assert chair.post(f"{path}/people/{attendee_id}/admit").ok
    assert chair.post(path + "/start").ok
    item_id = re.search(rf"/meetings/{meeting_id}/items/(\d+)/rounds", chair.get(path).text)
    opened = chair.post(f"{path}/items/{item_id.group(1)}/rounds")
    round_id = re.search(r"/rounds/(\d+)/reveal", opened.text).group(1)

    phone = Device(people["Person 1"], first)
    phone.connect(meeting=meeting_id)
    display = Device(requests.Session(), second)
    # As the display's page does: its link traded for a cookie, which the connection sends.
    assert display.http.get(f"{second.url}/display/{token}").ok
    display.connect(screen=meeting_id)

    def scene() -> str:
        # What the display's page fetches when it hears a change: its scene, from the
        # process it is connected to.
        answer = display.http.get(
            f"{second.url}/display/meeting/{meeting_id}/region/scene",
            headers={"HX-Request": "true"},
        )
        assert answer.status_code == 200
        return text_of(answer.text)

    def rate(name: str, live: LiveServer, score: int) -> None:
        answer = people[name].post(
            f"{live.url}/m/{meeting_id}/rounds/{round_id}/rating",
            data={"score": str(score), "reason": f"{name} on {live.port}"},
            allow_redirects=False,
        )
        assert answer.status_code == 302, answer.text

    rate("Person 1", first, 7)
    assert display.hears_within(WAIT, lambda m: {"progress", "scene"} & set(m["regions"]))
    shown = scene()
    assert re.search(r"\b1 of \d+ have rated", shown), shown
    assert "✓ Person 1" in shown

    # Everyone else at the same moment, split over the two processes.
    start = threading.Barrier(5)
    errors: list[BaseException] = []

    def at_once(name: str, live: LiveServer, score: int) -> None:
        start.wait()
        try:
            rate(name, live, score)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    others = [
        threading.Thread(target=at_once, args=(f"Person {n}", (first, second)[n % 2], n))
        for n in range(2, 7)
    ]
    for thread in others:
        thread.start()
    for thread in others:
        thread.join()
    assert not errors, errors

    display.heard.clear()
    assert chair.post(f"{path}/rounds/{round_id}/reveal").ok
    assert display.hears_within(WAIT, lambda m: {"stage", "scene"} & set(m["regions"]))
    shown = scene()
    assert re.search(r"\b6 rated\b", shown), shown
    for n in range(1, 7):
        assert f"Person {n}" in shown

    record = chair.get(path + "/record.json").json()
    ratings = record["items"][0]["rounds"][-1]["ratings"]
    assert sorted((r["name"], r["score"]) for r in ratings) == sorted(
        [("Person 1", 7)] + [(f"Person {n}", n) for n in range(2, 7)]
    )
    said = [e["what"] for e in record["events"]]
    assert said.count("rated round 1 on Item") == 6, said
    for device in (phone, display):
        device.client.disconnect()


def test_wrong_join_codes_are_counted_across_processes(two_processes):
    """The allowance of wrong join codes (10 a minute from one address) is kept in Redis:
    tried half on each process, the eleventh is refused by either."""
    first, second = two_processes
    tried = [
        requests.get(f"{(first, second)[n % 2].url}/join/", params={"code": "NOT-A-CODE"})
        for n in range(10)
    ]
    assert [answer.status_code for answer in tried] == [404] * 10
    for live in (first, second):
        refused = requests.get(f"{live.url}/join/", params={"code": "NOT-A-CODE"})
        assert refused.status_code == 429
        assert "Too many wrong join codes" in text_of(refused.text)
    # Counted under this deployment's prefix, apart from any other sharing the Redis.
    import redis

    prefix = first.env["MEETING_REDIS_PREFIX"]
    counted = list(redis.Redis.from_url(REDIS).scan_iter(f"{prefix}:limits*join-code*"))
    assert counted, "the wrong codes were not counted under the deployment's prefix"
