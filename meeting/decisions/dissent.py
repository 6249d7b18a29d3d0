"""Each rater's view on a recorded decision, how minority views were considered, consensus.

Each rater says whether they agree; anyone who does not records their view in their own
words. Consensus is worked out from those answers, never typed.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ..changes import Fact
from ..clock import future_date
from ..errors import Forbidden, Invalid, Refused
from ..models import Attendee, AttendeeStatus, Decision, Item, Track, View, utcnow
from ..policy import Policy
from ..rating.concealment import UNSEATED_CHAIR, spread
from ..record.log import log
from ..record.seen import still_as_seen
from .decision import editable


def raters(item: Item, track: Track | None = None) -> list[Attendee]:
    """Return everyone who rated the item in any round (on one track, if given), in the
    order they first rated."""
    seen: dict[int, Attendee] = {}
    for round_ in item.rounds:
        for rating in sorted(round_.ratings, key=lambda r: r.first_submitted_at):
            if track is None or rating.track == track:
                seen.setdefault(rating.attendee_id, rating.attendee)
    return list(seen.values())


def family_voices(item: Item) -> Callable[[Attendee], bool]:
    """Return the test of whether someone's view on an item's decision is the family's
    (recorded, never counted in the consensus): they rated it on the family's track, or
    did not rate it and take part as family. A rating's track, not a later change of
    part, decides. The raters are read once, for every view tested."""
    family = {a.id for a in raters(item, Track.FAMILY)}
    professionals = {a.id for a in raters(item, Track.PROFESSIONALS)}

    def voice(attendee: Attendee) -> bool:
        if attendee.id in family:
            return True
        return attendee.id not in professionals and attendee.family_side

    return voice


def minority_at_reveal(item: Item) -> dict[int, list[str]]:
    """Return, per attendee, the rounds in which their rating was marked a minority view."""
    marked: dict[int, list[str]] = {}
    for round_ in item.rounds:
        shown = spread(round_, UNSEATED_CHAIR)
        for s in shown.minority if shown else []:
            marked.setdefault(s.attendee_id, []).append(f"round {round_.number}: {s.value}")
    return marked


def view_of(decision: Decision | None, attendee: Attendee | None) -> View | None:
    """Return someone's view on a decision, if one is held."""
    if decision is None or attendee is None:
        return None
    return next((v for v in decision.views if v.attendee_id == attendee.id), None)


def _recorded(item: Item) -> Decision:
    editable(item)
    if item.decision is None or not item.decision.recorded:
        raise Refused(f"The decision on “{item.title}” has not been recorded yet.")
    return item.decision


def _view(decision: Decision, attendee: Attendee) -> View:
    view = view_of(decision, attendee)
    if view is None:
        view = View(attendee=attendee, agrees=None, decision_version=0)
        decision.views.append(view)
    return view


def respond(item: Item, attendee: Attendee, form: Mapping[str, str], by_chair: bool) -> View:
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
    log(
        item.meeting,
        who,
        f"{attendee.name} {stance} the decision on {item.title}",
        was,
        view,
        changed=Fact.DECISION,
    )
    return view


def consider(item: Item, attendee: Attendee, form: Mapping[str, str], policy: Policy) -> View:
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
            form.get("respond_by"), errors, "respond_by", "the response-by date", policy.today()
        )
    if errors:
        raise Invalid(errors)
    view = _view(decision, attendee)
    if view.id is not None:
        still_as_seen(
            view,
            form.get("based_on"),
            lambda: view.considered_shown,
            lambda: (
                f"“{view.considered}”"
                + (f", escalated to {view.escalate_to}" if view.escalate else "")
            ),
        )
    was = f"Was: {view.considered}" if view.considered else ""
    view.considered, view.escalate = considered, escalate
    view.escalate_to = escalate_to if escalate else ""
    view.respond_by = respond_by
    action = f"recorded how {attendee.name}'s view on {item.title} was considered"
    if escalate:
        action += f"; escalated to {escalate_to}"
    log(item.meeting, item.meeting.chair.name, action, was, view, changed=Fact.DECISION)
    return view


UNANIMOUS = "Unanimous"
AGREED_BY_THOSE_PRESENT = "Agreed by everyone present"
WITH_DISSENT = "Agreed with recorded dissent"
AGAINST_MAJORITY = "Chair's decision against the majority of ratings"


@dataclass(frozen=True)
class Consensus:
    """How far the raters agree with a recorded decision, worked out from their views."""

    status: str
    agree: int
    disagree: int
    waiting_for: list[Attendee]
    # Absent agencies whose written rating counted: they cannot answer, and are not waited for.
    written: list[Attendee] = field(default_factory=list)


def consensus(item: Item) -> Consensus | None:
    """Work out the consensus on an item's recorded decision (None before it is recorded).

    It is the professionals' consensus: the family's views on the decision are recorded
    and shown as theirs, never counted in it.
    """
    decision = item.decision
    if decision is None or not decision.recorded:
        return None
    family = family_voices(item)
    answered = {
        v.attendee_id: v.agrees
        for v in decision.views
        if v.agrees is not None and not family(v.attendee)
    }
    others = [a for a in raters(item, Track.PROFESSIONALS) if not a.is_chair]
    # An agency that sent apologies and a written rating was not there to hear the
    # decision: its rating counted in the spread, but it is not asked to answer.
    written = [a for a in others if a.status == AttendeeStatus.ABSENT and a.id not in answered]
    expected = [a for a in others if a not in written]
    agree = sum(1 for a in expected if answered.get(a.id) is True)
    disagree = sum(1 for v in answered.values() if v is False)
    waiting_for = [a for a in expected if a.id not in answered]
    if expected and disagree * 2 > len(expected):
        status = AGAINST_MAJORITY
    elif disagree:
        status = WITH_DISSENT
    elif expected and not waiting_for:
        status = AGREED_BY_THOSE_PRESENT if written else UNANIMOUS
    else:
        status = ""
    return Consensus(status, agree, disagree, waiting_for, written)
