"""Edits made over what the editor saw: saving over a newer change is refused, not lost.

A form that edits several fields of a record carries a fingerprint of the fields as it
showed them (`based_on`). Saving it first holds the record's row against other writers
(on PostgreSQL a row lock, on SQLite the database's write lock), reads it afresh, and
refuses if it no longer matches: a second window, or a second chair, that saved in
between makes this one a conflict shown with what is there now, never a silent overwrite.
"""

import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import update

from ..errors import Refused
from ..models import session_of


def fingerprint(fields: Sequence[Any]) -> str:
    """Return a short, stable fingerprint of the fields a form shows."""
    text = json.dumps(list(fields), default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def hold(row: Any) -> None:
    """Hold this row against other writers until the transaction ends, and read it afresh."""
    model = type(row)
    session = session_of(row)
    session.execute(
        update(model)
        .where(model.id == row.id)
        .values(id=model.id)
        .execution_options(synchronize_session=False)
    )
    session.refresh(row)


def still_as_seen(
    row: Any, based_on: str | None, seen: Callable[[], Sequence[Any]], now_reads: Callable[[], str]
) -> None:
    """Refuse the edit if the record changed since its form was drawn (`based_on`).

    A form without a fingerprint (a script, a page from an older release) is not checked.
    """
    if not based_on:
        return
    hold(row)
    if fingerprint(seen()) != based_on:
        raise Refused(
            "This was changed from elsewhere after your form was drawn, so yours was not "
            f"saved; what you typed is kept below. It now reads: {now_reads()}"
        )
