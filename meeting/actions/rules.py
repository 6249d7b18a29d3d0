"""Actions: who does what by when. One named owner, their agency and a date, or it is refused."""

from collections.abc import Mapping

from ..agenda.status import writable
from ..changes import Fact
from ..clock import future_date
from ..errors import Invalid, Refused
from ..models import Action, Attendee, Item, Meeting, utcnow
from ..policy import Policy
from ..record.log import log


def add(meeting: Meeting, form: Mapping[str, str], policy: Policy) -> Action:
    """Add an action for an item or the meeting as a whole; owner and due date are required."""
    writable(meeting)
    errors: dict[str, str] = {}
    what = (form.get("what") or "").strip()
    if not what:
        errors["what"] = "Say what is to be done."
    owner: Attendee | None = None
    owner_name, agency = "", (form.get("agency") or "").strip()[:120]
    owner_id = (form.get("owner_id") or "").strip()
    if owner_id:
        owner = next((a for a in meeting.attendees if str(a.id) == owner_id), None)
        if owner is None:
            errors["owner_id"] = "That person is not in this meeting; pick someone from the list."
        else:
            owner_name, agency = owner.name, agency or owner.agency
    else:
        owner_name = (form.get("owner_name") or "").strip()[:120]
        if not owner_name:
            errors["owner_id"] = (
                "Every action needs one named owner: pick someone, or name a person not here."
            )
        elif not agency:
            errors["agency"] = f"Enter {owner_name}'s agency."
    due = future_date(form.get("due"), errors, "due", "the date it is due by", policy.today())
    item = None
    item_id = (form.get("item_id") or "").strip()
    if item_id:
        item = next((i for i in meeting.items if str(i.id) == item_id), None)
        if item is None:
            errors["item_id"] = "That item is not on this meeting's agenda."
    if errors:
        raise Invalid(errors)
    action = Action(
        item=item, what=what, owner=owner, owner_name=owner_name, agency=agency, due=due
    )
    meeting.actions.append(action)
    where = f" on {item.title}" if item else ""
    log(
        meeting,
        meeting.chair.name,
        f"added an action{where} for {owner_name} ({agency}), due {due:%-d %b %Y}",
        what,
        action,
        changed=Fact.ACTIONS,
    )
    return action


def withdraw(action: Action, reason: str) -> None:
    """Withdraw an action added in error; it stays in the record, marked withdrawn."""
    meeting = action.meeting
    writable(meeting)
    if action.withdrawn_at is not None:
        raise Refused("That action was already withdrawn.")
    reason = reason.strip()
    if not reason:
        raise Invalid({"reason": "Say why the action is withdrawn."})
    action.withdrawn_at, action.withdrawn_reason = utcnow(), reason
    log(
        meeting,
        meeting.chair.name,
        f"withdrew the action for {action.owner_name}",
        reason,
        action,
        changed=Fact.ACTIONS,
    )


def live(meeting: Meeting, item: Item | None = None) -> list[Action]:
    """Return the actions that stand, for one item, or all of them when no item is given."""
    return [
        a
        for a in meeting.actions
        if a.withdrawn_at is None and (item is None or a.item_id == item.id)
    ]


def owned_by(meeting: Meeting, attendee: Attendee | None) -> list[Action]:
    """Return the standing actions one attendee owns."""
    if attendee is None:
        return []
    return [a for a in live(meeting) if a.owner_id == attendee.id]
