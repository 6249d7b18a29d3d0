"""The secrets in links people open: those that stopped working, and each opening of one.

A link that stopped working is kept only as the SHA-256 digest of its secret, so it can be
recognised (and answered with why it no longer works) without being kept anywhere that
would open anything.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, enum_column, utcnow
from .meetings import Attendee, Meeting
from .states import LinkEnd


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
