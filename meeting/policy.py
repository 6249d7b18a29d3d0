"""How a deployment runs its meetings: its time zone, calendar, deadlines and local words.

A `Policy` is made from the app's configuration by the web layer and handed to the rules
that need it, so no rule reads configuration itself.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NotRequired, TypedDict
from zoneinfo import ZoneInfo

from .clock import WorkingDays, local_today

CHILDRENS_SOCIAL_CARE = "Children's social care"
# Agencies as people type them ("CSC", "Met Police", "school nurse"), folded to one name each.
# A deployment can replace this with AGENCY_ALIASES in its instance config.
AGENCY_ALIASES: dict[str, list[str]] = {
    CHILDRENS_SOCIAL_CARE: [
        "social care",
        "social work",
        "social services",
        "children's services",
        "childrens services",
        "csc",
    ],
    "Police": ["police", "constabulary"],
    "Health": ["health", "nhs", "gp", "nurse", "hospital", "camhs", "midwife", "paediatric"],
    "Education": ["school", "education", "college", "academy", "nursery"],
    "Residential care": ["children's home", "childrens home", "residential"],
    "Probation": ["probation"],
    "Youth justice": ["youth justice", "yot", "youth offending"],
    "Housing": ["housing"],
    "Advocacy": ["advocate", "advocacy"],
}


class QuorumRule(TypedDict):
    """Agencies that must be there, how many agencies in all, and the rule in words.

    The chair's own service and observers (advocates, minute-takers, family) do not make
    a meeting quorate, unless a deployment's rule sets `counts_chair` or
    `counts_observers`.
    """

    requires: list[str]
    at_least: int
    text: str
    counts_chair: NotRequired[bool]
    counts_observers: NotRequired[bool]


# Per meeting kind. A deployment can replace this with QUORUM_RULES in its instance config.
QUORUM_RULES: dict[str, QuorumRule] = {
    "cp_conference": {
        "requires": [CHILDRENS_SOCIAL_CARE],
        "at_least": 3,
        "text": "children's social care and at least two other agencies",
    },
    "strategy": {
        "requires": [CHILDRENS_SOCIAL_CARE, "Police", "Health"],
        "at_least": 3,
        "text": "children's social care, police and health",
    },
    "prt_review": {"requires": [], "at_least": 2, "text": "at least two agencies"},
    "placement_review": {"requires": [], "at_least": 2, "text": "at least two agencies"},
}


LEGAL_BASES = [
    "Children Act 1989 s.1 (welfare checklist)",
    "Children Act 1989 s.17 (child in need)",
    "Children Act 1989 s.47 (enquiries)",
    "Human Rights Act 1998 Art. 8 (necessity and proportionality)",
    "Mental Capacity Act 2005 (16 and over)",
    "Working Together to Safeguard Children",
]


@dataclass(frozen=True)
class Policy:
    """The settings the rules work with, as plain values."""

    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/London"))
    working_days: WorkingDays = WorkingDays()
    # Agencies as people type them, folded to one name each; and the quorum per meeting kind.
    agency_aliases: Mapping[str, Sequence[str]] = field(default_factory=lambda: AGENCY_ALIASES)
    quorum_rules: Mapping[str, QuorumRule] = field(default_factory=lambda: QUORUM_RULES)
    # The legal and policy bases a decision can cite: the standard list, then the deployment's.
    legal_bases: tuple[str, ...] = tuple(LEGAL_BASES)
    # Minutes: deadlines in working days from the close, and the corrections window.
    summary_days: int = 5
    due_days: int = 15
    correction_window_days: int = 10
    # How many days a recipient's link to the minutes works, from when it was last sent
    # (0 or less: it does not run out).
    reader_link_days: int = 90
    # Printed at the top of every page of the minutes, e.g. "OFFICIAL-SENSITIVE".
    protective_marking: str = "OFFICIAL-SENSITIVE"
    # Chair accounts (by email) who may open every child's case, e.g. a service manager.
    case_managers: frozenset[str] = frozenset()
    # Whether an admitted professional, not only the chair, may record a review trigger.
    triggers_by_professionals: bool = False

    def today(self) -> date:
        """Return today's date where the meetings are held."""
        return local_today(self.zone)


def from_config(config: Mapping[str, Any]) -> Policy:
    """Read a Policy from a Flask-style configuration mapping."""
    extra = [b for b in config.get("LEGAL_BASES_EXTRA") or [] if b not in LEGAL_BASES]
    return Policy(
        zone=ZoneInfo(config["MEETING_TIMEZONE"]),
        working_days=WorkingDays(
            config["WORKING_DAYS_COUNTRY"],
            config["WORKING_DAYS_REGION"],
            frozenset(date.fromisoformat(d) for d in config["CLOSURE_DAYS"]),
        ),
        agency_aliases=config.get("AGENCY_ALIASES", AGENCY_ALIASES),
        quorum_rules=config.get("QUORUM_RULES", QUORUM_RULES),
        legal_bases=(*LEGAL_BASES, *extra),
        summary_days=config["MINUTES_SUMMARY_DAYS"],
        due_days=config["MINUTES_DUE_DAYS"],
        correction_window_days=config["CORRECTION_WINDOW_DAYS"],
        reader_link_days=int(config["READER_LINK_DAYS"]),
        protective_marking=config["PROTECTIVE_MARKING"],
        case_managers=frozenset(e.strip().lower() for e in config.get("CASE_MANAGERS") or []),
        triggers_by_professionals=bool(config.get("TRIGGERS_BY_PROFESSIONALS")),
    )
