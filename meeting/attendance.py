"""Who was there: present, left, apologies; agencies against the quorum; written contributions."""

import re
from dataclasses import dataclass

from flask import current_app

from . import scales
from .errors import Invalid, Refused
from .meetings import log, parse_joiner, writable
from .models import ABSENT, ADMITTED, Attendee, Contribution, Item, Meeting, utcnow
from .when import utc_from_local_time

CHILDRENS_SOCIAL_CARE = "Children's social care"
# Agencies as people type them ("CSC", "Met Police", "school nurse"), folded to one name each.
# A deployment can replace this with AGENCY_ALIASES in its instance config.
AGENCY_ALIASES = {
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

# Per meeting kind: agencies that must be there, and how many agencies in all.
# A deployment can replace this with QUORUM_RULES in its instance config.
QUORUM_RULES = {
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


def agency_key(typed: str) -> str | None:
    """Return the agency a typed agency name stands for, or None for family members."""
    folded = " ".join(typed.replace("’", "'").casefold().split())
    words = set(re.findall(r"[\w']+", folded))
    if not folded or any(term in folded for term in NOT_AGENCIES):
        return None
    aliases = current_app.config.get("AGENCY_ALIASES", AGENCY_ALIASES)
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


def quorum(meeting: Meeting) -> Quorum:
    """Count the agencies present against the rule for this kind of meeting."""
    present = []
    for attendee in meeting.attendees:
        key = agency_key(attendee.agency) if attendee.present else None
        if key and key.casefold() not in (p.casefold() for p in present):
            present.append(key)
    rules = current_app.config.get("QUORUM_RULES", QUORUM_RULES)
    rule = rules.get(meeting.kind)
    if rule is None:
        return Quorum(present, "", [], 0)
    folded = {p.casefold() for p in present}
    missing = [name for name in rule["requires"] if name.casefold() not in folded]
    return Quorum(present, rule["text"], missing, rule["at_least"] - len(present))


def require_quorum(meeting: Meeting, doing: str) -> None:
    """Refuse to go on while the meeting is inquorate and the chair has not said why."""
    state = quorum(meeting)
    if not state.met and not meeting.inquorate_reason:
        raise Refused(
            f"{state.text} Record why the meeting goes on without a quorum before {doing}."
        )


def record_inquorate_reason(meeting: Meeting, reason: str) -> None:
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
        f"recorded why the meeting goes on without a quorum ({quorum(meeting).text})",
        f"Was: {was}" if was else "",
    )


def attendance_label(attendee: Attendee) -> str:
    """Return how someone took part: present, left at a time, apologies, written contribution."""
    if attendee.status == ABSENT:
        return "Apologies"
    if attendee.left_at is not None:
        return "Left"
    return "Present"


def mark_left(attendee: Attendee, at: str | None) -> None:
    """Record that someone left the meeting (now, or at a local clock time typed HH:MM)."""
    meeting = attendee.meeting
    writable(meeting)
    if attendee.status != ADMITTED:
        raise Refused(f"{attendee.name} is not in the meeting, so cannot leave it.")
    if attendee.is_chair:
        raise Refused("The chair stays until the meeting closes.")
    try:
        attendee.left_at = utc_from_local_time(at)
    except ValueError:
        raise Invalid({"left_at": "Enter the time they left as HH:MM, e.g. 11:40."}) from None
    log(meeting, meeting.chair.name, f"recorded that {attendee.name} left")


def mark_returned(attendee: Attendee) -> None:
    """Record that someone who left came back."""
    meeting = attendee.meeting
    writable(meeting)
    left = attendee.left_at
    attendee.left_at = None
    log(
        meeting, meeting.chair.name, f"recorded that {attendee.name} came back", f"Had left: {left}"
    )


def add_apologies(meeting: Meeting, form: dict[str, str]) -> Attendee:
    """List someone who sent apologies (name, role, agency, and an email for the minutes)."""
    writable(meeting)
    fields = parse_joiner(form)
    attendee = Attendee(status=ABSENT, **fields)
    meeting.attendees.append(attendee)
    log(meeting, meeting.chair.name, f"recorded apologies from {attendee.name} ({attendee.agency})")
    return attendee


def set_contribution(item: Item, author: Attendee, form: dict[str, str]) -> Contribution:
    """Enter or replace an absent agency's written report and rating for an item."""
    meeting = item.meeting
    writable(meeting)
    if author.status != ABSENT or author.meeting_id != meeting.id:
        raise Refused("Written contributions come from people who sent apologies.")
    if item.rounds:
        raise Refused(
            f"Round 1 on “{item.title}” has opened, so a written contribution can no longer "
            "be added to it; the chair can read the report out instead."
        )
    errors = {}
    report = form.get("report", "").strip()
    if not report:
        errors["report"] = "Enter the agency's written report, or its summary."
    try:
        value = scales.parse(item.scale, item.choices, form)
    except scales.InvalidRating as invalid:
        errors["rating"] = str(invalid)
        value = None
    if errors:
        raise Invalid(errors)
    contribution = next((c for c in item.contributions if c.attendee_id == author.id), None)
    if contribution is None:
        contribution = Contribution(attendee=author)
        item.contributions.append(contribution)
    contribution.report = report
    contribution.reason = form.get("reason", "").strip()[:300]
    contribution.score, contribution.likelihood = value.score, value.likelihood
    contribution.severity, contribution.choice = value.severity, value.choice
    contribution.entered_at = utcnow()
    log(
        meeting,
        meeting.chair.name,
        f"entered a written contribution from {author.name} on {item.title}",
    )
    return contribution
