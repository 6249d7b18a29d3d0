"""Whether a server can run: checked once before it serves, and on demand at `/healthz`.

A server that cannot keep what people send it must not look as if it could: a database
behind this release, one it cannot write to, or a Redis it cannot reach each stop the
start with one line saying what is wrong and what to do.
"""

import sys
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify
from sqlalchemy import text

from . import database, settings
from .chairs import council
from .extensions import db, socketio
from .readers import shown
from .release import VERSION

bp = Blueprint("health", __name__)


# gunicorn's "worker failed to boot": its master then stops altogether, for systemd and
# nginx to see, rather than start the worker again and again.
CANNOT_BOOT = 3


class NotReady(SystemExit):
    """The server cannot start; the message says why and what to do (exit status 1)."""


def served(make: Callable[[], Flask]) -> Flask:
    """Return the app for a WSGI server; if it cannot serve, say why and exit with status 3."""
    try:
        return ready(make())
    except NotReady as stop:
        print(stop.code, file=sys.stderr, flush=True)
        raise SystemExit(CANNOT_BOOT) from None


def ready(app: Flask) -> Flask:
    """Return the app if it can serve; otherwise stop the process with one clear line."""
    problem = settings.key_problem(
        app.config.get("SECRET_KEY"),
        app.extensions.get("meeting.key", "SECRET_KEY"),
        needed=not settings.one_room(app.config),
        made=app.extensions.get("meeting.key_made", False),
    )
    if problem:
        raise NotReady(f"Not starting: {problem}")
    behind = app.extensions.get("meeting.behind")
    if behind:
        raise NotReady(f"Not starting: {behind}")
    with app.app_context():
        problem = database.writable(db.engine)
    if problem:
        raise NotReady(f"Not starting: {problem}")
    unset = council.missing(app.config)
    if unset:
        raise NotReady(
            "Not starting: signing in with council accounts is half set up; "
            f"also set {' and '.join(unset)}, or unset every MEETING_OIDC_ setting."
        )
    url = app.config["SOCKETIO_MESSAGE_QUEUE"]
    if url:
        problem = _redis_problem(url)
        if problem:
            raise NotReady(f"Not starting: {problem} Check MEETING_REDIS_URL.")
    return app


def _redis_problem(url: str) -> str | None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except (redis.RedisError, OSError, ValueError) as error:
        return f"Redis at {shown(url)} does not answer ({error}): live updates would be lost."
    return None


def _listening_problem() -> str | None:
    """Say so if this process has not yet heard from Redis again after losing it."""
    manager = getattr(vars(socketio).get("server"), "manager", None)
    if getattr(manager, "away", False):
        return "answers, but this process is not receiving live events from it yet"
    return None


def _database_problem() -> str | None:
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        found = database.revision(db.engine)
    except Exception as error:  # noqa: BLE001 - any failure means it cannot be used
        return f"unreachable ({type(error).__name__})"
    problem = database.writable(db.engine)
    if problem:
        return problem
    newest = database.head()
    return None if found == newest else f"at migration {found}, this release needs {newest}"


@bp.route("/healthz")
def healthz():
    """Say whether the database is reachable and current, and Redis if used, and which release
    this is; anyone (monitors)."""
    checks: dict[str, Any] = {"database": _database_problem() or "ok"}
    url = current_app.config["SOCKETIO_MESSAGE_QUEUE"]
    if url:
        checks["redis"] = _redis_problem(url) or _listening_problem() or "ok"
    else:
        checks["redis"] = "not configured"
    healthy = all(value in ("ok", "not configured") for value in checks.values())
    response = jsonify(status="ok" if healthy else "failing", version=VERSION, **checks)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
