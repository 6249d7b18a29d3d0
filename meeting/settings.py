"""Configuration: the defaults a deployment starts from, and the plain settings the rules get.

Defaults come from the environment; `instance/config.py` and `create_app`'s overrides may
change any of them. `policy()` and `mail_settings()` turn the configuration into the plain
values the rules are handed, so no rule reads configuration itself.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import current_app, g

from . import policy as policies
from . import readers as read
from .circulation.transport import MailSettings
from .instance import EMBEDDED_DATABASE
from .policy import Policy
from .words import uploads


class WrongSetting(ValueError):
    """A setting's value cannot be used; the message says which, and what it wants."""


@dataclass(frozen=True)
class Reading:
    """How one MEETING_* variable is read, and what it wants (said when it is wrong)."""

    read: Callable[[str], Any]
    wants: str
    # Its value is never repeated back (a password).
    secret: bool = False
    # Set but empty is a value of its own, not the default.
    empty_counts: bool = False


# Every MEETING_* variable `defaults` reads, how, and what it must be. A wrong value stops
# the start with one line: "<variable> must be <wants>, not '<value>'." Set but empty is
# the same as not set. A new setting adds its row here and reads itself with `env`.
READINGS: dict[str, Reading] = {
    "MEETING_DATABASE_URL": Reading(
        read.database_url,
        "a database address such as postgresql+psycopg://meeting@/meeting?host=/var/run/postgresql",
    ),
    "MEETING_DATABASE_POOL_SIZE": Reading(
        read.whole_number(1), "a whole number of connections, such as 10"
    ),
    "MEETING_DATABASE_POOL_OVERFLOW": Reading(
        read.whole_number(0), "a whole number of connections, such as 10 (0: none)"
    ),
    "MEETING_DATABASE_UPGRADES_ITSELF": Reading(read.yes_no, "yes or no (1 or 0)"),
    "MEETING_REDIS_URL": Reading(
        read.redis_url, "a Redis address such as redis://127.0.0.1:6379/0"
    ),
    "MEETING_REDIS_PREFIX": Reading(
        read.prefix, "a name of letters, digits, - _ . or :, such as meeting"
    ),
    "MEETING_TIMEZONE": Reading(read.time_zone, "a time zone name such as Europe/London"),
    "MEETING_PROXY_HOPS": Reading(
        read.whole_number(0, 10), "a whole number of proxies from 0 to 10, such as 1"
    ),
    "MEETING_REMEMBER_DEVICE_DAYS": Reading(
        read.whole_number(0), "a whole number of days, such as 365 (0: not remembered)"
    ),
    "MEETING_CHAIR_SESSION_HOURS": Reading(read.hours, "a number of hours, such as 12"),
    "MEETING_PROTECTIVE_MARKING": Reading(read.text, "a line of text", empty_counts=True),
    "MEETING_READER_LINK_DAYS": Reading(
        read.whole_number(0), "a whole number of days, such as 90 (0: no end)"
    ),
    "MEETING_SMTP_HOST": Reading(
        read.host, "a mail server's name alone, such as smtp.example.org (its port apart)"
    ),
    "MEETING_SMTP_PORT": Reading(
        read.whole_number(1, 65535), "a port number from 1 to 65535, such as 587"
    ),
    "MEETING_SMTP_USERNAME": Reading(read.text, "a user name"),
    "MEETING_SMTP_PASSWORD": Reading(read.text, "a password", secret=True),
    "MEETING_SMTP_STARTTLS": Reading(read.yes_no, "yes or no (1 or 0)"),
    "MEETING_MAIL_FROM": Reading(
        read.email_address, "an email address such as meetings@example.org"
    ),
    "MEETING_PUBLIC_URL": Reading(
        read.web_address,
        "an address starting https:// or http://, such as https://meetings.example.org",
    ),
    "MEETING_KEEP_CLOSED_DAYS": Reading(
        read.whole_number(0), "a whole number of days, such as 2555"
    ),
    "MEETING_PURGE_EXPORT_TO": Reading(read.text, "a folder"),
    "MEETING_CASE_MANAGERS": Reading(
        read.email_addresses, "email addresses separated by commas or spaces"
    ),
    "MEETING_TRIGGERS_BY_PROFESSIONALS": Reading(read.yes_no, "yes or no (1 or 0)"),
    "MEETING_LEGAL_BASES": Reading(read.lines, "lines of text"),
    "MEETING_ATTENDEE_ADDITIONS_LIMIT": Reading(
        read.allowance, "an allowance such as '5 per minute;30 per hour'"
    ),
    "MEETING_OIDC_ISSUER": Reading(
        read.web_address,
        "the provider's address starting https://, such as "
        "https://login.microsoftonline.com/<tenant>/v2.0",
    ),
    "MEETING_OIDC_CLIENT_ID": Reading(read.text, "this server's client id at the provider"),
    "MEETING_OIDC_CLIENT_SECRET": Reading(
        read.text, "this server's client secret at the provider", secret=True
    ),
    "MEETING_LOG_FORMAT": Reading(read.one_of("text", "json"), "text or json"),
    "MEETING_METRICS_TOKEN": Reading(
        read.token(24), "a token of at least 24 characters and no spaces", secret=True
    ),
    "MEETING_METRICS_LOOPBACK": Reading(read.yes_no, "yes or no (1 or 0)"),
}

# Settings given only in instance/config.py, checked the same way when given as text.
CONFIG_READINGS: dict[str, Reading] = {
    name: Reading(read.allowance, "an allowance such as '10 per minute'")
    for name in (
        "JOIN_ATTEMPTS_LIMIT",
        "JOIN_ATTEMPTS_OVERALL",
        "LOGIN_ATTEMPTS_PER_ACCOUNT",
        "LOGIN_ATTEMPTS_PER_ADDRESS",
        "SETUP_ATTEMPTS_LIMIT",
    )
}


def env(variable: str, default: Any = None) -> Any:
    """Return a MEETING_* variable read by its row in READINGS, or `default` if not set.

    Raises WrongSetting, naming the variable and what it wants, when it cannot be read.
    A variable with no row is returned as its text.
    """
    reading = READINGS.get(variable)
    value = os.environ.get(variable, "")
    value = value if reading and reading.secret else value.strip()
    if value == "" and not (reading and reading.empty_counts and variable in os.environ):
        return default
    if reading is None:
        return value
    try:
        return reading.read(value)
    except ValueError as error:
        raise WrongSetting(wrong(variable, reading, value, str(error))) from None


def wrong(name: str, reading: Reading, value: Any, why: str = "") -> str:
    """Return the one line saying a setting is wrong and what it wants."""
    given = "" if reading.secret else f", not {read.shown(str(value))!r}"
    return f"{name} must be {reading.wants}{given}{f' ({why})' if why else ''}."


def checked(config: dict[str, Any]) -> None:
    """Check the settings instance/config.py may give as text; raise WrongSetting if wrong."""
    for name, reading in CONFIG_READINGS.items():
        value = config.get(name)
        try:
            reading.read(str(value))
        except ValueError as error:
            raise WrongSetting(
                wrong(f"{name} in instance/config.py", reading, value, str(error))
            ) from None


def defaults(instance: Path) -> dict[str, Any]:
    """Return the configuration a deployment starts with, read from MEETING_* variables.

    Raises WrongSetting, naming the variable and what it wants, when one is wrong.
    """
    return {
        "SQLALCHEMY_DATABASE_URI": env(
            "MEETING_DATABASE_URL", f"sqlite:///{instance / EMBEDDED_DATABASE}"
        ),
        # Connections each server process keeps to the database, and how many more it may
        # open at a busy moment (see `connections.size_pool`).
        "DATABASE_POOL_SIZE": env("MEETING_DATABASE_POOL_SIZE", 10),
        "DATABASE_POOL_OVERFLOW": env("MEETING_DATABASE_POOL_OVERFLOW", 10),
        # None: the embedded SQLite database upgrades itself, any other only on command.
        "DATABASE_UPGRADES_ITSELF": env("MEETING_DATABASE_UPGRADES_ITSELF"),
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
        "PROXY_HOPS": env("MEETING_PROXY_HOPS", 0),
        "SESSION_COOKIE_HTTPONLY": True,
        # An attendee who rejoins from the same device is the same person for a month.
        "PERMANENT_SESSION_LIFETIME": timedelta(days=30),
        # A device that joined a meeting of a child's case is offered one tap to join the
        # case's later meetings as the same person for this many days from its last join
        # (0: devices are not remembered).
        "REMEMBER_DEVICE_DAYS": env("MEETING_REMEMBER_DEVICE_DAYS", 365),
        # A chair's log-in ends this many hours after it was made.
        "CHAIR_SESSION_HOURS": env("MEETING_CHAIR_SESSION_HOURS", 12.0),
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
        "READER_LINK_DAYS": env("MEETING_READER_LINK_DAYS", 90),
        # Working days skip weekends, these public holidays and any listed closure days.
        "WORKING_DAYS_COUNTRY": "GB",
        "WORKING_DAYS_REGION": "ENG",
        "CLOSURE_DAYS": [],
        # Email: with no SMTP_HOST, messages are written to the outbox folder instead.
        "SMTP_HOST": env("MEETING_SMTP_HOST", ""),
        "SMTP_PORT": env("MEETING_SMTP_PORT", 587),
        "SMTP_USERNAME": env("MEETING_SMTP_USERNAME", ""),
        "SMTP_PASSWORD": env("MEETING_SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": env("MEETING_SMTP_STARTTLS", True),
        "SMTP_TIMEOUT": 20,
        "MAIL_FROM": env("MEETING_MAIL_FROM", ""),
        # The address people's links in emails start with, e.g. https://meetings.example.org
        "PUBLIC_URL": env("MEETING_PUBLIC_URL", ""),
        # Retention: closed meetings are purged by `flask --app meeting purge`, never by the
        # server itself. Days from the close after which the command may purge one; None:
        # only with an age given to the command (--older-than).
        "KEEP_CLOSED_DAYS": env("MEETING_KEEP_CLOSED_DAYS"),
        # Where the command writes each meeting's record and minutes before deleting it.
        "PURGE_EXPORT_TO": env("MEETING_PURGE_EXPORT_TO"),
        # Chair accounts (their emails) who may open every child's case and its report.
        "CASE_MANAGERS": env("MEETING_CASE_MANAGERS", []),
        # Whether admitted professionals, as well as the chair, may record a review trigger.
        "TRIGGERS_BY_PROFESSIONALS": env("MEETING_TRIGGERS_BY_PROFESSIONALS", False),
        # How the log is written: "text" (a line of words per entry) or "json" (one JSON
        # object per line, with the request's id, route, status and duration).
        "LOG_FORMAT": env("MEETING_LOG_FORMAT", "text"),
        # /metrics is answered to a scraper sending this as its Bearer token (none: no token
        # opens it) ...
        "METRICS_TOKEN": env("MEETING_METRICS_TOKEN"),
        # ... or, when set, to a request made on this machine straight to the process (not
        # through a proxy). With neither, /metrics answers 404.
        "METRICS_LOOPBACK": env("MEETING_METRICS_LOOPBACK", False),
        # Legal and policy bases this deployment adds to the standard list, one per line.
        "LEGAL_BASES_EXTRA": env("MEETING_LEGAL_BASES", []),
    }


# A secret key must be at least this long, and random: the key signs every session, and
# anyone who knows it can sign one that opens any meeting.
KEY_LENGTH = 32
MAKE_KEY = "python -c 'import secrets; print(secrets.token_hex(32))'"
# Words that samples and made-up keys are made of (never in a random hex key).
SAMPLE_WORDS = ("change", "replace", "example", "secret", "password", "sample", "placeholder")


def one_room(config: dict[str, Any]) -> bool:
    """Say whether this is the embedded default for one meeting room: SQLite, no https
    public address, no proxy. Anywhere else the secret key must be given."""
    database = str(config["SQLALCHEMY_DATABASE_URI"])
    public = str(config.get("PUBLIC_URL") or "")
    return (
        database.startswith("sqlite")
        and not public.startswith("https://")
        and not int(config.get("PROXY_HOPS") or 0)
    )


def key_problem(key: str | None, named: str, needed: bool, made: bool) -> str | None:
    """Return why a secret key may not sign sessions (None: it may). `made`: the key was
    made in the instance folder, which only the one-room default may do (`needed`: it is
    not that). The line says how to make one."""
    make = f"set it to a key made with: {MAKE_KEY}"
    if made or not key:
        if needed:
            return f"{named} is not set, and only the one-room default makes its own: {make}"
        return None
    if any(word in key.lower() for word in SAMPLE_WORDS):
        return f"{named} is a sample or made-up value that others could know: {make}"
    if len(key) < KEY_LENGTH:
        return f"{named} is {len(key)} characters long, and needs at least {KEY_LENGTH}: {make}"
    if len(set(key)) < 8:
        return f"{named} repeats a few characters, so it could be guessed: {make}"
    return None


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
