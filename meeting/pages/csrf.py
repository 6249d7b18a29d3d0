"""A request that changes something carries the session's CSRF token.

Every form that changes something carries the token (`once()` draws it beside the
one-time token), and every page carries it in a <meta> tag that forms.js sends as the
X-CSRFToken header with each htmx request. Flask-WTF's CSRFProtect refuses a request
without it, or with another session's, after the origin check (`pages.origin`) has
refused other sites. The token lasts as long as the session; logging in starts a new one.

A refusal loses nothing. A page opened before the person logged in again (or before their
browser ended the session) answers with what they typed and a form to send it again with
a fresh token. Sent in place (htmx), the answer is a note above the form, which keeps what
was typed, and the page's token is renewed from it, so pressing the button again sends it.
"""

from typing import Any

from flask import Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.wrappers import Response

from ..extensions import csrf
from . import once

HEADING = "This page was open too long or from before you logged in again"
# What someone types to prove who they are: never written back into a page, asked again.
SECRETS = {
    "password": ("Password", "password"),
    "confirm": ("Password again", "password"),
    "setup_code": ("Set-up code", "text"),
}
# What the page itself sends (hidden fields, the button pressed): carried back, not shown.
NOT_TYPED = {"based_on", "number", "intent", "outcome", "then"}


def init_app(app: Flask) -> None:
    """Check every request that changes something; answer a refusal with the stale page.

    Call after `origin.init_app` and before `once.init_app`: a form from another site is
    refused as that, and a refused form's one-time token stays unused for its resend.
    """
    csrf.init_app(app)

    @app.errorhandler(CSRFError)
    def stale(_error: CSRFError) -> Response:
        """Answer a form whose token is stale or missing: nothing saved, the typed text kept."""
        response = current_app.make_response((render_template("stale.html", **sent()), 400))
        if request.headers.get("HX-Request"):
            # The form keeps its place and what was typed in it; the note goes above it.
            response.headers["HX-Reswap"] = "none"
        return response


def sent() -> dict[str, Any]:
    """Return what a refused form sent, to show it and to send it again."""
    token_field = current_app.config["WTF_CSRF_FIELD_NAME"]
    shown: list[tuple[str, str]] = []
    carried: list[tuple[str, str]] = []
    asked: list[tuple[str, str, str]] = []
    for name in request.form:
        values = request.form.getlist(name)
        if name in (token_field, once.FIELD):
            continue
        if name in SECRETS:
            asked.append((name, *SECRETS[name]))
            continue
        carried += [(name, value) for value in values]
        typed = [value for value in values if value.strip()]
        if typed and name not in NOT_TYPED and not name.endswith("_id"):
            shown.append((name.replace("_", " ").capitalize(), ", ".join(typed)))
    return {
        "heading": HEADING,
        "shown": shown,
        "carried": carried,
        "asked": asked,
        "tokens": once.field(request.form.get(once.FIELD)),
        "action": request.full_path.rstrip("?"),
        "back": once.came_from(),
        "resend": _from_our_page(),
    }


def _from_our_page() -> bool:
    """Say whether the browser said the form was on one of this server's pages.

    Only then is it offered to be sent again: a form some other page sent (by a browser
    that says nothing of where it came from) is shown, but not made one click from done.
    The origin check has already refused an Origin or Sec-Fetch-Site of anywhere else.
    """
    return (
        request.headers.get("Sec-Fetch-Site") == "same-origin"
        or request.headers.get("Origin") is not None
        or (request.referrer or "").startswith(request.host_url)
    )
