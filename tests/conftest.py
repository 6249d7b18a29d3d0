"""Fixtures: an app on a temporary SQLite file, clients for each person, and small helpers.

A SIGTERM stops the run: the test under way fails, fixtures are torn down, so the servers the
tests started stop with it (see pytest_configure).
"""

import contextlib
import functools
import os
import re
import secrets
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar
from unittest import mock
from urllib.parse import urlsplit

import psutil
import pytest
import requests
from flask import session
from flask.testing import FlaskClient
from flask_wtf.csrf import generate_csrf
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
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
T = TypeVar("T")
# How long a run stopped by SIGTERM may spend tearing down before whatever it started is
# killed: `timeout -s TERM 60` must see it gone within seconds, whatever hangs.
GRACE = 8


@dataclass
class Run:
    """The session under way, and the test it is running (if any): what SIGTERM stops."""

    session: pytest.Session | None = None
    test: pytest.Item | None = None


RUN = Run()


def pytest_configure(config: pytest.Config) -> None:
    """Make SIGTERM stop the run with teardown, not kill pytest and leave its servers running."""
    # Python's default dies at once, finalizers unrun; a handler someone else set (or
    # SIG_IGN, as nohup sets) is theirs to keep.
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _stop)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Give SIGTERM back its default once the run is over."""
    if signal.getsignal(signal.SIGTERM) is _stop:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Note the session, for SIGTERM to stop."""
    RUN.session = session


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[object]:
    """Note the test being run (its set-up, call and teardown), for SIGTERM to fail."""
    RUN.test = item
    try:
        return (yield)
    finally:
        RUN.test = None


def _stop(number: int, _frame: object) -> None:
    """Stop the run: fail the test under way, then run no more; past GRACE, end at once."""
    # As pytest-timeout does: the test fails where it is, its own teardown runs, and the
    # session tears down the rest and ends. (A KeyboardInterrupt would skip the test's
    # report, which its tmp_path's teardown needs.) A second SIGTERM ends it at once.
    signal.signal(signal.SIGTERM, lambda *_: _end_now())
    # A daemon: a teardown done in time lets the process end as pytest ends it.
    watchdog = threading.Timer(GRACE, _end_now)
    watchdog.daemon = True
    watchdog.start()
    said = f"stopped by signal {number}"
    if RUN.session is not None:
        RUN.session.shouldstop = said
    if RUN.test is not None:
        pytest.fail(said, pytrace=False)


def _end_now() -> None:
    """Kill every process the run started (servers, nginx, browsers) and leave."""
    children = psutil.Process().children(recursive=True)
    for child in children:
        with contextlib.suppress(psutil.Error):
            child.kill()
    print(
        f"\nStopped: not ended {GRACE} s after SIGTERM; killed {len(children)} processes it"
        f" started, and threads {[t.name for t in threading.enumerate()]}",
        file=sys.stderr,
    )
    # os._exit writes out nothing still buffered: what pytest said so far is kept.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(128 + signal.SIGTERM)


def until(condition: Callable[[], T], within: float, failure: str | Callable[[], str]) -> T:
    """Return condition() once it holds (tried every 20 ms); after `within` s, fail saying so."""
    deadline = time.monotonic() + within
    while not (held := condition()):
        assert time.monotonic() < deadline, failure if isinstance(failure, str) else failure()
        time.sleep(0.02)
    return held


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


class CompiledOnce(BytecodeCache):
    """Jinja's compiled templates, kept for every app the run builds (by source checksum)."""

    def __init__(self) -> None:
        self.kept: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.kept:
            bucket.bytecode_from_string(self.kept[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.kept[bucket.key] = bucket.bytecode_to_string()


@pytest.fixture(autouse=True, scope="session")
def templates_compiled_once() -> Iterator[None]:
    """Every app a test builds compiles each template once per run, not once per app."""
    # Each test builds its app afresh, and with it Jinja's environment: compiling the
    # templates again for each was a tenth of a second a test.
    before = Application.jinja_options
    Application.jinja_options = {**before, "bytecode_cache": CompiledOnce()}
    yield
    Application.jinja_options = before


@pytest.fixture(autouse=True, scope="session")
def quick_hang_ups() -> Iterator[None]:
    """Socket.IO clients disconnect at once, not after waiting up to 3 s on their socket."""
    # websocket-client's close() waits up to 3 s for the server's answer to its close
    # frame, which the client's own reading thread usually takes first: each disconnect
    # (the Engine.IO and Socket.IO goodbyes already sent) then sat out the 3 s.
    import websocket

    close = websocket.WebSocket.close

    def quick(
        self, status: int = websocket.STATUS_NORMAL, reason: bytes = b"", timeout: float = 0.2
    ) -> None:
        close(self, status, reason, timeout)

    with mock.patch.object(websocket.WebSocket, "close", quick):
        yield


@pytest.fixture(autouse=True, scope="session")
def browser_clients():
    """Every app a test builds makes BrowserClients: its forms carry their CSRF token."""
    Application.test_client_class = BrowserClient
    yield
    Application.test_client_class = None


@pytest.fixture
def app_environment() -> dict[str, str]:
    """Return the settings an operator gives the app in its environment; a module may add."""
    return {}


@pytest.fixture(scope="session")
def empty_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a SQLite file with this release's schema and nothing in it, made once a run."""
    folder = tmp_path_factory.mktemp("empty")
    made = folder / "meeting.sqlite3"
    with mock.patch.dict(os.environ, {"MEETING_INSTANCE_PATH": str(folder / "instance")}):
        app = create_app(
            {
                "SECRET_KEY": "test-secret",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{made}",
                "ANNOUNCE_SETUP_CODE": False,
            }
        )
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return made


def copy_database(source: Path, to: Path) -> None:
    """Copy a SQLite database whole and consistent (its journal included), as SQLite does."""
    with contextlib.closing(sqlite3.connect(source)) as read:
        with contextlib.closing(sqlite3.connect(to)) as written:
            read.backup(written)


@pytest.fixture
def app(tmp_path, monkeypatch, app_environment, empty_database):
    monkeypatch.setenv("MEETING_INSTANCE_PATH", str(tmp_path / "instance"))
    for name, value in app_environment.items():
        monkeypatch.setenv(name, value)
    # A copy of a database made at this release's schema: the app finds it up to date, as
    # it finds its own once made, without making every table again for each test.
    copy_database(empty_database, tmp_path / "meeting.sqlite3")
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


@pytest.fixture(params=["sqlite", "postgresql"])
def any_app(request, tmp_path, monkeypatch):
    """The application on each database it supports."""
    monkeypatch.setenv("MEETING_INSTANCE_PATH", str(tmp_path / "instance"))
    if request.param == "sqlite":
        databases = iter([f"sqlite:///{tmp_path / 'meeting.sqlite3'}"])
    else:
        databases = postgres_database()
    settings = {"SECRET_KEY": "test-secret", "ANNOUNCE_SETUP_CODE": False}
    app = create_app({**settings, "SQLALCHEMY_DATABASE_URI": next(databases)})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    next(databases, None)


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

    def open_display(self, screen: FlaskClient) -> str:
        """Open the display link on a screen, as a browser does (the link's secret is kept in
        a cookie); return the display's own address, which the page then uses."""
        traded = screen.get(f"/display/{self.display_token}")
        assert traded.status_code == 303, traded.text
        return traded.headers["Location"]

    def join(
        self, name: str, agency: str, role: str = "Practitioner", part: str = "professional"
    ) -> FlaskClient:
        """A new device joins with the code; returns its client (waiting, not admitted)."""
        device = self.app.test_client()
        response = device.post(
            f"/join/{self.code}",
            data={"name": name, "role": role, "agency": agency, "part": part},
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

    def join_admitted(
        self, name: str, agency: str, role: str = "Practitioner", part: str = "professional"
    ) -> FlaskClient:
        device = self.join(name, agency, role, part)
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


@functools.cache
def password_hash() -> str:
    """Return PASSWORD hashed as the app hashes a chair's password, once for the whole run."""
    # scrypt at the app's cost takes a tenth of a second, and most tests make a chair or
    # two. Logging in still checks against the full cost, as for any account.
    from werkzeug.security import generate_password_hash

    return generate_password_hash(PASSWORD)


def make_chair(app, email="chair@example.org", name="Sam Chair", agency="Children's social care"):
    from meeting.chairs.accounts import create_chair

    with app.app_context():
        create_chair(db.session, name, email, password_hash(), agency)
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


@dataclass
class Snapshot:
    """A fixture's meeting as it stood when made: its database and each device's session."""

    database: Path
    meeting_id: int
    sessions: dict[str, str]


class Snapshots:
    """Fixtures made through the pages once a run (for each set of settings), then copied.

    Each test still has a database and devices of its own, in the state the fixture left
    them; only the requests that made them are not sent again.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.taken: dict[tuple, Snapshot] = {}

    def take(
        self, key: tuple, app: Application, meeting_id: int, devices: dict[str, FlaskClient]
    ) -> None:
        """Keep this app's database and the devices' sessions under `key`."""
        database = self.folder / f"{len(self.taken)}.sqlite3"
        copy_database(database_of(app), database)
        sessions = {name: session_of(app, device) for name, device in devices.items()}
        self.taken[key] = Snapshot(database, meeting_id, sessions)

    def restore(self, key: tuple, app: Application) -> tuple[int, dict[str, FlaskClient]] | None:
        """Put what was kept under `key` into this app; return its meeting and devices."""
        kept = self.taken.get(key)
        if kept is None:
            return None
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        copy_database(kept.database, database_of(app))
        devices: dict[str, FlaskClient] = {}
        for name, cookie in kept.sessions.items():
            devices[name] = app.test_client()
            devices[name].set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
        return kept.meeting_id, devices


def database_of(app: Application) -> Path:
    """Return the file of an app's SQLite database."""
    return Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))


def session_of(app: Application, client: FlaskClient) -> str:
    """Return a device's session cookie: the only cookie the app sets."""
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None, "the device has no session"
    return cookie.value


@pytest.fixture(scope="session")
def snapshots(tmp_path_factory: pytest.TempPathFactory) -> Snapshots:
    """Keep the fixtures made through the pages for the rest of the run."""
    return Snapshots(tmp_path_factory.mktemp("snapshots"))


@pytest.fixture
def people(app, app_environment, snapshots) -> People:
    """A logged-in chair with a three-item meeting in set-up."""
    key = ("people", *sorted(app_environment.items()))
    if restored := snapshots.restore(key, app):
        meeting_id, devices = restored
        return People(app, devices["chair"], meeting_id)
    make_chair(app)
    chair = log_in(app)
    meeting_id = make_meeting(chair, SAFETY_ITEM, LXS_ITEM, CHOICE_ITEM)
    snapshots.take(key, app, meeting_id, {"chair": chair})
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
    from meeting.circulation.delivery_views import sending

    results: dict[str, str] = {}

    def done() -> bool:
        with app.app_context():
            rows = db.session.scalars(select(Delivery).order_by(Delivery.id))
            results.clear()
            results.update({d.email: d.result for d in rows})
        return DeliveryResult.PENDING not in results.values() and not sending(app)

    until(done, within, lambda: f"still sending after {within} s: {results}")
    return results


def text_of(html: str) -> str:
    """Return the visible text of some HTML, whitespace folded, as a person reads it."""
    without_tags = re.sub(r"<script.*?</script>|<[^>]+>", " ", html, flags=re.S)
    import html as html_lib

    return " ".join(html_lib.unescape(without_tags).split())


ROOT = Path(__file__).resolve().parents[1]
# The production server's settings (docs/operating.md, Production).
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


REDIS = "redis://127.0.0.1:6379/0"


def shared_settings() -> Iterator[dict[str, str]]:
    """Yield the settings of processes sharing one Redis (under a prefix of their own) and
    one secret key, as a deployment's; delete the prefix's keys afterwards."""
    import redis

    prefix = f"meeting-test-{secrets.token_hex(4)}"
    try:
        yield {
            "MEETING_REDIS_URL": REDIS,
            "MEETING_REDIS_PREFIX": prefix,
            "MEETING_SECRET_KEY": secrets.token_hex(16),
            "MEETING_DATABASE_UPGRADES_ITSELF": "1",
        }
    finally:
        client = redis.Redis.from_url(REDIS)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
        client.close()


class LiveServer:
    """A real meeting server process (`python -m meeting`) on a loopback port.

    It can be stopped and started again on the same port and instance folder, as a
    server is restarted in the middle of a meeting. It keeps its data in SQLite in the
    instance folder, or in `database_url`. With `production`, it is docs/operating.md's
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
        # The same across restarts, as an operator's is.
        self.key = secrets.token_hex(32)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.setup_code = ""
        self.process = None
        self.output: threading.Thread | None = None
        # Everything the server has written (stdout and stderr), line by line.
        self.said: list[str] = []

    def start(self) -> None:
        env = {**os.environ, "MEETING_INSTANCE_PATH": str(self.folder / "instance")}
        env.pop("MEETING_DATABASE_URL", None)
        if self.database_url:
            env["MEETING_DATABASE_URL"] = self.database_url
            # Anywhere but the one-room default (SQLite) the operator must give the key.
            env["MEETING_SECRET_KEY"] = self.key
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
            # A process group of its own, so that stopping it ends gunicorn's workers too,
            # and Ctrl-C reaches pytest (which stops it in teardown), not the server mid-test.
            start_new_session=True,
        )
        try:
            running = threading.Event()
            # The server writes a line per request; read them all the time it runs, or a
            # full pipe would stop the server mid-request.
            self.output = threading.Thread(target=self._read, args=(running,), daemon=True)
            self.output.start()
            assert running.wait(30), "the server did not say it was running"
            until(self._answers, 30, "the server did not answer")
        except BaseException:
            # Not up (or the run was stopped meanwhile): no fixture will stop it, so now.
            self.stop()
            raise

    def _answers(self) -> bool:
        try:
            urllib.request.urlopen(self.url + "/login", timeout=1)
        except OSError:
            return False
        return True

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
        until(lambda: self.setup_code, 10, "the server printed no set-up code")
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
        self._signal(signal.SIGKILL)
        self.stop()

    def stop(self) -> None:
        self._signal(signal.SIGTERM)
        self._wait_stopped()

    def _wait_stopped(self) -> None:
        try:
            # gunicorn gives requests under way 5 s; on a loaded machine, more goes by.
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._signal(signal.SIGKILL)
            self.process.wait()
        # Whatever of its group is left (a worker whose master has gone) goes with it.
        self._signal(signal.SIGKILL)
        if self.output is not None:
            self.output.join(timeout=10)
        self.process.stdout.close()

    @contextlib.contextmanager
    def commands(self) -> Iterator[Application]:
        """Yield the application on this server's instance folder and database, as its
        `flask` commands see them, in this process (no start-up of its own)."""
        env = {"MEETING_INSTANCE_PATH": str(self.folder / "instance")}
        if self.database_url:
            env["MEETING_DATABASE_URL"] = self.database_url
        with mock.patch.dict(os.environ, env):
            if not self.database_url:
                os.environ.pop("MEETING_DATABASE_URL", None)
            app = create_app({"ANNOUNCE_SETUP_CODE": False})
        try:
            yield app
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()

    def _signal(self, number: int) -> None:
        """Send a signal to the server's whole process group (gunicorn: master and workers)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, number)


def stop_all(*servers: LiveServer) -> None:
    """Stop several servers at once: each one's time to finish what is under way overlaps."""
    # gunicorn waits up to its graceful timeout (5 s) for open connections, such as the
    # keep-alive ones a test's sessions hold; one after another, those waits add up.
    for server in servers:
        server._signal(signal.SIGTERM)
    for server in servers:
        server._wait_stopped()


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
