"""Attacks played against the real server, in Chromium where a browser is the weapon."""

import http.server
import re
import threading

import pytest
import requests
from conftest import PASSWORD, free_port
from playwright.sync_api import expect
from room import STARTS_AT


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
    chair = requests.Session()
    fields = {
        "setup_code": live_server.setup_code,
        "name": "Sam Chair",
        "agency": "Children's social care",
        "email": "sam@example.org",
        "password": PASSWORD,
        "confirm": PASSWORD,
    }
    assert chair.post(base + "/setup", data=fields).ok
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

    # The chair's own page still does it (the same request, sent from the same origin).
    victim.goto(base + path)
    status = victim.evaluate(
        f"fetch('{path}/rounds/{round_id}/reveal', {{method: 'POST'}}).then(r => r.status)"
    )
    assert status == 200
    record = chair.get(f"{base}{path}/record.json").json()
    assert record["items"][0]["rounds"][0]["revealed_at"] is not None
    context.close()
