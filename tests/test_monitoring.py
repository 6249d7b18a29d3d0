"""/metrics: the figures a deployment's Prometheus reads, and who may read them.

Refused to anyone but the deployment's scraper (its Bearer token, or on the machine itself
when allowed); read from a real server while a meeting is held on it, and from the app
while the minutes and a letter go out. The figures move as the meeting does, and never
name a person, a child, a token or an address.
"""

import re

import pytest
import requests
import socketio
from conftest import (
    PASSWORD,
    BrowserSession,
    LiveServer,
    free_port,
    make_chair,
    settled,
    until,
)
from prometheus_client.parser import text_string_to_metric_families
from room import STARTS_AT
from story import circulate
from test_letter import (
    edit,
    letter_rows,
    meeting,  # noqa: F401  (a fixture)
    sent,
    write_first_draft,
    young_person_id,
)
from werkzeug.middleware.proxy_fix import ProxyFix

from meeting import create_app
from meeting.startup import NotReady

TOKEN = "scrape-" + "k3y" * 10
CHILD = "Jaylen Okafor"
PERSON = "Priya Shah"
REASON = "Dad's new partner has a caution"
RATING = "/m/<int:meeting_id>/rounds/<int:round_id>/rating"

Figures = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def figures(text: str) -> Figures:
    """Read Prometheus's text format as Prometheus does: each sample by name and labels."""
    found: Figures = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def one(found: Figures, name: str, **labels: str) -> float:
    """Return one sample's value (0 when the series is not there)."""
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_is_refused_to_anyone_but_the_deployments_scraper(app):
    client = app.test_client()
    bearer = {"Authorization": f"Bearer {TOKEN}"}

    # Nothing configured: no such address, whoever asks and however.
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers=bearer).status_code == 404

    app.config["METRICS_TOKEN"] = TOKEN
    for headers in (
        {},
        {"Authorization": "Bearer " + TOKEN[:-1]},
        {"Authorization": "Bearer " + TOKEN + "x"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": TOKEN},
    ):
        refused = client.get("/metrics", headers=headers)
        assert refused.status_code == 401, headers
        assert refused.headers["WWW-Authenticate"].startswith("Bearer")
        assert "meeting_" not in refused.text
    assert client.get(f"/metrics?token={TOKEN}").status_code == 401
    answered = client.get("/metrics", headers=bearer)
    assert answered.status_code == 200
    assert answered.mimetype == "text/plain"
    assert "meeting_http_responses_total" in answered.text
    assert answered.headers["Cache-Control"] == "no-store"

    # Only from this machine, straight to the process.
    app.config["METRICS_TOKEN"] = None
    app.config["METRICS_LOOPBACK"] = True
    assert client.get("/metrics").status_code == 200
    elsewhere = {"REMOTE_ADDR": "192.0.2.7"}
    assert client.get("/metrics", environ_base=elsewhere).status_code == 404
    through_a_proxy = {"X-Forwarded-For": "192.0.2.7"}
    assert client.get("/metrics", headers=through_a_proxy).status_code == 404
    # Behind a trusted proxy, a stranger who claims to be this machine is not.
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    claims = {"X-Forwarded-For": "127.0.0.1"}
    assert client.get("/metrics", headers=claims, environ_base=elsewhere).status_code == 404


def test_a_short_metrics_token_stops_the_start(tmp_path, monkeypatch):
    monkeypatch.setenv("MEETING_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("MEETING_METRICS_TOKEN", "secret")
    with pytest.raises(
        NotReady, match="MEETING_METRICS_TOKEN must be a token of at least 24 characters"
    ):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite3'}"})


class Screen:
    """A page's live connection (Socket.IO over WebSocket), with its session's cookies."""

    def __init__(self, url: str, http: requests.Session | None = None, **auth: str) -> None:
        self.client = socketio.Client(reconnection=False)
        cookies = "; ".join(f"{k}={v}" for k, v in (http.cookies.items() if http else []))
        self.client.connect(url, headers={"Cookie": cookies}, auth=auth, transports=["websocket"])

    def close(self) -> None:
        self.client.disconnect()


def test_a_meeting_on_the_real_server_moves_its_figures(tmp_path):
    server = LiveServer(tmp_path, env={"MEETING_METRICS_TOKEN": TOKEN})
    server.start()
    screens: list[Screen] = []
    try:
        scraper = requests.Session()
        scraper.headers["Authorization"] = f"Bearer {TOKEN}"

        def scrape() -> Figures:
            answer = scraper.get(server.url + "/metrics", timeout=10)
            assert answer.status_code == 200
            scrape.text += answer.text
            return figures(answer.text)

        scrape.text = ""
        assert requests.get(server.url + "/metrics", timeout=10).status_code == 401
        first = scrape()
        assert one(first, "meeting_meetings", status="setup") == 0
        assert (
            one(
                first,
                "meeting_build_info",
                version=requests.get(server.url + "/healthz", timeout=10).json()["version"],
            )
            == 1
        )

        chair = server.first_chair()
        details = {"title": "Review", "kind": "other", "child": CHILD, "starts_at": STARTS_AT}
        made = chair.post(server.url + "/meetings/new", data=details, allow_redirects=False)
        path = made.headers["Location"]
        meeting_id = int(re.search(r"/meetings/(\d+)", path).group(1))
        item = {"title": "Home", "body": "Rate it.", "scale": "safety"}
        assert chair.post(f"{server.url}{path}/items", data=item).ok
        page = chair.get(server.url + path).text
        display = re.search(r'href="/display/([^"]+)"', page).group(1)
        code = re.search(r'class="join-code"[^>]*>([\w-]+)<', page).group(1)
        assert one(scrape(), "meeting_meetings", status="setup") == 1

        screens.append(Screen(server.url, display=display))
        phone = BrowserSession()
        person = {"name": PERSON, "role": "Social worker", "agency": "CSC", "part": "professional"}
        assert phone.post(f"{server.url}/join/{code}", data=person).ok
        screens.append(Screen(server.url, phone, meeting=str(meeting_id)))
        now = scrape()
        assert one(now, "meeting_live_connections", kind="display") == 1
        assert one(now, "meeting_live_connections", kind="waiting") == 1
        assert one(now, "meeting_live_connections", kind="attendee") == 0

        listed = chair.get(server.url + path).text
        attendee_id = re.search(r"/people/(\d+)/admit", listed).group(1)
        assert chair.post(f"{server.url}{path}/people/{attendee_id}/admit").ok
        # Admitted, the phone's page loads again and connects as an attendee's.
        screens.pop().close()
        screens.append(Screen(server.url, phone, meeting=str(meeting_id)))
        until(
            lambda: one(scrape(), "meeting_live_connections", kind="waiting") == 0,
            10,
            "the waiting page's closed connection is still counted",
        )
        assert one(scrape(), "meeting_live_connections", kind="attendee") == 1

        assert chair.post(f"{server.url}{path}/start").ok
        now = scrape()
        assert one(now, "meeting_meetings", status="running") == 1
        assert one(now, "meeting_meetings", status="setup") == 0

        page = chair.get(server.url + path).text
        item_id = re.search(r"/items/(\d+)/rounds\"", page).group(1)
        opened = chair.post(f"{server.url}{path}/items/{item_id}/rounds", data={"number": "1"})
        round_id = re.search(r"/rounds/(\d+)/reveal", opened.text).group(1)
        before = scrape()
        rating = {"score": "3", "reason": REASON}
        rate = f"{server.url}/m/{meeting_id}/rounds/{round_id}/rating"
        assert phone.post(rate, data=rating).ok
        after = scrape()
        assert one(after, "meeting_ratings_recorded_total", given="device") == 1
        assert one(after, "meeting_ratings_recorded_total", given="phone") == 0
        sent = {"method": "POST", "route": RATING}
        assert one(after, "meeting_http_responses_total", status="302", **sent) == 1
        assert one(after, "meeting_http_request_duration_seconds_count", **sent) == 1
        assert one(before, "meeting_http_request_duration_seconds_count", **sent) == 0

        # A rating refused after the reveal was not recorded, and is not counted as one.
        assert chair.post(f"{server.url}{path}/rounds/{round_id}/reveal").ok
        assert phone.post(rate, data={"score": "5", "reason": ""}).status_code == 409
        late = scrape()
        assert one(late, "meeting_ratings_recorded_total", given="device") == 1
        assert one(late, "meeting_http_responses_total", status="409", **sent) == 1

        screens.pop(0).close()
        until(
            lambda: one(scrape(), "meeting_live_connections", kind="display") == 0,
            10,
            "the display's closed connection is still counted",
        )

        said = scrape.text
        for secret in (CHILD, PERSON, REASON, TOKEN, display, code, PASSWORD, "sam@example.org"):
            assert secret not in said, f"/metrics shows {secret!r}"
        routes = {dict(labels).get("route") for _name, labels in figures(said)} - {None}
        assert RATING in routes and "/join/<code>" in routes
        assert not [r for r in routes if re.search(r"/\d+(/|$)", r)], "an address, not a route"
    finally:
        for screen in screens:
            screen.close()
        server.stop()


@pytest.mark.parametrize("way", ["outbox", "unreachable"])
def test_the_minutes_emails_are_counted_by_what_became_of_them(story, app, way):
    app.config["METRICS_TOKEN"] = TOKEN
    scraper = app.test_client()
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    before = figures(scraper.get("/metrics", headers=bearer).text)
    if way == "unreachable":
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_TIMEOUT=2)
    assert circulate(story.people).status_code == 302
    after = figures(scraper.get("/metrics", headers=bearer).text)

    sent_to = len(settled(app))
    assert sent_to >= 3
    result = "outbox" if way == "outbox" else "failed"
    for kind_result in ("outbox", "failed", "sent", "refused"):
        grew = one(after, "meeting_mail_total", kind="minutes", result=kind_result) - one(
            before, "meeting_mail_total", kind="minutes", result=kind_result
        )
        assert grew == (sent_to if kind_result == result else 0), kind_result
    assert one(after, "meeting_mail_waiting", kind="minutes") == 0
    assert one(after, "meeting_meetings", status="closed") == 1


def test_a_chair_without_the_token_learns_nothing_from_metrics(app):
    """A logged-in chair is not the scraper: the session opens no figures."""
    app.config["METRICS_TOKEN"] = TOKEN
    make_chair(app)
    chair = app.test_client()
    assert chair.post("/login", data={"email": "chair@example.org", "password": PASSWORD})
    assert chair.get("/metrics").status_code == 401


def test_a_letter_to_the_young_person_is_counted_as_a_letter(meeting, app):  # noqa: F811
    app.config["METRICS_LOOPBACK"] = True
    scraper = app.test_client()
    before = figures(scraper.get("/metrics").text)
    circulate(meeting.people)
    page = write_first_draft(meeting)
    draft, _ = letter_rows(app)
    to = young_person_id(meeting)
    assert edit(meeting, draft.markdown, page, intent="send", to=to).status_code == 302
    assert [row.result for row in sent(app, 1)] == ["outbox"]

    def letters() -> float:
        now = figures(scraper.get("/metrics").text)
        return one(now, "meeting_mail_total", kind="letter", result="outbox") - one(
            before, "meeting_mail_total", kind="letter", result="outbox"
        )

    until(lambda: letters() == 1, 10, "the letter written to the outbox was not counted")
    after = figures(scraper.get("/metrics").text)
    assert one(after, "meeting_mail_total", kind="letter", result="failed") == one(
        before, "meeting_mail_total", kind="letter", result="failed"
    )
