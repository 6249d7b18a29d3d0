"""Minutes: a meeting's plain record in, Markdown out; HTML and Word from that Markdown.

Knows nothing of Flask or the database. `render` is a pure function: the same record and
edition always give the same bytes, and the integrity line carries their SHA-256 digest.
"""

from .edition import (
    GROUPS,
    REPORTS_WITHHELD,
    Correction,
    Edition,
    copy_for,
    decided,
    digest,
    digest_of,
    sections,
    split,
    verify,
)
from .render import render

__all__ = [
    "GROUPS",
    "REPORTS_WITHHELD",
    "Correction",
    "Edition",
    "copy_for",
    "decided",
    "digest",
    "digest_of",
    "render",
    "sections",
    "split",
    "verify",
]
