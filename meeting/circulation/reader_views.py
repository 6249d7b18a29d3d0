"""The minutes on a recipient's side: their own copy through the link in their email."""

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for

import minutes

from ..errors import Invalid, Refused
from ..extensions import db
from ..models import Attendee
from ..pages.forms import kept, status_of
from ..settings import policy
from . import corrections, recipients, versions
from .views import download, paper

bp = Blueprint("reading", __name__, url_prefix="/minutes/<token>")


def _reader(token: str) -> Attendee:
    person = recipients.reader(db.session, token)
    if person is None:
        abort(404)
    return person


def reader_page(
    person: Attendee, number: int | None = None, status: int = 200, **extra: Any
) -> tuple[str, int]:
    """Render a recipient's page: their copy of a version, and their corrections."""
    meeting = person.meeting
    rules = policy()
    shown = versions.circulated(meeting)
    made = next((v for v in shown if v.number == number), None) if number else None
    if number and made is None:
        abort(404)
    made = made or (shown[-1] if shown else None)
    group = recipients.group_of(person, rules)
    closes = corrections.window_closes(meeting, rules)
    return render_template(
        "minutes/reader.html",
        meeting=meeting,
        person=person,
        made=made,
        versions=shown,
        paper=paper(versions.copy_of(made, group)[0]) if made else None,
        digest_of=lambda v: minutes.digest_of(versions.copy_of(v, group)[0]),
        latest=shown[-1] if shown else None,
        choices=corrections.section_choices(made, group) if made else {},
        window_closes=closes,
        window_open=closes is not None and rules.today() <= closes,
        mine=[c for c in corrections.corrections(meeting) if c.attendee_id == person.id],
        **extra,
    ), status


@bp.route("")
def read(token):
    return reader_page(_reader(token))


@bp.route("/<int:number>")
def read_version(token, number):
    return reader_page(_reader(token), number)


@bp.route("/<int:number>.<any(md, docx):ext>")
def reader_file(token, number, ext):
    person = _reader(token)
    made = next((v for v in versions.circulated(person.meeting) if v.number == number), None)
    if made is None:
        abort(404)
    markdown, _cut = versions.copy_of(made, recipients.group_of(person, policy()))
    running = versions.running_header(person.meeting, number, policy())
    return download(markdown, f"minutes-{person.meeting_id}-v{number}", ext, running)


@bp.route("/corrections", methods=["POST"])
def ask(token):
    person = _reader(token)
    try:
        corrections.request_correction(person, request.form, policy())
    except (Invalid, Refused) as problem:
        db.session.rollback()
        return reader_page(
            person, None, status_of(problem), **kept("correction", request.form, problem)
        )
    db.session.commit()
    return redirect(url_for("reading.read", token=token, _anchor="corrections"))
