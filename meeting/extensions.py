"""Extensions created unbound; `create_app` binds them to an application."""

from typing import Literal

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from .models import Base

# The tables are declared on the plain `Base` (no Flask in the rules); this binds them.
db = SQLAlchemy(metadata=Base.metadata)
# The mode is chosen when the app is built (`async_mode`), never by auto-detection, which
# would prefer eventlet (no longer maintained) if it happened to be installed.
socketio = SocketIO()
# Its storage is RATELIMIT_STORAGE_URI: memory, or Redis when the deployment has it.
limiter = Limiter(key_func=get_remote_address)
migrate = Migrate()
# Every request that changes something carries the session's token (`pages.csrf`).
csrf = CSRFProtect()


def async_mode() -> Literal["gevent", "threading"]:
    """Return how this process serves Socket.IO: "gevent" in a process gevent has patched
    (gunicorn's gevent worker, see docs/operating.md, Production), otherwise "threading".

    Under gevent every connection is a greenlet, so a WebSocket held open by a screen costs
    a few kilobytes rather than one of a fixed number of threads.
    """
    import sys

    monkey = sys.modules.get("gevent.monkey")
    return "gevent" if monkey is not None and monkey.is_module_patched("socket") else "threading"
