"""Multi-agency risk meetings: blind ratings, a shared reveal, dissent on the record.

Each area of the meeting is a package here: its `views.py` speaks HTTP, its other modules
are the rules, plain Python that imports no Flask. Importing this package loads no Flask
either: `create_app` brings in the web layer when the application is built.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(overrides: dict[str, Any] | None = None) -> "Flask":
    """Build the application: defaults, then the instance config, then overrides."""
    from .factory import create_app as build

    return build(overrides)
