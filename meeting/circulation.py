"""Minutes after the meeting: the draft, frozen versions, who gets which copy, corrections.

A version, once made, is never changed: a correction the chair accepts makes the next
version, and every version keeps the record and edition it was rendered from.
"""

import secrets
from dataclasses import asdict, dataclass, replace
from datetime import date

from flask import current_app
from sqlalchemy import select

import minutes
from minutes import GROUPS, Edition

from . import record
from .access import chair_seat
from .attendance import agency_key
from .errors import Invalid, Refused
from .extensions import db
from .meetings import BAD_EMAIL, log, plausible_email
from .models import (
    ABSENT,
    ACCEPTED,
    ADMITTED,
    CLOSED,
    DECLINED,
    PENDING,
    RECORDED,
    Attendee,
    Correction,
    Meeting,
    MinutesVersion,
    utcnow,
)
from .rounds import Viewer
from .when import add_working_days, local_date, local_today, working_days_between

SUMMARY_LIMIT = 20_000
# Parts of the minutes a correction can be about besides the summary and the items.
WHOLE = {
    "general": "The minutes as a whole",
    "attendance": "Attendance and quorum",
    "actions": "The action list",
}
CORRECTION_LIMIT = 5_000


def require_closed(meeting: Meeting) -> None:
    if meeting.status != CLOSED:
        raise Refused("Minutes are made when the meeting closes. Close the meeting first.")


def versions(meeting: Meeting) -> list[MinutesVersion]:
    return list(
        db.session.scalars(
            select(MinutesVersion)
            .where(MinutesVersion.meeting_id == meeting.id)
            .order_by(MinutesVersion.number)
        )
    )


def latest(meeting: Meeting) -> MinutesVersion | None:
    made = versions(meeting)
    return made[-1] if made else None


def circulated(meeting: Meeting) -> list[MinutesVersion]:
    return [v for v in versions(meeting) if v.circulated_at is not None]


def version(meeting: Meeting, number: int) -> MinutesVersion:
    found = db.session.scalar(
        select(MinutesVersion).where(
            MinutesVersion.meeting_id == meeting.id, MinutesVersion.number == number
        )
    )
    if found is None:
        raise Refused(f"There is no version {number} of these minutes.")
    return found


# The draft -------------------------------------------------------------------------------


def snapshot(meeting: Meeting) -> dict:
    """Return the meeting's record as the minutes read it (the event log stays out)."""
    data = record.build(meeting, Viewer("chair", chair_seat(meeting)))
    data.pop("events")
    return data


def draft_edition(meeting: Meeting) -> Edition:
    return Edition(
        summary=meeting.minutes_summary,
        undecided_reason=meeting.minutes_undecided_reason,
        withheld={k: tuple(v) for k, v in meeting.minutes_withheld.items()},
        zone=current_app.config["MEETING_TIMEZONE"],
    )


def draft(meeting: Meeting, group: str | None = None, data: dict | None = None) -> str:
    """Return the draft minutes as they stand (Markdown), or one group's copy of them."""
    require_closed(meeting)
    edition = draft_edition(meeting)
    edition = minutes.copy_for(edition, group) if group else edition
    return minutes.render(data or snapshot(meeting), edition)


def undecided(meeting: Meeting) -> list:
    return [i for i in meeting.items if not (i.decision and i.decision.status == RECORDED)]


def _frozen(meeting: Meeting) -> None:
    first = latest(meeting)
    if first is not None:
        raise Refused(
            f"Version {first.number} of these minutes is frozen: nothing in it can be edited. "
            "A correction the chair accepts makes a new version."
        )


def save_draft(meeting: Meeting, form) -> None:
    """Keep the chair's summary, what is withheld from whom, and why undecided items go out."""
    require_closed(meeting)
    _frozen(meeting)
    errors = {}
    summary = form.get("summary", "").strip()
    reason = form.get("undecided_reason", "").strip()
    if len(summary) > SUMMARY_LIMIT:
        errors["summary"] = f"Keep the summary under {SUMMARY_LIMIT:,} characters."
    withheld = {}
    keys = {key for key, _label in minutes.sections(snapshot(meeting))}
    for key in keys:
        groups = [g for g in GROUPS if form.get(f"withhold-{key}-{g}")]
        if groups:
            withheld[key] = groups
    if errors:
        raise Invalid(errors)
    changed = []
    if summary != meeting.minutes_summary:
        changed.append("summary")
    if withheld != meeting.minutes_withheld:
        changed.append("what is withheld from whom")
    if reason != meeting.minutes_undecided_reason:
        changed.append("reason for undecided items")
    meeting.minutes_summary = summary
    meeting.minutes_withheld = withheld
    meeting.minutes_undecided_reason = reason
    if changed:
        log(meeting, meeting.chair.name, "changed the draft minutes: " + ", ".join(changed))


# Versions --------------------------------------------------------------------------------


def edition_of(made: MinutesVersion) -> Edition:
    data = dict(made.edition)
    data["corrections"] = tuple(minutes.Correction(**c) for c in data["corrections"])
    data["withheld"] = {k: tuple(v) for k, v in data["withheld"].items()}
    return Edition(**data)


def _make_version(meeting: Meeting, data: dict, edition: Edition) -> MinutesVersion:
    previous = latest(meeting)
    number = previous.number + 1 if previous else 1
    edition = replace(edition, version=number, issued_at=utcnow().isoformat() + "Z")
    markdown = minutes.render(data, edition)
    made = MinutesVersion(
        meeting_id=meeting.id,
        number=number,
        made_by=meeting.chair.name,
        record=data,
        edition=asdict(edition),
        markdown=markdown,
        digest=minutes.digest_of(markdown),
    )
    db.session.add(made)
    db.session.flush()
    log(meeting, meeting.chair.name, f"made version {number} of the minutes", made.digest)
    return made


def freeze_first(meeting: Meeting) -> MinutesVersion:
    """Freeze the draft as version 1; refused while an undecided item has no reason."""
    _frozen(meeting)
    open_items = undecided(meeting)
    if open_items and not meeting.minutes_undecided_reason:
        names = ", ".join(f"item {i.position} ({i.title})" for i in open_items)
        raise Invalid(
            {
                "undecided_reason": f"No decision was recorded on {names}. Say why the minutes "
                "go out without one; the minutes will show your reason."
            }
        )
    return _make_version(meeting, snapshot(meeting), draft_edition(meeting))


def mark_circulated(made: MinutesVersion) -> None:
    if made.circulated_at is None:
        made.circulated_at = utcnow()
        log(made.meeting, made.meeting.chair.name, f"circulated version {made.number}")


# Who gets which copy ---------------------------------------------------------------------


def recipients(meeting: Meeting) -> list[Attendee]:
    """Everyone who attended or sent apologies: the people the minutes go to."""
    return [a for a in meeting.attendees if a.status in (ADMITTED, ABSENT)]


def email_of(attendee: Attendee) -> str:
    if attendee.email:
        return attendee.email
    return attendee.meeting.chair.email if attendee.is_chair else ""


def group_of(attendee: Attendee) -> str:
    """Return which copy someone gets: their set group, else family or professionals."""
    if attendee.copy_group in GROUPS:
        return attendee.copy_group
    typed = attendee.agency.strip() or attendee.role.strip()
    if not attendee.is_chair and typed and agency_key(typed) is None:
        return "family"
    return "professionals"


def ensure_reader_tokens(meeting: Meeting) -> None:
    for attendee in recipients(meeting):
        if attendee.reader_token is None:
            attendee.reader_token = secrets.token_urlsafe(24)


def reader(token: str) -> Attendee | None:
    if not token:
        return None
    return db.session.scalar(select(Attendee).where(Attendee.reader_token == token))


def copy_of(made: MinutesVersion, group: str | None) -> tuple[str, str | None]:
    """Return a group's copy of a version and the group it was cut for (None: the full one)."""
    edition = edition_of(made)
    if group is None or not any(group in groups for groups in edition.withheld.values()):
        return made.markdown, None
    return minutes.render(made.record, replace(edition, copy_for=group)), group


def set_recipient(attendee: Attendee, form) -> None:
    """Change where someone's minutes go and which copy they get."""
    email = form.get("email", "").strip()[:254]
    group = form.get("copy_group", "").strip() or None
    if not plausible_email(email):
        raise Invalid({"email": BAD_EMAIL})
    if group is not None and group not in GROUPS:
        raise Invalid({"copy_group": "Choose one of the copies listed."})
    before = (attendee.email, attendee.copy_group)
    attendee.email, attendee.copy_group = email, group
    if before != (email, group):
        log(
            attendee.meeting,
            attendee.meeting.chair.name,
            f"changed where {attendee.name}'s minutes go: {email or 'no email'}, "
            f"{GROUPS[group_of(attendee)]} copy",
            f"was {before[0] or 'no email'}, {before[1] or 'worked out'}",
        )


# Corrections -----------------------------------------------------------------------------


def window_closes(meeting: Meeting) -> date | None:
    """Return the last day corrections can be asked for (None before the first circulation)."""
    shown = circulated(meeting)
    return _closes(shown[0]) if shown else None


def _closes(first: MinutesVersion) -> date:
    opened = local_date(first.circulated_at)
    return add_working_days(opened, current_app.config["CORRECTION_WINDOW_DAYS"])


def section_choices(made: MinutesVersion, group: str | None) -> dict[str, str]:
    """Return what a correction can be about, as this reader's copy shows it."""
    edition = edition_of(made)
    choices = {"general": WHOLE["general"], "attendance": WHOLE["attendance"]}
    for key, label in minutes.sections(made.record):
        if key == "summary" and not edition.summary.strip():
            continue
        if group and group in edition.withheld.get(key, ()):
            continue
        choices[key] = label
    choices["actions"] = WHOLE["actions"]
    return choices


def request_correction(attendee: Attendee, form) -> Correction:
    meeting = attendee.meeting
    shown = circulated(meeting)
    if not shown:
        raise Refused("These minutes have not been circulated yet.")
    closes = window_closes(meeting)
    if local_today() > closes:
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
    db.session.add(correction)
    db.session.flush()
    log(
        meeting,
        f"{attendee.name} ({attendee.agency})",
        f"asked for correction {correction.id} to version {current.number}: {choices[section]}",
        text,
    )
    return correction


def corrections(meeting: Meeting) -> list[Correction]:
    return list(
        db.session.scalars(
            select(Correction).where(Correction.meeting_id == meeting.id).order_by(Correction.id)
        )
    )


def _as_minutes(c: Correction, labels: dict[str, str]) -> minutes.Correction:
    who = c.attendee
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


def answer(correction: Correction, accept: bool, reason: str) -> MinutesVersion | None:
    """Accept (making the next version) or decline a correction, with the chair's reason."""
    meeting = db.session.get(Meeting, correction.meeting_id)
    if correction.status != PENDING:
        raise Refused(
            f"Correction {correction.id} was already {correction.status} "
            f"on {local_date(correction.answered_at):%-d %b %Y}."
        )
    reason = reason.strip()
    if not reason:
        verb = "accepting" if accept else "declining"
        raise Invalid({"answer": f"Give a reason for {verb} it; the minutes show it."})
    correction.status = ACCEPTED if accept else DECLINED
    correction.answer = reason
    correction.answered_at = utcnow()
    log(
        meeting,
        meeting.chair.name,
        f"{correction.status} correction {correction.id} from {correction.attendee.name}",
        reason,
    )
    if not accept:
        return None
    previous = latest(meeting)
    number = previous.number + 1
    answered = [c for c in corrections(meeting) if c.status != PENDING]
    for c in answered:
        if c.in_version is None:
            c.in_version = number
    labels = dict(minutes.sections(previous.record)) | WHOLE
    edition = replace(
        edition_of(previous), corrections=tuple(_as_minutes(c, labels) for c in answered)
    )
    return _make_version(meeting, previous.record, edition)


# Deadlines -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    """Where a meeting's minutes stand against the working-day deadlines."""

    state: str  # "", "due", "overdue", "circulated", "corrections"
    text: str


def _days(n: int) -> str:
    return f"{n} working day{'' if n == 1 else 's'}"


def clock(meeting: Meeting) -> Clock:
    if meeting.status != CLOSED or meeting.closed_at is None:
        return Clock("", "After the meeting closes")
    config = current_app.config
    today = local_today()
    shown = circulated(meeting)
    if not shown:
        closed = local_date(meeting.closed_at)
        summary_due = add_working_days(closed, config["MINUTES_SUMMARY_DAYS"])
        due = add_working_days(closed, config["MINUTES_DUE_DAYS"])
        if today > due:
            late = working_days_between(due, today)
            return Clock("overdue", f"Overdue by {_days(late)}: were due {due:%a %-d %b}")
        left = working_days_between(today, due)
        text = f"Due {due:%a %-d %b} ({_days(left)} left)"
        if today > summary_due:
            text += f"; the summary was due {summary_due:%a %-d %b}"
        else:
            text += f"; summary due {summary_due:%a %-d %b}"
        return Clock("due", text)
    newest = shown[-1]
    text = f"Circulated {local_date(newest.circulated_at):%a %-d %b}, version {newest.number}"
    pending = [c for c in corrections(meeting) if c.status == PENDING]
    unsent = undelivered(newest)
    if unsent:
        text += f"; {len(unsent)} not delivered"
    if pending:
        return Clock("corrections", text + f"; {len(pending)} correction(s) to answer")
    closes = _closes(shown[0])
    if today <= closes:
        left = working_days_between(today, closes)
        return Clock(
            "corrections",
            text + f"; corrections open until {closes:%a %-d %b} ({_days(left)} left)",
        )
    return Clock("circulated", text + "; corrections closed")


def latest_deliveries(made: MinutesVersion) -> dict[int, object]:
    """Return each recipient's latest delivery attempt for a version."""
    last = {}
    for delivery in made.deliveries:
        last[delivery.attendee_id] = delivery
    return last


def undelivered(made: MinutesVersion) -> list:
    return [d for d in latest_deliveries(made).values() if not d.delivered]
