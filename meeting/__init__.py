"""Multi-agency risk meetings: blind ratings, a shared reveal, dissent on the record."""

import os
import secrets
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask import Flask, render_template

from .extensions import db, limiter, socketio


def _secret_key(instance: Path) -> str:
    # Kept in the instance folder so sessions survive a restart and every worker agrees.
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(overrides: dict | None = None) -> Flask:
    """Build the application: defaults, then the instance config, then overrides."""
    instance = os.environ.get("MEETING_INSTANCE_PATH")
    app = Flask(__name__, instance_path=instance, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    database = Path(app.instance_path) / "meeting.sqlite3"
    app.config.from_mapping(
        SQLALCHEMY_DATABASE_URI=os.environ.get("MEETING_DATABASE_URL", f"sqlite:///{database}"),
        SOCKETIO_MESSAGE_QUEUE=os.environ.get("MEETING_REDIS_URL"),
        MEETING_TIMEZONE=os.environ.get("MEETING_TIMEZONE", "Europe/London"),
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        # An attendee who rejoins from the same device is the same person for a month.
        PERMANENT_SESSION_LIFETIME=timedelta(days=30),
        JOIN_ATTEMPTS_LIMIT="10 per minute",
        ANNOUNCE_SETUP_CODE=True,
        # Minutes: deadlines in working days, counted from the day the meeting closed.
        MINUTES_SUMMARY_DAYS=5,
        MINUTES_DUE_DAYS=15,
        # How long recipients may ask for corrections, from the first circulation.
        CORRECTION_WINDOW_DAYS=10,
        # Working days skip weekends, these public holidays and any listed closure days.
        WORKING_DAYS_COUNTRY="GB",
        WORKING_DAYS_REGION="ENG",
        CLOSURE_DAYS=[],
        # Email: with no SMTP_HOST, messages are written to the outbox folder instead.
        SMTP_HOST=os.environ.get("MEETING_SMTP_HOST", ""),
        SMTP_PORT=int(os.environ.get("MEETING_SMTP_PORT", "587")),
        SMTP_USERNAME=os.environ.get("MEETING_SMTP_USERNAME", ""),
        SMTP_PASSWORD=os.environ.get("MEETING_SMTP_PASSWORD", ""),
        SMTP_STARTTLS=os.environ.get("MEETING_SMTP_STARTTLS", "1") not in ("0", "", "no"),
        SMTP_TIMEOUT=20,
        MAIL_FROM=os.environ.get("MEETING_MAIL_FROM", ""),
        # The address people's links in emails start with, e.g. https://meetings.example.org
        PUBLIC_URL=os.environ.get("MEETING_PUBLIC_URL", ""),
        # Legal and policy bases this deployment adds to the standard list, one per line.
        LEGAL_BASES_EXTRA=[
            line.strip()
            for line in os.environ.get("MEETING_LEGAL_BASES", "").splitlines()
            if line.strip()
        ],
    )
    app.config.from_pyfile("config.py", silent=True)
    if overrides:
        app.config.from_mapping(overrides)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ.get("MEETING_SECRET_KEY") or _secret_key(
            Path(app.instance_path)
        )

    # Imported before init_app: handlers declared while no server exists are kept by
    # the extension and registered with every app it is initialised for.
    from . import (  # noqa: F401
        agenda,
        archive,
        auth,
        console,
        decide,
        events,
        join,
        live,
        papers,
        roll,
    )

    db.init_app(app)
    limiter.init_app(app)
    socketio.init_app(app, message_queue=app.config["SOCKETIO_MESSAGE_QUEUE"])
    for area in (auth, agenda, console, join, live, decide, roll, archive, papers):
        app.register_blueprint(area.bp)

    _templating(app)
    _responses(app)
    app.cli.add_command(create_chair_command)

    with app.app_context():
        db.create_all()
        if app.config["ANNOUNCE_SETUP_CODE"]:
            from .meetings import setup_code

            code = setup_code()
            if code:
                print(f"No chair account yet. Set-up code for the first chair: {code}", flush=True)
    return app


def _templating(app: Flask) -> None:
    from .markup import render_markdown
    from .models import MEETING_KINDS
    from .scales import LIKELIHOOD, SCALES, SEVERITY

    zone = ZoneInfo(app.config["MEETING_TIMEZONE"])

    @app.template_filter("localtime")
    def localtime(moment: datetime | None, fmt: str = "%H:%M:%S") -> str:
        if moment is None:
            return ""
        return moment.replace(tzinfo=UTC).astimezone(zone).strftime(fmt)

    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.globals.update(
        MEETING_KINDS=MEETING_KINDS, SCALES=SCALES, LIKELIHOOD=LIKELIHOOD, SEVERITY=SEVERITY
    )


def _responses(app: Flask) -> None:
    from .errors import Refused

    @app.after_request
    def security_headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        # Join links and display links carry secrets; never pass them on.
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    @app.errorhandler(Refused)
    def refused(error: Refused):
        return render_template("error.html", message=str(error)), error.status

    @app.errorhandler(404)
    def not_found(error):
        message = "There is nothing here. Check the address, or ask the chair for a new link."
        return render_template("error.html", message=message), 404

    @app.errorhandler(500)
    def failed(error):
        db.session.rollback()
        message = "Something went wrong on the server. Nothing you had saved was lost; try again."
        return render_template("error.html", message=message), 500


@click.command("create-chair")
@click.argument("email")
@click.option("--name", prompt=True, help="The chair's name as attendees will see it.")
@click.option("--agency", prompt=True, default="", help="The chair's agency.")
@click.password_option(help="At least 10 characters.")
def create_chair_command(email: str, name: str, agency: str, password: str) -> None:
    """Create a chair account that can log in and run meetings."""
    from .meetings import create_chair, validate_chair

    errors = validate_chair(name, email, password, password)
    if errors:
        for message in errors.values():
            click.echo(message, err=True)
        sys.exit(1)
    create_chair(name, email, password, agency)
    db.session.commit()
    click.echo(f"Chair account created for {email.strip().lower()}.")
