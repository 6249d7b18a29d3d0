"""What the server writes to its log: one line per request, and one per chair action.

An operator can follow what happened without the log becoming a second record of the
child: paths are written with their secret parts as placeholders (`/display/<token>`,
`/join/<code>`), query strings are left out, and the database's errors carry the SQL
but never the values sent with it (no names, no reasons, no tokens).
"""

import logging
import re
import time
import traceback
from types import TracebackType
from typing import Any, TypeAlias

from flask import Flask, g, request, session
from flask.logging import default_handler
from sqlalchemy.exc import DBAPIError
from werkzeug.wrappers import Response

ExcInfo: TypeAlias = (
    tuple[type[BaseException], BaseException, TracebackType] | tuple[None, None, None]
)

# The parts of an address that open something to whoever holds them.
SECRET_PARTS = {"token", "code"}
access = logging.getLogger("meeting.access")
audit = logging.getLogger("meeting.audit")


def failure(logger: logging.Logger, exc_info: ExcInfo) -> None:
    """Log a failed request by its route rather than by its address."""
    error = exc_info[1]
    if isinstance(error, DBAPIError):
        # The driver's message may quote the values (PostgreSQL's DETAIL does): the line
        # names the failure, and the traceback is kept without the message.
        where = "".join(traceback.format_tb(exc_info[2]))
        logger.error("Failed: %s %s: %s\n%s", request.method, shown_path(), describe(error), where)
        return
    logger.error("Failed: %s %s", request.method, shown_path(), exc_info=exc_info)


def describe(error: DBAPIError) -> str:
    """Name a database error without any value it was sent or quotes."""
    original = error.orig
    diagnosis = getattr(original, "diag", None)
    if diagnosis is not None:
        said = diagnosis.message_primary or ""
        if diagnosis.constraint_name:
            said += f" ({diagnosis.constraint_name})"
    else:
        # SQLite names the constraint or the failure, never the values.
        said = str(original).splitlines()[0] if str(original) else ""
    return f"{type(original).__name__}: {said}"


def shown_path() -> str:
    """Return the path of this request as the log may show it."""
    rule = request.url_rule
    if rule is None:
        return "(an address with no page)"
    values = request.view_args or {}

    def part(match: re.Match[str]) -> str:
        name = match.group(1)
        return f"<{name}>" if name in SECRET_PARTS else str(values.get(name, match.group(0)))

    return re.sub(r"<(?:[^<>:]*:)?([^<>]+)>", part, rule.rule)


def init_app(app: Flask) -> None:
    """Write the meeting's own lines for every request; call before the database is set up."""
    # The app's logger is "meeting", the parent of these; Flask gives it a handler to stderr.
    if app.logger.level == logging.NOTSET:
        app.logger.setLevel(logging.INFO)
    line = "%(asctime)s %(levelname)s %(name)s %(message)s"
    default_handler.setFormatter(logging.Formatter(line))
    # The database's errors name the statement, never the values sent with it.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
        "hide_parameters": True,
    }

    @app.before_request
    def started() -> None:
        g.started = time.perf_counter()

    @app.after_request
    def written(response: Response) -> Response:
        took = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        status, where = response.status_code, shown_path()
        access.info("%s %s %s %s %.0fms", request.remote_addr, request.method, where, status, took)
        chair_id = session.get("chair_id")
        if request.method == "POST" and chair_id is not None:
            meeting: Any = (request.view_args or {}).get("meeting_id", "-")
            audit.info(
                "chair=%s meeting=%s action=%s %s answer=%s",
                chair_id,
                meeting,
                request.endpoint,
                where,
                status,
            )
        return response
