"""A request that changes something must come from this site's own pages.

Browsers say where a request came from: `Sec-Fetch-Site` (same-origin, same-site,
cross-site, none) and `Origin`. A form on another site, or on another port of this host
(which counts as the same *site*, so SameSite cookies are still sent with it), is
refused before it can reveal a round, record a decision or log someone in. Clients that
are not browsers send neither header and cannot carry a victim's cookies, so they pass.
"""

from urllib.parse import urlsplit

from flask import Flask, current_app, request

from ..errors import Forbidden

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def init_app(app: Flask) -> None:
    @app.before_request
    def from_this_site_only() -> None:
        if request.method in SAFE_METHODS:
            return
        site = request.headers.get("Sec-Fetch-Site")
        origin = request.headers.get("Origin")
        if site is not None and site not in ("same-origin", "none"):
            raise Forbidden(_refusal())
        if origin is not None and urlsplit(origin).netloc not in _our_hosts():
            raise Forbidden(_refusal())


def _our_hosts() -> set[str]:
    hosts = {request.host}
    public = current_app.config.get("PUBLIC_URL")
    if public:
        hosts.add(urlsplit(public).netloc)
    return hosts


def _refusal() -> str:
    return (
        "This was sent from a page that is not part of this meeting server, so nothing "
        "was done. If you meant to do it, open the meeting's own page and do it there."
    )
