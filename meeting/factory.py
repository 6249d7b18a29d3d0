"""The application factory: the app built step by step, each step kept with its own job.

The instance folder (`instance`), the database's connections (`connections`) and schema
(`database`), the templates' filters and names (`templating`), the page machinery (`pages`,
with the headers and error pages every area shares in `pages.responses`) and each area's
views.
"""

import logging
import os
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

from flask import Flask
from sqlalchemy.exc import DBAPIError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

from . import connections, database, instance, logs, startup, templating

# Each area's views, in the order their blueprints are registered. Socket.IO handlers are
# imported with them: handlers declared before any server exists are kept by the extension
# and registered with every app it is initialised for.
from .actions import views as actions  # noqa: I001
from .agenda import views as agenda
from .attendance import views as attendance
from .backups.cli import COMMANDS as backup_commands
from .cases import views as cases
from .chairs import council_views as council
from .chairs import views as chairs
from .chairs.cli import COMMANDS as chair_commands
from .circulation import delivery_views as delivery
from .circulation import reader_views as reading
from .circulation import views as circulation
from .decisions import views as decisions
from .extensions import async_mode, db, limiter, migrate, socketio
from .joining import views as joining
from .letters import views as letters
from .monitoring import views as monitoring
from .monitoring.cli import COMMANDS as monitoring_commands
from .pages import csrf, doorbell, lengths, once, origin, queue, responses
from .pages.typed import TypedRequest
from .rating import views as rating
from .record import views as record
from .record.cli import COMMANDS as record_commands
from .reports import views as reports
from .retention.cli import COMMANDS as retention_commands
from .room import events as room_events  # noqa: F401
from .room import views as room
from .settings import WrongSetting, checked, defaults, policy
from .startup import NotReady
from .words import views as words

AREAS: tuple[ModuleType, ...] = (chairs, agenda, joining, room, rating, decisions, actions, words)
AREAS += (council, attendance, reports, record, circulation, delivery, reading, letters, cases)
AREAS += (startup, responses, monitoring)
COMMANDS = (*chair_commands, *record_commands, *retention_commands, *monitoring_commands)
COMMANDS += (*backup_commands,)


class Application(Flask):
    """Flask, reading every form value cleaned of control characters (`pages.typed`) and
    logging a failed request by its route, never its address (`logs.failure`)."""

    request_class = TypedRequest

    def log_exception(self, exc_info: logs.ExcInfo) -> None:
        """Log a failed request by its route, never its address (`logs.failure`)."""
        logs.failure(self.logger, exc_info)


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the application: defaults, then the instance config, then overrides."""
    app = Application(
        "meeting",
        instance_path=os.environ.get("MEETING_INSTANCE_PATH"),
        instance_relative_config=True,
    )
    _configure(app, overrides)
    _behind_proxy(app)
    logs.init_app(app)
    monitoring.init_app(app)
    connections.size_pool(app)
    db.init_app(app)
    _rate_limits(app)
    _live_updates(app)
    # A row id past what the database holds is a page that does not exist (404).
    app.url_map.converters["int"] = RowId
    for area in AREAS:
        app.register_blueprint(area.bp)
    templating.init_app(app, policy)
    # In this order: another site is refused as that, then a form without this session's
    # token, and only then is a form's one-time token taken.
    origin.init_app(app)
    csrf.init_app(app)
    lengths.init_app(app)
    once.init_app(app)
    doorbell.init_app(app)
    for command in COMMANDS:
        app.cli.add_command(command)
    _database(app)
    return app


def _configure(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Read the defaults, the instance folder's config.py, then the overrides; find a key."""
    folder = Path(app.instance_path)
    problem = instance.prepare(folder)
    if problem:
        raise NotReady(problem)
    try:
        app.config.from_mapping(defaults(folder))
        app.config.from_pyfile("config.py", silent=True)
        checked(app.config)
    except WrongSetting as wrong:
        raise NotReady(str(wrong)) from None
    if overrides:
        app.config.from_mapping(overrides)
    # Where the key came from, for a server to say which to change (`startup.ready`).
    app.extensions["meeting.key"] = "SECRET_KEY in instance/config.py"
    if not app.config.get("SECRET_KEY"):
        app.extensions["meeting.key"] = "MEETING_SECRET_KEY"
        key = os.environ.get("MEETING_SECRET_KEY", "").strip()
        app.config["SECRET_KEY"] = key or instance.secret_key(folder)
        app.extensions["meeting.key_made"] = not key


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


def _rate_limits(app: Flask) -> None:
    """Count each allowance under this deployment's own prefix, in memory or in Redis."""
    app.config.setdefault("RATELIMIT_KEY_PREFIX", app.config["REDIS_PREFIX"])
    # Every count in Redis under this deployment's prefix: the key prefix above names only
    # Flask-Limiter's own decorators, not the allowances the views count themselves (wrong
    # join codes, failed log-ins), which two deployments sharing a Redis would else share.
    options: dict[str, Any] = {"key_prefix": f"{app.config['REDIS_PREFIX']}:limits"}
    if str(app.config["RATELIMIT_STORAGE_URI"]).startswith(("redis", "rediss", "valkey")):
        # A Redis that has gone answers at once or within a second or two, never after
        # redis-py's own retries: the allowances then count in memory (`pages.allowances`).
        options |= queue.quick()
    # Failures are named by the limits library's StorageError, whatever the storage.
    options |= {**app.config.get("RATELIMIT_STORAGE_OPTIONS", {}), "wrap_exceptions": True}
    app.config["RATELIMIT_STORAGE_OPTIONS"] = options
    # Flask-Limiter's own limits, if any are declared, count in memory while Redis is away.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    limiter.init_app(app)


def _live_updates(app: Flask) -> None:
    """Serve Socket.IO, through Redis when several processes must hear each other.

    Through `pages.queue`: after Redis has been away, a process listens again within a
    second or so and tells its screens to read what they may have missed.
    """
    url = app.config["SOCKETIO_MESSAGE_QUEUE"]
    options: dict[str, Any] = {}
    if url:
        channel = f"{app.config['REDIS_PREFIX']}:socketio"
        options["client_manager"] = queue.Queue(url, channel, partial(doorbell.after_outage, app))
    socketio.init_app(
        app,
        async_mode=async_mode(),
        # Under the meeting's log, so their errors are written without messages too.
        logger=logging.getLogger(logs.SOCKETS[0]),
        engineio_logger=logging.getLogger(logs.SOCKETS[1]),
        **options,
    )


class RowId(IntegerConverter):
    """An <int:…> in an address: a whole number a table's id can be (a 32-bit integer)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def _database(app: Flask) -> None:
    """Bring the database to this release's schema where allowed, or note why it is behind."""
    if app.config["DATABASE_UPGRADES_ITSELF"] is None:
        # The embedded default looks after itself; a shared database is upgraded on purpose.
        app.config["DATABASE_UPGRADES_ITSELF"] = connections.db_url(app).startswith("sqlite")
    migrate.init_app(app, db, directory=str(database.MIGRATIONS))
    with app.app_context():
        connections.tell_sqlite(db.engine)
        try:
            app.extensions["meeting.behind"] = database.prepare(app)
        except DBAPIError as error:
            raise NotReady(database.unreachable(connections.db_url(app), error)) from None
        if not app.extensions["meeting.behind"]:
            once.forget_old()
