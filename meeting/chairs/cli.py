"""`flask create-chair`: make a chair account from the command line."""

import sys

import click
from werkzeug.security import generate_password_hash

from ..extensions import db
from . import accounts


@click.command("create-chair")
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
