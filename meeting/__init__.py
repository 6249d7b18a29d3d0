"""Multi-agency risk meetings: blind ratings, a shared reveal, dissent on the record.

Each area of the meeting is a package here: its `views.py` speaks HTTP, its other modules
are the rules, plain Python that imports no Flask. Importing this package loads no Flask
either: `create_app` brings in the web layer when the application is built.

`__version__` is this release's number, as installed (`release`).
"""

from typing import TYPE_CHECKING, Any

from .release import VERSION as __version__

__all__ = ["__version__", "create_app"]

if TYPE_CHECKING:
    from flask import Flask


def create_app(overrides: dict[str, Any] | None = None) -> "Flask":
    """Build the application: defaults, then the instance config, then overrides."""
    from .factory import create_app as build

    return build(overrides)
