"""A meeting's plain record to Markdown minutes, with a defensible-decision section per item.

Nothing here reads a clock, a database or a request: the record and the edition are the
whole input, so the same record gives the same bytes.
"""

from dataclasses import replace

from .edition import GROUPS, INTEGRITY, REPORTS_WITHHELD, Edition, decided, digest, digest_of
from .items import ItemSections
from .reports import ReportSections
from .text import block, clock, inline, iso_day, when
from .writer import table


def render(record: dict, edition: Edition) -> str:
    """Return the minutes as Markdown, ending with the integrity line."""
    body = _Minutes(record, edition).body()
    line = f"{INTEGRITY}{_issue(edition)} · SHA-256 {digest(body)}"
    if edition.copy_for:
        full = render(record, replace(edition, copy_for=None))
        line += f" · copy for {GROUPS[edition.copy_for]} of the full minutes {digest_of(full)}"
    return body + "\n" + line + "\n"


def _issue(edition: Edition) -> str:
    if edition.version is None:
        return "draft, not circulated"
    return f"version {edition.version}, issued {when(edition.issued_at, edition.zone)}"


class _Minutes(ItemSections, ReportSections):
    def body(self) -> str:
        self.header()
        self.attendance()
        self.reports()
        self.since_last()
        self.chronology()
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
        shared = self.shared_review()
        if shared is not None:
            self.out("## Review", "")
            self.para("The same review was decided for every item:")
            self.review_lines(*shared)
        self.all_actions()
        self.correction_history()
        self.log_head()
        return "\n".join(self.lines).rstrip("\n") + "\n"

    def log_head(self) -> None:
        if not self.edition.log_head:
            return
        self.out("## The record behind these minutes", "")
        self.para(
            f"These minutes were made from the meeting's record when its log held "
            f"{self.edition.log_entries} lines. Each line holds the hash of the one before "
            "it, so this hash of the last line vouches for every rating, view, decision and "
            f"action recorded up to then: `{self.edition.log_head}`."
        )

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
        return [
            ("summary", "the summary"),
            (REPORTS_WITHHELD, "what a report said that was not for the family"),
        ] + [(f"item-{i['position']}", f"item {i['position']}") for i in self.record["items"]]

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
                    # Records made before parts were said have none.
                    inline(person.get("part", "")),
                    inline(person["role"]),
                    inline(person["agency"]),
                    self._taking_part(person),
                ]
            )
        self.out(*table(["Name", "Taking part as", "Role", "Agency", "Attendance"], rows))
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
        # The reason answers for going on without a quorum: once the meeting is quorate it
        # no longer applies, and printed beside "Quorate." it would contradict it.
        if quorum["inquorate_reason"] and not quorum["met"]:
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
        # Records made before people said how they took part have no channel.
        if person.get("channel") and person["attendance"] != "Apologies":
            parts[0] += f", {inline(person['channel']).lower()}"
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
        # An item withheld from this copy is named by its number alone.
        names = ", ".join(
            f"item {i['position']}"
            + ("" if self.withheld(f"item-{i['position']}") else f" ({inline(i['title'])})")
            for i in open_items
        )
        self.para(f"No decision was recorded on {names}.")
        if self.edition.undecided_reason.strip():
            self.out("**The chair's reason for circulating the minutes without one:**", "")
            self.para(block(self.edition.undecided_reason, quote=True))

    def all_actions(self) -> None:
        self.out("## All actions", "")
        live = [a for a in self.record["actions"] if not a["withdrawn_at"] and self._shown(a)]
        if live:
            rows = [[str(n), self._where(a)] + self._action(a) for n, a in enumerate(live, 1)]
            self.out(*table(["#", "Item", "Owner", "Agency", "What", "By"], rows))
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
