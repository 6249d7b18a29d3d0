"""A meeting's plain record to Markdown minutes, with a defensible-decision section per item.

Nothing here reads a clock, a database or a request: the record and the edition are the
whole input, so the same record gives the same bytes.
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from .text import block, clock, inline, iso_day, when

# Who a copy can be made for when part of the minutes is not for them.
GROUPS = {
    "family": "family members (parents, carers, the child)",
    "professionals": "professionals",
}
INTEGRITY = "Integrity: "


@dataclass(frozen=True)
class Correction:
    """A correction someone asked for, and the chair's answer to it."""

    number: int
    section: str
    section_label: str
    text: str
    requested_by: str
    requested_at: str
    outcome: str  # "accepted" or "declined"
    answer: str
    answered_at: str
    version: int  # the version that first carries it


@dataclass(frozen=True)
class Edition:
    """Everything about one issue of the minutes that is not in the meeting's record."""

    version: int | None = None  # None: a draft, not yet circulated
    issued_at: str | None = None
    summary: str = ""
    undecided_reason: str = ""
    corrections: tuple[Correction, ...] = ()
    # Section key ("summary", "item-2") -> the groups it is not for.
    withheld: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    copy_for: str | None = None  # a group key, or None for the full minutes
    zone: str = "Europe/London"


def digest(text: str) -> str:
    """Return the SHA-256 digest of the minutes' text above the integrity line."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def split(markdown: str) -> tuple[str, str]:
    """Split minutes into the text the digest covers and the integrity line."""
    body, _, line = markdown.rpartition("\n" + INTEGRITY)
    return body, INTEGRITY + line


def verify(markdown: str) -> bool:
    """Say whether minutes still match the digest printed in their integrity line.

    The digest is of the text with LF line endings; mail may carry it with CRLF.
    """
    _body, line = split(markdown)
    return f"SHA-256 {digest_of(markdown)}" in line


def sections(record: dict) -> list[tuple[str, str]]:
    """Return the parts of the minutes that can be withheld from a group, as (key, label)."""
    parts = [("summary", "Summary")]
    parts += [
        (f"item-{i['position']}", f"Item {i['position']}: {i['title']}") for i in record["items"]
    ]
    return parts


def copy_for(edition: Edition, group: str) -> Edition:
    """Return the edition of one group's copy."""
    return replace(edition, copy_for=group)


def decided(item: dict) -> bool:
    """Say whether an item has a recorded decision."""
    return bool(item["decision"] and item["decision"]["status"] == "recorded")


def render(record: dict, edition: Edition) -> str:
    """Return the minutes as Markdown, ending with the integrity line."""
    body = _Writer(record, edition).body()
    line = f"{INTEGRITY}{_issue(edition)} · SHA-256 {digest(body)}"
    if edition.copy_for:
        full = render(record, replace(edition, copy_for=None))
        line += f" · copy for {GROUPS[edition.copy_for]} of the full minutes {digest_of(full)}"
    return body + "\n" + line + "\n"


def digest_of(markdown: str) -> str:
    """Return the digest of finished minutes (of their text above the integrity line)."""
    return digest(split(markdown.replace("\r\n", "\n"))[0])


def _issue(edition: Edition) -> str:
    if edition.version is None:
        return "draft, not circulated"
    return f"version {edition.version}, issued {when(edition.issued_at, edition.zone)}"


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return lines + [""]


class _Writer:
    def __init__(self, record: dict, edition: Edition):
        self.record = record
        self.edition = edition
        self.zone = edition.zone
        self.lines: list[str] = []

    def out(self, *lines: str) -> None:
        self.lines.extend(lines)

    def para(self, text: str) -> None:
        self.out(text, "")

    def withheld(self, key: str) -> bool:
        group = self.edition.copy_for
        return bool(group and group in self.edition.withheld.get(key, ()))

    def body(self) -> str:
        self.header()
        self.attendance()
        if not self.withheld("summary") and self.edition.summary.strip():
            self.out("## Summary", "")
            self.para(block(self.edition.summary))
            self.corrections_to("summary")
        self.undecided()
        for item in self.record["items"]:
            if self.withheld(f"item-{item['position']}"):
                self.out(f"## Item {item['position']}", "")
                self.para("*This item is withheld from this copy of the minutes.*")
            else:
                self.item(item)
        self.all_actions()
        self.correction_history()
        return "\n".join(self.lines).rstrip("\n") + "\n"

    # Header -----------------------------------------------------------------------------

    def header(self) -> None:
        meeting, edition = self.record["meeting"], self.edition
        starts = meeting["starts_at"]
        self.out(f"# Minutes: {inline(meeting['title'])}", "")
        if edition.version is None:
            self.para("**DRAFT: not yet circulated. The chair may still change the summary.**")
        chair = meeting["chair"]
        facts = [
            ("Meeting", meeting["kind"]),
            ("Child", meeting["child"]),
            ("Date", iso_day(starts[:10])),
            ("Time", f"{starts[11:16]}" + self._held()),
            ("Place", meeting["place"] or "Not recorded"),
            ("Chair", f"{chair['name']}" + (f" ({chair['agency']})" if chair["agency"] else "")),
        ]
        self.out(*(f"- **{label}:** {inline(value)}" for label, value in facts))
        if edition.version is not None:
            self.out(
                f"- **Version:** {edition.version}, issued {when(edition.issued_at, self.zone)}"
            )
        self.out("")
        self.version_note()
        if edition.copy_for:
            hidden = [k for k, groups in edition.withheld.items() if edition.copy_for in groups]
            names = ", ".join(label for key, label in self._labels() if key in hidden)
            self.para(
                f"**This copy is for {GROUPS[edition.copy_for]}.** "
                + (
                    f"A part of these minutes was withheld from it: {names}."
                    if hidden
                    else "Nothing was withheld from it."
                )
            )

    def _labels(self) -> list[tuple[str, str]]:
        return [("summary", "the summary")] + [
            (f"item-{i['position']}", f"item {i['position']}") for i in self.record["items"]
        ]

    def _held(self) -> str:
        meeting = self.record["meeting"]
        started, closed = (
            clock(meeting["started_at"], self.zone),
            clock(meeting["closed_at"], self.zone),
        )
        if started and closed:
            return f" (started {started}, closed {closed})"
        return ""

    def version_note(self) -> None:
        version = self.edition.version
        if not version or version == 1:
            return
        new = [
            c for c in self.edition.corrections if c.version == version and c.outcome == "accepted"
        ]
        names = ", ".join(dict.fromkeys(c.requested_by for c in new))
        numbers = ", ".join(str(c.number) for c in new)
        self.para(
            f"**Version {version}, corrections from {inline(names)}** "
            f"(correction {numbers}). Earlier versions remain on record with their digests."
        )

    def attendance(self) -> None:
        self.out("## Attendance", "")
        rows = []
        for person in self.record["attendance"]:
            rows.append(
                [
                    inline(person["name"]) + (" (chair)" if person["chair"] else ""),
                    inline(person["role"]),
                    inline(person["agency"]),
                    self._taking_part(person),
                ]
            )
        self.out(*_table(["Name", "Role", "Agency", "Attendance"], rows))
        quorum = self.record["quorum"]
        if quorum["rule"]:
            agencies = ", ".join(quorum["agencies_present"]) or "none"
            state = "Quorate." if quorum["met"] else "**Not quorate.**"
            self.para(
                f"**Quorum:** {state} The rule for this meeting: {inline(quorum['rule'])}. "
                f"Agencies present: {inline(agencies)}."
            )
        else:
            self.para("**Quorum:** no quorum rule applies to this kind of meeting.")
        if quorum["inquorate_reason"]:
            self.out("**The chair's reason for going on without a quorum:**", "")
            self.para(block(quorum["inquorate_reason"], quote=True))
        self.corrections_to("attendance")

    def _taking_part(self, person: dict) -> str:
        parts = []
        if person["attendance"] == "Apologies":
            parts.append("Apologies")
        elif person["left_at"]:
            parts.append(f"Present, left at {clock(person['left_at'], self.zone)}")
        else:
            parts.append("Present")
        if person["observer"]:
            parts.append("observer (did not rate)")
        if person["written_contribution_items"]:
            items = ", ".join(str(n) for n in person["written_contribution_items"])
            parts.append(f"written contribution (item {items})")
        return "; ".join(parts)

    def undecided(self) -> None:
        open_items = [i for i in self.record["items"] if not decided(i)]
        if not open_items:
            return
        self.out("## Items without a decision", "")
        names = ", ".join(f"item {i['position']} ({inline(i['title'])})" for i in open_items)
        self.para(f"No decision was recorded on {names}.")
        if self.edition.undecided_reason.strip():
            self.out("**The chair's reason for circulating the minutes without one:**", "")
            self.para(block(self.edition.undecided_reason, quote=True))

    # One item's defensible-decision section -----------------------------------------------

    def item(self, item: dict) -> None:
        key = f"item-{item['position']}"
        self.out(f"## Item {item['position']}: {inline(item['title'])}", "")
        self.para(
            f"Rated on: {inline(item['scale'])}."
            + (
                " Options: " + ", ".join(inline(c) for c in item["choices"]) + "."
                if item["choices"]
                else ""
            )
        )
        if item["body"].strip():
            self.out("**The assessment under discussion:**", "")
            self.para(block(item["body"], quote=True))
        decision = item["decision"] if decided(item) else None
        self.out("### Decision", "")
        if decision is None:
            self.para("*No decision was recorded on this item.*")
        else:
            self.para(block(decision["decision"]))
            self.para(f"**Consensus:** {self._consensus(decision)}")
            self.para(
                f"Recorded at {when(decision['recorded_at'], self.zone)}"
                + (f" (wording version {decision['version']})." if decision["version"] > 1 else ".")
            )
        self.ratings(item)
        if decision is not None:
            self.reasons(decision)
            self.minority(decision)
        self.item_actions(item)
        if decision is not None:
            self.out("### Review", "")
            self.out(f"- **Review date:** {iso_day(decision['review_date']) or 'Not set'}")
            self.out(
                "- **Events that would bring the review forward:** "
                + (inline(decision["review_triggers"]) or "None recorded"),
                "",
            )
        self.corrections_to(key)

    def _consensus(self, decision: dict) -> str:
        views = decision["views"]
        agree = sum(1 for v in views if v["agrees"] is True)
        disagree = sum(1 for v in views if v["agrees"] is False)
        status = inline(decision["consensus"]) or "Not worked out"
        counts = f" ({agree} agree, {disagree} disagree)"
        if decision["awaiting_views_from"]:
            waiting = ", ".join(inline(n) for n in decision["awaiting_views_from"])
            return f"{status}{counts}; no answer recorded from {waiting}"
        return status + counts

    def ratings(self, item: dict) -> None:
        self.out("### Ratings", "")
        if not item["rounds"]:
            self.para("*No rating round was held on this item.*")
        for round_ in item["rounds"]:
            self.round(round_)

    def round(self, round_: dict) -> None:
        title = f"Round {round_['number']}"
        if round_["number"] == 1:
            title += " (independent)"
        if round_["basis"]:
            title += f", {inline(round_['basis'].lower())}"
        self.out(f"#### {title}", "")
        self.para(
            f"Opened {clock(round_['opened_at'], self.zone)}, "
            f"revealed {clock(round_['revealed_at'], self.zone) or 'never'}."
        )
        if round_["control_measures"]:
            self.out("**Control measures in place:**", "")
            self.para(block(round_["control_measures"], quote=True))
        rows = []
        for r in round_["ratings"]:
            rater = inline(r["name"]) + (
                " (written contribution)" if r["written_contribution"] else ""
            )
            value = inline(r.get("value", "not revealed"))
            if r.get("minority"):
                value += " (minority)"
            submitted = clock(r["submitted_at"], self.zone)
            if r["first_submitted_at"] != r["submitted_at"]:
                submitted += f" (first {clock(r['first_submitted_at'], self.zone)})"
            rows.append([rater, inline(r["agency"]), value, inline(r.get("reason")), submitted])
        self.out(*_table(["Rater", "Agency", "Rating", "Reason", "Submitted"], rows))
        for r in round_["ratings"]:
            if r["written_contribution"] and r.get("report"):
                self.out(
                    f"**Written report from {inline(r['name'])} ({inline(r['agency'])}):**", ""
                )
                self.para(block(r["report"], quote=True))
        if round_["did_not_rate"]:
            names = ", ".join(
                f"{inline(p['name'])} ({inline(p['agency'])})" for p in round_["did_not_rate"]
            )
            self.para(f"**Did not rate:** {names}.")
        else:
            self.para("**Did not rate:** everyone who could rate did.")
        if round_["chart"]:
            self.out(
                f"**Spread:** {inline(round_['middle'])}; {inline(round_['range'])}.",
                "",
            )
            self.out(
                *_table(
                    ["Rating", "How many", ""],
                    [
                        [inline(b["label"]), str(b["count"]), "█" * b["count"] * 2]
                        for b in round_["chart"]
                    ],
                )
            )
        if round_["divergence"]:
            flag = f"**{inline(round_['divergence']).rstrip('.')}.**"
            if round_["divergence_acknowledged_at"]:
                acknowledged = clock(round_["divergence_acknowledged_at"], self.zone)
                flag += f" Acknowledged by the chair at {acknowledged}"
                flag += (
                    f": {inline(round_['divergence_note'])}" if round_["divergence_note"] else "."
                )
            else:
                flag += " Not acknowledged."
            self.para(flag)
        if round_["protective_action_prompted"]:
            self.para("**Safety median of 2 or below:** immediate protective action was prompted.")

    def reasons(self, decision: dict) -> None:
        proportionality = decision["proportionality"]
        self.text_section("Rationale", decision["rationale"])
        self.text_section("Evidence and sources", decision["evidence"])
        self.text_section(
            "Options considered, and why the others were not chosen", decision["options_considered"]
        )
        self.out("### Proportionality", "")
        self.out(
            f"- **Benefits to the child:** {inline(proportionality['benefits']) or 'Not recorded'}",
            "- **What not taking the risk would cost them:** "
            + (inline(proportionality["cost_of_not_taking_the_risk"]) or "Not recorded"),
            "- **The least restrictive option:** "
            + (inline(proportionality["least_restrictive"]) or "Not recorded"),
            "",
        )
        self.out("### The child's views", "")
        if decision["child_views"].strip():
            self.para(block(decision["child_views"], quote=True))
        else:
            self.para("Not obtained: " + inline(decision["child_views_not_obtained_because"]))
        self.out("### Legal and policy basis", "")
        bases = decision["legal_basis"]
        self.out(*(f"- {inline(b)}" for b in bases) if bases else ["- None referred to"])
        self.out("")
        if decision["legal_notes"].strip():
            self.para(block(decision["legal_notes"]))
        if decision["protective_action"].strip():
            self.text_section("Immediate protective action", decision["protective_action"])

    def text_section(self, title: str, text: str) -> None:
        self.out(f"### {title}", "")
        self.para(block(text) if text.strip() else "*Not recorded.*")

    def minority(self, decision: dict) -> None:
        self.out("### Minority views", "")
        shown = False
        for view in decision["views"]:
            marked = view["minority_at_reveal"]
            if view["agrees"] is not False and not marked:
                continue
            shown = True
            who = f"{inline(view['name'])} ({inline(view['agency'])})"
            if view["agrees"] is False:
                self.para(block(view["view"], quote=True))
                by = ", recorded by the chair" if view["recorded_by_chair"] else ""
                self.para(
                    f"— {who}, disagreeing with the decision{by}, "
                    f"at {clock(view['recorded_at'], self.zone)}."
                )
            else:
                agreed = " and agreed with the decision" if view["agrees"] else ""
                self.para(f"{who} rated in the minority ({self._marks(marked)}){agreed}.")
            if marked and view["agrees"] is False:
                self.para(f"{who} also rated in the minority ({self._marks(marked)}).")
            considered = inline(view["how_considered"]) or "Not recorded"
            self.para(f"**How the meeting considered it:** {considered}")
            if view["escalated"]:
                self.para(
                    f"**Escalation:** escalated to {inline(view['escalated_to'])}, "
                    f"response by {iso_day(view['respond_by'])}."
                )
        if not shown:
            self.para("No minority view was recorded.")

    @staticmethod
    def _marks(marked: list[str]) -> str:
        return "; ".join(inline(m) for m in marked)

    def item_actions(self, item: dict) -> None:
        self.out("### Actions", "")
        if not item["actions"]:
            self.para("No actions on this item.")
            return
        self.out(
            *_table(["Owner", "Agency", "What", "By"], [self._action(a) for a in item["actions"]])
        )

    def _action(self, action: dict) -> list[str]:
        return [
            inline(action["owner"]),
            inline(action["agency"]),
            inline(action["what"]),
            iso_day(action["due"]),
        ]

    def all_actions(self) -> None:
        self.out("## All actions", "")
        live = [a for a in self.record["actions"] if not a["withdrawn_at"] and self._shown(a)]
        if live:
            rows = [[str(n), self._where(a)] + self._action(a) for n, a in enumerate(live, 1)]
            self.out(*_table(["#", "Item", "Owner", "Agency", "What", "By"], rows))
        else:
            self.para("No actions were agreed.")
        withdrawn = [a for a in self.record["actions"] if a["withdrawn_at"] and self._shown(a)]
        if withdrawn:
            self.out("**Withdrawn actions** (added in error, kept for the record):", "")
            self.out(
                *(
                    f"- {inline(a['what'])} ({inline(a['owner'])}): withdrawn at "
                    f"{clock(a['withdrawn_at'], self.zone)} because "
                    f"{inline(a['withdrawn_because'])}"
                    for a in withdrawn
                ),
                "",
            )
        self.corrections_to("actions")

    def _shown(self, action: dict) -> bool:
        return action["item"] is None or not self.withheld(f"item-{action['item']}")

    def _where(self, action: dict) -> str:
        return f"Item {action['item']}" if action["item"] else "Whole meeting"

    # Corrections ----------------------------------------------------------------------------

    def _visible(self, correction: Correction) -> bool:
        return not self.withheld(correction.section)

    def corrections_to(self, key: str) -> None:
        for c in self.edition.corrections:
            if c.section == key and c.outcome == "accepted" and self._visible(c):
                self.out(f"**Correction {c.number}** (accepted in version {c.version}):", "")
                self.para(block(c.text, quote=True))

    def correction_history(self) -> None:
        shown = [c for c in self.edition.corrections if self._visible(c)]
        if not shown:
            return
        self.out("## Corrections", "")
        for c in shown:
            outcome = f"accepted in version {c.version}" if c.outcome == "accepted" else "declined"
            self.out(
                f"**Correction {c.number}** to {inline(c.section_label)}, from "
                f"{inline(c.requested_by)} on {when(c.requested_at, self.zone)}: {outcome} "
                f"on {when(c.answered_at, self.zone)}.",
                "",
            )
            self.para(block(c.text, quote=True))
            self.para(f"**The chair's reason:** {inline(c.answer)}")
