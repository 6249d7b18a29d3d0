"""What the server writes to its log: one line per request, and one per chair action.

An operator can follow what happened without the log becoming a second record of the
child: paths are written with their secret parts as placeholders (`/display/<token>`,
`/join/<code>`), query strings are left out, the database's errors carry the SQL but
never the values sent with it (no names, no reasons, no tokens), and an error is written
as its kind and where it happened, never its message (which may quote what was typed).
A purged meeting is logged by its id and the day it closed.
"""

import logging
import re
import time
import traceback
from datetime import date
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
retention = logging.getLogger("meeting.retention")
# Socket.IO's own loggers, named under the meeting's so its errors are written the same way.
SOCKETS = ("meeting.socketio", "meeting.engineio")


def failure(logger: logging.Logger, exc_info: ExcInfo) -> None:
    """Log a failed request by its route rather than by its address."""
    error = exc_info[1]
    if isinstance(error, DBAPIError):
        # The driver's message may quote the values (PostgreSQL's DETAIL does): the line
        # names the failure by its constraint instead.
        said = describe(error)
        logger.error("Failed: %s %s: %s", request.method, shown_path(), said, exc_info=exc_info)
        return
    logger.error("Failed: %s %s", request.method, shown_path(), exc_info=exc_info)


class WithoutMessages(logging.Filter):
    """Write an error's traceback with the kind of each error but never its message.

    A message may quote what someone typed (a child's name in a ValueError, an address in
    a KeyError). Set on the loggers where errors are logged, so every handler, the
    server's own or a deployment's, gets the line already without it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            record.msg = f"{record.getMessage()}\n{withheld(record.exc_info[1])}"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


QUIET = WithoutMessages()
# What Python writes between an error and the one it led to.
CAUSED = "The above exception was the direct cause of the following exception:"
DURING = "During handling of the above exception, another exception occurred:"


def withheld(error: BaseException) -> str:
    """Return an error's traceback, and those of the errors it came from, without messages."""
    # Each error, with the words that join it to the one it led to.
    chain: list[tuple[BaseException, str]] = []
    link: BaseException | None = error
    joined = ""
    while link is not None and all(link is not seen for seen, _ in chain):
        chain.append((link, joined))
        if link.__cause__ is not None:
            link, joined = link.__cause__, CAUSED
        elif link.__suppress_context__:
            link = None
        else:
            link, joined = link.__context__, DURING
    parts = []
    for link, joined in reversed(chain):
        frames = "".join(traceback.format_tb(link.__traceback__))
        kind = type(link)
        parts.append(
            f"Traceback (most recent call last):\n{frames}"
            f"{kind.__module__}.{kind.__qualname__} (its message is not logged)"
        )
        if joined:
            parts.append(f"\n\n{joined}\n\n")
    return "".join(parts)


def purged(meeting_id: int, closed_on: date, exported: bool) -> None:
    """Log that a closed meeting was purged: its id and the day it closed, nothing else of it."""
    retention.info(
        "purged meeting=%s closed=%s exported=%s",
        meeting_id,
        closed_on.isoformat(),
        "yes" if exported else "no",
    )


def not_purged(meeting_id: int, closed_on: date, why: str) -> None:
    """Log that a meeting due to be purged was kept, and why (a reason naming no one)."""
    retention.warning("not purged meeting=%s closed=%s: %s", meeting_id, closed_on.isoformat(), why)


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
    # Loggers are shared by every app in the process: the one filter is added once.
    app.logger.addFilter(QUIET)
    for name in SOCKETS:
        # Their INFO lines quote every packet (tokens among them): only errors are kept.
        sockets = logging.getLogger(name)
        sockets.setLevel(logging.ERROR)
        sockets.addFilter(QUIET)
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
