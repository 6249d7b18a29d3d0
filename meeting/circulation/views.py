"""The minutes on the chair's side: the draft, versions and their files, recipients, corrections
and links; circulating them is `delivery_views`."""

from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Response,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

import minutes
from minutes.docx import to_docx
from minutes.html import to_html

from ..errors import Invalid, Refused
from ..extensions import db
from ..models import (
    Attendee,
    CopyGroup,
    Correction,
    Meeting,
    utcnow,
    word_of,
)
from ..pages.access import chairs_meeting, login_required, owned
from ..pages.forms import kept, status_of
from ..policy import Policy
from ..record import links
from ..settings import policy
from . import (
    corrections,
    deadlines,
    delivery_views,
    draft,
    letter,
    reader_links,
    recipients,
    versions,
)

bp = Blueprint("circulation", __name__, url_prefix="/meetings/<int:meeting_id>/minutes")


def paper(markdown: str) -> Markup:
    """Return minutes in Markdown as safe HTML for a page."""
    return Markup(to_html(markdown))


def download(markdown: str, stem: str, ext: str, running: str) -> Response:
    """Answer with minutes as a Markdown or Word file (`running`: each page's header)."""
    if ext == "md":
        body, mimetype = markdown.encode("utf-8"), "text/markdown; charset=utf-8"
    else:
        title = versions.document_title(markdown)
        body, mimetype = to_docx(markdown, title, running), letter.DOCX
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{stem}.{ext}"',
            "Cache-Control": "no-store",
        },
    )


def _group_arg() -> CopyGroup | None:
    return word_of(CopyGroup, request.args.get("copy"))


def readers_context(meeting: Meeting, rules: Policy) -> dict[str, Any]:
    """Gather what the links panel shows: where each link stands, and who opened what."""
    withdrawn, now = links.last_withdrawn(meeting), utcnow()
    return {
        "link_days": rules.reader_link_days,
        "reader_link": lambda person: reader_links.link_of(
            person, rules.reader_link_days, now, withdrawn.get(person.id)
        ),
        "link_mark": reader_links.shown,
        "opened": links.openings(meeting),
    }


def chair_page(
    meeting: Meeting, number: int | None = None, status: int | None = None, **extra: Any
) -> Response:
    """Render the chair's minutes page: the draft or a version, and everything around it."""
    versions.require_closed(meeting)
    rules = policy()
    made = versions.versions(meeting)
    shown = next((v for v in made if v.number == number), None) if number else None
    if number and shown is None:
        raise Refused(f"There is no version {number} of these minutes.")
    if shown is None and made:
        shown = made[-1]
    group = _group_arg()
    if shown is None:
        record = draft.snapshot(meeting, rules)
        markdown = draft.draft(meeting, rules, group, record)
    else:
        markdown, _cut = versions.copy_of(shown, group)
        record = shown.record
    errors = any(k.endswith("_errors") and v for k, v in extra.items())
    page = render_template(
        "minutes/chair.html",
        **delivery_views.deliveries_context(meeting, made),
        shown=shown,
        group=group,
        paper=paper(markdown),
        sections=minutes.sections(record),
        copy_names={key: label.capitalize() for key, label in minutes.GROUPS.items()},
        undecided=draft.undecided(meeting),
        recipients=recipients.recipients(meeting),
        email_of=recipients.email_of,
        group_of=lambda person: recipients.group_of(person),
        corrections=corrections.corrections(meeting),
        **readers_context(meeting, rules),
        window_closes=corrections.window_closes(meeting, rules),
        clock=deadlines.clock(meeting, rules),
        **extra,
    )
    return make_response(page, status or (422 if errors else 200))


def _change(meeting: Meeting, key: str, change: Callable[[], object]) -> BaseResponse:
    """Make one change to the minutes; on a refusal keep the typed form and say why."""
    try:
        change()
    except (Invalid, Refused) as problem:
        db.session.rollback()
        return chair_page(meeting, None, status_of(problem), **kept(key, request.form, problem))
    db.session.commit()
    return redirect(url_for("circulation.chair", meeting_id=meeting.id))


@bp.route("")
@login_required
def chair(meeting_id):
    """Show the chair the meeting's minutes: the draft, or the latest version; its chair only."""
    return chair_page(chairs_meeting(meeting_id))


@bp.route("/<int:number>")
@login_required
def chair_version(meeting_id, number):
    """Show the chair one version of the minutes and its copies; the meeting's chair only."""
    return chair_page(chairs_meeting(meeting_id), number)


@bp.route("/draft.<any(md, docx):ext>")
@login_required
def draft_file(meeting_id, ext):
    """Answer with the draft minutes (a copy) as Markdown or Word; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    group = _group_arg()
    markdown = draft.draft(meeting, policy(), group)
    stem = f"minutes-{meeting.id}-draft" + (f"-{group}" if group else "")
    return download(markdown, stem, ext, versions.running_header(meeting, None, policy()))


@bp.route("/<int:number>.<any(md, docx):ext>")
@login_required
def version_file(meeting_id, number, ext):
    """Answer with a version (a copy) as Markdown or Word; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    made = versions.version(meeting, number)
    markdown, cut_for = versions.copy_of(made, _group_arg())
    stem = f"minutes-{meeting.id}-v{number}" + (f"-{cut_for}" if cut_for else "")
    return download(markdown, stem, ext, versions.running_header(meeting, number, policy()))


@bp.route("/draft", methods=["POST"])
@login_required
def save_draft(meeting_id):
    """Save the draft's summary and what is withheld, then circulate if asked; the chair only."""
    meeting = chairs_meeting(meeting_id)
    form = request.form
    saved = _change(meeting, "draft", lambda: draft.save_draft(meeting, form, policy()))
    if form.get("then") != "circulate" or saved.status_code != 302:
        return saved
    try:
        made = draft.freeze_first(meeting, policy())
    except (Invalid, Refused) as problem:
        db.session.rollback()
        return chair_page(meeting, None, status_of(problem), **kept("draft", form, problem))
    db.session.commit()
    return delivery_views.circulate(meeting, made)


@bp.route("/recipients/<int:attendee_id>", methods=["POST"])
@login_required
def recipient(meeting_id, attendee_id):
    """Change where someone's minutes go and which copy they get; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    versions.require_closed(meeting)
    person = owned(Attendee, meeting, attendee_id, lambda a: a.meeting_id)
    return _change(
        meeting,
        f"recipient-{person.id}",
        lambda: recipients.set_recipient(person, request.form, policy()),
    )


@bp.route("/corrections/<int:correction_id>", methods=["POST"])
@login_required
def answer(meeting_id, correction_id):
    """Accept or decline a recipient's correction, with a reason; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    correction = owned(Correction, meeting, correction_id, lambda c: c.meeting_id)
    accept = request.form.get("outcome") == "accept"
    reason = request.form.get("answer", "")
    return _change(
        meeting,
        f"correction-{correction.id}",
        lambda: corrections.answer(correction, accept, reason, policy()),
    )


@bp.route("/recipients/<int:attendee_id>/withdraw-link", methods=["POST"])
@login_required
def withdraw_link(meeting_id, attendee_id):
    """Withdraw a recipient's link to the minutes; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    person = owned(Attendee, meeting, attendee_id, lambda a: a.meeting_id)
    done = reader_links.withdraw(person, request.form.get("link"))
    db.session.commit()
    if done:
        flash(
            f"{person.name}'s link to the minutes is withdrawn: it now opens nothing. "
            "Send them a new one when they should have the minutes again."
        )
    else:
        flash(f"{person.name}'s link had already been withdrawn; nothing else changed.")
    return redirect(url_for("circulation.chair", meeting_id=meeting.id, _anchor="readers"))
