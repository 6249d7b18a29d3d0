"""Chairs signing in with the council's account: off to its sign-in service, and back.

Authlib's Flask client does the OpenID Connect work: the authorization code flow with
PKCE (S256), a state and a nonce kept in this browser's signed session, the code exchanged
for tokens with the client secret, and the ID token's signature (against the provider's
published keys), issuer, audience, expiry and nonce checked. The chair is then logged in
exactly as a password logs them in (`pages.access.log_in_chair`, the same session and the
same hours) and sent to the page they asked for. Anything that goes wrong is said on the
log-in page, whose password form stays for an administrator.
"""

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError
from authlib.integrations.flask_client import OAuth
from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from joserfc.errors import JoseError

from ..extensions import db
from ..models import Chair
from ..pages.access import log_in_chair
from ..pages.redirects import next_page, same_site_path
from . import council
from .council import NotSignedIn

bp = Blueprint("council", __name__)

CLIENT = "council"
# The page the chair asked for, kept in their session while they are at the provider.
WANTED = "council_next"
# Seconds to wait for the council's sign-in service before saying it cannot be reached.
TIMEOUT = 10
# What failing to reach the provider, or to read its answer, looks like.
UNREACHED = (requests.RequestException, ValueError, KeyError, RuntimeError)


@bp.app_context_processor
def offered() -> dict[str, bool]:
    """Tell every page whether chairs are offered the council's sign-in."""
    return {"council_sign_in": council.configured(current_app.config)}


@bp.route("/login/council")
def start():
    """Send a chair to the council's sign-in service; anyone, when it is set up."""
    _set_up_or_404()
    wanted = request.args.get("next", "")
    session[WANTED] = same_site_path(wanted) or ""
    # Only the latest sign-in counts: each kept one adds to the cookie, which a browser
    # drops whole past 4 KB.
    for key in [key for key in session if key.startswith(f"_state_{CLIENT}_")]:
        session.pop(key)
    try:
        client = _client()
        _check_issuer(client)
        return client.authorize_redirect(_callback_url())
    except NotSignedIn as refusal:
        return _refused(refusal, wanted)
    except UNREACHED as error:
        return _refused(_unreachable(error), wanted)


@bp.route("/login/council/callback")
def callback():
    """Log in the chair the council's sign-in service says came back; anyone, when set up."""
    _set_up_or_404()
    wanted = str(session.get(WANTED) or "")
    try:
        chair = _signed_in()
    except NotSignedIn as refusal:
        return _refused(refusal, wanted)
    seats = session.get("seats")
    session.clear()
    if seats:
        session["seats"] = seats
    log_in_chair(chair)
    return redirect(next_page(wanted))


def _signed_in() -> Chair:
    """Return the chair whose verified ID token came back with this request, or refuse."""
    error = request.args.get("error")
    if error:
        raise council.provider_refusal(error)
    try:
        client = _client()
        issuer = _check_issuer(client)
        # RFC 9207: a provider that names itself in its answer must name the one we asked.
        said = request.args.get("iss")
        if said is not None and said.rstrip("/") != issuer:
            raise NotSignedIn(council.NOT_VERIFIED, 401, "the answer named another issuer")
        token = client.authorize_access_token()
        claims = _claims(client, token)
    except MismatchingStateError as mismatch:
        raise NotSignedIn(council.STALE, 400, "no sign-in in this session had that state") from (
            mismatch
        )
    except JoseError as invalid:
        raise NotSignedIn(
            council.NOT_VERIFIED, 401, f"the ID token was refused ({type(invalid).__name__})"
        ) from invalid
    except AuthlibBaseError as refused:
        raise NotSignedIn(
            council.NOT_CONFIRMED, 502, f"the token exchange was refused ({refused.error})"
        ) from refused
    except UNREACHED as failed:
        raise _unreachable(failed) from failed
    return council.chair_for(db.session, claims)


def _claims(client, token: dict) -> dict:
    """Return what the verified ID token says of the person, with the provider's userinfo
    answer where the token leaves out the address (as providers may for the code flow)."""
    claims = token.get("userinfo")
    if not claims:
        raise NotSignedIn(council.NOT_VERIFIED, 401, "the token response had no ID token")
    if claims.get("email"):
        return dict(claims)
    userinfo = client.userinfo(token=token)
    # OpenID Connect Core 5.3.2: an answer about anyone but the token's subject is refused.
    if userinfo.get("sub") != claims.get("sub"):
        raise NotSignedIn(council.NOT_VERIFIED, 401, "userinfo named another subject")
    return {**userinfo, **claims}


def _client():
    """Return this app's client of the council's sign-in service, made on first use."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    client = app.extensions.get("meeting.council")
    if client is None:
        config = app.config
        client = OAuth(app).register(
            CLIENT,
            client_id=config["OIDC_CLIENT_ID"].strip(),
            client_secret=config["OIDC_CLIENT_SECRET"].strip(),
            server_metadata_url=council.discovery_url(config["OIDC_ISSUER"]),
            client_kwargs={
                "scope": "openid email profile",
                "code_challenge_method": "S256",
                "default_timeout": TIMEOUT,
            },
        )
        app.extensions["meeting.council"] = client
    return client


def _check_issuer(client) -> str:
    """Return the configured issuer once the provider's description names the same one."""
    issuer = council.issuer_of(current_app.config["OIDC_ISSUER"])
    described = str(client.load_server_metadata().get("issuer", "")).rstrip("/")
    if described != issuer:
        raise NotSignedIn(
            f"Signing in with council accounts is not set up correctly here. {council.ASK_IT}",
            503,
            f"MEETING_OIDC_ISSUER is {issuer} but the provider there says it is {described}",
        )
    return issuer


def _callback_url() -> str:
    """Return the address the provider sends the chair back to (registered with it)."""
    public = str(current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    if public:
        return public + url_for("council.callback")
    return url_for("council.callback", _external=True)


def _unreachable(error: Exception) -> NotSignedIn:
    """Return the refusal for a provider that could not be reached or read."""
    kind = type(error).__name__
    return NotSignedIn(council.UNREACHABLE, 503, f"the sign-in service was not reached ({kind})")


def _refused(refusal: NotSignedIn, wanted: str):
    """Answer with the log-in page saying why; its password form stays for an administrator."""
    current_app.logger.warning("Council sign-in refused: %s", refusal.logged)
    wanted = same_site_path(wanted) or ""
    page = render_template("chairs/login.html", form={}, error=refusal.message, wanted=wanted)
    return page, refusal.status


def _set_up_or_404() -> None:
    """Answer 404 where the council's sign-in is not set up."""
    if not council.configured(current_app.config):
        abort(404)
