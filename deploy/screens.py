"""How many screens a server holds: start it, connect N live screens, and time HTTP meanwhile.

    python deploy/screens.py --screens 300 -- \\
        gunicorn --worker-class gevent --workers 1 --bind 127.0.0.1:8000 wsgi:app

It starts the command given after `--` from the repository's root, in a fresh instance
folder (SQLite there, or `--database URL`), with the server's address given as `{port}` or
taken from `--bind`. It then creates the first chair and a meeting, and:

1. connects N real Socket.IO clients to the meeting's display link over WebSocket, as many
   screens (a display, or an attendee's phone) hold one each, and counts how many got in;
2. while they are all connected, times GET /healthz and GET of the display page, one
   after another over one kept-alive connection, as a page and a monitor would;
3. starts the meeting as the chair does, and times how long every connected screen takes
   to hear the change.

It prints what it found and writes it as JSON (`--json FILE`). It only ever talks to the
server it started, on this machine's loopback address, and stops it when done.
"""

import argparse
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import psutil
import requests
import socketio

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "a long enough password for a test"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


class Browser(requests.Session):
    """A person's browser: every form carries the CSRF token of the last page fetched."""

    token = ""

    def request(self, method, url, *args, **kwargs):
        if method.upper() == "POST":
            if not self.token:
                self.get(requests.compat.urljoin(url, "/login"))
            kwargs["data"] = {**(kwargs.get("data") or {}), "csrf_token": self.token}
        response = super().request(method, url, *args, **kwargs)
        found = CSRF_META.search(response.text)
        if found:
            self.token = found.group(1)
        if method.upper() == "POST" and url.endswith(("/setup", "/login")):
            self.token = ""
        return response


class Server:
    """The server command, run from the repository's root in a fresh instance folder."""

    def __init__(self, command: list[str], port: int, folder: Path, database: str | None):
        env = {**os.environ, "MEETING_INSTANCE_PATH": str(folder / "instance")}
        env.pop("MEETING_REDIS_URL", None)
        if database:
            env["MEETING_DATABASE_URL"] = database
            # Anywhere but the one-room default (SQLite) the key must be given.
            env.setdefault("MEETING_SECRET_KEY", secrets.token_hex(32))
        self.url = f"http://127.0.0.1:{port}"
        self.setup_code = ""
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [part.replace("{port}", str(port)) for part in command],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            found = re.search(r"first chair: (\w+)", line)
            if found:
                self.setup_code = found.group(1)

    def wait_until_up(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit("The server stopped:\n" + "".join(self.lines))
            try:
                if requests.get(self.url + "/healthz", timeout=2).ok and self.setup_code:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise SystemExit("The server did not answer:\n" + "".join(self.lines))

    def usage(self) -> dict[str, float]:
        """The server's processes together: resident memory (MiB) and threads."""
        try:
            processes = [psutil.Process(self.process.pid)]
            processes += processes[0].children(recursive=True)
            rss = sum(p.memory_info().rss for p in processes)
            threads = sum(p.num_threads() for p in processes)
        except psutil.Error:
            return {"rss_mib": 0.0, "threads": 0}
        return {"rss_mib": round(rss / 2**20, 1), "threads": threads}

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def a_meeting(url: str, setup_code: str) -> tuple[Browser, int, str]:
    """The first chair and a meeting with one item; return the chair, its id, display token."""
    chair = Browser()
    fields = {
        "setup_code": setup_code,
        "name": "Sam Chair",
        "agency": "Children's social care",
        "email": "sam@example.org",
        "password": PASSWORD,
        "confirm": PASSWORD,
    }
    assert chair.post(url + "/setup", data=fields).ok, "could not create the first chair"
    starts = (datetime.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    details = {"title": "Screens", "kind": "other", "child": "A.B.", "starts_at": starts}
    made = chair.post(url + "/meetings/new", data=details, allow_redirects=False)
    meeting_id = int(re.search(r"/meetings/(\d+)", made.headers["Location"]).group(1))
    item = {"title": "Item", "body": "", "scale": "safety"}
    assert chair.post(f"{url}/meetings/{meeting_id}/items", data=item).ok
    page = chair.get(f"{url}/meetings/{meeting_id}").text
    token = re.search(r"/display/([\w-]+)", page).group(1)
    return chair, meeting_id, token


class Screen:
    """One live screen: a Socket.IO client on the display link, noting when it hears a change."""

    def __init__(self) -> None:
        self.client = socketio.Client(reconnection=False)
        self.heard_at: float | None = None
        self.client.on("changed", self._heard)

    def _heard(self, _message) -> None:
        if self.heard_at is None:
            self.heard_at = time.monotonic()

    def connect(self, url: str, token: str, seconds: float) -> float | None:
        """Connect; return how long it took, or None if it did not get in within `seconds`."""
        started = time.monotonic()
        try:
            self.client.connect(
                url, auth={"display": token}, transports=["websocket"], wait_timeout=seconds
            )
        except socketio.exceptions.ConnectionError:
            return None
        return time.monotonic() - started

    def close(self) -> None:
        try:
            if self.client.connected:
                self.client.disconnect()
        except Exception:  # noqa: BLE001 - a screen already gone is closed enough
            pass


def timed_gets(url: str, paths: list[str], times: int, seconds: float) -> dict[str, dict]:
    """GET each path `times` times over one kept-alive session; latencies and failures."""
    found = {}
    http = requests.Session()
    for path in paths:
        took, failed = [], 0
        for _ in range(times):
            started = time.monotonic()
            try:
                ok = http.get(url + path, timeout=seconds).ok
            except requests.RequestException:
                ok = False
            if ok:
                took.append(time.monotonic() - started)
            else:
                failed += 1
                if failed == 3 and not took:
                    break  # it is not answering: waiting on is no more telling
        found[path.split("/")[1] or "/"] = {"ok": len(took), "failed": failed, **summary(took)}
    return found


def summary(seconds: list[float]) -> dict[str, float | None]:
    if not seconds:
        return {"p50_ms": None, "p95_ms": None, "max_ms": None}
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def measure(server: Server, screens: int, wait: float) -> dict:
    chair, meeting_id, token = a_meeting(server.url, server.setup_code)
    made = [Screen() for _ in range(screens)]
    started = time.monotonic()
    with ThreadPoolExecutor(32) as pool:
        took = list(pool.map(lambda s: s.connect(server.url, token, wait), made))
    connecting = time.monotonic() - started
    connected = [s for s, t in zip(made, took, strict=True) if t is not None and s.client.connected]
    result: dict = {
        "screens": screens,
        "connected": len(connected),
        "connecting_s": round(connecting, 1),
        "connect": summary([t for t in took if t is not None]),
        "server_while_connected": server.usage(),
    }
    paths = ["/healthz", f"/display/{token}"]
    result["http_while_connected"] = timed_gets(server.url, paths, 20, wait)
    rang = time.monotonic()
    try:
        started_ok = chair.post(f"{server.url}/meetings/{meeting_id}/start", timeout=wait).ok
    except requests.RequestException:
        started_ok = False
    deadline = rang + wait
    while time.monotonic() < deadline and any(s.heard_at is None for s in connected):
        time.sleep(0.05)
    heard = [s.heard_at - rang for s in connected if s.heard_at is not None]
    result["change"] = {"chair_answered": started_ok, "heard_by": len(heard), **summary(heard)}
    result["server_at_end"] = server.usage()
    with ThreadPoolExecutor(32) as pool:
        list(pool.map(Screen.close, made))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--screens", type=int, default=300)
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--database", help="a database URL (default: SQLite, fresh)")
    parser.add_argument("--wait", type=float, default=10, help="seconds to wait for anything")
    parser.add_argument("--json", type=Path, help="also write the result to this file")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- the server command")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the server command after --")
    port = args.port or _free_port()
    if "{port}" not in " ".join(command):
        command = [*command, "--bind", f"127.0.0.1:{port}"]
    with tempfile.TemporaryDirectory() as folder:
        server = Server(command, port, Path(folder), args.database)
        try:
            server.wait_until_up()
            result = {"command": " ".join(command), **measure(server, args.screens, args.wait)}
        finally:
            server.stop()
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


if __name__ == "__main__":
    sys.exit(main())
