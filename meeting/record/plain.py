"""How the record writes times and dates as plain data: UTC with `Z`, and `YYYY-MM-DD`."""

from datetime import date, datetime


def stamp(moment: datetime | None) -> str | None:
    """Return a stored (naive UTC) time as ISO 8601 with `Z`, or None."""
    return moment.isoformat(timespec="seconds") + "Z" if moment else None


def day(value: date | None) -> str | None:
    """Return a date as `YYYY-MM-DD`, or None."""
    return value.isoformat() if value else None
