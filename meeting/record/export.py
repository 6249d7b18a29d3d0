"""The whole record of a meeting as plain data: what the JSON export holds and the minutes read.

Rating values come through `concealment.visible_ratings` like everywhere else, so a round
that is still open lists who has rated but no values.
"""

import json
from typing import Any

from sqlalchemy import select

from ..actions import rules as actions
from ..attendance.quorum import quorum
from ..attendance.roll import attendance_label
from ..cases import record as case_record
from ..cases import targets
from ..decisions.dissent import consensus, family_voices, minority_at_reveal
from ..models import Action, AttendeeStatus, Event, Item, Meeting, Round, session_of
from ..policy import Policy
from ..rating import concealment, discussion, scales, uncertainty
from ..rating.concealment import Viewer
from ..rating.rounds import BASES
from ..reports import record as reports_record
from ..words import own
from .plain import day, stamp

FORMAT = "meeting-record/1"
# The people the record lists as attending: everyone admitted, and everyone who sent apologies.
ATTENDED = (AttendeeStatus.ADMITTED, AttendeeStatus.ABSENT)


def _round(round_: Round, viewer: Viewer) -> dict[str, Any]:
    item = round_.item
    shown = concealment.spread(round_, viewer)
    visible = {r.id for r in concealment.visible_ratings(round_, viewer)}
    minority = {s.attendee_id for s in shown.minority} if shown else set()
    ratings = []
    for r in round_.ratings:
        entry = {
            "attendee_id": r.attendee_id,
            "name": r.attendee.name,
            "agency": r.attendee.agency,
            "part": r.attendee.part_label,
            "track": r.track,
            "written_contribution": r.written,
            "given": r.given,
            "first_submitted_at": stamp(r.first_submitted_at),
            "submitted_at": stamp(r.submitted_at),
        }
        if r.id in visible and r.cannot_rate:
            # "I can't rate this yet": what they need, and no value of any kind.
            entry |= {"cannot_rate": True, "needs": r.needs, "reason": r.reason}
        elif r.id in visible:
            value = concealment.value_of(r)
            entry |= {
                "value": scales.describe(item.scale, value),
                "low": r.low,
                "high": r.high,
                "range": uncertainty.describe_range(item.scale, r.low, r.high),
                "sure": r.sure,
                "sureness": uncertainty.sureness(r.sure),
                "score": r.score,
                "likelihood": r.likelihood,
                "severity": r.severity,
                "choice": r.choice,
                "reason": r.reason,
                "report": r.report,
                "minority": r.attendee_id in minority,
            }
        ratings.append(entry)
    return {
        "number": round_.number,
        "basis": BASES[round_.basis] if round_.basis else None,
        "control_measures": round_.controls,
        "opened_at": stamp(round_.opened_at),
        "revealed_at": stamp(round_.revealed_at),
        "ratings": ratings,
        "did_not_rate": [
            {"attendee_id": a.id, "name": a.name, "agency": a.agency, "part": a.part_label}
            for a in (shown.did_not_rate if shown else [])
        ],
        "could_not_rate": [
            {
                "attendee_id": g.attendee_id,
                "name": g.name,
                "agency": g.agency,
                "part": g.part,
                "needs": g.needs,
            }
            for g in (shown.gaps if shown else ())
        ],
        "middle": shown.middle if shown else None,
        "range": shown.range if shown else None,
        "chart": [{"label": label, "count": n} for label, n in shown.bars] if shown else [],
        "divergence": shown.divergence if shown else "",
        "divided": shown.divided if shown else "",
        "divergence_acknowledged_at": stamp(round_.divergence_acknowledged_at),
        "divergence_note": round_.divergence_note,
        "protective_action_prompted": bool(shown and shown.protective_prompt),
    }


def _own(item: Item) -> dict[str, Any]:
    """What the young person gave on an item: their words, then the work they attached, by
    name, type, size and digest (the work itself is never in the record)."""
    given = own.given(item)
    return {
        "words": [
            {
                "attendee_id": w.attendee_id,
                "name": w.attendee.name,
                "part": w.attendee.part_label,
                "said_for_them": w.for_them,
                "words": w.text,
                "given_at": stamp(w.given_at),
                "changed_at": stamp(w.changed_at),
            }
            for w in given.words
        ],
        "work": [
            {
                "id": w.id,
                "attendee_id": w.attendee_id,
                "attached_by": w.attendee.name,
                "said_for_them": w.for_them,
                "file_name": w.name,
                "media_type": w.media_type,
                "size": w.size,
                "sha256": w.sha256,
                "given_at": stamp(w.given_at),
                "shown_on_display": w.on_display,
            }
            for w in given.work
        ],
    }


def _decision(item: Item) -> dict[str, Any] | None:
    d = item.decision
    if d is None:
        return None
    agreed = consensus(item)
    marked = minority_at_reveal(item)
    family = family_voices(item)
    return {
        "status": d.status,
        "version": d.version,
        "recorded_at": stamp(d.recorded_at),
        "updated_at": stamp(d.updated_at),
        "decision": d.text,
        "rationale": d.rationale,
        "evidence": d.evidence,
        "options_considered": d.options,
        "proportionality": {
            "benefits": d.benefits,
            "cost_of_not_taking_the_risk": d.cost_of_restriction,
            "least_restrictive": d.least_restrictive,
        },
        "child_views": d.child_views,
        "child_views_not_obtained_because": d.child_views_missing,
        "legal_basis": d.legal_bases,
        "legal_notes": d.legal_note,
        "protective_action": d.protective_action,
        "review_date": day(d.review_date),
        "review_triggers": d.review_triggers,
        "forecast": d.forecasts,
        "target": targets.recorded_target(d),
        "change_question": d.change_question,
        "change_evidence": d.change_evidence,
        "consensus": agreed.status if agreed else None,
        "awaiting_views_from": [a.name for a in agreed.waiting_for] if agreed else [],
        "written_contributions_from": [a.name for a in agreed.written] if agreed else [],
        "views": [
            {
                "attendee_id": v.attendee_id,
                "name": v.attendee.name,
                "agency": v.attendee.agency,
                "part": v.attendee.part_label,
                "family": family(v.attendee),
                "agrees": v.agrees,
                "view": v.text,
                "recorded_by_chair": v.by_chair,
                "recorded_at": stamp(v.recorded_at),
                "answers_decision_version": v.decision_version,
                "minority_at_reveal": marked.get(v.attendee_id, []),
                "how_considered": v.considered,
                "escalated": v.escalate,
                "escalated_to": v.escalate_to,
                "respond_by": day(v.respond_by),
            }
            for v in d.views
        ],
    }


def _copied(item: Item) -> dict[str, Any] | None:
    """Whether an item was copied from the last meeting, and when the chair looked at it
    again (edited its words or confirmed it unchanged): null for an item added here."""
    if item.previous_item_id is None:
        return None
    return {"from_last_meeting": True, "looked_at_again_at": stamp(item.confirmed_at)}


def _action(a: Action) -> dict[str, Any]:
    return {
        "id": a.id,
        "item": a.item.position if a.item else None,
        "what": a.what,
        "owner": a.owner_name,
        "owner_attendee_id": a.owner_id,
        "agency": a.agency,
        "due": day(a.due),
        "added_at": stamp(a.created_at),
        "withdrawn_at": stamp(a.withdrawn_at),
        "withdrawn_because": a.withdrawn_reason,
    }


def build(meeting: Meeting, viewer: Viewer, policy: Policy) -> dict[str, Any]:
    """Return the meeting's whole record as plain data, as this viewer may see it."""
    state = quorum(meeting, policy)
    people = [a for a in meeting.attendees if a.status in ATTENDED]
    events = session_of(meeting).scalars(
        select(Event).where(Event.meeting_id == meeting.id).order_by(Event.seq)
    )
    return {
        "format": FORMAT,
        "meeting": {
            "id": meeting.id,
            "title": meeting.title,
            "kind": meeting.kind_label,
            "child": meeting.child,
            "starts_at": meeting.starts_at.isoformat(timespec="minutes"),
            "place": meeting.place,
            "family_rates": meeting.family_rates,
            "chair": {"name": meeting.chair.name, "agency": meeting.chair.agency},
            "status": meeting.status,
            "started_at": stamp(meeting.started_at),
            "closed_at": stamp(meeting.closed_at),
        },
        "quorum": {
            "rule": state.rule,
            "agencies_present": state.agencies,
            "met": state.met,
            "inquorate_reason": meeting.inquorate_reason,
        },
        "attendance": [
            {
                "attendee_id": a.id,
                "name": a.name,
                "role": a.role,
                "agency": a.agency,
                "part": a.part_label,
                "family": a.family_side,
                "channel": a.channel_label,
                "email": a.email,
                "attendance": attendance_label(a),
                "left_at": stamp(a.left_at),
                "observer": a.observer,
                "chair": a.is_chair,
                "written_contribution_items": [
                    i.position
                    for i in meeting.items
                    if any(c.attendee_id == a.id for c in i.contributions)
                ],
            }
            for a in people
        ],
        "reports": reports_record.reports(meeting),
        "items": [
            {
                "position": item.position,
                "title": item.title,
                "body": item.body,
                "scale": scales.SCALES[item.scale],
                "choices": item.choices,
                "young_person": _own(item),
                "rounds": [_round(r, viewer) for r in item.rounds],
                "discussion": discussion.as_record(discussion.changed(item, viewer)),
                "decision": _decision(item),
                "actions": [_action(a) for a in actions.live(meeting, item)],
                "previous_item": {
                    "meeting_id": item.previous_item.meeting_id,
                    "position": item.previous_item.position,
                }
                if item.previous_item
                else None,
                "copied": _copied(item),
                "history": case_record.item_history(item, viewer),
                "target_check": targets.recorded_check(item, viewer),
            }
            for item in meeting.items
        ],
        "case": case_record.case_links(meeting),
        "review": case_record.looking_back(meeting),
        "actions": [_action(a) for a in meeting.actions],
        "events": [
            {"at": stamp(e.at), "who": e.actor, "what": e.action, "detail": e.detail}
            for e in events
        ],
    }


def as_json(data: dict[str, Any]) -> str:
    """Return a record as the JSON the chair downloads and a purge exports."""
    return json.dumps(data, ensure_ascii=False, indent=2)


def filename(meeting_id: int) -> str:
    """Return the name a meeting's record is saved under."""
    return f"meeting-{meeting_id}-record.json"
