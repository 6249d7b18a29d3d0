"""Every view and Socket.IO handler says in its docstring what it answers and who may use it."""

from collections.abc import Callable, Iterator
from typing import Any

from flask import Flask

from meeting.extensions import socketio

Handler = Callable[..., Any]


def ours(handler: Handler) -> bool:
    """Say whether a handler is the meeting's own, not one Flask or a library supplies."""
    module = getattr(handler, "__module__", None) or ""
    return module == "meeting" or module.startswith("meeting.")


def views(app: Flask) -> Iterator[tuple[str, Handler]]:
    """Yield each of the meeting's views (its URL map's endpoints) with its endpoint."""
    for endpoint, view in app.view_functions.items():
        if endpoint != "static" and ours(view):
            yield endpoint, view


def events() -> Iterator[tuple[str, Handler]]:
    """Yield each of the meeting's Socket.IO handlers, as bound to the server, with its event."""
    assert socketio.server is not None, "Socket.IO is not bound to an app yet"
    for namespace, handlers in socketio.server.handlers.items():
        for event, handler in handlers.items():
            if ours(handler):
                yield f"socket.io {namespace} {event}", handler


def undocumented(found: dict[str, Handler]) -> list[str]:
    """Return the names of the handlers whose docstring is missing or blank."""
    return sorted(name for name, handler in found.items() if not (handler.__doc__ or "").strip())


def test_every_view_has_a_docstring(app: Flask) -> None:
    """Every view the meeting serves has a docstring (STYLE.md, Code)."""
    found = dict(views(app))
    assert "room.attend" in found, "the URL map's views were not found"
    missing = undocumented(found)
    assert not missing, f"views with no docstring: {', '.join(missing)}"


def test_every_socketio_handler_has_a_docstring(app: Flask) -> None:
    """Every Socket.IO event handler has a docstring saying who sends it and who hears."""
    found = dict(events())
    assert "socket.io / connect" in found, "the Socket.IO handlers were not found"
    missing = undocumented(found)
    assert not missing, f"Socket.IO handlers with no docstring: {', '.join(missing)}"


def error_handlers(app: Flask) -> Iterator[tuple[str, Handler]]:
    """Yield each of the meeting's error handlers, app-wide and per area, with what it answers."""
    for area, by_code in app.error_handler_spec.items():
        for code, by_class in by_code.items():
            for error, handler in by_class.items():
                if ours(handler):
                    yield f"{area or 'app'} {code or ''} {error.__name__}", handler


def test_every_error_handler_has_a_docstring(app: Flask) -> None:
    """Every error page the meeting answers with says what it answers and for whom."""
    found = dict(error_handlers(app))
    assert any("NotFound" in name for name in found), "the error handlers were not found"
    missing = undocumented(found)
    assert not missing, f"error handlers with no docstring: {', '.join(missing)}"
