"""Checking a meeting's record from the command line: `flask --app wsgi verify MEETING`."""

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..extensions import db
from ..models import Meeting
from ..settings import policy
from .verify import verify


@click.command("verify")
@with_appcontext
@click.argument("meeting_id", type=int)
@click.option(
    "--receipt",
    "receipts",
    multiple=True,
    help="A receipt a rater was shown (e.g. ABCD-EFGH-JKLM); may be given several times.",
)
@click.option(
    "--minutes",
    "copies",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A copy of the minutes someone received (the Markdown file sent with them); may be "
    "given several times.",
)
def verify_command(meeting_id: int, receipts: tuple[str, ...], copies: tuple[Path, ...]) -> None:
    """Check a meeting's log, its people, agenda, chronology, ratings, views, decisions,
    actions, reveals and minutes.

    Exits with 1, naming each record or line that does not match, if anything was altered.
    """
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        click.echo(f"There is no meeting {meeting_id}.", err=True)
        sys.exit(2)
    read = []
    for path in copies:
        try:
            read.append((str(path), path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as error:
            click.echo(f"The copy of the minutes in {path} could not be read: {error}", err=True)
            sys.exit(2)
    check = verify(db.session, meeting, receipts, read, policy=policy())
    click.echo(f"Meeting {meeting.id}: {check.entries} lines in its log.")
    for note in check.notes:
        click.echo(note)
    for problem in check.problems:
        click.echo(f"DOES NOT MATCH: {problem}")
    if check.intact:
        click.echo("The log is intact and the record matches it.")
        return
    click.echo(f"{len(check.problems)} thing(s) do not match the log.")
    sys.exit(1)


COMMANDS = (verify_command,)
