"""What the server writes to its log: one line per request, and one per chair action.

An operator can follow what happened without the log becoming a second record of the
child: paths are written with their secret parts as placeholders (`/display/<token>`,
`/join/<code>`), query strings are left out, the database's errors carry the SQL but
never the values sent with it (no names, no reasons, no tokens), and an error is written
as its kind and where it happened, never its message (which may quote what was typed).
A purged meeting is logged by its id and the day it closed.

Every request has an id: the one a proxy sent in X-Request-Id when it is a plain short
string, or a new one; it is sent back in the answer's X-Request-Id. With
MEETING_LOG_FORMAT=json each line is one JSON object carrying it, with the route (the
address's pattern) and, for a request's own line, its status and how long it took.
"""

import json
import logging
import re
import secrets
import time
import traceback
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any, TypeAlias

from flask import Flask, g, has_request_context, request, session
from flask.logging import default_handler
from sqlalchemy.exc import DBAPIError
from werkzeug.wrappers import Response

from .startup import NotReady

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
# The ways the log can be written: a line of text, or a JSON object, per entry.
FORMATS = ("text", "json")
# A request id taken from X-Request-Id: short, and only characters that cannot break a line
# or a log format (nginx's $request_id is 32 hex digits; a UUID fits too).
SANE_ID = re.compile(r"[A-Za-z0-9._:+/=-]{1,128}")


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


def request_id() -> str | None:
    """Return this request's id (None outside a request)."""
    if not has_request_context():
        return None
    found: str | None = g.get("request_id")
    return found


def took() -> float:
    """Return the seconds since this request began."""
    return time.perf_counter() - g.get("started", time.perf_counter())


def _request_id_for_this_request() -> str:
    """Take the id a proxy gave this request, if it is a sane one; otherwise make one."""
    given = request.headers.get("X-Request-Id", "")
    if SANE_ID.fullmatch(given):
        return given
    return secrets.token_hex(16)


class JsonLines(logging.Formatter):
    """Write each entry as one JSON object on one line, with the request it belongs to.

    The fields: time (UTC, ISO 8601), level, logger, message, request_id and route (the
    address's pattern, e.g. `/display/<token>`; null outside a request), and on a request's
    own line its method, status and duration_ms. An error's traceback goes in `error`,
    written as `withheld` writes it: kinds and places, never messages.
    """

    def format(self, record: logging.LogRecord) -> str:
        """Return the entry as one line of JSON."""
        written: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id(),
            "route": None,
        }
        if has_request_context() and request.url_rule is not None:
            written["route"] = request.url_rule.rule
        for field in ("method", "status", "duration_ms"):
            if hasattr(record, field):
                written[field] = getattr(record, field)
        if record.exc_info and record.exc_info[1] is not None:
            written["error"] = withheld(record.exc_info[1])
        return json.dumps(written, ensure_ascii=False)


def init_app(app: Flask) -> None:
    """Write the meeting's own lines for every request; call before the database is set up."""
    shape = str(app.config.get("LOG_FORMAT") or "text").strip().lower()
    if shape not in FORMATS:
        raise NotReady(
            f"Not starting: MEETING_LOG_FORMAT must be one of {', '.join(FORMATS)}, not {shape!r}."
        )
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
    default_handler.setFormatter(JsonLines() if shape == "json" else logging.Formatter(line))
    # The database's errors name the statement, never the values sent with it.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
        "hide_parameters": True,
    }

    @app.before_request
    def started() -> None:
        g.started = time.perf_counter()
        g.request_id = _request_id_for_this_request()

    @app.after_request
    def written(response: Response) -> Response:
        ms = took() * 1000
        status, where = response.status_code, shown_path()
        if "request_id" not in g:
            g.request_id = _request_id_for_this_request()
        response.headers["X-Request-Id"] = g.request_id
        access.info(
            "%s %s %s %s %.0fms",
            request.remote_addr,
            request.method,
            where,
            status,
            ms,
            extra={"method": request.method, "status": status, "duration_ms": round(ms, 1)},
        )
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
