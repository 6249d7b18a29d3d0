"""Quorum: the agencies present, read as people type them, against the meeting kind's rule."""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NotRequired, TypedDict

from ..agenda.meetings import writable
from ..errors import Invalid, Refused
from ..models import Attendee, Meeting
from ..record.log import log

if TYPE_CHECKING:
    from ..policy import Policy

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
# Family members take part but are not agencies, so they do not count towards quorum.
NOT_AGENCIES = ("parent", "family", "mother", "father", "young person", "grandparent")


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


def agency_key(typed: str, aliases: Mapping[str, Sequence[str]]) -> str | None:
    """Return the agency a typed agency name stands for, or None for family members."""
    folded = " ".join(typed.replace("’", "'").casefold().split())
    words = set(re.findall(r"[\w']+", folded))
    if not folded or any(term in folded for term in NOT_AGENCIES):
        return None
    for name, terms in aliases.items():
        if folded == name.casefold():
            return name
        # One-word terms match whole words ("gp", not "group"); longer ones match anywhere.
        if any(term in folded if " " in term else term in words for term in terms):
            return name
    return typed.strip()


@dataclass(frozen=True)
class Quorum:
    """The agencies present, measured against the meeting kind's rule."""

    agencies: list[str]
    rule: str
    missing: list[str]
    short_by: int

    @property
    def met(self) -> bool:
        return not self.missing and self.short_by <= 0

    @property
    def text(self) -> str:
        if not self.rule:
            return "No quorum rule for this kind of meeting."
        if self.met:
            return f"Quorate: {self.rule}."
        gaps = [f"no {name.lower()}" for name in self.missing]
        if self.short_by > 0:
            gaps.append(f"{self.short_by} more agenc{'y' if self.short_by == 1 else 'ies'} needed")
        return f"Not quorate ({'; '.join(gaps)}). The rule: {self.rule}."


def quorum(meeting: Meeting, policy: "Policy") -> Quorum:
    """Count the agencies present against the rule for this kind of meeting."""
    rule = policy.quorum_rules.get(meeting.kind)
    present: list[str] = []
    for attendee in meeting.attendees:
        if not counts(attendee, rule):
            continue
        key = agency_key(attendee.agency, policy.agency_aliases)
        if key and key.casefold() not in (p.casefold() for p in present):
            present.append(key)
    if rule is None:
        return Quorum(present, "", [], 0)
    folded = {p.casefold() for p in present}
    missing = [name for name in rule["requires"] if name.casefold() not in folded]
    return Quorum(present, rule["text"], missing, rule["at_least"] - len(present))


def counts(attendee: Attendee, rule: QuorumRule | None) -> bool:
    """Say whether this person's agency counts towards the quorum."""
    if not attendee.present:
        return False
    if attendee.is_chair:
        return bool(rule and rule.get("counts_chair"))
    if attendee.observer:
        return bool(rule and rule.get("counts_observers"))
    return True


def require_quorum(meeting: Meeting, doing: str, policy: "Policy") -> None:
    """Refuse to go on while the meeting is inquorate and the chair has not said why."""
    state = quorum(meeting, policy)
    if not state.met and not meeting.inquorate_reason:
        raise Refused(
            f"{state.text} Record why the meeting goes on without a quorum before {doing}."
        )


def record_inquorate_reason(meeting: Meeting, reason: str, policy: "Policy") -> None:
    """Record why an inquorate meeting goes on."""
    writable(meeting)
    reason = reason.strip()
    if not reason:
        raise Invalid({"reason": "Say why the meeting goes on although it is not quorate."})
    was = meeting.inquorate_reason
    meeting.inquorate_reason = reason
    log(
        meeting,
        meeting.chair.name,
        f"recorded why the meeting goes on without a quorum ({quorum(meeting, policy).text})",
        f"Was: {was}" if was else "",
    )
