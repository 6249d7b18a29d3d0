"""`/metrics` for the deployment's Prometheus, and every request timed by its route.

`/metrics` is not for the public: it answers a scraper that sends the deployment's
MEETING_METRICS_TOKEN as a Bearer token, or, with MEETING_METRICS_LOOPBACK, one on this
machine that asks the process itself rather than through a proxy. With neither set it
answers 404 to everyone, as an address that does not exist.

Each server process answers with its own figures (docs/operating.md, Monitoring): a
scraper asks every process on its own port.
"""

import hmac
from ipaddress import ip_address

from flask import Blueprint, Flask, abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from werkzeug.wrappers import Response

from .. import logs
from ..extensions import db
from ..startup import NotReady
from . import counts

bp = Blueprint("monitoring", __name__)

# A token a scraper sends must be long enough that guessing it is hopeless.
SHORTEST_TOKEN = 24
# Headers a proxy adds: a request carrying one came through a proxy, not from this machine.
FORWARDED = ("X-Forwarded-For", "Forwarded", "X-Real-Ip")


def init_app(app: Flask) -> None:
    """Check the metrics settings and count ratings and emails as they are committed."""
    token = app.config.get("METRICS_TOKEN") or ""
    if token and len(token) < SHORTEST_TOKEN:
        raise NotReady(
            f"Not starting: MEETING_METRICS_TOKEN is {len(token)} characters long; it must be "
            f'at least {SHORTEST_TOKEN} (e.g. from `python -c "import secrets; '
            f'print(secrets.token_urlsafe(32))"`).'
        )
    counts.watch()


@bp.after_app_request
def timed(response: Response) -> Response:
    """Count the request by its route's pattern and status, with how long it took."""
    rule = request.url_rule
    route = rule.rule if rule is not None else "(no route)"
    counts.answered(request.method, route, response.status_code, logs.took())
    return response


@bp.route("/metrics")
def metrics():
    """Answer this process's figures in Prometheus's text format; the deployment's scraper
    only (its Bearer token, or on this machine with MEETING_METRICS_LOOPBACK). Anyone else
    gets 401 asking for the token, or 404 where no token is set."""
    token = current_app.config.get("METRICS_TOKEN") or ""
    loopback = bool(current_app.config.get("METRICS_LOOPBACK"))
    allowed = (token and _bearer_is(token)) or (loopback and _from_this_machine())
    if not allowed:
        if not token:
            abort(404)
        return Response(
            "This address needs the deployment's metrics token.\n",
            401,
            {"WWW-Authenticate": 'Bearer realm="metrics"', "Cache-Control": "no-store"},
            mimetype="text/plain",
        )
    body = generate_latest(counts.REGISTRY) + generate_latest(counts.Database(db.session))
    return Response(body, 200, {"Cache-Control": "no-store"}, content_type=CONTENT_TYPE_LATEST)


def _bearer_is(token: str) -> bool:
    """Say whether the request's Authorization header carries this Bearer token."""
    given = request.headers.get("Authorization", "")
    scheme, _, value = given.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(value.strip().encode(), token.encode())


def _from_this_machine() -> bool:
    """Say whether the request came straight from this machine, not through a proxy."""
    environ = request.environ
    # Before a trusted proxy's X-Forwarded-For was applied (MEETING_PROXY_HOPS).
    peer = environ.get("werkzeug.proxy_fix.orig", {}).get("REMOTE_ADDR") or environ.get(
        "REMOTE_ADDR", ""
    )
    if any(name in request.headers for name in FORWARDED):
        return False
    try:
        return ip_address(peer.split("%")[0]).is_loopback
    except ValueError:
        return False
