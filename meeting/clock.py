"""Dates and times as the meeting's people read them: the local time zone and working days.

Plain Python: the time zone and the calendar come in as arguments (see `policy`).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays


def local_today(zone: ZoneInfo) -> date:
    """Return today's date where the meeting is held."""
    return datetime.now(zone).date()


def parse_date(raw: str | None) -> date | None:
    """Read a date typed as YYYY-MM-DD (a browser date field); None when blank."""
    raw = (raw or "").strip()
    return date.fromisoformat(raw) if raw else None


def future_date(
    raw: str | None, errors: dict[str, str], field: str, what: str, today: date
) -> date | None:
    """Read a required date that is `today` or later; note any problem in `errors`."""
    try:
        picked = parse_date(raw)
    except ValueError:
        errors[field] = f"Enter {what} as a date, e.g. {today:%Y-%m-%d}."
        return None
    if picked is None:
        errors[field] = f"Enter {what}."
    elif picked < today:
        errors[field] = f"{what.capitalize()} cannot be in the past ({picked:%-d %b %Y})."
    return picked


def utc_from_local_time(raw: str | None, zone: ZoneInfo, on: date | None = None) -> datetime:
    """Turn a local clock time typed today (HH:MM) into naive UTC; blank means now."""
    raw = (raw or "").strip()
    if not raw:
        return datetime.now(UTC).replace(tzinfo=None)
    clock = time.fromisoformat(raw)
    moment = datetime.combine(on or local_today(zone), clock, tzinfo=zone)
    return moment.astimezone(UTC).replace(tzinfo=None)


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    """Return the local date of a stored (naive UTC) time."""
    return moment.replace(tzinfo=UTC).astimezone(zone).date()


@lru_cache(maxsize=64)
def _public_holidays(country: str, region: str, years: tuple[int, ...]) -> frozenset[date]:
    # Built once per set of years: the meeting list works out a clock for every meeting.
    return frozenset(holidays.country_holidays(country, subdiv=region, years=years))


@dataclass(frozen=True)
class WorkingDays:
    """A calendar of working days: no weekends, the region's public holidays, closure days."""

    country: str = "GB"
    region: str = "ENG"
    closures: frozenset[date] = frozenset()

    def _closed(self, years: range) -> frozenset[date]:
        return _public_holidays(self.country, self.region, tuple(years)) | self.closures

    def add(self, start: date, count: int) -> date:
        """Return the date `count` working days after `start`."""
        closed = self._closed(range(start.year, start.year + 2 + count // 200))
        day = start
        while count > 0:
            day += timedelta(days=1)
            if day.weekday() < 5 and day not in closed:
                count -= 1
        return day

    def on_or_after(self, day: date) -> date:
        """Return `day` if it is a working day, else the next working day after it."""
        return self.add(day - timedelta(days=1), 1)

    def between(self, start: date, end: date) -> int:
        """Count working days after `start` up to and including `end` (negative if earlier)."""
        if end < start:
            return -self.between(end, start)
        closed = self._closed(range(start.year, end.year + 1))
        days = (start + timedelta(n) for n in range(1, (end - start).days + 1))
        return sum(1 for day in days if day.weekday() < 5 and day not in closed)
