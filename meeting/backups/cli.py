"""Backing up and restoring from the command line: `flask --app meeting backup` and `restore`.

Both use the server's own settings (MEETING_DATABASE_URL, the instance folder). A backup
may be taken while the server serves; a restore is made with the server stopped, and checks
every meeting's record against its log once it is back.
"""

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from .. import database
from ..connections import db_url
from ..extensions import db
from ..models import Chair, Meeting
from ..record.verify import verify
from ..settings import policy
from . import copies
from .copies import BackupFailed


def _stop(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(1)


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}{'' if number == 1 else 's'}"


def _engine() -> str:
    name = db.engine.dialect.name
    if name not in copies.SUFFIXES:
        _stop(f"Backups are made of SQLite and PostgreSQL databases, not {name}.")
    return name


@click.command("backup")
@with_appcontext
@click.argument("dest", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace DEST if it is already there.")
def backup_command(dest: Path, force: bool) -> None:
    """Copy the whole database to DEST (a file, or a folder to put a dated file in).

    It may run while the server serves: the copy is the database at one moment. Only this
    user can read it (0600). SQLite: one file, opened as any SQLite database. PostgreSQL:
    pg_dump's custom format, for pg_restore.
    """
    engine = _engine()
    try:
        path = copies.destination(dest, db.engine, datetime.now(UTC))
        with copies.private_file(path, replace=force) as part:
            if engine == "sqlite":
                meetings = copies.sqlite_backup(db.engine, part)
            else:
                meetings = copies.postgres_backup(db.engine, db_url(current_app), part)
            written = copies.Written(path, part.stat().st_size, meetings)
    except BackupFailed as problem:
        _stop(str(problem))
    except OSError as error:
        _stop(f"Nothing was backed up: {error.strerror} ({error.filename}).")
    click.echo(
        f"Backed up {_count(written.meetings, 'meeting')} ({copies.size(written.size)}) "
        f"to {written.path}."
    )


def _held() -> tuple[int, int]:
    """Return how many meetings and chair accounts the database holds."""
    try:
        meetings = db.session.scalar(select(func.count()).select_from(Meeting)) or 0
        chairs = db.session.scalar(select(func.count()).select_from(Chair)) or 0
    except SQLAlchemyError as error:
        _stop(f"Nothing was restored: the database could not be read ({copies.said(error)}).")
    finally:
        db.session.remove()
    return meetings, chairs


def _restorable(source: Path, engine: str) -> str:
    """Return the migration the backup is at; stop if this release cannot use it."""
    if not source.is_file():
        _stop(f"Nothing was restored: there is no file {source}.")
    if copies.is_the_database(source, db.engine):
        _stop(f"Nothing was restored: {source} is the database itself.")
    try:
        if engine == "sqlite":
            revision, _ = copies.sqlite_contents(source)
        else:
            revision = copies.postgres_revision(source)
    except BackupFailed as problem:
        _stop(f"Nothing was restored: {problem}")
    if not database.known(revision):
        _stop(
            f"Nothing was restored: {source} was made by a newer release (at migration "
            f"{revision}; this release's newest is {database.head()}). Restore it with that "
            "release."
        )
    return revision


@click.command("restore")
@with_appcontext
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds meetings.")
def restore_command(source: Path, force: bool) -> None:
    """Put a backup made by `backup` in place of the database, then check every meeting.

    Stop the server first. A database that already holds meetings or chair accounts is
    replaced only with --force. Exits with 1 if any meeting's record does not match its log.
    """
    engine = _engine()
    try:
        _restorable(source, engine)
        meetings, chairs = _held()
        if (meetings or chairs) and not force:
            _stop(
                f"Nothing was restored: the database already holds "
                f"{_count(meetings, 'meeting')} and {_count(chairs, 'chair account')}, which "
                "restoring would replace. Give --force to replace them."
            )
        if engine == "sqlite":
            copies.sqlite_restore(db.engine, source)
        else:
            empty = not (meetings or chairs)
            copies.postgres_restore(db.engine, db_url(current_app), source, empty)
    except BackupFailed as problem:
        _stop(str(problem))
    meetings, chairs = _held()
    click.echo(
        f"Restored {_count(meetings, 'meeting')} and {_count(chairs, 'chair account')} "
        f"from {source}."
    )
    behind = database.prepare(current_app._get_current_object())  # type: ignore[attr-defined]
    if behind:
        # An earlier release's schema: this release's checks would read columns not yet there.
        click.echo(behind)
        click.echo("Once it is upgraded, check each meeting with `flask --app meeting verify ID`.")
        return
    try:
        _check_every_meeting()
    except SQLAlchemyError as error:
        _stop(f"Restored, but the meetings could not be checked ({copies.said(error)}).")


def _check_every_meeting() -> None:
    """Check each meeting's record against its log; exit 1 naming any that does not match."""
    failing = 0
    for meeting_id in db.session.scalars(select(Meeting.id).order_by(Meeting.id)).all():
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting is not None
        check = verify(db.session, meeting, policy=policy())
        for problem in check.problems:
            click.echo(f"Meeting {meeting_id}: DOES NOT MATCH: {problem}")
        failing += not check.intact
        db.session.expunge_all()
    if failing:
        _stop(f"{_count(failing, 'meeting')} do not match their log (see above).")
    click.echo("Every meeting's record matches its log.")


COMMANDS: tuple[click.Command, ...] = (backup_command, restore_command)
