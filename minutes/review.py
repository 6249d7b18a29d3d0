"""The parts of the minutes a child's case adds: what this review found of the last
meeting (why it was brought forward, what became of its actions, what happened against its
forecasts), each item's history and movement, and the chronology discussed.

Records frozen before cases existed have none of these fields, and get none of these parts.
"""

from .text import inline, iso_day, when
from .writer import Writer, table


class ReviewSections(Writer):
    """Writes what a meeting's place in its child's case adds to the minutes."""

    def since_last(self) -> None:
        """What the review found of the meeting it reviews."""
        review = self.record.get("review")
        case = self.record.get("case") or {}
        if not review:
            return
        earlier = review["previous_meeting"]
        self.out("## Since the last meeting", "")
        if self.withheld("since"):
            self.para("*This part is withheld from this copy of the minutes.*")
            return
        self.para(
            f"This meeting reviews **{inline(earlier['title'])}** ({inline(earlier['kind'])}, "
            f"{iso_day(earlier['starts_at'][:10])}): its decisions, what became of its "
            "actions, and what happened against what it expected."
        )
        triggers = case.get("brought_forward_by") or []
        if triggers:
            self.out("**This review was brought forward because:**", "")
            self.out(
                *(
                    f"- {inline(t['reason'])} (recorded by {inline(t['recorded_by'])}, "
                    f"{when(t['recorded_at'], self.zone)})"
                    for t in triggers
                ),
                "",
            )
        self.carried_actions(review["actions"])
        self.forecast_results(review["forecasts"])
        self.corrections_to("since")

    def _item_shown(self, position: int | None, restricted: bool = False) -> bool:
        """Whether what belongs with an item of this meeting is in this copy (what belongs
        with none stands with this part). What was agreed on an item restricted from the
        family is never in the family's copy, whether or not this meeting has the item."""
        if restricted and self.edition.copy_for == "family":
            return False
        return position is None or not self.withheld(f"item-{position}")

    def carried_actions(self, carried: list[dict]) -> None:
        self.out("### Actions from the last meeting", "")
        shown = [a for a in carried if self._item_shown(a["item"], a.get("restricted", False))]
        if not shown:
            self.para("No actions were carried forward.")
            return
        rows = []
        for a in shown:
            due = iso_day(a["due"]) + (" (overdue)" if a["overdue"] else "")
            if a["status"]:
                said = f"**{inline(a['status'])}**"
                if a["what_happened"]:
                    said += f": {inline(a['what_happened'])}"
                by = ", the owner" if a["said_by_owner"] else ""
                said += f" ({inline(a['said_by'])}{by})"
            else:
                said = "Not said at this meeting"
                if a["earlier_status"]:
                    said += f"; {inline(a['earlier_status']).lower()} at an earlier review"
            rows.append([inline(a["owner"]), inline(a["agency"]), inline(a["what"]), due, said])
        self.out(*table(["Owner", "Agency", "What", "Due", "What became of it"], rows))
        done = sum(1 for a in shown if a["status"] in ("Done", "No longer needed"))
        self.para(f"{done} of {len(shown)} finished with; {self._overdue(shown)}.")

    @staticmethod
    def _overdue(actions: list[dict]) -> str:
        late = sum(1 for a in actions if a["overdue"])
        return f"{late} overdue" if late else "none overdue"

    def forecast_results(self, forecasts: list[dict]) -> None:
        shown = [f for f in forecasts if self._item_shown(f["item"], f.get("restricted", False))]
        if not shown:
            return
        self.out("### What the last meeting expected, and what happened", "")
        rows = []
        for f in shown:
            result = f"**{inline(f['result'])}**" if f["result"] else "Not answered"
            rows.append(
                [
                    (f"Item {f['item']}: " if f["item"] else "") + inline(f["item_title"]),
                    inline(f["forecast"]),
                    result,
                    inline(f["what_happened"]),
                ]
            )
        self.out(*table(["Item", "Expected by this review", "Result", "What happened"], rows))

    def chronology(self) -> None:
        entries = (self.record.get("case") or {}).get("chronology") or []
        if not entries:
            return
        self.out("## Chronology discussed", "")
        if self.withheld("chronology"):
            self.para("*This part is withheld from this copy of the minutes.*")
            return
        rows = [
            [iso_day(e["happened_on"]), inline(e["what"]), inline(e["agency"])] for e in entries
        ]
        self.out(*table(["Date", "What happened", "Source"], rows))
        self.corrections_to("chronology")

    def item_history(self, item: dict) -> None:
        """The item at the last meeting, how each agency's rating moved, the middle at each
        meeting of the case."""
        found = item.get("history")
        if not found or (found.get("restricted") and self.edition.copy_for == "family"):
            return
        self.out("### Since the last meeting", "")
        before = found["previous_decision"]
        if before:
            self.para(f"**Decided then:** {inline(before['decision'])}")
            self.para(f"**Its rationale:** {inline(before['rationale']) or 'Not recorded'}")
            self.para(
                f"**Its review date:** {iso_day(before['review_date']) or 'Not set'}; "
                f"**what would bring it forward:** {inline(before['review_triggers']) or 'None'}"
            )
        else:
            self.para("No decision was recorded on this item at the last meeting.")
        rounds = "; ".join(
            f"round {r['number']}: {inline(r['middle'])}, {inline(r['range'])}"
            for r in found["previous_rounds"]
        )
        if rounds:
            self.para(f"**Ratings then:** {rounds}.")
        if found["movement"]:
            rows = [
                [
                    # A family member's own track: named as such, never as an agency.
                    ("Family: " if m.get("family") else "") + inline(m["agency"]),
                    inline(m["then"]),
                    inline(m["now"]),
                    inline(m["movement"]),
                ]
                for m in found["movement"]
            ]
            self.out("#### Each agency's rating, then and now", "")
            self.out(*table(["Agency", "Last meeting", "This meeting", "Movement"], rows))
        middles = found["middle_at_each_meeting"]
        if len(middles) > 1:
            said = " → ".join(
                f"{iso_day(m['held'])}{' (this meeting)' if m['this_meeting'] else ''}: "
                f"{inline(m['middle'])}"
                for m in middles
            )
            self.para(f"**The middle rating at each meeting:** {said}.")

    def forecast_lines(self, decision: dict) -> str:
        """The line of the review part saying what the meeting expects by then."""
        expected = decision.get("forecast") or []
        said = "; ".join(inline(f) for f in expected) or "None recorded"
        return f"- **Expected by the review if the plan is followed:** {said}"
