"""Starting safely: the database made or upgraded once, and a server that cannot serve says so.

Every server here is a real process (`python -m meeting`, or gunicorn as docs/operating.md's
production command starts it), started as an operator would, on SQLite and on PostgreSQL.
"""

import os
import re
import secrets
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import requests
import socketio
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from conftest import (
    GUNICORN_CONFIG,
    PASSWORD,
    SAFETY_ITEM,
    BrowserSession,
    LiveServer,
    free_port,
    log_in,
    make_chair,
    make_meeting,
    until,
)
from conftest import postgres_database as new_postgres_database
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

import meeting
from meeting import create_app
from meeting.database import BASELINE, MIGRATIONS, head
from meeting.extensions import db
from meeting.models import Base

ROOT = Path(__file__).resolve().parents[1]
ENGINES = ["sqlite", "postgresql"]


def database(engine: str, folder: Path):
    """An empty database of this engine: its URL, and a way to drop it when done."""
    if engine == "sqlite":
        return iter([f"sqlite:///{folder / 'meeting.sqlite3'}"])
    return new_postgres_database()


def environment(folder: Path, url: str, **extra: str) -> dict[str, str]:
    env = {**os.environ, "MEETING_INSTANCE_PATH": str(folder / "instance")}
    # Anywhere but the one-room default (SQLite) the operator must give the key.
    env["MEETING_SECRET_KEY"] = secrets.token_hex(32)
    env.pop("MEETING_REDIS_URL", None)
    return env | {"MEETING_DATABASE_URL": url} | extra


def start_and_fail(env: dict[str, str]) -> subprocess.CompletedProcess:
    """Start the embedded server where it must refuse; return how it ended."""
    port = str(free_port())
    return subprocess.run(
        [sys.executable, "-m", "meeting", "--port", port],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def app_on(url: str, folder: Path):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": url,
            "ANNOUNCE_SETUP_CODE": False,
        }
    )


def previous_release(url: str, folder: Path, monkeypatch) -> dict:
    """Hold a meeting on this database, then take it back to the release before migrations.

    Returns the meeting's record as the chair downloaded it.
    """
    monkeypatch.setenv("MEETING_INSTANCE_PATH", str(folder / "made-by"))
    app = app_on(url, folder)
    make_chair(app)
    chair = log_in(app)
    meeting_id = make_meeting(chair, SAFETY_ITEM, title="Kept across the upgrade")
    assert chair.post(f"/meetings/{meeting_id}/start").status_code == 302
    record = chair.get(f"/meetings/{meeting_id}/record.json").get_json()
    with app.app_context():
        downgrade(directory=str(MIGRATIONS), revision=BASELINE)
        with db.engine.begin() as connection:
            # The release before migrations kept no record of its schema's revision.
            connection.execute(text("DROP TABLE alembic_version"))
        assert "form_token" not in inspect(db.engine).get_table_names()
        db.session.remove()
        db.engine.dispose()
    return record | {"id": meeting_id}


def log_in_over_http(server: LiveServer) -> BrowserSession:
    session = BrowserSession()
    fields = {"email": "chair@example.org", "password": PASSWORD}
    answer = session.post(server.url + "/login", data=fields, allow_redirects=False)
    assert answer.status_code == 302
    return session


@pytest.mark.parametrize("engine", ENGINES)
def test_a_database_from_the_previous_release_upgrades_and_keeps_its_meetings(
    engine, tmp_path, monkeypatch
):
    databases = database(engine, tmp_path)
    url = next(databases)
    before = previous_release(url, tmp_path, monkeypatch)
    env = environment(tmp_path, url)
    if engine == "postgresql":
        # A shared database is upgraded on purpose: the server says what to run, and stops.
        refused = start_and_fail(env)
        assert refused.returncode == 1
        said = refused.stderr.strip().splitlines()
        assert said[-1].startswith("Not starting: The database is at migration 0001"), said
        assert "flask --app meeting db upgrade" in said[-1]
        assert "Traceback" not in refused.stderr
        upgraded = subprocess.run(
            ["flask", "--app", "meeting", "db", "upgrade"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp_path,
        )
        assert upgraded.returncode == 0, upgraded.stderr
    server = LiveServer(tmp_path, url)
    server.start()
    try:
        chair = log_in_over_http(server)
        after = chair.get(f"{server.url}/meetings/{before['id']}/record.json").json()
        assert after["meeting"] == before["meeting"]
        assert after["items"] == before["items"]
        assert after["events"][: len(before["events"])] == before["events"]
        assert requests.get(server.url + "/healthz").json()["database"] == "ok"
    finally:
        server.stop()
    check = create_engine(url)
    with check.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head()
    check.dispose()
    next(databases, None)


def test_a_database_newer_than_the_release_is_not_touched(tmp_path):
    url = f"sqlite:///{tmp_path / 'meeting.sqlite3'}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
        connection.execute(text("INSERT INTO alembic_version VALUES ('9999')"))
    engine.dispose()
    refused = start_and_fail(environment(tmp_path, url))
    assert refused.returncode == 1
    assert "newer than this release knows" in refused.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("engine", ENGINES)
def test_the_migrations_make_the_schema_the_models_declare(engine, tmp_path, monkeypatch):
    """A database built migration by migration is the one a fresh start makes."""
    monkeypatch.setenv("MEETING_INSTANCE_PATH", str(tmp_path / "instance"))
    built = database(engine, tmp_path / "built")
    (tmp_path / "built").mkdir()
    fresh = database(engine, tmp_path)
    migrated_url, fresh_url = next(built), next(fresh)
    app = app_on(migrated_url, tmp_path)
    with app.app_context():
        downgrade(directory=str(MIGRATIONS), revision="base")
        assert inspect(db.engine).get_table_names() == ["alembic_version"]
        upgrade(directory=str(MIGRATIONS))
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
        migrated = _constraints(db.engine)
        db.session.remove()
        db.engine.dispose()
    app = app_on(fresh_url, tmp_path)
    with app.app_context():
        assert _constraints(db.engine) == migrated
        db.engine.dispose()
    next(built, None)
    next(fresh, None)


def _constraints(engine) -> dict[str, list]:
    """Every table's columns, keys, indexes and CHECK constraints, as the database has them."""
    found = inspect(engine)
    shape: dict[str, list] = {}
    for table in sorted(found.get_table_names()):
        shape[table] = [
            sorted((c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(table)),
            sorted(str(c["sqltext"]) for c in found.get_check_constraints(table)),
            sorted((i["name"], tuple(i["column_names"])) for i in found.get_indexes(table)),
            sorted(tuple(u["column_names"]) for u in found.get_unique_constraints(table)),
            sorted(
                (tuple(f["constrained_columns"]), f["referred_table"])
                for f in found.get_foreign_keys(table)
            ),
        ]
    return shape


def test_a_read_only_instance_folder_stops_the_start(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    env = environment(tmp_path, f"sqlite:///{instance / 'meeting.sqlite3'}")
    # Permissions do not stop root; the immutable attribute stops everyone.
    root = os.geteuid() == 0
    if root:
        subprocess.run(["chattr", "+i", str(instance)], check=True)
    else:
        instance.chmod(0o555)
    try:
        ran = start_and_fail(env)
    finally:
        subprocess.run(["chattr", "-i", str(instance)] if root else ["true"])
    assert ran.returncode == 1, ran.stdout + ran.stderr
    last = ran.stderr.strip().splitlines()[-1]
    assert last.startswith(f"The instance folder {instance} cannot be written to"), last
    assert "Traceback" not in ran.stderr


def test_an_unreachable_redis_stops_the_start_and_a_reachable_one_is_reported(tmp_path):
    url = f"sqlite:///{tmp_path / 'meeting.sqlite3'}"
    dead = f"redis://:secret@127.0.0.1:{free_port()}/0"
    ran = start_and_fail(environment(tmp_path, url, MEETING_REDIS_URL=dead))
    assert ran.returncode == 1
    last = ran.stderr.strip().splitlines()[-1]
    assert last.startswith("Not starting: Redis at redis://:***@127.0.0.1:"), last
    assert "secret" not in ran.stderr + ran.stdout
    assert "Check MEETING_REDIS_URL" in last

    server = LiveServer(tmp_path, url)
    os.environ["MEETING_REDIS_URL"] = "redis://127.0.0.1:6379/0"
    try:
        server.start()
    except AssertionError:
        if os.environ.get("CI"):
            raise
        pytest.skip("needs Redis at 127.0.0.1:6379")
    finally:
        del os.environ["MEETING_REDIS_URL"]
    try:
        health = requests.get(server.url + "/healthz")
        assert health.status_code == 200
        assert health.json() == {
            "status": "ok",
            "database": "ok",
            "redis": "ok",
            "version": meeting.__version__,
        }
        assert health.headers["Cache-Control"] == "no-store"
    finally:
        server.stop()


def test_healthz_says_when_the_database_has_gone(tmp_path):
    databases = new_postgres_database()
    url = next(databases)
    server = LiveServer(tmp_path, url)
    server.start()
    try:
        assert requests.get(server.url + "/healthz").json()["database"] == "ok"
        admin = create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE {url.rsplit('/', 1)[1]} WITH (FORCE)"))
        admin.dispose()
        health = requests.get(server.url + "/healthz")
        assert health.status_code == 503
        assert health.json()["status"] == "failing"
        assert health.json()["database"].startswith("unreachable")
    finally:
        server.stop()
        next(databases, None)


def gunicorn(folder: Path, url: str) -> tuple[subprocess.Popen, str]:
    """The production server as docs/operating.md starts it (gevent), with two workers."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONFIG), "--workers", "2"]
        + ["--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT), "wsgi:app"],
        env=environment(folder, url),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return process, f"http://127.0.0.1:{port}"


@pytest.mark.parametrize("engine", ENGINES)
def test_two_workers_start_on_a_fresh_database_every_time(engine, tmp_path):
    """Ten fresh starts of gunicorn with two workers on each engine: all clean."""
    # Each start is stopped at once and waited for at the end: a graceful stop is seconds
    # of gunicorn waiting, which the next start overlaps.
    started: list[tuple[subprocess.Popen, list[str], Iterator[str]]] = []
    try:
        for attempt in range(10):
            folder = tmp_path / str(attempt)
            folder.mkdir()
            databases = database(engine, folder)
            process, url = gunicorn(folder, next(databases))
            said: list[str] = []
            started.append((process, said, databases))
            try:
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    try:
                        if requests.get(url + "/healthz", timeout=5).ok:
                            break
                    except requests.RequestException:
                        time.sleep(0.1)
                # Each worker announces the set-up code once its application is built.
                codes: list[str] = []
                while len(codes) < 2 and time.monotonic() < deadline:
                    line = process.stdout.readline()
                    said.append(line)
                    codes += re.findall(r"first chair: (\w+)", line)
                assert len(codes) == 2, "".join(said)
                assert codes[0] == codes[1], "both workers give the same set-up code"
                assert process.poll() is None, "".join(said)
                assert requests.get(url + "/healthz", timeout=5).json()["database"] == "ok"
            finally:
                process.terminate()
    finally:
        for process, said, databases in started:
            rest, _ = process.communicate(timeout=30)
            said.append(rest)
            next(databases, None)
    for _process, said, _databases in started:
        output = "".join(said)
        assert "Traceback" not in output and "exited with code" not in output, output


def test_gunicorn_that_cannot_start_stops_altogether_saying_why(tmp_path):
    """A database behind the code: both workers say why and the whole server stops with
    status 3, for systemd and nginx to see, rather than start its workers again and again."""
    databases = new_postgres_database()
    url = next(databases)
    try:
        behind = create_engine(url)
        with behind.begin() as connection:
            connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
            connection.execute(text(f"INSERT INTO alembic_version VALUES ('{BASELINE}')"))
        behind.dispose()
        process, _url = gunicorn(tmp_path, url)
        started = time.monotonic()
        try:
            output, _ = process.communicate(timeout=90)
        finally:
            process.kill()
        took = time.monotonic() - started
    finally:
        next(databases, None)
    assert process.returncode == 3, output
    said = output.splitlines()
    why = [line for line in said if line.startswith("Not starting:")]
    assert why, output
    assert all(line.startswith("Not starting: The database is at migration 0001") for line in why)
    assert len(why) <= 2, "each of the two workers tried once, and none again"
    assert output.count("Booting worker") <= 2, output
    assert "Worker failed to boot" in output
    assert "Traceback" not in output
    assert took < 60, took


def a_meeting(server: LiveServer) -> tuple[BrowserSession, str, str]:
    """The first chair and a meeting with one item: the chair, its page, its display token."""
    chair = server.first_chair()
    starts = (datetime.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    details = {"title": "Screens", "kind": "other", "child": "A.B.", "starts_at": starts}
    made = chair.post(server.url + "/meetings/new", data=details, allow_redirects=False)
    page = server.url + made.headers["Location"]
    assert chair.post(page + "/items", data=SAFETY_ITEM).ok
    token = re.search(r"/display/([\w-]+)", chair.get(page).text).group(1)
    return chair, page, token


def test_the_production_server_holds_more_screens_than_it_once_had_threads(tmp_path):
    """150 live screens on gunicorn as docs/operating.md starts it, where 100 once took every
    thread: all get in, pages and /healthz still answer at once, and a change reaches all."""
    server = LiveServer(tmp_path, production=True)
    server.start()
    screens: list[socketio.Client] = []
    try:
        chair, page, token = a_meeting(server)
        heard: list[float] = []
        for _ in range(150):
            screen = socketio.Client(reconnection=False)
            screen.on("changed", lambda _message: heard.append(time.monotonic()))
            screens.append(screen)

        def connect(screen: socketio.Client) -> bool:
            screen.connect(
                server.url, auth={"display": token}, transports=["websocket"], wait_timeout=10
            )
            return screen.connected

        with ThreadPoolExecutor(16) as pool:
            assert all(pool.map(connect, screens))
        http = requests.Session()
        for path in ("/healthz", f"/display/{token}", "/login"):
            started = time.monotonic()
            assert http.get(server.url + path, timeout=5).ok
            assert time.monotonic() - started < 2, path
        rung = time.monotonic()
        assert chair.post(page + "/start", timeout=5).ok
        told = lambda: f"{len(heard)} of {len(screens)} screens heard it"  # noqa: E731
        until(lambda: len(heard) >= len(screens), rung + 10 - time.monotonic(), told)
        assert len(heard) == len(screens), told()
    finally:
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(lambda s: s.disconnect() if s.connected else None, screens))
        server.stop()
    output = "".join(server.said)
    assert "Traceback" not in output, output


def test_on_sqlite_the_production_server_waits_for_another_process_writing(tmp_path):
    """gevent leaves SQLite's busy timeout working: a change made while another process
    (a `flask` command, say) holds the database's write lock waits for it, then is saved."""
    server = LiveServer(tmp_path, production=True)
    server.start()
    try:
        chair, page, _token = a_meeting(server)
        other = sqlite3.connect(
            tmp_path / "instance" / "meeting.sqlite3", timeout=15, check_same_thread=False
        )
        other.execute("BEGIN IMMEDIATE")
        released = threading.Timer(1.5, other.commit)
        started = time.monotonic()
        released.start()
        try:
            answer = chair.post(page + "/start", allow_redirects=False, timeout=30)
        finally:
            released.join()
            other.close()
        assert answer.status_code == 302, answer.text
        assert time.monotonic() - started >= 1.4, "it did not wait for the other writer"
        record = chair.get(page + "/record.json").json()
        assert record["meeting"]["status"] == "running"
        assert [e["what"] for e in record["events"]][-1] == "started the meeting"
        assert requests.get(server.url + "/healthz", timeout=5).json()["database"] == "ok"
    finally:
        server.stop()


def test_a_process_whose_database_connections_are_all_in_use_says_try_again(tmp_path):
    """Every connection of the pool held elsewhere: the chair's page answers 503 in plain
    words once its wait is up, not a stack trace; free again, it answers as ever."""
    url = f"sqlite:///{tmp_path / 'meeting.sqlite3'}"
    app = create_app(
        {
            "TESTING": False,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": url,
            "ANNOUNCE_SETUP_CODE": False,
            "DATABASE_POOL_SIZE": 1,
            "DATABASE_POOL_OVERFLOW": 0,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_timeout": 0.5},
        }
    )
    make_chair(app)
    chair = log_in(app)
    try:
        with app.app_context():
            held = db.engine.connect()
            try:
                answer = chair.get("/meetings/")
            finally:
                held.close()
            assert answer.status_code == 503
            assert "very busy" in answer.text and "Try again" in answer.text
            assert "Traceback" not in answer.text
            assert chair.get("/meetings/").status_code == 200
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
