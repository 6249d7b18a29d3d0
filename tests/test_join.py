"""Joining from a device: the code, the waiting room, admission, rejoining, observers."""

from conftest import PASSWORD, text_of

from meeting.extensions import db
from meeting.models import Attendee


def test_code_typed_loosely_still_finds_the_meeting(people, client):
    loose = people.code.lower().replace("-", " ")
    response = client.post("/join/", data={"code": loose})
    assert response.headers["Location"] == f"/join/{people.code}"


def test_wrong_code_says_so_and_keeps_what_was_typed(client, people):
    response = client.post("/join/", data={"code": "ZZZ-999"})
    assert response.status_code == 404
    assert "No meeting has that code" in response.text
    assert 'value="ZZZ-999"' in response.text


def test_repeated_wrong_codes_are_throttled_but_a_right_code_always_lets_people_in(app, people):
    """A room behind one address (a council's proxy): one person mistyping blocks nobody."""
    app.config["JOIN_ATTEMPTS_LIMIT"] = "3 per minute"
    guesser = app.test_client()
    for attempt in ("AAA-AAA", "CCC-CCC", "DDD-DDD"):
        assert guesser.post("/join/", data={"code": attempt}).status_code == 404
    blocked = guesser.post("/join/", data={"code": "FFF-FFF"})
    assert blocked.status_code == 429
    assert "Too many wrong join codes have been tried from here" in blocked.text
    assert "FFF-FFF" in blocked.text, "what was typed is kept"
    # Guessing through the join link is counted the same way.
    assert guesser.get("/join/EEE-EEE").status_code == 429
    # The right code, and the join link, still let everyone in, the mistyper too.
    assert guesser.post("/join/", data={"code": people.code}).status_code == 302
    neighbour = app.test_client()
    assert neighbour.get(f"/join/{people.code}").status_code == 200
    joined = neighbour.post(
        f"/join/{people.code}",
        data={"name": "Tom Reid", "role": "Teacher", "agency": "School", "part": "professional"},
    )
    assert joined.status_code == 302


def test_wrong_codes_are_limited_across_the_server_too(app, people):
    app.config["JOIN_ATTEMPTS_OVERALL"] = "4 per minute"
    for n in range(4):
        device = app.test_client()
        assert device.post("/join/", data={"code": f"AAA-{n}AA"}).status_code == 404
    assert app.test_client().post("/join/", data={"code": "BBB-BBB"}).status_code == 429
    assert app.test_client().post("/join/", data={"code": people.code}).status_code == 302


def test_right_codes_do_not_use_up_the_allowance(app, people):
    app.config["JOIN_ATTEMPTS_LIMIT"] = "2 per minute"
    device = app.test_client()
    for _ in range(5):
        assert device.post("/join/", data={"code": people.code}).status_code == 302


def test_blank_name_is_refused_and_the_rest_kept(people, client):
    response = client.post(
        f"/join/{people.code}",
        data={"name": "  ", "role": "Teacher", "agency": "School", "part": "professional"},
    )
    assert response.status_code == 422
    assert "Enter your name" in response.text
    assert 'value="Teacher"' in response.text and 'value="School"' in response.text


def test_waiting_attendee_sees_nothing_about_the_child_or_agenda(people):
    people.start()
    device = people.join("Priya Shah", "Police")
    page = text_of(device.get(f"/m/{people.meeting_id}").text)
    assert "Waiting for the chair" in page
    for secret in ("A.B.", "Risk of criminal exploitation", "Review conference", "older males"):
        assert secret not in page
    region = device.get(f"/m/{people.meeting_id}/region/stage", headers={"HX-Request": "true"})
    assert region.status_code == 403
    assert "Risk of criminal" not in region.text


def test_chair_sees_the_waiting_attendee_and_admits_them(people):
    device = people.join("Priya Shah", "Police", role="Detective constable")
    chair_page = text_of(people.chair.get(f"/meetings/{people.meeting_id}").text)
    assert "Waiting to join (1)" in chair_page
    assert "Priya Shah · Detective constable · Police" in chair_page
    people.admit("Priya Shah")
    page = text_of(device.get(f"/m/{people.meeting_id}").text)
    assert "Review conference" in page and "Child: A.B." in page


def test_turned_away_attendee_is_told_and_sees_nothing(people):
    device = people.join("Unknown Person", "None")
    aid = people.attendee_id("Unknown Person")
    people.chair.post(f"/meetings/{people.meeting_id}/people/{aid}/turn-away")
    page = text_of(device.get(f"/m/{people.meeting_id}").text)
    assert "The chair has not admitted Unknown Person" in page
    assert "A.B." not in page


def test_rejoining_from_the_same_device_keeps_the_same_identity(people):
    device = people.join_admitted("Priya Shah", "Police")
    again = device.get(f"/join/{people.code}")
    assert again.headers["Location"] == f"/m/{people.meeting_id}"
    device.post("/join/", data={"code": people.code})
    with people.app.app_context():
        assert db.session.query(Attendee).filter_by(name="Priya Shah").count() == 1


def test_an_observer_does_not_rate(people):
    device = people.join_admitted("Parent", "", part="parent")
    aid = people.attendee_id("Parent")
    people.chair.post(f"/meetings/{people.meeting_id}/people/{aid}/observe")
    people.start()
    round_id = people.open_round()
    assert "You are observing" in device.get(f"/m/{people.meeting_id}").text
    response = people.rate(device, round_id, score=5)
    assert response.status_code == 403
    assert "observing this meeting" in response.text
    progress = text_of(people.chair.get(f"/meetings/{people.meeting_id}").text)
    assert "0 of 1 have rated" in progress


def test_a_closed_meetings_code_no_longer_lets_anyone_in(people, client):
    people.start()
    people.chair.post(f"/meetings/{people.meeting_id}/close")
    response = client.post("/join/", data={"code": people.code})
    assert response.status_code == 410
    assert "That meeting has ended" in response.text


# Joining in a real room ------------------------------------------------------------------

WARNING = "Phones cannot open this link"


def chair_page_at(people, host: str) -> str:
    """The chair's page as their browser shows it when it opened the server at `host`."""
    chair = people.app.test_client()
    base = f"http://{host}"
    login = chair.post(
        "/login", data={"email": "chair@example.org", "password": PASSWORD}, base_url=base
    )
    assert login.status_code == 302
    return chair.get(f"/meetings/{people.meeting_id}", base_url=base).text


def test_a_join_link_only_this_computer_can_open_is_pointed_out_to_the_chair(people):
    page = chair_page_at(people, "127.0.0.1:5000")
    assert WARNING in text_of(page)
    assert f"http://127.0.0.1:5000/join/{people.code}" in page
    display = people.app.test_client().get(
        f"/display/{people.display_token}", base_url="http://127.0.0.1:5000", follow_redirects=True
    )
    assert f"/join/{people.code}" in display.text and WARNING not in text_of(display.text)
    on_the_network = chair_page_at(people, "192.168.1.20:5000")
    assert f"http://192.168.1.20:5000/join/{people.code}" in on_the_network
    assert WARNING not in text_of(on_the_network)


def test_the_qr_code_and_join_link_use_the_public_address_when_set(app, people):
    import segno

    app.config["PUBLIC_URL"] = "https://meetings.example.org/"
    link = f"https://meetings.example.org/join/{people.code}"
    page = chair_page_at(people, "127.0.0.1:5000")
    assert link in page and WARNING not in text_of(page)
    screen = people.app.test_client()
    qr = screen.get(f"{people.open_display(screen)}/qr.svg")
    expected = segno.make(link, error="m")
    drawn = segno.make(f"http://localhost/join/{people.code}", error="m")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    assert _matrix_of(qr.data) == _matrix_of(_svg(expected))
    assert _matrix_of(qr.data) != _matrix_of(_svg(drawn))


def _svg(code) -> bytes:
    from io import BytesIO

    out = BytesIO()
    code.save(out, kind="svg", scale=8, border=2, title="Join link")
    return out.getvalue()


def _matrix_of(svg: bytes) -> bytes:
    """The drawn modules of a QR code's SVG: what a phone's camera reads."""
    import re

    return re.search(rb' d="([^"]+)"', svg).group(1)
