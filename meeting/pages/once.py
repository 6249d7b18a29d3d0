"""A form sent twice is acted on once: each form carries a one-time token.

Every form that changes something is drawn with a fresh token. The first request that
brings it stores the token in the same transaction as its change, so both are saved
together or neither is. A second copy of the same form (a double click, a retry after a
lost answer, a resend when the connection came back) finds the token taken and changes
nothing: it is answered with the page it came from and a note that it was already done.

The same call draws the session's CSRF token beside it (`pages.csrf`), so every form that
changes something carries both.
"""

import secrets
from datetime import timedelta

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from ..extensions import db
from ..models import FormToken, utcnow

FIELD = "once"
# Set (in `g`) while forms are drawn once for every screen of an audience.
DRAWN_FOR_SCREENS = "drawn_for_screens"
# Forms sent again and again on purpose, whose every copy is meant to count.
REPEATABLE = {"decisions.draft"}
# Forms that record nothing (a second copy does what the first did): no token is kept, so
# a log-in holds no write lock while its password is checked.
RECORDS_NOTHING = {"chairs.login", "joining.code"}
# A form older than this is taken as new (its token is forgotten).
KEPT_FOR = timedelta(days=2)


def field(token: str | None = None) -> Markup:
    """Return the hidden inputs a form that changes something carries: a one-time token
    (`token`, when the form is sent again, else a new one) and the session's CSRF token.

    A form drawn once for every screen of an audience (`regions.drawn_once`) is drawn in
    no one's session: both are left for each page to fill in (live.js), the session's
    token from its own and a one-time token of its own making, as random as ours.
    """
    hidden = Markup('<input type="hidden" name="{}" value="{}">')
    csrf_field = current_app.config["WTF_CSRF_FIELD_NAME"]
    if g.get(DRAWN_FOR_SCREENS):
        return hidden.format(FIELD, "") + hidden.format(csrf_field, "")
    return hidden.format(FIELD, token or secrets.token_urlsafe(18)) + hidden.format(
        csrf_field, generate_csrf()
    )


def init_app(app: Flask) -> None:
    app.jinja_env.globals["once"] = field

    @app.before_request
    def first_copy_only() -> Response | None:
        token = request.form.get(FIELD) if request.method == "POST" else None
        if not token or request.endpoint in REPEATABLE | RECORDS_NOTHING:
            return None
        db.session.add(FormToken(token=token[:64]))
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            return _already_done()
        return None


def forget_old() -> None:
    """Drop the tokens of forms too old to be sent again; call in an app context."""
    db.session.execute(delete(FormToken).where(FormToken.used_at < utcnow() - KEPT_FOR))
    db.session.commit()


def _already_done() -> Response:
    flash("That was sent twice; it was done once, and nothing else changed.")
    return redirect(came_from())


def came_from() -> str:
    """Return the page of this server a form was sent from (or the meeting's, or the start)."""
    came_from = request.headers.get("HX-Current-URL") or request.referrer or ""
    if came_from.startswith(request.host_url):
        return came_from
    meeting_id = (request.view_args or {}).get("meeting_id")
    if meeting_id is None:
        return "/"
    if session.get("chair_id"):
        return url_for("agenda.show", meeting_id=meeting_id)
    return url_for("room.attend", meeting_id=meeting_id)
