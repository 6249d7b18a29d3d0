"""Copies of the whole database: taken while it serves, written privately, put back whole.

SQLite is copied by its own backup, page by page within one read, so the copy is the
database at one moment however many writes go on; the copy is one file, its write-ahead log
folded in. PostgreSQL is copied by `pg_dump` (its custom format), reached with the server's
own settings, its password handed over in the environment, never on a command line.

Each copy is written under a hidden name beside where it goes, made readable by its owner
only (0600) as it is created, read back, and only then given its name: a copy that failed
halfway is never found under it, and an existing file is replaced only when asked.
"""

import contextlib
import os
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import URL, Engine, inspect, make_url, text
from sqlalchemy.exc import SQLAlchemyError

from ..connections import checkpoint
from ..database import first_line

# What each engine's copy is called when only a folder is given.
SUFFIXES = {"sqlite": ".sqlite3", "postgresql": ".dump"}
# The line of `pg_restore --data-only --table=alembic_version` output that opens its rows.
COPY_REVISION = "COPY public.alembic_version"


class BackupFailed(Exception):
    """A backup or a restore that could not be done: the message says why and what to do."""


@dataclass(frozen=True)
class Written:
    """A backup made: where, how large, and how many meetings it holds."""

    path: Path
    size: int
    meetings: int


def said(error: Exception) -> str:
    """Return the first line of what a database error says, from the driver's own words."""
    return first_line(getattr(error, "orig", None) or error)


def size(number: int) -> str:
    """Say a file's size as a person reads it ("812 KB", "3.4 MB")."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if number >= scale:
            value = number / scale
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    return f"{number} bytes"


def destination(given: Path, engine: Engine, now: datetime) -> Path:
    """Return the file a backup is written to: `given`, or a file named by the time in it
    when `given` is a folder (so a nightly backup never meets yesterday's)."""
    if given.is_dir():
        given = given / f"meeting-{now:%Y-%m-%dT%H%M%SZ}{SUFFIXES[engine.dialect.name]}"
    elif not given.parent.is_dir():
        raise BackupFailed(f"Nothing was backed up: there is no folder {given.parent}.")
    if is_the_database(given, engine):
        raise BackupFailed(f"Nothing was backed up: {given} is the database itself.")
    return given


def is_the_database(path: Path, engine: Engine) -> bool:
    """Say whether a path is the SQLite database's own file, or its log beside it."""
    name = engine.url.database if engine.dialect.name == "sqlite" else None
    if not name:
        return False
    own = Path(name).resolve()
    files = {own, own.with_name(f"{own.name}-wal"), own.with_name(f"{own.name}-shm")}
    return path.resolve() in files


@contextlib.contextmanager
def private_file(path: Path, replace: bool) -> Iterator[Path]:
    """Yield a new empty file beside `path` that only this user can read or write; once the
    block has filled it without error, give it `path`'s name."""
    if path.exists() and not replace:
        raise BackupFailed(
            f"Nothing was backed up: {path} already exists. Give another name, or --force "
            "to replace it."
        )
    try:
        # mkstemp creates it 0600, and only if no file has that name.
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as error:
        raise BackupFailed(
            f"Nothing was backed up: {path.parent} cannot be written to ({error.strerror})."
        ) from None
    os.close(handle)
    part = Path(name)
    try:
        yield part
        _into_place(part, path, replace)
    finally:
        part.unlink(missing_ok=True)


def _into_place(part: Path, path: Path, replace: bool) -> None:
    """Give a written file its name; without `replace`, never over a file that has it."""
    if replace:
        os.replace(part, path)
        return
    try:
        # A link fails if the name was taken meanwhile; a rename would overwrite it.
        os.link(part, path)
    except FileExistsError:
        raise BackupFailed(
            f"Nothing was backed up: {path} already exists. Give another name, or --force "
            "to replace it."
        ) from None
    except OSError:
        # A file system without hard links (some network shares).
        if path.exists():
            raise BackupFailed(f"Nothing was backed up: {path} already exists.") from None
        os.rename(part, path)


def sqlite_backup(engine: Engine, part: Path) -> int:
    """Copy the live SQLite database into `part`, as it stood at one moment; return how
    many meetings the copy holds, read back from it."""
    try:
        source = engine.raw_connection()
        try:
            with contextlib.closing(sqlite3.connect(part)) as copy:
                # One step, within one read: the copy is the database at that moment, and
                # writers go on meanwhile (WAL), as every reader's do.
                source.driver_connection.backup(copy)  # type: ignore[union-attr]
                # One file, needing no log beside it.
                copy.execute("PRAGMA journal_mode = DELETE")
        finally:
            source.close()
    except (sqlite3.Error, SQLAlchemyError) as error:
        raise BackupFailed(
            f"Nothing was backed up: the database could not be read ({error})."
        ) from None
    return sqlite_contents(part)[1]


def _read_only(path: Path) -> sqlite3.Connection:
    """Open a SQLite file for reading only: a copy is never changed by being looked at."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def sqlite_contents(path: Path) -> tuple[str, int]:
    """Return the migration a SQLite copy is at and how many meetings it holds, checking
    that it reads whole; refuse a file that is not a copy of a meeting database."""
    try:
        with contextlib.closing(_read_only(path)) as copy:
            checked = copy.execute("PRAGMA quick_check").fetchone()[0]
            if checked != "ok":
                raise BackupFailed(f"{path} is damaged: SQLite's check says {checked}.")
            tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master")}
            if not {"alembic_version", "meeting"} <= tables:
                raise BackupFailed(f"{path} is not a copy of a meeting database.")
            revision = copy.execute("SELECT version_num FROM alembic_version").fetchone()
            meetings = copy.execute("SELECT count(*) FROM meeting").fetchone()[0]
    except sqlite3.Error as error:
        raise BackupFailed(f"{path} cannot be read as a meeting database ({error}).") from None
    if revision is None:
        raise BackupFailed(f"{path} is not a copy of a meeting database (it has no migration).")
    return str(revision[0]), int(meetings)


def sqlite_restore(engine: Engine, source: Path) -> None:
    """Put a SQLite copy in place of the database, whole, in one transaction."""
    # Through SQLite, not by copying the file: a -wal file left beside the database would
    # otherwise be laid over the copy when it is next opened.
    engine.dispose()
    try:
        with contextlib.closing(_read_only(source)) as copy:
            target = engine.raw_connection()
            try:
                copy.backup(target.driver_connection)  # type: ignore[arg-type]
            finally:
                target.close()
    except (sqlite3.Error, SQLAlchemyError) as error:
        raise BackupFailed(
            f"Nothing was restored: the database could not be written ({error})."
        ) from None
    engine.dispose()
    checkpoint(engine.url.database)


def libpq(url: str) -> tuple[str, dict[str, str]]:
    """Return PostgreSQL's address for its own programs, without the password, and the
    environment that hands them the password (PGPASSWORD), so no process list shows it."""
    parsed = make_url(url)
    environment = dict(os.environ)
    if parsed.password:
        environment["PGPASSWORD"] = str(parsed.password)
    address = URL.create(
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    )
    return address.render_as_string(hide_password=False), environment


def _run(command: list[str], environment: dict[str, str], failed: str, **options) -> str:
    """Run one of PostgreSQL's programs; return what it wrote, or stop saying why not."""
    try:
        ran = subprocess.run(command, env=environment, stderr=subprocess.PIPE, **options)
    except FileNotFoundError:
        raise BackupFailed(
            f"{failed}: {command[0]} was not found. Install PostgreSQL's client programs "
            "(Debian: postgresql-client), of the server's version or newer."
        ) from None
    said = ran.stderr.decode(errors="replace").strip().splitlines()
    if ran.returncode:
        why = said[-1] if said else f"it ended with status {ran.returncode}"
        raise BackupFailed(f"{failed}: {command[0]} said: {why}")
    out = ran.stdout
    return out.decode(errors="replace") if isinstance(out, bytes) else ""


def postgres_backup(engine: Engine, url: str, part: Path) -> int:
    """Dump the PostgreSQL database into `part` with pg_dump; return how many meetings the
    dump holds, counted in the very snapshot it was taken from."""
    address, environment = libpq(url)
    failed = "Nothing was backed up"
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                meetings = connection.execute(text("SELECT count(*) FROM meeting")).scalar_one()
                with open(part, "wb") as out:
                    command = ["pg_dump", "--format=custom", f"--snapshot={snapshot}"]
                    _run([*command, f"--dbname={address}"], environment, failed, stdout=out)
    except SQLAlchemyError as error:
        why = said(error)
        raise BackupFailed(f"{failed}: the database could not be read ({why}).") from None
    # Read back: pg_restore lists what the dump holds, or says why it cannot.
    listing = ["pg_restore", "--list", str(part)]
    _run(listing, environment, f"{failed} whole", stdout=subprocess.DEVNULL)
    return int(meetings)


def postgres_revision(source: Path) -> str:
    """Return the migration a pg_dump file is at; refuse a file that is not a dump of a
    meeting database."""
    failed = f"{source} is not a dump of a meeting database"
    listed = _run(
        ["pg_restore", "--data-only", "--table=alembic_version", "--file=-", str(source)],
        dict(os.environ),
        failed,
        stdout=subprocess.PIPE,
    )
    lines = listed.splitlines()
    for number, line in enumerate(lines):
        if line.startswith(COPY_REVISION) and number + 1 < len(lines):
            revision = lines[number + 1].strip()
            if revision and revision != "\\.":
                return revision
    raise BackupFailed(f"{failed} (it has no migration).")


def postgres_restore(engine: Engine, url: str, source: Path, empty: bool) -> None:
    """Put a pg_dump file in place of the database's tables, in one transaction."""
    address, environment = libpq(url)
    engine.dispose()
    if empty:
        # Its tables hold nothing: dropped first, so that none of a later release's is left
        # beside an earlier release's copy (its own upgrade would then stumble on it).
        try:
            with engine.begin() as connection:
                for table in inspect(connection).get_table_names():
                    connection.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
        except SQLAlchemyError as error:
            raise BackupFailed(f"Nothing was restored: {said(error)}") from None
        engine.dispose()
    command = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges"]
    command += ["--single-transaction", "--exit-on-error", f"--dbname={address}", str(source)]
    _run(command, environment, "Nothing was restored", stdout=subprocess.DEVNULL)
