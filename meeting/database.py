"""The database at start-up: made, recognised or upgraded once, by one process at a time.

Every process that builds the application (each gunicorn worker, a `flask` command, the
embedded server) comes through `prepare`, holding a lock while it looks: on PostgreSQL an
advisory lock, on SQLite a lock file in the instance folder. The first makes the tables
of a fresh database and records it at the newest migration; the others find it done.

Migrations are Alembic's, in `migrations/`, run by Flask-Migrate (`flask --app meeting db
upgrade`). The embedded default (SQLite) upgrades itself when it starts; a shared database
is upgraded only by that command, and a server whose database is behind refuses to start.
"""

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import Flask
from flask_migrate import stamp, upgrade
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from .chairs import accounts
from .extensions import db
from .readers import shown

MIGRATIONS = Path(__file__).parent / "migrations"
# The schema of the release before migrations: a database made by it has the tables and
# no record of a revision, and is recorded at this one before it is upgraded.
BASELINE = "0001"
UPGRADE_COMMAND = "flask --app meeting db upgrade"
# What to check when the database refuses or does not answer, by what it said.
SOCKET_URL = "postgresql+psycopg://meeting@/meeting?host=/var/run/postgresql"
ADVICE = (
    (
        ("password authentication failed", "no password supplied"),
        "give the database user's password in MEETING_DATABASE_URL (user:password@host), or "
        f"connect through the local socket as the user of the same name: {SOCKET_URL}",
    ),
    (
        ("peer authentication failed", "ident authentication failed"),
        "run the server as the system user of the same name as the database user, or give "
        "a password in MEETING_DATABASE_URL and connect to 127.0.0.1",
    ),
    (
        ("does not exist",),
        "create it (docs/operating.md, Deploying: createuser, createdb) or correct "
        "MEETING_DATABASE_URL",
    ),
    (
        ("pg_hba.conf",),
        "let this user in to this database in PostgreSQL's pg_hba.conf, or correct "
        "MEETING_DATABASE_URL",
    ),
)
# Any fixed number: every process of every release asks PostgreSQL for the same lock.
LOCK_KEY = 7_350_221


def head() -> str:
    """Return the newest migration this release knows."""
    newest = ScriptDirectory.from_config(_config()).get_current_head()
    assert newest is not None
    return newest


def revision(engine: Engine) -> str | None:
    """Return the migration the database is recorded at (None: not recorded)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def prepare(app: Flask) -> str | None:
    """Bring the database to this release's schema where allowed; return why not, or None.

    Call within the application context, with Flask-Migrate set up on the app.
    """
    with _only_one(app):
        engine = db.engine
        found = revision(engine)
        newest = head()
        if found is None:
            if not inspect(engine).get_table_names():
                db.create_all()
                stamp(directory=str(MIGRATIONS), revision=newest)
                found = newest
            else:
                stamp(directory=str(MIGRATIONS), revision=BASELINE)
                found = BASELINE
        if found != newest and known(found) and app.config["DATABASE_UPGRADES_ITSELF"]:
            upgrade(directory=str(MIGRATIONS))
            found = revision(engine)
        if found == newest and app.config["ANNOUNCE_SETUP_CODE"]:
            code = accounts.setup_code(db.session)
            if code:
                print(f"No chair account yet. Set-up code for the first chair: {code}", flush=True)
        db.session.remove()
    if found == newest:
        return None
    if not known(found):
        return (
            f"The database is at migration {found}, newer than this release knows "
            f"(its newest is {newest}): run the release that upgraded it."
        )
    return (
        f"The database is at migration {found} and this release needs {newest}: "
        f"run `{UPGRADE_COMMAND}` (with the same settings), then start again."
    )


def known(found: str | None) -> bool:
    """Return whether this release knows a migration (a newer release's it does not)."""
    scripts = ScriptDirectory.from_config(_config())
    try:
        return found is not None and scripts.get_revision(found) is not None
    except CommandError:
        return False


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@contextmanager
def _only_one(app: Flask) -> Iterator[None]:
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
                connection.commit()
        return
    with open(Path(app.instance_path) / "database.lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(held, fcntl.LOCK_UN)


def writable(engine: Engine) -> str | None:
    """Return why the database cannot be written to, or None when it can."""
    try:
        with engine.connect() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = version_num"))
            connection.rollback()
    except Exception as error:  # noqa: BLE001 - any failure means it cannot be used
        return f"The database cannot be written to: {type(error).__name__}: {first_line(error)}"
    return None


def first_line(error: Exception) -> str:
    """Return the first line of what an error says (the rest is often a hint or a URL)."""
    return str(error).strip().splitlines()[0] if str(error).strip() else ""


def unreachable(url: str, error: DBAPIError) -> str:
    """Return the one line saying the database at `url` refused or did not answer, and what
    to check: its words, without any password, and the setting or server to look at."""
    said = " ".join(str(error.orig or error).split())
    found = said.lower()
    if url.startswith("sqlite"):
        advice = "check that its folder exists and this user may write to it"
        return f"Not starting: the database at {url} cannot be used ({said}): {advice}."
    advice = next(
        (what for words, what in ADVICE if any(word in found for word in words)),
        "check that the database server is running and listening there, and MEETING_DATABASE_URL",
    )
    return f"Not starting: the database at {shown(url)} cannot be used ({said}): {advice}."
