"""What someone let in still tries: an admitted attendee, or a second chair, turned hostile.

Each test plays one attack a reviewer found: a log-in link that sends the chair to another
site, a parent guessed to be a professional from what she typed as her agency, a chair's
connection that outlived their log-in, a chronology event of a megabyte and thirty in two
seconds, and ids too large for any row, in a form and in a Socket.IO connection. The
browser's side (a word too long for the screen) is in `test_insider_room.py`.
"""

import re
import threading
import time
from datetime import date, timedelta

import pytest
import socketio
from conftest import (
    PASSWORD,
    SAFETY_ITEM,
    BrowserSession,
    LiveServer,
    log_in,
    make_chair,
    make_meeting,
    text_of,
    until,
)
from story import circulate, join
from test_withheld_reports import fetch_everything, reader_urls

# Dates worked out from the day the tests run: a month ahead, and a month back.
AHEAD = (date.today() + timedelta(days=30)).isoformat()
BACK = (date.today() - timedelta(days=30)).isoformat()

# A log-in link's `next`, as a hostile colleague writes it into an email.
AWAY = [
    "/\t/evil.example",
    "/\\evil.example",
    "//evil.example",
    "/\\/evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "/ /evil.example",
]
BROKEN = ["/\n/evil.example", "/\r/evil.example", "/\r\nSet-Cookie: x=1"]


@pytest.mark.parametrize("target", AWAY + BROKEN)
def test_a_log_in_link_never_sends_the_chair_to_another_site(app, target):
    """Whatever `next` says, a right log-in lands on this server: the chair's meetings."""
    make_chair(app)
    chair = app.test_client()
    answer = chair.post(
        "/login",
        query_string={"next": target},
        data={"email": "chair@example.org", "password": PASSWORD},
    )
    assert answer.status_code == 302, answer.status_code
    assert answer.headers["Location"] == "/meetings/", answer.headers["Location"]


def test_a_log_in_link_to_a_page_of_this_server_still_goes_there(people):
    page = f"/meetings/{people.meeting_id}"
    fresh = people.app.test_client()
    sent = fresh.get(page)
    assert sent.status_code == 302
    login = sent.headers["Location"]
    answer = fresh.post(login, data={"email": "chair@example.org", "password": PASSWORD})
    assert answer.headers["Location"] == page


# Who the family are: what they said, never what they typed as an agency --------------------

NOT_AN_AGENCY = ["None", "N/A"]


@pytest.mark.parametrize("agency", NOT_AN_AGENCY)
def test_a_parent_who_types_an_agency_does_not_count_towards_the_quorum(app, agency):
    make_chair(app)
    chair = log_in(app)
    meeting_id = make_meeting(chair, SAFETY_ITEM, kind="prt_review")
    from conftest import People

    people = People(app, chair, meeting_id)
    people.join_admitted("Priya Shah", "Police")
    people.join_admitted("Kerry Moss", agency, role="Mother", part="parent")
    refused = chair.post(f"/meetings/{meeting_id}/start")
    assert refused.status_code == 409
    said = text_of(refused.text)
    assert "Not quorate (1 more agency needed)" in said, said
    assert agency not in said.split("Not quorate")[0][-200:]


@pytest.mark.parametrize("agency", NOT_AN_AGENCY)
def test_a_parent_who_types_an_agency_gets_the_familys_copy(people, agency):
    base = f"/meetings/{people.meeting_id}"
    with people.app.app_context():
        restricted = people.meeting().items[0]
        title, item_id = restricted.title, restricted.id
    mum = join(people, "Kerry Moss", agency, "Mother", "moss@home.example", "parent")
    join(people, "Priya Shah", "Police", "DC", "priya@police.example")
    assert people.chair.post(f"{base}/items/{item_id}/restricted", data={"restricted": "yes"})
    people.start()
    assert people.chair.post(f"{base}/close").status_code == 302
    assert circulate(people).status_code == 302
    hers = fetch_everything(mum, reader_urls(people.app, "Kerry Moss"))
    assert title not in hers, "the item withheld from the family is not in her copy"
    theirs = fetch_everything(people.app.test_client(), reader_urls(people.app, "Priya Shah"))
    assert title in theirs, "the professionals' copy holds it"


@pytest.mark.parametrize("agency", NOT_AN_AGENCY)
def test_a_parent_who_types_an_agency_cannot_record_a_review_trigger(app, agency):
    from test_cases import reviewed

    app.config["TRIGGERS_BY_PROFESSIONALS"] = True
    case, review, _devices = reviewed(app)
    mum = case.people(review).join_admitted("Kerry Moss", agency, part="parent")
    assert "bring the review forward?" not in mum.get(f"/m/{review}").text
    refused = mum.post(f"/m/{review}/trigger", data={"reason": "Missing again"})
    assert refused.status_code == 409
    page = text_of(case.chair.get(f"/cases/{case.case_id()}").text)
    assert "Missing again" not in page


# A chair's connection ends with their log-in ---------------------------------------------

# Eight seconds of log-in, on a real server.
SHORT_HOURS = 8 / 3600


@pytest.fixture(scope="module", params=["development", "production"])
def short_log_ins(request, tmp_path_factory):
    """A real server (`python -m meeting`, or gunicorn with gevent) whose chairs' log-ins
    last eight seconds, with its first chair."""
    server = LiveServer(
        tmp_path_factory.mktemp("short"),
        env={"MEETING_CHAIR_SESSION_HOURS": str(SHORT_HOURS)},
        production=request.param == "production",
    )
    server.start()
    try:
        server.first_chair()
        yield server
    finally:
        server.stop()


class Listener:
    """A real Socket.IO client on a session's cookies, keeping what it hears."""

    def __init__(self, server: LiveServer, http: BrowserSession, **auth: object) -> None:
        self.heard: list[dict] = []
        self.closed = threading.Event()
        self.client = socketio.Client(reconnection=False)
        self.client.on("changed", self.heard.append)
        self.client.on("disconnect", lambda *_: self.closed.set())
        cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
        self.client.connect(
            server.url, headers={"Cookie": cookie}, auth=auth, transports=["websocket"]
        )

    def close(self) -> None:
        if self.client.connected:
            self.client.disconnect()


def chairs_meeting(server: LiveServer) -> tuple[BrowserSession, str, str]:
    """Log the chair in and make a meeting; return the session, the meeting and its code."""
    chair = BrowserSession()
    answer = chair.post(
        f"{server.url}/login", data={"email": "sam@example.org", "password": PASSWORD}
    )
    assert answer.ok
    made = chair.post(
        f"{server.url}/meetings/new",
        data={"title": "Review", "kind": "other", "child": "A.B.", "starts_at": f"{AHEAD}T10:00"},
    )
    meeting_id = made.url.rstrip("/").rsplit("/", 1)[1]
    code = re.search(r'class="join-code"[^>]*>([A-Z0-9-]+)<', made.text).group(1)
    return chair, meeting_id, code


def ask_to_join(server: LiveServer, code: str, name: str) -> None:
    phone = BrowserSession()
    fields = {"name": name, "role": "DC", "agency": "Police", "part": "professional"}
    assert "Waiting for the chair" in phone.post(f"{server.url}/join/{code}", data=fields).text


def test_a_chairs_open_connection_closes_when_the_log_in_ends(short_log_ins):
    """The chair's page was opened in the last seconds of their log-in: it hears who asks
    to join then, and once the log-in has ended its connection is closed and hears nobody."""
    server = short_log_ins
    chair, meeting_id, code = chairs_meeting(server)
    heard = Listener(server, chair, meeting=int(meeting_id))
    try:
        ask_to_join(server, code, "Priya Shah")
        until(lambda: heard.heard, 5, "the chair's connection heard nothing while logged in")
        assert heard.closed.wait(15), "the connection was still open after the log-in ended"
        assert chair.get(f"{server.url}/meetings/{meeting_id}").url.split("?")[0].endswith("/login")
        heard.heard.clear()
        ask_to_join(server, code, "Tom Reid")
        time.sleep(1)
        assert heard.heard == [], "nothing more reaches it"
    finally:
        heard.close()


def test_a_chairs_open_connection_closes_when_they_log_out(short_log_ins):
    server = short_log_ins
    chair, meeting_id, _code = chairs_meeting(server)
    heard = Listener(server, chair, meeting=int(meeting_id))
    try:
        assert heard.client.connected
        assert chair.post(f"{server.url}/logout").ok
        assert heard.closed.wait(3), "log-out closes the chair's connection at once"
    finally:
        heard.close()


# What an attendee types and adds -----------------------------------------------------------

# Under the most a form may carry (Werkzeug answers 413 past 500 kB), far over a field's.
HUGE = "x" * 400_000


def chronology(device, meeting_id, what, happened_on=None):
    from conftest import HELD_ON

    return device.post(
        f"/m/{meeting_id}/chronology",
        data={"happened_on": happened_on or HELD_ON.isoformat(), "what": what, "agency": "Police"},
    )


def test_a_huge_chronology_event_is_refused_and_given_back(people):
    priya = people.join_admitted("Priya Shah", "Police")
    answer = chronology(priya, people.meeting_id, HUGE)
    assert answer.status_code == 422, answer.status_code
    said = text_of(answer.text)
    assert "Too long to save" in said and "it holds 2,000" in said
    assert HUGE in answer.text, "what was typed is given back to shorten"
    cockpit = people.chair.get(f"/meetings/{people.meeting_id}")
    assert HUGE[:5000] not in cockpit.text and len(cockpit.data) < 300_000
    # Past what a form carries at all, it is refused as such, and nothing is kept.
    megabyte = chronology(priya, people.meeting_id, "x" * 1_000_000)
    assert megabyte.status_code == 413
    assert "far longer than any field holds" in text_of(megabyte.text)
    # In place (htmx), the page is left as it is, with the reason to show beside the form.
    inplace = chronology(priya, people.meeting_id, HUGE + "y")
    assert inplace.status_code == 422
    htmx = priya.post(
        f"/m/{people.meeting_id}/chronology",
        data={"happened_on": BACK, "what": HUGE, "agency": "Police"},
        headers={"HX-Request": "true"},
    )
    assert htmx.status_code == 422 and htmx.headers.get("HX-Reswap") == "none"
    assert "Not saved: too long (what)" in text_of(htmx.text)


def test_the_shortened_form_sent_again_is_saved_once(people):
    import lxml.html

    priya = people.join_admitted("Priya Shah", "Police")
    answer = chronology(priya, people.meeting_id, "Seen with older males. " + "y" * 2000)
    tree = lxml.html.fromstring(answer.text)
    (form,) = tree.xpath('//form[.//button[normalize-space()="Send again"]]')
    fields = dict(form.form_values())
    assert fields["agency"] == "Police" and fields["what"].startswith("Seen with older males")
    fields["what"] = "Seen with older males."
    saved = priya.post(form.get("action"), data=fields)
    assert saved.status_code == 302
    again = priya.post(form.get("action"), data=fields)
    assert "it was done once" in text_of(priya.get(again.headers["Location"]).text)
    cockpit = text_of(people.chair.get(f"/meetings/{people.meeting_id}").text)
    assert cockpit.count("Seen with older males.") == 1


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/join/{code}", "name"),
        ("/join/{code}", "agency"),
        ("/meetings/{mid}/items", "title"),
        ("/meetings/{mid}/items", "body"),
        ("/meetings/{mid}/apologies", "name"),
    ],
)
def test_every_field_has_a_limit(people, path, field):
    """A field past what it holds is refused, whoever sends it, and nothing is saved."""
    url = path.format(code=people.code, mid=people.meeting_id)
    data = {
        "name": "A",
        "agency": "Police",
        "part": "professional",
        "title": "T",
        "scale": "safety",
    }
    data[field] = "z" * 200_001
    before = people.chair.get(f"/meetings/{people.meeting_id}/record.json").text
    device = people.app.test_client() if path.startswith("/join") else people.chair
    answer = device.post(url, data=data)
    assert answer.status_code == 422
    assert "Too long to save" in text_of(answer.text)
    assert people.chair.get(f"/meetings/{people.meeting_id}/record.json").text == before


def test_an_attendee_cannot_fill_the_screens_with_chronology_events(people):
    priya = people.join_admitted("Priya Shah", "Police")
    answers = [chronology(priya, people.meeting_id, f"Event {n}").status_code for n in range(30)]
    assert answers[:5] == [302] * 5
    assert set(answers[5:]) == {429}, answers
    refused = chronology(priya, people.meeting_id, "One more")
    said = text_of(refused.text)
    assert "You have added several things in a short time" in said
    assert "One more" in refused.text, "what was typed is kept"
    cockpit = text_of(people.chair.get(f"/meetings/{people.meeting_id}").text)
    assert "Event 4" in cockpit and "Event 5" not in cockpit
    # Someone else, and the chair, still add theirs.
    tom = people.join_admitted("Tom Reid", "School")
    assert chronology(tom, people.meeting_id, "Excluded for a day").status_code == 302
    assert chronology(people.chair, people.meeting_id, "Chair's own").status_code == 302


# Ids too large for any row ------------------------------------------------------------------

BIG = "9" * 25


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/meetings/{mid}/current", "item_id"),
        ("/meetings/{mid}/rounds/{round}/behalf", "attendee_id"),
        ("/meetings/{mid}/actions", "owner_id"),
        ("/meetings/{mid}/actions", "item_id"),
        ("/meetings/new", "review_of"),
        ("/meetings/new", "case_id"),
    ],
)
def test_an_id_too_large_for_any_row_in_a_form_is_a_clear_refusal(people, path, field):
    people.join_admitted("Priya Shah", "Police")
    people.start()
    round_id = people.open_round()
    url = path.format(mid=people.meeting_id, round=round_id)
    data = {field: BIG, "what": "Call", "owner_name": "", "due": AHEAD, "score": "3"}
    data |= {"title": "T", "kind": "other", "child": "C", "starts_at": f"{AHEAD}T10:00"}
    answer = people.chair.post(url, data=data)
    assert answer.status_code in (404, 409, 422), (answer.status_code, text_of(answer.text))
    assert "Internal Server Error" not in answer.text


def test_a_socket_naming_a_meeting_too_large_for_any_row_is_refused_without_a_trace(
    people, sio, capsys
):
    for meeting in (10**30, -1, "1e5", 1.5, True, [1], {"a": 1}, "9" * 5000):
        connection = sio(people.chair, meeting=meeting)
        assert not connection.is_connected(), meeting
    said = capsys.readouterr()
    assert "Traceback" not in said.out + said.err
    assert sio(people.chair, meeting=people.meeting_id).is_connected()


def test_every_field_drawn_as_several_lines_holds_more_than_a_line():
    """Every textarea of every template holds what it is for: none falls to a line's length."""
    import re
    from pathlib import Path

    import meeting
    from meeting.pages import lengths

    templates = Path(meeting.__file__).parent / "templates"
    drawn = set()
    for path in templates.rglob("*.html"):
        text = path.read_text()
        drawn |= set(re.findall(r'textarea\(\s*"([a-z_]+)"', text))
        drawn |= set(re.findall(r'<textarea[^>]*name="([a-z_]+)"', text))
    assert drawn, "no textarea found, so nothing was checked"
    short = sorted(name for name in drawn if lengths.holds(name) <= lengths.LINE)
    assert not short, f"drawn as several lines but holding a line: {short}"
