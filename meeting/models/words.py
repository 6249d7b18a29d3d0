"""The young person's own words and work: what they (or their advocate, speaking for
them) gave on each item, and the statement, drawing or photo they attached."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

if TYPE_CHECKING:
    from .meetings import Attendee, Item, Meeting


class OwnWords(Base):
    """What the young person said on one item, in their own words; one entry per person
    who gave them (the young person, or their advocate speaking for them)."""

    __tablename__ = "own_words"
    __table_args__ = (UniqueConstraint("item_id", "attendee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendee.id"), index=True)
    # Given by their advocate, speaking for them, rather than by the young person.
    for_them: Mapped[bool] = mapped_column(default=False)
    text: Mapped[str] = mapped_column(Text, default="")
    given_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped["Item"] = relationship(back_populates="own_words")
    attendee: Mapped["Attendee"] = relationship()


# The media types work is kept as, found from its content (never from its name).
MEDIA_TYPES = ("image/png", "image/jpeg", "application/pdf")


class OwnWork(Base):
    """A statement, drawing or photo of one the young person (or their advocate) attached:
    kept as sent (an image re-encoded without its metadata), never shown as a page."""

    __tablename__ = "own_work"
    __table_args__ = (
        CheckConstraint(
            "media_type IN ('image/png', 'image/jpeg', 'application/pdf')", name="media_type"
        ),
        CheckConstraint("size > 0", name="size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    # The item it is about; None: the meeting as a whole.
    item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id"), index=True)
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendee.id"), index=True)
    for_them: Mapped[bool] = mapped_column(default=False)
    # The file's name as the person's device gave it: shown, never used to find a type.
    name: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    # Only loaded when the work itself is fetched.
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    given_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Whether the chair put it on the shared display.
    on_display: Mapped[bool] = mapped_column(default=False)

    meeting: Mapped["Meeting"] = relationship()
    item: Mapped["Item | None"] = relationship(back_populates="own_work")
    attendee: Mapped["Attendee"] = relationship()

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")
