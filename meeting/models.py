"""The record: chairs, meetings, agenda items, attendees, rounds, ratings, events.

Times are stored as naive UTC; templates convert them with the `localtime` filter.
"""

from datetime import UTC, datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db


def utcnow() -> datetime:
    """Return the current time as naive UTC, the form every stored time takes."""
    return datetime.now(UTC).replace(tzinfo=None)


MEETING_KINDS = {
    "cp_conference": "Child-protection conference",
    "strategy": "Strategy discussion",
    "prt_review": "Positive-risk-taking review",
    "placement_review": "Placement risk review",
    "other": "Other meeting",
}

SETUP, RUNNING, CLOSED = "setup", "running", "closed"
WAITING, ADMITTED, TURNED_AWAY = "waiting", "admitted", "turned_away"


class Chair(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    agency: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meetings: Mapped[list["Meeting"]] = relationship(back_populates="chair")


class SetupCode(db.Model):
    """The one-time code that lets the first chair account be created."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Meeting(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    chair_id: Mapped[int] = mapped_column(ForeignKey("chair.id"))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    child: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(200), default="")
    join_code: Mapped[str] = mapped_column(String(12), unique=True)
    display_token: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(12), default=SETUP)
    current_item_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    chair: Mapped[Chair] = relationship(back_populates="meetings")
    items: Mapped[list["Item"]] = relationship(
        back_populates="meeting", order_by="Item.position", cascade="all, delete-orphan"
    )
    attendees: Mapped[list["Attendee"]] = relationship(
        back_populates="meeting", order_by="Attendee.id", cascade="all, delete-orphan"
    )

    @property
    def kind_label(self) -> str:
        return MEETING_KINDS.get(self.kind, self.kind)

    @property
    def current_item(self) -> "Item | None":
        return next((i for i in self.items if i.id == self.current_item_id), None)


class Item(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    scale: Mapped[str] = mapped_column(String(12))
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    rounds: Mapped[list["Round"]] = relationship(
        back_populates="item", order_by="Round.number", cascade="all, delete-orphan"
    )

    @property
    def open_round(self) -> "Round | None":
        return next((r for r in self.rounds if r.revealed_at is None), None)


class Attendee(db.Model):
    """Someone in the meeting: joined with a code, or the chair's own seat."""

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(120), default="")
    agency: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[str] = mapped_column(String(12), default=WAITING)
    observer: Mapped[bool] = mapped_column(default=False)
    is_chair: Mapped[bool] = mapped_column(default=False)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    admitted_at: Mapped[datetime | None]

    meeting: Mapped[Meeting] = relationship(back_populates="attendees")

    @property
    def may_rate(self) -> bool:
        return self.status == ADMITTED and not self.observer


class Round(db.Model):
    """One blind rating round on an item; never reopened once revealed."""

    __table_args__ = (UniqueConstraint("item_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    number: Mapped[int]
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    revealed_at: Mapped[datetime | None]
    # Who could rate at the moment of the reveal, so "did not rate" never changes later.
    expected_ids: Mapped[list[int] | None] = mapped_column(JSON)

    item: Mapped[Item] = relationship(back_populates="rounds")
    ratings: Mapped[list["Rating"]] = relationship(
        back_populates="round", order_by="Rating.id", cascade="all, delete-orphan"
    )


class Rating(db.Model):
    __table_args__ = (UniqueConstraint("round_id", "attendee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"))
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendee.id"))
    score: Mapped[int | None]
    likelihood: Mapped[int | None]
    severity: Mapped[int | None]
    choice: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(300), default="")
    first_submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)

    round: Mapped[Round] = relationship(back_populates="ratings")
    attendee: Mapped[Attendee] = relationship()


class Event(db.Model):
    """An append-only line of the meeting's history: who did what, when."""

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(300))
