"""The letter to the young person on the chair's side: write it from the circulated minutes,
edit it, preview and print it, send it (each send a new frozen version), and see what came of it.
"""

from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response as BaseResponse

from minutes.html import to_html

from ..circulation.letter import DOCX
from ..circulation.transport import MailSettings
from ..errors import Invalid, Refused
from ..extensions import db, socketio
from ..models import DeliveryResult, LetterDelivery, Meeting, utcnow
from ..pages.access import chairs_meeting, login_required
from ..pages.forms import kept, status_of
from ..policy import Policy
from ..settings import mail_settings, policy
from . import letter, mail

bp = Blueprint("letters", __name__, url_prefix="/meetings/<int:meeting_id>/letter")


def letter_page(meeting: Meeting, number: int | None = None, status: int = 200, **extra: Any):
    """Render the chair's letter page: the draft (or a version) as it prints, and its forms."""
    try:
        minutes = letter.require_circulated(meeting)
    except Refused as not_yet:
        page = render_template("letter/chair.html", meeting=meeting, not_yet=str(not_yet), **extra)
        return make_response(page, status if status != 200 else 409)
    draft = letter.draft_of(meeting)
    made = letter.versions(meeting)
    shown = letter.version(meeting, number) if number else None
    text = shown.markdown if shown else draft.markdown if draft else ""
    settings = mail_settings()
    now = utcnow()
    page = render_template(
        "letter/chair.html",
        meeting=meeting,
        minutes=minutes,
        draft=draft,
        versions=made,
        shown=shown,
        paper=Markup(to_html(text)) if text else None,
        addressees=letter.addressees(meeting),
        left_out=letter.left_out(minutes),
        running=mail.running_header(meeting, shown, policy()),
        using_smtp=settings.using_smtp,
        outbox=settings.outbox,
        still_sending=any(
            d.result == DeliveryResult.PENDING and now - d.attempted_at < settings.lost_after
            for v in made
            for d in v.deliveries
        ),
        lost_after=settings.lost_after,
        now=now,
        **extra,
    )
    return make_response(page, status)


def _change(
    meeting: Meeting, key: str, change: Callable[[], Any]
) -> tuple[Any, BaseResponse | None]:
    """Make one change; on a refusal, answer with the page and the form as it was typed."""
    try:
        done = change()
        db.session.commit()
    except (Invalid, Refused) as problem:
        db.session.rollback()
        return None, letter_page(
            meeting, status=status_of(problem), **kept(key, request.form, problem)
        )
    except IntegrityError:
        db.session.rollback()
        same_moment = Refused(
            "The letter was changed or sent from elsewhere at the same moment, so nothing was "
            "saved. Check it and send yours again."
        )
        return None, letter_page(meeting, status=409, **kept(key, request.form, same_moment))
    return done, None


def _back(meeting: Meeting, anchor: str = "") -> BaseResponse:
    return redirect(url_for("letters.chair", meeting_id=meeting.id, _anchor=anchor or None))


@bp.route("")
@login_required
def chair(meeting_id):
    """Show the chair the letter to the young person: its draft and versions; its chair only."""
    return letter_page(chairs_meeting(meeting_id))


@bp.route("/<int:number>")
@login_required
def chair_version(meeting_id, number):
    """Show the chair one version of the letter as it was sent; the meeting's chair only."""
    return letter_page(chairs_meeting(meeting_id), number)


@bp.route("/first-draft", methods=["POST"])
@login_required
def first_draft(meeting_id):
    """Write the letter's first draft from the circulated minutes; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    based_on = request.form.get("based_on")
    _done, refused = _change(meeting, "first", lambda: letter.write_first_draft(meeting, based_on))
    return refused or _back(meeting, "letter")


@bp.route("", methods=["POST"])
@login_required
def edit(meeting_id):
    """Save the chair's edit of the letter, or save it and send it; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    form = request.form
    if form.get("intent") != "send":
        _done, refused = _change(meeting, "letter", lambda: letter.save(meeting, form))
        return refused or _back(meeting, "letter")
    delivery, refused = _change(meeting, "letter", lambda: letter.send(meeting, form))
    if refused:
        return refused
    _send_later([delivery.id])
    return _back(meeting, "versions")


@bp.route("/<int:number>/send-again", methods=["POST"])
@login_required
def send_again(meeting_id, number):
    """Send a version again to the person it went to (it did not arrive); the chair only."""
    meeting = chairs_meeting(meeting_id)
    made = letter.version(meeting, number)
    delivery, refused = _change(meeting, "resend", lambda: letter.queue(made))
    if refused:
        return refused
    _send_later([delivery.id])
    return _back(meeting, "versions")


@bp.route("/<int:number>.<any(md, docx):ext>")
@login_required
def version_file(meeting_id, number, ext):
    """Answer with a version of the letter as Markdown or Word; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    made = letter.version(meeting, number)
    if ext == "md":
        body, mimetype = made.markdown.encode("utf-8"), "text/markdown; charset=utf-8"
    else:
        body, mimetype = mail.word_copy(made, policy()), DOCX
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="letter-{meeting.id}-v{number}.{ext}"',
            "Cache-Control": "no-store",
        },
    )


def _send_later(ids: list[int]) -> None:
    """Send the queued attempts once the chair has the answer, outside the request."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    socketio.start_background_task(_deliver, app, ids, mail_settings(), policy())


def _deliver(app: Flask, ids: list[int], settings: MailSettings, rules: Policy) -> None:
    """Send queued attempts of the letter (a background task, with its own app context)."""
    with app.app_context():
        try:
            attempts = db.session.scalars(
                select(LetterDelivery).where(LetterDelivery.id.in_(ids)).order_by(LetterDelivery.id)
            )
            mail.deliver(list(attempts), settings, rules, db.session.commit)
            db.session.commit()
        except Exception:
            # Logged without the error's message, which may quote an address; the attempt
            # left pending shows as "Not known" once an attempt's longest time has passed.
            db.session.rollback()
            app.logger.exception("Sending the letter failed: attempts %s", ids)
