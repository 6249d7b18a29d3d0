"""Secret links leave the address at once: the display link and a recipient's link to the
minutes are traded on first use for a cookie, and the browser is sent on (303) to an
address without the secret, which every later page, scene, file, form and live
connection uses. Played as the browser holding each link would.
"""

import re
from datetime import timedelta

from conftest import SAFETY_ITEM, make_meeting, text_of
from story import circulate

from meeting.extensions import db
from meeting.models import Attendee


def cookie_line(answer, name: str) -> str:
    """Return the Set-Cookie header that sets `name`."""
    (line,) = [h for h in answer.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]
    return line


def test_the_display_link_is_traded_for_a_cookie_and_never_sent_again(people, sio):
    people.start()
    token, meeting_id = people.display_token, people.meeting_id
    screen = people.app.test_client()
    answer = screen.get(f"/display/{token}")
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"/display/meeting/{meeting_id}"
    line = cookie_line(answer, f"meeting_display_{meeting_id}")
    assert "HttpOnly" in line and "SameSite=Lax" in line and "Path=/;" in line + ";"
    assert "Secure" not in line, "plain HTTP here: a Secure cookie would never come back"
    assert "Expires" not in line, "it lasts while the browser is open"

    page = screen.get(answer.headers["Location"])
    assert page.status_code == 200 and "Review conference" in page.text
    assert token not in page.text, "the page holds no secret: not in a link, nor for the socket"
    # What the page fetches later (its scene, the QR code) and its live connection go by the
    # meeting's own address and the cookie.
    scene = screen.get(f"/display/meeting/{meeting_id}/region/scene", headers={"HX-Request": "1"})
    assert scene.status_code == 200 and token not in scene.text
    assert screen.get(f"/display/meeting/{meeting_id}/qr.svg").status_code == 200
    assert sio(screen, screen=meeting_id).is_connected()

    # Anyone without the cookie gets nothing at the meeting's address.
    stranger = people.app.test_client()
    assert stranger.get(f"/display/meeting/{meeting_id}").status_code == 404
    assert stranger.get(f"/display/meeting/{meeting_id}/qr.svg").status_code == 404
    assert not sio(stranger, screen=meeting_id).is_connected()
    assert people.app.test_client().get("/display/not-a-link").status_code == 404


def test_over_https_the_cookie_is_secure_and_the_share_mode_goes_along(people):
    people.start()
    screen = people.app.test_client()
    answer = screen.get(f"/display/{people.display_token}?share=1", base_url="https://localhost")
    assert answer.headers["Location"] == f"/display/meeting/{people.meeting_id}?share=1"
    assert "Secure" in cookie_line(answer, f"meeting_display_{people.meeting_id}")
    page = screen.get(answer.headers["Location"], base_url="https://localhost")
    assert page.status_code == 200 and 'class="display share"' in page.text


def test_one_browser_shows_two_meetings_displays(people, sio):
    people.start()
    other = make_meeting(people.chair, SAFETY_ITEM, title="Second review")
    with people.app.app_context():
        from meeting.models import Meeting

        other_token = db.session.get(Meeting, other).display_token
    screen = people.app.test_client()
    assert screen.get(f"/display/{people.display_token}", follow_redirects=True).status_code == 200
    assert screen.get(f"/display/{other_token}", follow_redirects=True).status_code == 200
    first = text_of(screen.get(f"/display/meeting/{people.meeting_id}").text)
    second = text_of(screen.get(f"/display/meeting/{other}").text)
    assert "Review conference" in first and "Second review" not in first
    assert "Second review" in second
    assert sio(screen, screen=people.meeting_id).is_connected()
    assert sio(screen, screen=other).is_connected()


def test_a_stopped_link_says_so_at_the_meetings_address(people):
    people.start()
    screen = people.app.test_client()
    assert screen.get(f"/display/{people.display_token}", follow_redirects=True).status_code == 200
    assert people.chair.post(f"/meetings/{people.meeting_id}/display/stop").status_code == 302
    answer = screen.get(f"/display/meeting/{people.meeting_id}")
    assert answer.status_code == 410
    assert "The chair stopped this display link" in text_of(answer.text)
    assert "Review conference" not in answer.text


def test_a_reader_link_is_traded_for_a_cookie_for_that_persons_address_only(story, app):
    assert circulate(story.people).status_code == 302
    token = story.reader_token("Priya Shah")
    priya = story.people.attendee_id("Priya Shah")
    reader = app.test_client()
    answer = reader.get(f"/minutes/{token}", base_url="https://localhost")
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"/minutes/read/{priya}"
    line = cookie_line(answer, "meeting_reader")
    assert f"Path=/minutes/read/{priya}" in line
    assert "HttpOnly" in line and "SameSite=Lax" in line and "Secure" in line
    with app.app_context():
        issued = db.session.get(Attendee, priya).reader_issued_at
    # It lasts as long as the link works (90 days from when it was sent, by default).
    ends = issued + timedelta(days=90)
    assert ends.strftime("%d %b %Y") in line

    page = reader.get(f"/minutes/read/{priya}", base_url="https://localhost")
    assert page.status_code == 200 and "Version 1" in text_of(page.text)
    assert token not in page.text
    links = re.findall(r'(?:href|action)="(/minutes/[^"]+)"', page.text)
    assert links and all(link.startswith(f"/minutes/read/{priya}") for link in links), links
    docx = reader.get(f"/minutes/read/{priya}/1.docx", base_url="https://localhost")
    assert docx.status_code == 200

    # Another person's address opens nothing with Priya's cookie, nor with none.
    reid = story.people.attendee_id("Ms Reid")
    assert reader.get(f"/minutes/read/{reid}", base_url="https://localhost").status_code == 404
    assert app.test_client().get(f"/minutes/read/{priya}").status_code == 404
