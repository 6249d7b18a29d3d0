"""Configuration: the defaults a deployment starts from, and the plain settings the rules get.

Defaults come from the environment; `instance/config.py` and `create_app`'s overrides may
change any of them. `policy()` and `mail_settings()` turn the configuration into the plain
values the rules are handed, so no rule reads configuration itself.
"""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import current_app, g

from . import policy as policies
from .circulation.transport import MailSettings
from .instance import EMBEDDED_DATABASE
from .policy import Policy
from .words import uploads


def defaults(instance: Path) -> dict[str, Any]:
    """Return the configuration a deployment starts with, read from MEETING_* variables."""
    env = os.environ.get
    return {
        "SQLALCHEMY_DATABASE_URI": env(
            "MEETING_DATABASE_URL", f"sqlite:///{instance / EMBEDDED_DATABASE}"
        ),
        # Connections each server process keeps to the database, and how many more it may
        # open at a busy moment (see `connections.size_pool`).
        "DATABASE_POOL_SIZE": int(env("MEETING_DATABASE_POOL_SIZE", "10")),
        "DATABASE_POOL_OVERFLOW": int(env("MEETING_DATABASE_POOL_OVERFLOW", "10")),
        # None: the embedded SQLite database upgrades itself, any other only on command.
        "DATABASE_UPGRADES_ITSELF": _yes_no(env("MEETING_DATABASE_UPGRADES_ITSELF")),
        "SOCKETIO_MESSAGE_QUEUE": env("MEETING_REDIS_URL"),
        # What this deployment's keys and channel in Redis start with (several may share one).
        "REDIS_PREFIX": env("MEETING_REDIS_PREFIX", "meeting"),
        "MEETING_TIMEZONE": env("MEETING_TIMEZONE", "Europe/London"),
        "SESSION_COOKIE_SAMESITE": "Lax",
        # The largest request taken: one attached file (`words.uploads.LIMIT`) and its form.
        "MAX_CONTENT_LENGTH": uploads.REQUEST_LIMIT,
        # None: Secure when MEETING_PUBLIC_URL is https.
        "SESSION_COOKIE_SECURE": None,
        # How many proxies in front of the server to trust for X-Forwarded-* (0: none).
        "PROXY_HOPS": int(env("MEETING_PROXY_HOPS", "0")),
        "SESSION_COOKIE_HTTPONLY": True,
        # An attendee who rejoins from the same device is the same person for a month.
        "PERMANENT_SESSION_LIFETIME": timedelta(days=30),
        # A device that joined a meeting of a child's case is offered one tap to join the
        # case's later meetings as the same person for this many days from its last join
        # (0: devices are not remembered).
        "REMEMBER_DEVICE_DAYS": int(env("MEETING_REMEMBER_DEVICE_DAYS", "365")),
        # A chair's log-in ends this many hours after it was made.
        "CHAIR_SESSION_HOURS": float(env("MEETING_CHAIR_SESSION_HOURS", "12")),
        # Chairs sign in with the council's accounts (OpenID Connect) when all three are set:
        # the provider's issuer (or its discovery address), and this server's registration
        # with it. Password log-in stays, for an administrator's break-glass account.
        "OIDC_ISSUER": env("MEETING_OIDC_ISSUER", ""),
        "OIDC_CLIENT_ID": env("MEETING_OIDC_CLIENT_ID", ""),
        "OIDC_CLIENT_SECRET": env("MEETING_OIDC_CLIENT_SECRET", ""),
        # A form's CSRF token lasts as long as the session: a meeting's pages stay open
        # for hours, and a token that expired would refuse a chair mid-meeting.
        "WTF_CSRF_TIME_LIMIT": None,
        # No Referer check on HTTPS: the origin check (`pages.origin`) already refuses
        # other sites by Origin and Sec-Fetch-Site, and a Referer stripped by a browser
        # setting, or a host renamed by a proxy, would refuse the meeting's own pages.
        "WTF_CSRF_SSL_STRICT": False,
        # Wrong join codes: per client, and across the whole server.
        "JOIN_ATTEMPTS_LIMIT": "10 per minute",
        "JOIN_ATTEMPTS_OVERALL": "300 per minute",
        # Failed chair log-ins, per account and per address; wrong first-run set-up codes.
        "LOGIN_ATTEMPTS_PER_ACCOUNT": "5 per 15 minutes",
        "LOGIN_ATTEMPTS_PER_ADDRESS": "20 per 15 minutes",
        "SETUP_ATTEMPTS_LIMIT": "10 per hour",
        # What one attendee may add (chronology events, review triggers, corrections asked
        # for), however many they try: enough for a meeting, not enough to fill its screens.
        "ATTENDEE_ADDITIONS_LIMIT": env(
            "MEETING_ATTENDEE_ADDITIONS_LIMIT", "5 per minute;30 per hour"
        ),
        # Shared by every process when Redis is configured.
        "RATELIMIT_STORAGE_URI": env("MEETING_REDIS_URL") or "memory://",
        "ANNOUNCE_SETUP_CODE": True,
        # Minutes: deadlines in working days, counted from the day the meeting closed.
        "MINUTES_SUMMARY_DAYS": 5,
        "MINUTES_DUE_DAYS": 15,
        # At the top of every page of the minutes, printed or in Word.
        "PROTECTIVE_MARKING": env("MEETING_PROTECTIVE_MARKING", "OFFICIAL-SENSITIVE"),
        # How long recipients may ask for corrections, from the first circulation.
        "CORRECTION_WINDOW_DAYS": 10,
        # How many days a recipient's link to the minutes works, counted from when it was
        # last sent to them (0: it does not run out).
        "READER_LINK_DAYS": int(env("MEETING_READER_LINK_DAYS", "90")),
        # Working days skip weekends, these public holidays and any listed closure days.
        "WORKING_DAYS_COUNTRY": "GB",
        "WORKING_DAYS_REGION": "ENG",
        "CLOSURE_DAYS": [],
        # Email: with no SMTP_HOST, messages are written to the outbox folder instead.
        "SMTP_HOST": env("MEETING_SMTP_HOST", ""),
        "SMTP_PORT": int(env("MEETING_SMTP_PORT", "587")),
        "SMTP_USERNAME": env("MEETING_SMTP_USERNAME", ""),
        "SMTP_PASSWORD": env("MEETING_SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": env("MEETING_SMTP_STARTTLS", "1") not in ("0", "", "no"),
        "SMTP_TIMEOUT": 20,
        "MAIL_FROM": env("MEETING_MAIL_FROM", ""),
        # The address people's links in emails start with, e.g. https://meetings.example.org
        "PUBLIC_URL": env("MEETING_PUBLIC_URL", ""),
        # Retention: closed meetings are purged by `flask --app meeting purge`, never by the
        # server itself. Days from the close after which the command may purge one; None:
        # only with an age given to the command (--older-than).
        "KEEP_CLOSED_DAYS": env("MEETING_KEEP_CLOSED_DAYS") or None,
        # Where the command writes each meeting's record and minutes before deleting it.
        "PURGE_EXPORT_TO": env("MEETING_PURGE_EXPORT_TO") or None,
        # Chair accounts (their emails) who may open every child's case and its report.
        "CASE_MANAGERS": [
            e.strip() for e in env("MEETING_CASE_MANAGERS", "").replace(",", " ").split()
        ],
        # Whether admitted professionals, as well as the chair, may record a review trigger.
        "TRIGGERS_BY_PROFESSIONALS": env("MEETING_TRIGGERS_BY_PROFESSIONALS", "0")
        not in ("0", "", "no"),
        # How the log is written: "text" (a line of words per entry) or "json" (one JSON
        # object per line, with the request's id, route, status and duration).
        "LOG_FORMAT": env("MEETING_LOG_FORMAT", "text"),
        # /metrics is answered to a scraper sending this as its Bearer token (none: no token
        # opens it) ...
        "METRICS_TOKEN": env("MEETING_METRICS_TOKEN") or None,
        # ... or, when set, to a request made on this machine straight to the process (not
        # through a proxy). With neither, /metrics answers 404.
        "METRICS_LOOPBACK": bool(_yes_no(env("MEETING_METRICS_LOOPBACK"))),
        # Legal and policy bases this deployment adds to the standard list, one per line.
        "LEGAL_BASES_EXTRA": [
            line.strip() for line in env("MEETING_LEGAL_BASES", "").splitlines() if line.strip()
        ],
    }


def _yes_no(value: str | None) -> bool | None:
    return None if value in (None, "") else value.lower() not in ("0", "no", "false")


def policy() -> Policy:
    """Return this deployment's policy, read from the app's configuration once per request."""
    if "policy" not in g:
        g.policy = policies.from_config(current_app.config)
    made: Policy = g.policy
    return made


def mail_settings() -> MailSettings:
    """Return how this deployment sends mail."""
    config = current_app.config
    return MailSettings(
        outbox=Path(current_app.instance_path) / "outbox",
        host=config["SMTP_HOST"],
        port=config["SMTP_PORT"],
        username=config["SMTP_USERNAME"],
        password=config["SMTP_PASSWORD"],
        starttls=config["SMTP_STARTTLS"],
        timeout=config["SMTP_TIMEOUT"],
        sender=config["MAIL_FROM"],
    )


def keep_closed_days() -> int | None:
    """Return how many days closed meetings are kept (None: until purged with an age).

    Raises ValueError, saying what is wrong, when the setting is not a whole number of days.
    """
    kept = current_app.config.get("KEEP_CLOSED_DAYS")
    if kept is None or str(kept).strip() == "":
        return None
    text = str(kept).strip()
    if isinstance(kept, bool) or not text.isdigit():
        raise ValueError(
            f"MEETING_KEEP_CLOSED_DAYS must be a whole number of days, such as 2555, not {text!r}."
        )
    return int(text)


def purge_export_to() -> Path | None:
    """Return the folder purged meetings are exported to, if the deployment set one."""
    folder = current_app.config.get("PURGE_EXPORT_TO")
    return Path(folder) if folder else None
