"""Answers to what the last meeting left (what became of an action, how a forecast turned
out): a form drawn before another answer was given is refused, never saved over it."""

from collections.abc import Callable, Mapping
from typing import Any

from ..errors import Refused
from ..models import ActionUpdate, ForecastOutcome
from ..record.seen import fingerprint


def answer_shown(answer: ActionUpdate | ForecastOutcome | None) -> list[int]:
    """Return what a form answering an action or a forecast showed: the answer standing."""
    return [answer.id if answer is not None else 0]


def unchanged(form: Mapping[str, str], answer: Any, reads: Callable[[Any], str]) -> None:
    """Refuse an answer drawn before another one was given (a second window, the owner and
    the chair at once): it is shown with the answer now standing, never saved over it."""
    if not form.get("based_on") or form.get("based_on") == fingerprint(answer_shown(answer)):
        return
    if answer is None:
        raise Refused(
            "This changed after your form was drawn, so yours was not saved; what you "
            "picked is kept below. Check it and save again."
        )
    raise Refused(
        f"{answer.by_name} answered this meanwhile: {reads(answer).rstrip(': ')}. "
        "Yours was not saved; what you picked is kept below. Check it and save again."
    )
