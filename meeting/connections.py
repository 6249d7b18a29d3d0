"""The database's connections: where they go, how many each process keeps, what SQLite is told.

`database` makes, recognises and upgrades the schema they reach.
"""

from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, event

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


def tell_sqlite(engine: Engine) -> None:
    """Have each new connection of a SQLite engine take SQLITE_SETTINGS; others need none."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_settings)


def _sqlite_settings(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    for name, value in SQLITE_SETTINGS.items():
        cursor.execute(f"PRAGMA {name} = {value}")
    cursor.close()
