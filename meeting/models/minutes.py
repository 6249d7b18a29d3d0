"""The minutes after the meeting: frozen versions, each delivery of them, corrections, and the
chair's letter to the young person (its draft, its frozen versions and their deliveries)."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, enum_column, utcnow
from .meetings import Attendee, Meeting
from .states import CopyGroup, CorrectionStatus, DeliveryResult


class MinutesVersion(Base):
    """One issue of the minutes, frozen when made: never edited, only followed by another."""

    __tablename__ = "minutes_version"
    __table_args__ = (
        UniqueConstraint("meeting_id", "number"),
        CheckConstraint("number >= 1", name="number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    number: Mapped[int]
    made_at: Mapped[datetime] = mapped_column(default=utcnow)
    made_by: Mapped[str] = mapped_column(String(200))
    # The plain record and edition the Markdown was rendered from, kept for later copies.
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    edition: Mapped[dict[str, Any]] = mapped_column(JSON)
    markdown: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
    circulated_at: Mapped[datetime | None]

    meeting: Mapped[Meeting] = relationship()
    deliveries: Mapped[list["Delivery"]] = relationship(
        back_populates="version", order_by="Delivery.id", cascade="all, delete-orphan"
    )


class Delivery(Base):
    """One attempt to send one person their copy of one version, and what came of it."""

    __tablename__ = "delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("minutes_version.id"), index=True)
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendee.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    # The group the copy was cut for; None: the full minutes.
    copy_group: Mapped[CopyGroup | None] = mapped_column(enum_column(CopyGroup))
    copy_digest: Mapped[str] = mapped_column(String(64))
    # When the sender took this attempt up; while it is pending, the sender notes the time
    # again whenever it takes up the next one of its batch, so a stalled one shows as lost.
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    result: Mapped[DeliveryResult] = mapped_column(enum_column(DeliveryResult, 12))
    detail: Mapped[str] = mapped_column(Text, default="")

    version: Mapped[MinutesVersion] = relationship(back_populates="deliveries")
    attendee: Mapped[Attendee] = relationship()

    @property
    def delivered(self) -> bool:
        return self.result in (DeliveryResult.SENT, DeliveryResult.OUTBOX)


class Correction(Base):
    """A recipient's request to correct the minutes, and the chair's answer."""

    __tablename__ = "correction"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendee.id"), index=True)
    against_version: Mapped[int]
    section: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[CorrectionStatus] = mapped_column(
        enum_column(CorrectionStatus, 12), default=CorrectionStatus.PENDING
    )
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None]
    # The version that first carries the answer (accepted: the version it made).
    in_version: Mapped[int | None]

    meeting: Mapped[Meeting] = relationship()
    attendee: Mapped[Attendee] = relationship()


class LetterDraft(Base):
    """The chair's letter to the young person as it is being written: one per meeting."""

    __tablename__ = "letter_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), unique=True)
    markdown: Mapped[str] = mapped_column(Text)
    # The minutes version its first draft was written from.
    from_version: Mapped[int]
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)
    saved_by: Mapped[str] = mapped_column(String(200))

    meeting: Mapped[Meeting] = relationship()

    @property
    def shown(self) -> tuple[str, str]:
        """What the letter's forms show, fingerprinted so an edit over a newer one is refused."""
        return self.markdown, self.saved_at.isoformat()


class LetterVersion(Base):
    """One letter as it was sent: frozen when sent, never edited, only followed by another."""

    __tablename__ = "letter_version"
    __table_args__ = (
        UniqueConstraint("meeting_id", "number"),
        CheckConstraint("number >= 1", name="number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    number: Mapped[int]
    made_at: Mapped[datetime] = mapped_column(default=utcnow)
    made_by: Mapped[str] = mapped_column(String(200))
    markdown: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
    # Whom it was sent to (the young person, or their advocate), and the address.
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendee.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))

    meeting: Mapped[Meeting] = relationship()
    attendee: Mapped[Attendee] = relationship()
    deliveries: Mapped[list["LetterDelivery"]] = relationship(
        back_populates="version", order_by="LetterDelivery.id", cascade="all, delete-orphan"
    )


class LetterDelivery(Base):
    """One attempt to send one version of the letter, and what came of it."""

    __tablename__ = "letter_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("letter_version.id"), index=True)
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendee.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    result: Mapped[DeliveryResult] = mapped_column(enum_column(DeliveryResult, 12))
    detail: Mapped[str] = mapped_column(Text, default="")

    version: Mapped[LetterVersion] = relationship(back_populates="deliveries")
    attendee: Mapped[Attendee] = relationship()

    @property
    def delivered(self) -> bool:
        return self.result in (DeliveryResult.SENT, DeliveryResult.OUTBOX)
