"""The instance folder: this deployment's own files, among them the key that signs sessions.

Its config.py, the embedded SQLite database, the outbox and the secret key live there; a
server that cannot write to it refuses to start rather than lose what people send.
"""

import os
import secrets
import tempfile
from pathlib import Path

from flask import Config, Flask

# The embedded database's file in the instance folder (`settings.defaults`).
EMBEDDED_DATABASE = "meeting.sqlite3"


def prepare(folder: Path) -> str | None:
    """Make the instance folder if need be; return why it cannot be written to, or None."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        return (
            f"The instance folder {folder} cannot be written to ({error.strerror}): "
            "give this user write access to it, or set MEETING_INSTANCE_PATH."
        )
    return None


def secret_key(folder: Path) -> str:
    """Return the deployment's secret key, kept in the instance folder, made on first use."""
    # Kept there so sessions survive a restart and every worker agrees. Written whole
    # under another name and linked into place, so of several workers starting at once
    # the first one's key is the one every worker reads.
    path = folder / "secret_key"
    if not path.exists():
        made = folder / f"secret_key.{os.getpid()}"
        made.write_text(secrets.token_hex(32))
        made.chmod(0o600)
        try:
            os.link(made, path)
        except FileExistsError:
            pass
        finally:
            made.unlink()
    return path.read_text().strip()


def configured_database() -> str:
    """Return the address of the database a server started now would use: the environment,
    then the instance folder's config.py, as `create_app` reads them, without building it."""
    # Only what says where the database is: gunicorn's master asks as it ends, and loading
    # the whole application there would cost seconds.
    folder = Path(
        Flask(
            "meeting",
            instance_path=os.environ.get("MEETING_INSTANCE_PATH"),
            instance_relative_config=True,
        ).instance_path
    )
    config = Config(folder)
    config["SQLALCHEMY_DATABASE_URI"] = os.environ.get(
        "MEETING_DATABASE_URL", f"sqlite:///{folder / EMBEDDED_DATABASE}"
    )
    config.from_pyfile("config.py", silent=True)
    return str(config["SQLALCHEMY_DATABASE_URI"])
