"""What the meeting decided: decisions, each rater's view on them, and the actions agreed."""

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, enum_column, utcnow
from .states import DecisionStatus

if TYPE_CHECKING:
    from .meetings import Attendee, Item, Meeting


class Decision(Base):
    """What the meeting decided on an item, with the fields that make it defensible."""

    __tablename__ = "decision"
    __table_args__ = (CheckConstraint("version >= 0", name="version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), unique=True)
    status: Mapped[DecisionStatus] = mapped_column(
        enum_column(DecisionStatus, 12), default=DecisionStatus.DRAFT
    )
    # Goes up each time the decision is recorded again, so views say which wording they answer.
    version: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(Text, default="")
    rationale: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    options: Mapped[str] = mapped_column(Text, default="")
    benefits: Mapped[str] = mapped_column(Text, default="")
    cost_of_restriction: Mapped[str] = mapped_column(Text, default="")
    least_restrictive: Mapped[str] = mapped_column(Text, default="")
    child_views: Mapped[str] = mapped_column(Text, default="")
    child_views_missing: Mapped[str] = mapped_column(Text, default="")
    legal_bases: Mapped[list[str]] = mapped_column(JSON, default=list)
    legal_note: Mapped[str] = mapped_column(Text, default="")
    protective_action: Mapped[str] = mapped_column(Text, default="")
    review_date: Mapped[date | None]
    review_triggers: Mapped[str] = mapped_column(Text, default="")
    # What the meeting expects by the review if the plan is followed, one forecast a line.
    forecast: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Where the item should be by the review: a position on its scale (safety at least this
    # score; likelihood × severity at most this score's band) or, on a choice list, an option.
    target_point: Mapped[int | None]
    target_choice: Mapped[str | None] = mapped_column(String(200))
    # At a review, when the rating moved against what was done (safer while the plan was
    # not carried out, or less safe when it all was): the question asked and the new
    # evidence the chair recorded as the answer, before the decision could be recorded.
    change_question: Mapped[str] = mapped_column(Text, default="", server_default="")
    change_evidence: Mapped[str] = mapped_column(Text, default="", server_default="")
    recorded_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped["Item"] = relationship(back_populates="decision")
    views: Mapped[list["View"]] = relationship(
        back_populates="decision", order_by="View.id", cascade="all, delete-orphan"
    )

    @property
    def recorded(self) -> bool:
        return self.status == DecisionStatus.RECORDED

    @property
    def forecasts(self) -> list[str]:
        return [line.strip() for line in self.forecast.splitlines() if line.strip()]


class View(Base):
    """One person's response to a decision: agreement, or their minority view in their words."""

    __tablename__ = "view"
    __table_args__ = (UniqueConstraint("decision_id", "attendee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id"), index=True)
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendee.id"), index=True)
    # None until they answer; the chair may note how a minority rating was considered first.
    agrees: Mapped[bool | None]
    text: Mapped[str] = mapped_column(Text, default="")
    by_chair: Mapped[bool] = mapped_column(default=False)
    decision_version: Mapped[int] = mapped_column(default=0)
    recorded_at: Mapped[datetime | None]
    considered: Mapped[str] = mapped_column(Text, default="")
    escalate: Mapped[bool] = mapped_column(default=False)
    escalate_to: Mapped[str] = mapped_column(String(200), default="")
    respond_by: Mapped[date | None]

    decision: Mapped[Decision] = relationship(back_populates="views")
    attendee: Mapped["Attendee"] = relationship()

    @property
    def considered_shown(self) -> tuple[Any, ...]:
        """What the form for how the meeting considered this view shows."""
        return (self.considered, self.escalate, self.escalate_to, self.respond_by)


class Action(Base):
    """Who does what by when: one owner, their agency, a due date."""

    __tablename__ = "action"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id"), index=True)
    what: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("attendee.id"), index=True)
    owner_name: Mapped[str] = mapped_column(String(120))
    agency: Mapped[str] = mapped_column(String(120), default="")
    due: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]
    withdrawn_reason: Mapped[str] = mapped_column(Text, default="")

    meeting: Mapped["Meeting"] = relationship(back_populates="actions")
    item: Mapped["Item | None"] = relationship()
    owner: Mapped["Attendee | None"] = relationship()
