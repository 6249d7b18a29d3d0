"""The agencies' reports in the minutes: who sent one, when it came, when it was shared with
the parents, which never came, and any part withheld from the family.

What a part withheld from the family is, and why, is in every copy but the family's: theirs
says only that a part of a report was not shared with them. Records frozen before reports
were kept have none, and get no such part.
"""

from .edition import REPORTS_WITHHELD
from .text import inline, iso_day
from .writer import Writer, table


class ReportSections(Writer):
    """Writes the part of the minutes about the reports sent before the meeting."""

    def reports(self) -> None:
        """List each report and when it was shared with the parents; name those never
        received; set out what was withheld from the family, except in the family's copy."""
        listed = self.record.get("reports") or []
        if not listed:
            return
        self.out("## Reports before the meeting", "")
        rows = [
            [
                inline(r["agency"]),
                inline(r["author"]) or "Not named",
                iso_day(r["received_on"]) or "**Not received**",
                iso_day(r["shared_with_parents_on"])
                or ("**Not shared**" if r["received_on"] else "—"),
            ]
            for r in listed
        ]
        self.out(*table(["Agency", "Written by", "Received", "Shared with the parents"], rows))
        never = [r for r in listed if not r["received_on"]]
        if never:
            self.para(f"**Expected but never received:** {_names(never)}.")
        unshared = [r for r in listed if r["received_on"] and not r["shared_with_parents_on"]]
        if unshared:
            self.para(f"**Received but not shared with the parents:** {_names(unshared)}.")
        withheld = [r for r in listed if r["withheld_from_family"]]
        if withheld:
            self._withheld(withheld)
        self.corrections_to("reports")

    def _withheld(self, reports: list[dict]) -> None:
        # The family's copy says that a part was kept from them, never what or why.
        if self.edition.copy_for == "family" or self.withheld(REPORTS_WITHHELD):
            self.para(f"A part of these reports was not shared with the family: {_names(reports)}.")
            return
        self.out("**Parts withheld from the family** (left out of the family's copy):", "")
        self.out(
            *(
                f"- **{inline(r['agency'])}**"
                + (f" ({inline(r['author'])})" if r["author"] else "")
                + f": {_sentence(r['withheld_summary'])} *Why:* {_sentence(r['withheld_reason'])}"
                for r in reports
            ),
            "",
        )


def _sentence(text: str) -> str:
    """Return the chair's words as one sentence, ending with one full stop."""
    said = inline(text).rstrip(". ")
    return f"{said}." if said else ""


def _names(reports: list[dict]) -> str:
    return ", ".join(
        inline(r["agency"]) + (f" ({inline(r['author'])})" if r["author"] else "") for r in reports
    )
