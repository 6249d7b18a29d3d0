"""What the reports region shows a viewer: each agency's report and where it stands, what is
missing, and how many working days are left before the meeting.

The part of a report withheld from the family is for the chair alone: what anyone else is
given here never holds its words, nor why it is withheld.
"""

from dataclasses import dataclass, replace
from datetime import date

from ..clock import WorkingDays
from ..models import AgencyReport, Meeting, MeetingStatus, Part, ReportStatus
from ..policy import Policy
from ..rating.concealment import Viewer


@dataclass(frozen=True)
class ShownReport:
    """One report as a viewer sees it."""

    id: int
    agency: str
    author: str
    status: ReportStatus
    received_on: date | None
    shared_on: date | None
    # Whether a part of it is withheld from the family (everyone may know that much).
    withheld: bool
    # What is withheld and why: the chair's alone, empty for anyone else.
    withheld_summary: str = ""
    withheld_reason: str = ""
    # What the chair's forms for it show (see `record.seen`).
    shown: tuple[object, ...] = ()
    withheld_shown: tuple[object, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.agency} ({self.author})" if self.author else self.agency


@dataclass(frozen=True)
class ReportsView:
    """The meeting's reports as one viewer sees them."""

    meeting: Meeting
    reports: list[ShownReport]
    # "3 working days before the meeting", "The meeting is today", "The meeting has started".
    countdown: str
    today: date
    # The agency words the deployment uses, offered when the chair lists a report.
    agencies: tuple[str, ...] = ()
    # Who is looking: the chair, the family (told "shared with you"), or a professional.
    for_chair: bool = False
    for_parent: bool = False

    @property
    def missing(self) -> list[ShownReport]:
        """The reports expected and not received."""
        return [r for r in self.reports if r.status == ReportStatus.EXPECTED]

    @property
    def unshared(self) -> list[ShownReport]:
        """The reports received and not yet shared with the parents."""
        return [r for r in self.reports if r.status == ReportStatus.RECEIVED]

    @property
    def may_change(self) -> bool:
        """Whether the chair may still change them: until the meeting closes."""
        return self.for_chair and self.meeting.status != MeetingStatus.CLOSED

    @property
    def may_remove(self) -> bool:
        """Whether the chair may remove an expected report: before the meeting starts."""
        return self.for_chair and self.meeting.status == MeetingStatus.SETUP


def countdown(meeting_day: date, today: date, status: MeetingStatus, calendar: WorkingDays) -> str:
    """Say, in words, how long is left to get the reports in and shared before the meeting."""
    if status == MeetingStatus.CLOSED:
        return "The meeting has closed."
    if status == MeetingStatus.RUNNING:
        return "The meeting has started."
    if meeting_day == today:
        return "The meeting is today."
    if meeting_day < today:
        return f"The meeting's date has passed ({meeting_day:%a %-d %b %Y})."
    days = calendar.between(today, meeting_day)
    if days <= 0:
        return f"No working days are left before the meeting ({meeting_day:%a %-d %b %Y})."
    plural = "day" if days == 1 else "days"
    return f"{days} working {plural} before the meeting ({meeting_day:%a %-d %b %Y})."


def _shown(report: AgencyReport, chair: bool) -> ShownReport:
    shown = ShownReport(
        id=report.id,
        agency=report.agency,
        author=report.author,
        status=report.status,
        received_on=report.received_on,
        shared_on=report.shared_on,
        withheld=report.withheld,
    )
    if not chair:
        return shown
    return replace(
        shown,
        withheld_summary=report.withheld_summary,
        withheld_reason=report.withheld_reason,
        shown=report.shown,
        withheld_shown=report.withheld_shown,
    )


def seen_by(meeting: Meeting, viewer: Viewer, policy: Policy) -> ReportsView:
    """Return a meeting's reports as a viewer sees them: the chair all of each, anyone else
    where each stands, and only that a part is withheld from the family, never what or why."""
    today = policy.today()
    attendee = viewer.attendee
    return ReportsView(
        meeting=meeting,
        reports=[_shown(r, viewer.is_chair) for r in meeting.reports],
        countdown=countdown(meeting.starts_at.date(), today, meeting.status, policy.working_days),
        today=today,
        agencies=tuple(policy.agency_aliases) if viewer.is_chair else (),
        for_chair=viewer.is_chair,
        for_parent=bool(attendee and not viewer.is_chair and attendee.part == Part.PARENT),
    )
