"""Agencies' reports to a meeting: each one expected, received, shared with the parents,
and any part of it withheld from the family, which only the chair sees."""

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .states import ReportStatus

if TYPE_CHECKING:
    from .meetings import Meeting


class AgencyReport(Base):
    """The report one agency was asked to send before a meeting.

    Where it stands follows from its dates: expected until it is received, then shared
    with the parents ("no surprises"). A part of it can be withheld from the family
    (third-party information): what it is and why are for the chair alone.
    """

    __tablename__ = "agency_report"
    __table_args__ = (
        # Shared with the parents only once it was received, and not before.
        CheckConstraint(
            "shared_on IS NULL OR (received_on IS NOT NULL AND shared_on >= received_on)",
            name="shared_after_received",
        ),
        # A part withheld from the family always says why.
        CheckConstraint("withheld_summary = '' OR withheld_reason <> ''", name="withheld_why"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    agency: Mapped[str] = mapped_column(String(120))
    # Who writes it, if the chair knows (a name, a role).
    author: Mapped[str] = mapped_column(String(120), default="")
    received_on: Mapped[date | None]
    shared_on: Mapped[date | None]
    # The part withheld from the family, in the chair's words, and why: never shown to
    # anyone but the chair, nor in the family's copy of the minutes.
    withheld_summary: Mapped[str] = mapped_column(Text, default="")
    withheld_reason: Mapped[str] = mapped_column(Text, default="")
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped["Meeting"] = relationship(back_populates="reports")

    @property
    def status(self) -> ReportStatus:
        """Where the report stands, from its dates."""
        if self.shared_on is not None:
            return ReportStatus.SHARED
        if self.received_on is not None:
            return ReportStatus.RECEIVED
        return ReportStatus.EXPECTED

    @property
    def withheld(self) -> bool:
        """Whether a part of it is withheld from the family."""
        return bool(self.withheld_summary)

    @property
    def name(self) -> str:
        """How the report is named in a sentence: its agency, and who writes it."""
        return f"{self.agency} ({self.author})" if self.author else self.agency

    @property
    def shown(self) -> tuple[Any, ...]:
        """What the form correcting it shows (an edit over another is refused)."""
        return (self.author, self.received_on, self.shared_on)

    @property
    def withheld_shown(self) -> tuple[Any, ...]:
        """What the form for its withheld part shows."""
        return (self.withheld_summary, self.withheld_reason)
