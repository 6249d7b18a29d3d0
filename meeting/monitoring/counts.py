"""The figures `/metrics` shows, kept by each server process for itself.

A process counts what it does: the live connections it holds, the requests it answers (by
route, never by address), and the ratings and emails whose results it saved. Those are
counted once the database has committed them, so a change refused or rolled back is not
counted. What every process shares, how many meetings are running and how many emails are
still waiting to go, is read from the database when a scraper asks.

No figure names a person, a child, a meeting's title, a token or a rating's value: labels
come from short fixed lists (a route's pattern, a status, a kind of email).
"""

from collections.abc import Iterable
from functools import partial
from itertools import chain
from typing import Any

from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    disable_created_metrics,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session

from ..models import (
    AnySession,
    Delivery,
    DeliveryResult,
    Given,
    Invitation,
    LetterDelivery,
    Meeting,
    MeetingStatus,
    Rating,
)
from ..release import VERSION

# A counter's `_created` series (when this process started counting) says nothing a
# scraper needs, and would double what it reads.
disable_created_metrics()
REGISTRY = CollectorRegistry(auto_describe=True)
# The process's own memory, CPU, open files and garbage collection, as every exporter has.
for standard in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
    REGISTRY.register(standard)

BUILD = Info("meeting_build", "The release this process runs.", registry=REGISTRY)
BUILD.info({"version": VERSION})

# What kind of page holds each live connection.
KINDS = ("display", "chair", "attendee", "waiting")
CONNECTIONS = Gauge(
    "meeting_live_connections",
    "Live connections (Socket.IO) this process holds, by the page holding each: a display, "
    "a chair's page, an admitted attendee's, or someone waiting to be admitted.",
    ["kind"],
    registry=REGISTRY,
)
REQUEST_SECONDS = Histogram(
    "meeting_http_request_duration_seconds",
    "Time to answer a request, by method and route (the address's pattern, never the address).",
    ["method", "route"],
    registry=REGISTRY,
)
RESPONSES = Counter(
    "meeting_http_responses",
    "Requests answered, by method, route and status code.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
RATINGS = Counter(
    "meeting_ratings_recorded",
    "Ratings saved, new or changed before the reveal, by how each reached its round.",
    ["given"],
    registry=REGISTRY,
)
MAIL = Counter(
    "meeting_mail",
    "Emails whose result was saved, by what they carried (minutes, letter, invitation) and "
    "what became of them (sent: taken by the mail server; outbox: written to the outbox "
    "folder; refused: the mail server refused the address; failed: not sent).",
    ["kind", "result"],
    registry=REGISTRY,
)

# Each kind of email, by the table that keeps its attempts.
MAILED: dict[type[Delivery | LetterDelivery | Invitation], str] = {
    Delivery: "minutes",
    LetterDelivery: "letter",
    Invitation: "invitation",
}
DONE = (DeliveryResult.SENT, DeliveryResult.OUTBOX, DeliveryResult.REFUSED, DeliveryResult.FAILED)
# What a session has flushed that is counted once it commits.
_PENDING = "meeting.monitoring.pending"
# Each live connection this process holds, by its Socket.IO id: what kind of page holds it.
_HELD: dict[str, str] = {}


def _start_at_zero() -> None:
    """Show every series from the start, so a rate or an alert has a zero to begin from."""
    for kind in KINDS:
        CONNECTIONS.labels(kind).set_function(partial(_held, kind))
    for given in Given:
        RATINGS.labels(given.value)
    for mailed in MAILED.values():
        for result in DONE:
            MAIL.labels(mailed, result.value)


def _held(kind: str) -> float:
    return sum(1 for held in list(_HELD.values()) if held == kind)


_start_at_zero()


def connected(sid: str, kind: str) -> None:
    """Count a live connection this process took, by the kind of page holding it."""
    _HELD[sid] = kind


def disconnected(sid: str) -> None:
    """Stop counting a live connection that closed (one never counted is no matter)."""
    _HELD.pop(sid, None)


def answered(method: str, route: str, status: int, seconds: float) -> None:
    """Count a request answered and how long it took, by its route's pattern."""
    REQUEST_SECONDS.labels(method, route).observe(seconds)
    RESPONSES.labels(method, route, str(status)).inc()


def watch() -> None:
    """Count ratings and emails as the database commits them, in every session (once)."""
    for name, listener in (
        ("after_flush", _flushed),
        ("after_commit", _committed),
        ("after_rollback", _rolled_back),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def _flushed(session: Session, _context: Any) -> None:
    """Note the ratings and emails' results this flush saves, to count once committed."""
    noted: list[tuple[Counter, tuple[str, ...]]] = session.info.setdefault(_PENDING, [])
    for thing in chain(session.new, session.dirty):
        if isinstance(thing, Rating) and _changed(thing, "submitted_at"):
            # A rating made without saying how is the column's default: on a device.
            noted.append((RATINGS, (Given(thing.given or Given.DEVICE).value,)))
        kind = MAILED.get(type(thing))
        if kind is not None and _changed(thing, "result") and thing.result in DONE:
            noted.append((MAIL, (kind, DeliveryResult(thing.result).value)))


def _changed(thing: object, attribute: str) -> bool:
    history = inspect(thing).attrs[attribute].history
    return bool(history.added) and list(history.added) != list(history.deleted)


def _committed(session: Session) -> None:
    for counter, labels in session.info.pop(_PENDING, []):
        counter.labels(*labels).inc()


def _rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)


class Database(Collector):
    """The figures every process shares, read from the database when a scraper asks."""

    def __init__(self, session: AnySession) -> None:
        self.session = session

    def collect(self) -> Iterable[GaugeMetricFamily]:
        """Return how many meetings are in each state, and how many emails wait to go."""
        meetings = GaugeMetricFamily(
            "meeting_meetings",
            "Meetings in the database, by state: setup, running (in progress), closed. The "
            "same on every process.",
            labels=["status"],
        )
        by_status = select(Meeting.status, func.count()).group_by(Meeting.status)
        found = {status: count for status, count in self.session.execute(by_status)}
        for status in MeetingStatus:
            meetings.add_metric([status.value], found.get(status, 0))
        waiting = GaugeMetricFamily(
            "meeting_mail_waiting",
            "Emails queued or being sent, by what they carry. The same on every process.",
            labels=["kind"],
        )
        for table, kind in MAILED.items():
            pending = select(func.count()).where(table.result == DeliveryResult.PENDING)
            count = self.session.scalar(pending)
            waiting.add_metric([kind], count or 0)
        return [meetings, waiting]
