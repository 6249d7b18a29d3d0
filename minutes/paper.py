"""What every printed or Word page of the minutes carries: a running header and a footer.

The header names the deployment's protective marking, the child by initials only (a page
left on a printer names nobody), the meeting's date and the version; the footer says
"Page N of M", so a missing page is noticed.
"""

import re
from datetime import date

FOOTER = "Page {page} of {pages}"


def initials(child: str) -> str:
    """Return a child's initials ("Jaylen Okafor" → "J.O."; "K.M." stays "K.M.")."""
    words = re.findall(r"[^\W\d_]+", child)
    if not words:
        return child.strip()
    return "".join(f"{word[0].upper()}." for word in words)


def running_header(marking: str, child: str, day: date, version: int | None) -> str:
    """Return the running header of every page of one issue of the minutes."""
    parts = [marking.strip()] if marking.strip() else []
    parts.append(f"Child {initials(child)}")
    parts.append(f"Meeting {day.day} {day:%b %Y}")
    parts.append(f"Version {version}" if version else "Draft, not circulated")
    return " · ".join(parts)
