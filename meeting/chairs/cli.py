"""Chair accounts from the command line: create, list, reset a password, disable.

Resetting a password, removing one or disabling an account raises the chair's session
version, so every device logged in as that chair is logged out at its next request. A chair
who signs in with the council's account needs no password here (`create-council-chair`).
"""

import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from ..extensions import db
from ..models import Chair
from . import accounts


@click.command("create-chair")
@with_appcontext
@click.argument("email")
@click.option("--name", prompt=True, help="The chair's name as attendees will see it.")
@click.option("--agency", prompt=True, default="", help="The chair's agency.")
@click.password_option(help="At least 10 characters.")
def create_chair_command(email: str, name: str, agency: str, password: str) -> None:
    """Create a chair account that can log in and run meetings."""
    errors = accounts.validate_chair(db.session, name, email, password, password)
    if errors:
        for message in errors.values():
            click.echo(message, err=True)
        sys.exit(1)
    accounts.create_chair(db.session, name, email, generate_password_hash(password), agency)
    db.session.commit()
    click.echo(f"Chair account created for {accounts.normalise_email(email)}.")


@click.command("create-council-chair")
@with_appcontext
@click.argument("email")
@click.option("--name", prompt=True, help="The chair's name as attendees will see it.")
@click.option("--agency", prompt=True, default="", help="The chair's agency.")
def create_council_chair_command(email: str, name: str, agency: str) -> None:
    """Create a chair account with no password: it signs in only with the council's account."""
    errors = accounts.validate_details(db.session, name, email)
    if errors:
        for message in errors.values():
            click.echo(message, err=True)
        sys.exit(1)
    accounts.create_chair(db.session, name, email, accounts.COUNCIL_ONLY, agency)
    db.session.commit()
    click.echo(
        f"Chair account created for {accounts.normalise_email(email)}; it signs in only with "
        "the council's account."
    )


def _chair_or_exit(email: str):
    chair = accounts.find_chair(db.session, email)
    if chair is None:
        click.echo(f"No chair account has the address {accounts.normalise_email(email)}.", err=True)
        sys.exit(1)
    return chair


@click.command("list-chairs")
@with_appcontext
def list_chairs_command() -> None:
    """List the chair accounts: address, name, agency, meetings, and whether disabled."""
    for chair in db.session.scalars(select(Chair).order_by(Chair.email)):
        state = "disabled" if accounts.disabled(chair) else "active"
        if accounts.council_only(chair):
            state = "council sign-in only"
        click.echo(
            f"{chair.email}\t{chair.name}\t{chair.agency or '-'}\t"
            f"{len(chair.meetings)} meetings\t{state}"
        )


@click.command("reset-chair-password")
@with_appcontext
@click.argument("email")
@click.password_option(help="At least 10 characters.")
def reset_password_command(email: str, password: str) -> None:
    """Give a chair a new password and log them out everywhere."""
    chair = _chair_or_exit(email)
    errors = accounts.validate_password(password, password)
    if errors:
        for message in errors.values():
            click.echo(message, err=True)
        sys.exit(1)
    accounts.set_password(chair, generate_password_hash(password))
    db.session.commit()
    click.echo(f"New password set for {chair.email}; every device they used is logged out.")


@click.command("disable-chair")
@with_appcontext
@click.argument("email")
def disable_chair_command(email: str) -> None:
    """Stop a chair account logging in, and log it out everywhere (its meetings are kept)."""
    chair = _chair_or_exit(email)
    accounts.disable(chair)
    db.session.commit()
    click.echo(f"{chair.email} can no longer log in; every device they used is logged out.")


@click.command("remove-chair-password")
@with_appcontext
@click.argument("email")
def remove_password_command(email: str) -> None:
    """Take a chair's password away: they sign in only with the council's account from now on."""
    chair = _chair_or_exit(email)
    accounts.set_password(chair, accounts.COUNCIL_ONLY)
    db.session.commit()
    click.echo(
        f"{chair.email} has no password here now and signs in only with the council's "
        "account; every device they used is logged out."
    )


COMMANDS: tuple[click.Command, ...] = (create_chair_command, list_chairs_command)
COMMANDS += (reset_password_command, disable_chair_command)
COMMANDS += (create_council_chair_command, remove_password_command)
