"""Redis lost for a while and back, under two production server processes.

Redis carries the rate limits' counts and the live events between processes. While it is
down, nobody gets an error page: log-ins, wrong join codes and ratings are answered, wrong
codes still limited (counted in each process's memory). Once it is back, a change made on
one process reaches a display held by the other within seconds, and that display also
catches up with what was done while it was away.
"""

import os
import re
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator

import pytest
import requests
from conftest import (
    PASSWORD,
    BrowserSession,
    LiveServer,
    free_port,
    postgres_database,
    stop_all,
    text_of,
    until,
)
from test_processes import Device, a_meeting

# How long Redis is away, as measured before: long enough for the listener's back-off to grow.
OUTAGE = 20
# How soon after Redis is back a change must reach a screen on the other process.
WITHIN = 5


class RedisServer:
    """A Redis of the test's own on a loopback port: stopped and started again on it."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        if shutil.which("redis-server") is None:
            if os.environ.get("CI"):
                raise AssertionError("redis-server is not installed")
            pytest.skip("needs redis-server (Debian: apt-get install redis-server)")
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--daemonize", "no"]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        until(self.answers, 10, "the test's Redis did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def answers(self) -> bool:
        import redis

        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()


@pytest.fixture
def outage_deployment(tmp_path) -> Iterator[tuple[RedisServer, LiveServer, LiveServer]]:
    """Two gunicorn (gevent) processes sharing a PostgreSQL database and the test's Redis."""
    redis_server = RedisServer()
    redis_server.start()
    databases = postgres_database()
    url = next(databases)
    env = {
        "MEETING_REDIS_URL": redis_server.url,
        "MEETING_REDIS_PREFIX": f"meeting-test-{secrets.token_hex(4)}",
        "MEETING_SECRET_KEY": secrets.token_hex(16),
        "MEETING_DATABASE_UPGRADES_ITSELF": "1",
    }
    first = LiveServer(tmp_path / "first", url, env, production=True)
    second = LiveServer(tmp_path / "second", url, env, production=True)
    try:
        first.start()
        second.start()
        yield redis_server, first, second
    finally:
        stop_all(second, first)
        redis_server.stop()
        next(databases, None)


def test_a_redis_outage_answers_everyone_and_screens_catch_up_within_seconds(
    outage_deployment,
):
    redis_server, first, second = outage_deployment
    chair = first.first_chair()
    meeting_id, path, code, token = a_meeting(chair, first, "Through an outage")
    people: dict[int, BrowserSession] = {}
    for n in range(1, 5):
        device = BrowserSession()
        joined = {
            "name": f"Person {n}",
            "role": "Practitioner",
            "agency": f"Agency {n}",
            "part": "professional",
        }
        assert device.post(f"{first.url}/join/{code}", data=joined).ok
        people[n] = device
    for attendee_id in re.findall(r"/people/(\d+)/admit", chair.get(path).text):
        assert chair.post(f"{path}/people/{attendee_id}/admit").ok
    assert chair.post(path + "/start").ok
    item_id = re.search(rf"/meetings/{meeting_id}/items/(\d+)/rounds", chair.get(path).text)
    opened = chair.post(f"{path}/items/{item_id.group(1)}/rounds")
    round_id = re.search(r"/rounds/(\d+)/reveal", opened.text).group(1)

    # The display is held by the second process; everyone rates through the first, where
    # the first person's phone has its live connection.
    display = Device(requests.Session(), second)
    # The display link is traded for the display's cookie, as a browser opening it would.
    assert display.http.get(f"{second.url}/display/{token}").ok
    display.connect(display=token)
    phone = Device(people[1], first)
    phone.connect(meeting=meeting_id)
    # The chair's own page, live through the second process.
    chairs_page = Device(chair, second)
    chairs_page.connect(meeting=meeting_id)

    def rated_on_screen() -> int:
        """How many the display's scene says have rated, read from the second process."""
        answer = display.http.get(
            f"{second.url}/display/meeting/{meeting_id}/region/scene",
            headers={"HX-Request": "true"},
        )
        assert answer.status_code == 200, answer.status_code
        shown = re.search(r"\b(\d+) of \d+ have rated", text_of(answer.text))
        assert shown, text_of(answer.text)
        return int(shown.group(1))

    def rate(n: int):
        return people[n].post(
            f"{first.url}/m/{meeting_id}/rounds/{round_id}/rating",
            data={"score": str(n + 2), "reason": f"Person {n}"},
            allow_redirects=False,
        )

    def screen_shows(count: int, within: float) -> float | None:
        """Wait for the display to be rung and then show `count`; return when it did."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if display.heard:
                display.heard.clear()
                if rated_on_screen() == count:
                    return time.monotonic()
            time.sleep(0.05)
        return None

    for n in (1, 2):
        assert rate(n).status_code == 302
    assert screen_shows(2, 10) is not None, "the display did not show the first two ratings"

    redis_server.stop()
    lost_at = time.monotonic()

    # Log-ins, good and bad, on either process.
    for live in (first, second):
        chair_again = BrowserSession()
        wrong = chair_again.post(
            live.url + "/login",
            data={"email": "sam@example.org", "password": "not it"},
            allow_redirects=False,
        )
        assert wrong.status_code == 401, wrong.status_code
        assert "password" in text_of(wrong.text).lower()
        logged_in = chair_again.post(
            live.url + "/login",
            data={"email": "sam@example.org", "password": PASSWORD},
            allow_redirects=False,
        )
        assert logged_in.status_code == 302, logged_in.status_code
        assert chair_again.get(live.url + "/meetings").status_code == 200
    # A log-out on the first process ends every log-in of the chair's.
    out = chair_again.post(first.url + "/logout", allow_redirects=False)
    assert out.status_code == 302, out.status_code

    # Wrong join codes: answered, and still limited to 10 a minute from one address.
    tried = [requests.get(f"{first.url}/join/", params={"code": "NOT-A-CODE"}) for _ in range(11)]
    assert [answer.status_code for answer in tried] == [404] * 10 + [429]
    assert "Too many wrong join codes" in text_of(tried[-1].text)

    # A rating is kept and answered; the health check says what is wrong.
    during = rate(3)
    assert during.status_code == 302, during.status_code
    health = requests.get(first.url + "/healthz")
    assert health.status_code == 503 and health.json()["redis"] != "ok", health.text

    time.sleep(max(0.0, OUTAGE - (time.monotonic() - lost_at)))
    # Whatever the screens heard before, they hear from now on only what comes after.
    display.heard.clear()
    phone.heard.clear()
    redis_server.start()
    back_at = time.monotonic()

    # What was done while Redis was away reaches the screen without anything new being done.
    caught_up = screen_shows(3, WITHIN)
    assert caught_up is not None, "the display never caught up with the rating made meanwhile"
    # The phone, on the first process, is told to read everything again too.
    assert phone.hears_within(WITHIN, lambda m: "scene" in m["regions"] and "rate" in m["regions"])
    # The chair's page on the second process, logged out meanwhile, is closed now.
    assert chairs_page.closed.wait(WITHIN), "the logged-out chair's page kept its connection"
    for live in (first, second):
        healthy = lambda live=live: requests.get(live.url + "/healthz").ok  # noqa: E731
        until(healthy, 10, f"{live.url}/healthz still failing")

    # A change made now, on the first process, reaches the display on the second.
    pressed = time.monotonic()
    assert rate(4).status_code == 302
    shown = screen_shows(4, 30)
    reached = None if shown is None else shown - pressed
    print(
        f"\nRedis down {OUTAGE} s. The display showed the rating made meanwhile "
        f"{caught_up - back_at:.2f} s after Redis was back; a rating made "
        f"{pressed - back_at:.2f} s after it was back reached the display "
        + (f"in {reached:.2f} s." if reached is not None else "not within 30 s.")
    )
    assert reached is not None and reached < WITHIN, reached

    # Wrong join codes are counted in Redis again.
    again = requests.get(f"{first.url}/join/", params={"code": "NOT-A-CODE"})
    assert again.status_code in (404, 429)
    import redis

    client = redis.Redis.from_url(redis_server.url)
    counted = list(client.scan_iter(f"{first.env['MEETING_REDIS_PREFIX']}:limits*join-code*"))
    client.close()
    assert counted, "wrong join codes are no longer counted in Redis"

    # The log-outs above ended every log-in of the chair's: log in again to read the record.
    chair = BrowserSession()
    fields = {"email": "sam@example.org", "password": PASSWORD}
    assert chair.post(first.url + "/login", data=fields, allow_redirects=False).status_code == 302
    record = chair.get(path + "/record.json").json()
    ratings = record["items"][0]["rounds"][-1]["ratings"]
    assert sorted(r["name"] for r in ratings) == [f"Person {n}" for n in range(1, 5)]
    display.client.disconnect()
    phone.client.disconnect()
    for live in (first, second):
        failed = [line for line in live.said if "Failed:" in line or "Traceback" in line]
        assert not failed, failed
    told = ("meeting.live", "meeting.allowances", "meeting.socketio")
    print("".join(line for line in first.said + second.said if any(n in line for n in told)))
