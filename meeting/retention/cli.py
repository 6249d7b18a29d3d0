"""Purging closed meetings from the command line: `flask --app meeting purge`.

Run by hand or on a schedule (cron, a systemd timer). What it prints and logs names each
meeting by its id, kind and the day it closed: never the child, the title or a person.
"""

import sys
from datetime import timedelta
from pathlib import Path
from typing import NoReturn

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from .. import logs
from ..circulation.transport import outbox_copies
from ..circulation.versions import circulated
from ..errors import Refused
from ..extensions import db
from ..models import Meeting, utcnow
from ..record.log import mark
from ..settings import keep_closed_days, mail_settings, policy, purge_export_to
from . import archive, purge


def _age(days: int | None) -> int:
    """Return the age the command was given, or the deployment's; exit if there is neither."""
    if days is not None:
        return days
    try:
        kept = keep_closed_days()
    except ValueError as problem:
        _stop(f"{problem} Nothing was purged.")
    if kept is None:
        _stop(
            "Nothing was purged: closed meetings are kept until you say how old one must be. "
            "Give --older-than DAYS, or set MEETING_KEEP_CLOSED_DAYS."
        )
    return kept


def _stop(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(1)


def _described(meeting: Meeting) -> str:
    """Name a meeting by what identifies it without saying anything about the child."""
    sent = circulated(meeting)
    minutes = f"minutes version {sent[-1].number} circulated" if sent else "no minutes circulated"
    return (
        f"meeting {meeting.id}: {meeting.kind_label}, closed "
        f"{purge.closed_on(meeting, policy().zone):%Y-%m-%d}, "
        f"{_count(len(meeting.items), 'item')}, {minutes}"
    )


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}{'' if number == 1 else 's'}"


def _why(problem: Exception, meeting_id: int) -> str:
    """Say why a meeting was not purged, in words that name no one."""
    if isinstance(problem, archive.ExportFailed | Refused):
        return str(problem)
    if isinstance(problem, DBAPIError):
        # The database's own message may quote the values it refused.
        return f"the database refused it ({logs.describe(problem)})"
    # Anything else is a fault: its traceback goes to the log, without its message.
    current_app.logger.error("Purging meeting %s failed", meeting_id, exc_info=problem)
    return f"it could not be exported or deleted ({type(problem).__name__}; see the log)"


def _not_purged(meeting: Meeting, problem: Exception) -> None:
    meeting_id, closed = meeting.id, purge.closed_on(meeting, policy().zone)
    why = _why(problem, meeting_id)
    logs.not_purged(meeting_id, closed, why)
    click.echo(f"Not purged: meeting {meeting_id}: {why}", err=True)


@click.command("purge")
@with_appcontext
@click.option(
    "--older-than",
    "days",
    type=click.IntRange(min=0),
    metavar="DAYS",
    help="Purge meetings closed more than DAYS days ago (default: MEETING_KEEP_CLOSED_DAYS).",
)
@click.option("--dry-run", is_flag=True, help="List what would be purged; change nothing.")
@click.option(
    "--export-to",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write each meeting's record and minutes here before deleting it "
    "(default: MEETING_PURGE_EXPORT_TO).",
)
def purge_command(days: int | None, dry_run: bool, folder: Path | None) -> None:
    """Export and delete the closed meetings older than an age. Open meetings are never purged."""
    days = _age(days)
    folder = folder or purge_export_to()
    closed_before = utcnow() - timedelta(days=days)
    meetings, held_back = purge.due(db.session, closed_before)
    cutoff = f"closed more than {days} days ago (before {closed_before:%Y-%m-%d %H:%M} UTC)"
    for meeting in held_back:
        click.echo(
            f"Kept: meeting {meeting.id}: a later review of it is kept, and its record rests "
            "on this one; it goes with that review."
        )
    if dry_run:
        click.echo(f"Would purge {_count(len(meetings), 'meeting')} {cutoff}:")
        for meeting in meetings:
            click.echo(f"  {_described(meeting)}")
        then = f"exported to {folder}, then " if folder else ""
        click.echo(f"Dry run: nothing was changed. Without --dry-run, each would be {then}deleted.")
        return

    outbox = mail_settings().outbox
    purged, refused = 0, 0
    # Every meeting is exported before any is deleted, so each record holds its case as it
    # stood: a review and the meeting it reviews go in the same run (see `purge.due`).
    exports: dict[int, tuple[int, archive.Exported | None]] = {}
    for meeting in meetings:
        try:
            seen = mark(meeting)
            exports[meeting.id] = (
                seen,
                archive.write(meeting, folder, policy()) if folder else None,
            )
        except Exception as problem:  # noqa: BLE001 - one meeting's fault keeps it, not the rest
            db.session.rollback()
            refused += 1
            _not_purged(meeting, problem)
    for meeting in meetings:
        if meeting.id not in exports:
            continue
        meeting_id, closed = meeting.id, purge.closed_on(meeting, policy().zone)
        seen, exported = exports[meeting_id]
        try:
            rows = purge.remove(meeting, seen)
            db.session.commit()
        except Exception as problem:  # noqa: BLE001 - one meeting's fault keeps it, not the rest
            db.session.rollback()
            refused += 1
            _not_purged(meeting, problem)
            continue
        purged += 1
        try:
            for copy in outbox_copies(outbox, meeting_id):
                copy.unlink(missing_ok=True)
        except OSError as error:
            click.echo(
                f"Meeting {meeting_id} was purged, but its emails in {outbox} could not all be "
                f"deleted ({error.strerror}): delete meeting-{meeting_id}-v*.eml there.",
                err=True,
            )
        logs.purged(meeting_id, closed, exported is not None)
        kept = f"exported to {exported.folder}, then " if exported else ""
        click.echo(f"Meeting {meeting_id} (closed {closed:%Y-%m-%d}): {kept}{rows} rows deleted.")
    if purged and db.engine.dialect.name == "sqlite":
        # Empty the write-ahead log into the database file, whose deleted pages are
        # overwritten (see SQLITE_SETTINGS), so no copy of a purged row is left in it.
        db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.session.commit()
    summary = f"Purged {purged} of {_count(len(meetings), 'meeting')} {cutoff}"
    if folder:
        summary += f"; each exported to {folder} first"
    click.echo(summary + ".")
    if refused:
        _stop(f"{refused} not purged (see above); they are kept until a purge succeeds.")


COMMANDS: tuple[click.Command, ...] = (purge_command,)
