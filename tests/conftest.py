"""Fixtures: an app on a temporary SQLite file, clients for each person, and small helpers."""

import os
import re
import secrets
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from flask import session
from flask.testing import FlaskClient
from flask_wtf.csrf import generate_csrf
from sqlalchemy import create_engine, select, text
from werkzeug.datastructures import Headers, MultiDict

from meeting import create_app
from meeting.extensions import db, socketio
from meeting.factory import Application
from meeting.models import Attendee, Delivery, DeliveryResult, Meeting

# The closed meeting the minutes' tests share (tests/story.py).
pytest_plugins = ["story"]

PASSWORD = "correct horse battery"
# The day the tests' meetings are held, worked out from today, and when they start.
HELD_ON = date.today()
HELD_AT = f"{HELD_ON.isoformat()}T10:00"

SAFETY_ITEM = {
    "title": "Risk of criminal exploitation",
    "body": "## Concerns\n\n- Seen with older males\n\n## Working well\n\n- Attends school",
    "scale": "safety",
}
LXS_ITEM = {
    "title": "Unsupervised time in the community",
    "body": "Two hours a day.",
    "scale": "lxs",
}
CHOICE_ITEM = {
    "title": "Plan",
    "body": "What plan is needed?",
    "scale": "choice",
    "choices": "Child-protection plan\nChild-in-need plan\nNo further action",
}


UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_HEADER = "X-CSRFToken"
# The token a page carries for its session's forms and htmx requests.
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
# Logging in (or creating the first account) starts a new session, with a new token.
LOG_INS = ("/login", "/setup")


class BrowserClient(FlaskClient):
    """A test client that sends the session's CSRF token with each form, as a page does.

    The token is the one the app's pages draw for this client's session (Flask-WTF's
    `generate_csrf`, on this client's cookie). A client whose session has none yet (a new
    device, or one that has just logged in) first opens a page, as a person opens the page
    a form is on. A form whose data is a mapping gets the token as its `csrf_token` field;
    any other request gets the X-CSRFToken header, as htmx sends it. A request that names
    its own token is sent as it is; `sends_token = False` sends none, as a forged form.
    """

    sends_token = True

    def open(self, *args: Any, **kwargs: Any):
        method = str(kwargs.get("method", "GET")).upper()
        if self.sends_token and method in UNSAFE and args and isinstance(args[0], str):
            kwargs = self._with_token(args[0], kwargs)
        return super().open(*args, **kwargs)

    def _with_token(self, path: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        field = self.application.config["WTF_CSRF_FIELD_NAME"]
        headers = Headers(kwargs.get("headers"))
        data = kwargs.get("data")
        if CSRF_HEADER in headers or (isinstance(data, Mapping) and field in data):
            return kwargs
        parts = urlsplit(path)
        base_url = kwargs.get("base_url") or (
            f"{parts.scheme}://{parts.netloc}" if parts.netloc else None
        )
        token = self.csrf_token(base_url)
        if isinstance(data, Mapping) or (data is None and "json" not in kwargs):
            form = MultiDict(data or {})
            form[field] = token
            return {**kwargs, "data": form}
        headers[CSRF_HEADER] = token
        return {**kwargs, "headers": headers}

    def csrf_token(self, base_url: str | None = None) -> str:
        """Return the token this client's pages at `base_url` carry (opening a page first if
        its session has none yet)."""
        token = self._session_token(base_url)
        if token is None:
            assert self.get("/login", base_url=base_url).status_code == 200
            token = self._session_token(base_url)
        assert token, "a page drew no CSRF token for this session"
        return token

    def _session_token(self, base_url: str | None) -> str | None:
        app = self.application
        name = app.config["SESSION_COOKIE_NAME"]
        cookie = self.get_cookie(name, domain=urlsplit(base_url or "").hostname or "localhost")
        if cookie is None:
            return None
        # An application context of its own: the token is kept in `g` for one request.
        with (
            app.app_context(),
            app.test_request_context(headers={"Cookie": f"{name}={cookie.value}"}),
        ):
            if app.config["WTF_CSRF_FIELD_NAME"] not in session:
                return None
            token: str = generate_csrf()
            return token


class BrowserSession(requests.Session):
    """requests against a real server, sending the CSRF token of the last page it fetched.

    A person's forms carry the token of the page they are on; so do this session's. Before
    its first form, or after a log-in whose redirect it did not follow to a page, it
    fetches /login and reads the token there, as a browser shows a page before its form
    is sent. A form given as a mapping gets the token as its `csrf_token` field; any other
    request the X-CSRFToken header. A request that names its own token is sent as it is.
    """

    def __init__(self) -> None:
        super().__init__()
        self.csrf_token: str | None = None

    def request(self, method, url, *args, **kwargs):
        if str(method).upper() in UNSAFE:
            kwargs = self._with_token(url, kwargs)
        response = super().request(method, url, *args, **kwargs)
        if str(method).upper() in UNSAFE and urlsplit(url).path in LOG_INS:
            self.csrf_token = None
        if "html" in response.headers.get("Content-Type", ""):
            found = CSRF_META.search(response.text)
            if found:
                self.csrf_token = found.group(1)
        return response

    def _with_token(self, url: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        headers = dict(kwargs.get("headers") or {})
        data = kwargs.get("data")
        if CSRF_HEADER in headers or (isinstance(data, Mapping) and "csrf_token" in data):
            return kwargs
        if self.csrf_token is None:
            page = self.get(requests.compat.urljoin(url, "/login"))
            assert self.csrf_token, f"no CSRF token on {page.url}: {page.status_code}"
        if isinstance(data, Mapping) or (data is None and "json" not in kwargs):
            return {**kwargs, "data": {**(data or {}), "csrf_token": self.csrf_token}}
        return {**kwargs, "headers": {**headers, CSRF_HEADER: self.csrf_token}}


@pytest.fixture(autouse=True, scope="session")
def browser_clients():
    """Every app a test builds makes BrowserClients: its forms carry their CSRF token."""
    Application.test_client_class = BrowserClient
    yield
    Application.test_client_class = None


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("MEETING_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'meeting.sqlite3'}",
            "ANNOUNCE_SETUP_CODE": False,
        }
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


@dataclass
class People:
    """The clients of one meeting: its chair and whoever joins."""

    app: object
    chair: FlaskClient
    meeting_id: int

    def meeting(self) -> Meeting:
        return db.session.get(Meeting, self.meeting_id)

    @property
    def code(self) -> str:
        with self.app.app_context():
            return self.meeting().join_code

    @property
    def display_token(self) -> str:
        with self.app.app_context():
            return self.meeting().display_token

    def join(self, name: str, agency: str, role: str = "Practitioner") -> FlaskClient:
        """A new device joins with the code; returns its client (waiting, not admitted)."""
        device = self.app.test_client()
        response = device.post(
            f"/join/{self.code}", data={"name": name, "role": role, "agency": agency}
        )
        assert response.status_code == 302, response.text
        return device

    def attendee_id(self, name: str) -> int:
        with self.app.app_context():
            return db.session.scalar(
                select(Attendee.id).where(
                    Attendee.meeting_id == self.meeting_id, Attendee.name == name
                )
            )

    def admit(self, name: str) -> None:
        aid = self.attendee_id(name)
        response = self.chair.post(f"/meetings/{self.meeting_id}/people/{aid}/admit")
        assert response.status_code == 302, response.text

    def join_admitted(self, name: str, agency: str, role: str = "Practitioner") -> FlaskClient:
        device = self.join(name, agency, role)
        self.admit(name)
        return device

    def start(self) -> None:
        assert self.chair.post(f"/meetings/{self.meeting_id}/start").status_code == 302

    def open_round(self) -> int:
        """Open a round on the current item; return its id."""
        with self.app.app_context():
            item = self.meeting().current_item
        response = self.chair.post(f"/meetings/{self.meeting_id}/items/{item.id}/rounds")
        assert response.status_code == 302, response.text
        with self.app.app_context():
            return self.meeting().current_item.rounds[-1].id

    def reveal(self, round_id: int):
        return self.chair.post(f"/meetings/{self.meeting_id}/rounds/{round_id}/reveal")

    def rate(self, device: FlaskClient, round_id: int, **fields):
        fields = {k: str(v) for k, v in fields.items()}
        return device.post(f"/m/{self.meeting_id}/rounds/{round_id}/rating", data=fields)

    def move_to(self, position: int) -> None:
        with self.app.app_context():
            item_id = self.meeting().items[position - 1].id
        response = self.chair.post(
            f"/meetings/{self.meeting_id}/current", data={"item_id": item_id}
        )
        assert response.status_code == 302


def make_chair(app, email="chair@example.org", name="Sam Chair", agency="Children's social care"):
    from werkzeug.security import generate_password_hash

    from meeting.chairs.accounts import create_chair

    with app.app_context():
        create_chair(db.session, name, email, generate_password_hash(PASSWORD), agency)
        db.session.commit()


def log_in(app, email="chair@example.org") -> FlaskClient:
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.text
    return client


def make_meeting(
    chair: FlaskClient, *items: dict, title="Review conference", kind="other", **details: str
) -> int:
    """Create a meeting with these agenda items through the chair's pages; return its id.

    The default kind has no quorum rule; tests of quorum pick a kind that has one.
    """
    response = chair.post(
        "/meetings/new",
        data={
            "title": title,
            "kind": kind,
            "child": "A.B.",
            "starts_at": HELD_AT,
            "place": "Room 2",
            **details,
        },
    )
    assert response.status_code == 302, response.text
    meeting_id = int(re.search(r"/meetings/(\d+)", response.headers["Location"]).group(1))
    for item in items:
        added = chair.post(f"/meetings/{meeting_id}/items", data=item)
        assert added.status_code == 302, added.text
    return meeting_id


@pytest.fixture
def people(app) -> People:
    """A logged-in chair with a three-item meeting in set-up."""
    make_chair(app)
    chair = log_in(app)
    meeting_id = make_meeting(chair, SAFETY_ITEM, LXS_ITEM, CHOICE_ITEM)
    return People(app, chair, meeting_id)


@pytest.fixture
def sio(app):
    """Make Socket.IO test clients that share an HTTP client's cookies; all closed on teardown."""
    made = []

    def connect(http_client: FlaskClient, **auth):
        sio_client = socketio.test_client(app, flask_test_client=http_client, auth=auth)
        made.append(sio_client)
        return sio_client

    yield connect
    for c in made:
        if c.is_connected():
            c.disconnect()


def settled(app, within: float = 10) -> dict[str, str]:
    """Wait until no copy of the minutes is still being sent; return each address's result.

    Mail goes out in the background after the chair's request has been answered; a batch
    is done once its results and its line in the event log are saved.
    """
    from meeting.circulation.views import sending

    deadline = time.monotonic() + within
    while True:
        with app.app_context():
            rows = db.session.scalars(select(Delivery).order_by(Delivery.id))
            results = {d.email: d.result for d in rows}
        if DeliveryResult.PENDING not in results.values() and not sending(app):
            return results
        assert time.monotonic() < deadline, f"still sending after {within} s: {results}"
        time.sleep(0.02)


def text_of(html: str) -> str:
    """Return the visible text of some HTML, whitespace folded, as a person reads it."""
    without_tags = re.sub(r"<script.*?</script>|<[^>]+>", " ", html, flags=re.S)
    import html as html_lib

    return " ".join(html_lib.unescape(without_tags).split())


ROOT = Path(__file__).resolve().parents[1]
# The production server's settings (README, Production).
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"

POSTGRES = os.environ.get("MEETING_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")


def postgres_database() -> Iterator[str]:
    """Create a database of its own on the local PostgreSQL; drop it afterwards."""
    admin = create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            name = f"meeting_test_{secrets.token_hex(4)}"
            connection.execute(text(f"CREATE DATABASE {name}"))
    except Exception as error:  # noqa: BLE001 - any failure to reach it means "not here"
        admin.dispose()
        if os.environ.get("CI"):
            raise
        pytest.skip(f"needs PostgreSQL at {POSTGRES} (trust auth, user postgres): {error}")
    try:
        yield f"{POSTGRES}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


class LiveServer:
    """A real meeting server process (`python -m meeting`) on a loopback port.

    It can be stopped and started again on the same port and instance folder, as a
    server is restarted in the middle of a meeting. It keeps its data in SQLite in the
    instance folder, or in `database_url`. With `production`, it is the README's
    production server instead: gunicorn with `deploy/gunicorn.conf.py` (gevent).
    """

    def __init__(
        self,
        folder,
        database_url: str | None = None,
        env: dict | None = None,
        production: bool = False,
    ):
        self.folder = folder
        self.database_url = database_url
        self.production = production
        # More settings for this process (Redis, a shared secret key), as a deployment sets.
        self.env = env or {}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.setup_code = ""
        self.process = None
        # Everything the server has written (stdout and stderr), line by line.
        self.said: list[str] = []

    def start(self) -> None:
        import subprocess
        import sys
        import threading
        import time
        import urllib.request

        env = {**os.environ, "MEETING_INSTANCE_PATH": str(self.folder / "instance")}
        env.pop("MEETING_DATABASE_URL", None)
        if self.database_url:
            env["MEETING_DATABASE_URL"] = self.database_url
        env.update(self.env)
        command = [sys.executable, "-m", "meeting", "--port", str(self.port)]
        if self.production:
            command = [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONFIG)]
            command += ["--bind", f"127.0.0.1:{self.port}", "--chdir", str(ROOT), "wsgi:app"]
        self.process = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        running = threading.Event()
        # The server writes a line per request; read them all the time it runs, or a full
        # pipe would stop the server mid-request.
        self.output = threading.Thread(target=self._read, args=(running,), daemon=True)
        self.output.start()
        assert running.wait(30), "the server did not say it was running"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/login", timeout=1)
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("the server did not answer")

    def _read(self, running) -> None:
        for line in self.process.stdout:
            self.said.append(line)
            match = re.search(r"first chair: (\w+)", line)
            if match:
                self.setup_code = match.group(1)
            if "Meeting server running" in line or "Booting worker" in line:
                running.set()

    def first_chair(self) -> BrowserSession:
        """Create the first chair account with the printed set-up code; return its session."""
        # gunicorn's worker says the code as it builds the app, before it first answers.
        deadline = time.monotonic() + 10
        while not self.setup_code and time.monotonic() < deadline:
            time.sleep(0.05)
        session = BrowserSession()
        fields = {
            "setup_code": self.setup_code,
            "name": "Sam Chair",
            "agency": "Children's social care",
            "email": "sam@example.org",
            "password": PASSWORD,
            "confirm": PASSWORD,
        }
        assert session.post(self.url + "/setup", data=fields).ok
        return session

    def kill(self) -> None:
        """Kill the server at once (SIGKILL), as a power cut or the kernel would."""
        self.process.kill()
        self.stop()

    def stop(self) -> None:
        import subprocess

        self.process.terminate()
        try:
            # gunicorn gives requests under way 5 s; on a loaded machine, more goes by.
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.output.join(timeout=10)
        self.process.stdout.close()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_server(tmp_path):
    """Start `python -m meeting` as a newcomer would, on a free port; stop it afterwards."""
    server = LiveServer(tmp_path)
    server.start()
    assert server.setup_code, "the server printed no set-up code"
    yield server
    server.stop()


@pytest.fixture(scope="module")
def module_server(tmp_path_factory):
    """One real server shared by a module's tests (each makes its own meeting)."""
    server = LiveServer(tmp_path_factory.mktemp("server"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium (Debian's) for a module's browser tests."""
    from playwright.sync_api import sync_playwright
    from room import ARGS, CHROMIUM

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()
