"""Information gaps at a reveal: who answered "I can't rate this yet", what they need, and
the action that finds it out, made in one step from the chair's cockpit."""

from sqlalchemy import select, update

from ..actions import rules as actions
from ..errors import Refused
from ..models import Action, Rating, Round, session_of
from ..policy import Policy


def action_words(needs: str) -> str:
    """Return what the action that fills an information gap says is to be done."""
    return f"Find out: {needs}"


def gap(round_: Round, attendee_id: int) -> Rating:
    """Return someone's "I can't rate this yet" in a revealed round, or refuse."""
    if round_.revealed_at is None:
        raise Refused(f"Round {round_.number} is not revealed yet: nobody's answer is shown.")
    found = next(
        (r for r in round_.ratings if r.attendee_id == attendee_id and r.cannot_rate), None
    )
    if found is None:
        raise Refused(f"Nobody in round {round_.number} said they need information to rate.")
    return found


def action_for(rating: Rating) -> Action | None:
    """Return the standing action made from this information gap, if there is one."""
    item = rating.round.item
    return session_of(rating).scalar(
        select(Action).where(
            Action.meeting_id == item.meeting_id,
            Action.item_id == item.id,
            Action.owner_id == rating.attendee_id,
            Action.what == action_words(rating.needs),
            Action.withdrawn_at.is_(None),
        )
    )


def make_action(round_: Round, attendee_id: int, due: str, policy: Policy) -> Action:
    """Make an information gap an action on its item: the person who needs the information
    finds it out by `due`. A second request for the same gap is refused, not added twice."""
    rating = gap(round_, attendee_id)
    # One at a time per round: a second copy from another window waits here, then finds
    # the first one's action.
    session_of(round_).execute(
        update(Round)
        .where(Round.id == round_.id)
        .values(id=Round.id)
        .execution_options(synchronize_session=False)
    )
    existing = action_for(rating)
    if existing is not None:
        raise Refused(
            f"“{existing.what}” is already an action for {existing.owner_name}, due "
            f"{existing.due:%-d %b %Y}; nothing else changed."
        )
    form = {
        "what": action_words(rating.needs),
        "owner_id": str(rating.attendee_id),
        "item_id": str(round_.item_id),
        "due": due,
    }
    return actions.add(round_.item.meeting, form, policy)


def standing(round_: Round) -> dict[int, Action]:
    """Return, by attendee, the standing actions made from a revealed round's information
    gaps (none before the reveal)."""
    if round_.revealed_at is None:
        return {}
    found = {}
    for rating in round_.ratings:
        if rating.cannot_rate and (action := action_for(rating)) is not None:
            found[rating.attendee_id] = action
    return found
