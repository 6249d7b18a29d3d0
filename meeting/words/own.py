"""The young person's own words and work: who may give them, giving and changing them (each
change logged with what it replaced), and the chair putting work on the display."""

from dataclasses import dataclass, field

from sqlalchemy import select

from ..agenda.status import writable
from ..changes import Fact
from ..errors import Forbidden, Invalid, Refused
from ..models import (
    Attendee,
    AttendeeStatus,
    Item,
    Meeting,
    OwnWords,
    OwnWork,
    Part,
    session_of,
    utcnow,
)
from ..record.log import log
from .uploads import Checked

# The most a person may write on one item: a long letter, not a book.
WORDS_LIMIT = 5000
# The parts that give the young person's own words: them, or their advocate for them.
GIVERS = (Part.YOUNG_PERSON, Part.ADVOCATE)
NOT_YOURS = "Only the young person, or their advocate, can give the young person's own words."


@dataclass
class Given:
    """What the young person gave on one item (or on the meeting as a whole: `item` None):
    their own words first, then their advocate's for them, and the work attached."""

    item: Item | None
    words: list[OwnWords] = field(default_factory=list)
    work: list[OwnWork] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.words or self.work)


def gives(attendee: Attendee | None) -> bool:
    """Say whether this person gives the young person's own words (the young person, or
    their advocate), once the chair has admitted them."""
    return (
        attendee is not None
        and Part(attendee.part) in GIVERS
        and attendee.status == AttendeeStatus.ADMITTED
    )


def _giver(meeting: Meeting, attendee: Attendee) -> None:
    writable(meeting)
    if attendee.meeting_id != meeting.id or not gives(attendee):
        raise Forbidden(NOT_YOURS)


def _for_them(attendee: Attendee) -> bool:
    return Part(attendee.part) == Part.ADVOCATE


def _who(attendee: Attendee) -> str:
    return (
        f"{attendee.name} (speaking for the young person)" if _for_them(attendee) else attendee.name
    )


def given(item: Item) -> Given:
    """Return what the young person gave on an item: theirs first, with words in them."""
    words = sorted((w for w in item.own_words if w.text.strip()), key=lambda w: (w.for_them, w.id))
    return Given(item, words, sorted(item.own_work, key=lambda w: (w.for_them, w.id)))


def for_meeting(meeting: Meeting) -> Given:
    """Return the work the young person attached to the meeting as a whole."""
    work = session_of(meeting).scalars(
        select(OwnWork)
        .where(OwnWork.meeting_id == meeting.id, OwnWork.item_id.is_(None))
        .order_by(OwnWork.for_them, OwnWork.id)
    )
    return Given(None, [], list(work))


def words_of(item: Item, attendee: Attendee | None) -> OwnWords | None:
    """Return what this person wrote on an item, if anything."""
    if attendee is None:
        return None
    return next((w for w in item.own_words if w.attendee_id == attendee.id), None)


def give_words(item: Item, attendee: Attendee, text: str) -> OwnWords | None:
    """Keep the young person's own words on an item, or the change to them, until the
    meeting closes; the log keeps what each change replaced. None: nothing changed."""
    meeting = item.meeting
    _giver(meeting, attendee)
    text = text.strip()
    if len(text) > WORDS_LIMIT:
        raise Invalid(
            {"words": f"That is {len(text)} characters; up to {WORDS_LIMIT} fit. Make it shorter."}
        )
    mine = words_of(item, attendee)
    if mine is None and not text:
        raise Invalid({"words": "Write something first, then press the button."})
    if mine is not None and mine.text == text:
        return None
    now = utcnow()
    if mine is None:
        mine = OwnWords(item=item, attendee=attendee, for_them=_for_them(attendee), text=text)
        mine.given_at = mine.changed_at = now
        session_of(item).add(mine)
        was, did = "", "gave"
    else:
        was, did = f"Was: {mine.text}" if mine.text else "", "changed"
        mine.text, mine.changed_at = text, now
    log(
        meeting,
        _who(attendee),
        f"{did} the young person's own words on item {item.position}, {item.title}",
        was,
        mine,
        changed=Fact.WORDS,
        own=attendee,
    )
    return mine


def attach(meeting: Meeting, item: Item | None, attendee: Attendee, checked: Checked) -> OwnWork:
    """Keep a piece of the young person's work, checked (`uploads.check`), on an item or on
    the meeting as a whole."""
    _giver(meeting, attendee)
    if item is not None and item.meeting_id != meeting.id:
        raise Refused("That item is not on this meeting's agenda.")
    work = OwnWork(
        meeting_id=meeting.id,
        item=item,
        attendee=attendee,
        for_them=_for_them(attendee),
        name=checked.name,
        media_type=checked.media_type,
        size=checked.size,
        sha256=checked.sha256,
        data=checked.data,
        given_at=utcnow(),
        on_display=False,
    )
    session_of(meeting).add(work)
    where = f"item {item.position}, {item.title}" if item is not None else "the meeting"
    log(
        meeting,
        _who(attendee),
        f"attached “{checked.name}” ({checked.media_type}) to {where}",
        about=work,
        changed=Fact.WORDS,
        own=attendee,
    )
    return work


def show(work: OwnWork, shown: bool) -> bool:
    """Put a piece of work on the shared display, or take it off (the chair's choice).
    Returns whether anything changed."""
    meeting = work.meeting
    writable(meeting)
    if work.on_display == shown:
        return False
    work.on_display = shown
    did = "put on the screen" if shown else "took off the screen"
    log(
        meeting,
        meeting.chair.name,
        f"{did} the young person's “{work.name}”",
        about=work,
        changed=Fact.WORDS,
    )
    return True


def for_decision(item: Item) -> str:
    """Return what the young person gave on an item, as the decision's "child's views"
    start: their words, and their advocate's marked as such."""
    lines = []
    for words in given(item).words:
        said = words.text.strip()
        lines.append(
            f"{said}\n\n(Said for them by {words.attendee.name}, their advocate.)"
            if words.for_them
            else said
        )
    return "\n\n".join(lines)
