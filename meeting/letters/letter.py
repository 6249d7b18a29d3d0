"""The letter to the young person: its draft, and each version frozen as it is sent.

The first draft is written from the circulated minutes' frozen record (`minutes.child_letter`),
leaving out any item withheld from the family's copy. The chair edits it; an edit over a
newer one is refused (`record.seen`). Sending freezes the draft as it stands as the next
version, with its digest and whom it went to: versions are never edited, only followed.
"""

from collections.abc import Mapping

from sqlalchemy import func, select

from minutes import digest
from minutes.child_letter import letter

from ..changes import Fact
from ..circulation.versions import circulated, numbered, require_closed
from ..errors import Invalid, Refused
from ..models import (
    Attendee,
    CopyGroup,
    DeliveryResult,
    LetterDelivery,
    LetterDraft,
    LetterVersion,
    Meeting,
    MinutesVersion,
    Part,
    session_of,
    utcnow,
)
from ..record.export import ATTENDED
from ..record.log import log
from ..record.seen import still_as_seen

# Long enough for any letter a young person would read; short enough to refuse a paste gone wrong.
LONGEST = 20_000
TO_WHOM = (Part.YOUNG_PERSON, Part.ADVOCATE)


def require_circulated(meeting: Meeting) -> MinutesVersion:
    """Return the newest circulated minutes, or refuse: the letter is written from them."""
    require_closed(meeting)
    sent = circulated(meeting)
    if not sent:
        raise Refused(
            "The letter to the young person is written from the circulated minutes. "
            "Circulate the minutes first; then you can write the letter here."
        )
    return sent[-1]


def draft_of(meeting: Meeting) -> LetterDraft | None:
    """Return the letter being written for a meeting, if one was begun."""
    return session_of(meeting).scalar(
        select(LetterDraft).where(LetterDraft.meeting_id == meeting.id)
    )


def versions(meeting: Meeting) -> list[LetterVersion]:
    """Return every version of the letter sent, oldest first."""
    return list(
        session_of(meeting).scalars(
            select(LetterVersion)
            .where(LetterVersion.meeting_id == meeting.id)
            .order_by(LetterVersion.number)
        )
    )


def version(meeting: Meeting, number: int) -> LetterVersion:
    """Return one version of the letter, or refuse if there is none."""
    return numbered(LetterVersion, meeting, number, "the letter")


def left_out(made: MinutesVersion) -> list[int]:
    """Return the items withheld from the family's copy of these minutes: not for the letter."""
    withheld = made.edition.get("withheld", {})
    return [
        int(key.removeprefix("item-"))
        for key, groups in withheld.items()
        if key.startswith("item-") and CopyGroup.FAMILY in groups
    ]


def first_draft(made: MinutesVersion) -> str:
    """Return the letter's first draft, written from a circulated version's record."""
    return letter(made.record, left_out(made))


def addressees(meeting: Meeting) -> list[Attendee]:
    """Return who the letter can go to: the young person and their advocate, as listed."""
    return [a for a in meeting.attendees if a.status in ATTENDED and Part(a.part) in TO_WHOM]


def write_first_draft(meeting: Meeting, based_on: str | None) -> LetterDraft:
    """Write the first draft from the circulated minutes, over the draft the chair last saw."""
    made = require_circulated(meeting)
    draft = draft_of(meeting)
    by = meeting.chair.name
    if draft is None:
        draft = LetterDraft(meeting=meeting, from_version=made.number, saved_by=by, markdown="")
        session_of(meeting).add(draft)
    else:
        _still_as_seen(draft, based_on)
    draft.markdown, draft.from_version = first_draft(made), made.number
    draft.saved_at, draft.saved_by = utcnow(), by
    session_of(meeting).flush()
    log(
        meeting,
        by,
        f"wrote the first draft of the letter to the young person from version {made.number}",
        changed=Fact.RECORD,
    )
    return draft


def save(meeting: Meeting, form: Mapping[str, str]) -> LetterDraft:
    """Save the chair's edit of the letter; refuse an empty one or one over a newer edit."""
    require_circulated(meeting)
    draft = draft_of(meeting)
    if draft is None:
        raise Refused("There is no draft yet: make the first draft from the minutes.")
    text = form.get("letter", "").replace("\r\n", "\n").strip()
    if not text:
        raise Invalid({"letter": "The letter is empty: write it, or make a new first draft."})
    if len(text) > LONGEST:
        raise Invalid(
            {"letter": f"The letter is {len(text):,} characters long; keep it under {LONGEST:,}."}
        )
    text += "\n"
    _still_as_seen(draft, form.get("based_on"))
    if text != draft.markdown:
        before = draft.markdown
        draft.markdown, draft.saved_at, draft.saved_by = text, utcnow(), meeting.chair.name
        log(
            meeting,
            meeting.chair.name,
            "edited the letter to the young person",
            before,
            changed=Fact.RECORD,
        )
    return draft


def send(meeting: Meeting, form: Mapping[str, str]) -> LetterDelivery:
    """Save the letter as typed, freeze it as the next version and queue it for one person."""
    draft = save(meeting, form)
    to = _addressee(meeting, form.get("to", ""))
    session = session_of(meeting)
    last = session.scalar(
        select(func.max(LetterVersion.number)).where(LetterVersion.meeting_id == meeting.id)
    )
    made = LetterVersion(
        meeting=meeting,
        number=(last or 0) + 1,
        made_by=meeting.chair.name,
        markdown=draft.markdown,
        digest=digest(draft.markdown),
        attendee=to,
        email=to.email,
    )
    delivery = queue(made)
    log(
        meeting,
        meeting.chair.name,
        f"sent version {made.number} of the letter to the young person to {to.name}",
        made.digest,
        changed=Fact.RECORD,
    )
    return delivery


def queue(made: LetterVersion) -> LetterDelivery:
    """Add a pending attempt to send a version to the person it went to."""
    delivery = LetterDelivery(
        version=made, attendee=made.attendee, email=made.email, result=DeliveryResult.PENDING
    )
    session_of(made.meeting).add(delivery)
    session_of(made.meeting).flush()
    return delivery


def _addressee(meeting: Meeting, typed: str) -> Attendee:
    people = {str(a.id): a for a in addressees(meeting)}
    if not people:
        raise Invalid(
            {
                "to": "Nobody is listed as the young person or their advocate. Say who they "
                "are on the meeting's page, with an email address, then send."
            }
        )
    person = people.get(typed)
    if person is None:
        raise Invalid({"to": "Choose who the letter goes to: the young person or their advocate."})
    if not person.email:
        raise Invalid(
            {
                "to": f"{person.name} has no email address. Add it under Recipients on the "
                "minutes page, or print the letter and give it to them."
            }
        )
    return person


def _still_as_seen(draft: LetterDraft, based_on: str | None) -> None:
    still_as_seen(
        draft,
        based_on,
        lambda: draft.shown,
        lambda: (
            f"the preview beside it (saved by {draft.saved_by} at {draft.saved_at:%H:%M:%S} UTC)."
        ),
    )
