"""Several server processes, as a deployment runs them: one PostgreSQL, one Redis.

Socket.IO keeps its rooms per process. Log-out, turning someone away and stopping a
display link must reach the connections another process holds, as they reach its own.
"""

import re
import secrets
import threading
import time

import pytest
import requests
import socketio
from conftest import BrowserSession, LiveServer, postgres_database
from room import STARTS_AT

WAIT = 10
REDIS = "redis://127.0.0.1:6379/0"


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


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory):
    """Two server processes on one PostgreSQL database and one Redis, with its own prefix."""
    databases = postgres_database()
    url = next(databases)
    prefix = f"meeting-test-{secrets.token_hex(4)}"
    env = {
        "MEETING_REDIS_URL": REDIS,
        "MEETING_REDIS_PREFIX": prefix,
        "MEETING_SECRET_KEY": secrets.token_hex(16),
        "MEETING_DATABASE_UPGRADES_ITSELF": "1",
    }
    first = LiveServer(tmp_path_factory.mktemp("first"), url, env)
    first.start()
    second = LiveServer(tmp_path_factory.mktemp("second"), url, env)
    second.start()
    yield first, second
    second.stop()
    first.stop()
    import redis

    client = redis.Redis.from_url(REDIS)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    next(databases, None)


def test_log_out_removal_and_a_stopped_display_reach_another_process(two_processes):
    first, second = two_processes
    chair = first.first_chair()
    details = {"title": "Two processes", "kind": "other", "child": "A.B.", "starts_at": STARTS_AT}
    made = chair.post(first.url + "/meetings/new", data=details, allow_redirects=False)
    meeting_id = int(re.search(r"/meetings/(\d+)", made.headers["Location"]).group(1))
    path = f"{first.url}/meetings/{meeting_id}"
    chair.post(path + "/items", data={"title": "Item", "body": "", "scale": "safety"})
    page = chair.get(path).text
    code = re.search(r'class="join-code"[^>]*>([\w-]+)<', page).group(1)
    token = re.search(r"/display/([\w-]+)", page).group(1)

    priya = BrowserSession()
    joined = {"name": "Priya Shah", "role": "Detective", "agency": "Police"}
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
    assert display.hears_within(WAIT, lambda m: "progress" in m["regions"])
    assert not phone.hears_within(1, lambda m: True), phone.heard

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
