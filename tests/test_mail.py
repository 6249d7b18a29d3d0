"""Circulation, correction and recirculation against a real SMTP server on loopback; a mail
server that never answers; and sending cut off part way."""

import email
import email.policy
import re
import socket
import threading
import time
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from conftest import free_port, settled, text_of
from story import DECISION_ONE, circulate

import minutes
from meeting.extensions import db
from meeting.models import Correction, Delivery, DeliveryResult, MinutesVersion, utcnow
from meeting.settings import mail_settings


class Inbox:
    """An SMTP handler that keeps what it is sent and refuses the addresses it is told to."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in str(m["To"])]


@pytest.fixture
def smtp(app):
    """A real SMTP server on a loopback port the app is set to use (not started yet)."""
    inbox = Inbox()
    port = free_port()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_STARTTLS=False, SMTP_TIMEOUT=5)
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    yield inbox, controller
    if getattr(controller, "_thread", None) is not None:
        controller.stop()


@pytest.fixture
def silent_smtp(app):
    """A mail server on loopback that takes every connection and never says a word.

    The app waits 1 s for an answer. Yields its "host:port" and the connections it took.
    """
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    taken: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                taken.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    host, port = listener.getsockname()
    app.config.update(SMTP_HOST=host, SMTP_PORT=port, SMTP_STARTTLS=False, SMTP_TIMEOUT=1)
    yield f"{host}:{port}", taken
    stop.set()
    thread.join()
    for connection in taken:
        connection.close()
    listener.close()


def press(chair, page: str, label: str, near: str = ""):
    """Submit the form whose button reads `label` (in the row that mentions `near`)."""
    forms = re.findall(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', page, re.S)
    for action, inner in forms:
        if label in inner:
            return chair.post(action)
    raise AssertionError(f"no button {label!r}")


def test_circulate_correct_and_recirculate_through_a_real_smtp_server(story, smtp, app):
    inbox, server = smtp
    chair = story.people.chair
    url = f"/meetings/{story.people.meeting_id}/minutes"
    everyone = [
        "chair@example.org",
        "lee@nhs.example",
        "priya@police.example",
        "reid@school.example",
        "brown@home.example",
    ]

    # The mail server is down: every delivery fails, and version 1 is frozen all the same.
    response = circulate(story.people, wait=False)
    assert response.status_code == 302
    assert set(settled(app).values()) == {"failed"}
    page = chair.get(url).text
    assert text_of(page).count("Could not reach the mail server at 127.0.0.1") == 5
    with app.app_context():
        first = db.session.query(MinutesVersion).one()
        assert first.circulated_at is not None
        digest_one = first.digest

    # The server comes up but refuses one address: that failure is reported for her alone.
    server.start()
    inbox.refuse.add("reid@school.example")
    press(chair, page, "Send again to all 5 not delivered")
    assert settled(app)["reid@school.example"] == "refused"
    assert {settled(app)[a] for a in everyone if "reid" not in a} == {"sent"}
    assert len(inbox.messages) == 4
    page = chair.get(url).text
    assert "550 5.1.1 Mailbox unavailable" in text_of(page)

    inbox.refuse.clear()
    press(chair, page, "Send again")
    assert settled(app)["reid@school.example"] == "sent"
    assert len(inbox.to("reid@school.example")) == 1

    message = inbox.to("priya@police.example")[0]
    assert message["Subject"].startswith("Minutes, version 1: Review for A.B.")
    names = sorted(part.get_filename() for part in message.iter_attachments())
    assert names == [f"minutes-{story.people.meeting_id}-v1.{e}" for e in ("docx", "md")]
    markdown = next(p for p in message.iter_attachments() if p.get_filename().endswith(".md"))
    assert DECISION_ONE["text"] in markdown.get_content()
    assert minutes.verify(markdown.get_content())
    body = message.get_body(("plain",)).get_content()
    link = re.search(r"http://localhost(/minutes/\S+)", body).group(1)

    # Priya follows her link from another device and asks for a correction; so does Ms Reid.
    reader = app.test_client()
    opened = reader.get(link, follow_redirects=True)
    assert "Version 1" in text_of(opened.text)
    wanted = "My rating reason should read: missing three times this month"
    asked = reader.post(
        f"{opened.request.path}/corrections", data={"section": "item-1", "text": wanted}
    )
    assert asked.status_code == 302
    reid_link = re.search(
        r"http://localhost(/minutes/\S+)",
        inbox.to("reid@school.example")[0].get_body(("plain",)).get_content(),
    ).group(1)
    reid = app.test_client()
    reid_page = reid.get(reid_link, follow_redirects=True).request.path
    reid.post(f"{reid_page}/corrections", data={"section": "general", "text": "Remove my dissent"})

    page = chair.get(url).text
    assert wanted in page and "Remove my dissent" in page
    refused = press(chair, page, "Decline")
    assert refused.status_code == 422
    assert "Give a reason for declining it" in text_of(refused.text)
    with app.app_context():
        asked_by = {c.attendee.name: c.id for c in db.session.query(Correction).all()}
    chair.post(
        f"{url}/corrections/{asked_by['Ms Reid']}",
        data={"outcome": "decline", "answer": "A dissent stays in the record as spoken"},
    )
    chair.post(
        f"{url}/corrections/{asked_by['Priya Shah']}",
        data={"outcome": "accept", "answer": "Police records confirm it"},
    )
    again = chair.post(
        f"{url}/corrections/{asked_by['Priya Shah']}", data={"outcome": "accept", "answer": "x"}
    )
    assert again.status_code == 409 and "already accepted" in text_of(again.text)

    with app.app_context():
        made = db.session.query(MinutesVersion).order_by(MinutesVersion.number).all()
        assert [v.number for v in made] == [1, 2]
        assert made[0].digest == digest_one and made[1].digest != digest_one
        assert made[1].circulated_at is None
    second = chair.get(f"{url}/2.md").get_data(as_text=True)
    assert "Version 2, corrections from Priya Shah (Police)" in second
    assert wanted in second and "accepted in version 2" in second
    assert "Police records confirm it" in second
    assert "Remove my dissent" in second and "A dissent stays in the record as spoken" in second
    assert minutes.verify(second)
    # Version 1 is unchanged and still readable, by the chair and through the links.
    first_text = chair.get(f"{url}/1.md").get_data(as_text=True)
    assert wanted not in first_text and f"SHA-256 {digest_one}" in first_text
    assert digest_one in reader.get(link, follow_redirects=True).text

    before = len(inbox.messages)
    press(chair, chair.get(url).text, "Circulate version 2")
    settled(app)
    assert len(inbox.messages) == before + 5
    resent = inbox.to("priya@police.example")[-1]
    assert resent["Subject"].startswith("Minutes, version 2")
    assert (
        "Version 2 carries corrections from Priya Shah (Police)"
        in resent.get_body(("plain",)).get_content()
    )
    assert "Version 2" in text_of(reader.get(link, follow_redirects=True).text)
    assert "accepted, in version 2" in text_of(reader.get(link, follow_redirects=True).text)

    events = text_of(chair.get(f"/meetings/{story.people.meeting_id}/events").text)
    assert "sent version 1 of the minutes: 0 of 5 delivered" in events
    assert "accepted correction" in events and "declined correction" in events
    assert "circulated version 2" in events


def test_a_mail_server_that_never_answers_holds_up_no_page_and_costs_one_wait(
    story, silent_smtp, app
):
    where, taken = silent_smtp
    timeout = app.config["SMTP_TIMEOUT"]
    chair = story.people.chair
    url = f"/meetings/{story.people.meeting_id}/minutes"

    started = time.monotonic()
    response = circulate(story.people, wait=False)
    answered = time.monotonic() - started
    # The chair has the answer before the mail server could have let down even one person.
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{url}#deliveries")
    assert answered < timeout
    page = text_of(chair.get(url).text)
    assert page.count("Sending…") == 5
    assert "Send again" not in page
    with app.app_context():
        assert db.session.query(MinutesVersion).one().circulated_at is not None

    assert set(settled(app, within=10 * timeout).values()) == {DeliveryResult.FAILED}
    finished = time.monotonic() - started
    # One wait for the silent server, for everyone: not one wait per recipient (five).
    assert finished < 3 * timeout
    assert len(taken) == 1
    page = text_of(chair.get(url).text)
    why = f"Could not reach the mail server at {where}: it did not answer within 1 s"
    assert page.count(why) == 5
    assert "Sending…" not in page and "Send again to all 5 not delivered" in page
    events = text_of(chair.get(f"/meetings/{story.people.meeting_id}/events").text)
    assert "circulated version 1" in events
    assert "sent version 1 of the minutes: 0 of 5 delivered" in events


def deliveries_fragment(story):
    return story.people.chair.get(
        f"/meetings/{story.people.meeting_id}/minutes/deliveries", headers={"HX-Request": "true"}
    )


def test_the_deliveries_list_fetches_itself_again_only_while_sending(story, silent_smtp, app):
    chair = story.people.chair
    url = f"/meetings/{story.people.meeting_id}/minutes"
    circulate(story.people, wait=False)
    sending = deliveries_fragment(story)
    assert sending.status_code == 200 and "Sending…" in sending.text
    assert 'hx-trigger="every 1s"' in sending.text
    assert f'hx-get="{url}/deliveries"' in sending.text
    assert sending.headers["Cache-Control"] == "no-store"
    # A second press while the first is on its way sends nobody a second copy.
    assert chair.post(f"{url}/1/resend").status_code == 302
    with app.app_context():
        assert db.session.query(Delivery).count() == 5
    # Opened as a page (no JavaScript, or Back and Forward), it is the whole page.
    whole = chair.get(f"{url}/deliveries")
    assert whole.status_code == 302 and whole.headers["Location"].endswith(f"{url}#deliveries")
    page = chair.get(url).text
    assert 'hx-trigger="every 1s"' in page

    settled(app, within=10 * app.config["SMTP_TIMEOUT"])
    done = deliveries_fragment(story)
    assert "Not sent" in text_of(done.text) and "Sending…" not in done.text
    assert "hx-trigger" not in done.text and "hx-get" not in done.text
    assert "hx-trigger" not in chair.get(url).text


def test_a_copy_whose_sending_was_cut_off_is_not_left_sending(story, smtp, app):
    """The server stopped while sending (a restart): the copy is not known to have gone."""
    inbox, server = smtp
    server.start()
    chair = story.people.chair
    url = f"/meetings/{story.people.meeting_id}/minutes"
    circulate(story.people)
    with app.app_context():
        lost_after = mail_settings().lost_after
        cut_off = db.session.query(Delivery).filter_by(email="brown@home.example").one()
        # As a sender that stopped long ago leaves it: pending, not taken up since.
        cut_off.result = DeliveryResult.PENDING
        cut_off.detail = ""
        cut_off.attempted_at = utcnow() - lost_after - timedelta(seconds=1)
        db.session.commit()

    page = chair.get(url).text
    assert "Sending…" not in page and "hx-trigger" not in page
    row = re.search(r'<tr class="result-lost">.*?</tr>', page, re.S).group(0)
    assert "brown@home.example" in row and "Not known" in text_of(row)
    assert "it may or may not have arrived" in text_of(row)
    press(chair, row, "Send again")
    assert settled(app)["brown@home.example"] == DeliveryResult.SENT
    assert len(inbox.to("brown@home.example")) == 2
