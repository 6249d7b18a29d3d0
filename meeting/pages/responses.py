"""What every area's pages answer with besides their own: the headers, and the error pages.

Each error page says in words what happened and whether what was sent was saved; a form
sent in place (htmx) keeps its place, with the message shown above it.
"""

from flask import (
    Blueprint,
    current_app,
    g,
    has_request_context,
    make_response,
    render_template,
    request,
)
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from .. import logs
from ..errors import Refused
from ..extensions import db
from ..words.uploads import LIMIT, megabytes
from . import lengths

bp = Blueprint("responses", __name__)


@bp.after_app_request
def security_headers(response):
    """Add to every response, for every browser, what keeps a meeting's pages to this site."""
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if not request.path.startswith("/static/") or response.status_code >= 400:
        # Pages and files about a meeting are kept by no browser or proxy cache; nor is the
        # error page for a static file that is not there, which carries the session's token.
        response.headers.setdefault("Cache-Control", "no-store")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    # A page whose own address holds a secret (a join code or an invitation; a link traded
    # for a cookie) names only this server in a Referer, not the address, even to this
    # server, where a proxy's error log would write it. (Not "no-referrer": its forms would
    # then send an Origin of "null", which the origin check refuses.) Any other page's
    # address is passed only within this site: a form's page tells a repeat of it where to
    # go back to.
    secret = not logs.SECRET_PARTS.isdisjoint(request.view_args or {})
    response.headers.setdefault("Referrer-Policy", "strict-origin" if secret else "same-origin")
    return response


def error_page(message: str, status: int):
    """Answer with the error page saying `message`, leaving a form sent in place as it was."""
    response = make_response(render_template("error.html", message=message), status)
    if request.headers.get("HX-Request"):
        # A form sent in place keeps its place as it was; the message is shown above.
        response.headers["HX-Reswap"] = "none"
    return response


@bp.app_errorhandler(Refused)
def refused(error: Refused):
    """Answer anyone whose action the meeting's state or their role does not allow."""
    return error_page(str(error), error.status)


@bp.app_errorhandler(IntegrityError)
def conflict(error: IntegrityError):
    """Answer anyone whose change met another on the same row: theirs was not saved (409)."""
    # Two requests met on the same row; the other one's change stands.
    db.session.rollback()
    current_app.logger.warning(
        "Conflict: %s %s: %s", request.method, logs.shown_path(), logs.describe(error)
    )
    return error_page(
        "This was changed from elsewhere at the same moment, so what you sent was not "
        "saved. Reload the page, check it, and send it again.",
        409,
    )


@bp.app_errorhandler(PoolTimeout)
def crowded(_error: PoolTimeout):
    """Answer anyone who found every database connection busy: try again (503)."""
    # Every connection of this process's pool stayed in use (see `connections.size_pool`).
    db.session.rollback()
    current_app.logger.error("Database pool exhausted: %s %s", request.method, logs.shown_path())
    return error_page(
        "The server is very busy, so what you sent was not saved. Try again in a moment.",
        503,
    )


@bp.app_errorhandler(OperationalError)
def busy(error: OperationalError):
    """Answer anyone whose request the database did not answer in time: try again (503)."""
    db.session.rollback()
    where, what = logs.shown_path(), logs.describe(error)
    current_app.logger.error("Database unavailable: %s %s: %s", request.method, where, what)
    return error_page(
        "The database did not answer in time, so what you sent was not saved. "
        "Try again in a moment.",
        503,
    )


@bp.app_errorhandler(413)
def too_large(_error):
    """Answer anyone who sent more than a request may carry: nothing was kept (413)."""
    db.session.rollback()
    most = current_app.config["MAX_CONTENT_LENGTH"] or 0
    if (request.content_length or 0) <= most:
        # Within what a request may carry: one field of text was past what a form holds.
        return error_page(
            "Something you typed is far longer than any field holds, so nothing of it was "
            f"kept. Go back and shorten it: the longest field holds {lengths.DOCUMENT:,} "
            "characters.",
            413,
        )
    limit = megabytes(most)
    return error_page(
        f"What you sent is larger than {limit}, the most the server takes at once, so "
        f"nothing of it was kept. A file you attach can be up to {megabytes(LIMIT)}: "
        "attach a smaller one, such as a photo taken at a smaller size.",
        413,
    )


@bp.app_errorhandler(404)
def not_found(error):
    """Answer anyone at an address with nothing there, or a link no longer good (404)."""
    return error_page(
        "There is nothing here. Check the address, or ask the chair for a new link.", 404
    )


@bp.app_errorhandler(500)
def failed(error):
    """Answer anyone whose request failed on the server, saying whether it was saved (500)."""
    db.session.rollback()
    if g.get("saved"):
        message = (
            "What you sent was saved, but the page could not be shown. "
            "Reload the page to see it; do not send it again."
        )
    elif request.method == "POST":
        message = (
            "Something went wrong on the server, and what you sent was not saved. "
            "Anything saved before is safe; try again."
        )
    else:
        message = "Something went wrong on the server showing this page. Try again."
    return render_template("error.html", message=message), 500


@event.listens_for(db.session, "after_commit")
def saved(_session: Session) -> None:
    """Note that this request has saved something, for the error page to say so truly."""
    if has_request_context():
        g.saved = True
