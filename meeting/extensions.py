"""Extensions created unbound; `create_app` binds them to an application."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from .models import Base

# The tables are declared on the plain `Base` (no Flask in the rules); this binds them.
db = SQLAlchemy(metadata=Base.metadata)
# Pinned: auto-detection would prefer eventlet, which is no longer maintained.
socketio = SocketIO(async_mode="threading")
# Its storage is RATELIMIT_STORAGE_URI: memory, or Redis when the deployment has it.
limiter = Limiter(key_func=get_remote_address)
migrate = Migrate()
# Every request that changes something carries the session's token (`pages.csrf`).
csrf = CSRFProtect()
