"""Links with a lifetime: the chair stops a display link or withdraws a reader link, reader
links run out, and the chair sees who opened what.

Each link is played as the person holding it would: the display's screen (its page, its
scene and its live connection), a recipient's browser (the page, every file, the form),
and the chair's own pages.
"""

import email
import email.policy
import re
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import settled, text_of
from playwright.sync_api import expect
from room import LIVE, Room
from story import circulate

from meeting.extensions import db
from meeting.models import (
    Attendee,
    Correction,
    EndedLink,
    Event,
    LinkOpening,
    MinutesVersion,
    utcnow,
)

DAYS = 30


@pytest.fixture
def app_environment() -> dict[str, str]:
    """Set reader links, as an operator would, to last 30 days (the app fixture reads this)."""
    return {"MEETING_READER_LINK_DAYS": str(DAYS)}


def rows(html: str) -> list[str]:
    """Return each person's row of a list or table."""
    return [m.group(0) for m in re.finditer(r"<(tr|li)\b.*?</\1>", html, re.S)]


def form_in(html: str, label: str, near: str = "") -> tuple[str, dict[str, str]]:
    """Return the action and hidden fields of the form whose button reads `label` (in the
    table row that mentions `near`)."""
    scope = html
    if near:
        scope = next(row for row in rows(html) if near in row)
    for action, inner in re.findall(
        r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', scope, re.S
    ):
        if f">{label}</button>" in inner:
            fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', inner)
            return action, dict(fields)
    raise AssertionError(f"no button {label!r}")


def local(app, moment, fmt: str) -> str:
    """Return a stored time as the pages show it, in the meeting's time zone."""
    return app.jinja_env.filters["localtime"](moment, fmt)


def press(client, page: str, label: str, near: str = ""):
    action, fields = form_in(page, label, near)
    return client.post(action, data=fields)


# The display link ------------------------------------------------------------------------


def test_a_stopped_display_link_shows_nothing_and_its_screens_are_closed(people, sio):
    priya = people.join_admitted("Priya Shah", "Police")
    people.start()
    old = people.display_token
    screen = people.app.test_client()
    shown = f"/display/meeting/{people.meeting_id}"
    assert screen.get(f"/display/{old}", follow_redirects=True).status_code == 200
    on_screen = sio(screen, screen=people.meeting_id)
    on_phone = sio(priya, meeting=people.meeting_id)
    at_chair = sio(people.chair, meeting=people.meeting_id)
    assert on_screen.is_connected() and on_phone.is_connected()

    page = people.chair.get(f"/meetings/{people.meeting_id}").text
    stopped = press(people.chair, page, "Stop this display link")
    assert stopped.status_code == 302
    assert stopped.headers["Location"].endswith(f"/meetings/{people.meeting_id}#display-link")

    # The screen showing the old link is closed; the phone and the chair's page are not.
    assert not on_screen.is_connected()
    assert on_phone.is_connected() and at_chair.is_connected()
    answer = screen.get(shown)
    assert answer.status_code == 410
    said = text_of(answer.text)
    assert "The chair stopped this display link" in said
    assert "ask the chair for the new display link" in said
    with people.app.app_context():
        meeting = people.meeting()
        secrets = [meeting.title, meeting.child, "Priya Shah", meeting.join_code, meeting.place]
    for secret in secrets:
        assert secret not in answer.text, secret
    # A live display that fetches its scene again is given the same words, and no more.
    scene = screen.get(f"{shown}/region/scene", headers={"HX-Request": "true"})
    assert scene.status_code == 410 and "The chair stopped this display link" in scene.text
    assert "Priya Shah" not in scene.text
    assert screen.get(f"{shown}/qr.svg").status_code == 410
    assert not sio(screen, screen=people.meeting_id).is_connected(), "nor can its cookie"
    assert not sio(screen, display=old).is_connected(), "the old link cannot connect again"
    assert screen.get(f"/display/{old}").status_code == 410, "nor be opened again"

    # The chair's page has the new link, which works and is live.
    new = people.display_token
    assert new != old
    page = people.chair.get(f"/meetings/{people.meeting_id}").text
    assert f'href="/display/{new}"' in page and f"/display/{old}" not in page
    assert screen.get(f"/display/{new}", follow_redirects=True).status_code == 200
    assert sio(screen, screen=people.meeting_id).is_connected()
    # Opened by the chair, logged in, the stopped link points to the new one.
    offered = people.chair.get(f"/display/{old}", follow_redirects=True)
    assert offered.status_code == 410 and f'href="/display/{new}"' in offered.text
    assert f"/display/{new}" not in answer.text

    events = text_of(people.chair.get(f"/meetings/{people.meeting_id}/events").text)
    assert "stopped the display link and made a new one" in events
    assert old not in events and new not in events


def test_a_screen_showing_a_stopped_link_says_so_at_once_in_chromium(live_server, browser):
    """The real display page, live in Chromium, goes blank the moment the chair stops it."""
    room = Room.first_chair(live_server.url, browser, live_server.setup_code)
    room.new_meeting({"title": "Risk of exploitation", "body": "Concerns", "scale": "safety"})
    room.join("Priya Shah", "Police")
    room.start()
    screen = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    screen.goto(room.display_url)
    expect(screen.locator("#connection")).to_have_text("Live", timeout=LIVE)
    expect(screen.locator("body")).to_contain_text("Risk of exploitation")

    chair = room.chair.context.new_page()
    chair.goto(f"/meetings/{room.meeting_id}")
    chair.once("dialog", lambda dialog: dialog.accept())
    chair.get_by_role("button", name="Stop this display link").click()
    expect(chair.locator("#flash")).to_contain_text("The display link is stopped")

    expect(screen.get_by_role("heading", name="The chair stopped this display link")).to_be_visible(
        timeout=LIVE
    )
    for secret in ("Risk of exploitation", "A.B.", "Priya Shah", room.join_code):
        expect(screen.locator("body")).not_to_contain_text(secret)
    # The chair's page shows the new link, and it opens the meeting live.
    screen.goto(room.display_url)
    expect(screen.locator("#connection")).to_have_text("Live", timeout=LIVE)
    expect(screen.locator("body")).to_contain_text("Risk of exploitation")


def test_stopping_from_a_page_drawn_before_the_last_stop_leaves_the_new_link_alone(people):
    """Two windows, or one pressed twice: the link shown is stopped once, the new one stays."""
    people.start()
    page = people.chair.get(f"/meetings/{people.meeting_id}").text
    action, fields = form_in(page, "Stop this display link")
    assert people.chair.post(action, data=fields).status_code == 302
    new = people.display_token
    # The same form again, from the other window (its own one-time token).
    fields["once"] = "another-window"
    again = people.chair.post(action, data=fields, follow_redirects=True)
    assert "That display link was already stopped" in text_of(again.text)
    assert people.display_token == new
    assert people.app.test_client().get(f"/display/{new}", follow_redirects=True).status_code == 200
    with people.app.app_context():
        assert db.session.query(EndedLink).count() == 1


def test_only_the_chair_stops_a_display_link_and_not_once_the_meeting_closed(people):
    device = people.join_admitted("Priya Shah", "Police")
    page = people.chair.get(f"/meetings/{people.meeting_id}").text
    action, fields = form_in(page, "Stop this display link")
    # Her own page's token, as her browser sends: the chair's is not hers to have.
    hers = {k: v for k, v in fields.items() if k != "csrf_token"}
    assert device.post(action, data=hers).status_code == 403
    assert (
        people.app.test_client()
        .get(f"/display/{people.display_token}", follow_redirects=True)
        .status_code
        == 200
    )
    people.start()
    assert people.chair.post(f"/meetings/{people.meeting_id}/close").status_code == 302
    closed = people.chair.post(action, data=fields)
    assert closed.status_code == 409 and "closed" in text_of(closed.text)


# Reader links ----------------------------------------------------------------------------


def minutes_url(story, tail: str = "") -> str:
    return f"/meetings/{story.people.meeting_id}/minutes{tail}"


def the_readers_panel(story) -> str:
    page = story.people.chair.get(minutes_url(story)).text
    return re.search(r'<section class="panel" id="readers".*?</section>', page, re.S).group(0)


def row_of(panel: str, name: str) -> str:
    return text_of(next(r for r in rows(panel) if name in r))


def refused_everywhere(client, token: str, own: str, why: str) -> None:
    """Every page, file and form behind a reader link answers 410, saying `why`, and no more:
    the link itself, and its own address `own` in a browser that opened it while it worked."""
    assert client.get(f"/minutes/{token}").status_code == 410
    assert client.get_cookie("meeting_reader", path=own) is not None
    for path in ("", "/1", "/1.docx", "/1.md"):
        answer = client.get(f"{own}{path}")
        assert answer.status_code == 410, path
        said = text_of(answer.get_data(as_text=True))
        assert why in said, path
        assert "Ask the chair of the meeting for a new link: Sam Chair" in said
        assert "chair@example.org" in said
        for secret in ("Review for A.B.", "A.B.", "Priya Shah", "Police", "Version 1"):
            assert secret not in said, (path, secret)
    typed = "My rating reason should read: missing three times"
    asked = client.post(f"{own}/corrections", data={"section": "general", "text": typed})
    assert asked.status_code == 410
    assert why in text_of(asked.text)
    assert typed in asked.text, "what they typed is given back, to send another way"


def test_a_withdrawn_reader_link_opens_nothing_and_a_new_one_works(story, app):
    assert circulate(story.people).status_code == 302
    old = story.reader_token("Priya Shah")
    reader = app.test_client()
    assert reader.get(f"/minutes/{old}", follow_redirects=True).status_code == 200
    priya = f"/minutes/read/{story.people.attendee_id('Priya Shah')}"
    assert reader.get(f"{priya}/1.docx").status_code == 200

    panel = the_readers_panel(story)
    until = local(app, utcnow() + timedelta(days=DAYS), "%-d %b %Y")
    assert f"Works until {until}" in row_of(panel, "Priya")
    withdrawn = press(story.people.chair, panel, "Withdraw link", near="Priya Shah")
    assert withdrawn.status_code == 302
    assert withdrawn.headers["Location"].endswith("#readers")

    refused_everywhere(reader, old, priya, "This link to the minutes was withdrawn")
    with app.app_context():
        assert db.session.query(Attendee).filter_by(reader_token=old).count() == 0
        assert db.session.query(Correction).count() == 0
    panel = the_readers_panel(story)
    assert "Withdrawn" in row_of(panel, "Priya Shah")
    assert "Works until" in row_of(panel, "Ms Reid"), "nobody else's link changed"
    assert (
        story.people.app.test_client()
        .get(f"/minutes/{story.reader_token('Ms Reid')}", follow_redirects=True)
        .status_code
        == 200
    )
    # Her own device, still in the meeting, no longer offers the minutes.
    device = text_of(story.devices["Priya Shah"].get(f"/m/{story.people.meeting_id}").text)
    assert "The chair withdrew your link to the minutes: ask the chair for a new one" in device

    outbox = Path(app.instance_path) / "outbox"
    before = set(outbox.glob("*.eml"))
    sent = press(story.people.chair, panel, "Send a new link", near="Priya Shah")
    assert sent.status_code == 302
    settled(app)
    new = story.reader_token("Priya Shah")
    assert new and new != old
    (message,) = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in set(outbox.glob("*.eml")) - before
    ]
    assert "priya@police.example" in str(message["To"])
    body = message.get_body(("plain",)).get_content()
    assert f"/minutes/{new}" in body and old not in body
    assert "Version 1" in text_of(reader.get(f"/minutes/{new}", follow_redirects=True).text)
    assert reader.get(f"{priya}/1.docx").status_code == 200
    assert reader.get(f"/minutes/{old}", follow_redirects=True).status_code == 410, (
        "the old link stays withdrawn"
    )
    assert "Works until" in row_of(the_readers_panel(story), "Priya Shah")

    events = text_of(story.people.chair.get(f"/meetings/{story.people.meeting_id}/events").text)
    assert "withdrew Priya Shah's link to the minutes" in events
    assert "gave Priya Shah a new link to the minutes" in events
    assert old not in events and new not in events


def test_an_expired_reader_link_says_when_and_whom_to_ask(story, app):
    assert circulate(story.people).status_code == 302
    token = story.reader_token("Priya Shah")
    reader = app.test_client()
    assert reader.get(f"/minutes/{token}", follow_redirects=True).status_code == 200
    issued = utcnow() - timedelta(days=DAYS, minutes=1)
    with app.app_context():
        person = db.session.query(Attendee).filter_by(reader_token=token).one()
        person.reader_issued_at = issued
        # Ms Reid's was sent a minute short of the limit: it still works.
        db.session.query(Attendee).filter_by(name="Ms Reid").one().reader_issued_at = (
            utcnow() - timedelta(days=DAYS) + timedelta(minutes=1)
        )
        db.session.commit()
    ended = issued + timedelta(days=DAYS)
    priya = f"/minutes/read/{story.people.attendee_id('Priya Shah')}"
    refused_everywhere(reader, token, priya, "This link to the minutes has expired")
    said = text_of(reader.get(f"/minutes/{token}", follow_redirects=True).text)
    day = local(app, ended, "%A %-d %B %Y")
    assert f"It expired on {day}" in said
    assert f"a link to minutes works for {DAYS} days from when it was sent" in said
    assert (
        reader.get(f"/minutes/{story.reader_token('Ms Reid')}", follow_redirects=True).status_code
        == 200
    )

    panel = the_readers_panel(story)
    assert f"Expired {local(app, ended, '%-d %b %Y')}" in row_of(panel, "Priya Shah")
    assert f"Each person's link works for {DAYS} days" in text_of(panel)
    press(story.people.chair, panel, "Send a new link", near="Priya Shah")
    settled(app)
    new = story.reader_token("Priya Shah")
    assert new != token
    assert reader.get(f"/minutes/{new}", follow_redirects=True).status_code == 200
    # The old link goes on saying it expired, and when.
    assert f"It expired on {day}" in text_of(
        reader.get(f"/minutes/{token}", follow_redirects=True).text
    )


def test_a_later_send_to_everyone_leaves_out_a_withdrawn_link(story, app):
    """Sending again to all who did not get it does not quietly undo a withdrawal."""
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=9, SMTP_STARTTLS=False, SMTP_TIMEOUT=1)
    assert circulate(story.people).status_code == 302
    panel = the_readers_panel(story)
    press(story.people.chair, panel, "Withdraw link", near="Priya Shah")
    page = story.people.chair.get(minutes_url(story)).text
    press(story.people.chair, page, "Send again to all 5 not delivered")
    settled(app)
    assert story.reader_token("Priya Shah") is None
    with app.app_context():
        made = db.session.query(MinutesVersion).one()
        to = [d.attendee.name for d in made.deliveries]
    assert to.count("Priya Shah") == 1 and to.count("Ms Reid") == 2


def test_a_new_link_goes_only_to_someone_the_minutes_go_to(people):
    people.join("Mallory Quinn", "Unknown")
    mallory = people.attendee_id("Mallory Quinn")
    turned_away = f"/meetings/{people.meeting_id}/people/{mallory}/turn-away"
    assert people.chair.post(turned_away).status_code == 302
    people.start()
    assert people.chair.post(f"/meetings/{people.meeting_id}/close").status_code == 302
    minutes = f"/meetings/{people.meeting_id}/minutes"
    assert circulate(people).status_code == 302
    refused = people.chair.post(f"{minutes}/recipients/{mallory}/new-link")
    assert refused.status_code == 409
    assert "Mallory Quinn is not among the people the minutes go to" in text_of(refused.text)
    with people.app.app_context():
        assert db.session.get(Attendee, mallory).reader_token is None


# Who opened what -------------------------------------------------------------------------


def test_the_chair_sees_who_opened_what_and_when(story, app):
    screen = app.test_client()
    with app.app_context():
        display = story.people.meeting().display_token
    assert screen.get(f"/display/{display}", follow_redirects=True).status_code == 410, (
        "closed: not counted"
    )
    assert circulate(story.people).status_code == 302
    panel = the_readers_panel(story)
    assert row_of(panel, "Priya Shah").endswith("Not opened")

    token = story.reader_token("Priya Shah")
    reader = app.test_client()
    assert reader.get(f"/minutes/{token}", follow_redirects=True).status_code == 200
    priya = f"/minutes/read/{story.people.attendee_id('Priya Shah')}"
    assert reader.get(f"{priya}/1").status_code == 200
    assert reader.get(f"{priya}/1.docx").status_code == 200
    # The chair following a recipient's link, logged in, is not that person reading it.
    assert (
        story.people.chair.get(
            f"/minutes/{story.reader_token('Ms Reid')}", follow_redirects=True
        ).status_code
        == 200
    )

    panel = the_readers_panel(story)
    priya = row_of(panel, "Priya Shah")
    assert "Opened 3 times" in priya and "version 1, version 1 (.docx)." in priya
    with app.app_context():
        times = [o.opened_at for o in db.session.query(LinkOpening).order_by(LinkOpening.id)]
    assert f"first {local(app, times[0], '%H:%M %-d %b')}" in priya
    assert f"last {local(app, times[-1], '%H:%M %-d %b')}" in priya
    assert row_of(panel, "Ms Reid").endswith("Not opened")
    assert row_of(panel, "Dr Lee").endswith("Not opened")
    with app.app_context():
        kept = db.session.query(LinkOpening.what).all()
    assert all(token not in what for (what,) in kept), "no secret is kept with an opening"


def test_the_display_link_opened_during_the_meeting_is_counted(people):
    people.start()
    screen = people.app.test_client()
    link = f"/display/{people.display_token}"
    screen.get(link, follow_redirects=True)
    screen.get(f"/display/meeting/{people.meeting_id}")
    # Its scene fetched again by a live page is the same opening, not another.
    screen.get(f"/display/meeting/{people.meeting_id}/region/scene", headers={"HX-Request": "true"})
    assert people.chair.post(f"/meetings/{people.meeting_id}/close").status_code == 302
    closed = screen.get(link, follow_redirects=True)
    assert closed.status_code == 410, "a closed meeting's link shows nothing"
    minutes = f"/meetings/{people.meeting_id}/minutes"
    assert circulate(people).status_code == 302
    assert "The display link was opened 2 times" in text_of(people.chair.get(minutes).text)


# The schema ------------------------------------------------------------------------------


def test_links_made_before_they_had_a_lifetime_count_from_the_first_circulation(story, app):
    from flask_migrate import downgrade, upgrade

    from meeting.database import MIGRATIONS

    assert circulate(story.people).status_code == 302
    with app.app_context():
        circulated = db.session.query(MinutesVersion).one().circulated_at
        db.session.remove()
        downgrade(directory=str(MIGRATIONS), revision="0003")
        upgrade(directory=str(MIGRATIONS))
        issued = {
            a.name: a.reader_issued_at
            for a in db.session.query(Attendee).filter(Attendee.reader_token.is_not(None))
        }
        assert db.session.query(Event).count() > 0
    assert len(issued) == 5 and set(issued.values()) == {circulated}
