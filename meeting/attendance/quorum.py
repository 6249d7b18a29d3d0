"""Quorum: the agencies present, read as people type them, against the meeting kind's rule.

Only professionals count: who is a professional is what they said when joining (their
`Part`), never guessed from the agency they typed.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..agenda.status import writable
from ..changes import Fact
from ..errors import Invalid, Refused
from ..models import Attendee, Meeting, Part
from ..policy import Policy, QuorumRule
from ..record.log import log


def agency_key(typed: str, aliases: Mapping[str, Sequence[str]]) -> str | None:
    """Return the agency a typed agency name stands for, or None when nothing was typed."""
    folded = " ".join(typed.replace("’", "'").casefold().split())
    words = set(re.findall(r"[\w']+", folded))
    if not folded:
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


def quorum(meeting: Meeting, policy: Policy) -> Quorum:
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
    """Say whether this person's agency counts towards the quorum: professionals only."""
    if not attendee.present:
        return False
    if attendee.part != Part.PROFESSIONAL and not attendee.is_chair:
        return False
    if attendee.is_chair:
        return bool(rule and rule.get("counts_chair"))
    if attendee.observer:
        return bool(rule and rule.get("counts_observers"))
    return True


def require_quorum(meeting: Meeting, doing: str, policy: Policy) -> None:
    """Refuse to go on while the meeting is inquorate and the chair has not said why."""
    state = quorum(meeting, policy)
    if not state.met and not meeting.inquorate_reason:
        raise Refused(
            f"{state.text} Record why the meeting goes on without a quorum before {doing}."
        )


def record_inquorate_reason(meeting: Meeting, reason: str, policy: Policy) -> None:
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
        changed=Fact.ROLL,
    )
