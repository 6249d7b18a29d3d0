"""Circulating the minutes: queue a version for its recipients, send it in the background,
and list where each copy stands; the chair sends again to one person or to all not reached."""

from typing import Any

from flask import Blueprint, Flask, current_app, flash, redirect, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

import minutes

from ..errors import Refused
from ..extensions import db, socketio
from ..models import Attendee, Delivery, Meeting, MinutesVersion, utcnow
from ..pages.access import chairs_meeting, login_required, owned
from ..pages.links import public_url
from ..pages.regions import partial
from ..policy import Policy
from ..settings import mail_settings, policy
from . import mail, reader_links, recipients, versions
from .transport import MailSettings

bp = Blueprint("delivery", __name__, url_prefix="/meetings/<int:meeting_id>/minutes")


def _link_for(person: Attendee) -> str:
    return public_url("reading.link", token=person.reader_token)


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


@bp.route("/deliveries")
@login_required
def deliveries(meeting_id):
    """Answer the deliveries list (polled while copies are on their way); the chair only."""
    meeting = chairs_meeting(meeting_id)
    versions.require_closed(meeting)
    return partial(
        "minutes/_deliveries.html",
        url_for("circulation.chair", meeting_id=meeting.id, _anchor="deliveries"),
        lambda: deliveries_context(meeting, versions.versions(meeting)),
    )


def circulate(meeting: Meeting, made: MinutesVersion) -> BaseResponse:
    """Mark a version circulated and send it to everyone the minutes go to."""
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
    """Circulate the newest version, not yet circulated, to all; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    made = versions.version(meeting, number)
    newest = versions.latest(meeting)
    if made.circulated_at is not None or made is not newest:
        raise Refused(
            f"Version {number} has already been circulated, or a later version replaced it. "
            "Send it again to one person from the deliveries list instead."
        )
    return circulate(meeting, made)


@bp.route("/deliveries/<int:delivery_id>/resend", methods=["POST"])
@login_required
def resend(meeting_id, delivery_id):
    """Send a version again to one recipient, anew; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    delivery = owned(Delivery, meeting, delivery_id, lambda d: d.version.meeting_id)
    return _send(meeting, delivery.version, [delivery.attendee], anew=True)


@bp.route("/<int:number>/resend", methods=["POST"])
@login_required
def resend_undelivered(meeting_id, number):
    """Send a version again to everyone it did not reach; the meeting's chair only."""
    meeting = chairs_meeting(meeting_id)
    made = versions.version(meeting, number)
    return _send(meeting, made, [d.attendee for d in recipients.undelivered(made)])


@bp.route("/recipients/<int:attendee_id>/new-link", methods=["POST"])
@login_required
def new_link(meeting_id, attendee_id):
    """Send a recipient a new link to the circulated minutes; the meeting's chair only."""
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
