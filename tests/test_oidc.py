"""Chairs sign in with the council's account, against a real OpenID Connect provider.

The provider is the `oidc-provider` package run by tests/oidc/provider.mjs: a real
authorization server with discovery, signed ID tokens, PKCE required and a sign-in page
that asks for a username. It knows alice (a chair), bob (a leaver, switched off at the
provider), carol (no chair account here), dave (an address the provider has not
confirmed) and erin (a chair switched off here). The meeting server is a real
`python -m meeting` process; each person is a `requests` session that follows the
redirects, and posts the provider's form, as a browser does.
"""

import html
import os
import re
import secrets
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

import pytest
import requests
from conftest import (
    HELD_AT,
    PASSWORD,
    BrowserSession,
    LiveServer,
    free_port,
    log_in,
    make_chair,
    password_hash,
    text_of,
    until,
)

from meeting.chairs.accounts import create_chair
from meeting.extensions import db
from meeting.startup import NotReady, ready

PROVIDER = Path(__file__).parent / "oidc"
CLIENT_ID = "meeting"
CLIENT_SECRET = "a-secret-the-council-gave-this-server"
COUNCIL_LINK = re.compile(r'<a class="button primary" href="([^"]+)">Sign in with your council')
PROVIDER_FORM = re.compile(r'<form method="post" action="([^"]+)"')
ALICE = "alice.chair@council.example"


def node_modules() -> None:
    """Install the provider's packages from its lock file if they are not there yet."""
    if (PROVIDER / "node_modules" / "oidc-provider" / "package.json").exists():
        return
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        if os.environ.get("CI"):
            raise AssertionError("Node.js and npm are needed for the OpenID provider")
        pytest.skip("needs Node.js and npm for the OpenID provider (tests/oidc)")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=PROVIDER, check=True, timeout=300)


class Provider:
    """The council's sign-in service: tests/oidc/provider.mjs on a loopback port."""

    def __init__(self, *redirect_uris: str) -> None:
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        command = ["node", str(PROVIDER / "provider.mjs"), "--port", str(self.port)]
        command += ["--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET]
        for uri in redirect_uris:
            command += ["--redirect-uri", uri]
        self.said: list[str] = []
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        try:
            until(
                lambda: any("OpenID provider listening" in line for line in self.said),
                30,
                lambda: f"the OpenID provider did not start: {self.said}",
            )
        except BaseException:
            self.stop()
            raise

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.said.append(line)

    def stop(self) -> None:
        """Stop the provider and wait for it to go."""
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.reader.join(timeout=5)
        if self.process.stdout is not None:
            self.process.stdout.close()


def settings(issuer: str, secret: str = CLIENT_SECRET) -> dict[str, str]:
    """Return a server's environment for the council's sign-in at `issuer`."""
    return {
        "MEETING_OIDC_ISSUER": issuer,
        "MEETING_OIDC_CLIENT_ID": CLIENT_ID,
        "MEETING_OIDC_CLIENT_SECRET": secret,
    }


def callback_of(server: LiveServer) -> str:
    """Return the address the provider sends people back to on `server`."""
    return server.url + "/login/council/callback"


@pytest.fixture(scope="module")
def council(tmp_path_factory) -> Iterator[tuple[Provider, LiveServer, LiveServer]]:
    """The provider, a server set up for it, and one whose client secret has expired."""
    node_modules()
    server = LiveServer(tmp_path_factory.mktemp("council"))
    expired = LiveServer(tmp_path_factory.mktemp("expired"))
    provider = Provider(callback_of(server), callback_of(expired))
    try:
        server.env = settings(provider.issuer)
        expired.env = settings(provider.issuer, secret="last-years-secret")
        server.start()
        expired.start()
        with server.commands() as app:
            runner = app.test_cli_runner()
            for email, name in [
                (ALICE, "Alice Chair"),
                ("bob.leaver@council.example", "Bob Leaver"),
                ("dave.unchecked@council.example", "Dave Unchecked"),
                ("erin.offhere@council.example", "Erin Offhere"),
            ]:
                made = runner.invoke(
                    args=["create-council-chair", email, "--name", name, "--agency", "CSC"]
                )
                assert made.exit_code == 0, made.output
            off = runner.invoke(args=["disable-chair", "erin.offhere@council.example"])
            assert off.exit_code == 0, off.output
            # The break-glass administrator, with a password kept by this server.
            with app.app_context():
                create_chair(db.session, "Ada Admin", "admin@council.example", password_hash())
                db.session.commit()
        with expired.commands() as app:
            with app.app_context():
                create_chair(db.session, "Alice Chair", ALICE, password_hash())
                db.session.commit()
        yield provider, server, expired
    finally:
        server.stop()
        expired.stop()
        provider.stop()


def at_provider(person: BrowserSession, server: LiveServer, wanted: str = "") -> requests.Response:
    """Open the log-in page and press "Sign in with your council account"; return where
    that leads (the provider's sign-in page, or a page of the meeting server)."""
    login = person.get(server.url + "/login" + (f"?next={wanted}" if wanted else ""))
    assert login.status_code == 200
    link = COUNCIL_LINK.search(login.text)
    assert link, "the log-in page offers no council sign-in"
    return person.get(urljoin(login.url, html.unescape(link.group(1))))


def sign_in(person: BrowserSession, server: LiveServer, login: str, wanted: str = ""):
    """Sign in at the provider as `login`; return the page the person ends on."""
    page = at_provider(person, server, wanted)
    form = PROVIDER_FORM.search(page.text)
    assert form, f"no sign-in form at the provider: {page.status_code} {page.text[:300]}"
    # The provider's own form: it carries none of the meeting server's tokens.
    return requests.Session.post(person, urljoin(page.url, form.group(1)), data={"login": login})


def signed_in(person: BrowserSession, server: LiveServer) -> bool:
    """Say whether the person's session opens a chair's page on the server."""
    answer = person.get(server.url + "/meetings/", allow_redirects=False)
    assert answer.status_code in (200, 302), answer.status_code
    return answer.status_code == 200


def session_keys(server: LiveServer, person: requests.Session) -> dict:
    """Return what the server's session cookie holds for this person (it is signed, not
    secret: the server's own key reads it)."""
    with server.commands() as app:
        serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        cookie = person.cookies.get(app.config["SESSION_COOKIE_NAME"], domain="127.0.0.1")
    assert cookie, "the person has no session with the server"
    return dict(serializer.loads(cookie))


def test_a_chair_signs_in_with_the_council_account_and_gets_the_page_they_asked_for(council):
    provider, server, _ = council
    alice = BrowserSession()
    asked = alice.get(server.url + "/meetings/new")
    assert urlsplit(asked.url).path == "/login", "a chair's page asks for a log-in first"
    page = asked.text
    assert page.index("Sign in with your council account") < page.index("Log in with a password")
    assert "<details" in page and '<details class="break-glass" open' not in page

    page = at_provider(alice, server, wanted="/meetings/new")
    asked_provider = urlsplit(page.history[0].headers["Location"])
    assert f"{asked_provider.scheme}://{asked_provider.netloc}" == provider.issuer
    sent = parse_qs(asked_provider.query)
    assert sent["code_challenge_method"] == ["S256"] and sent["code_challenge"]
    assert sent["state"] and sent["nonce"] and sent["response_type"] == ["code"]
    assert sent["redirect_uri"] == [callback_of(server)]
    assert "openid" in sent["scope"][0].split() and "email" in sent["scope"][0].split()

    form = PROVIDER_FORM.search(page.text)
    assert form, page.text
    landed = requests.Session.post(alice, urljoin(page.url, form.group(1)), data={"login": "alice"})
    assert landed.status_code == 200, landed.text
    assert landed.url == server.url + "/meetings/new", "the page the chair asked for"
    hops = [urlsplit(r.headers.get("Location", "")) for r in landed.history]
    callback = next(h for h in hops if h.path == "/login/council/callback")
    assert {"code", "state"} <= set(parse_qs(callback.query))

    made = alice.post(
        server.url + "/meetings/new",
        data={
            "title": "Council-account review",
            "kind": "other",
            "child": "C.D.",
            "starts_at": HELD_AT,
            "place": "Room 1",
        },
    )
    assert made.status_code == 200 and "Council-account review" in made.text
    assert re.search(r"/meetings/\d+", made.url)

    # The session is a password log-in's (each having opened the same page since): the same
    # keys and a log-in time of now, so the same CHAIR_SESSION_HOURS apply; nothing of the
    # sign-in (its state, nonce and PKCE verifier) is left in it.
    admin = BrowserSession()
    fields = {"email": "admin@council.example", "password": PASSWORD}
    by_password = admin.post(server.url + "/login?next=/meetings/new", data=fields)
    assert by_password.url == server.url + "/meetings/new"
    council_session, password_session = session_keys(server, alice), session_keys(server, admin)
    assert set(council_session) == set(password_session)
    assert {"chair_id", "chair_version", "chair_since"} <= set(council_session)
    assert abs(council_session["chair_since"] - time.time()) < 120
    assert signed_in(admin, server), "the break-glass password log-in still works"

    # Alice has no password here: leaving the council switches her off everywhere.
    alices_password = {"email": ALICE, "password": PASSWORD}
    refused = BrowserSession().post(server.url + "/login", data=alices_password)
    assert refused.status_code == 401


def test_the_address_is_matched_whatever_its_case(council):
    provider, server, _ = council
    # The provider says Alice.Chair@Council.example; the account is alice.chair@council.example.
    alice = BrowserSession()
    landed = sign_in(alice, server, "alice")
    assert landed.status_code == 200 and landed.url == server.url + "/meetings/", landed.url
    assert "New meeting" in landed.text and signed_in(alice, server)


def test_pressing_the_button_again_and_again_still_signs_in(council):
    provider, server, _ = council
    alice = BrowserSession()
    sizes = []
    for _ in range(20):
        page = at_provider(alice, server)
        sizes.append(len(alice.cookies.get("session", domain="127.0.0.1") or ""))
    # A sign-in under way is kept in the session cookie, which a browser drops past 4 KB:
    # it must not grow with each press.
    assert max(sizes) < sizes[0] + 100, sizes
    form = PROVIDER_FORM.search(page.text)
    assert form
    landed = requests.Session.post(alice, urljoin(page.url, form.group(1)), data={"login": "alice"})
    assert landed.url == server.url + "/meetings/", landed.url
    assert signed_in(alice, server)


def refused_page(landed: requests.Response, status: int) -> str:
    """Check the person was sent back to a log-in page saying why; return what it says."""
    assert landed.status_code == status, landed.text
    text = text_of(landed.text)
    assert "Traceback" not in landed.text
    assert 'name="password"' in landed.text, "the log-in form is still there"
    assert "Sign in with your council account" in landed.text
    return text


def test_a_leaver_switched_off_at_the_provider_cannot_get_in(council):
    provider, server, _ = council
    bob = BrowserSession()
    landed = sign_in(bob, server, "bob")
    assert urlsplit(landed.url).path == "/login/council/callback"
    assert "error=access_denied" in urlsplit(landed.url).query
    said = refused_page(landed, 403)
    assert "did not let you in" in said and "switched off" in said
    assert not signed_in(bob, server)


def test_someone_with_no_chair_account_is_refused_and_nothing_is_made(council):
    provider, server, _ = council
    carol = BrowserSession()
    said = refused_page(sign_in(carol, server, "carol"), 403)
    assert "You signed in as carol.nochair@council.example" in said
    assert "no chair account here has that address" in said and "no account was made" in said
    assert not signed_in(carol, server)
    with server.commands() as app:
        listed = app.test_cli_runner().invoke(args=["list-chairs"]).output
    assert "carol" not in listed


def test_an_address_the_provider_has_not_confirmed_is_refused(council):
    provider, server, _ = council
    dave = BrowserSession()
    said = refused_page(sign_in(dave, server, "dave"), 401)
    assert "has not confirmed your email address" in said
    assert not signed_in(dave, server)


def test_a_chair_switched_off_here_is_refused(council):
    provider, server, _ = council
    erin = BrowserSession()
    said = refused_page(sign_in(erin, server, "erin"), 403)
    assert "The chair account for erin.offhere@council.example is switched off" in said
    assert not signed_in(erin, server)


def test_a_sign_in_answer_meant_for_another_browser_logs_nobody_in(council):
    provider, server, _ = council
    # Someone signs in at the provider but keeps the answer instead of following it back,
    # then gets it opened in another person's browser (a forged log-in).
    alice = BrowserSession()
    page = at_provider(alice, server)
    form = PROVIDER_FORM.search(page.text)
    assert form
    answer = requests.Session.post(
        alice, urljoin(page.url, form.group(1)), data={"login": "alice"}, allow_redirects=False
    )
    while urlsplit(answer.headers["Location"]).path != "/login/council/callback":
        answer = alice.get(urljoin(answer.url, answer.headers["Location"]), allow_redirects=False)
    kept = urljoin(answer.url, answer.headers["Location"])

    victim = BrowserSession()
    assert victim.get(server.url + "/login").status_code == 200
    said = refused_page(victim.get(kept), 400)
    assert "was not started in this browser" in said
    assert not signed_in(victim, server)

    # Nor does the right browser's answer with its state changed.
    parts = urlsplit(kept)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    forged = urlunsplit(parts._replace(query=urlencode({**query, "state": "made-up"})))
    refused_page(alice.get(forged), 400)
    assert not signed_in(alice, server)


def test_a_provider_error_sent_to_the_callback_is_said_plainly(council):
    provider, server, _ = council
    person = BrowserSession()
    denied = person.get(
        server.url + "/login/council/callback",
        params={"error": "access_denied", "error_description": "<script>Call 0800</script>"},
    )
    said = refused_page(denied, 403)
    assert "did not let you in" in said and "0800" not in said
    odd = person.get(server.url + "/login/council/callback", params={"error": "<b>x</b>"})
    assert "refused this sign-in" in refused_page(odd, 401) and "<b>" not in odd.text


def test_a_token_exchange_the_provider_refuses_is_said_plainly(council):
    provider, _, expired = council
    # This server's client secret is not the one the provider has: the code it brings
    # back cannot be exchanged.
    alice = BrowserSession()
    said = refused_page(sign_in(alice, expired, "alice"), 502)
    assert "did not confirm this sign-in" in said
    assert not signed_in(alice, expired)
    assert any("token exchange was refused (invalid_client)" in line for line in expired.said)


def test_an_unreachable_provider_is_said_plainly(tmp_path):
    server = LiveServer(tmp_path)
    server.env = settings(f"http://127.0.0.1:{free_port()}")
    server.start()
    try:
        person = BrowserSession()
        said = refused_page(at_provider(person, server), 503)
        assert "could not be reached" in said
        assert not signed_in(person, server)
    finally:
        server.stop()


def test_without_the_settings_only_the_password_form_is_offered(client):
    page = client.get("/login")
    assert "council account" not in page.text and 'name="password"' in page.text
    assert client.get("/login/council").status_code == 404
    assert client.get("/login/council/callback?code=x&state=y").status_code == 404


def test_half_the_settings_stop_the_start(app):
    app.config["OIDC_ISSUER"] = "https://login.microsoftonline.com/council/v2.0"
    app.config["SECRET_KEY"] = secrets.token_hex(32)
    with pytest.raises(NotReady) as stopped:
        ready(app)
    said = str(stopped.value)
    assert "MEETING_OIDC_CLIENT_ID and MEETING_OIDC_CLIENT_SECRET" in said


def test_a_chairs_password_can_be_taken_away_leaving_the_council_sign_in(app):
    make_chair(app)
    before = log_in(app)
    runner = app.test_cli_runner()
    removed = runner.invoke(args=["remove-chair-password", "Chair@Example.org"])
    assert removed.exit_code == 0 and "signs in only with the council's account" in removed.output
    assert "chair@example.org\tSam Chair" in runner.invoke(args=["list-chairs"]).output
    assert "council sign-in only" in runner.invoke(args=["list-chairs"]).output
    assert before.get("/meetings/").status_code == 302, "logged out on every device"
    again = app.test_client().post(
        "/login", data={"email": "chair@example.org", "password": PASSWORD}
    )
    assert again.status_code == 401
    unknown = runner.invoke(args=["remove-chair-password", "nobody@example.org"])
    assert unknown.exit_code == 1 and "No chair account" in unknown.output
