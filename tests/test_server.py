"""The real server on a loopback port, driven by real Socket.IO clients and HTTP.

A chair, the shared display and three attendees go through a whole item: join,
admit, rate, progress seen by all, reveal, spread seen by all, a second round,
then the decision, one dissent in the dissenter's words, and two actions.
"""

import re
import threading
import time
from datetime import date, timedelta

import socketio
from conftest import HELD_AT, BrowserSession, text_of

WAIT = 10


class Screen:
    """One device: an HTTP session and a Socket.IO connection that records what it hears."""

    def __init__(self, server, name):
        self.server, self.name = server, name
        self.http = BrowserSession()
        self.heard: list[dict] = []
        self.lock = threading.Condition()
        self.client = None

    def connect(self, **auth):
        self.auth = auth
        self.client = socketio.Client(reconnection=False)
        self.client.on("changed", self._changed)
        cookie = "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())
        self.client.connect(
            self.server.url, headers={"Cookie": cookie}, auth=auth, transports=["websocket"]
        )
        assert self.client.transport() == "websocket"

    def reconnect(self):
        """Do what the page does on a reload: connect again with the current cookies."""
        self.client.disconnect()
        self.connect(**self.auth)

    def _changed(self, message):
        with self.lock:
            self.heard.append(message)
            self.lock.notify_all()

    def wait_for(self, region=None, reload=False) -> dict:
        """Wait until an event naming this region (or a reload) arrives; consume it."""
        # The shared display holds one region, the scene: it hears of that, whatever changed.
        if region and self.name == "display":
            region = "scene"
        deadline = time.monotonic() + WAIT
        with self.lock:
            while True:
                for index, message in enumerate(self.heard):
                    if (reload and message["reload"]) or (region in message["regions"]):
                        return self.heard.pop(index)
                left = deadline - time.monotonic()
                assert left > 0, f"{self.name} never heard about {region or 'a reload'}"
                self.lock.wait(left)

    def get(self, path, **kwargs):
        return self.http.get(self.server.url + path, timeout=WAIT, **kwargs)

    def post(self, path, data=None):
        return self.http.post(self.server.url + path, data=data or {}, timeout=WAIT)

    def region(self, base, name) -> str:
        # The shared display draws one region, the scene, whatever changed.
        name = "scene" if base.startswith("/display/") else name
        return text_of(self.get(f"{base}/region/{name}", headers={"HX-Request": "true"}).text)

    def close(self):
        if self.client and self.client.connected:
            self.client.disconnect()


def test_a_whole_item_on_the_real_server(live_server):
    chair = Screen(live_server, "chair")
    setup = chair.post(
        "/setup",
        {
            "setup_code": live_server.setup_code,
            "name": "Sam Chair",
            "agency": "Children's social care",
            "email": "sam@example.org",
            "password": "a long password",
            "confirm": "a long password",
        },
    )
    assert setup.url.endswith("/meetings/")
    created = chair.post(
        "/meetings/new",
        {
            "title": "Initial conference",
            "kind": "prt_review",
            "child": "J.D.",
            "starts_at": HELD_AT,
        },
    )
    meeting_path = re.search(r"/meetings/\d+$", created.url).group(0)
    meeting_id = meeting_path.rsplit("/", 1)[1]
    chair.post(
        f"{meeting_path}/items",
        {"title": "Risk of going missing", "body": "Twice in May.", "scale": "safety"},
    )
    page = chair.get(meeting_path).text
    code = re.search(r'class="join-code"[^>]*>([A-Z0-9-]+)<', page).group(1)
    token = re.search(r'href="/display/([^"]+)"', page).group(1)

    screens = [chair]
    try:
        chair.connect(meeting=meeting_id)
        display = Screen(live_server, "display")
        # As the display's page does: the link traded for a cookie, which the connection sends.
        on_screen = display.get(f"/display/{token}").url.removeprefix(live_server.url)
        display.connect(screen=meeting_id)
        screens.append(display)

        attendees = []
        for name, agency in (
            ("Priya Shah", "Police"),
            ("Tom Reid", "School"),
            ("Ade Okafor", "Health"),
        ):
            person = Screen(live_server, name)
            person.post("/join/", {"code": code.lower()})
            joined = person.post(
                f"/join/{code}",
                {"name": name, "role": "Practitioner", "agency": agency, "part": "professional"},
            )
            assert "Waiting for the chair" in joined.text
            person.connect(meeting=meeting_id)
            screens.append(person)
            attendees.append(person)
            chair.wait_for("people")
            assert name in chair.region(f"/m/{meeting_id}", "people")

        chair_page = chair.get(meeting_path).text
        for person in attendees:
            attendee_id = re.search(
                r"/people/(\d+)/admit\"[^<]*>\s*(?:<input[^>]*>\s*)*<button[^>]*>Admit "
                + person.name,
                chair_page,
            ).group(1)
            chair.post(f"{meeting_path}/people/{attendee_id}/admit")
            person.wait_for(reload=True)
            person.reconnect()
            for screen in (chair, display):
                screen.wait_for("people")

        chair.post(f"{meeting_path}/start")
        for screen in screens:
            screen.wait_for(reload=True)
        item_id = re.search(r"/items/(\d+)/rounds", chair.get(meeting_path).text).group(1)

        def rate_round(number, values):
            chair.post(f"{meeting_path}/items/{item_id}/rounds")
            for screen in screens:
                screen.wait_for("stage")
            round_id = re.search(
                r"/rounds/(\d+)/rating", attendees[0].get(f"/m/{meeting_id}").text
            ).group(1)
            for done, (person, score) in enumerate(zip(attendees, values, strict=True), start=1):
                person.post(
                    f"/m/{meeting_id}/rounds/{round_id}/rating",
                    {"score": score, "reason": f"{person.name} round {number}"},
                )
                for screen in screens:
                    screen.wait_for("progress")
                    base = on_screen if screen is display else f"/m/{meeting_id}"
                    progress = screen.region(base, "progress")
                    assert f"{done} of 4 have rated" in progress
                    assert f"{person.name} round" not in progress
            chair.post(f"{meeting_path}/rounds/{round_id}/reveal")
            stages = {}
            for screen in screens:
                screen.wait_for("stage")
                base = on_screen if screen is display else f"/m/{meeting_id}"
                stages[screen.name] = screen.region(base, "stage")
            return round_id, stages

        def everyone_sees(region):
            seen = {}
            for screen in screens:
                screen.wait_for(region)
                base = on_screen if screen is display else f"/m/{meeting_id}"
                seen[screen.name] = screen.region(base, region)
            return seen

        first_id, first = rate_round(1, [2, 7, 8])
        for stage in first.values():
            assert "Round 1 — revealed" in stage
            assert "Median 7" in stage and "Range 2–8" in stage
            assert "Priya Shah Practitioner Police 2 Minority view Priya Shah round 1" in stage
            assert "Sam Chair Children's social care Did not rate" in stage
            assert "Hear this view first" in stage

        _second_id, second = rate_round(2, [5, 6, 6])
        first_minority = "Priya Shah Practitioner Police 2 Minority view Priya Shah round 1"
        for name, stage in second.items():
            latest, earlier = stage.split("Round 1 — revealed")
            assert "Round 2 — revealed" in latest and "Median 6" in latest
            assert "Priya Shah round 2" in latest
            assert "Wide disagreement: ratings run from 2 to 8." in earlier
            if name == "display":
                # The room's screen gives the latest round the stage; the earlier one is a
                # line to compare it with, its reasons left to the phones.
                assert "Median 7 · Range 2–8" in earlier and "Priya Shah round 1" not in stage
            else:
                assert first_minority in earlier

        # The decision: round 1's wide spread is acknowledged first, then it is recorded.
        review = (date.today() + timedelta(days=28)).isoformat()
        decision = {
            "intent": "record",
            "text": "Child-protection plan: neglect.",
            "rationale": "Missing twice in May; school attendance falling.",
            "child_views": "She wants to stay at home.",
            "review_date": review,
        }
        refused = chair.post(f"{meeting_path}/items/{item_id}/decision", decision)
        assert refused.status_code == 409 and "Acknowledge the disagreement" in refused.text
        chair.post(f"{meeting_path}/rounds/{first_id}/acknowledge", {"note": "Police heard first"})
        everyone_sees("stage")
        chair.post(f"{meeting_path}/items/{item_id}/decision", decision)
        for shown in everyone_sees("decision").values():
            assert "Child-protection plan: neglect." in shown and "Waiting for views" in shown

        priya, tom, ade = attendees
        dissent = "The risk is outside the home; a plan for the family misses it."
        for person, agrees in ((priya, "no"), (tom, "yes"), (ade, "yes")):
            answer = {"agrees": agrees, "text": dissent if agrees == "no" else ""}
            assert person.post(f"/m/{meeting_id}/items/{item_id}/view", answer).ok
            seen = everyone_sees("decision")
        for shown in seen.values():
            assert "Agreed with recorded dissent · 2 agree · 1 disagree" in shown
            assert f"{dissent} Priya Shah, Police" in shown

        # Two actions: one for someone in the room, one for a named person who is not.
        people = {
            a["name"]: a["attendee_id"]
            for a in chair.get(f"{meeting_path}/record.json").json()["attendance"]
        }
        due = (date.today() + timedelta(days=10)).isoformat()
        for action in (
            {"what": "Share attendance data", "owner_id": people["Tom Reid"], "due": due},
            {
                "what": "Book a return interview",
                "owner_name": "Kim Lowe",
                "agency": "Youth service",
                "due": due,
            },
        ):
            assert chair.post(f"{meeting_path}/actions", {**action, "item_id": item_id}).ok
            seen = everyone_sees("actions")
        for name, shown in seen.items():
            assert "Actions (2)" in shown and "Kim Lowe (not at the meeting) Youth service" in shown
            assert ("Your actions (1)" in shown) == (name == "Tom Reid")

        record = chair.get(f"{meeting_path}/record.json").json()
        views = record["items"][0]["decision"]["views"]
        assert [(v["name"], v["agrees"], v["view"]) for v in views if not v["agrees"]] == [
            ("Priya Shah", False, dissent)
        ]
        assert [a["owner"] for a in record["items"][0]["actions"]] == ["Tom Reid", "Kim Lowe"]
    finally:
        for screen in screens:
            screen.close()


def test_started_for_the_room_it_prints_the_addresses_phones_can_use(tmp_path):
    """`python -m meeting --host 0.0.0.0` names this computer's network addresses."""
    import os
    import socket
    import subprocess
    import sys
    import time

    import psutil
    from conftest import free_port

    from meeting.__main__ import network_addresses

    port = free_port()
    env = {**os.environ, "MEETING_INSTANCE_PATH": str(tmp_path / "instance")}
    env.pop("MEETING_DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "meeting", "--host", "0.0.0.0", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            lines.append(line.rstrip())
            if line.startswith("  http") or "no network address" in line:
                if len([x for x in lines if x.startswith("  http")]) >= len(network_addresses()):
                    break
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
    printed = "\n".join(lines)
    assert f"Open http://127.0.0.1:{port}/ in a browser." in printed
    assert "0.0.0.0" not in printed
    # This computer's IPv4 addresses as the system lists them, loopback aside.
    addresses = {
        a.address
        for found in psutil.net_if_addrs().values()
        for a in found
        if a.family == socket.AF_INET and not a.address.startswith("127.")
    }
    for host in addresses:
        assert f"  http://{host}:{port}/join" in printed
    if not addresses:
        assert "no network address yet" in printed


def test_python_m_meeting_gives_no_warning_against_itself(live_server):
    """The documented way to run one room says how to open it, not that it is unfit to run."""
    from conftest import until

    # The meeting's own line for the request that found it answering: all before it is in.
    until(lambda: any("/login" in line for line in live_server.said), WAIT, "no access line")
    said = "".join(live_server.said)
    assert "Meeting server running" in said
    for warning in ("development server", "production deployment", "production web server"):
        assert warning not in said, said


def test_static_files_are_sent_compressed_and_kept_by_version(app, tmp_path):
    """A page links each static file by its version; the file comes compressed, for a year."""
    import gzip
    import shutil
    from pathlib import Path

    client = app.test_client()
    page = client.get("/login").text
    links = re.findall(r'(?:src|href)="(/static/([^"?]+)\?v=([0-9a-f]{12}))"', page)
    assert {name for _, name, _ in links} >= {"css/meeting.css", "js/forms.js"}
    assert len(links) == page.count('"/static/')
    for link, name, _version in links:
        sent = client.get(link, headers={"Accept-Encoding": "gzip"})
        assert sent.status_code == 200
        assert sent.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in sent.headers["Vary"]
        assert gzip.decompress(sent.data) == (Path(app.static_folder) / name).read_bytes()
        kept = sent.cache_control
        assert kept.public and kept.immutable and kept.max_age >= 365 * 24 * 60 * 60
    link, name, version = links[0]
    # Brotli for browsers that take it; the file as it is for those that take neither.
    assert (
        client.get(link, headers={"Accept-Encoding": "gzip, br"}).headers["Content-Encoding"]
        == "br"
    )
    assert "Content-Encoding" not in client.get(link, headers={"Accept-Encoding": ""}).headers
    # Without its version, or with another, the file is checked with the server each time.
    for other in (f"/static/{name}", f"/static/{name}?v=000000000000"):
        assert "immutable" not in client.get(other).headers["Cache-Control"]
    # Pages are never compressed: their secrets sit beside what people typed (BREACH).
    login = client.get("/login", headers={"Accept-Encoding": "gzip, br"})
    assert "Content-Encoding" not in login.headers
    assert login.headers["Cache-Control"] == "no-store"

    # A release that changes a file changes its link, so no browser keeps the old one.
    folder = tmp_path / "static"
    shutil.copytree(app.static_folder, folder)
    app.static_folder = str(folder)
    assert re.search(rf"/static/{name}\?v={version}\"", client.get("/login").text)
    with open(folder / name, "a") as changed:
        changed.write("\n/* changed */\n")
    relinked = re.search(rf'"/static/{name}\?v=([0-9a-f]{{12}})"', client.get("/login").text)
    assert relinked and relinked.group(1) != version
    fresh = client.get(relinked.group(0).strip('"'), headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(fresh.data).endswith(b"/* changed */\n")
    assert fresh.cache_control.immutable
