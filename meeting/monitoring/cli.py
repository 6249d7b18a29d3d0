"""The release from the command line: `flask --app meeting version`."""

import click

from ..release import VERSION


@click.command("version")
def version_command() -> None:
    """Print the release this installation runs (see CHANGELOG.md for what it changed)."""
    click.echo(VERSION)


COMMANDS = (version_command,)
