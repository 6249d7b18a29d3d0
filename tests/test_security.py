"""Attacks played against the real server, in Chromium where a browser is the weapon."""

import http.server
import re
import threading

import pytest
from conftest import CSRF_META, PASSWORD, free_port, text_of
from playwright.sync_api import expect
from room import STARTS_AT, shot
from werkzeug.datastructures import MultiDict


@pytest.fixture
def attacker():
    """A second web server on the same host (another port: the same *site*), serving pages."""
    pages: dict[str, str] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path, "").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield pages, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_forms_from_another_port_on_the_same_host_are_refused(live_server, attacker, browser):
    base = live_server.url
    chair = live_server.first_chair()
    details = {"title": "Review", "kind": "other", "child": "A.B.", "starts_at": STARTS_AT}
    path = chair.post(base + "/meetings/new", data=details, allow_redirects=False).headers[
        "Location"
    ]
    chair.post(base + path + "/items", data={"title": "Home", "body": "Rate.", "scale": "safety"})
    assert chair.post(base + path + "/start").ok
    page = chair.get(base + path).text
    item_id = re.search(r"/items/(\d+)/rounds\"", page).group(1)
    opened = chair.post(f"{base}{path}/items/{item_id}/rounds", data={"number": "1"})
    round_id = re.search(r"/rounds/(\d+)/reveal", opened.text).group(1)

    pages, evil = attacker
    pages["/reveal"] = (
        f'<form id="f" method="post" action="{base}{path}/rounds/{round_id}/reveal"></form>'
        "<script>document.getElementById('f').submit()</script>"
    )
    pages["/close"] = (
        f"<script>fetch('{base}{path}/close', {{method: 'POST', mode: 'no-cors', "
        "credentials: 'include'}).then(() => document.title = 'sent')</script>"
    )
    pages["/login"] = (
        f'<form id="f" method="post" action="{base}/login">'
        '<input name="email" value="sam@example.org">'
        f'<input name="password" value="{PASSWORD}"></form>'
        "<script>document.getElementById('f').submit()</script>"
    )

    context = browser.new_context()
    victim = context.new_page()
    victim.goto(base + "/login")
    victim.get_by_label("Email address").fill("sam@example.org")
    victim.get_by_label("Password").fill(PASSWORD)
    victim.get_by_role("button", name="Log in").click()
    expect(victim.get_by_role("link", name="Review")).to_be_visible()

    victim.goto(evil + "/reveal")
    expect(victim.locator("body")).to_contain_text("not part of this meeting server")
    victim.goto(evil + "/close")
    expect(victim).to_have_title("sent")
    record = chair.get(f"{base}{path}/record.json").json()
    assert record["items"][0]["rounds"][0]["revealed_at"] is None, "the round stayed hidden"
    assert record["meeting"]["status"] == "running", "the meeting stayed open"

    # A stranger's browser cannot be logged in as the chair from another site either.
    stranger = browser.new_context().new_page()
    stranger.goto(evil + "/login")
    expect(stranger.locator("body")).to_contain_text("not part of this meeting server")
    stranger.goto(base + "/meetings/")
    expect(stranger.get_by_role("heading", name="Log in")).to_be_visible()

    # The chair's own page still does it (the same request, sent from the same origin with
    # the token the page carries).
    victim.goto(base + path)
    status = victim.evaluate(
        f"fetch('{path}/rounds/{round_id}/reveal', {{method: 'POST', headers: "
        "{'X-CSRFToken': document.querySelector('meta[name=csrf-token]').content}})"
        ".then(r => r.status)"
    )
    assert status == 200
    record = chair.get(f"{base}{path}/record.json").json()
    assert record["items"][0]["rounds"][0]["revealed_at"] is not None
    context.close()


HOSTILE = "Pri\x01ya\x00 Sh\u202eah\r\nBcc: x@evil.example"


def test_hostile_characters_never_reach_the_record_and_circulation_delivers_to_everyone(
    people,
):
    """\\x01, NUL, CR-LF and a right-to-left override in every text field of the meeting."""
    from conftest import settled

    url = f"/meetings/{people.meeting_id}"
    bad_email = people.chair.post(
        f"{url}/apologies",
        data={
            "name": HOSTILE,
            "role": HOSTILE,
            "agency": "Health",
            "email": "lee@nhs.net\r\nBcc: x@y.z",
        },
    )
    assert bad_email.status_code == 422, "an address with a line break is refused"
    assert "Bcc" in bad_email.text, "and what was typed comes back"
    kept = people.chair.post(
        f"{url}/apologies",
        data={"name": HOSTILE, "role": HOSTILE, "agency": "Health", "email": "lee@nhs.net"},
    )
    assert kept.status_code == 302
    device = people.join("Tom\x00 Reid\u202e", "Sch\x01ool")
    people.admit("Tom Reid")
    people.start()
    round_id = people.open_round()
    assert people.rate(device, round_id, score=5, reason=HOSTILE).status_code == 302
    people.reveal(round_id)
    assert people.chair.post(f"{url}/close").status_code == 302
    record = people.chair.get(f"{url}/record.json").get_json()
    written = repr(record)
    for unwanted in ("\\x00", "\\x01", "\\u202e", "\u202e", "\\r"):
        assert unwanted not in written, unwanted
    reason = record["items"][0]["rounds"][0]["ratings"][0]["reason"]
    assert reason == "Priya Shah\nBcc: x@evil.example", "newlines stay, as typed"

    # A name written before the edge cleaned input (straight into the database) still
    # cannot stop the others' copies: that one email fails alone, and says why.
    from meeting.extensions import db
    from meeting.models import Attendee

    with people.app.app_context():
        old = db.session.scalars(db.select(Attendee).where(Attendee.name == "Tom Reid")).one()
        old.name, old.email = "Tom\nReid", "tom@school.example"
        db.session.commit()
    circulated = people.chair.post(
        f"{url}/minutes/draft",
        data={"summary": HOSTILE, "undecided_reason": HOSTILE, "then": "circulate"},
    )
    assert circulated.status_code == 302, circulated.text[:500]
    results = settled(people.app)
    assert results.pop("tom@school.example") == "failed"
    assert results and all(result == "outbox" for result in results.values()), results
    page = text_of(people.chair.get(f"{url}/minutes").text)
    assert "This email could not be written" in page


@pytest.mark.parametrize(
    "path",
    [
        "/meetings/{big}",
        "/meetings/{big}/record.json",
        "/meetings/{big}/minutes",
        "/m/{big}",
        "/m/{big}/region/progress",
        "/meetings/{mid}/items/{big}",
    ],
)
def test_an_id_past_any_row_is_a_page_that_does_not_exist(people, path):
    answer = people.chair.get(path.format(big="9" * 25, mid=people.meeting_id))
    assert answer.status_code == 404
    assert "There is nothing here" in answer.text


def test_a_closed_meetings_display_link_shows_nothing_about_it(people, sio):
    people.join_admitted("Priya Shah", "Police")
    people.start()
    display = people.app.test_client()
    link = f"/display/{people.display_token}"
    before = display.get(link, follow_redirects=True)
    with people.app.app_context():
        title = people.meeting().title
    assert before.status_code == 200 and title in before.text
    assert people.chair.post(f"/meetings/{people.meeting_id}/close").status_code == 302
    after = display.get(link, follow_redirects=True)
    assert after.status_code == 410
    assert "This meeting has closed" in after.text
    with people.app.app_context():
        meeting = people.meeting()
        secrets = [meeting.title, meeting.child, "Priya Shah", meeting.join_code]
    for secret in secrets:
        assert secret not in after.text, secret
    assert display.get(f"/display/meeting/{people.meeting_id}/qr.svg").status_code == 404
    assert not sio(display, display=people.display_token).is_connected()


def test_pages_about_a_meeting_are_never_cached(people):
    people.join_admitted("Priya Shah", "Police")
    device = people.join_admitted("Tom Reid", "School")
    for client, path in [
        (people.chair, f"/meetings/{people.meeting_id}"),
        (people.chair, f"/meetings/{people.meeting_id}/record.json"),
        (people.chair, "/meetings/"),
        (device, f"/m/{people.meeting_id}"),
        (people.app.test_client(), f"/display/{people.display_token}"),
    ]:
        assert client.get(path, follow_redirects=True).headers["Cache-Control"] == "no-store", path
    styles = people.chair.get("/static/css/meeting.css")
    assert styles.headers.get("Cache-Control") != "no-store"
    styles.close()
    # A file that is not there is answered with a page, which carries the session's token.
    missing = device.get("/static/css/nothing.css")
    assert missing.status_code == 404
    assert 'name="csrf-token"' in missing.text
    assert missing.headers["Cache-Control"] == "no-store"


def test_behind_a_tls_proxy_cookies_are_secure_and_the_client_is_the_person(
    tmp_path, monkeypatch, caplog
):
    from conftest import make_chair

    from meeting import create_app

    monkeypatch.setenv("MEETING_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("MEETING_PROXY_HOPS", "1")
    app = create_app(
        {
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'meeting.sqlite3'}",
            "ANNOUNCE_SETUP_CODE": False,
            "PUBLIC_URL": "https://meetings.example.org",
        }
    )
    make_chair(app)
    client = app.test_client()
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    with caplog.at_level("INFO", logger="meeting"):
        answer = client.post(
            "/login",
            data={"email": "chair@example.org", "password": PASSWORD},
            headers=forwarded,
        )
    assert answer.status_code == 302
    assert "Secure" in answer.headers["Set-Cookie"]
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "203.0.113.7 POST /login 302" in caplog.text, "the person, not the proxy"


def test_chair_log_in_is_throttled_per_account_and_per_address(app):
    import time
    from statistics import median

    from conftest import make_chair

    make_chair(app)
    make_chair(app, email="other@example.org", name="Ann Other")
    browser = app.test_client()

    def log_in(email, password):
        return browser.post("/login", data={"email": email, "password": password})

    def took(email):
        started = time.perf_counter()
        assert log_in(email, "wrong guess").status_code == 401
        return time.perf_counter() - started

    # An unknown address takes the same work to refuse as a wrong password.
    known = median(took("chair@example.org") for _ in range(3))
    unknown = median(took("nobody@example.org") for _ in range(3))
    assert unknown > known / 3, (known, unknown)

    for _ in range(2):
        assert log_in("chair@example.org", "wrong guess").status_code == 401
    locked = log_in("chair@example.org", PASSWORD)
    assert locked.status_code == 429, "five failures lock the account, right password or not"
    assert "Too many failed log-ins" in locked.text
    assert log_in("other@example.org", PASSWORD).status_code == 302, "other accounts are not"


def test_the_set_up_code_is_throttled(app):
    app.config["SETUP_ATTEMPTS_LIMIT"] = "3 per hour"
    fields = {
        "setup_code": "WRONG",
        "name": "Sam",
        "email": "sam@example.org",
        "password": "a long password",
        "confirm": "a long password",
    }
    client = app.test_client()
    for _ in range(3):
        assert "That is not the set-up code" in client.post("/setup", data=fields).text
    assert "Too many wrong set-up codes" in client.post("/setup", data=fields).text


def test_log_out_ends_every_copy_of_the_cookie_and_the_chairs_live_connections(people, sio):
    url = f"/meetings/{people.meeting_id}"
    copied = people.app.test_client()
    copied.set_cookie("session", people.chair.get_cookie("session").value)
    assert copied.get(url).status_code == 200
    live = sio(people.chair, meeting=people.meeting_id)
    assert live.is_connected()

    assert people.chair.post("/logout").status_code == 302
    assert not live.is_connected(), "the chair's live connection is closed"
    for path in (url, f"{url}/record.json"):
        assert copied.get(path).status_code in (302, 403), path
    assert copied.post(f"{url}/start").status_code in (302, 403)
    again = sio(copied, meeting=people.meeting_id)
    assert not again.is_connected()


def test_someone_removed_stops_hearing_the_meeting(people, sio):
    device = people.join_admitted("Priya Shah", "Police")
    heard = sio(device, meeting=people.meeting_id)
    heard.get_received()
    aid = people.attendee_id("Priya Shah")
    assert (
        people.chair.post(f"/meetings/{people.meeting_id}/people/{aid}/turn-away").status_code
        == 302
    )
    # They are told to load their page again, which now says they were turned away.
    told = heard.get_received()
    assert [m["args"][0]["reload"] for m in told if m["name"] == "changed"] == [True]
    people.join_admitted("Tom Reid", "School")
    people.start()
    assert heard.get_received() == [], "nothing more about the meeting reaches them"


def test_chair_accounts_are_listed_reset_and_disabled_from_the_command_line(people):
    """The commands an operator runs: each reset or disable logs that chair out everywhere."""
    app = people.app
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["list-chairs"])
    assert listed.exit_code == 0
    assert "chair@example.org\tSam Chair\tChildren's social care\t1 meetings\tactive" in (
        listed.output
    )

    url = f"/meetings/{people.meeting_id}"
    assert people.chair.get(url).status_code == 200
    short = runner.invoke(
        args=["reset-chair-password", "chair@example.org"], input="short\nshort\n"
    )
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    reset = runner.invoke(
        args=["reset-chair-password", "chair@example.org"],
        input="another long password\nanother long password\n",
    )
    assert reset.exit_code == 0, reset.output
    assert people.chair.get(url).status_code == 302, "the old session ended"
    fresh = app.test_client()
    form = {"email": "chair@example.org", "password": "another long password"}
    assert fresh.post("/login", data=form).status_code == 302

    disabled = runner.invoke(args=["disable-chair", "chair@example.org"])
    assert disabled.exit_code == 0
    assert fresh.get(url).status_code == 302, "logged out everywhere"
    refused = app.test_client().post("/login", data=form)
    assert refused.status_code == 401
    assert "disabled" in runner.invoke(args=["list-chairs"]).output
    unknown = runner.invoke(args=["disable-chair", "nobody@example.org"])
    assert unknown.exit_code == 1 and "No chair account has the address" in unknown.output


def test_a_chairs_log_in_ends_after_a_working_day_however_the_cookie_is_kept(app, people):
    """The chair's cookie says when they logged in; after CHAIR_SESSION_HOURS (12) it opens
    nothing, even in a browser that keeps its cookies for ever."""
    page = f"/meetings/{people.meeting_id}"
    with people.chair.session_transaction() as cookie:
        cookie["chair_since"] -= 11 * 3600
    assert people.chair.get(page).status_code == 200
    with people.chair.session_transaction() as cookie:
        cookie["chair_since"] -= 2 * 3600
    ended = people.chair.get(page)
    assert ended.status_code == 302 and "/login" in ended.headers["Location"]
    assert people.chair.post(page + "/start").status_code in (302, 403)
    with app.app_context():
        assert people.meeting().status == "setup"
    # Logging in again starts a new working day.
    assert people.chair.post("/login", data={"email": "chair@example.org", "password": PASSWORD})
    assert people.chair.get(page).status_code == 200


STALE = "This page was open too long or from before you logged in again"


def send_again_form(page: str) -> tuple[str, MultiDict]:
    """Return the action and the fields of the stale page's "Send again" form."""
    import lxml.html

    tree = lxml.html.fromstring(page)
    (form,) = tree.xpath('//form[.//button[normalize-space()="Send again"]]')
    return form.get("action"), MultiDict(form.form_values())


def items_titled(people, title: str) -> int:
    record = people.chair.get(f"/meetings/{people.meeting_id}/record.json").get_json()
    return sum(item["title"] == title for item in record["items"])


def test_a_form_without_its_token_is_refused_and_changes_nothing(people):
    url = f"/meetings/{people.meeting_id}"
    people.chair.sends_token = False
    added = people.chair.post(
        f"{url}/items", data={"title": "Housing", "body": "Rent arrears", "scale": "safety"}
    )
    started = people.chair.post(f"{url}/start")
    people.chair.sends_token = True
    for refused in (added, started):
        assert refused.status_code == 400
        assert STALE in text_of(refused.text) and "Nothing was saved" in text_of(refused.text)
    assert items_titled(people, "Housing") == 0
    record = people.chair.get(f"{url}/record.json").get_json()
    assert record["meeting"]["status"] == "setup", "the meeting did not start"
    # What was typed is shown; without a word from the browser on where the form was,
    # it is not offered to be sent again from here.
    shown = text_of(added.text)
    assert "Title Housing" in shown and "Body Rent arrears" in shown
    assert "Send again" not in added.text
    assert "not offered to be sent again" in shown


def test_a_token_from_another_session_is_refused(people):
    url = f"/meetings/{people.meeting_id}"
    stranger = people.app.test_client()
    theirs = stranger.csrf_token()
    item = {"title": "Housing", "body": "Rent arrears", "scale": "safety"}
    as_field = people.chair.post(f"{url}/items", data={**item, "csrf_token": theirs})
    as_header = people.chair.post(f"{url}/start", headers={"X-CSRFToken": theirs})
    assert as_field.status_code == as_header.status_code == 400
    assert items_titled(people, "Housing") == 0
    assert people.chair.get(f"{url}/record.json").get_json()["meeting"]["status"] == "setup"
    # The chair's own token does both.
    assert people.chair.post(f"{url}/items", data=item).status_code == 302
    assert items_titled(people, "Housing") == 1


def test_a_form_from_before_logging_in_again_shows_what_was_typed_and_sends_it_once(people):
    url = f"/meetings/{people.meeting_id}"
    page = people.chair.get(url).text
    old = dict(re.findall(r'name="(once|csrf_token)" value="([^"]+)"', page))
    assert people.chair.post("/logout").status_code == 302
    form = {"email": "chair@example.org", "password": PASSWORD}
    assert people.chair.post("/login", data=form).status_code == 302

    # The add-item form, filled in on the page opened before, is sent from it.
    typed = {"title": "Housing", "body": "Rent arrears\nEviction notice served", "scale": "lxs"}
    origin = {"Origin": "http://localhost"}
    refused = people.chair.post(f"{url}/items", data={**old, **typed}, headers=origin)
    assert refused.status_code == 400
    shown = text_of(refused.text)
    assert STALE in shown and "Nothing was saved" in shown
    assert "Housing" in shown and "Rent arrears Eviction notice served" in shown
    assert old["csrf_token"] not in refused.text
    assert items_titled(people, "Housing") == 0
    assert re.search(r'href="[^"]*"[^>]*>Back to the page<', refused.text)

    action, fields = send_again_form(refused.text)
    assert action == f"{url}/items"
    assert fields["once"] == old["once"], "it is the same form: twice still counts once"
    for _ in range(2):
        assert people.chair.post(action, data=fields).status_code == 302
    assert items_titled(people, "Housing") == 1
    record = people.chair.get(f"{url}/record.json").get_json()
    housing = next(item for item in record["items"] if item["title"] == "Housing")
    assert housing["body"] == typed["body"]
    assert housing["scale"] == "Likelihood × severity"


def test_a_log_in_from_an_ended_session_asks_for_the_password_again(app):
    from conftest import make_chair

    make_chair(app)
    browser = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/login").text)
    browser.delete_cookie("session")  # the browser was closed with the page in a tab
    form = {"email": "chair@example.org", "password": PASSWORD, "csrf_token": token.group(1)}
    refused = browser.post("/login", data=form, headers={"Sec-Fetch-Site": "same-origin"})
    assert refused.status_code == 400
    assert "chair@example.org" in text_of(refused.text)
    assert PASSWORD not in refused.text, "a password is never written into a page"
    assert re.search(r'<input[^>]*name="password" type="password"', refused.text)
    assert browser.get("/meetings/").status_code == 302, "nobody is logged in"

    action, fields = send_again_form(refused.text)
    assert "password" not in fields, "it is typed again"
    fields["password"] = PASSWORD
    assert browser.post(action, data=fields).status_code == 302
    assert browser.get("/meetings/").status_code == 200, "logged in"


def test_an_htmx_request_without_the_token_says_so_in_the_page(people):
    url = f"/meetings/{people.meeting_id}"
    htmx = {"HX-Request": "true", "HX-Current-URL": f"http://localhost{url}"}
    people.chair.sends_token = False
    refused = people.chair.post(
        f"{url}/items", data={"title": "Housing", "body": "", "scale": "safety"}, headers=htmx
    )
    people.chair.sends_token = True
    assert refused.status_code == 400
    assert refused.headers["HX-Reswap"] == "none", "the form and what was typed stay as they are"
    note = re.search(r'<p class="error banner" role="alert" data-stale>(.*?)</p>', refused.text)
    assert note, refused.text
    assert STALE in note.group(1) and "Nothing was saved" in note.group(1)
    assert items_titled(people, "Housing") == 0
    # The answer carries the session's token; the page sends it when the button is pressed again.
    fresh = CSRF_META.search(refused.text).group(1)
    again = people.chair.post(
        f"{url}/items",
        data={"title": "Housing", "body": "", "scale": "safety"},
        headers={**htmx, "X-CSRFToken": fresh},
    )
    assert again.status_code == 302
    assert items_titled(people, "Housing") == 1


def test_in_chromium_a_chairs_page_sends_its_token_and_an_old_page_keeps_what_was_typed(
    live_server, browser
):
    from room import REVIEW_DATE, Room

    room = Room.first_chair(live_server.url, browser, live_server.setup_code)
    room.new_meeting({"title": "Home", "body": "Rate it.", "scale": "safety"})
    room.start()
    page = room.chair.context.new_page()
    page.goto(f"{room.base}/meetings/{room.meeting_id}")
    token = page.locator("meta[name=csrf-token]").get_attribute("content")
    form = page.locator("#add-action form")

    def add_action(what: str) -> None:
        form.get_by_label("What is to be done").fill(what)
        form.get_by_label("Name of the owner, if not at the meeting").fill("Dr Lee")
        form.get_by_label("Agency (filled in from the owner if left blank)").fill("Health")
        form.get_by_label("Due by").fill(REVIEW_DATE)

    def actions(what: str) -> int:
        path = f"/meetings/{room.meeting_id}/record.json"
        record = room.chair.http.get(path).json()
        return sum(action["what"] == what for action in record["actions"])

    # Sent in place, the form carries the page's token in the X-CSRFToken header.
    add_action("Book a strategy discussion")
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/actions")) as sent:
        form.get_by_role("button", name="Add the action").click()
    assert sent.value.headers["hx-request"] == "true"
    assert sent.value.headers["x-csrftoken"] == token
    expect(page.locator("#region-actions")).to_contain_text("Book a strategy discussion")
    assert actions("Book a strategy discussion") == 1

    # The browser lost its session (restarted with the tab kept) and the chair logged in
    # again in another tab; this page is from the session before. (A log-out instead would
    # close this page's connection, and the page would load again at once.)
    login = {"email": "sam@example.org", "password": "a long password"}
    room.chair.context.clear_cookies()
    room.chair.http.token = None  # the new session's log-in page is opened first
    assert room.chair.http.post("/login", form=login).ok
    add_action("Ask the school for attendance")
    form.get_by_role("button", name="Add the action").click()
    note = form.locator(".form-note")
    expect(note).to_contain_text(STALE)
    expect(note).to_contain_text("Nothing was saved")
    expect(form.get_by_label("What is to be done")).to_have_value("Ask the school for attendance")
    assert actions("Ask the school for attendance") == 0
    shot(page, "stale-chair-action")

    # The page took the new session's token from the answer: pressing again sends it.
    form.get_by_role("button", name="Add the action").click()
    expect(page.locator("#add-action .form-note")).to_have_count(0)
    expect(page.locator("#add-action").get_by_label("What is to be done")).to_have_value("")
    assert actions("Ask the school for attendance") == 1
    assert page.locator("meta[name=csrf-token]").get_attribute("content") != token


def test_in_chromium_a_log_in_page_from_an_ended_session_logs_in_on_sending_again(
    live_server, browser
):
    live_server.first_chair()
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server.url + "/login")
    context.clear_cookies()  # the browser ended the session with the page still open
    page.get_by_label("Email address").fill("sam@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name=STALE)).to_be_visible()
    expect(page.locator(".typed")).to_contain_text("sam@example.org")
    assert PASSWORD not in page.content()
    shot(page, "stale-log-in")
    page.get_by_label("Password (enter it again)").fill(PASSWORD)
    page.get_by_role("button", name="Send again").click()
    expect(page.get_by_role("heading", name="Your meetings")).to_be_visible()
    context.close()


def test_every_form_that_changes_something_carries_the_tokens():
    """Every POST form in the templates calls once(), which draws both tokens."""
    from pathlib import Path

    import meeting

    templates = Path(meeting.__file__).parent / "templates"
    missing = []
    for template in sorted(templates.rglob("*.html")):
        text = template.read_text()
        for form in re.finditer(r"<form\b[^>]*\bmethod=\"post\"[^>]*>(.*?)</form>", text, re.S):
            if "once()" not in form.group(1) and "{{ tokens }}" not in form.group(1):
                missing.append(f"{template.relative_to(templates)}: {form.group(0)[:80]}")
    assert not missing, missing


def test_in_chromium_logging_out_elsewhere_takes_an_open_chair_page_off_the_screen(
    live_server, browser
):
    """Log-out closes the chair's live connections; an open page then loads again and
    shows the log-in page instead of the child's meeting."""
    from room import Room

    room = Room.first_chair(live_server.url, browser, live_server.setup_code)
    room.new_meeting({"title": "Home", "body": "Rate it.", "scale": "safety"})
    page = room.chair.context.new_page()
    page.goto(f"{room.base}/meetings/{room.meeting_id}")
    expect(page.locator("#connection")).to_have_text("Live")
    assert room.chair.http.post("/logout").ok
    expect(page.get_by_role("heading", name="Chair log in")).to_be_visible(timeout=10_000)
    assert "A.B." not in page.content()
