"""The checks a review adds to an item's minutes: the target the last meeting set, against
round 1; and, when the rating moved against what was done, the question asked and the
new evidence the chair recorded before the decision.

Records made before targets and the question existed have none of these fields, and get
none of these parts.
"""

from .text import block, inline, iso_day
from .writer import Writer


class CheckSections(Writer):
    """Writes the target set by a decision, its check at the review, and the question."""

    def target_line(self, decision: dict) -> str | None:
        """The line of the review part saying where the item should be by then."""
        target = decision.get("target")
        if not target:
            return None
        by = iso_day(decision["review_date"]) or "the review"
        return f"- **Target by {by}:** {inline(target['words'])}"

    def target_check(self, item: dict) -> None:
        """The target the last meeting set on this item, against this review's round 1."""
        check = item.get("target_check")
        if not check or (check.get("restricted") and self.edition.copy_for == "family"):
            return
        self.out("### Target set at the last meeting", "")
        self.para(inline(check["line"]))

    def change_check(self, decision: dict) -> None:
        """The question a rating that moved against what was done raised, and the answer."""
        asked = decision.get("change_question")
        if not asked:
            return
        self.out("### Why the rating moved", "")
        self.para(f"**Asked before the decision was recorded:** {inline(asked)}")
        self.out("**The new evidence the chair recorded:**", "")
        self.para(block(decision.get("change_evidence"), quote=True))
