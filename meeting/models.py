"""The record: chairs, meetings, agenda items, attendees, rounds, ratings, decisions,
minority views, actions, the event log, and the minutes' versions, deliveries and corrections.

Times are stored as naive UTC; templates convert them with the `localtime` filter.
"""

from datetime import UTC, date, datetime

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
# Someone the chair lists who is not in the room: sent apologies, perhaps a written report.
ABSENT = "absent"
DRAFT, RECORDED = "draft", "recorded"
INHERENT, RESIDUAL = "inherent", "residual"


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
    # Why the meeting went on although it was not quorate (the chair's words).
    inquorate_reason: Mapped[str] = mapped_column(Text, default="")
    # The minutes' draft: the chair's summary, why undecided items go out, what is withheld.
    minutes_summary: Mapped[str] = mapped_column(Text, default="")
    minutes_undecided_reason: Mapped[str] = mapped_column(Text, default="")
    # Section key ("summary", "item-2") -> recipient groups it is not for.
    minutes_withheld: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)

    chair: Mapped[Chair] = relationship(back_populates="meetings")
    items: Mapped[list["Item"]] = relationship(
        back_populates="meeting", order_by="Item.position", cascade="all, delete-orphan"
    )
    attendees: Mapped[list["Attendee"]] = relationship(
        back_populates="meeting", order_by="Attendee.id", cascade="all, delete-orphan"
    )
    actions: Mapped[list["Action"]] = relationship(
        back_populates="meeting", order_by="Action.id", cascade="all, delete-orphan"
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
    decision: Mapped["Decision | None"] = relationship(
        back_populates="item", cascade="all, delete-orphan"
    )
    contributions: Mapped[list["Contribution"]] = relationship(
        back_populates="item", order_by="Contribution.id", cascade="all, delete-orphan"
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
    email: Mapped[str] = mapped_column(String(254), default="")
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    admitted_at: Mapped[datetime | None]
    left_at: Mapped[datetime | None]
    # The secret in this person's link to their copy of the minutes, made when first circulated.
    reader_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Which copy of the minutes they get ("family", "professionals"); None: worked out.
    copy_group: Mapped[str | None] = mapped_column(String(20))

    meeting: Mapped[Meeting] = relationship(back_populates="attendees")

    @property
    def present(self) -> bool:
        return self.status == ADMITTED and self.left_at is None

    @property
    def may_rate(self) -> bool:
        return self.present and not self.observer


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
    # Likelihood × severity rounds: before (inherent) or after (residual) control measures.
    basis: Mapped[str | None] = mapped_column(String(12))
    controls: Mapped[str] = mapped_column(Text, default="")
    # A wide spread must be acknowledged by the chair before a decision is recorded.
    divergence_acknowledged_at: Mapped[datetime | None]
    divergence_note: Mapped[str] = mapped_column(Text, default="")

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
    # A written contribution from an absent agency, entered by the chair before the meeting.
    written: Mapped[bool] = mapped_column(default=False)
    report: Mapped[str] = mapped_column(Text, default="")

    round: Mapped[Round] = relationship(back_populates="ratings")
    attendee: Mapped[Attendee] = relationship()


class Contribution(db.Model):
    """An absent agency's written report and rating for an item, counted in its first round."""

    __table_args__ = (UniqueConstraint("item_id", "attendee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendee.id"))
    report: Mapped[str] = mapped_column(Text, default="")
    score: Mapped[int | None]
    likelihood: Mapped[int | None]
    severity: Mapped[int | None]
    choice: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(300), default="")
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[Item] = relationship(back_populates="contributions")
    attendee: Mapped[Attendee] = relationship()


class Decision(db.Model):
    """What the meeting decided on an item, with the fields that make it defensible."""

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), unique=True)
    status: Mapped[str] = mapped_column(String(12), default=DRAFT)
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
    recorded_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[Item] = relationship(back_populates="decision")
    views: Mapped[list["View"]] = relationship(
        back_populates="decision", order_by="View.id", cascade="all, delete-orphan"
    )


class View(db.Model):
    """One person's response to a decision: agreement, or their minority view in their words."""

    __table_args__ = (UniqueConstraint("decision_id", "attendee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id"))
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendee.id"))
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
    attendee: Mapped[Attendee] = relationship()


class Action(db.Model):
    """Who does what by when: one owner, their agency, a due date."""

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id"))
    what: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("attendee.id"))
    owner_name: Mapped[str] = mapped_column(String(120))
    agency: Mapped[str] = mapped_column(String(120), default="")
    due: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]
    withdrawn_reason: Mapped[str] = mapped_column(Text, default="")

    meeting: Mapped[Meeting] = relationship(back_populates="actions")
    item: Mapped[Item | None] = relationship()
    owner: Mapped[Attendee | None] = relationship()


class Event(db.Model):
    """An append-only line of the meeting's history: who did what, when."""

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(300))
    # What a change replaced, so nothing in the record is edited without a trace.
    detail: Mapped[str] = mapped_column(Text, default="")


PENDING, ACCEPTED, DECLINED = "pending", "accepted", "declined"


class MinutesVersion(db.Model):
    """One issue of the minutes, frozen when made: never edited, only followed by another."""

    __table_args__ = (UniqueConstraint("meeting_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    number: Mapped[int]
    made_at: Mapped[datetime] = mapped_column(default=utcnow)
    made_by: Mapped[str] = mapped_column(String(200))
    # The plain record and edition the Markdown was rendered from, kept for later copies.
    record: Mapped[dict] = mapped_column(JSON)
    edition: Mapped[dict] = mapped_column(JSON)
    markdown: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
    circulated_at: Mapped[datetime | None]

    meeting: Mapped[Meeting] = relationship()
    deliveries: Mapped[list["Delivery"]] = relationship(
        back_populates="version", order_by="Delivery.id", cascade="all, delete-orphan"
    )


class Delivery(db.Model):
    """One attempt to send one person their copy of one version, and what came of it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("minutes_version.id"))
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendee.id"))
    email: Mapped[str] = mapped_column(String(254))
    copy_group: Mapped[str | None] = mapped_column(String(20))
    copy_digest: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    # "sent", "outbox" (written as an .eml file), "refused" or "failed".
    result: Mapped[str] = mapped_column(String(12))
    detail: Mapped[str] = mapped_column(Text, default="")

    version: Mapped[MinutesVersion] = relationship(back_populates="deliveries")
    attendee: Mapped[Attendee] = relationship()

    @property
    def delivered(self) -> bool:
        return self.result in ("sent", "outbox")


class Correction(db.Model):
    """A recipient's request to correct the minutes, and the chair's answer."""

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendee.id"))
    against_version: Mapped[int]
    section: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(12), default=PENDING)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None]
    # The version that first carries the answer (accepted: the version it made).
    in_version: Mapped[int | None]

    attendee: Mapped[Attendee] = relationship()
