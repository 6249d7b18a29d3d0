"""Signing a chair in with the council's own account (OpenID Connect): who it is, or why not.

The council's sign-in service (Microsoft Entra ID or any OpenID Connect provider) says who
someone is in a signed ID token. Its claims reach these rules already checked (signature,
issuer, audience, expiry, nonce); here they are matched to a chair account by email
address, case aside. Nothing is created: a chair account exists only when an administrator
has added it. A refusal, the provider's or ours, is said in words a chair can act on.
"""

import re
from collections.abc import Mapping
from typing import Any

from ..models import AnySession, Chair
from . import accounts

DISCOVERY = "/.well-known/openid-configuration"
SETTINGS = ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET")

ASK_IT = "If it goes on, tell your IT service desk."
UNREACHABLE = (
    "The council's sign-in service could not be reached, so nobody can sign in with a "
    f"council account just now. Try again in a few minutes. {ASK_IT}"
)
STALE = (
    "That sign-in had run out of time, or was not started in this browser, so you are not "
    "signed in. Sign in again."
)
NOT_CONFIRMED = (
    "The council's sign-in service did not confirm this sign-in, so you are not signed in. "
    f"Try again. {ASK_IT}"
)
NOT_VERIFIED = (
    "The council's sign-in service's answer could not be verified, so you are not signed "
    f"in. {ASK_IT}"
)
# What the provider's error codes (OpenID Connect Core 3.1.2.6) mean to the person.
PROVIDER_SAID = {
    "access_denied": (
        "The council's sign-in service did not let you in: your account may be switched "
        "off, or not allowed to use this server. Ask your IT service desk if you should "
        "have access."
    ),
    "login_required": "The council's sign-in service needs you to sign in there. Sign in again.",
    "temporarily_unavailable": (
        "The council's sign-in service is busy or down for a moment. Try again in a few minutes."
    ),
    "server_error": f"The council's sign-in service had a problem. Try again. {ASK_IT}",
}
PROVIDER_SAID["interaction_required"] = PROVIDER_SAID["login_required"]
PROVIDER_SAID["consent_required"] = (
    "The council's sign-in service has not been allowed to tell this server who you are. "
    "Ask your IT service desk to grant this application consent."
)
ERROR_CODE = re.compile(r"[a-z_]{1,40}")


class NotSignedIn(Exception):
    """A council sign-in that did not log anyone in: `message` says why, to the person."""

    def __init__(self, message: str, status: int = 401, logged: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        # For the server's log: the kind of failure, naming nobody.
        self.logged = logged or message


def issuer_of(setting: str) -> str:
    """Return the issuer a setting names, given as the issuer or as its discovery address."""
    return setting.strip().removesuffix(DISCOVERY).rstrip("/")


def discovery_url(setting: str) -> str:
    """Return the address where the issuer a setting names describes itself."""
    return issuer_of(setting) + DISCOVERY


def missing(config: Mapping[str, Any]) -> list[str]:
    """Return the council sign-in settings still to give once any is given (none: all or none)."""
    given = [name for name in SETTINGS if str(config.get(name) or "").strip()]
    if not given:
        return []
    return [f"MEETING_{name}" for name in SETTINGS if name not in given]


def configured(config: Mapping[str, Any]) -> bool:
    """Say whether chairs are offered the council's sign-in (every setting given)."""
    return all(str(config.get(name) or "").strip() for name in SETTINGS)


def provider_refusal(code: str) -> NotSignedIn:
    """Return the refusal the provider's error code stands for, in words a chair can act on."""
    message = PROVIDER_SAID.get(code)
    if message is None:
        shown = f" (it said {code})" if ERROR_CODE.fullmatch(code) else ""
        message = f"The council's sign-in service refused this sign-in{shown}. {ASK_IT}"
    status = 403 if code == "access_denied" else 401
    kind = code if ERROR_CODE.fullmatch(code) else "an unknown error"
    return NotSignedIn(message, status, f"the sign-in service answered {kind}")


def chair_for(session: AnySession, claims: Mapping[str, Any]) -> Chair:
    """Return the chair account the verified claims name, or refuse saying why.

    The address must be confirmed by the provider: an `email_verified` of false is
    refused. A provider that does not send that claim (Microsoft Entra ID does not) is
    trusted for its own directory's addresses, which its administrators set.
    """
    email = str(claims.get("email") or "").strip()
    if not email:
        raise NotSignedIn(
            "The council's sign-in service did not tell this server your email address, so "
            f"it cannot tell which chair you are. {ASK_IT}",
            logged="the ID token had no email claim",
        )
    if claims.get("email_verified") in (False, "false"):
        raise NotSignedIn(
            "The council's sign-in service has not confirmed your email address, so it "
            f"cannot be used to sign in here. {ASK_IT}",
            logged="the email address was not verified by the provider",
        )
    chair = accounts.find_chair(session, email)
    address = accounts.normalise_email(email)
    if chair is None:
        raise NotSignedIn(
            f"You signed in as {address}, but no chair account here has that address, so "
            "you are not signed in and no account was made. Ask whoever runs this server "
            "to add you as a chair.",
            403,
            "no chair account has the signed-in address",
        )
    if accounts.disabled(chair):
        raise NotSignedIn(
            f"The chair account for {address} is switched off on this server. Ask whoever "
            "runs this server if you should still have access.",
            403,
            "the chair account is disabled",
        )
    return chair
