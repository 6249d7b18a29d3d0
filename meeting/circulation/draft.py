"""The draft minutes: the record as it stands, the chair's summary and what is withheld."""

from collections.abc import Mapping
from typing import Any

import minutes
from minutes import GROUPS, Edition

from ..changes import Fact
from ..errors import Invalid, Refused
from ..models import CopyGroup, Item, Meeting, MinutesVersion
from ..policy import Policy
from ..rating.concealment import chair_viewer
from ..record import export
from ..record.log import log
from ..record.seen import still_as_seen
from .versions import latest, make_version, require_closed

SUMMARY_LIMIT = 20_000


def snapshot(meeting: Meeting, policy: Policy) -> dict[str, Any]:
    """Return the meeting's record as the minutes read it (the event log stays out)."""
    data = export.build(meeting, chair_viewer(meeting), policy)
    data.pop("events")
    return data


def draft_edition(meeting: Meeting, policy: Policy) -> Edition:
    """Return the edition the chair has drafted so far. An item restricted from the family,
    and what of an agency's report is withheld from them, are always withheld from the
    family's copy, whatever else the chair withholds."""
    withheld = {k: tuple(v) for k, v in meeting.minutes_withheld.items()}
    keys = [f"item-{item.position}" for item in meeting.items if item.restricted]
    if any(report.withheld for report in meeting.reports):
        keys.append(minutes.REPORTS_WITHHELD)
    for key in keys:
        withheld[key] = tuple(sorted({*withheld.get(key, ()), CopyGroup.FAMILY.value}))
    return Edition(
        summary=meeting.minutes_summary,
        undecided_reason=meeting.minutes_undecided_reason,
        withheld=withheld,
        zone=policy.zone.key,
    )


def draft(
    meeting: Meeting,
    policy: Policy,
    group: str | None = None,
    data: dict[str, Any] | None = None,
) -> str:
    """Return the draft minutes as they stand (Markdown), or one group's copy of them."""
    require_closed(meeting)
    edition = draft_edition(meeting, policy)
    edition = minutes.copy_for(edition, group) if group else edition
    return minutes.render(data or snapshot(meeting, policy), edition)


def undecided(meeting: Meeting) -> list[Item]:
    """Return the items on which no decision was recorded."""
    return [i for i in meeting.items if not (i.decision and i.decision.recorded)]


def _frozen(meeting: Meeting) -> None:
    first = latest(meeting)
    if first is not None:
        raise Refused(
            f"Version {first.number} of these minutes is frozen: nothing in it can be edited. "
            "A correction the chair accepts makes a new version."
        )


def save_draft(meeting: Meeting, form: Mapping[str, str], policy: Policy) -> None:
    """Keep the chair's summary, what is withheld from whom, and why undecided items go out."""
    require_closed(meeting)
    _frozen(meeting)
    errors = {}
    summary = form.get("summary", "").strip()
    reason = form.get("undecided_reason", "").strip()
    if len(summary) > SUMMARY_LIMIT:
        errors["summary"] = f"Keep the summary under {SUMMARY_LIMIT:,} characters."
    withheld = {}
    keys = {key for key, _label in minutes.sections(snapshot(meeting, policy))}
    for key in keys:
        groups = [g for g in GROUPS if form.get(f"withhold-{key}-{g}")]
        if groups:
            withheld[key] = groups
    if errors:
        raise Invalid(errors)
    still_as_seen(
        meeting,
        form.get("based_on"),
        lambda: meeting.draft_shown,
        lambda: f"summary “{meeting.minutes_summary}”",
    )
    changed = []
    if summary != meeting.minutes_summary:
        changed.append("summary")
    if withheld != meeting.minutes_withheld:
        changed.append("what is withheld from whom")
    if reason != meeting.minutes_undecided_reason:
        changed.append("reason for undecided items")
    meeting.minutes_summary = summary
    meeting.minutes_withheld = withheld
    meeting.minutes_undecided_reason = reason
    if changed:
        log(
            meeting,
            meeting.chair.name,
            "changed the draft minutes: " + ", ".join(changed),
            changed=Fact.RECORD,
        )


def freeze_first(meeting: Meeting, policy: Policy) -> MinutesVersion:
    """Freeze the draft as version 1; refused while an undecided item has no reason."""
    _frozen(meeting)
    open_items = undecided(meeting)
    if open_items and not meeting.minutes_undecided_reason:
        names = ", ".join(f"item {i.position} ({i.title})" for i in open_items)
        raise Invalid(
            {
                "undecided_reason": f"No decision was recorded on {names}. Say why the minutes "
                "go out without one; the minutes will show your reason."
            }
        )
    return make_version(meeting, snapshot(meeting, policy), draft_edition(meeting, policy))
