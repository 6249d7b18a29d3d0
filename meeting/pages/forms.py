"""Forms that lose nothing: a refused change comes back with the typed text and the problem."""

from collections.abc import Callable
from typing import Any

from flask import current_app, redirect, request, url_for
from limits import parse_many
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from ..errors import Invalid, Refused, TooMany
from ..extensions import db, limiter
from ..models import Attendee, Meeting
from .doorbell import ring_changes
from .regions import Page, chair_page


def kept(key: str, form: Any, problem: Exception) -> dict[str, Any]:
    """Keep what someone typed into the form `key`, with what was wrong, to show it again."""
    errors = getattr(problem, "errors", None)
    return {
        "kept_key": key,
        "kept_form": form,
        "kept_errors": errors or {},
        "kept_alert": "" if errors else str(problem),
    }


TOO_MANY_ADDED = (
    "You have added several things in a short time, so this was not saved. Wait a few "
    "minutes, then send it again: what you entered is still here."
)


def added_by(person: Attendee) -> None:
    """Count one thing a person added (a chronology event, a review trigger, a correction
    asked for) against their allowance, or refuse it (429) once the allowance is used up.

    The allowance (`ATTENDEE_ADDITIONS_LIMIT`) is per person, shared by every process when
    the deployment has Redis; the chair adds without one. Call it once the thing is made,
    inside its transaction: a refusal saves nothing.
    """
    allowances = parse_many(current_app.config["ATTENDEE_ADDITIONS_LIMIT"])
    keys = ("attendee-adds", str(person.id))
    if not all(limiter.limiter.test(allowance, *keys) for allowance in allowances):
        raise TooMany(TOO_MANY_ADDED)
    for allowance in allowances:
        limiter.limiter.hit(allowance, *keys)


def status_of(problem: Exception) -> int:
    """Return the status a refused or invalid form answers with."""
    status: int = getattr(problem, "status", 422)
    return status


def chair_change(
    meeting: Meeting,
    key: str,
    change: Callable[[], object],
    anchor: str = "",
    then: Callable[[], None] | None = None,
) -> Response | Page:
    """Make one change from the chair's page, then commit, ring what it changed and go back.

    If the change is refused or its input is wrong, nothing is saved and the chair's
    page comes back with the problem named and the form `key` as they typed it.
    """
    try:
        change()
        db.session.commit()
    except (Invalid, Refused) as problem:
        db.session.rollback()
        return chair_page(meeting, status_of(problem), **kept(key, request.form, problem))
    except IntegrityError:
        db.session.rollback()
        same_moment = Refused(
            "This was changed from elsewhere at the same moment, so nothing was saved. "
            "Check it and send it again."
        )
        return chair_page(meeting, 409, **kept(key, request.form, same_moment))
    if then is not None:
        # What changed for everyone is rung first: `then` tells someone's own screens.
        ring_changes()
        then()
    return redirect(url_for("agenda.show", meeting_id=meeting.id) + anchor)
