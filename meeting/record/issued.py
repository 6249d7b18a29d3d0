"""The minutes issued and the chain: what each version quotes and was made from.

Each version of the minutes quotes the chain's head in its text, and the line that made it
holds the digest of its text and of the record it was made from. A log rewritten from end
to end no longer holds the head the text quotes, whether the text is the one kept in the
database or a copy someone received; a record rewritten with the rows it was made from no
longer matches the digest the log fixed; rows rewritten alone no longer read as that
record (`basis`).
"""

import re
from collections.abc import Sequence

from sqlalchemy import select

import minutes

from ..models import AnySession, Event, Meeting, MinutesVersion
from ..policy import Policy
from ..rating.concealment import chair_viewer
from . import basis, export
from .chain import RECORD_DIGEST, held_by, line_name, record_digest

# Where the minutes' text quotes the chain's head: how many lines, and the last one's hash.
QUOTED_HEAD = re.compile(r"when its log held (\d+) lines\..*?`([0-9a-f]{64})`", re.S)
# A copy's integrity line names the version it is.
ISSUE = re.compile(r"^Integrity: version (\d+), issued", re.M)


def quoted_head(markdown: str) -> tuple[int, str] | None:
    """Return the line number and hash the minutes' text quotes as the chain's head."""
    found = QUOTED_HEAD.search(markdown)
    return (int(found[1]), found[2]) if found else None


def _holds(by_seq: dict[int, Event], seq: int, hash_: str) -> bool:
    entry = by_seq.get(seq)
    return entry is not None and entry.hash == hash_


def _fixed(logged: Event | None) -> str | None:
    """Return the digest of the record a version was made from, as its line fixed it
    (None: the line was written by a release that fixed no such digest)."""
    fixed = held_by(logged.content).get(RECORD_DIGEST) if logged is not None else None
    return fixed if isinstance(fixed, str) else None


def check_versions(
    session: AnySession,
    meeting: Meeting,
    entries: list[Event],
    problems: list[str],
    policy: Policy,
) -> None:
    """Check each version of the minutes: its text against its digest and the log, the
    record it was made from against the digest the log fixed, the head its text quotes
    against the chain, and the rows of the latest one's record against the database."""
    by_seq = {e.seq: e for e in entries}
    made = list(
        session.scalars(
            select(MinutesVersion)
            .where(MinutesVersion.meeting_id == meeting.id)
            .order_by(MinutesVersion.number)
        )
    )
    fixed: str | None = None
    for version in made:
        name = f"Version {version.number} of the minutes"
        if minutes.digest_of(version.markdown) != version.digest:
            problems.append(f"{name} no longer matches its digest {version.digest[:16]}…")
        logged = next(
            (e for e in entries if e.action == f"made version {version.number} of the minutes"),
            None,
        )
        if logged is None or logged.detail != version.digest:
            problems.append(f"{name} has a digest the log did not record when it was made.")
        fixed = _fixed(logged)
        if fixed is not None and fixed != record_digest(version.record) and logged is not None:
            problems.append(
                f"The record {name.lower()} was made from was changed after: it no longer "
                f"matches the digest {line_name(logged)} fixed."
            )
        said = "as circulated" if version.circulated_at else "as made"
        quoted = quoted_head(version.markdown)
        if quoted and not _holds(by_seq, *quoted):
            problems.append(
                f"{name}, {said}, quotes entry {quoted[0]} of the log with hash "
                f"{quoted[1][:16]}…, which the log no longer holds."
            )
        stored = (version.edition.get("log_entries"), version.edition.get("log_head"))
        if stored[0] and stored != quoted and not _holds(by_seq, stored[0], str(stored[1])):
            problems.append(
                f"{name} quotes entry {stored[0]} of the log with hash "
                f"{str(stored[1])[:16]}…, which the log no longer holds."
            )
    if made:
        latest = made[-1]
        against = (
            f"the record the log fixed when version {latest.number} of the minutes was made"
            if fixed is not None
            else f"the record version {latest.number} of the minutes was made from"
        )
        now = export.build(meeting, chair_viewer(meeting), policy)
        basis.compare(now, latest.record, against, problems.append)


def check_copies(
    session: AnySession,
    meeting: Meeting,
    entries: list[Event],
    copies: Sequence[tuple[str, str]],
    problems: list[str],
    notes: list[str],
) -> None:
    """Check copies of the minutes held outside the database against the chain and versions."""
    by_seq = {e.seq: e for e in entries}
    for where, text in copies:
        text = text.replace("\r\n", "\n")
        issue = ISSUE.search(text)
        if issue is None:
            problems.append(
                f"The copy in {where} has no integrity line naming a version of the minutes."
            )
            continue
        number = int(issue[1])
        name = f"version {number} of the minutes"
        if not minutes.verify(text):
            problems.append(
                f"The copy in {where} no longer matches the digest in its own integrity line: "
                "it was changed after it was made."
            )
        version = session.scalar(
            select(MinutesVersion).where(
                MinutesVersion.meeting_id == meeting.id, MinutesVersion.number == number
            )
        )
        if version is None:
            problems.append(f"The copy in {where} is {name}, which the database does not hold.")
        elif minutes.digest_of(text) not in {version.digest} | {
            d.copy_digest for d in version.deliveries
        }:
            problems.append(
                f"The copy in {where} is not {name} as the database holds it, nor a copy "
                "the database says was sent."
            )
        quoted = quoted_head(text)
        if quoted is None:
            notes.append(f"The copy in {where} is {name}; it quotes no line of the log.")
        elif not _holds(by_seq, *quoted):
            problems.append(
                f"The copy of {name} in {where} quotes entry {quoted[0]} of the log with hash "
                f"{quoted[1][:16]}…, which the log no longer holds."
            )
        else:
            notes.append(
                f"The copy in {where} is {name}, made when the log held {quoted[0]} lines: "
                "the log still holds that line."
            )
