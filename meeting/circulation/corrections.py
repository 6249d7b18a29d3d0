"""Corrections: a recipient asks in time; the chair accepts (a new version) or declines."""

from collections.abc import Mapping
from dataclasses import replace
from datetime import date

from sqlalchemy import select

import minutes

from ..changes import Fact
from ..clock import local_date
from ..errors import Invalid, Refused
from ..models import (
    Attendee,
    Correction,
    CorrectionStatus,
    Meeting,
    MinutesVersion,
    session_of,
    utcnow,
)
from ..policy import Policy
from ..record.log import log
from .recipients import group_of
from .versions import circulated, edition_of, latest, make_version

# Parts of the minutes a correction can be about besides the summary and the items.
WHOLE = {
    "general": "The minutes as a whole",
    "attendance": "Attendance and quorum",
    "reports": "Reports before the meeting",
    "actions": "The action list",
}
CORRECTION_LIMIT = 5_000


def window_closes(meeting: Meeting, policy: Policy) -> date | None:
    """Return the last day corrections can be asked for (None before the first circulation)."""
    shown = circulated(meeting)
    return closes_after(shown[0], policy) if shown else None


def closes_after(first: MinutesVersion, policy: Policy) -> date:
    """Return the last day of the corrections window that the first circulation opened."""
    assert first.circulated_at is not None
    opened = local_date(first.circulated_at, policy.zone)
    return policy.working_days.add(opened, policy.correction_window_days)


def section_choices(made: MinutesVersion, group: str | None) -> dict[str, str]:
    """Return what a correction can be about, as this reader's copy shows it."""
    edition = edition_of(made)
    choices = {"general": WHOLE["general"], "attendance": WHOLE["attendance"]}
    if made.record.get("reports"):
        choices["reports"] = WHOLE["reports"]
    for key, label in minutes.sections(made.record):
        if key == "summary" and not edition.summary.strip():
            continue
        if group and group in edition.withheld.get(key, ()):
            continue
        choices[key] = label
    choices["actions"] = WHOLE["actions"]
    return choices


def request_correction(attendee: Attendee, form: Mapping[str, str], policy: Policy) -> Correction:
    """Ask the chair to correct part of the circulated minutes, within the window."""
    meeting = attendee.meeting
    shown = circulated(meeting)
    if not shown:
        raise Refused("These minutes have not been circulated yet.")
    closes = closes_after(shown[0], policy)
    if policy.today() > closes:
        raise Refused(
            f"The window for corrections closed on {closes:%A %-d %B %Y}. Your text is kept "
            "below: send it to the chair directly, who can still raise it."
        )
    current = shown[-1]
    choices = section_choices(current, group_of(attendee))
    errors = {}
    section = form.get("section", "")
    text = form.get("text", "").strip()
    if section not in choices:
        errors["section"] = "Choose the part of the minutes the correction is about."
    if not text:
        errors["text"] = "Say what is wrong and what it should say."
    elif len(text) > CORRECTION_LIMIT:
        errors["text"] = f"Keep a correction under {CORRECTION_LIMIT:,} characters."
    if errors:
        raise Invalid(errors)
    correction = Correction(
        meeting_id=meeting.id,
        attendee_id=attendee.id,
        against_version=current.number,
        section=section,
        text=text,
    )
    session = session_of(meeting)
    session.add(correction)
    session.flush()
    log(
        meeting,
        f"{attendee.name} ({attendee.agency})",
        f"asked for correction {correction.id} to version {current.number}: {choices[section]}",
        text,
        changed=Fact.RECORD,
    )
    return correction


def corrections(meeting: Meeting) -> list[Correction]:
    """Return every correction asked for on a meeting's minutes, oldest first."""
    return list(
        session_of(meeting).scalars(
            select(Correction).where(Correction.meeting_id == meeting.id).order_by(Correction.id)
        )
    )


def _as_minutes(c: Correction, labels: dict[str, str]) -> minutes.Correction:
    who = c.attendee
    assert c.answered_at is not None and c.in_version is not None
    return minutes.Correction(
        number=c.id,
        section=c.section,
        section_label=labels.get(c.section, c.section),
        text=c.text,
        requested_by=f"{who.name} ({who.agency})" if who.agency else who.name,
        requested_at=c.requested_at.isoformat() + "Z",
        outcome=c.status,
        answer=c.answer,
        answered_at=c.answered_at.isoformat() + "Z",
        version=c.in_version,
    )


def answer(
    correction: Correction, accept: bool, reason: str, policy: Policy
) -> MinutesVersion | None:
    """Accept (making the next version) or decline a correction, with the chair's reason."""
    meeting = correction.meeting
    if correction.status != CorrectionStatus.PENDING:
        assert correction.answered_at is not None
        raise Refused(
            f"Correction {correction.id} was already {correction.status} "
            f"on {local_date(correction.answered_at, policy.zone):%-d %b %Y}."
        )
    reason = reason.strip()
    if not reason:
        verb = "accepting" if accept else "declining"
        raise Invalid({"answer": f"Give a reason for {verb} it; the minutes show it."})
    correction.status = CorrectionStatus.ACCEPTED if accept else CorrectionStatus.DECLINED
    correction.answer = reason
    correction.answered_at = utcnow()
    log(
        meeting,
        meeting.chair.name,
        f"{correction.status} correction {correction.id} from {correction.attendee.name}",
        reason,
        changed=Fact.RECORD,
    )
    previous = latest(meeting)
    if not accept or previous is None:
        return None
    number = previous.number + 1
    answered = [c for c in corrections(meeting) if c.status != CorrectionStatus.PENDING]
    for c in answered:
        if c.in_version is None:
            c.in_version = number
    labels = dict(minutes.sections(previous.record)) | WHOLE
    edition = replace(
        edition_of(previous), corrections=tuple(_as_minutes(c, labels) for c in answered)
    )
    return make_version(meeting, previous.record, edition)
