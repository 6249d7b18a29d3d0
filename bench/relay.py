"""A bare Flask-SocketIO relay: the least a live page could cost, to measure the product by.

It runs on the same stack as the product (Flask-SocketIO in the product's async mode,
served the way `python -m meeting` serves), and does nothing else: a POST changes a little
state of a room (a round opened, someone rated, the round revealed) and emits `changed` to
the room; a GET returns that state as one small fragment, in the markup the benchmark reads
on the product's pages. With `push` in the POST, the event carries the fragment itself.

    python -m bench.relay --port 5001

or under another server, e.g. `gunicorn -k gevent -b 127.0.0.1:5001 'bench.relay:application()'`.
With a message queue (several processes: BENCH_RELAY_MESSAGE_QUEUE, a Redis URL, and
BENCH_RELAY_PREFIX), the state is kept in Redis under the prefix. Its async mode is the
one the product's Socket.IO server is pinned to, or BENCH_RELAY_ASYNC_MODE.
"""

import argparse
import json
import logging
import os
import threading
from html import escape
from typing import Any

from flask import Flask, request
from flask_socketio import SocketIO, join_room


def product_async_mode() -> str:
    """Return the async mode the product's Socket.IO server is pinned to."""
    if os.environ.get("BENCH_RELAY_ASYNC_MODE"):
        return os.environ["BENCH_RELAY_ASYNC_MODE"]
    from meeting.extensions import socketio

    options: dict[str, Any] = getattr(socketio, "server_options", {})
    return str(options.get("async_mode") or "threading")


class Rooms:
    """Each room's state in this process: its round, who has rated, whether it is revealed."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.rooms: dict[str, dict[str, Any]] = {}

    def change(self, room: str, what: str, value: str) -> dict[str, Any]:
        with self.lock:
            state = self.rooms.setdefault(room, {"round": 0, "rated": [], "revealed": False})
            if what == "open":
                state.update(round=int(value), rated=[], revealed=False)
            elif what == "rate":
                state["rated"].append(value)
            else:
                state["revealed"] = True
            return json.loads(json.dumps(state))

    def get(self, room: str) -> dict[str, Any]:
        with self.lock:
            state = self.rooms.get(room, {"round": 0, "rated": [], "revealed": False})
            return json.loads(json.dumps(state))


class SharedRooms(Rooms):
    """Each room's state in Redis, shared by every process."""

    def __init__(self, url: str, prefix: str) -> None:
        import redis

        super().__init__()
        self.redis = redis.Redis.from_url(url)
        self.prefix = prefix

    def change(self, room: str, what: str, value: str) -> dict[str, Any]:
        key = f"{self.prefix}:room:{room}"
        with self.redis.pipeline() as both:
            if what == "open":
                both.delete(f"{key}:rated", f"{key}:revealed")
                both.set(f"{key}:round", value)
            elif what == "rate":
                both.rpush(f"{key}:rated", value)
            else:
                both.set(f"{key}:revealed", "1")
            both.execute()
        return self.get(room)

    def get(self, room: str) -> dict[str, Any]:
        key = f"{self.prefix}:room:{room}"
        with self.redis.pipeline() as all_of:
            all_of.get(f"{key}:round")
            all_of.lrange(f"{key}:rated", 0, -1)
            all_of.get(f"{key}:revealed")
            number, rated, revealed = all_of.execute()
        return {
            "round": int(number or 0),
            "rated": [name.decode() for name in rated],
            "revealed": bool(revealed),
        }


def fragment(state: dict[str, Any]) -> str:
    """Draw a room's state in the markup the benchmark reads on the product's pages."""
    number = state["round"]
    if not number:
        return "<p>No round yet.</p>"
    if state["revealed"]:
        return f'<h3 data-announce="round-{number}-revealed">Round {number} revealed</h3>'
    done = "".join(
        f'<li class="done"><span aria-hidden="true">✓</span> {escape(name)} <span>rated</span></li>'
        for name in state["rated"]
    )
    return (
        f'<form id="rate-form-{number}"></form>'
        f'<h3 data-announce="round-{number}-rated-{len(state["rated"])}">Round {number}</h3>'
        f'<ul class="raters">{done}</ul>'
    )


def create_app(
    message_queue: str | None = None, prefix: str = "relay", async_mode: str | None = None
) -> tuple[Flask, SocketIO]:
    app = Flask(__name__)
    mode: Any = async_mode or product_async_mode()
    socketio = SocketIO(
        app,
        async_mode=mode,
        message_queue=message_queue,
        channel=f"{prefix}:socketio",
    )
    rooms = SharedRooms(message_queue, prefix) if message_queue else Rooms()

    @socketio.on("connect")
    def connect(auth: Any) -> bool:
        room = auth.get("room") if isinstance(auth, dict) else None
        if not room:
            return False
        join_room(str(room))
        return True

    @app.post("/r/<room>/<any(open, rate, reveal):what>")
    def change(room: str, what: str) -> tuple[str, int]:
        state = rooms.change(room, what, request.form.get("value", ""))
        message: dict[str, Any] = {"regions": ["scene"], "reload": False}
        if request.form.get("push"):
            message["html"] = {"scene": fragment(state)}
        socketio.emit("changed", message, to=room)
        return "", 204

    @app.get("/r/<room>")
    def page(room: str) -> str:
        return (
            f'<body><section id="region-scene" '
            f'data-region="scene" hx-get="/r/{escape(room)}/scene">'
            f"{fragment(rooms.get(room))}</section></body>"
        )

    @app.get("/r/<room>/scene")
    def scene(room: str) -> str:
        return fragment(rooms.get(room))

    @app.get("/r/<room>/state")
    def state(room: str) -> dict[str, Any]:
        return rooms.get(room)

    @app.get("/healthz")
    def healthz() -> str:
        return "ok"

    return app, socketio


def application() -> Flask:
    """The relay for a WSGI server, configured from the environment."""
    app, _socketio = create_app(
        os.environ.get("BENCH_RELAY_MESSAGE_QUEUE"), os.environ.get("BENCH_RELAY_PREFIX", "relay")
    )
    return app


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.relay", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5001)
    args = parser.parse_args()
    app, socketio = create_app(
        os.environ.get("BENCH_RELAY_MESSAGE_QUEUE"), os.environ.get("BENCH_RELAY_PREFIX", "relay")
    )
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    print(f"Relay running on http://{args.host}:{args.port}/", flush=True)
    socketio.run(app, host=args.host, port=args.port, allow_unsafe_werkzeug=True)


if __name__ == "__main__":
    main()
