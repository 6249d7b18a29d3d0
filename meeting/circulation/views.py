"""The minutes on the chair's side: the draft, versions, circulating, deliveries, corrections."""

from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

import minutes
from minutes.docx import to_docx
from minutes.html import to_html

from ..errors import Invalid, Refused
from ..extensions import db, socketio
from ..models import (
    Attendee,
    CopyGroup,
    Correction,
    Delivery,
    Meeting,
    MinutesVersion,
    utcnow,
    word_of,
)
from ..pages.access import chairs_meeting, login_required, owned
from ..pages.forms import kept, status_of
from ..pages.links import public_url
from ..pages.regions import partial
from ..policy import Policy
from ..record import links
from ..settings import mail_settings, policy
from . import corrections, deadlines, draft, mail, reader_links, recipients, versions
from .mail import MailSettings

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
        body, mimetype = to_docx(markdown, title, running), mail.DOCX
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


def _link_for(person: Attendee) -> str:
    return public_url("reading.read", token=person.reader_token)


def deliveries_context(meeting: Meeting, made: list[MinutesVersion]) -> dict[str, Any]:
    """Gather what the deliveries list shows: every attempt, and which are still on their way."""
    settings = mail_settings()
    lost_after, now = settings.lost_after, utcnow()
    return {
        "meeting": meeting,
        "versions": made,
        "groups": minutes.GROUPS,
        "using_smtp": settings.using_smtp,
        "outbox": settings.outbox,
        "standing": lambda d: recipients.standing(d, lost_after, now),
        "send_again": lambda v: recipients.send_again(v, lost_after, now),
        "still_sending": any(recipients.sending(v, lost_after, now) for v in made),
    }


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
        **deliveries_context(meeting, made),
        shown=shown,
        group=group,
        paper=paper(markdown),
        sections=minutes.sections(record),
        copy_names={key: label.capitalize() for key, label in minutes.GROUPS.items()},
        undecided=draft.undecided(meeting),
        recipients=recipients.recipients(meeting),
        email_of=recipients.email_of,
        group_of=lambda person: recipients.group_of(person, rules),
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
    return chair_page(chairs_meeting(meeting_id))


@bp.route("/<int:number>")
@login_required
def chair_version(meeting_id, number):
    return chair_page(chairs_meeting(meeting_id), number)


@bp.route("/deliveries")
@login_required
def deliveries(meeting_id):
    meeting = chairs_meeting(meeting_id)
    versions.require_closed(meeting)
    return partial(
        "minutes/_deliveries.html",
        url_for("circulation.chair", meeting_id=meeting.id, _anchor="deliveries"),
        lambda: deliveries_context(meeting, versions.versions(meeting)),
    )


@bp.route("/draft.<any(md, docx):ext>")
@login_required
def draft_file(meeting_id, ext):
    meeting = chairs_meeting(meeting_id)
    group = _group_arg()
    markdown = draft.draft(meeting, policy(), group)
    stem = f"minutes-{meeting.id}-draft" + (f"-{group}" if group else "")
    return download(markdown, stem, ext, versions.running_header(meeting, None, policy()))


@bp.route("/<int:number>.<any(md, docx):ext>")
@login_required
def version_file(meeting_id, number, ext):
    meeting = chairs_meeting(meeting_id)
    made = versions.version(meeting, number)
    markdown, cut_for = versions.copy_of(made, _group_arg())
    stem = f"minutes-{meeting.id}-v{number}" + (f"-{cut_for}" if cut_for else "")
    return download(markdown, stem, ext, versions.running_header(meeting, number, policy()))


@bp.route("/draft", methods=["POST"])
@login_required
def save_draft(meeting_id):
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
    return _circulate(meeting, made)


def _circulate(meeting: Meeting, made: MinutesVersion) -> BaseResponse:
    versions.mark_circulated(made)
    return _send(meeting, made, recipients.recipients(meeting))


def _send(
    meeting: Meeting,
    made: MinutesVersion,
    people: list[Attendee],
    anew: bool = False,
    anchor: str = "deliveries",
) -> BaseResponse:
    """Queue a version for these people, send it in the background, and show the deliveries.

    Someone whose copy is still on its way is not sent another (a double click). Each
    person sent it gets a working link, counted from now; someone whose link the chair
    withdrew is sent nothing unless the chair sends to them on purpose (`anew`).
    """
    settings, rules, now = mail_settings(), policy(), utcnow()
    busy = {d.attendee_id for d in recipients.sending(made, settings.lost_after, now)}
    days = rules.reader_link_days
    people = [
        p for p in people if p.id not in busy and reader_links.ready_to_send(p, days, now, anew)
    ]
    queued = mail.queue(made, people, rules)
    links = {d.id: _link_for(d.attendee) for d in queued}
    # The version is frozen, and the deliveries are listed, whatever the mail server says.
    db.session.commit()
    if queued:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        ids = [d.id for d in queued]
        sending(app).add(ids[0])
        socketio.start_background_task(_deliver, app, ids, links, settings, rules)
    return redirect(url_for("circulation.chair", meeting_id=meeting.id, _anchor=anchor))


def sending(app: Flask) -> set[int]:
    """Return the batches this process is still sending (each named by its first delivery)."""
    found: set[int] = app.extensions.setdefault("meeting.sending", set())
    return found


def _deliver(
    app: Flask, ids: list[int], links: dict[int, str], settings: MailSettings, rules: Policy
) -> None:
    """Send queued deliveries outside the request that queued them (a background task)."""
    # Its own app context, so its own database session, ended when the context is.
    with app.app_context():
        try:
            queued = db.session.scalars(
                select(Delivery).where(Delivery.id.in_(ids)).order_by(Delivery.id)
            )
            mail.deliver(list(queued), links, settings, rules, db.session.commit)
            db.session.commit()
        except Exception:
            # Logged by the app's logger, so without the error's message (it may quote an
            # address); the copies left pending show as "Not known" on the chair's page.
            db.session.rollback()
            app.logger.exception("Sending the minutes failed: deliveries %s", ids)
        finally:
            # Done once its results and its line in the log are saved, not before.
            sending(app).discard(ids[0])


@bp.route("/<int:number>/circulate", methods=["POST"])
@login_required
def recirculate(meeting_id, number):
    meeting = chairs_meeting(meeting_id)
    made = versions.version(meeting, number)
    newest = versions.latest(meeting)
    if made.circulated_at is not None or made is not newest:
        raise Refused(
            f"Version {number} has already been circulated, or a later version replaced it. "
            "Send it again to one person from the deliveries list instead."
        )
    return _circulate(meeting, made)


@bp.route("/deliveries/<int:delivery_id>/resend", methods=["POST"])
@login_required
def resend(meeting_id, delivery_id):
    meeting = chairs_meeting(meeting_id)
    delivery = owned(Delivery, meeting, delivery_id, lambda d: d.version.meeting_id)
    return _send(meeting, delivery.version, [delivery.attendee], anew=True)


@bp.route("/<int:number>/resend", methods=["POST"])
@login_required
def resend_undelivered(meeting_id, number):
    meeting = chairs_meeting(meeting_id)
    made = versions.version(meeting, number)
    return _send(meeting, made, [d.attendee for d in recipients.undelivered(made)])


@bp.route("/recipients/<int:attendee_id>", methods=["POST"])
@login_required
def recipient(meeting_id, attendee_id):
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


@bp.route("/recipients/<int:attendee_id>/new-link", methods=["POST"])
@login_required
def new_link(meeting_id, attendee_id):
    meeting = chairs_meeting(meeting_id)
    person = owned(Attendee, meeting, attendee_id, lambda a: a.meeting_id)
    shown = versions.circulated(meeting)
    if not shown:
        raise Refused("The minutes have not been circulated yet: there is no link to send.")
    if person not in recipients.recipients(meeting):
        raise Refused(f"{person.name} is not among the people the minutes go to.")
    if recipients.email_of(person):
        flash(f"{person.name} is being sent a new link. Any old one still opens nothing.")
    else:
        flash(f"{person.name} has no email address: give them their new link (under Recipients).")
    return _send(meeting, shown[-1], [person], anew=True, anchor="readers")
