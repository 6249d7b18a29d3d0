"""gunicorn's settings for one meeting server process (docs/operating.md: Production, Deploying).

    gunicorn --config deploy/gunicorn.conf.py --bind 0.0.0.0:8000 wsgi:app

Anything given on the command line (--bind, --worker-connections, ...) wins over this file.
"""

# gevent: every connection is a greenlet, not a thread from a fixed pool. A screen holds its
# WebSocket for the whole meeting; with threads, 100 screens held all 100 threads and every
# further request waited for ever (docs/operating.md, Production: the figures).
#
# The gevent worker patches the standard library in the worker before it imports wsgi.py,
# and nothing of the application is imported by gunicorn's master (preload_app is off), so
# everything the application loads (SQLAlchemy, psycopg, redis, the Socket.IO server) sees
# the patched library: psycopg then waits for PostgreSQL cooperatively, and Socket.IO runs
# in its gevent mode (`meeting.extensions.async_mode`).
worker_class = "gevent"
preload_app = False

# One worker: Socket.IO's long-polling needs every request of a connection to reach the
# process that holds it, and gunicorn hands requests to workers as they come. To use more
# cores, run more of these processes on their own ports behind nginx with sticky sessions,
# with PostgreSQL and Redis (deploy/).
workers = 1

# The most connections the worker holds at once: one WebSocket per screen and phone, and a
# few more while pages fetch. Past it, new connections wait for one to close.
worker_connections = 2000

# HTTP keep-alive: a page's requests, and nginx's, reuse one connection (an idle one keeps
# its place among worker_connections this long). Longer than nginx's keepalive_timeout to
# the server (deploy/nginx.conf, 15 s), so nginx never sends a request down a connection
# gunicorn is closing.
keepalive = 20

# gunicorn's access log would write display and join links whole; the meeting writes its
# own line per request without them (docs/operating.md, Production).
accesslog = None

# Several processes on one machine each have their own master: none claims the shared
# control socket.
control_socket_disable = True

# On a restart, requests under way get this long to finish; screens' WebSockets are then
# closed, and the screens connect again by themselves.
graceful_timeout = 5


def on_exit(server):
    """Once every worker has gone, move SQLite's write-ahead log into the database file, so
    that file alone holds everything (docs/operating.md, Backups)."""
    # A worker still holding a screen's WebSocket when graceful_timeout runs out is killed,
    # and so never does this itself as it ends. Imported only now: gunicorn's master loads
    # nothing of the application while it has workers to start.
    from meeting.connections import checkpoint, sqlite_file
    from meeting.instance import configured_database

    checkpoint(sqlite_file(configured_database()))
