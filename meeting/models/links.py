"""The secrets in links people open: those that stopped working, each opening of one, and
the invitations to a review, each with a link of its own.

A link that stopped working is kept only as the SHA-256 digest of its secret, so it can be
recognised (and answered with why it no longer works) without being kept anywhere that
would open anything.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, enum_column, utcnow
from .meetings import Attendee, Meeting
from .states import DeliveryResult, LinkEnd


class EndedLink(Base):
    """A link that no longer works: the display link or a recipient's link to the minutes,
    withdrawn by the chair, or a recipient's link whose time ran out and was replaced."""

    __tablename__ = "ended_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    # Whose link to the minutes it was; None: the meeting's display link.
    attendee_id: Mapped[int | None] = mapped_column(ForeignKey("attendee.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    why: Mapped[LinkEnd] = mapped_column(enum_column(LinkEnd, 12))
    # When the chair withdrew it, or when its time ran out.
    ended_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship()
    attendee: Mapped[Attendee | None] = relationship()


class LinkOpening(Base):
    """One time a link was opened: a recipient's minutes (a page or a file), or the display."""

    __tablename__ = "link_opening"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    # Whose link it was; None: the meeting's display link.
    attendee_id: Mapped[int | None] = mapped_column(ForeignKey("attendee.id"), index=True)
    # What was opened, as the chair reads it: "version 2", "version 2 (.docx)", "the display".
    what: Mapped[str] = mapped_column(String(80))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)


class Invitation(Base):
    """An email inviting someone from the meeting a review follows to the review, with a
    personal link that joins them as they were then; and what came of sending it.

    The link's secret is kept only as its SHA-256 digest: the email holds the only copy.
    """

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The review they are invited to: the link works for it alone, until it closes.
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    # Who they were at the meeting it reviews: the details the link joins them with.
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendee.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by: Mapped[str] = mapped_column(String(200))
    # When the chair sent it, then when the mail server (or the outbox) took it up.
    invited_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    result: Mapped[DeliveryResult] = mapped_column(enum_column(DeliveryResult, 12))
    detail: Mapped[str] = mapped_column(Text, default="")

    meeting: Mapped[Meeting] = relationship()
    attendee: Mapped[Attendee] = relationship()

    @property
    def delivered(self) -> bool:
        return self.result in (DeliveryResult.SENT, DeliveryResult.OUTBOX)
