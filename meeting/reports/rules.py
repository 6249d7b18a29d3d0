"""The agencies' reports before a meeting: listing one as expected, marking it received and
shared with the parents, the part withheld from the family, corrections, and removal.

Dates are the chair's, typed or left at today: never in the future, and a report is shared
with the parents only once it was received. A closed meeting's reports are read-only; an
expected report is removed only before the meeting starts (after that, one never received
is part of the record).
"""

from collections.abc import Mapping
from datetime import date

from ..agenda.status import writable
from ..changes import Fact
from ..clock import parse_date
from ..errors import Invalid, Refused
from ..models import AgencyReport, Meeting, MeetingStatus
from ..policy import Policy
from ..record.log import log
from ..record.seen import still_as_seen

# How long what the chair types may be (the columns' lengths, and a paragraph or two).
NAME_LIMIT = 120
TEXT_LIMIT = 2_000


def _said(day: date) -> str:
    return f"{day:%-d %b %Y}"


def _day(
    raw: str | None, errors: dict[str, str], field: str, what: str, today: date
) -> date | None:
    """Read a date the chair typed that is today or earlier (None when blank); note any
    problem in `errors`."""
    try:
        picked = parse_date(raw)
    except ValueError:
        errors[field] = f"Enter the date {what} as a date, e.g. {today:%Y-%m-%d}."
        return None
    if picked is not None and picked > today:
        errors[field] = (
            f"The date {what} cannot be in the future ({_said(picked)}): today is {_said(today)}."
        )
    return picked


def _in_order(
    received: date | None, shared: date | None, errors: dict[str, str], field: str
) -> None:
    """Note in `errors` a report shared with the parents before it was received."""
    if shared is None or field in errors:
        return
    if received is None:
        errors[field] = "A report is shared with the parents once it has been received."
    elif shared < received:
        errors[field] = (
            f"It cannot have been shared with the parents ({_said(shared)}) before it was "
            f"received ({_said(received)})."
        )


def add_report(meeting: Meeting, form: Mapping[str, str]) -> AgencyReport:
    """List an agency's report as expected before the meeting (who writes it is optional)."""
    writable(meeting)
    agency = " ".join((form.get("agency") or "").split())
    author = " ".join((form.get("author") or "").split())
    errors: dict[str, str] = {}
    if not agency:
        errors["agency"] = "Enter the agency expected to send a report, e.g. Police."
    elif len(agency) > NAME_LIMIT:
        errors["agency"] = f"Keep the agency's name under {NAME_LIMIT} characters."
    if len(author) > NAME_LIMIT:
        errors["author"] = f"Keep who writes it under {NAME_LIMIT} characters."
    same = next(
        (
            r
            for r in meeting.reports
            if r.agency.casefold() == agency.casefold() and r.author.casefold() == author.casefold()
        ),
        None,
    )
    if same is not None and not errors:
        errors["agency"] = f"A report from {same.name} is already listed."
    if errors:
        raise Invalid(errors)
    report = AgencyReport(agency=agency, author=author)
    meeting.reports.append(report)
    log(
        meeting,
        meeting.chair.name,
        f"listed a report expected from {report.name}",
        changed=Fact.REPORTS,
    )
    return report


def mark_received(report: AgencyReport, raw: str | None, policy: Policy) -> None:
    """Record the day a report was received (today unless the chair says otherwise)."""
    meeting = report.meeting
    writable(meeting)
    if report.received_on is not None:
        raise Refused(
            f"The {report.name} report was already marked received on "
            f"{_said(report.received_on)}; correct the date under “Correct” if it is wrong."
        )
    errors: dict[str, str] = {}
    received = _day(raw, errors, "received_on", "it was received", policy.today())
    if received is None and not errors:
        errors["received_on"] = "Enter the date it was received."
    if errors or received is None:
        raise Invalid(errors)
    report.received_on = received
    log(
        meeting,
        meeting.chair.name,
        f"recorded the {report.name} report as received on {_said(received)}",
        changed=Fact.REPORTS,
    )


def mark_shared(report: AgencyReport, raw: str | None, policy: Policy) -> None:
    """Record the day a received report was shared with the parents (today by default)."""
    meeting = report.meeting
    writable(meeting)
    if report.shared_on is not None:
        raise Refused(
            f"The {report.name} report was already marked shared with the parents on "
            f"{_said(report.shared_on)}."
        )
    if report.received_on is None:
        raise Refused(
            f"The {report.name} report has not been marked received, so it cannot have been "
            "shared with the parents yet: mark it received first."
        )
    errors: dict[str, str] = {}
    shared = _day(raw, errors, "shared_on", "it was shared", policy.today())
    if shared is None and not errors:
        errors["shared_on"] = "Enter the date it was shared with the parents."
    _in_order(report.received_on, shared, errors, "shared_on")
    if errors or shared is None:
        raise Invalid(errors)
    report.shared_on = shared
    log(
        meeting,
        meeting.chair.name,
        f"recorded the {report.name} report as shared with the parents on {_said(shared)}",
        changed=Fact.REPORTS,
    )


def correct(report: AgencyReport, form: Mapping[str, str], policy: Policy) -> None:
    """Correct who writes a report and its dates (a blank date: not received, or not shared)."""
    meeting = report.meeting
    writable(meeting)
    errors: dict[str, str] = {}
    author = " ".join((form.get("author") or "").split())
    if len(author) > NAME_LIMIT:
        errors["author"] = f"Keep who writes it under {NAME_LIMIT} characters."
    today = policy.today()
    received = _day(form.get("received_on"), errors, "received_on", "it was received", today)
    shared = _day(form.get("shared_on"), errors, "shared_on", "it was shared", today)
    _in_order(received, shared, errors, "shared_on")
    if errors:
        raise Invalid(errors)
    still_as_seen(
        report,
        form.get("based_on"),
        lambda: report.shown,
        lambda: _dates(report.author, report.received_on, report.shared_on),
    )
    before = _dates(report.author, report.received_on, report.shared_on)
    report.author, report.received_on, report.shared_on = author, received, shared
    after = _dates(author, received, shared)
    if after != before:
        log(
            meeting,
            meeting.chair.name,
            f"corrected the {report.agency} report: {after}",
            f"Was: {before}",
            changed=Fact.REPORTS,
        )


def _dates(author: str, received: date | None, shared: date | None) -> str:
    return (
        f"written by {author or 'someone not named'}; "
        f"received {_said(received) if received else 'not yet'}; "
        f"shared with the parents {_said(shared) if shared else 'not yet'}"
    )


def set_withheld(report: AgencyReport, form: Mapping[str, str]) -> None:
    """Say what part of a report is withheld from the family and why (both blank: none).

    The chair alone sees what it is and why; the family's copy of the minutes never
    carries either.
    """
    meeting = report.meeting
    writable(meeting)
    summary = (form.get("withheld_summary") or "").strip()
    reason = (form.get("withheld_reason") or "").strip()
    errors: dict[str, str] = {}
    if reason and not summary:
        errors["withheld_summary"] = (
            "Say in a line what part is withheld, so the chair's record knows which."
        )
    if summary and not reason:
        errors["withheld_reason"] = (
            "Say why this part is withheld from the family, e.g. it is about another person."
        )
    for field, text in (("withheld_summary", summary), ("withheld_reason", reason)):
        if len(text) > TEXT_LIMIT:
            errors[field] = f"Keep this under {TEXT_LIMIT:,} characters."
    if errors:
        raise Invalid(errors)
    still_as_seen(
        report,
        form.get("based_on"),
        lambda: report.withheld_shown,
        lambda: report.withheld_summary or "nothing withheld",
    )
    if (summary, reason) == report.withheld_shown:
        return
    had = report.withheld
    report.withheld_summary, report.withheld_reason = summary, reason
    if summary:
        said = "changed" if had else "recorded"
        action = f"{said} the part of the {report.name} report withheld from the family"
    else:
        action = f"withheld nothing more of the {report.name} report from the family"
    # What is withheld stays off the log's action line, which names what was done; the
    # chair's own log keeps the words in the line's detail.
    log(
        meeting,
        meeting.chair.name,
        action,
        f"{summary}\nWhy: {reason}" if summary else "",
        changed=Fact.REPORTS,
    )


def remove_report(report: AgencyReport) -> None:
    """Remove a report listed as expected by mistake; only before the meeting starts."""
    meeting = report.meeting
    writable(meeting)
    if meeting.status != MeetingStatus.SETUP:
        raise Refused(
            f"The meeting has started, so the {report.name} report stays on its record: "
            "a report expected and never received is part of what the minutes say."
        )
    meeting.reports.remove(report)
    log(
        meeting,
        meeting.chair.name,
        f"removed the report expected from {report.name}",
        changed=Fact.REPORTS,
    )
