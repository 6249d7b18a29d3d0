"""Decisions that stand up later: the defensible-decision fields, minority views, consensus.

A decision is drafted while the discussion goes on and recorded once its rounds are
revealed. Each rater then says whether they agree; anyone who does not records their
view in their own words. Consensus is worked out from those answers, never typed.
"""

from dataclasses import dataclass

from flask import current_app
from werkzeug.datastructures import MultiDict

from .attendance import require_quorum
from .errors import Forbidden, Invalid, Refused
from .extensions import db
from .meetings import log
from .models import CLOSED, DRAFT, RECORDED, RUNNING, Attendee, Decision, Item, View, utcnow
from .rounds import Viewer, spread, unacknowledged_divergence
from .when import future_date, parse_date

LEGAL_BASES = [
    "Children Act 1989 s.1 (welfare checklist)",
    "Children Act 1989 s.17 (child in need)",
    "Children Act 1989 s.47 (enquiries)",
    "Human Rights Act 1998 Art. 8 (necessity and proportionality)",
    "Mental Capacity Act 2005 (16 and over)",
    "Working Together to Safeguard Children",
]

# The written fields of a decision, in the order the form and the record show them.
TEXT_FIELDS = {
    "text": "Decision",
    "rationale": "Rationale",
    "evidence": "Evidence considered, and which agency it came from",
    "options": "Options considered, and why each was not chosen",
    "benefits": "Benefits of the activity for the child",
    "cost_of_restriction": "What not taking the risk would cost the child",
    "least_restrictive": "Is this the least restrictive option?",
    "child_views": "The child's views, in their words where possible",
    "child_views_missing": "If the child's views were not obtained, why not",
    "legal_note": "Legal and policy basis: notes",
    "protective_action": "Immediate protective action considered",
    "review_triggers": "Events that would bring the review forward",
}


def legal_bases() -> list[str]:
    """Return the legal and policy bases to pick from: the standard list, then the deployment's."""
    extra = current_app.config.get("LEGAL_BASES_EXTRA") or []
    return LEGAL_BASES + [basis for basis in extra if basis not in LEGAL_BASES]


def protective_prompt(item: Item) -> bool:
    """Say whether the latest revealed round's safety median calls for protective action."""
    revealed = [r for r in item.rounds if r.revealed_at is not None]
    shown = spread(revealed[-1], Viewer("chair")) if revealed else None
    return bool(shown and shown.protective_prompt)


def _editable(item: Item) -> None:
    meeting = item.meeting
    if meeting.status == CLOSED:
        raise Refused("This meeting is closed; its record can be read but not changed.")
    if meeting.status != RUNNING:
        raise Refused("Start the meeting before drafting decisions.")


def _read(form: MultiDict, record: bool, item: Item) -> tuple[dict, dict[str, str]]:
    fields = {name: (form.get(name) or "").strip() for name in TEXT_FIELDS}
    picked = form.getlist("legal_bases")
    fields["legal_bases"] = [basis for basis in legal_bases() if basis in picked]
    errors: dict[str, str] = {}
    if set(picked) - set(fields["legal_bases"]):
        errors["legal_bases"] = (
            "Pick the legal basis from the list; add anything else in the notes."
        )
    if record:
        fields["review_date"] = future_date(
            form.get("review_date"), errors, "review_date", "the review date"
        )
        if not fields["text"]:
            errors["text"] = "Write the decision in plain words."
        if not fields["rationale"]:
            errors["rationale"] = "Give the rationale: why this decision, on what evidence."
        if not fields["child_views"] and not fields["child_views_missing"]:
            errors["child_views"] = "Record the child's views, or say why they were not obtained."
        if protective_prompt(item) and not fields["protective_action"]:
            errors["protective_action"] = (
                "The safety median is 2 or below: record what immediate protective action "
                "was considered, and what was decided about it."
            )
    else:
        try:
            fields["review_date"] = parse_date(form.get("review_date"))
        except ValueError:
            errors["review_date"] = "Enter the review date as a date, e.g. 2027-02-01."
    return fields, errors


def _changes(decision: Decision, fields: dict) -> list[tuple[str, str]]:
    changed = []
    labels = {**TEXT_FIELDS, "legal_bases": "Legal basis", "review_date": "Review date"}
    for name, label in labels.items():
        before = getattr(decision, name)
        if before != fields[name]:
            was = "; ".join(before) if isinstance(before, list) else str(before or "")
            changed.append((label, was))
    return changed


def save(item: Item, form: MultiDict, record: bool, actor: str) -> Decision:
    """Save the chair's draft of a decision, or record it (checked, and shown to everyone).

    Recording again after changes makes a new wording (version); the event log keeps what
    each changed field said before.
    """
    _editable(item)
    decision = item.decision
    if not record and decision is not None and decision.status == RECORDED:
        raise Refused("This decision is already recorded; record the changes instead.")
    fields, errors = _read(form, record, item)
    if record:
        if item.open_round is not None:
            raise Refused(
                f"Round {item.open_round.number} is still open; reveal it before recording "
                "the decision."
            )
        if not any(r.revealed_at for r in item.rounds):
            raise Refused("Open and reveal a rating round before recording the decision.")
        unheard = unacknowledged_divergence(item)
        if unheard:
            round_, words = unheard[0]
            raise Refused(
                f"Round {round_.number}: {words} Acknowledge the disagreement before "
                "recording the decision."
            )
        require_quorum(item.meeting, "recording a decision")
    if errors:
        raise Invalid(errors)
    if decision is None:
        decision = Decision(item=item, status=DRAFT, version=0)
        db.session.add(decision)
    changes = _changes(decision, fields) if decision.status == RECORDED else []
    for name, value in fields.items():
        setattr(decision, name, value)
    decision.updated_at = utcnow()
    meeting = item.meeting
    if not record:
        log(meeting, actor, f"saved a draft decision on {item.title}")
        return decision
    if decision.status == RECORDED and not changes:
        return decision
    decision.version += 1
    decision.status = RECORDED
    decision.recorded_at = decision.updated_at
    if changes:
        detail = "\n".join(f"{label} was: {was}" for label, was in changes)
        names = ", ".join(label for label, _was in changes)
        log(meeting, actor, f"edited the decision on {item.title} ({names})", detail)
    else:
        log(meeting, actor, f"recorded the decision on {item.title}")
    return decision


# Minority views ----------------------------------------------------------------------


def raters(item: Item) -> list[Attendee]:
    """Return everyone who rated the item in any round, in the order they first rated."""
    seen: dict[int, Attendee] = {}
    for round_ in item.rounds:
        for rating in sorted(round_.ratings, key=lambda r: r.first_submitted_at):
            seen.setdefault(rating.attendee_id, rating.attendee)
    return list(seen.values())


def minority_at_reveal(item: Item) -> dict[int, list[str]]:
    """Return, per attendee, the rounds in which their rating was marked a minority view."""
    marked: dict[int, list[str]] = {}
    for round_ in item.rounds:
        shown = spread(round_, Viewer("chair"))
        for s in shown.minority if shown else []:
            marked.setdefault(s.attendee_id, []).append(f"round {round_.number}: {s.value}")
    return marked


def view_of(decision: Decision | None, attendee: Attendee | None) -> View | None:
    """Return someone's view on a decision, if one is held."""
    if decision is None or attendee is None:
        return None
    return next((v for v in decision.views if v.attendee_id == attendee.id), None)


def _recorded(item: Item) -> Decision:
    _editable(item)
    if item.decision is None or item.decision.status != RECORDED:
        raise Refused(f"The decision on “{item.title}” has not been recorded yet.")
    return item.decision


def _view(decision: Decision, attendee: Attendee) -> View:
    view = view_of(decision, attendee)
    if view is None:
        view = View(attendee=attendee, agrees=None, decision_version=0)
        decision.views.append(view)
    return view


def respond(item: Item, attendee: Attendee, form: MultiDict, by_chair: bool) -> View:
    """Record whether someone agrees with the decision, and their view in their words if not."""
    decision = _recorded(item)
    if attendee.meeting_id != item.meeting_id:
        raise Forbidden("That person is not in this meeting.")
    if attendee.is_chair:
        raise Refused("The chair made the decision, so does not record a view on it.")
    if not by_chair and attendee.id not in {a.id for a in raters(item)}:
        raise Forbidden(
            "Only people who rated this item record a view on its decision; "
            "ask the chair to note anything you said."
        )
    answer = form.get("agrees")
    text = (form.get("text") or "").strip()
    if answer not in ("yes", "no"):
        raise Invalid({"agrees": "Say whether you agree with the decision."})
    if answer == "no" and not text:
        raise Invalid(
            {"text": "Write your view in your own words: what you disagree with, and why."}
        )
    view = _view(decision, attendee)
    was = (
        ""
        if view.agrees is None
        else f"Was: {'agrees' if view.agrees else 'disagrees'}; {view.text}".strip("; ")
    )
    view.agrees, view.text, view.by_chair = answer == "yes", text, by_chair
    view.decision_version = decision.version
    view.recorded_at = utcnow()
    who = (
        f"{item.meeting.chair.name} (recorded by the chair for {attendee.name})"
        if by_chair
        else attendee.name
    )
    stance = "agrees with" if view.agrees else "records a minority view on"
    log(item.meeting, who, f"{attendee.name} {stance} the decision on {item.title}", was)
    return view


def consider(item: Item, attendee: Attendee, form: MultiDict) -> View:
    """Record how the meeting considered someone's minority view, and any escalation."""
    decision = _recorded(item)
    if attendee.meeting_id != item.meeting_id:
        raise Forbidden("That person is not in this meeting.")
    errors: dict[str, str] = {}
    considered = (form.get("considered") or "").strip()
    if not considered:
        errors["considered"] = "Say how the meeting considered this view."
    escalate = form.get("escalate") == "yes"
    escalate_to = (form.get("escalate_to") or "").strip()[:200]
    respond_by = None
    if escalate:
        if not escalate_to:
            errors["escalate_to"] = "Say who the escalation goes to, e.g. the service manager."
        respond_by = future_date(
            form.get("respond_by"), errors, "respond_by", "the response-by date"
        )
    if errors:
        raise Invalid(errors)
    view = _view(decision, attendee)
    was = f"Was: {view.considered}" if view.considered else ""
    view.considered, view.escalate = considered, escalate
    view.escalate_to = escalate_to if escalate else ""
    view.respond_by = respond_by
    action = f"recorded how {attendee.name}'s view on {item.title} was considered"
    if escalate:
        action += f"; escalated to {escalate_to}"
    log(item.meeting, item.meeting.chair.name, action, was)
    return view


# Consensus ---------------------------------------------------------------------------

UNANIMOUS = "Unanimous"
WITH_DISSENT = "Agreed with recorded dissent"
AGAINST_MAJORITY = "Chair's decision against the majority of ratings"


@dataclass(frozen=True)
class Consensus:
    """How far the raters agree with a recorded decision, worked out from their views."""

    status: str
    agree: int
    disagree: int
    waiting_for: list[Attendee]


def consensus(item: Item) -> Consensus | None:
    """Work out the consensus on an item's recorded decision (None before it is recorded)."""
    decision = item.decision
    if decision is None or decision.status != RECORDED:
        return None
    expected = [a for a in raters(item) if not a.is_chair]
    answered = {v.attendee_id: v.agrees for v in decision.views if v.agrees is not None}
    agree = sum(1 for a in expected if answered.get(a.id) is True)
    disagree = sum(1 for v in answered.values() if v is False)
    waiting_for = [a for a in expected if a.id not in answered]
    if expected and disagree * 2 > len(expected):
        status = AGAINST_MAJORITY
    elif disagree:
        status = WITH_DISSENT
    elif expected and not waiting_for:
        status = UNANIMOUS
    else:
        status = ""
    return Consensus(status, agree, disagree, waiting_for)
