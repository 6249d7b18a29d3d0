"""The young person's own words on the web: their page for giving them, their work fetched
by the people in the meeting (and by the display, once the chair shows it), and the
chair's choice to show it."""

from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from ..errors import Forbidden, Invalid
from ..extensions import db
from ..models import Item, Meeting, MeetingStatus, OwnWork, Part
from ..pages.access import (
    chairs_meeting,
    get_meeting,
    login_required,
    owned,
    shown_meeting,
    viewer_for,
)
from ..pages.forms import chair_change
from . import own, uploads

bp = Blueprint("words", __name__)


def _giver(meeting: Meeting):
    viewer = viewer_for(meeting)
    if viewer is None or not own.gives(viewer.attendee):
        raise Forbidden(own.NOT_YOURS)
    return viewer.attendee


def _page(meeting: Meeting, attendee, status: int = 200, **kept):
    return (
        render_template(
            "words/page.html",
            meeting=meeting,
            attendee=attendee,
            for_them=Part(attendee.part) == Part.ADVOCATE,
            mine={i.id: own.words_of(i, attendee) for i in meeting.items},
            limit=uploads.megabytes(uploads.LIMIT),
            **kept,
        ),
        status,
    )


@bp.route("/m/<int:meeting_id>/words")
def page(meeting_id):
    """Answer the young person's page for their own words; them or their advocate."""
    meeting = get_meeting(meeting_id)
    return _page(meeting, _giver(meeting))


@bp.route("/m/<int:meeting_id>/words/<int:item_id>", methods=["POST"])
def give(meeting_id, item_id):
    """Keep the young person's words and attached work on an item; them or their advocate.

    A file that is refused refuses the whole form: nothing is kept, and the page comes
    back with the words as typed and the problem named.
    """
    meeting = get_meeting(meeting_id)
    attendee = _giver(meeting)
    item = owned(Item, meeting, item_id, lambda i: i.meeting_id)
    if item.restricted:
        # Restricted from the family, whose side they are on: as if there were no such item.
        abort(404)
    sent = request.files.get("work")
    try:
        own.give_words(item, attendee, request.form.get("words", ""))
        if sent is not None and sent.filename:
            checked = uploads.check(sent.filename, sent.read(uploads.LIMIT + 1))
            own.attach(meeting, item, attendee, checked)
        db.session.commit()
    except Invalid as invalid:
        db.session.rollback()
        kept = {"kept_item": item.id, "kept_form": request.form, "kept_errors": invalid.errors}
        return _page(meeting, attendee, 422, **kept)
    flash(f"Kept: what you gave on “{item.title}”. You can change it until the meeting ends.")
    return redirect(url_for("words.page", meeting_id=meeting.id) + f"#words-{item.id}")


def _work_file(work: OwnWork) -> Response:
    """Answer with a piece of work as the bytes it is, never as a page of this site."""
    response = Response(work.data, mimetype=work.media_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Even opened on its own, it runs nothing and reaches nothing of the meeting's pages.
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    disposition = "inline" if work.is_image else "attachment"
    response.headers["Content-Disposition"] = _disposition(disposition, work)
    return response


def _disposition(kind: str, work: OwnWork) -> str:
    plain = "".join(c if c.isascii() and c.isalnum() or c in "._- " else "_" for c in work.name)
    return f"{kind}; filename=\"{plain}\"; filename*=UTF-8''{quote(work.name)}"


@bp.route("/m/<int:meeting_id>/work/<int:work_id>")
def work(meeting_id, work_id):
    """Answer a piece of the young person's work; the chair or an admitted attendee."""
    meeting = get_meeting(meeting_id)
    if viewer_for(meeting) is None:
        raise Forbidden("Only people the chair has admitted can see this meeting.")
    return _work_file(owned(OwnWork, meeting, work_id, lambda w: w.meeting_id))


@bp.route("/display/meeting/<int:meeting_id>/work/<int:work_id>")
def display_work(meeting_id, work_id):
    """Answer a piece of work the chair put on the display; a browser that opened its link."""
    meeting = shown_meeting(meeting_id)
    found = db.session.get(OwnWork, work_id)
    if meeting.status == MeetingStatus.CLOSED or found is None or found.meeting_id != meeting.id:
        abort(404)
    if not found.on_display:
        abort(404)
    return _work_file(found)


@bp.route("/meetings/<int:meeting_id>/work/<int:work_id>/screen", methods=["POST"])
@login_required
def screen(meeting_id, work_id):
    """Put a piece of the young person's work on the display, or take it off; the chair."""
    meeting = chairs_meeting(meeting_id)
    found = owned(OwnWork, meeting, work_id, lambda w: w.meeting_id)
    shown = request.form.get("show") == "yes"
    return chair_change(meeting, "screen", lambda: own.show(found, shown), anchor="#stage")
