"""Dates and times as the meeting's people read them: the local time zone, working days."""

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
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


def local_date(moment: datetime) -> date:
    """Return the local date of a stored (naive UTC) time."""
    return moment.replace(tzinfo=UTC).astimezone(zone()).date()


def _closed_days(years: range) -> frozenset[date]:
    config = current_app.config
    return _public_holidays(
        config["WORKING_DAYS_COUNTRY"],
        config["WORKING_DAYS_REGION"],
        tuple(years),
    ) | {date.fromisoformat(d) for d in config["CLOSURE_DAYS"]}


@lru_cache(maxsize=64)
def _public_holidays(country: str, region: str, years: tuple[int, ...]) -> frozenset[date]:
    # Built once per set of years: the meeting list works out a clock for every meeting.
    return frozenset(holidays.country_holidays(country, subdiv=region, years=years))


def is_working_day(day: date, closed: set[date]) -> bool:
    return day.weekday() < 5 and day not in closed


def add_working_days(start: date, count: int) -> date:
    """Return the date `count` working days after `start` (weekends and bank holidays skipped)."""
    closed = _closed_days(range(start.year, start.year + 2 + count // 200))
    day = start
    while count > 0:
        day += timedelta(days=1)
        if is_working_day(day, closed):
            count -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Count working days after `start` up to and including `end` (negative if `end` is earlier)."""
    if end < start:
        return -working_days_between(end, start)
    closed = _closed_days(range(start.year, end.year + 1))
    return sum(
        1 for n in range(1, (end - start).days + 1) if is_working_day(start + timedelta(n), closed)
    )
