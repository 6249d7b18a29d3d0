"""A decision that stands up later: the defensible-decision fields, drafted then recorded.

A decision is drafted while the discussion goes on and recorded once its rounds are
revealed. Recording again after changes makes a new wording (version); the event log
keeps what each changed field said before.
"""

from typing import Any, Protocol

from sqlalchemy import update

from ..agenda.status import running
from ..attendance.quorum import require_quorum
from ..cases import optimism, targets
from ..cases.calibration import likelihood_problem
from ..changes import Fact
from ..clock import future_date, parse_date
from ..errors import Invalid, Refused
from ..models import Decision, DecisionStatus, Item, Scale, session_of, utcnow
from ..policy import Policy
from ..rating.concealment import UNSEATED_CHAIR, spread
from ..rating.rounds import unacknowledged_divergence
from ..record.log import log

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
    "forecast": "What we expect by the review if the plan is followed",
}


class Form(Protocol):
    """A submitted form: one value per field, and every value of a repeated field."""

    def get(self, key: str, /) -> str | None: ...

    def getlist(self, key: str, /) -> list[str]: ...


def protective_prompt(item: Item) -> bool:
    """Say whether the latest revealed round's safety median calls for protective action."""
    revealed = [r for r in item.rounds if r.revealed_at is not None]
    shown = spread(revealed[-1], UNSEATED_CHAIR) if revealed else None
    return bool(shown and shown.protective_prompt)


def editable(item: Item) -> None:
    """Refuse to change what was decided on an item unless its meeting is running."""
    running(item.meeting, "Start the meeting before drafting decisions.")


def _read(
    form: Form, record: bool, item: Item, policy: Policy
) -> tuple[dict[str, Any], dict[str, str]]:
    fields: dict[str, Any] = {name: (form.get(name) or "").strip() for name in TEXT_FIELDS}
    picked = form.getlist("legal_bases")
    fields["legal_bases"] = [basis for basis in policy.legal_bases if basis in picked]
    errors: dict[str, str] = {}
    if set(picked) - set(fields["legal_bases"]):
        errors["legal_bases"] = (
            "Pick the legal basis from the list; add anything else in the notes."
        )
    fields["target_point"], fields["target_choice"] = targets.read(
        Scale(item.scale), item.choices, form.get("target"), errors
    )
    fields["change_evidence"] = (form.get("change_evidence") or "").strip()
    if record:
        _explained(item, fields, errors)
        fields["review_date"] = future_date(
            form.get("review_date"), errors, "review_date", "the review date", policy.today()
        )
        if not fields["text"]:
            errors["text"] = "Write the decision in plain words."
        if not fields["rationale"]:
            errors["rationale"] = "Give the rationale: why this decision, on what evidence."
        if not fields["child_views"] and not fields["child_views_missing"]:
            errors["child_views"] = "Record the child's views, or say why they were not obtained."
        unscorable = likelihood_problem(fields["forecast"].splitlines())
        if unscorable:
            errors["forecast"] = unscorable
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


def _explained(item: Item, fields: dict[str, Any], errors: dict[str, str]) -> None:
    """Ask for the new evidence when a review's rating moved against what was done (see
    `optimism`): the question and the chair's answer go on the record with the decision."""
    fields["change_question"] = optimism.asked(item)
    if not fields["change_question"]:
        fields["change_evidence"] = ""
    elif not fields["change_evidence"]:
        errors["change_evidence"] = (
            "Write the new evidence that explains the change before recording the decision."
        )


def _changes(decision: Decision, fields: dict[str, Any]) -> list[tuple[str, str]]:
    changed = []
    labels = {**TEXT_FIELDS, "legal_bases": "Legal basis", "review_date": "Review date"}
    labels |= {"target_point": "Target", "target_choice": "Target"}
    labels |= {"change_evidence": "New evidence for the change"}
    for name, label in labels.items():
        before = getattr(decision, name)
        if before != fields[name]:
            was = "; ".join(before) if isinstance(before, list) else str(before or "")
            changed.append((label, was))
    return changed


def _ready_to_record(item: Item, policy: Policy) -> None:
    still_open = item.open_round
    if still_open is not None:
        raise Refused(
            f"Round {still_open.number} is still open; reveal it before recording the decision."
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
    require_quorum(item.meeting, "recording a decision", policy)


def _still_a_draft(decision: Decision) -> None:
    """Claim a draft for saving, refusing if it was recorded since it was read.

    The draft saves itself while the chair types, so a save can meet a "Record" sent at
    the same moment; the row is claimed only while it is still a draft, so a late draft
    never overwrites what was recorded.
    """
    claimed = session_of(decision).execute(
        update(Decision)
        .where(Decision.id == decision.id, Decision.status == DecisionStatus.DRAFT)
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 1) == 0:
        raise Refused("This decision was recorded meanwhile; record any changes instead.")


def _still_as_seen(decision: Decision, based_on: str | None) -> None:
    """Claim a decision for recording, refusing if it changed since the form was drawn.

    The form says which wording it was based on (`based_on`); a second window, or a
    second chair, that recorded a wording in between makes this one a conflict, shown
    with the wording now on the record, never a silent overwrite.
    """
    try:
        seen = int(based_on or "")
    except ValueError:
        return
    claimed = session_of(decision).execute(
        update(Decision)
        .where(Decision.id == decision.id, Decision.version == seen)
        .values(version=Decision.version)
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 1) == 0:
        session_of(decision).refresh(decision)
        raise Refused(
            f"The decision was recorded from elsewhere while you were editing; wording "
            f"{decision.version} now reads: “{decision.text}”. Nothing was saved: what you "
            "typed is kept below. Check it against that wording, then record it again."
        )


def save(item: Item, form: Form, record: bool, actor: str, policy: Policy) -> Decision:
    """Save the chair's draft of a decision, or record it (checked, and shown to everyone)."""
    editable(item)
    decision = item.decision
    if not record and decision is not None and decision.recorded:
        raise Refused("This decision is already recorded; record the changes instead.")
    if not record and decision is not None:
        _still_a_draft(decision)
    if record and decision is not None:
        _still_as_seen(decision, form.get("based_on"))
    fields, errors = _read(form, record, item, policy)
    if record:
        _ready_to_record(item, policy)
    if errors:
        raise Invalid(errors)
    started = decision is None
    if decision is None:
        decision = Decision(item=item, status=DecisionStatus.DRAFT, version=0)
        session_of(item).add(decision)
    changes = _changes(decision, fields) if decision.recorded else []
    for name, value in fields.items():
        setattr(decision, name, value)
    decision.updated_at = utcnow()
    meeting = item.meeting
    if not record:
        # A draft is the chair's own until recorded, and saves itself as they type: the
        # log says when one was begun, not every pause in typing.
        if started:
            log(meeting, actor, f"began a draft decision on {item.title}", changed=Fact.DRAFT)
        return decision
    if decision.recorded and not changes:
        return decision
    decision.version += 1
    decision.status = DecisionStatus.RECORDED
    decision.recorded_at = decision.updated_at
    if changes:
        detail = "\n".join(f"{label} was: {was}" for label, was in changes)
        names = ", ".join(label for label, _was in changes)
        log(
            meeting,
            actor,
            f"edited the decision on {item.title} ({names})",
            detail,
            decision,
            changed=Fact.DECISION,
        )
    else:
        log(
            meeting,
            actor,
            f"recorded the decision on {item.title}",
            about=decision,
            changed=Fact.DECISION,
        )
    return decision
