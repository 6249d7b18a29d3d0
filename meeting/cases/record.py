"""A meeting's place in its child's case, as plain data for the JSON record and the minutes:
the links between the meetings, what the review found of the last meeting's actions and
forecasts, each item's history, and the chronology discussed."""

from typing import Any

from ..models import Item, Meeting
from ..rating.concealment import Viewer
from ..record.plain import day, stamp
from . import history
from .carried import carried
from .chronology import discussed_at
from .forecasts import forecasts
from .triggers import brought_forward_by


def _meeting(m: Meeting) -> dict[str, Any]:
    return {
        "id": m.id,
        "title": m.title,
        "kind": m.kind_label,
        "starts_at": m.starts_at.isoformat(timespec="minutes"),
        "status": m.status,
    }


def case_links(meeting: Meeting) -> dict[str, Any] | None:
    """Return the meeting's case: every meeting in it, the one this reviews, the ones that
    review this, why it was brought forward, and the chronology it discussed."""
    case = meeting.case
    if case is None:
        return None
    return {
        "id": case.id,
        "child": case.child,
        "meetings": [_meeting(m) for m in case.meetings],
        "previous_meeting_id": meeting.previous_id,
        "later_meeting_ids": [m.id for m in case.meetings if m.previous_id == meeting.id],
        "brought_forward_by": [
            {
                "reason": t.reason,
                "recorded_by": t.recorded_by,
                "recorded_at": stamp(t.recorded_at),
            }
            for t in brought_forward_by(meeting)
        ],
        "chronology": [
            {
                "happened_on": day(e.happened_on),
                "what": e.what,
                "agency": e.agency,
                "added_by": e.added_by,
                "added_at": stamp(e.added_at),
            }
            for e in discussed_at(meeting)
        ],
    }


def _restricted(item: Item | None) -> bool:
    """Say whether an earlier item was restricted from the family at any meeting."""
    return item is not None and any(i.restricted for i in (item, *history.lineage(item)))


def _here(meeting: Meeting, item: Item | None) -> int | None:
    """Return the position of this meeting's item that continues `item`, if one does."""
    if item is None:
        return None
    for mine in meeting.items:
        if any(earlier.id == item.id for earlier in history.lineage(mine)):
            return mine.position
    return None


def _earlier_item(item: Item | None) -> dict[str, Any] | None:
    if item is None:
        return None
    return {"meeting_id": item.meeting_id, "position": item.position, "title": item.title}


def looking_back(meeting: Meeting) -> dict[str, Any] | None:
    """Return what a review found of the meeting it reviews: what became of each action
    carried forward, and what happened against each forecast (None for a first meeting)."""
    earlier = meeting.previous
    if earlier is None:
        return None
    return {
        "previous_meeting": _meeting(earlier),
        "actions": [
            {
                "action_id": c.action.id,
                "agreed_at_meeting_id": c.agreed_at.id,
                # The item of this meeting it belongs with (withheld with it), and the item
                # it was agreed on.
                "item": _here(meeting, c.action.item),
                "agreed_on_item": _earlier_item(c.action.item),
                # Agreed on an item restricted from the family: never in the family's copy.
                "restricted": _restricted(c.action.item),
                "what": c.action.what,
                "owner": c.action.owner_name,
                "agency": c.action.agency,
                "due": day(c.action.due),
                "overdue": c.overdue,
                "status": c.update.status.label if c.update else None,
                "what_happened": c.update.note if c.update else "",
                "said_by": c.update.by_name if c.update else None,
                "said_by_owner": c.update.by_owner if c.update else False,
                "said_at": stamp(c.update.at) if c.update else None,
                "earlier_status": c.before.status.label if c.before else None,
            }
            for c in carried(meeting)
        ],
        "forecasts": [
            {
                "item": _here(meeting, f.item),
                "item_title": f.item.title,
                "restricted": _restricted(f.item),
                "line": f.line,
                "forecast": f.text,
                "result": f.outcome.result.label if f.outcome else None,
                "what_happened": f.outcome.note if f.outcome else "",
                "recorded_by": f.outcome.by_name if f.outcome else None,
                "recorded_at": stamp(f.outcome.at) if f.outcome else None,
            }
            for f in forecasts(meeting)
        ],
    }


def item_history(item: Item, viewer: Viewer) -> dict[str, Any] | None:
    """Return an item's history as this viewer may see it (see `history.earlier`)."""
    found = history.earlier(item, viewer)
    if found is None:
        return None
    d = found.decision
    return {
        "previous_meeting_id": found.meeting.id,
        # Restricted from the family at an earlier meeting: never in the family's copy.
        "restricted": _restricted(found.item),
        "previous_decision": {
            "decision": d.text,
            "rationale": d.rationale,
            "review_date": day(d.review_date),
            "review_triggers": d.review_triggers,
            "forecast": d.forecasts,
        }
        if d
        else None,
        "previous_rounds": [
            {"number": r.number, "middle": s.middle, "range": s.range} for r, s in found.spreads
        ],
        "movement": [
            {
                "agency": m.agency,
                "family": m.family,
                "then": m.then,
                "now": m.now,
                "movement": m.words,
            }
            for m in found.moved
        ],
        "middle_at_each_meeting": [
            {"held": m.held.date().isoformat(), "middle": m.middle, "this_meeting": m.now}
            for m in found.middles
        ],
    }
