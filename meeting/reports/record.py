"""The reports' part of a meeting's record: each agency's report, when it came and when it
was shared with the parents, and any part withheld from the family.

The record is the chair's (and the minutes are made from it): it holds what is withheld
and why. The family's copy of the minutes leaves both out (`minutes/`, and
`circulation.draft.draft_edition`, which always cuts the family a copy of their own when
anything of a report is withheld from them).
"""

from typing import Any

from ..models import Meeting
from ..record.plain import day


def reports(meeting: Meeting) -> list[dict[str, Any]]:
    """Return every report listed for the meeting, in the order the chair listed them."""
    return [
        {
            "agency": r.agency,
            "author": r.author,
            "status": r.status.value,
            "received_on": day(r.received_on),
            "shared_with_parents_on": day(r.shared_on),
            "withheld_from_family": r.withheld,
            "withheld_summary": r.withheld_summary,
            "withheld_reason": r.withheld_reason,
        }
        for r in meeting.reports
    ]
