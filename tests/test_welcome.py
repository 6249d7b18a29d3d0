"""Welcome back at a review: the people of the last meeting join its review with one tap,
from the device they used then or from the invitation the chair emailed them; a stranger's
device, or one that joined another child's case, is offered no one; and a review brought
forward by a trigger is proposed for now, naming the trigger.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

import holidays
import pytest
from conftest import SAFETY_ITEM, People, log_in, make_chair, make_meeting, text_of, until
from flask.testing import FlaskClient
from room import PHONE, Room, shot
from sqlalchemy import select
from test_mail import smtp  # noqa: F401  (a fixture)

from meeting.extensions import db
from meeting.models import Attendee, DeliveryResult, Event, Invitation, Meeting

DEVICE = "meeting_device"
ANA = {
    "part": "professional",
    "name": "Ana Silva",
    "role": "Social worker",
    "agency": "Children's social care",
    "email": "ana@council.example",
}
MARIA = {"part": "parent", "name": "Maria Silva", "role": "Mum", "email": "maria@home.example"}
# Maria's partner, on the family's tablet after her, with no email address.
JOE = {"part": "parent", "name": "Joe Silva", "role": "Dad"}
# Someone on the tablet the chair did not let in.
CALLER = {"part": "family", "name": "Unknown Caller", "role": "Cousin"}
ANA_BUTTON = "Join as Ana Silva — Social worker, Children's social care"


@dataclass
class Case:
    """A first meeting of K.M.'s case, held and closed, and its review in set-up."""

    app: object
    chair: FlaskClient
    first: int
    review: int
    devices: dict[str, FlaskClient]

    def code(self, meeting_id: int) -> str:
        return People(self.app, self.chair, meeting_id).code

    def earlier(self, name: str) -> Attendee:
        """Who someone was at the first meeting (in an app context)."""
        return db.session.scalar(
            select(Attendee).where(Attendee.meeting_id == self.first, Attendee.name == name)
        )

    def earlier_id(self, name: str) -> int:
        with self.app.app_context():
            return self.earlier(name).id

    def join_page(self, device: FlaskClient, meeting_id: int | None = None) -> str:
        answer = device.get(f"/join/{self.code(meeting_id or self.review)}")
        assert answer.status_code == 200, answer.status_code
        return answer.text


def join(device: FlaskClient, code: str, details: dict) -> None:
    answer = device.post(f"/join/{code}", data=details)
    assert answer.status_code == 302, answer.text


def same_device(app, device: FlaskClient) -> FlaskClient:
    """The same device with its browser's session cleared: the device's cookie stays."""
    again = app.test_client()
    kept = device.get_cookie(DEVICE, path="/join/")
    again.set_cookie(DEVICE, kept.value, path="/join/")
    return again


@pytest.fixture
def case(app) -> Case:
    make_chair(app)
    chair = log_in(app)
    first = make_meeting(chair, SAFETY_ITEM, title="Initial conference", child="K.M.")
    people = People(app, chair, first)
    devices = {"ana": app.test_client(), "tablet": app.test_client()}
    join(devices["ana"], people.code, ANA)
    join(devices["tablet"], people.code, MARIA)
    join(same_device(app, devices["tablet"]), people.code, JOE)
    join(same_device(app, devices["tablet"]), people.code, CALLER)
    for name in ("Ana Silva", "Maria Silva", "Joe Silva"):
        people.admit(name)
    turned = f"/meetings/{first}/people/{people.attendee_id('Unknown Caller')}/turn-away"
    assert chair.post(turned).status_code == 302
    people.start()
    assert chair.post(f"/meetings/{first}/close").status_code == 302
    page = chair.get(f"/meetings/new?review_of={first}").text
    form = dict(re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', page))
    form.pop("csrf_token", None)
    made = chair.post("/meetings/new", data={**form, "kind": "other", "chair_role": "IRO"})
    assert made.status_code == 302, made.text
    review = int(re.search(r"/meetings/(\d+)", made.headers["Location"]).group(1))
    return Case(app, chair, first, review, devices)


def waiting_list(case: Case) -> str:
    page = case.chair.get(f"/meetings/{case.review}").text
    return text_of(re.search(r"Waiting to join.*?</ul>", page, re.S).group(0))


def test_a_returning_person_joins_the_review_with_one_tap(case, app):
    ana = case.devices["ana"]
    cookie = ana.get_cookie(DEVICE, path="/join/")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    assert cookie.expires is not None and cookie.expires.date() >= date.today() + timedelta(300)
    with app.app_context():
        earlier = case.earlier("Ana Silva")
        # The device's token is never stored, nor anything of the person in its cookie.
        assert earlier.device_digest and cookie.value not in earlier.device_digest
    assert "Ana Silva" not in cookie.value and str(case.earlier_id("Ana Silva")) != cookie.value

    page = case.join_page(ana)
    shown = text_of(page)
    assert re.search(f"Welcome back .*? {ANA_BUTTON} Not you", shown)
    assert "Not you? Fill in the form" in shown
    # The form below is blank: her details travel with the tap, not in the page.
    assert 'value="Ana Silva"' not in page and ANA["email"] not in page

    tapped = ana.post(
        f"/join/{case.code(case.review)}", data={"returning": case.earlier_id("Ana Silva")}
    )
    assert tapped.status_code == 302
    assert tapped.headers["Location"] == f"/m/{case.review}"
    assert "Waiting for the chair" in text_of(ana.get(f"/m/{case.review}").text)
    listed = waiting_list(case)
    assert "Ana Silva · Social worker · Children's social care" in listed
    assert "Came to the last meeting" in listed
    with app.app_context():
        now = db.session.scalar(
            select(Attendee).where(Attendee.meeting_id == case.review, Attendee.name == "Ana Silva")
        )
        assert (now.part, now.role, now.agency, now.email) == (
            "professional",
            ANA["role"],
            ANA["agency"],
            ANA["email"],
        )
        assert now.status == "waiting" and now.previous_attendee_id == case.earlier_id("Ana Silva")
        said = db.session.scalars(select(Event.action).where(Event.meeting_id == case.review))
        assert any("Ana Silva" not in s and "as at the meeting of" in s for s in said)

    # Joined once, she is not offered a second join, even with her browser's session gone.
    assert ana.get(f"/join/{case.code(case.review)}").status_code == 302
    assert "Welcome back" not in case.join_page(same_device(app, ana))
    again = same_device(app, ana).post(
        f"/join/{case.code(case.review)}", data={"returning": case.earlier_id("Ana Silva")}
    )
    assert again.status_code == 409
    assert "cannot join as that person any more" in text_of(again.text)
    with app.app_context():
        assert len(db.session.get(Meeting, case.review).attendees) == 2, "the chair and Ana"


def test_a_family_tablet_offers_each_person_it_joined_as_but_not_one_turned_away(case):
    page = text_of(case.join_page(case.devices["tablet"]))
    assert "Join as Maria Silva — Mum, Parent or carer" in page
    assert "Join as Joe Silva — Dad, Parent or carer" in page
    assert "Unknown Caller" not in page and "Ana Silva" not in page

    joe = case.earlier_id("Joe Silva")
    tapped = case.devices["tablet"].post(f"/join/{case.code(case.review)}", data={"returning": joe})
    assert tapped.status_code == 302
    listed = waiting_list(case)
    assert "Joe Silva · Dad Parent or carer · in the room Came to the last meeting" in listed
    # The one turned away cannot be joined as by sending their id.
    caller = case.earlier_id("Unknown Caller")
    other = same_device(case.app, case.devices["tablet"])
    refused = other.post(f"/join/{case.code(case.review)}", data={"returning": caller})
    assert refused.status_code == 409 and "Unknown Caller" not in refused.text


def test_a_strangers_device_is_offered_no_ones_identity(case, app):
    ana_id = case.earlier_id("Ana Silva")
    for stranger in (app.test_client(), app.test_client()):
        page = case.join_page(stranger)
        for secret in ("Welcome back", "Ana Silva", ANA["email"], "Maria Silva", "Joe Silva"):
            assert secret not in page, secret
        stranger.set_cookie(DEVICE, "not-a-token-of-ours", path="/join/")
    page = case.join_page(stranger)
    assert "Welcome back" not in page and "Ana Silva" not in page
    # Sending someone's id from another device joins nobody as them.
    forged = app.test_client().post(
        f"/join/{case.code(case.review)}", data={"returning": str(ana_id)}
    )
    assert forged.status_code == 409
    assert "Ana Silva" not in forged.text and ANA["email"] not in forged.text
    assert "cannot join as that person any more" in text_of(forged.text)
    assert "Not you?" not in forged.text and "Ask to join" in forged.text, "the form, blank"
    with app.app_context():
        assert len(db.session.get(Meeting, case.review).attendees) == 1, "the chair alone"


def test_a_device_that_joined_another_case_is_offered_no_one(case, app):
    # A police officer joined another child's meeting, was let in and it closed.
    other = make_meeting(case.chair, SAFETY_ITEM, title="Strategy discussion", child="Z.Y.")
    people = People(app, case.chair, other)
    officer = app.test_client()
    join(officer, people.code, {"part": "professional", "name": "Zed Officer", "agency": "Police"})
    people.admit("Zed Officer")
    people.start()
    assert case.chair.post(f"/meetings/{other}/close").status_code == 302
    assert officer.get_cookie(DEVICE, path="/join/") is not None
    # K.M.'s review offers their device no one.
    page = case.join_page(officer)
    assert "Welcome back" not in page and "Zed Officer" not in page and "Ana Silva" not in page
    # Nor does Ana's device, which joined K.M.'s case, find her at Z.Y.'s next meeting.
    with app.app_context():
        zy = people.meeting().case_id
    later = make_meeting(case.chair, SAFETY_ITEM, title="Review", child="Z.Y.", case_id=str(zy))
    assert "Welcome back" not in case.join_page(case.devices["ana"], later)
    assert "Join as Zed Officer — Police" in text_of(case.join_page(officer, later))
    with app.app_context():
        kept = {a.device_digest for a in db.session.scalars(select(Attendee)) if a.device_digest}
    assert len(kept) == 3, "Ana's device, the family's tablet, the officer's"


def test_a_device_is_not_remembered_when_the_deployment_says_so(case, app):
    app.config["REMEMBER_DEVICE_DAYS"] = 0
    assert "Welcome back" not in case.join_page(case.devices["ana"])
    device = app.test_client()
    join(device, case.code(case.review), {**ANA, "name": "Ben Ode"})
    assert device.get_cookie(DEVICE, path="/join/") is None


def sent_out(app, within: float = 10) -> list[Invitation]:
    """Wait until no invitation is still being sent; return them all."""

    def done() -> list[Invitation] | None:
        with app.app_context():
            rows = list(db.session.scalars(select(Invitation).order_by(Invitation.id)))
            for row in rows:
                db.session.expunge(row)
        return None if any(r.result == DeliveryResult.PENDING for r in rows) else rows

    return until(done, within, "invitations still being sent")


def link_in(message) -> str:
    body = message.get_body(("plain",)).get_content()
    return re.search(r"http://localhost(/join/invited/\S+)", body).group(1)


def test_the_last_meetings_people_are_invited_with_a_link_of_their_own(
    case,
    app,
    smtp,  # noqa: F811
):
    inbox, server = smtp
    server.start()
    chair, review = case.chair, case.review
    page = text_of(chair.get(f"/meetings/{review}").text)
    assert "Invite last meeting's people (2)" in page
    assert "Joe Silva · Dad, Parent or carer No email address: give them the join code" in page
    assert "Unknown Caller" not in page

    assert chair.post(f"/meetings/{review}/invitations").status_code == 302
    assert {i.result for i in sent_out(app)} == {"sent"}
    assert sorted(str(m["To"]) for m in inbox.messages) == [
        "Ana Silva <ana@council.example>",
        "Maria Silva <maria@home.example>",
    ]
    message = inbox.to(ANA["email"])[0]
    with app.app_context():
        meeting = db.session.get(Meeting, review)
        when = f"{meeting.starts_at:%A %-d %B %Y at %H:%M}"
        code = meeting.join_code
    body = message.get_body(("plain",)).get_content()
    assert message["Subject"].strip() == f"Invitation: Review: Initial conference, {when}"
    assert f"When: {when}" in body and "Where: Room 2" in body and f"Join code: {code}" in body
    link = link_in(message)
    with app.app_context():
        assert not any(link.rsplit("/", 1)[1] in str(i.digest) for i in sent_out(app))

    # The set-up page and the event log say who was invited, and when.
    page = text_of(chair.get(f"/meetings/{review}").text)
    invited = (
        r"Ana Silva · Social worker, Children's social care Invited \d+ \w+ \d{4}, [\d:]+: Sent"
    )
    assert re.search(invited, page)
    assert "Everyone with an email address has been invited or has asked to join." in page
    log = text_of(chair.get(f"/meetings/{review}/events").text)
    assert "invited 2 from the last meeting to this one Ana Silva, Maria Silva" in log

    # Asked again, nobody gets a second email; sent again on purpose, Ana does.
    twice = chair.post(f"/meetings/{review}/invitations")
    assert twice.status_code == 409 and "has been invited already" in text_of(twice.text)
    ana = case.earlier_id("Ana Silva")
    assert chair.post(f"/meetings/{review}/invitations/{ana}/again").status_code == 302
    assert len(sent_out(app)) == 3
    assert len(inbox.to(ANA["email"])) == 2 and len(inbox.to(MARIA["email"])) == 1
    newer = link_in(inbox.to(ANA["email"])[1])
    assert newer != link
    assert "sent Ana Silva's invitation again" in text_of(
        chair.get(f"/meetings/{review}/events").text
    )

    # Her link, opened on a new phone, fills in her details, with one tap to join.
    phone = app.test_client()
    opened = phone.get(link)
    assert opened.status_code == 200
    assert ANA_BUTTON in text_of(opened.text)
    assert 'value="Ana Silva"' in opened.text and f'value="{ANA["email"]}"' in opened.text
    assert "Maria" not in opened.text
    assert phone.post(link, data={"returning": ana}).status_code == 302
    listed = waiting_list(case)
    assert "Ana Silva · Social worker · Children's social care" in listed
    assert "Came to the last meeting" in listed
    assert phone.get(newer).status_code == 302, "joined from this phone: to her waiting page"
    page = text_of(chair.get(f"/meetings/{review}").text)
    assert "Social worker, Children's social care Has asked to join this meeting; invited" in page
    # Maria's, from the family's tablet, with her role as she puts it now.
    maria = link_in(inbox.to(MARIA["email"])[0])
    tablet = case.devices["tablet"]
    assert "Join as Maria Silva — Mum, Parent or carer" in text_of(tablet.get(maria).text)
    changed = {**MARIA, "role": "Mother"}
    assert tablet.post(maria, data=changed).status_code == 302
    assert (
        "Maria Silva · Mother Parent or carer · in the room Came to the last meeting"
        in waiting_list(case)
    )

    # A wrong link, and hers once the meeting has closed, get a plain message.
    wrong = app.test_client().get("/join/invited/not-a-real-link")
    assert wrong.status_code == 404
    assert "That invitation link does not work" in text_of(wrong.text)
    assert "Ana Silva" not in wrong.text
    People(app, chair, review).start()
    assert chair.post(f"/meetings/{review}/close").status_code == 302
    ended = app.test_client().get(newer)
    assert ended.status_code == 410
    assert "That meeting has ended, so its invitation no longer lets anyone in." in ended.text
    assert "Ana Silva" not in ended.text and code not in ended.text


def first_working_day_from_today() -> date:
    day = date.today()
    closed = holidays.country_holidays("GB", subdiv="ENG", years=range(day.year, day.year + 2))
    while day.weekday() >= 5 or day in closed:
        day += timedelta(days=1)
    return day


def test_a_review_brought_forward_by_a_trigger_is_proposed_for_now(case, app):
    six_weeks = date.today() + timedelta(weeks=6)
    arranging = case.chair.get(f"/meetings/new?review_of={case.first}").text
    assert f'value="{six_weeks.isoformat()}T10:00"' in arranging
    assert "Brought forward" not in arranging

    with app.app_context():
        case_id = db.session.get(Meeting, case.first).case_id
    reason = "Missing overnight, found by police"
    assert case.chair.post(f"/cases/{case_id}/triggers", data={"reason": reason}).status_code == 302
    assert "Due now" in text_of(case.chair.get(f"/cases/{case_id}").text)
    arranging = case.chair.get(f"/meetings/new?review_of={case.first}").text
    now = first_working_day_from_today()
    assert f'value="{now.isoformat()}T10:00"' in arranging
    shown = text_of(arranging)
    assert "This review is due now" in shown
    assert f"Brought forward: {reason} recorded on {date.today():%-d %b %Y} by Sam Chair" in shown


def test_a_returning_phone_at_360_px(module_server, browser):
    """Chromium on a phone: the join page of the review greets her by name, one tap asks
    to join, and nothing is wider than the screen."""
    room = Room.first_chair(module_server.url, browser, module_server.setup_code)
    first = room.new_meeting(SAFETY_ITEM, title="Initial conference")
    ana = room.join("Ana Silva", "Children's social care", role="Social worker")
    room.start()
    room.chair.http.post(f"/meetings/{first}/close")
    room.review_of(first)
    page = ana.context.new_page()
    page.goto(f"/join/{room.join_code}")
    button = page.get_by_role("button", name=ANA_BUTTON)
    assert button.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = button.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert box["y"] + box["height"] <= PHONE["height"], "the tap is on the first screen"
    shot(page, "welcome-back-phone", full_page=False)
    shot(page, "welcome-back-phone-whole")
    button.click()
    page.wait_for_url(f"**/m/{room.meeting_id}")
    assert "Waiting for the chair" in page.inner_text("body")
    assert "Came to the last meeting" in room.chair_page()
