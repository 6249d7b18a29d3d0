"""The core of the record: chairs, meetings, agenda items, the people in them, the event log.

Times are stored as naive UTC; templates convert them with the `localtime` filter.
"""

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, enum_column, utcnow
from .states import AttendeeStatus, Channel, CopyGroup, MeetingKind, MeetingStatus, Part, Scale

if TYPE_CHECKING:
    from .cases import ChildCase
    from .decisions import Action, Decision
    from .rating import Contribution, Round
    from .reports import AgencyReport
    from .words import OwnWords, OwnWork


class Chair(Base):
    """Someone who runs meetings: logs in with an email address and a password."""

    __tablename__ = "chair"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    agency: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Goes up at every log-out: a session cookie made before then no longer logs anyone in.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")

    meetings: Mapped[list["Meeting"]] = relationship(back_populates="chair")


class SetupCode(Base):
    """The one-time code that lets the first chair account be created."""

    __tablename__ = "setup_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Meeting(Base):
    """One meeting about one child: its details, agenda, people, and the minutes' draft."""

    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    chair_id: Mapped[int] = mapped_column(ForeignKey("chair.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[MeetingKind] = mapped_column(enum_column(MeetingKind))
    child: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(200), default="")
    join_code: Mapped[str] = mapped_column(String(12), unique=True)
    display_token: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[MeetingStatus] = mapped_column(
        enum_column(MeetingStatus), default=MeetingStatus.SETUP
    )
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
    # The child's case it belongs to, and the meeting it reviews (None: the case's first).
    case_id: Mapped[int | None] = mapped_column(ForeignKey("child_case.id"), index=True)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"), index=True)
    # Whether the family (parents, carers, the young person) rate, on their own track.
    family_rates: Mapped[bool] = mapped_column(default=True, server_default=sa_true())
    # A part of the discussion the family is out of (not an item of its own): while it
    # runs, their devices show a holding screen.
    family_out: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # Whether the family sees the shared display (by video, or in the room): if so, it is
    # drawn as for the family, and holds while a restricted part runs.
    family_sees_display: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # Whether the display and the phones show a reveal without names (values, reasons and
    # minority marks only); the chair's cockpit, the minutes and the record keep every name.
    reveal_unnamed: Mapped[bool] = mapped_column(default=False, server_default=sa_false())

    chair: Mapped[Chair] = relationship(back_populates="meetings")
    case: Mapped["ChildCase | None"] = relationship(back_populates="meetings")
    previous: Mapped["Meeting | None"] = relationship(remote_side=[id])
    items: Mapped[list["Item"]] = relationship(
        back_populates="meeting", order_by="Item.position", cascade="all, delete-orphan"
    )
    attendees: Mapped[list["Attendee"]] = relationship(
        back_populates="meeting", order_by="Attendee.id", cascade="all, delete-orphan"
    )
    actions: Mapped[list["Action"]] = relationship(
        back_populates="meeting", order_by="Action.id", cascade="all, delete-orphan"
    )
    # The agencies' reports expected before it, in the order the chair listed them.
    reports: Mapped[list["AgencyReport"]] = relationship(
        back_populates="meeting", order_by="AgencyReport.id", cascade="all, delete-orphan"
    )

    @property
    def kind_label(self) -> str:
        return MeetingKind(self.kind).label

    @property
    def current_item(self) -> "Item | None":
        return next((i for i in self.items if i.id == self.current_item_id), None)

    @property
    def seat(self) -> "Attendee":
        """The chair's own seat in their meeting."""
        return next(a for a in self.attendees if a.is_chair)

    @property
    def details_shown(self) -> tuple[Any, ...]:
        """What the form for the meeting's details shows (an edit over another is refused)."""
        return (self.title, self.kind, self.child, self.starts_at, self.place, self.seat.role)

    @property
    def draft_shown(self) -> tuple[Any, ...]:
        """What the form for the draft minutes shows."""
        return (self.minutes_summary, self.minutes_withheld, self.minutes_undecided_reason)


class Item(Base):
    """An agenda item: the assessment under discussion and the scale it is rated on."""

    __tablename__ = "item"
    __table_args__ = (CheckConstraint("position >= 1", name="position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    scale: Mapped[Scale] = mapped_column(enum_column(Scale, 12))
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Restricted from the family (third-party information): nothing of it reaches them.
    restricted: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # The same item at the meeting this one reviews, which it was copied from.
    previous_item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id"), index=True)
    # When the chair edited or confirmed an item copied from the last meeting; until then
    # it is marked "from the last meeting: review before the meeting".
    confirmed_at: Mapped[datetime | None]

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    previous_item: Mapped["Item | None"] = relationship(remote_side=[id])
    rounds: Mapped[list["Round"]] = relationship(
        back_populates="item", order_by="Round.number", cascade="all, delete-orphan"
    )
    decision: Mapped["Decision | None"] = relationship(
        back_populates="item", cascade="all, delete-orphan"
    )
    contributions: Mapped[list["Contribution"]] = relationship(
        back_populates="item", order_by="Contribution.id", cascade="all, delete-orphan"
    )
    # The young person's own words and work on it: first wherever the item is shown.
    own_words: Mapped[list["OwnWords"]] = relationship(
        back_populates="item", order_by="OwnWords.id", cascade="all, delete-orphan"
    )
    own_work: Mapped[list["OwnWork"]] = relationship(
        back_populates="item", order_by="OwnWork.id", cascade="all, delete-orphan"
    )

    @property
    def open_round(self) -> "Round | None":
        return next((r for r in self.rounds if r.revealed_at is None), None)

    @property
    def shown(self) -> tuple[Any, ...]:
        """What the item's form shows."""
        return (self.title, self.body, self.scale, self.choices)


class Attendee(Base):
    """Someone in the meeting: joined with a code, listed with apologies, or the chair's seat."""

    __tablename__ = "attendee"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(120), default="")
    agency: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[AttendeeStatus] = mapped_column(
        enum_column(AttendeeStatus), default=AttendeeStatus.WAITING
    )
    observer: Mapped[bool] = mapped_column(default=False)
    # Who they are in the meeting: said when joining, confirmed or changed by the chair.
    part: Mapped[Part] = mapped_column(
        enum_column(Part, 16), default=Part.PROFESSIONAL, server_default=Part.PROFESSIONAL
    )
    # How they take part: in the room, on video, on a phone line, on paper.
    channel: Mapped[Channel] = mapped_column(
        enum_column(Channel, 8), default=Channel.ROOM, server_default=Channel.ROOM
    )
    is_chair: Mapped[bool] = mapped_column(default=False)
    email: Mapped[str] = mapped_column(String(254), default="")
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    admitted_at: Mapped[datetime | None]
    left_at: Mapped[datetime | None]
    # The secret in this person's link to their copy of the minutes, made when first sent,
    # and anew once the chair withdrew it or its time ran out (see circulation.reader_links).
    reader_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # When that link was last sent or made: it works for a set number of days from then.
    reader_issued_at: Mapped[datetime | None]
    # Which copy of the minutes they get; None: the one for their part in the meeting.
    copy_group: Mapped[CopyGroup | None] = mapped_column(enum_column(CopyGroup))
    # The device they joined from, so it can offer them one tap at the case's next
    # meeting: the SHA-256 digest of the case and the device's random token, never the
    # token itself (see `joining.returning`).
    device_digest: Mapped[str | None] = mapped_column(String(64), index=True)
    # The same person at an earlier meeting of the case, whose details they joined with
    # (one tap on the same device, or their invitation's link).
    previous_attendee_id: Mapped[int | None] = mapped_column(ForeignKey("attendee.id"), index=True)

    meeting: Mapped[Meeting] = relationship(back_populates="attendees")
    previous_attendee: Mapped["Attendee | None"] = relationship(remote_side=[id])

    @property
    def present(self) -> bool:
        return self.status == AttendeeStatus.ADMITTED and self.left_at is None

    @property
    def family_side(self) -> bool:
        """Whether they are the family or speak for the young person (see `Part`)."""
        return Part(self.part).family_side

    @property
    def part_label(self) -> str:
        """Who they are in the meeting, in words ("Parent or carer")."""
        return Part(self.part).label

    @property
    def channel_label(self) -> str:
        """How they take part, in words ("On a phone line")."""
        return Channel(self.channel).label

    @property
    def shown_as(self) -> str:
        """What stands beside their name where an agency would: a professional's agency,
        anyone else's part."""
        if self.part == Part.PROFESSIONAL and self.agency:
            return self.agency
        return self.part_label

    @property
    def may_rate(self) -> bool:
        if self.family_side and not self.meeting.family_rates:
            return False
        return self.present and not self.observer

    @property
    def recipient_shown(self) -> tuple[Any, ...]:
        """What the form for where their minutes go shows."""
        return (self.email, self.copy_group)


class Event(Base):
    """An append-only line of the meeting's history: who did what, when.

    The lines form a hash chain: each holds the hash of the one before it, and the ones
    that record a rating, a view, a decision or an action hold what it said. See
    `record.chain` for how the chain is made, `record.verify` for how it is checked.
    """

    __tablename__ = "event"
    __table_args__ = (UniqueConstraint("meeting_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    # The line's place in its meeting's chain, from 1.
    seq: Mapped[int]
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(300))
    # What a change replaced, so nothing in the record is edited without a trace.
    detail: Mapped[str] = mapped_column(Text, default="")
    # The record this line is about ("rating:12"), and what it said, as canonical JSON.
    subject: Mapped[str] = mapped_column(String(40), default="", server_default="", index=True)
    content: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Random, so a hash shown to someone cannot be matched by guessing a rating.
    nonce: Mapped[str] = mapped_column(String(32), server_default="")
    prev: Mapped[str] = mapped_column(String(64), server_default="")
    hash: Mapped[str] = mapped_column(String(64), server_default="")
