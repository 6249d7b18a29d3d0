"""How a setting's text is read: each reader returns the value, or raises ValueError.

The message of the ValueError, when it has one, says what in particular is wrong; what
the setting wants is said by its row in `settings.READINGS`. Nothing here reads the
environment or knows Flask.
"""

import re
from collections.abc import Callable
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

YES = ("1", "yes", "true", "on")
NO = ("0", "no", "false", "off")
# An email address as a person writes one: something, @, a domain with a dot in it.
ADDRESS = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\".]+")
# A host name or an IP address: no scheme, no port, no path, no spaces.
HOST = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]")


def text(value: str) -> str:
    """Return the text as given."""
    return value


def lines(value: str) -> list[str]:
    """Return the text's lines that hold something, each without its spaces around it."""
    return [line.strip() for line in value.splitlines() if line.strip()]


def one_of(*choices: str) -> Callable[[str], str]:
    """Return a reader of one of these words, in any case."""

    def read(value: str) -> str:
        if value.lower() not in choices:
            raise ValueError
        return value.lower()

    return read


def token(least: int) -> Callable[[str], str]:
    """Return a reader of a secret at least `least` characters long, with no spaces."""

    def read(value: str) -> str:
        if len(value) < least or any(character.isspace() for character in value):
            raise ValueError
        return value

    return read


def whole_number(least: int = 0, most: int | None = None) -> Callable[[str], int]:
    """Return a reader of a whole number from `least` to `most`."""

    def read(value: str) -> int:
        if not value.isdigit():
            raise ValueError
        number = int(value)
        if number < least or (most is not None and number > most):
            raise ValueError
        return number

    return read


def yes_no(value: str) -> bool:
    """Return True for 1, yes, true or on; False for 0, no, false or off."""
    if value.lower() in YES:
        return True
    if value.lower() in NO:
        return False
    raise ValueError


def hours(value: str) -> float:
    """Return a number of hours more than none, such as 12 or 1.5."""
    try:
        number = float(value)
    except ValueError:
        raise ValueError from None
    if not 0 < number < float("inf"):
        raise ValueError
    return number


def time_zone(value: str) -> str:
    """Return a time zone's name that the system's time zone database knows."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError from None
    return value


def web_address(value: str) -> str:
    """Return an address starting http:// or https:// and a host, with no query or fragment."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - reading it checks it
    except ValueError:
        raise ValueError from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError
    if parts.query or parts.fragment or " " in value:
        raise ValueError
    return value


def host(value: str) -> str:
    """Return a host name or an IP address, alone."""
    if not HOST.fullmatch(value):
        raise ValueError
    return value


def email_address(value: str) -> str:
    """Return an email address, alone or after a name (Name <someone@example.org>)."""
    _name, address = parseaddr(value)
    if not ADDRESS.fullmatch(address):
        raise ValueError
    return value


def email_addresses(value: str) -> list[str]:
    """Return the email addresses in the text, separated by commas or spaces."""
    found = value.replace(",", " ").split()
    for address in found:
        if not ADDRESS.fullmatch(address):
            raise ValueError(f"{address!r} is not an email address")
    return found


def prefix(value: str) -> str:
    """Return a name for keys: letters, digits and - _ . : only."""
    if not re.fullmatch(r"[A-Za-z0-9_.:-]+", value):
        raise ValueError
    return value


def allowance(value: str) -> str:
    """Return a rate limit such as '10 per minute' or '5 per 15 minutes'."""
    from limits import parse_many

    try:
        parse_many(value)
    except ValueError:
        raise ValueError from None
    return value


def database_url(value: str) -> str:
    """Return a SQLAlchemy database address whose database and driver this server has."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        url = make_url(value)
    except (ArgumentError, ValueError):
        raise ValueError from None
    try:
        dialect = url.get_dialect()
    except NoSuchModuleError:
        raise ValueError(f"no database called {url.drivername!r} is known") from None
    try:
        dialect.import_dbapi()
    except ImportError:
        hint = "; use postgresql+psycopg://" if url.get_backend_name() == "postgresql" else ""
        raise ValueError(f"its driver for {url.drivername!r} is not installed{hint}") from None
    return value


def redis_url(value: str) -> str:
    """Return a Redis address: redis:// or rediss:// and a host, or unix:// and a socket."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - reading it checks it
    except ValueError:
        raise ValueError from None
    if parts.scheme in ("redis", "rediss") and parts.hostname:
        return value
    if parts.scheme == "unix" and parts.path:
        return value
    raise ValueError


def shown(url: str) -> str:
    """Return an address as it may be printed: without any password in it."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        where = parts.hostname or ""
        if parts.port:
            where += f":{parts.port}"
    except ValueError:
        return re.sub(r":[^:@/]*@", ":***@", url)
    where = f"{parts.username or ''}:***@{where}"
    return urlunsplit(parts._replace(netloc=where))


Reader = Callable[[str], Any]
