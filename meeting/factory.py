"""The application factory: settings, extensions, each area's views, templates, responses."""

import logging
import os
import secrets
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, g, has_request_context, make_response, render_template, request
from markupsafe import Markup
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

from . import database, logs, startup

# Each area's views, in the order their blueprints are registered. Socket.IO handlers are
# imported with them: handlers declared before any server exists are kept by the extension
# and registered with every app it is initialised for.
from .actions import views as actions  # noqa: I001
from .agenda import views as agenda
from .attendance import views as attendance
from .cases import views as cases
from .chairs import views as chairs
from .chairs.cli import COMMANDS as chair_commands
from .circulation import reader_views as reading
from .circulation import versions
from .circulation import views as circulation
from .decisions import views as decisions
from .errors import Refused
from .extensions import async_mode, db, limiter, migrate, socketio
from .joining import views as joining
from .models import (
    AttendeeStatus,
    CorrectionStatus,
    DecisionStatus,
    MeetingKind,
    MeetingStatus,
    Scale,
)
from .models.states import ACTION_STATUS_LABELS, FORECAST_RESULT_LABELS, KIND_LABELS
from .pages import csrf, once, origin
from .pages.markup import render_markdown
from .pages.typed import TypedRequest
from .rating import views as rating
from .rating.concealment import Audience
from .rating.scales import LIKELIHOOD, SCALES, SEVERITY
from .record import views as record
from .record.cli import COMMANDS as record_commands
from .record.seen import fingerprint
from .retention.cli import COMMANDS as retention_commands
from .room import events as room_events  # noqa: F401
from .room import views as room
from .settings import defaults, policy
from .startup import NotReady

AREAS: tuple[ModuleType, ...] = (chairs, agenda, joining, room, rating, decisions, actions)
AREAS += (attendance, record, circulation, reading, cases, startup)


def _secret_key(instance: Path) -> str:
    # Kept in the instance folder so sessions survive a restart and every worker agrees.
    # Written whole under another name and linked into place, so of several workers
    # starting at once the first one's key is the one every worker reads.
    path = instance / "secret_key"
    if not path.exists():
        made = instance / f"secret_key.{os.getpid()}"
        made.write_text(secrets.token_hex(32))
        made.chmod(0o600)
        try:
            os.link(made, path)
        except FileExistsError:
            pass
        finally:
            made.unlink()
    return path.read_text().strip()


def _writable(instance: Path) -> None:
    try:
        instance.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=instance):
            pass
    except OSError as error:
        raise NotReady(
            f"The instance folder {instance} cannot be written to ({error.strerror}): "
            "give this user write access to it, or set MEETING_INSTANCE_PATH."
        ) from error


class Application(Flask):
    """Flask, reading every form value cleaned of control characters (`pages.typed`) and
    logging a failed request by its route, never its address (`logs.failure`)."""

    request_class = TypedRequest

    def log_exception(self, exc_info: logs.ExcInfo) -> None:
        logs.failure(self.logger, exc_info)


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the application: defaults, then the instance config, then overrides."""
    app = Application(
        "meeting",
        instance_path=os.environ.get("MEETING_INSTANCE_PATH"),
        instance_relative_config=True,
    )
    instance = Path(app.instance_path)
    _writable(instance)
    app.config.from_mapping(defaults(instance))
    app.config.from_pyfile("config.py", silent=True)
    if overrides:
        app.config.from_mapping(overrides)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ.get("MEETING_SECRET_KEY") or _secret_key(instance)

    _behind_proxy(app)
    logs.init_app(app)
    _database_pool(app)
    db.init_app(app)
    app.config.setdefault("RATELIMIT_KEY_PREFIX", app.config["REDIS_PREFIX"])
    # Every count in Redis under this deployment's prefix: the key prefix above names only
    # Flask-Limiter's own decorators, not the allowances the views count themselves (wrong
    # join codes, failed log-ins), which two deployments sharing a Redis would else share.
    app.config.setdefault(
        "RATELIMIT_STORAGE_OPTIONS", {"key_prefix": f"{app.config['REDIS_PREFIX']}:limits"}
    )
    limiter.init_app(app)
    socketio.init_app(
        app,
        async_mode=async_mode(),
        message_queue=app.config["SOCKETIO_MESSAGE_QUEUE"],
        channel=f"{app.config['REDIS_PREFIX']}:socketio",
        # Under the meeting's log, so their errors are written without messages too.
        logger=logging.getLogger(logs.SOCKETS[0]),
        engineio_logger=logging.getLogger(logs.SOCKETS[1]),
    )
    # A row id past what the database holds is a page that does not exist (404).
    app.url_map.converters["int"] = RowId
    for area in AREAS:
        app.register_blueprint(area.bp)

    _templating(app)
    _responses(app)
    # In this order: another site is refused as that, then a form without this session's
    # token, and only then is a form's one-time token taken.
    origin.init_app(app)
    csrf.init_app(app)
    once.init_app(app)
    for command in (*chair_commands, *record_commands, *retention_commands):
        app.cli.add_command(command)

    if app.config["DATABASE_UPGRADES_ITSELF"] is None:
        # The embedded default looks after itself; a shared database is upgraded on purpose.
        app.config["DATABASE_UPGRADES_ITSELF"] = db_url(app).startswith("sqlite")
    migrate.init_app(app, db, directory=str(database.MIGRATIONS))
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_settings)
        app.extensions["meeting.behind"] = database.prepare(app)
        if not app.extensions["meeting.behind"]:
            once.forget_old()
    return app


def _behind_proxy(app: Flask) -> None:
    """Trust a configured number of proxies for the client's address and the scheme.

    Behind a TLS-terminating proxy, requests arrive as plain HTTP: the proxy says what the
    browser used (X-Forwarded-Proto) and who it was (X-Forwarded-For). Only then are
    cookies marked Secure, HSTS sent, and the join-code throttle counted per person.
    """
    hops = int(app.config["PROXY_HOPS"])
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    if app.config.get("SESSION_COOKIE_SECURE") is None:
        app.config["SESSION_COOKIE_SECURE"] = str(app.config["PUBLIC_URL"]).startswith("https://")


def _database_pool(app: Flask) -> None:
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


def db_url(app: Flask) -> str:
    """Return the database's address as configured."""
    return str(app.config["SQLALCHEMY_DATABASE_URI"])


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


def _sqlite_settings(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    for name, value in SQLITE_SETTINGS.items():
        cursor.execute(f"PRAGMA {name} = {value}")
    cursor.close()


class RowId(IntegerConverter):
    """An <int:…> in an address: a whole number a table's id can be (a 32-bit integer)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def based_on(shown: Any) -> Markup:
    """Return the hidden input saying what an edit form showed (see `record.seen`)."""
    return Markup('<input type="hidden" name="based_on" value="{}">').format(fingerprint(shown))


def css_string(text: str) -> Markup:
    """Return text to sit inside a double-quoted CSS string in a <style> element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ")
    return Markup(" ".join(escaped.split()))


def _templating(app: Flask) -> None:
    zone = ZoneInfo(app.config["MEETING_TIMEZONE"])

    @app.template_filter("localtime")
    def localtime(moment: datetime | None, fmt: str = "%H:%M:%S") -> str:
        if moment is None:
            return ""
        return moment.replace(tzinfo=UTC).astimezone(zone).strftime(fmt)

    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.globals["based_on"] = based_on
    app.jinja_env.filters["css_string"] = css_string
    app.jinja_env.globals["running_header"] = lambda meeting, number: versions.running_header(
        meeting, number, policy()
    )
    app.jinja_env.globals.update(
        KIND_LABELS=KIND_LABELS,
        SCALES=SCALES,
        LIKELIHOOD=LIKELIHOOD,
        SEVERITY=SEVERITY,
        Audience=Audience,
        AttendeeStatus=AttendeeStatus,
        CorrectionStatus=CorrectionStatus,
        DecisionStatus=DecisionStatus,
        MeetingKind=MeetingKind,
        MeetingStatus=MeetingStatus,
        Scale=Scale,
        ACTION_STATUS_LABELS=ACTION_STATUS_LABELS,
        FORECAST_RESULT_LABELS=FORECAST_RESULT_LABELS,
    )


def _responses(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if not request.path.startswith("/static/"):
            # Pages and files about a meeting are kept by no browser or proxy cache.
            response.headers.setdefault("Cache-Control", "no-store")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        # Join links and display links carry secrets: never pass them to another site.
        # Within this one, a form's page tells a repeat of it where to go back to.
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    def error_page(message: str, status: int):
        response = make_response(render_template("error.html", message=message), status)
        if request.headers.get("HX-Request"):
            # A form sent in place keeps its place as it was; the message is shown above.
            response.headers["HX-Reswap"] = "none"
        return response

    @app.errorhandler(Refused)
    def refused(error: Refused):
        return error_page(str(error), error.status)

    @app.errorhandler(IntegrityError)
    def conflict(error: IntegrityError):
        # Two requests met on the same row; the other one's change stands.
        db.session.rollback()
        app.logger.warning(
            "Conflict: %s %s: %s", request.method, logs.shown_path(), logs.describe(error)
        )
        return error_page(
            "This was changed from elsewhere at the same moment, so what you sent was not "
            "saved. Reload the page, check it, and send it again.",
            409,
        )

    @app.errorhandler(PoolTimeout)
    def crowded(_error: PoolTimeout):
        # Every connection of this process's pool stayed in use (see `_database_pool`).
        db.session.rollback()
        app.logger.error("Database pool exhausted: %s %s", request.method, logs.shown_path())
        return error_page(
            "The server is very busy, so what you sent was not saved. Try again in a moment.",
            503,
        )

    @app.errorhandler(OperationalError)
    def busy(error: OperationalError):
        db.session.rollback()
        where, what = logs.shown_path(), logs.describe(error)
        app.logger.error("Database unavailable: %s %s: %s", request.method, where, what)
        return error_page(
            "The database did not answer in time, so what you sent was not saved. "
            "Try again in a moment.",
            503,
        )

    @app.errorhandler(404)
    def not_found(error):
        return error_page(
            "There is nothing here. Check the address, or ask the chair for a new link.", 404
        )

    @app.errorhandler(500)
    def failed(error):
        db.session.rollback()
        if g.get("saved"):
            message = (
                "What you sent was saved, but the page could not be shown. "
                "Reload the page to see it; do not send it again."
            )
        elif request.method == "POST":
            message = (
                "Something went wrong on the server, and what you sent was not saved. "
                "Anything saved before is safe; try again."
            )
        else:
            message = "Something went wrong on the server showing this page. Try again."
        return render_template("error.html", message=message), 500

    @event.listens_for(db.session, "after_commit")
    def saved(_session):
        # Whether this request has saved anything, for the error page to say so truly.
        if has_request_context():
            g.saved = True
