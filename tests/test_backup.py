"""Backups, against the real server: what a clean stop leaves, a backup taken during a live
meeting, and a restore into a fresh instance that checks every meeting.

Every command is run as an operator runs it (`flask --app meeting ...` in a process of its
own, with the server's settings), on SQLite and on PostgreSQL, while the real server
(`python -m meeting`, or gunicorn as docs/operating.md starts it) serves.
"""

import contextlib
import os
import re
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import (
    PASSWORD,
    BrowserSession,
    LiveServer,
    free_port,
    postgres_database,
)
from room import STARTS_AT
from sqlalchemy import create_engine, select

from meeting.backups.copies import libpq
from meeting.models import Base

ROOT = Path(__file__).resolve().parents[1]
ENGINES = ["sqlite", "postgresql"]
ITEM = {"body": "Rate it.", "scale": "safety"}
PEOPLE = 4
# Seconds between one person's changes of rating while the backup is taken.
PAUSE = 0.1
BACKED_UP = re.compile(r"^Backed up (\d+) meetings? \((\d+(?:\.\d)? (?:bytes|KB|MB))\) to (.+)\.$")


def flask(folder: Path, database_url: str | None, *args: str) -> subprocess.CompletedProcess:
    """Run `flask --app meeting ARGS` as an operator does, with a server's settings, under
    umask 000 (so a file it makes private is private because it was made so)."""
    env = {**os.environ, "MEETING_INSTANCE_PATH": str(folder / "instance")}
    env.pop("MEETING_DATABASE_URL", None)
    env.pop("MEETING_REDIS_URL", None)
    if database_url:
        env["MEETING_DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "meeting", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        preexec_fn=lambda: os.umask(0),
    )


def said(ran: subprocess.CompletedProcess) -> list[str]:
    """Return what a command said (stdout and stderr), line by line, set-up codes aside."""
    lines = (ran.stdout + ran.stderr).splitlines()
    return [line for line in lines if not line.startswith("No chair account yet")]


class LiveMeeting:
    """A running meeting on a real server: its chair and PEOPLE admitted attendees."""

    def __init__(self, base: str, chair: BrowserSession, title: str):
        self.base, self.chair = base, chair
        details = {"title": title, "kind": "other", "child": "A.B.", "starts_at": STARTS_AT}
        made = chair.post(base + "/meetings/new", data=details, allow_redirects=False)
        self.id = int(re.search(r"/meetings/(\d+)", made.headers["Location"]).group(1))
        self.path = f"{base}/meetings/{self.id}"
        for n in (1, 2):
            assert chair.post(self.path + "/items", data={**ITEM, "title": f"Item {n}"}).ok
        page = chair.get(self.path).text
        self.item_ids = re.findall(rf"/meetings/{self.id}/items/(\d+)\"", page)
        code = re.search(r'class="join-code"[^>]*>([\w-]+)<', page).group(1)
        self.people: dict[str, BrowserSession] = {}
        for n in range(PEOPLE):
            device = BrowserSession()
            details = {
                "name": f"Person {n + 1}",
                "role": "Practitioner",
                "agency": f"Agency {n + 1}",
                "part": "professional",
            }
            assert device.post(f"{base}/join/{code}", data=details).ok
            self.people[details["name"]] = device
        for attendee in re.findall(r"/people/(\d+)/admit", chair.get(self.path).text):
            assert chair.post(f"{self.path}/people/{attendee}/admit").ok
        assert chair.post(self.path + "/start").ok

    def open_round(self) -> int:
        page = self.chair.get(self.path).text
        item_id = re.search(r"/items/(\d+)/rounds\"", page).group(1)
        number = re.search(r'name="number" value="(\d+)"', page).group(1)
        opened = self.chair.post(f"{self.path}/items/{item_id}/rounds", data={"number": number})
        return int(re.search(r"/rounds/(\d+)/reveal", opened.text).group(1))

    def rate(self, name: str, round_id: int, score: int, reason: str) -> int:
        answer = self.people[name].post(
            f"{self.base}/m/{self.id}/rounds/{round_id}/rating",
            data={"score": str(score), "reason": reason},
            allow_redirects=False,
        )
        return answer.status_code

    def reveal(self, round_id: int) -> None:
        assert self.chair.post(f"{self.path}/rounds/{round_id}/reveal").ok

    def move_to(self, position: int) -> None:
        item_id = self.item_ids[position - 1]
        assert self.chair.post(self.path + "/current", data={"item_id": item_id}).ok

    def record(self) -> dict:
        return self.chair.get(self.path + "/record.json").json()


class Storm:
    """Everyone changing their rating, over and over (PAUSE apart), until stopped; each
    change the server acknowledged is kept, in order, per person."""

    def __init__(self, meeting: LiveMeeting, round_id: int):
        self.meeting, self.round_id = meeting, round_id
        self.acknowledged: dict[str, list[str]] = {name: [] for name in meeting.people}
        self.statuses: list[int] = []
        self.stopping = threading.Event()
        self.threads = [
            threading.Thread(target=self._rate, args=(name,)) for name in meeting.people
        ]

    def _rate(self, name: str) -> None:
        change = 0
        while not self.stopping.is_set():
            change += 1
            reason = f"{name}, change {change}"
            status = self.meeting.rate(name, self.round_id, change % 11, reason)
            self.statuses.append(status)
            if status != 302:
                return
            self.acknowledged[name].append(reason)
            # A few changes a second each: writes go on throughout, and the log stays short
            # enough to check whole.
            self.stopping.wait(PAUSE)

    def __enter__(self) -> "Storm":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join()

    def counts(self) -> dict[str, int]:
        return {name: len(changes) for name, changes in self.acknowledged.items()}


def database_url(engine: str, databases: Iterator[str]) -> str | None:
    return None if engine == "sqlite" else next(databases)


def rows(url: str) -> dict[str, list[tuple]]:
    """Return every row of every table of the meeting's schema, in a stable order."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table.name: [
                    tuple(row)
                    for row in connection.execute(
                        select(table).order_by(*table.primary_key.columns)
                    )
                ]
                for table in Base.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def url_of(server: LiveServer) -> str:
    return server.database_url or f"sqlite:///{server.folder / 'instance' / 'meeting.sqlite3'}"


def events(url: str, meeting_id: int) -> list[tuple]:
    """Return a meeting's log as the database holds it: each line's number, words and hash."""
    return [row[2:] for row in _events(url, meeting_id)]


def _events(url: str, meeting_id: int) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            table = Base.metadata.tables["event"]
            query = select(
                table.c.id, table.c.meeting_id, table.c.seq, table.c.action, table.c.hash
            )
            query = query.where(table.c.meeting_id == meeting_id).order_by(table.c.seq)
            return [tuple(row) for row in connection.execute(query)]
    finally:
        engine.dispose()


def ratings(url: str, round_id: int) -> dict[str, str]:
    """Return each person's rating reason in a round, as the database holds it."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rating = Base.metadata.tables["rating"]
            attendee = Base.metadata.tables["attendee"]
            query = (
                select(attendee.c.name, rating.c.reason)
                .join(attendee, rating.c.attendee_id == attendee.c.id)
                .where(rating.c.round_id == round_id)
            )
            return {name: reason for name, reason in connection.execute(query)}
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("production", "stop"),
    [(False, signal.SIGTERM), (False, signal.SIGINT), (True, signal.SIGTERM)],
    ids=["python -m meeting, SIGTERM", "python -m meeting, Ctrl-C", "gunicorn, SIGTERM"],
)
def test_after_a_clean_stop_the_database_file_alone_holds_everything(tmp_path, production, stop):
    """Stopped cleanly, a server leaves its whole record in meeting.sqlite3: the file copied
    alone, as a newcomer backs it up, opens with the meeting in it."""
    server = LiveServer(tmp_path, production=production)
    server.start()
    try:
        chair = server.first_chair()
        # The chair's connection stays open through the stop, as a screen's would: gunicorn's
        # worker is then ended by its master rather than leaving by itself.
        meeting = LiveMeeting(server.url, chair, "Kept on a clean stop")
        round_id = meeting.open_round()
        for n, name in enumerate(meeting.people):
            assert meeting.rate(name, round_id, n, f"{name} rated") == 302
        meeting.reveal(round_id)
    finally:
        server._signal(stop)
        server._wait_stopped()
    instance = tmp_path / "instance"
    log = instance / "meeting.sqlite3-wal"
    assert not log.exists() or log.stat().st_size == 0, (
        f"{log.stat().st_size} bytes left in the write-ahead log after a clean stop"
    )
    alone = tmp_path / "copied" / "meeting.sqlite3"
    alone.parent.mkdir()
    shutil.copyfile(instance / "meeting.sqlite3", alone)
    with contextlib.closing(sqlite3.connect(alone)) as copy:
        titles = [row[0] for row in copy.execute("SELECT title FROM meeting")]
        rated = copy.execute("SELECT count(*) FROM rating").fetchone()[0]
    assert titles == ["Kept on a clean stop"]
    assert rated == PEOPLE


@pytest.mark.parametrize("engine", ENGINES)
def test_a_backup_taken_during_a_live_meeting_restores_whole_and_verifies(tmp_path, engine):
    """While everyone keeps changing their rating, a backup is the database at one moment:
    restored into a fresh instance, its log is the source's up to that moment and every
    meeting verifies. Taken again once writes stop, the restored copy equals the source,
    row for row, and serves the same record."""
    databases = postgres_database() if engine == "postgresql" else iter(())
    restores = postgres_database() if engine == "postgresql" else iter(())
    source = LiveServer(tmp_path / "source", database_url(engine, databases))
    restored: LiveServer | None = None
    (tmp_path / "source").mkdir()
    backups = tmp_path / "backups"
    backups.mkdir()
    source.start()
    try:
        chair = source.first_chair()
        meeting = LiveMeeting(source.url, chair, "Backed up while it ran")
        first = meeting.open_round()
        for n, name in enumerate(meeting.people):
            assert meeting.rate(name, first, n + 3, f"{name} on item 1") == 302
        meeting.reveal(first)
        meeting.move_to(2)
        second = meeting.open_round()

        with Storm(meeting, second) as storm:
            # In the thick of it: everyone has changed their rating a few times already.
            while min(storm.counts().values()) < 3:
                threading.Event().wait(0.02)
            before = storm.counts()
            logged_before = len(events(url_of(source), meeting.id))
            during = flask(source.folder, source.database_url, "backup", str(backups))
            after = storm.counts()
        assert during.returncode == 0, said(during)
        assert set(storm.statuses) == {302}, "a rating was refused during the backup"
        assert min(after[name] - before[name] for name in after) > 0, (
            "nobody's rating changed while the backup ran: it was not taken during writes"
        )
        assert len(said(during)) == 1, said(during)
        found = BACKED_UP.match(said(during)[0])
        assert found, said(during)
        assert found.group(1) == "1"
        taken = Path(found.group(3))
        assert taken.parent == backups
        assert stat.S_IMODE(taken.stat().st_mode) == 0o600
        assert sorted(p.name for p in backups.iterdir()) == [taken.name], "a part left behind"

        fresh = tmp_path / "fresh"
        fresh.mkdir()
        fresh_url = database_url(engine, restores)
        back = flask(fresh, fresh_url, "restore", str(taken))
        assert back.returncode == 0, said(back)
        assert said(back)[0] == f"Restored 1 meeting and 1 chair account from {taken}."
        assert said(back)[-1] == "Every meeting's record matches its log."
        fresh_database = fresh_url or f"sqlite:///{fresh / 'instance' / 'meeting.sqlite3'}"
        checked = flask(fresh, fresh_url, "verify", str(meeting.id))
        assert checked.returncode == 0, said(checked)
        assert "The log is intact and the record matches it." in said(checked)

        # The copy is the source at one moment: its log is the source's, line for line and
        # hash for hash, up to a line written while the backup ran; each person's rating
        # is one they were told was saved, between the backup's start and its end.
        copied = events(fresh_database, meeting.id)
        kept = events(url_of(source), meeting.id)
        assert logged_before <= len(copied) <= len(kept)
        assert copied == kept[: len(copied)]
        for name, reason in ratings(fresh_database, second).items():
            changes = storm.acknowledged[name]
            assert reason in changes[before[name] - 1 : after[name]], (name, reason)

        # Writes over: a backup now is the source exactly, restored over the first copy.
        meeting.reveal(second)
        record = meeting.record()
        quiet = backups / "quiet.backup"
        again = flask(source.folder, source.database_url, "backup", str(quiet))
        assert again.returncode == 0, said(again)
        refused = flask(fresh, fresh_url, "restore", str(quiet))
        assert refused.returncode == 1
        assert said(refused) == [
            "Nothing was restored: the database already holds 1 meeting and 1 chair account, "
            "which restoring would replace. Give --force to replace them."
        ]
        assert events(fresh_database, meeting.id) == copied, "a refused restore changed it"
        forced = flask(fresh, fresh_url, "restore", "--force", str(quiet))
        assert forced.returncode == 0, said(forced)
        assert rows(fresh_database) == rows(url_of(source))

        restored = LiveServer(fresh, fresh_url)
        restored.start()
        reader = BrowserSession()
        signed_in = {"email": "sam@example.org", "password": PASSWORD}
        assert reader.post(restored.url + "/login", data=signed_in).ok
        assert reader.get(f"{restored.url}/meetings/{meeting.id}/record.json").json() == record
    finally:
        if restored is not None and restored.process is not None:
            restored.stop()
        source.stop()
        next(databases, None)
        next(restores, None)


def test_a_backup_refuses_to_overwrite_and_each_failure_is_one_line(tmp_path):
    """An existing file is kept unless --force, and the database itself always; a missing
    folder, a file that is not a backup and an unreachable database each get one line,
    never a traceback."""
    server = LiveServer(tmp_path)
    server.start()
    try:
        server.first_chair()
    finally:
        server.stop()
    target = tmp_path / "nightly.sqlite3"
    target.write_text("yesterday's")
    kept = flask(tmp_path, None, "backup", str(target))
    assert kept.returncode == 1
    assert said(kept) == [
        f"Nothing was backed up: {target} already exists. Give another name, or --force to "
        "replace it."
    ]
    assert target.read_text() == "yesterday's"
    replaced = flask(tmp_path, None, "backup", "--force", str(target))
    assert replaced.returncode == 0, said(replaced)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    with contextlib.closing(sqlite3.connect(target)) as copy:
        assert copy.execute("SELECT count(*) FROM chair").fetchone()[0] == 1
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []

    database = tmp_path / "instance" / "meeting.sqlite3"
    itself = flask(tmp_path, None, "backup", "--force", str(database))
    assert itself.returncode == 1
    assert said(itself) == [f"Nothing was backed up: {database} is the database itself."]

    nowhere = flask(tmp_path, None, "backup", str(tmp_path / "no" / "such" / "file"))
    assert nowhere.returncode == 1
    assert said(nowhere) == [f"Nothing was backed up: there is no folder {tmp_path}/no/such."]

    other = tmp_path / "other"
    other.mkdir()
    not_a_backup = flask(other, None, "restore", str(tmp_path / "instance" / "secret_key"))
    assert not_a_backup.returncode == 1
    assert len(said(not_a_backup)) == 1, said(not_a_backup)
    assert said(not_a_backup)[0].startswith("Nothing was restored: ")

    unreachable = "postgresql+psycopg://meeting:sesame@127.0.0.1:9/meeting"
    for command in ("backup", "restore"):
        failed = flask(other, unreachable, command, str(target))
        assert failed.returncode == 1
        assert "Traceback" not in failed.stderr
        assert len(said(failed)) == 1, said(failed)
        assert "sesame" not in failed.stderr + failed.stdout


def test_pg_dump_is_given_the_password_in_its_environment_never_on_its_command_line():
    """The address PostgreSQL's programs are given is the server's own, without the
    password; the password goes in PGPASSWORD, which no process list shows."""
    address, environment = libpq(
        "postgresql+psycopg://meeting:s%40same@db.example.org:5433/meeting?sslmode=require"
    )
    assert address == "postgresql://meeting@db.example.org:5433/meeting?sslmode=require"
    assert environment["PGPASSWORD"] == "s@same"


def test_a_server_whose_database_cannot_be_reached_says_so_in_one_line(tmp_path):
    """Started on a PostgreSQL that does not answer, the server stops with one line naming
    the database (its password hidden), not a traceback."""
    env = {**os.environ, "MEETING_INSTANCE_PATH": str(tmp_path / "instance")}
    env["MEETING_DATABASE_URL"] = "postgresql+psycopg://meeting:sesame@127.0.0.1:9/meeting"
    env.pop("MEETING_REDIS_URL", None)
    refused = subprocess.run(
        [sys.executable, "-m", "meeting", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 1
    assert "Traceback" not in refused.stderr
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(
        "Not starting: the database at postgresql+psycopg://meeting:***@127.0.0.1:9/meeting "
        "cannot be used ("
    )


def test_the_database_found_as_gunicorn_ends_is_the_one_the_server_uses(tmp_path, monkeypatch):
    """What gunicorn's master empties the log of, as it ends, is the database the server
    was built on: the default in the instance folder, or the one its config.py names."""
    from meeting import create_app
    from meeting.extensions import db
    from meeting.instance import configured_database

    monkeypatch.setenv("MEETING_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("MEETING_DATABASE_URL", raising=False)
    for config in ("", f"SQLALCHEMY_DATABASE_URI = 'sqlite:///{tmp_path / 'elsewhere.db'}'\n"):
        (tmp_path / "instance").mkdir(exist_ok=True)
        (tmp_path / "instance" / "config.py").write_text(config)
        app = create_app({"ANNOUNCE_SETUP_CODE": False})
        with app.app_context():
            db.engine.dispose()
        assert configured_database() == app.config["SQLALCHEMY_DATABASE_URI"]
    assert configured_database() == f"sqlite:///{tmp_path / 'elsewhere.db'}"
