"""Checking a meeting's record from the command line: `flask --app wsgi verify MEETING`."""

import sys

import click
from flask.cli import with_appcontext

from ..extensions import db
from ..models import Meeting
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
def verify_command(meeting_id: int, receipts: tuple[str, ...]) -> None:
    """Check a meeting's log, its ratings, views, decisions, actions, reveals and minutes.

    Exits with 1, naming each record or line that does not match, if anything was altered.
    """
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        click.echo(f"There is no meeting {meeting_id}.", err=True)
        sys.exit(2)
    check = verify(db.session, meeting, receipts)
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
