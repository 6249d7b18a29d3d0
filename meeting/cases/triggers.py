"""Review triggers: something happened that brings the review forward, so it is due now;
the review arranged (or the next one made) answers it."""

from collections.abc import Mapping

from ..changes import Fact
from ..errors import Invalid
from ..models import ChildCase, Meeting, MeetingStatus, ReviewTrigger, session_of
from ..record.log import log


def record_trigger(case: ChildCase, form: Mapping[str, str], by: str) -> ReviewTrigger:
    """Record that something happened which brings the review forward: it is due now."""
    reason = (form.get("reason") or "").strip()
    if not reason:
        raise Invalid({"reason": "Say what happened that brings the review forward."})
    trigger = ReviewTrigger(case=case, reason=reason, recorded_by=by[:200])
    session_of(case).add(trigger)
    upcoming = next((m for m in case.meetings if m.status != MeetingStatus.CLOSED), None)
    if upcoming is not None and upcoming.previous is not None:
        # The review already arranged answers it, brought forward if need be.
        session_of(case).flush()
        trigger.answered_by_id = upcoming.id
        log(upcoming, by, "recorded that a review trigger occurred", reason, changed=Fact.CASE)
    return trigger


def brought_forward_by(meeting: Meeting) -> list[ReviewTrigger]:
    """Return the triggers a review was arranged to answer."""
    if meeting.case is None:
        return []
    return [t for t in meeting.case.triggers if t.answered_by_id == meeting.id]
