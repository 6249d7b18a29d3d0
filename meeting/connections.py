"""The database's connections: where they go, how many each process keeps, what SQLite is told.

A process that ends cleanly empties SQLite's write-ahead log into the database file, so that
file alone then holds everything. `database` makes, recognises and upgrades the schema they
reach.
"""

import atexit
import contextlib
import sqlite3
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, event, make_url

if TYPE_CHECKING:
    from flask import Flask

# What each SQLite connection is told, and why:
# - foreign_keys: SQLite leaves them unchecked unless each connection asks.
# - journal_mode WAL: pages being read (every screen after every change) do not block
#   the writes of a meeting in progress, and a write never waits for readers.
# - synchronous FULL: an acknowledged rating or decision is on disk before the answer is
#   sent, even if the machine loses power; WAL's usual NORMAL could lose the last ones.
# - busy_timeout: a write that meets another waits its turn (up to 15 s) rather than
#   failing at once with "database is locked".
# - secure_delete: a deleted row (a purged meeting, an agenda item removed in set-up) is
#   overwritten with zeros, not left readable in the file's free pages.
SQLITE_SETTINGS = {
    "foreign_keys": "ON",
    "journal_mode": "WAL",
    "synchronous": "FULL",
    "busy_timeout": "15000",
    "secure_delete": "ON",
}


def db_url(app: "Flask") -> str:
    """Return the database's address as configured."""
    return str(app.config["SQLALCHEMY_DATABASE_URI"])


def size_pool(app: "Flask") -> None:
    """Size each process's pool of database connections for many screens at once.

    A request holds a connection from its first query to its end. The pool keeps
    DATABASE_POOL_SIZE open and opens up to DATABASE_POOL_OVERFLOW more at a busy moment;
    a request that finds none free waits up to 30 s for one (a burst passes), then is
    answered "try again" (503). On PostgreSQL, each process may hold size + overflow
    connections: keep that times the number of processes under the server's
    max_connections (100 by default).
    A connection the database has dropped (a restart) is noticed and replaced before use.
    """
    options = {
        "pool_size": int(app.config["DATABASE_POOL_SIZE"]),
        "max_overflow": int(app.config["DATABASE_POOL_OVERFLOW"]),
        "pool_timeout": 30,
    }
    if not db_url(app).startswith("sqlite"):
        options["pool_pre_ping"] = True
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        **options,
        **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
    }


# The SQLite engines this process has opened, each emptied into its file when it ends.
_OPENED: "weakref.WeakSet[Engine]" = weakref.WeakSet()


def tell_sqlite(engine: Engine) -> None:
    """Have each new connection of a SQLite engine take SQLITE_SETTINGS, and its log be
    emptied into the file when the process ends cleanly (`checkpoint`); others need none."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_settings)
        _OPENED.add(engine)


def sqlite_file(url: str) -> str | None:
    """Return the file of a SQLite database's address; None for any other database."""
    parsed = make_url(url)
    return parsed.database if parsed.get_backend_name() == "sqlite" else None


def checkpoint(database: str | None) -> None:
    """Move what a SQLite database's write-ahead log holds into its file and empty the log:
    the file alone then holds everything. A file that is not there is left so."""
    # SQLite moves the log into the file by itself only every thousand pages, and when its
    # last connection closes, which a process that simply ends never does: after a clean
    # stop, a small meeting's whole record was still in meeting.sqlite3-wal.
    if not database or database == ":memory:" or not Path(database).is_file():
        return
    with contextlib.closing(sqlite3.connect(database, timeout=15)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@atexit.register
def _checkpoint_on_exit() -> None:
    """Empty the log of each SQLite database this process opened, as it ends cleanly
    (`python -m meeting` or `flask run` stopped, a gunicorn worker leaving, a command done)."""
    for engine in list(_OPENED):
        with contextlib.suppress(Exception):
            engine.dispose()
            checkpoint(engine.url.database)


def _sqlite_settings(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    for name, value in SQLITE_SETTINGS.items():
        cursor.execute(f"PRAGMA {name} = {value}")
    cursor.close()
