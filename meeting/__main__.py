"""Start a meeting server on the embedded default: one process, SQLite in the instance folder.

Ctrl-C or SIGTERM (systemd, `kill`) stops it cleanly: what SQLite's write-ahead log holds is
moved into the database file as it ends (`connections.checkpoint`).
"""

import argparse
import logging
import signal
import socket
from ipaddress import ip_address

import psutil

from . import create_app
from .extensions import socketio
from .pages.links import unreachable
from .startup import ready

EVERYWHERE = ("0.0.0.0", "::")
# What Werkzeug (and Flask-SocketIO through it) says when it serves outside a terminal, or
# inside one: true of a deployment, not of one meeting room.
DEVELOPMENT_SERVER_WARNINGS = ("production deployment", "This is a development server")


def network_addresses() -> list[str]:
    """Return this computer's addresses on its networks (not loopback), IPv4 first."""
    found = []
    for addresses in psutil.net_if_addrs().values():
        for address in addresses:
            if address.family not in (socket.AF_INET, socket.AF_INET6):
                continue
            host = address.address.split("%")[0]
            parsed = ip_address(host)
            if parsed.is_loopback or parsed.is_link_local:
                continue
            found.append(host if parsed.version == 4 else f"[{host}]")
    return sorted(set(found), key=lambda h: (h.startswith("["), h))


def main() -> None:
    """Parse --host/--port, print the addresses to open and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m meeting", description=__doc__)
    parser.add_argument(
        "--host", default="127.0.0.1", help="0.0.0.0 lets phones on the network join"
    )
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args()
    app = ready(create_app())
    local = "127.0.0.1" if args.host in EVERYWHERE else args.host
    print(f"Meeting server running. Open http://{local}:{args.port}/ in a browser.", flush=True)
    if args.host in EVERYWHERE:
        lan = network_addresses()
        if lan:
            print("Phones on the same network join at (open the display at one of these too):")
            for host in lan:
                print(f"  http://{host}:{args.port}/join")
        else:
            print("This computer has no network address yet: connect it to the room's network.")
    elif unreachable(f"http://{args.host}/"):
        print("Only this computer can reach it; start with --host 0.0.0.0 so phones can join.")
    # The server's own access lines would write display and join links whole; the
    # meeting's log writes one line per request without them.
    werkzeug = logging.getLogger("werkzeug")
    werkzeug.setLevel(logging.WARNING)
    # Werkzeug is fine for one meeting room; production runs gunicorn (see docs/operating.md).
    # Its warning against itself would tell the room's chair to do what only an operator does.
    werkzeug.addFilter(not_a_production_warning)
    # SIGTERM would otherwise end the process where it stands, skipping what runs at exit;
    # as Ctrl-C, it stops the server, which then returns.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    socketio.run(app, host=args.host, port=args.port, allow_unsafe_werkzeug=True)


def not_a_production_warning(record: logging.LogRecord) -> bool:
    """Keep a log line unless it is Werkzeug's warning against serving with it."""
    return not any(words in record.getMessage() for words in DEVELOPMENT_SERVER_WARNINGS)


if __name__ == "__main__":
    main()
