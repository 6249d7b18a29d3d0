"""Items a review copied from the last meeting: marked until the chair has looked at each
again, with what has happened in the child's life since then beside it.

A copied assessment read out word for word at a review can say "no missing episodes"
beside a chronology that says otherwise. Until the chair edits the item or confirms it
unchanged, set-up and the cockpit say it is the last meeting's words.
"""

from ..agenda.status import writable
from ..changes import Fact
from ..errors import Refused
from ..models import ChronologyEntry, Item, Meeting, MeetingStatus, utcnow
from ..record.log import log
from ..record.seen import hold

# What set-up and the cockpit say of a copied item the chair has not looked at again.
MARK = "From the last meeting: review before the meeting"


def awaiting(item: Item) -> bool:
    """Say whether an item was copied from the last meeting and not yet edited or confirmed."""
    return item.previous_item_id is not None and item.confirmed_at is None


def unreviewed(meeting: Meeting) -> list[Item]:
    """Return the meeting's items copied from the last meeting and not yet looked at again."""
    return [i for i in meeting.items if awaiting(i)]


def edited(item: Item, title: str, body: str) -> None:
    """Take a copied item as looked at again once the chair changes its words."""
    if awaiting(item) and (title, body) != (item.title, item.body):
        item.confirmed_at = utcnow()


def confirm(item: Item, by: str) -> bool:
    """Confirm a copied item unchanged, before the meeting starts; False: it already was."""
    meeting = item.meeting
    writable(meeting)
    if meeting.status != MeetingStatus.SETUP:
        raise Refused("The meeting has started, so its agenda can no longer be changed.")
    if item.previous_item_id is None:
        raise Refused(f"“{item.title}” was added at this meeting: there is nothing to confirm.")
    # Held, then read afresh: a second window confirming at the same moment finds it done.
    hold(item)
    if item.confirmed_at is not None:
        return False
    item.confirmed_at = utcnow()
    log(
        meeting,
        by,
        f"confirmed item {item.position} unchanged from the last meeting: {item.title}",
        changed=Fact.AGENDA,
    )
    return True


def since_last(meeting: Meeting) -> list[ChronologyEntry]:
    """Return the chronology since the meeting a review follows: what happened on or after
    its day, and anything recorded for this review to discuss, in date order."""
    earlier = meeting.previous
    if meeting.case is None or earlier is None:
        return []
    from_day = earlier.starts_at.date()
    found = [
        e
        for e in meeting.case.chronology
        if e.happened_on >= from_day or (meeting.id is not None and e.meeting_id == meeting.id)
    ]
    return sorted(found, key=lambda e: (e.happened_on, e.id or 0))
