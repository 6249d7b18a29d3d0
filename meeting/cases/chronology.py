"""The chronology: significant events in the child's life, added before or during a
meeting, which that meeting's minutes carry as discussed."""

from collections.abc import Mapping

from ..agenda.status import writable
from ..changes import Fact
from ..clock import parse_date
from ..errors import Invalid
from ..models import ChildCase, ChronologyEntry, Meeting, MeetingStatus, session_of
from ..policy import Policy
from ..record.log import log


def add_entry(
    case: ChildCase,
    meeting: Meeting | None,
    form: Mapping[str, str],
    by: str,
    policy: Policy,
) -> ChronologyEntry:
    """Add a significant event to the case's chronology, during or before `meeting`."""
    if meeting is not None:
        writable(meeting)
    errors: dict[str, str] = {}
    try:
        happened = parse_date(form.get("happened_on"))
    except ValueError:
        happened = None
        errors["happened_on"] = f"Enter the date as a date, e.g. {policy.today():%Y-%m-%d}."
    else:
        if happened is None:
            errors["happened_on"] = "Enter the date it happened."
        elif happened > policy.today():
            errors["happened_on"] = "A chronology records what has happened: not a future date."
    what = (form.get("what") or "").strip()
    if not what:
        errors["what"] = "Say what happened."
    agency = (form.get("agency") or "").strip()[:120]
    if not agency:
        errors["agency"] = "Say which agency this comes from."
    if errors:
        raise Invalid(errors)
    assert happened is not None
    if meeting is None:
        meeting = next((m for m in case.meetings if m.status != MeetingStatus.CLOSED), None)
    entry = ChronologyEntry(
        case=case,
        meeting_id=meeting.id if meeting else None,
        happened_on=happened,
        what=what,
        agency=agency,
        added_by=by[:200],
    )
    session_of(case).add(entry)
    if meeting is not None:
        log(
            meeting,
            by,
            f"added to the chronology: {happened:%-d %b %Y}, {agency}",
            what,
            changed=Fact.CASE,
        )
    return entry


def discussed_at(meeting: Meeting) -> list[ChronologyEntry]:
    """Return the chronology entries taken to a meeting, in date order."""
    if meeting.case is None:
        return []
    return [e for e in meeting.case.chronology if e.meeting_id == meeting.id]
