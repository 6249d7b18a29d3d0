"""Versions of the minutes: each one frozen when made, never edited, only followed by another.

Every version keeps the plain record and edition it was rendered from, so any group's
copy of it can be made again, byte for byte, later.
"""

from dataclasses import asdict, replace
from typing import Any, TypeVar

from sqlalchemy import select

import minutes
from minutes import Edition, paper

from ..changes import Fact
from ..errors import Refused
from ..models import LetterVersion, Meeting, MeetingStatus, MinutesVersion, session_of, utcnow
from ..policy import Policy
from ..record import chain
from ..record.log import log


def require_closed(meeting: Meeting) -> None:
    """Refuse to work on minutes before the meeting has closed."""
    if meeting.status != MeetingStatus.CLOSED:
        raise Refused("Minutes are made when the meeting closes. Close the meeting first.")


def versions(meeting: Meeting) -> list[MinutesVersion]:
    """Return every version of a meeting's minutes, oldest first."""
    return list(
        session_of(meeting).scalars(
            select(MinutesVersion)
            .where(MinutesVersion.meeting_id == meeting.id)
            .order_by(MinutesVersion.number)
        )
    )


def latest(meeting: Meeting) -> MinutesVersion | None:
    """Return the newest version of the minutes, if any has been made."""
    made = versions(meeting)
    return made[-1] if made else None


def circulated(meeting: Meeting) -> list[MinutesVersion]:
    """Return the versions that have been sent out, oldest first."""
    return [v for v in versions(meeting) if v.circulated_at is not None]


# What is kept as numbered, frozen versions of a meeting.
V = TypeVar("V", MinutesVersion, LetterVersion)


def numbered(kind: type[V], meeting: Meeting, number: int, of: str) -> V:
    """Return a meeting's version `number` of what `kind` keeps (the minutes, the letter),
    or refuse, saying there is no such version `of` it."""
    found = session_of(meeting).scalar(
        select(kind).where(kind.meeting_id == meeting.id, kind.number == number)
    )
    if found is None:
        raise Refused(f"There is no version {number} of {of}.")
    return found


def version(meeting: Meeting, number: int) -> MinutesVersion:
    """Return one version of the minutes, or refuse if there is no such version."""
    return numbered(MinutesVersion, meeting, number, "these minutes")


def edition_of(made: MinutesVersion) -> Edition:
    """Return the edition a version was rendered with."""
    data = dict(made.edition)
    data["corrections"] = tuple(minutes.Correction(**c) for c in data["corrections"])
    data["withheld"] = {k: tuple(v) for k, v in data["withheld"].items()}
    return Edition(**data)


def make_version(meeting: Meeting, data: dict[str, Any], edition: Edition) -> MinutesVersion:
    """Render and store the next version of the minutes from a record and an edition."""
    previous = latest(meeting)
    number = previous.number + 1 if previous else 1
    entries, head = chain.head(session_of(meeting), meeting.id)
    edition = replace(
        edition,
        version=number,
        issued_at=utcnow().isoformat() + "Z",
        log_entries=entries,
        log_head=head,
    )
    markdown = minutes.render(data, edition)
    made = MinutesVersion(
        meeting_id=meeting.id,
        number=number,
        made_by=meeting.chair.name,
        record=data,
        edition=asdict(edition),
        markdown=markdown,
        digest=minutes.digest_of(markdown),
    )
    session = session_of(meeting)
    session.add(made)
    session.flush()
    log(
        meeting,
        meeting.chair.name,
        f"made version {number} of the minutes",
        made.digest,
        changed=Fact.RECORD,
        content=chain.canonical({chain.RECORD_DIGEST: chain.record_digest(data)}),
    )
    return made


def mark_circulated(made: MinutesVersion) -> None:
    """Note the moment a version was first sent out."""
    if made.circulated_at is None:
        made.circulated_at = utcnow()
        log(
            made.meeting,
            made.meeting.chair.name,
            f"circulated version {made.number}",
            changed=Fact.RECORD,
        )


def copy_of(made: MinutesVersion, group: str | None) -> tuple[str, str | None]:
    """Return a group's copy of a version and the group it was cut for (None: the full one)."""
    edition = edition_of(made)
    if group is None or not any(group in groups for groups in edition.withheld.values()):
        return made.markdown, None
    return minutes.render(made.record, replace(edition, copy_for=group)), group


def running_header(meeting: Meeting, number: int | None, policy: Policy) -> str:
    """Return the header every page of this issue of the minutes carries."""
    return paper.running_header(
        policy.protective_marking, meeting.child, meeting.starts_at.date(), number
    )


def document_title(markdown: str) -> str:
    """Return the title a Word copy of the minutes carries: their first heading."""
    return markdown.splitlines()[0].lstrip("# ")
