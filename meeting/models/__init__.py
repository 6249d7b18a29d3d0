"""The schema: every table of the record, one module per part of the meeting.

The tables live together because every area reads the core ones (meetings, items, the
people in them). Import them from here; `states` holds the words they store.
"""

from .base import AnySession, Base, session_of, utcnow
from .cases import ActionUpdate, ChildCase, ChronologyEntry, ForecastOutcome, ReviewTrigger
from .decisions import Action, Decision, View
from .links import EndedLink, Invitation, LinkOpening
from .meetings import Attendee, Chair, Event, Item, Meeting, SetupCode
from .minutes import (
    Correction,
    Delivery,
    LetterDelivery,
    LetterDraft,
    LetterVersion,
    MinutesVersion,
)
from .once import FormToken
from .rating import Contribution, Rating, Round
from .reports import AgencyReport
from .states import (
    ENTERED_BY_CHAIR,
    ActionStatus,
    AttendeeStatus,
    Basis,
    Channel,
    CopyGroup,
    CorrectionStatus,
    DecisionStatus,
    DeliveryResult,
    ForecastResult,
    Given,
    LinkEnd,
    MeetingKind,
    MeetingStatus,
    Part,
    ReportStatus,
    Scale,
    Sureness,
    Track,
    word_of,
)
from .words import MEDIA_TYPES, OwnWords, OwnWork

__all__ = [
    "AgencyReport",
    "ENTERED_BY_CHAIR",
    "AnySession",
    "Action",
    "ActionStatus",
    "ActionUpdate",
    "ChildCase",
    "ChronologyEntry",
    "ForecastOutcome",
    "ForecastResult",
    "ReviewTrigger",
    "Attendee",
    "AttendeeStatus",
    "Base",
    "Basis",
    "Chair",
    "Channel",
    "Contribution",
    "CopyGroup",
    "Correction",
    "CorrectionStatus",
    "Decision",
    "DecisionStatus",
    "Delivery",
    "DeliveryResult",
    "EndedLink",
    "Event",
    "FormToken",
    "Invitation",
    "Given",
    "Item",
    "LetterDelivery",
    "LetterDraft",
    "LetterVersion",
    "LinkEnd",
    "LinkOpening",
    "Meeting",
    "MeetingKind",
    "MeetingStatus",
    "MEDIA_TYPES",
    "MinutesVersion",
    "OwnWork",
    "OwnWords",
    "Rating",
    "Round",
    "Part",
    "ReportStatus",
    "Scale",
    "Sureness",
    "Track",
    "SetupCode",
    "View",
    "session_of",
    "utcnow",
    "word_of",
]
