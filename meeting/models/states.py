"""The closed sets of words the record uses: statuses, kinds, scales and results.

Each is a `StrEnum`, so a value reads and stores as its plain word ("closed"), and the
database refuses any other word through a CHECK constraint (see `base.enum_column`).
"""

from enum import StrEnum
from typing import TypeVar

E = TypeVar("E", bound=StrEnum)


def word_of(kind: type[E], raw: object) -> E | None:
    """Return the member of `kind` that a typed or submitted word names, or None."""
    if not isinstance(raw, str):
        return None
    try:
        return kind(raw)
    except ValueError:
        return None


class MeetingKind(StrEnum):
    """What sort of meeting it is; the kind sets the quorum rule."""

    CP_CONFERENCE = "cp_conference"
    STRATEGY = "strategy"
    PRT_REVIEW = "prt_review"
    PLACEMENT_REVIEW = "placement_review"
    OTHER = "other"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    MeetingKind.CP_CONFERENCE: "Child-protection conference",
    MeetingKind.STRATEGY: "Strategy discussion",
    MeetingKind.PRT_REVIEW: "Positive-risk-taking review",
    MeetingKind.PLACEMENT_REVIEW: "Placement risk review",
    MeetingKind.OTHER: "Other meeting",
}


class MeetingStatus(StrEnum):
    """Where a meeting is: being set up, running, or closed (read-only from then on)."""

    SETUP = "setup"
    RUNNING = "running"
    CLOSED = "closed"


class AttendeeStatus(StrEnum):
    """Where a person stands: waiting to be let in, admitted, turned away, or absent.

    Absent people are listed by the chair: they sent apologies, perhaps a written report.
    """

    WAITING = "waiting"
    ADMITTED = "admitted"
    TURNED_AWAY = "turned_away"
    ABSENT = "absent"


class Part(StrEnum):
    """Who someone is in the meeting, as they said when joining and the chair confirmed.

    It decides whether their rating joins the professionals' or the family's track, which
    copy of the minutes they get, whether they count towards the quorum and whether the
    parts restricted from the family reach them.
    """

    PROFESSIONAL = "professional"
    PARENT = "parent"
    FAMILY = "family"
    YOUNG_PERSON = "young_person"
    ADVOCATE = "advocate"
    INTERPRETER = "interpreter"
    OBSERVER = "observer"

    @property
    def label(self) -> str:
        return PART_LABELS[self]

    @property
    def family_side(self) -> bool:
        """Whether they are the family or speak for it: the family copy, the family's track,
        and out of the room for the parts restricted from the family."""
        return self in FAMILY_SIDE

    @property
    def rates(self) -> bool:
        """Whether this part gives ratings at all (an interpreter or observer does not)."""
        return self not in (Part.INTERPRETER, Part.OBSERVER)


PART_LABELS = {
    Part.PROFESSIONAL: "Professional",
    Part.PARENT: "Parent or carer",
    Part.FAMILY: "Family member",
    Part.YOUNG_PERSON: "The young person",
    Part.ADVOCATE: "The young person's advocate",
    Part.INTERPRETER: "Interpreter",
    Part.OBSERVER: "Observer",
}
FAMILY_SIDE = frozenset({Part.PARENT, Part.FAMILY, Part.YOUNG_PERSON, Part.ADVOCATE})


class ReportStatus(StrEnum):
    """Where an agency's report to a meeting stands; worked out from its dates, not stored."""

    EXPECTED = "expected"
    RECEIVED = "received"
    SHARED = "shared"


class Channel(StrEnum):
    """How someone takes part: in the room, on video, on a phone line, or on paper (in the
    room without a device). Said when joining, or by the chair; it is how the chair knows
    whose rating to take by voice or from a slip."""

    ROOM = "room"
    VIDEO = "video"
    PHONE = "phone"
    PAPER = "paper"

    @property
    def label(self) -> str:
        return CHANNEL_LABELS[self]

    @property
    def has_device(self) -> bool:
        """Whether they rate on a device of their own (the chair enters the others')."""
        return self in (Channel.ROOM, Channel.VIDEO)


CHANNEL_LABELS = {
    Channel.ROOM: "In the room",
    Channel.VIDEO: "On video",
    Channel.PHONE: "On a phone line",
    Channel.PAPER: "On paper",
}


class Given(StrEnum):
    """How a rating reached the round: on the rater's own device, or entered by the chair
    (read out on a phone line, from a paper slip, told to the chair privately), or an absent
    agency's written contribution counted in round 1."""

    DEVICE = "device"
    PHONE = "phone"
    PAPER = "paper"
    TOLD = "told"
    WRITTEN = "written"

    @property
    def label(self) -> str:
        return GIVEN_LABELS[self]


GIVEN_LABELS = {
    Given.DEVICE: "on their own device",
    Given.PHONE: "read out to the chair on a phone line",
    Given.PAPER: "on a paper slip",
    Given.TOLD: "told to the chair privately",
    Given.WRITTEN: "a written contribution",
}
# What the chair can enter a rating as, in the words of the chair's form.
ENTERED_BY_CHAIR = (Given.PHONE, Given.PAPER, Given.TOLD)


class Sureness(StrEnum):
    """How sure a rater is of their rating, said with it (optional)."""

    SURE = "sure"
    FAIRLY = "fairly"
    UNSURE = "unsure"

    @property
    def label(self) -> str:
        return SURENESS_LABELS[self]


SURENESS_LABELS = {
    Sureness.SURE: "Sure",
    Sureness.FAIRLY: "Fairly sure",
    Sureness.UNSURE: "Not sure",
}


class Track(StrEnum):
    """Whose view a rating is: the professionals' (pooled) or the family's (beside it)."""

    PROFESSIONALS = "professionals"
    FAMILY = "family"


class Scale(StrEnum):
    """The scale an agenda item is rated on."""

    SAFETY = "safety"
    LXS = "lxs"
    CHOICE = "choice"


class Basis(StrEnum):
    """What a likelihood × severity round rates: the risk before or after control measures."""

    INHERENT = "inherent"
    RESIDUAL = "residual"


class DecisionStatus(StrEnum):
    """A decision is the chair's draft until it is recorded for everyone to see."""

    DRAFT = "draft"
    RECORDED = "recorded"


class CopyGroup(StrEnum):
    """Which copy of the minutes someone gets (the keys of `minutes.GROUPS`)."""

    FAMILY = "family"
    PROFESSIONALS = "professionals"


class DeliveryResult(StrEnum):
    """What came of one attempt to send someone their copy of the minutes."""

    PENDING = "pending"  # queued, or being sent in the background
    SENT = "sent"  # accepted by the mail server
    OUTBOX = "outbox"  # written as an .eml file to the outbox folder
    REFUSED = "refused"  # the mail server refused the address
    FAILED = "failed"  # the mail server could not be reached, or the file not written


class CorrectionStatus(StrEnum):
    """A correction waits for the chair, who accepts or declines it."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class LinkEnd(StrEnum):
    """Why a link stopped working: the chair withdrew it, or its time ran out."""

    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class ActionStatus(StrEnum):
    """What became of an action by the review that looks back on it."""

    DONE = "done"
    PARTLY = "partly"
    NOT_DONE = "not_done"
    NOT_NEEDED = "not_needed"

    @property
    def label(self) -> str:
        return ACTION_STATUS_LABELS[self]

    @property
    def closes(self) -> bool:
        """Whether the action is finished with (done, or no longer needed)."""
        return self in (ActionStatus.DONE, ActionStatus.NOT_NEEDED)


ACTION_STATUS_LABELS = {
    ActionStatus.DONE: "Done",
    ActionStatus.PARTLY: "Partly done",
    ActionStatus.NOT_DONE: "Not done",
    ActionStatus.NOT_NEEDED: "No longer needed",
}


class ForecastResult(StrEnum):
    """How what happened compares with what a decision forecast for its review."""

    MET = "met"
    PARTLY = "partly"
    NOT_MET = "not_met"

    @property
    def label(self) -> str:
        return FORECAST_RESULT_LABELS[self]


FORECAST_RESULT_LABELS = {
    ForecastResult.MET: "Met",
    ForecastResult.PARTLY: "Partly met",
    ForecastResult.NOT_MET: "Not met",
}
