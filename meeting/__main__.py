"""Start a meeting server on the embedded default: one process, SQLite in the instance folder."""

import argparse

from . import create_app
from .extensions import socketio


def main() -> None:
    """Parse --host/--port, print the address to open and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m meeting", description=__doc__)
    parser.add_argument(
        "--host", default="127.0.0.1", help="0.0.0.0 lets phones on the network join"
    )
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args()
    app = create_app()
    print(f"Meeting server running. Open http://{args.host}:{args.port}/ in a browser.", flush=True)
    if args.host in ("127.0.0.1", "localhost"):
        print("Only this computer can reach it; start with --host 0.0.0.0 so phones can join.")
    # Werkzeug is fine for one meeting room; production runs gunicorn (see README).
    socketio.run(app, host=args.host, port=args.port, allow_unsafe_werkzeug=True)


if __name__ == "__main__":
    main()
