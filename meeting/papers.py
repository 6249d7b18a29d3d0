"""The minutes on the web: the chair's draft, versions, circulation and corrections; each
recipient's own copy through the link in their email (or on their device)."""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup

import minutes
from minutes.docx import to_docx
from minutes.html import to_html

from . import circulation, mail
from .access import chairs_meeting, login_required, owned
from .errors import Invalid, Refused
from .extensions import db
from .live import kept, status_of
from .meetings import log
from .models import Attendee, Correction, Delivery, Meeting, MinutesVersion

bp = Blueprint("papers", __name__)
CHAIR = "/meetings/<int:meeting_id>/minutes"


def _paper(markdown: str) -> Markup:
    return Markup(to_html(markdown))


def _download(markdown: str, stem: str, ext: str) -> Response:
    if ext == "md":
        body, mimetype = markdown.encode("utf-8"), "text/markdown; charset=utf-8"
    else:
        title = markdown.splitlines()[0].lstrip("# ")
        body, mimetype = to_docx(markdown, title), mail.DOCX
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{stem}.{ext}"',
            "Cache-Control": "no-store",
        },
    )


def _group_arg() -> str | None:
    group = request.args.get("copy") or None
    return group if group in minutes.GROUPS else None


def _link_for(person: Attendee) -> str:
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    if base:
        return base + url_for("papers.read", token=person.reader_token)
    return url_for("papers.read", token=person.reader_token, _external=True)


# The chair --------------------------------------------------------------------------------


def chair_page(meeting: Meeting, number: int | None = None, status: int | None = None, **extra):
    circulation.require_closed(meeting)
    made = circulation.versions(meeting)
    shown = next((v for v in made if v.number == number), None) if number else None
    if number and shown is None:
        raise Refused(f"There is no version {number} of these minutes.")
    if shown is None and made:
        shown = made[-1]
    group = _group_arg()
    if shown is None:
        record = circulation.snapshot(meeting)
        markdown = circulation.draft(meeting, group, record)
    else:
        markdown, _cut = circulation.copy_of(shown, group)
        record = shown.record
    errors = any(k.endswith("_errors") and v for k, v in extra.items())
    page = render_template(
        "minutes/chair.html",
        meeting=meeting,
        versions=made,
        shown=shown,
        group=group,
        paper=_paper(markdown),
        sections=minutes.sections(record),
        groups=minutes.GROUPS,
        copy_names={key: label.capitalize() for key, label in minutes.GROUPS.items()},
        undecided=circulation.undecided(meeting),
        recipients=circulation.recipients(meeting),
        email_of=circulation.email_of,
        group_of=circulation.group_of,
        corrections=circulation.corrections(meeting),
        window_closes=circulation.window_closes(meeting),
        clock=circulation.clock(meeting),
        using_smtp=mail.using_smtp(),
        outbox=mail.outbox(),
        latest_deliveries=circulation.latest_deliveries,
        **extra,
    )
    return make_response(page, status or (422 if errors else 200))


def _change(meeting: Meeting, key: str, change) -> Response:
    """Make one change to the minutes; on a refusal keep the typed form and say why."""
    form = request.form
    try:
        change(form)
    except (Invalid, Refused) as problem:
        db.session.rollback()
        return chair_page(meeting, None, status_of(problem), **kept(key, form, problem))
    db.session.commit()
    return redirect(url_for("papers.chair", meeting_id=meeting.id))


@bp.route(CHAIR)
@login_required
def chair(meeting_id):
    return chair_page(chairs_meeting(meeting_id))


@bp.route(f"{CHAIR}/<int:number>")
@login_required
def chair_version(meeting_id, number):
    return chair_page(chairs_meeting(meeting_id), number)


@bp.route(f"{CHAIR}/draft.<any(md, docx):ext>")
@login_required
def draft_file(meeting_id, ext):
    meeting = chairs_meeting(meeting_id)
    group = _group_arg()
    markdown = circulation.draft(meeting, group)
    return _download(markdown, f"minutes-{meeting.id}-draft" + (f"-{group}" if group else ""), ext)


@bp.route(f"{CHAIR}/<int:number>.<any(md, docx):ext>")
@login_required
def version_file(meeting_id, number, ext):
    meeting = chairs_meeting(meeting_id)
    made = circulation.version(meeting, number)
    markdown, cut_for = circulation.copy_of(made, _group_arg())
    stem = f"minutes-{meeting.id}-v{number}" + (f"-{cut_for}" if cut_for else "")
    return _download(markdown, stem, ext)


@bp.route(f"{CHAIR}/draft", methods=["POST"])
@login_required
def save_draft(meeting_id):
    meeting = chairs_meeting(meeting_id)
    saved = _change(meeting, "draft", lambda form: circulation.save_draft(meeting, form))
    if request.form.get("then") != "circulate" or saved.status_code != 302:
        return saved
    try:
        made = circulation.freeze_first(meeting)
    except (Invalid, Refused) as problem:
        db.session.rollback()
        return chair_page(meeting, None, status_of(problem), **kept("draft", request.form, problem))
    db.session.commit()
    return _circulate(meeting, made)


def _circulate(meeting: Meeting, made: MinutesVersion):
    circulation.ensure_reader_tokens(meeting)
    circulation.mark_circulated(made)
    db.session.commit()
    # Committed before sending: the version stays frozen whatever the mail server says.
    return _send(meeting, made, circulation.recipients(meeting))


def _send(meeting: Meeting, made: MinutesVersion, people: list[Attendee]):
    """Send a version to these people, log the results, and show the deliveries."""
    mail.send(made, people, _link_for)
    _log_sending(meeting, made)
    db.session.commit()
    return redirect(url_for("papers.chair", meeting_id=meeting.id, _anchor="deliveries"))


def _copy_name(group: str | None) -> str:
    return f"copy for {minutes.GROUPS[group]}" if group else "full minutes"


def _log_sending(meeting: Meeting, made: MinutesVersion) -> None:
    last = circulation.latest_deliveries(made).values()
    sent = sum(1 for d in last if d.delivered)
    log(
        meeting,
        meeting.chair.name,
        f"sent version {made.number} of the minutes: {sent} of {len(last)} delivered",
        "\n".join(
            f"{d.attendee.name} <{d.email}>, {_copy_name(d.copy_group)}: {d.result}. {d.detail}"
            for d in last
        ),
    )


@bp.route(f"{CHAIR}/<int:number>/circulate", methods=["POST"])
@login_required
def recirculate(meeting_id, number):
    meeting = chairs_meeting(meeting_id)
    made = circulation.version(meeting, number)
    newest = circulation.latest(meeting)
    if made.circulated_at is not None or made is not newest:
        raise Refused(
            f"Version {number} has already been circulated, or a later version replaced it. "
            "Send it again to one person from the deliveries list instead."
        )
    return _circulate(meeting, made)


@bp.route(f"{CHAIR}/deliveries/<int:delivery_id>/resend", methods=["POST"])
@login_required
def resend(meeting_id, delivery_id):
    meeting = chairs_meeting(meeting_id)
    delivery = owned(Delivery, meeting, delivery_id, lambda d: d.version.meeting_id)
    return _send(meeting, delivery.version, [delivery.attendee])


@bp.route(f"{CHAIR}/<int:number>/resend", methods=["POST"])
@login_required
def resend_undelivered(meeting_id, number):
    meeting = chairs_meeting(meeting_id)
    made = circulation.version(meeting, number)
    return _send(meeting, made, [d.attendee for d in circulation.undelivered(made)])


@bp.route(f"{CHAIR}/recipients/<int:attendee_id>", methods=["POST"])
@login_required
def recipient(meeting_id, attendee_id):
    meeting = chairs_meeting(meeting_id)
    circulation.require_closed(meeting)
    person = owned(Attendee, meeting, attendee_id, lambda a: a.meeting_id)
    return _change(
        meeting, f"recipient-{person.id}", lambda form: circulation.set_recipient(person, form)
    )


@bp.route(f"{CHAIR}/corrections/<int:correction_id>", methods=["POST"])
@login_required
def answer(meeting_id, correction_id):
    meeting = chairs_meeting(meeting_id)
    correction = owned(Correction, meeting, correction_id, lambda c: c.meeting_id)
    accept = request.form.get("outcome") == "accept"
    return _change(
        meeting,
        f"correction-{correction.id}",
        lambda form: circulation.answer(correction, accept, form.get("answer", "")),
    )


# Recipients -------------------------------------------------------------------------------


def _reader(token: str) -> Attendee:
    person = circulation.reader(token)
    if person is None:
        abort(404)
    return person


def reader_page(person: Attendee, number: int | None = None, status: int = 200, **extra):
    meeting = person.meeting
    shown = circulation.circulated(meeting)
    made = next((v for v in shown if v.number == number), None) if number else None
    if number and made is None:
        abort(404)
    made = made or (shown[-1] if shown else None)
    group = circulation.group_of(person)
    paper = _paper(circulation.copy_of(made, group)[0]) if made else None
    closes = circulation.window_closes(meeting)
    return render_template(
        "minutes/reader.html",
        meeting=meeting,
        person=person,
        made=made,
        versions=shown,
        paper=paper,
        digest_of=lambda v: minutes.digest_of(circulation.copy_of(v, group)[0]),
        latest=shown[-1] if shown else None,
        choices=circulation.section_choices(made, group) if made else {},
        window_closes=closes,
        window_open=bool(closes) and circulation.local_today() <= closes,
        mine=[c for c in circulation.corrections(meeting) if c.attendee_id == person.id],
        **extra,
    ), status


@bp.route("/minutes/<token>")
def read(token):
    return reader_page(_reader(token))


@bp.route("/minutes/<token>/<int:number>")
def read_version(token, number):
    return reader_page(_reader(token), number)


@bp.route("/minutes/<token>/<int:number>.<any(md, docx):ext>")
def reader_file(token, number, ext):
    person = _reader(token)
    made = next((v for v in circulation.circulated(person.meeting) if v.number == number), None)
    if made is None:
        abort(404)
    markdown, _cut = circulation.copy_of(made, circulation.group_of(person))
    return _download(markdown, f"minutes-{person.meeting_id}-v{number}", ext)


@bp.route("/minutes/<token>/corrections", methods=["POST"])
def ask(token):
    person = _reader(token)
    try:
        circulation.request_correction(person, request.form)
    except (Invalid, Refused) as problem:
        db.session.rollback()
        return reader_page(
            person, None, status_of(problem), **kept("correction", request.form, problem)
        )
    db.session.commit()
    return redirect(url_for("papers.read", token=token, _anchor="corrections"))
