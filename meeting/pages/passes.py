"""Secret links traded for a cookie: the display link and a recipient's link to the minutes.

A link's secret is in the address only for the first request. It is answered with a
cookie holding the secret and a redirect (303) to an address without it, which every
later request uses, so no secret is in an address the browser sends again, in a Referer,
in the address of a Socket.IO connection, or in a proxy's log. The cookie is HTTP-only,
`SameSite=Lax` (a link opened from an email still works), Secure when the server's address
is https, and sent only where it is needed.
"""

import secrets
from datetime import datetime

from flask import current_app, redirect, request
from werkzeug.wrappers import Response

from ..models import Meeting


def display_cookie(meeting_id: int) -> str:
    """Return the name of the cookie that opens one meeting's display on this browser.

    One cookie per meeting, so one browser can show two meetings' displays. It is sent to
    the whole site, as the display's Socket.IO connection needs it too.
    """
    return f"meeting_display_{meeting_id}"


READER_COOKIE = "meeting_reader"


def _secure() -> bool:
    return bool(current_app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def traded(
    to: str, name: str, secret: str, path: str = "/", expires: datetime | None = None
) -> Response:
    """Answer a secret link: keep its secret in a cookie and send the browser to `to`.

    Without `expires` the cookie lasts until the browser is closed.
    """
    answer = redirect(to, 303)
    answer.set_cookie(
        name, secret, expires=expires, path=path, httponly=True, samesite="Lax", secure=_secure()
    )
    return answer


def display_secret(meeting_id: int) -> str:
    """Return the display link's secret this browser holds for a meeting ('' if none)."""
    return request.cookies.get(display_cookie(meeting_id), "")


def shows(meeting: Meeting, secret: str) -> bool:
    """Say whether a secret is the meeting's display link's (not a stopped one)."""
    return bool(secret) and secrets.compare_digest(secret, meeting.display_token)
