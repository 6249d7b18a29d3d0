"""Blind rating: rounds, the ratings in them, and absent agencies' written contributions."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, enum_column, utcnow
from .states import Basis, Given, Sureness, Track

if TYPE_CHECKING:
    from .meetings import Attendee, Item


def on_the_scales() -> tuple[CheckConstraint, ...]:
    """Make the checks that a value lies on its scale: safety 0–10, likelihood and severity 1–5."""
    return (
        CheckConstraint("score IS NULL OR score BETWEEN 0 AND 10", name="score"),
        CheckConstraint("likelihood IS NULL OR likelihood BETWEEN 1 AND 5", name="likelihood"),
        CheckConstraint("severity IS NULL OR severity BETWEEN 1 AND 5", name="severity"),
    )


class Round(Base):
    """One blind rating round on an item; never reopened once revealed."""

    __tablename__ = "round"
    __table_args__ = (
        UniqueConstraint("item_id", "number"),
        CheckConstraint("number >= 1", name="number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    number: Mapped[int]
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    revealed_at: Mapped[datetime | None]
    # Who could rate at the moment of the reveal, so "did not rate" never changes later.
    expected_ids: Mapped[list[int] | None] = mapped_column(JSON)
    # Likelihood × severity rounds: before (inherent) or after (residual) control measures.
    basis: Mapped[Basis | None] = mapped_column(enum_column(Basis, 12))
    controls: Mapped[str] = mapped_column(Text, default="")
    # A wide spread must be acknowledged by the chair before a decision is recorded.
    divergence_acknowledged_at: Mapped[datetime | None]
    divergence_note: Mapped[str] = mapped_column(Text, default="")
    # The meeting's log as the reveal found it: its last line before the reveal and that
    # line's hash, so no rating can be added or changed afterwards without it showing.
    sealed_seq: Mapped[int | None]
    sealed_head: Mapped[str] = mapped_column(String(64), default="", server_default="")

    item: Mapped["Item"] = relationship(back_populates="rounds")
    ratings: Mapped[list["Rating"]] = relationship(
        back_populates="round", order_by="Rating.id", cascade="all, delete-orphan"
    )


class Rating(Base):
    """One person's rating in one round, with their reason and when they gave it."""

    __tablename__ = "rating"
    __table_args__ = (
        UniqueConstraint("round_id", "attendee_id"),
        *on_the_scales(),
        CheckConstraint("low IS NULL OR low BETWEEN 0 AND 25", name="low"),
        CheckConstraint("high IS NULL OR high BETWEEN 0 AND 25", name="high"),
        CheckConstraint("low IS NULL OR high IS NULL OR low <= high", name="low_to_high"),
        # "I can't rate this yet" carries no value at all.
        CheckConstraint(
            "needs = '' OR (score IS NULL AND likelihood IS NULL AND severity IS NULL "
            "AND choice IS NULL AND low IS NULL AND high IS NULL)",
            name="needs_no_value",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendee.id"), index=True)
    score: Mapped[int | None]
    likelihood: Mapped[int | None]
    severity: Mapped[int | None]
    choice: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(300), default="")
    # How uncertain: the lowest and highest the rater thinks plausible, as positions on the
    # scale (safety 0–10; likelihood × severity 1–25), and how sure they are. Optional.
    low: Mapped[int | None]
    high: Mapped[int | None]
    sure: Mapped[Sureness | None] = mapped_column(enum_column(Sureness, 8))
    # "I can't rate this yet: I need …": an answer with no value, counted apart, never as one.
    needs: Mapped[str] = mapped_column(Text, default="", server_default="")
    first_submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A written contribution from an absent agency, entered by the chair before the meeting.
    written: Mapped[bool] = mapped_column(default=False)
    report: Mapped[str] = mapped_column(Text, default="")
    # Whose view it is: the professionals' ratings are pooled; the family's stand beside them.
    track: Mapped[Track] = mapped_column(
        enum_column(Track, 16), default=Track.PROFESSIONALS, server_default=Track.PROFESSIONALS
    )

    # How it reached the round: on the rater's own device, or entered by the chair (read out
    # on a phone line, from a paper slip, told privately), or a written contribution.
    given: Mapped[Given] = mapped_column(
        enum_column(Given, 8), default=Given.DEVICE, server_default=Given.DEVICE
    )

    round: Mapped[Round] = relationship(back_populates="ratings")
    attendee: Mapped["Attendee"] = relationship()

    @property
    def cannot_rate(self) -> bool:
        """Whether this answer is "I can't rate this yet", with no value."""
        return bool(self.needs)


class Contribution(Base):
    """An absent agency's written report and rating for an item, counted in its first round."""

    __tablename__ = "contribution"
    __table_args__ = (UniqueConstraint("item_id", "attendee_id"), *on_the_scales())

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendee.id"), index=True)
    report: Mapped[str] = mapped_column(Text, default="")
    score: Mapped[int | None]
    likelihood: Mapped[int | None]
    severity: Mapped[int | None]
    choice: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(300), default="")
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped["Item"] = relationship(back_populates="contributions")
    attendee: Mapped["Attendee"] = relationship()
