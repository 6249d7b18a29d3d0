"""What discussion changed on an item, as the minutes say it: a sentence and a table."""

from .text import inline
from .writer import table


def discussion_lines(item: dict) -> list[str]:
    """Return the lines saying what discussion changed: each rater's round 1 (the
    independent estimate) against the latest round on the same question, and the spread
    then and now. Records made before this was kept, or with one round, have none."""
    changed = item.get("discussion")
    if not changed:
        return []
    first, latest = changed["rounds"]
    rows = []
    for p in changed["people"]:
        # The family's track says who they are where an agency would be, and is not counted.
        agency = f"{p['part']} (family's view, not counted)" if p["family"] else p["agency"]
        rows.append(
            [
                inline(p["name"]),
                inline(agency),
                inline(p["round_1"]),
                inline(p["latest"]),
                inline(p["change_words"]),
            ]
        )
    head = ["Rater", "Agency", f"Round {first}", f"Round {latest}", "Change"]
    return [
        f"#### What discussion changed: round {first} against round {latest}",
        "",
        inline(changed["summary"]),
        "",
        *table(head, rows),
    ]
