"""Where a page may send someone next: only to a page of this server.

A log-in page carries `next`, the page the chair was on; whoever sends the link chooses
it. A browser reads `/\\evil.example`, `//evil.example` and `/<tab>/evil.example` as
another site's address, and a newline in it would break the answer's headers, so only a
plain path of this server is followed; anything else goes to the chair's home page.
"""

import re

from flask import url_for

# A path of this server: one "/", then no second "/" or "\\" straight after it, and no
# control character, backslash or space anywhere (browsers drop tabs and newlines, and
# read a backslash as a slash, before they decide which site a link is on).
_SAME_SITE = re.compile(r"/(?![/\\])[^\\\s\x00-\x1f\x7f-\x9f]*")


def same_site_path(target: str | None) -> str | None:
    """Return `target` if it is a path on this server (e.g. "/meetings/4"), else None."""
    if not target or len(target) > 2000 or not _SAME_SITE.fullmatch(target):
        return None
    return target


def next_page(target: str | None) -> str:
    """Return where to go after logging in: `target` if it is on this server, else the
    chair's home page (their meetings)."""
    return same_site_path(target) or url_for("agenda.index")
