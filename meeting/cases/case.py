"""A child's case: who may open it, which case a new meeting joins, and what a review
takes from the meeting it follows (the agenda, triggers waiting, chronology to discuss).

Plain functions over the models, like the rest of the domain: views parse, call, render.
"""

from collections.abc import Mapping

from sqlalchemy import exists, func, or_, select

from ..errors import Invalid
from ..models import AnySession, Chair, ChildCase, Item, Meeting, MeetingStatus, session_of
from ..policy import Policy


def may_see(case: ChildCase, chair: Chair, policy: Policy) -> bool:
    """Say whether a chair may open a case: they ran one of its meetings, or manage cases."""
    if chair.email.lower() in policy.case_managers:
        return True
    return case.created_by_id == chair.id or any(m.chair_id == chair.id for m in case.meetings)


def cases_for(session: AnySession, chair: Chair, policy: Policy) -> list[ChildCase]:
    """Return the cases a chair may open (as `may_see` says), the latest meeting first; a case
    with no meeting yet stands by when it was made, the newest case first among equals."""
    latest_held = (
        select(Meeting.case_id, func.max(Meeting.starts_at).label("starts_at"))
        .group_by(Meeting.case_id)
        .subquery()
    )
    query = select(ChildCase).outerjoin(latest_held, latest_held.c.case_id == ChildCase.id)
    if chair.email.lower() not in policy.case_managers:
        chaired = exists().where(Meeting.case_id == ChildCase.id, Meeting.chair_id == chair.id)
        query = query.where(or_(ChildCase.created_by_id == chair.id, chaired))
    newest = func.coalesce(latest_held.c.starts_at, ChildCase.created_at)
    return list(session.scalars(query.order_by(newest.desc(), ChildCase.id.desc())))


# The largest id a row can have (a 32-bit integer, as addresses allow: `factory.RowId`).
LARGEST_ID = 2**31 - 1


def row_id(raw: object) -> int | None:
    """Read a row's id as typed or sent: plain digits within range, else None."""
    text = str(raw or "").strip()
    if not (text.isascii() and text.isdigit()) or int(text) > LARGEST_ID:
        return None
    return int(text)


def reviewable(session: AnySession, chair: Chair, raw: object, policy: Policy) -> Meeting | None:
    """Return the meeting a chair may arrange a review of (an id as sent), or None."""
    number = row_id(raw)
    earlier = session.get(Meeting, number) if number is not None else None
    if earlier is None or earlier.case is None or not may_see(earlier.case, chair, policy):
        return None
    return earlier


def case_for(
    session: AnySession, chair: Chair, form: Mapping[str, str], child: str, policy: Policy
) -> tuple[ChildCase, Meeting | None]:
    """Return the case a new meeting joins and the meeting it reviews (None: the first).

    The form names a meeting to review (`review_of`) or a case to join (`case_id`, the
    review of its latest meeting); with neither, the meeting starts a case of its own.
    """
    review_of = (form.get("review_of") or "").strip()
    case_id = (form.get("case_id") or "").strip()
    if review_of:
        earlier = reviewable(session, chair, review_of, policy)
        if earlier is None or earlier.case is None:
            raise Invalid({"case_id": "That meeting cannot be reviewed from your account."})
        return earlier.case, earlier
    if case_id:
        number = row_id(case_id)
        case = session.get(ChildCase, number) if number is not None else None
        if case is None or not may_see(case, chair, policy):
            raise Invalid({"case_id": "Pick one of your cases, or start a new one."})
        # It reviews the case's last meeting held (a review arranged but not held is not).
        held = [m for m in case.meetings if m.status == MeetingStatus.CLOSED]
        chosen = held or case.meetings
        return case, chosen[-1] if chosen else None
    case = ChildCase(child=child, created_by=chair)
    session.add(case)
    return case, None


def begin(meeting: Meeting, case: ChildCase, earlier: Meeting | None) -> None:
    """Put a new meeting in its case; a review copies the agenda it follows.

    Each item keeps its title, assessment and scale, and knows the item it continues, so
    its previous decision and ratings can be shown once its new round is revealed. Triggers
    still waiting for a review, and chronology entries not yet taken to a meeting, are this
    meeting's to answer and discuss.
    """
    meeting.case = case
    meeting.previous = earlier
    if earlier is not None:
        for each in earlier.items:
            meeting.items.append(
                Item(
                    position=each.position,
                    title=each.title,
                    body=each.body,
                    scale=each.scale,
                    choices=list(each.choices),
                    # What was restricted from the family stays so at the review.
                    restricted=each.restricted,
                    previous_item=each,
                )
            )
    session_of(case).flush()
    for trigger in case.triggers:
        if trigger.answered_by_id is None:
            trigger.answered_by_id = meeting.id
    for entry in case.chronology:
        if entry.meeting_id is None:
            entry.meeting_id = meeting.id
