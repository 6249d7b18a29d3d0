"""Links people open on their own devices: the join link, the QR code, the minutes' links.

They start with MEETING_PUBLIC_URL when it is set, else with the address this request
came in on. A loopback address (127.0.0.1, localhost) is one no phone can reach.
"""

from ipaddress import ip_address
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, url_for


def public_url(endpoint: str, **values: Any) -> str:
    """Return the full address of a page, as someone else's device must open it."""
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, **values, _external=True)


def unreachable(link: str) -> bool:
    """Say whether a link points at this computer only, so no phone in the room can open it."""
    host = urlsplit(link).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False
