"""What the minutes are made from besides the record: the edition, copies and digests."""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

# Who a copy can be made for when part of the minutes is not for them.
GROUPS = {
    "family": "family members (parents, carers, the child)",
    "professionals": "professionals",
}
INTEGRITY = "Integrity: "
# The parts of agencies' reports withheld from the family: always held back from their copy,
# so they are cut a copy of their own whenever a report has such a part.
REPORTS_WITHHELD = "reports-withheld"


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
    # The meeting's log when this issue was made: how many lines, and the last one's hash.
    log_entries: int = 0
    log_head: str = ""


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
    if record.get("review"):
        parts.append(("since", "Since the last meeting"))
    if (record.get("case") or {}).get("chronology"):
        parts.append(("chronology", "Chronology"))
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


def digest_of(markdown: str) -> str:
    """Return the digest of finished minutes (of their text above the integrity line)."""
    return digest(split(markdown.replace("\r\n", "\n"))[0])
