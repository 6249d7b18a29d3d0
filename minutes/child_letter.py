"""The chair's letter to the young person: what the meeting decided, in plain words.

A first draft, written from the same plain record the minutes come from, for the chair to
edit before it is sent: addressed to the young person by first name, in short sentences,
item by item (what was decided and why, what the meeting did with what they said, who will
do what by when), then when the meeting is next and whom to ask. A pure function: the same
record gives the same bytes. The decision's own words stay as decided; a term of art in
them is explained once, in brackets, rather than changed.
"""

import re
from collections.abc import Iterable
from datetime import date

from .text import block, inline, iso_day

YOUNG_PERSON = "The young person"
ADVOCATE = "The young person's advocate"

# Words a meeting writes that a young person should not have to look up: each is explained
# the first time it appears. Longest first, so "child-protection plan" wins over "plan".
PLAIN_WORDS = (
    (r"child[- ]protection plan|\bCP plan", "a plan to keep you safe"),
    (r"child[- ]in[- ]need plan|\bCIN plan", "a plan to help you and your family"),
    (r"no further action|\bNFA\b", "children's services will stop working with you"),
    (r"core group", "the people who make the plan work"),
    (r"\bs\.? ?47\b|section 47", "checks to make sure you are safe"),
    (r"strategy discussion", "a meeting to plan how to check you are safe"),
    (r"looked[- ]after", "in care"),
    (r"\bLADO\b", "the person who checks on adults who work with children"),
)


def first_name(record: dict) -> str:
    """Return the name the letter greets: the young person's first name, as they gave it.

    The young person's own entry in the attendance when they took part, otherwise the
    child named on the meeting (initials stay initials).
    """
    for person in record["attendance"]:
        if person.get("part") == YOUNG_PERSON and person["name"].strip():
            return person["name"].split()[0]
    child = record["meeting"]["child"].strip()
    return child.split()[0] if child and "." not in child else child


def plain(text: str, explained: set[str]) -> str:
    """Return someone's words for the letter, each term of art explained the first time."""
    out = inline(text)
    for pattern, meaning in PLAIN_WORDS:
        if meaning in explained:
            continue
        found = re.search(pattern, out, flags=re.IGNORECASE)
        if found:
            explained.add(meaning)
            out = f"{out[: found.end()]} ({meaning}){out[found.end() :]}"
    return out


def sentence(text: str) -> str:
    """Return text ending as a sentence ends."""
    text = text.rstrip()
    return text if not text or text[-1] in ".!?\"')" else text + "."


def _will(what: str) -> str:
    """Return an action as what someone will do: "Share reports" → "share reports"."""
    what = what.strip()
    if len(what) > 1 and what[0].isupper() and what[1].islower():
        what = what[0].lower() + what[1:]
    return what


def _by(due: str | None) -> str:
    return f" by {iso_day(due)}" if due else ""


def _actions(actions: Iterable[dict], explained: set[str]) -> list[str]:
    lines = []
    for action in actions:
        if action.get("withdrawn_at"):
            continue
        owner = inline(action["owner"]) or "Someone from the meeting"
        what = plain(_will(action["what"]), explained) + _by(action["due"])
        lines.append(f"- {owner} will {sentence(what)}")
    return lines


def _views(decision: dict) -> list[str]:
    said = (decision.get("child_views") or "").strip()
    why_not = (decision.get("child_views_not_obtained_because") or "").strip()
    if said:
        return [
            "**What you told us:**",
            "",
            block(said, quote=True),
            "",
            "We thought about what you told us before we decided.",
        ]
    if why_not:
        return [
            "**What you told us:** Nobody was able to ask you about this before the meeting. "
            f"This is why: {sentence(inline(why_not))} We still want to know what you think.",
        ]
    return [
        "**What you told us:** We did not hear from you about this. "
        "We still want to know what you think."
    ]


def _item(item: dict, explained: set[str]) -> list[str]:
    lines = [f"## {inline(item['title'])}", ""]
    decision = item["decision"]
    if not decision or decision.get("status") != "recorded":
        lines += [
            "We did not decide this at the meeting. I will tell you when it is decided.",
            "",
        ]
    else:
        lines += [f"**What we decided:** {sentence(plain(decision['decision'], explained))}", ""]
        if (decision.get("rationale") or "").strip():
            lines += [f"**Why:** {sentence(plain(decision['rationale'], explained))}", ""]
        lines += [*_views(decision), ""]
    actions = _actions(item.get("actions", []), explained)
    if actions:
        lines += ["**Who will do what:**", "", *actions, ""]
    return lines


def _next_meeting(items: list[dict]) -> list[str]:
    decisions = [i["decision"] for i in items if i["decision"]]
    dates = sorted({d["review_date"] for d in decisions if d.get("review_date")})
    lines = ["## When we meet again", ""]
    if not dates:
        return [*lines, "I will write to you when the next meeting is planned.", ""]
    first = date.fromisoformat(dates[0])
    lines.append(f"We will meet again by {iso_day(first.isoformat())} to see how things are going.")
    triggers = [
        sentence(inline(d["review_triggers"])) for d in decisions if d.get("review_triggers")
    ]
    if triggers:
        lines += ["", "We will meet sooner if something like this happens:", ""]
        lines += [f"- {t}" for t in dict.fromkeys(triggers)]
    return [*lines, ""]


def _questions(record: dict) -> list[str]:
    chair = record["meeting"]["chair"]
    lines = [
        "## If you have a question",
        "",
        f"You can ask me, {inline(chair['name'])}, about anything in this letter. "
        "You can also tell me if you think something in it is wrong.",
    ]
    advocates = [p for p in record["attendance"] if p.get("part") == ADVOCATE]
    if advocates:
        lines += [
            "",
            f"Your advocate, {inline(advocates[0]['name'])}, can help you ask, "
            "or say what you think for you.",
        ]
    signed = inline(chair["name"])
    role = "Chair of the meeting" + (f", {inline(chair['agency'])}" if chair.get("agency") else "")
    return [*lines, "", "From", "", f"{signed}  ", role, ""]


def letter(record: dict, leave_out: Iterable[int] = ()) -> str:
    """Return the first draft of the letter to the young person, in Markdown, from a record.

    `leave_out` lists the positions of items not for the family (withheld from their copy
    of the minutes): the letter says nothing of them.
    """
    meeting = record["meeting"]
    held = iso_day(meeting["starts_at"][:10])
    left_out = set(leave_out)
    items = [i for i in record["items"] if i["position"] not in left_out]
    explained: set[str] = set()
    lines = [
        "# What we decided at your meeting",
        "",
        f"Dear {inline(first_name(record))},",
        "",
        f"On {held}, people who work with you met to talk about how things are going for "
        "you. I chaired the meeting.",
        "",
        "This letter tells you what we decided and why. It says what we did with what you "
        "told us, who will do what, and when we meet again.",
        "",
    ]
    for item in items:
        lines += _item(item, explained)
    others = _actions((a for a in record.get("actions", []) if a.get("item") is None), explained)
    if others:
        lines += ["## Other things people will do", "", *others, ""]
    lines += _next_meeting(items)
    lines += _questions(record)
    return "\n".join(lines)
