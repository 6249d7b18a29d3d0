"""Dates and times as the meeting's people read them: the deployment's local time zone."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app


def zone() -> ZoneInfo:
    """Return the deployment's time zone (MEETING_TIMEZONE)."""
    return ZoneInfo(current_app.config["MEETING_TIMEZONE"])


def local_today() -> date:
    """Return today's date where the meeting is held."""
    return datetime.now(zone()).date()


def parse_date(raw: str | None) -> date | None:
    """Read a date typed as YYYY-MM-DD (a browser date field); None when blank."""
    raw = (raw or "").strip()
    return date.fromisoformat(raw) if raw else None


def future_date(raw: str | None, errors: dict[str, str], field: str, what: str) -> date | None:
    """Read a required date that is today or later; note any problem in `errors`."""
    try:
        picked = parse_date(raw)
    except ValueError:
        errors[field] = f"Enter {what} as a date, e.g. {local_today():%Y-%m-%d}."
        return None
    if picked is None:
        errors[field] = f"Enter {what}."
    elif picked < local_today():
        errors[field] = f"{what.capitalize()} cannot be in the past ({picked:%-d %b %Y})."
    return picked


def utc_from_local_time(raw: str | None, on: date | None = None) -> datetime:
    """Turn a local clock time typed today (HH:MM) into naive UTC; blank means now."""
    raw = (raw or "").strip()
    if not raw:
        return datetime.now(UTC).replace(tzinfo=None)
    clock = time.fromisoformat(raw)
    moment = datetime.combine(on or local_today(), clock, tzinfo=zone())
    return moment.astimezone(UTC).replace(tzinfo=None)
