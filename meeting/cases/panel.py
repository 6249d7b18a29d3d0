"""What a meeting's case region shows a viewer: why the review was brought forward, the
actions carried forward, the forecasts to answer, the chronology, and (for the chair
preparing) each item's history."""

from dataclasses import dataclass, field

from ..circulation.recipients import group_of
from ..models import ChronologyEntry, CopyGroup, Item, Meeting, MeetingStatus, ReviewTrigger
from ..policy import Policy
from ..rating.concealment import Viewer, hidden_from
from . import copied, history
from .again import CarriedAgain, again_at
from .carried import Carried, carried, owns
from .forecasts import Forecast, forecasts
from .triggers import brought_forward_by


@dataclass(frozen=True)
class CaseView:
    """A meeting's case, as one viewer sees it in the meeting."""

    meeting: Meeting
    brought_forward: list[ReviewTrigger]
    carried: list[Carried]
    mine: list[Carried]
    forecasts: list[Forecast]
    chronology: list[ChronologyEntry]
    # Each item's history, for the chair preparing before the meeting starts.
    earlier: list[tuple[Item, history.Earlier]] = field(default_factory=list)
    may_add: bool = False
    may_trigger: bool = False
    # The chair's: actions come to a review again, and, in set-up, the chronology since
    # the last meeting to set beside the items copied from it.
    again: dict[int, CarriedAgain] = field(default_factory=dict)
    since_last: list[ChronologyEntry] = field(default_factory=list)
    # The items copied from the last meeting that the chair has not looked at again.
    unreviewed: list[Item] = field(default_factory=list)

    @property
    def mine_ids(self) -> set[int]:
        return {c.action.id for c in self.mine}


def seen_by(meeting: Meeting, viewer: Viewer, policy: Policy) -> CaseView:
    """Return a meeting's case as a viewer sees it: the chair all of it, an attendee the
    actions (their own to answer), the chronology and why the review was brought forward."""
    # Actions carried from an item restricted from the family stay out of their sight.
    carried_ = [
        c for c in carried(meeting) if not (c.action.item and hidden_from(c.action.item, viewer))
    ]
    mine = [c for c in carried_ if owns(c.action, viewer.attendee)]
    earlier = []
    if viewer.is_chair and meeting.status == MeetingStatus.SETUP:
        earlier = [(i, e) for i in meeting.items if (e := history.earlier(i, viewer)) is not None]
    chairs = viewer.is_chair and meeting.previous_id is not None
    professional = (
        viewer.attendee is not None
        and not viewer.is_chair
        and group_of(viewer.attendee) == CopyGroup.PROFESSIONALS
    )
    return CaseView(
        meeting=meeting,
        brought_forward=brought_forward_by(meeting),
        carried=carried_,
        mine=mine,
        forecasts=forecasts(meeting) if viewer.is_chair else [],
        chronology=list(meeting.case.chronology) if meeting.case else [],
        earlier=earlier,
        again=again_at(meeting, [c.action for c in carried_]) if chairs else {},
        since_last=copied.since_last(meeting)
        if chairs and meeting.status == MeetingStatus.SETUP
        else [],
        unreviewed=copied.unreviewed(meeting) if chairs else [],
        may_add=meeting.status != MeetingStatus.CLOSED and meeting.case is not None,
        may_trigger=bool(
            meeting.case
            and (viewer.is_chair or (professional and policy.triggers_by_professionals))
        ),
    )
