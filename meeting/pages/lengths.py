"""How much a person may type into one field, and the answer when it is more.

Every form value is measured as the request is read, before any rule sees it. Something
longer than its field holds is not saved, and is not cut short either: the person gets
it back with the field named and how much it holds.

- From a page (htmx), the answer changes nothing on the page: the form keeps what was
  typed and says what is too long (forms.js shows the alert beside it).
- Without JavaScript, the answer is the form again: the fields that are too long, each
  with what was typed in it, and the rest carried as they were, to send once shortened.

A 1 MB chronology event, drawn on every screen of the meeting, would make each page too
heavy to load; a line of a name the length of a book is nobody's name.
"""

from typing import Any

from flask import Flask, current_app, render_template, request
from werkzeug.wrappers import Response

from . import once

# A line: a name, a role, an agency, a title, a place, a date.
LINE = 200
# A paragraph or a few: a reason, a view, a decision's parts, an item's description.
TEXT = 20_000
# What is written at length: a letter, an agency's written report, the minutes' summary.
DOCUMENT = 100_000
# The fields that hold more than a line, by name, and how much each holds.
HOLDS = {
    "what": 2_000,
    # An email address may be 254 characters; a legal basis is the deployment's own line.
    "email": 254,
    "legal_bases": 2_000,
    # A rating's choice is one of the item's choices, each a line of its `choices`.
    "choice": TEXT,
    "reason": 4_000,
    "note": 4_000,
    "letter": DOCUMENT,
    "report": DOCUMENT,
    "summary": DOCUMENT,
    "body": DOCUMENT,
    **{
        name: TEXT
        for name in (
            "answer benefits child_views child_views_missing choices considered controls "
            "cost_of_restriction evidence forecast least_restrictive legal_note options "
            "protective_action rationale review_triggers text undecided_reason "
            "withheld_reason withheld_summary words change_evidence needs"
        ).split()
    },
}
# What someone types to prove who they are: held to a line, never written back into a page.
SECRETS = {"password", "confirm", "setup_code"}
HEADING = "Too long to save"


def holds(name: str) -> int:
    """Return how many characters the field `name` holds."""
    return HOLDS.get(name, LINE)


def too_long(form: Any) -> dict[str, str]:
    """Return each field of a form that holds more than it may, with what to do about it."""
    found: dict[str, str] = {}
    for name, value in form.items(multi=True):
        if len(value) > holds(name) and name not in found:
            found[name] = (
                f"This is {len(value):,} characters long; it holds {holds(name):,}. "
                "Shorten it and send it again: nothing was saved."
            )
    return found


def init_app(app: Flask) -> None:
    """Refuse a form with a field longer than it holds, giving back what was typed.

    Call after `csrf.init_app` and before `once.init_app`: the form's one-time token stays
    unused, so the shortened form sent again counts once.
    """

    @app.before_request
    def refuse_too_long() -> Response | None:
        if request.method != "POST":
            return None
        problems = too_long(request.form)
        if not problems:
            return None
        page = render_template("too_long.html", **_page(problems))
        response = current_app.make_response((page, 422))
        if request.headers.get("HX-Request"):
            # The form keeps its place and what was typed in it; the note says why.
            response.headers["HX-Reswap"] = "none"
        return response


def _page(problems: dict[str, str]) -> dict[str, Any]:
    """Return the form again: the fields too long to edit, the others carried as sent."""
    token_field = current_app.config["WTF_CSRF_FIELD_NAME"]
    named = ", ".join(name.replace("_", " ") for name in problems)
    carried = [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name not in problems and name not in (token_field, once.FIELD)
    ]
    return {
        "heading": HEADING,
        "alert": f"Not saved: too long ({named}). What you entered is still here: shorten it "
        "and send it again.",
        "problems": problems,
        "typed": {name: "" if name in SECRETS else request.form.get(name, "") for name in problems},
        "carried": carried,
        "tokens": once.field(request.form.get(once.FIELD)),
        "action": request.full_path.rstrip("?"),
        "back": once.came_from(),
    }
