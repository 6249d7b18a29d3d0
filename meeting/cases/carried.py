"""Actions carried forward: every standing action of the meeting a review follows, and
any from before it that no review saw finished, each answered by its owner or the chair."""

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select

from ..agenda.status import writable
from ..changes import Fact
from ..errors import Invalid, Refused
from ..models import (
    Action,
    ActionStatus,
    ActionUpdate,
    AnySession,
    Attendee,
    Meeting,
    session_of,
    utcnow,
    word_of,
)
from ..record.log import log
from ..record.seen import hold
from .answers import unchanged
from .review import chain


def updates_of(session: AnySession, actions: list[Action]) -> dict[int, list[ActionUpdate]]:
    """Return each action's updates, oldest first."""
    if not actions:
        return {}
    rows = session.scalars(
        select(ActionUpdate)
        .where(ActionUpdate.action_id.in_([a.id for a in actions]))
        .order_by(ActionUpdate.id)
    )
    found: dict[int, list[ActionUpdate]] = {a.id: [] for a in actions}
    for row in rows:
        found[row.action_id].append(row)
    return found


@dataclass(frozen=True)
class Carried:
    """An action from an earlier meeting, as this review sees it."""

    action: Action
    # What was said of it for this review (the latest), and at an earlier review.
    update: ActionUpdate | None
    before: ActionUpdate | None
    overdue: bool
    # Where it was agreed: "the last meeting" or the date of an earlier one.
    agreed_at: Meeting

    @property
    def status(self) -> ActionStatus | None:
        return ActionStatus(self.update.status) if self.update else None


def carried(meeting: Meeting) -> list[Carried]:
    """Return the actions a review looks back on: every standing action of the meeting it
    reviews, and any from before that an earlier review did not see finished."""
    earlier = chain(meeting)
    if not earlier:
        return []
    ids = {m.id for m in earlier}
    actions = [a for m in earlier for a in m.actions if a.withdrawn_at is None]
    updates = updates_of(session_of(meeting), actions)
    # Overdue as at the day the review was held; before it starts, as at today.
    held_on = (meeting.started_at or utcnow()).date()
    found = []
    for action in sorted(actions, key=lambda a: (a.meeting.starts_at, a.id)):
        said = updates[action.id]
        before = [u for u in said if u.meeting_id in ids]
        here = [u for u in said if u.meeting_id == meeting.id]
        last_before = before[-1] if before else None
        if last_before is not None and ActionStatus(last_before.status).closes:
            continue
        update = here[-1] if here else None
        finished = update is not None and ActionStatus(update.status).closes
        found.append(
            Carried(
                action=action,
                update=update,
                before=last_before,
                overdue=not finished and action.due < held_on,
                agreed_at=action.meeting,
            )
        )
    return found


def owns(action: Action, attendee: Attendee | None) -> bool:
    """Say whether someone at a review is the owner of an action from an earlier meeting:
    the same email, or the same name and agency as the owner gave then."""
    if attendee is None or attendee.is_chair:
        return False
    owner = action.owner
    if owner is not None and owner.email and attendee.email:
        return owner.email.strip().lower() == attendee.email.strip().lower()
    same = attendee.name.strip().casefold() == action.owner_name.strip().casefold()
    return same and attendee.agency.strip().casefold() == action.agency.strip().casefold()


def set_status(
    meeting: Meeting,
    action: Action,
    form: Mapping[str, str],
    by: Attendee | None,
) -> ActionUpdate:
    """Say what became of a carried action: its owner from their device (`by`), or the chair.

    Each time is a line of its own; the latest stands, and the log keeps who said what.
    """
    writable(meeting)
    if not any(c.action.id == action.id for c in carried(meeting)):
        raise Refused("That action is not one this review looks back on.")
    if by is not None and not owns(action, by):
        raise Refused(f"Only {action.owner_name} or the chair can say what became of it.")
    # Held, then read afresh: an answer from another device meanwhile is a conflict.
    hold(action)
    standing = session_of(meeting).scalar(
        select(ActionUpdate)
        .where(ActionUpdate.action_id == action.id, ActionUpdate.meeting_id == meeting.id)
        .order_by(ActionUpdate.id.desc())
        .limit(1)
    )
    unchanged(form, standing, lambda u: f"{u.status.label}: {u.note}")
    errors: dict[str, str] = {}
    status = word_of(ActionStatus, form.get("status") or "")
    if status is None:
        errors["status"] = (
            "Choose what became of it: done, partly done, not done or no longer needed."
        )
    note = (form.get("note") or "").strip()
    if status is not None and status != ActionStatus.DONE and not note:
        errors["note"] = "Add a line on what happened."
    if errors:
        raise Invalid(errors)
    assert status is not None
    name = by.name if by is not None else meeting.chair.name
    update = ActionUpdate(
        action=action,
        meeting_id=meeting.id,
        status=status,
        note=note,
        by_name=name,
        by_owner=by is not None,
    )
    session_of(meeting).add(update)
    was = f"Was: {standing.status.label}: {standing.note}" if standing else ""
    session_of(meeting).flush()
    log(
        meeting,
        name,
        f"marked the action for {action.owner_name} “{action.what[:80]}”: {status.label}",
        "\n".join(x for x in (note, was) if x),
        update,
        changed=Fact.CASE,
    )
    return update
