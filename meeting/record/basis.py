"""What the minutes rest on beyond the records the log holds line by line: the meeting's
details, the people in it, the agenda, its rounds and the child's chronology.

Each version of the minutes keeps the record it was made from, and the line that made it
holds that record's digest. So the record is fixed by the chain, and the rows it was made
from can be read again and compared with it: a name, an agency, an item's text or a
chronology entry changed behind the application's back reads differently from the record
the minutes were made from. Each difference is one sentence saying which row, which field,
and what each side holds.
"""

import json
from collections.abc import Callable
from typing import Any

# The fields compared, and what each is called in a sentence.
MEETING = {
    "title": "title",
    "kind": "kind",
    "child": "child",
    "starts_at": "start",
    "place": "place",
}
PERSON = {
    "name": "name",
    "role": "role",
    "agency": "agency",
    "part": "part",
    "family": "family's side",
    "channel": "way of taking part",
    "attendance": "attendance",
    "left_at": "time of leaving",
    "observer": "mark as an observer",
    "chair": "mark as the chair",
}
ITEM = {"title": "title", "body": "text", "scale": "scale", "choices": "choices"}
ROUND = {
    "basis": "basis",
    "control_measures": "control measures",
    "opened_at": "opening time",
    "revealed_at": "reveal time",
    "divergence_acknowledged_at": "time the spread was acknowledged",
    "divergence_note": "note on the spread",
}
CHRONOLOGY = {
    "happened_on": "date",
    "what": "what happened",
    "agency": "agency",
    "added_by": "who added it",
}
# How much of a long text a sentence quotes.
QUOTED = 80

Say = Callable[[str], None]


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return f"“{value if len(value) <= QUOTED else value[:QUOTED] + '…'}”"
    return json.dumps(value, ensure_ascii=False)


def _fields(
    who: str, now: dict[str, Any], then: dict[str, Any], names: dict[str, str], made: str, say: Say
) -> None:
    for key, label in names.items():
        if key in then and now.get(key) != then[key]:
            say(
                f"{who}'s {label} reads {_shown(now.get(key))} in the database, but {made} "
                f"has {_shown(then[key])}."
            )


def _by(rows: Any, key: str) -> dict[Any, dict[str, Any]]:
    """Return the rows of a list in a record by one of their fields (none: an older record)."""
    if not isinstance(rows, list):
        return {}
    return {row[key]: row for row in rows if isinstance(row, dict) and key in row}


def _people(now: dict[str, Any], then: dict[str, Any], made: str, say: Say) -> None:
    current = _by(now.get("attendance"), "attendee_id")
    recorded = _by(then.get("attendance"), "attendee_id")
    for attendee_id, person in recorded.items():
        if attendee_id not in current:
            say(
                f"Attendee {attendee_id} ({person.get('name')}) is in {made}, but is no longer "
                "in the database's attendance."
            )
        else:
            _fields(f"Attendee {attendee_id}", current[attendee_id], person, PERSON, made, say)
    for attendee_id, person in current.items():
        if attendee_id not in recorded:
            say(
                f"Attendee {attendee_id} ({person['name']}) is in the database's attendance, "
                f"but not in {made}."
            )


def _items(now: dict[str, Any], then: dict[str, Any], made: str, say: Say) -> None:
    current = _by(now.get("items"), "position")
    recorded = _by(then.get("items"), "position")
    for position, item in recorded.items():
        if position not in current:
            say(f"Item {position} (“{item.get('title')}”) is in {made}, but not in the database.")
            continue
        _fields(f"Item {position}", current[position], item, ITEM, made, say)
        rounds = _by(current[position].get("rounds"), "number")
        for number, round_ in _by(item.get("rounds"), "number").items():
            who = f"Round {number} on item {position}"
            if number not in rounds:
                say(f"{who} is in {made}, but not in the database.")
            else:
                _fields(who, rounds[number], round_, ROUND, made, say)
    for position, item in current.items():
        if position not in recorded:
            say(f"Item {position} (“{item.get('title')}”) is in the database, but not in {made}.")


def _chronology(now: dict[str, Any], then: dict[str, Any], made: str, say: Say) -> None:
    current = (now.get("case") or {}).get("chronology") or []
    recorded = (then.get("case") or {}).get("chronology") or []
    for number, entry in enumerate(recorded, start=1):
        who = f"Chronology entry {number} ({entry.get('happened_on')}, {entry.get('agency')})"
        if number > len(current):
            say(f"{who} is in {made}, but not in the database.")
            continue
        for key, label in CHRONOLOGY.items():
            if key in entry and current[number - 1].get(key) != entry[key]:
                say(
                    f"{who}: {label} reads {_shown(current[number - 1].get(key))} in the "
                    f"database, but {made} has {_shown(entry[key])}."
                )
    for number, entry in enumerate(current[len(recorded) :], start=len(recorded) + 1):
        say(
            f"Chronology entry {number} ({entry['happened_on']}, {entry['agency']}) is in "
            f"the database, but not in {made}."
        )


def compare(now: dict[str, Any], then: dict[str, Any], made: str, say: Say) -> None:
    """Say, one sentence each, where the record read from the database now (`now`) differs
    from the record a version of the minutes was made from (`then`, called `made`)."""
    _fields("The meeting", now.get("meeting", {}), then.get("meeting", {}), MEETING, made, say)
    _people(now, then, made, say)
    _items(now, then, made, say)
    _chronology(now, then, made, say)
