"""A child's case across meetings: the meetings about one child, what happened between
them (the chronology, review triggers), what became of the actions, and how the forecasts
each decision made turned out.

What a later meeting says about an earlier one is added, never written over it: an
action's status and a forecast's result are lines of their own, the latest one standing.
"""

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, enum_column, utcnow
from .states import ActionStatus, ForecastResult

if TYPE_CHECKING:
    from .decisions import Action, Decision
    from .meetings import Chair, Meeting


class ChildCase(Base):
    """One child's case: every meeting about them, from the first to the latest review."""

    __tablename__ = "child_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    child: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("chair.id"), index=True)

    created_by: Mapped["Chair"] = relationship()
    meetings: Mapped[list["Meeting"]] = relationship(
        back_populates="case", order_by="(Meeting.starts_at, Meeting.id)"
    )
    chronology: Mapped[list["ChronologyEntry"]] = relationship(
        back_populates="case",
        order_by="(ChronologyEntry.happened_on, ChronologyEntry.id)",
        cascade="all, delete-orphan",
    )
    triggers: Mapped[list["ReviewTrigger"]] = relationship(
        back_populates="case", order_by="ReviewTrigger.id", cascade="all, delete-orphan"
    )


class ChronologyEntry(Base):
    """A significant event in the child's life: when, what happened, which agency says so."""

    __tablename__ = "chronology_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("child_case.id"), index=True)
    # The meeting it was added before or during, whose minutes carry it (None: added on the
    # case page with no meeting yet to come; the next meeting made for the case takes it).
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"), index=True)
    happened_on: Mapped[date]
    what: Mapped[str] = mapped_column(Text)
    agency: Mapped[str] = mapped_column(String(120))
    added_by: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[ChildCase] = relationship(back_populates="chronology")


class ReviewTrigger(Base):
    """Something happened that the decision said would bring its review forward."""

    __tablename__ = "review_trigger"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("child_case.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The review meeting made to answer it; None while the review is still due.
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"), index=True)

    case: Mapped[ChildCase] = relationship(back_populates="triggers")
    answered_by: Mapped["Meeting | None"] = relationship()


class ActionUpdate(Base):
    """What became of an action, as its owner or the chair said at a later meeting."""

    __tablename__ = "action_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), index=True)
    # The review it was said for.
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    status: Mapped[ActionStatus] = mapped_column(enum_column(ActionStatus, 12))
    note: Mapped[str] = mapped_column(Text, default="")
    by_name: Mapped[str] = mapped_column(String(200))
    # Set by the action's owner from their own device, rather than by the chair.
    by_owner: Mapped[bool] = mapped_column(default=False)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    action: Mapped["Action"] = relationship()


class ForecastOutcome(Base):
    """What happened against one line of what an earlier decision forecast for its review."""

    __tablename__ = "forecast_outcome"
    __table_args__ = (CheckConstraint("line >= 1", name="line"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id"), index=True)
    # The review that answered it.
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    # Which line of the decision's forecast, from 1, and what it said then.
    line: Mapped[int]
    forecast: Mapped[str] = mapped_column(Text)
    result: Mapped[ForecastResult] = mapped_column(enum_column(ForecastResult, 12))
    note: Mapped[str] = mapped_column(Text, default="")
    by_name: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    decision: Mapped["Decision"] = relationship()
