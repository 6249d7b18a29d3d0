"""The minutes on a recipient's side: their own copy through the link in their email.

The link's secret is traded on first use for a cookie sent only to that recipient's own
address (`/minutes/read/<id>`, see `pages.passes`), which every later page, file and form
uses. A link the chair withdrew, or one whose time ran out, opens nothing: every page, file and
form behind it answers 410 with a page that says why and whom to ask for a new one.
"""

from datetime import datetime
from typing import Any, NoReturn

from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for

import minutes

from ..errors import Invalid, Refused
from ..extensions import db
from ..models import Attendee, LinkEnd, Meeting, utcnow
from ..pages import passes
from ..pages.access import current_chair
from ..pages.forms import added_by, kept, status_of
from ..record import links
from ..settings import policy
from . import corrections, reader_links, recipients, versions
from .views import download, paper

bp = Blueprint("reading", __name__, url_prefix="/minutes")


def _holder(token: str) -> Attendee:
    """Return the recipient whose link this is, while it works; otherwise answer why not."""
    person = recipients.reader(db.session, token) if token else None
    if person is not None:
        ends = reader_links.expires_at(person, policy().reader_link_days)
        if ends is None or utcnow() < ends:
            return person
        _gone(person.meeting, LinkEnd.EXPIRED, ends)
    ended = links.ended(db.session, token)
    if ended is None or ended.attendee_id is None:
        abort(404)
    _gone(ended.meeting, ended.why, ended.ended_at)


def _reader(attendee_id: int) -> Attendee:
    """Return the recipient whose own address this is, if this browser opened their working
    link; otherwise answer why not (410 for a link stopped since, 404 for anything else)."""
    person = _holder(request.cookies.get(passes.READER_COOKIE, ""))
    if person.id != attendee_id:
        abort(404)
    return person


def _gone(meeting: Meeting, why: LinkEnd, at: datetime) -> NoReturn:
    """Answer 410: the link no longer works, why, since when, and whom to ask.

    Nothing about the meeting or the person is shown; a correction typed before the link
    stopped is given back, so it can be sent to the chair another way.
    """
    page = render_template(
        "minutes/gone.html",
        why=why,
        at=at,
        chair=meeting.chair,
        days=policy().reader_link_days,
        typed=request.form.get("text", "") if request.method == "POST" else "",
    )
    abort(make_response(page, 410))


def _opened(person: Attendee, what: str) -> None:
    """Note that a recipient opened something through their link.

    The meeting's chair checking a link, logged in, is not the recipient reading it.
    """
    chair = current_chair()
    if chair is not None and chair.id == person.meeting.chair_id:
        return
    links.note_opening(person.meeting, person, what)
    db.session.commit()


def reader_page(
    person: Attendee,
    number: int | None = None,
    status: int = 200,
    opened: bool = False,
    **extra: Any,
) -> tuple[str, int]:
    """Render a recipient's page: their copy of a version, and their corrections."""
    meeting = person.meeting
    rules = policy()
    shown = versions.circulated(meeting)
    made = next((v for v in shown if v.number == number), None) if number else None
    if number and made is None:
        abort(404)
    made = made or (shown[-1] if shown else None)
    if opened:
        _opened(person, f"version {made.number}" if made else "the page")
    group = recipients.group_of(person)
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


@bp.route("/<token>")
def link(token):
    """Trade a recipient's link for a cookie kept as long as the link works, and send them on
    to their own address, which holds no secret; whoever holds their working link."""
    person = _holder(token)
    ends = reader_links.expires_at(person, policy().reader_link_days)
    own = url_for("reading.read", attendee_id=person.id)
    return passes.traded(own, passes.READER_COOKIE, token, path=own, expires=ends)


@bp.route("/read/<int:attendee_id>")
def read(attendee_id):
    """Answer a recipient's copy of the latest minutes; a browser that opened their link."""
    return reader_page(_reader(attendee_id), opened=True)


@bp.route("/read/<int:attendee_id>/<int:number>")
def read_version(attendee_id, number):
    """Answer a recipient's copy of one version; a browser that opened their link."""
    return reader_page(_reader(attendee_id), number, opened=True)


@bp.route("/read/<int:attendee_id>/<int:number>.<any(md, docx):ext>")
def reader_file(attendee_id, number, ext):
    """Download a recipient's copy as .md or .docx; a browser that opened their link."""
    person = _reader(attendee_id)
    made = next((v for v in versions.circulated(person.meeting) if v.number == number), None)
    if made is None:
        abort(404)
    markdown, _cut = versions.copy_of(made, recipients.group_of(person))
    running = versions.running_header(person.meeting, number, policy())
    _opened(person, f"version {number} (.{ext})")
    return download(markdown, f"minutes-{person.meeting_id}-v{number}", ext, running)


@bp.route("/read/<int:attendee_id>/corrections", methods=["POST"])
def ask(attendee_id):
    """Ask the chair to correct the minutes; a browser that opened a recipient's link."""
    person = _reader(attendee_id)
    try:
        corrections.request_correction(person, request.form, policy())
        added_by(person)
    except (Invalid, Refused) as problem:
        db.session.rollback()
        return reader_page(
            person, None, status_of(problem), **kept("correction", request.form, problem)
        )
    db.session.commit()
    return redirect(url_for("reading.read", attendee_id=person.id, _anchor="corrections"))
