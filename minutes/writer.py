"""The primitives every part of the minutes is written with: lines, paragraphs, tables."""

from .edition import Correction, Edition
from .text import block


def table(head: list[str], rows: list[list[str]]) -> list[str]:
    """Return a Markdown table's lines, with a blank line after it."""
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return lines + [""]


class Writer:
    """Collects the minutes' lines for one record and edition, skipping what is withheld."""

    def __init__(self, record: dict, edition: Edition):
        self.record = record
        self.edition = edition
        self.zone = edition.zone
        self.lines: list[str] = []

    def out(self, *lines: str) -> None:
        """Add lines as they are."""
        self.lines.extend(lines)

    def para(self, text: str) -> None:
        """Add a paragraph."""
        self.out(text, "")

    def withheld(self, key: str) -> bool:
        """Say whether a part of the minutes is left out of this copy."""
        group = self.edition.copy_for
        return bool(group and group in self.edition.withheld.get(key, ()))

    def _visible(self, correction: Correction) -> bool:
        return not self.withheld(correction.section)

    def corrections_to(self, key: str) -> None:
        """Add the accepted corrections to one part, under that part."""
        for c in self.edition.corrections:
            if c.section == key and c.outcome == "accepted" and self._visible(c):
                self.out(f"**Correction {c.number}** (accepted in version {c.version}):", "")
                self.para(block(c.text, quote=True))
