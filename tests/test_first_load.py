"""A phone's first load of the meeting, in real Chromium at 360 px against the real server:
it joined with the code, the chair let it in, a round is open. Counted as the network
carries it (each answer's bytes as sent, headers included), the load is under 100 KB; each
static file comes compressed and kept for good by its version, the page itself uncompressed
and kept by nobody; a reload fetches no static file again.

Twice: as Chromium asks a secure address (this loopback one, or HTTPS), which takes Brotli,
and as it asks a phone's plain-HTTP address on the room's network, which takes only gzip.
"""

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import SAFETY_ITEM, until
from playwright.sync_api import Browser, Page, expect
from room import ARGS, CHROMIUM, LIVE, Room

from meeting.templating import KEPT_FOR

# The most a phone's first load of the meeting may take, in bytes: what a phone on a poor
# connection in the room fetches before it can rate.
FIRST_LOAD = 100_000
# A name for this machine that is not loopback, so that Chromium treats it as it treats a
# laptop's address on the room's network: plain HTTP, not secure, so no Brotli.
ROOM_NETWORK = "meeting-laptop.test"
STATIC = Path(__file__).parent.parent / "meeting" / "static"
TEMPLATES = STATIC.parent / "templates"


@pytest.fixture(scope="module")
def room(module_server, browser) -> Room:
    """A meeting under way with its first round open."""
    room = Room.first_chair(module_server.url, browser, module_server.setup_code)
    room.new_meeting(SAFETY_ITEM)
    room.start()
    room.open_round()
    return room


@pytest.fixture(scope="module")
def room_network_browser(browser) -> Iterator[Browser]:
    """Chromium finding this machine by a name of its own, as phones in the room do."""
    rules = f"--host-resolver-rules=MAP {ROOM_NETWORK} 127.0.0.1"
    chromium = browser.browser_type.launch(executable_path=CHROMIUM, args=[*ARGS, rules])
    yield chromium
    chromium.close()


class Network:
    """What a page's loads took from the network, as Chromium's DevTools count it."""

    def __init__(self, page: Page) -> None:
        self.answers: dict[str, dict] = {}
        self.sizes: dict[str, int] = {}
        self.frames = 0
        cdp = page.context.new_cdp_session(page)
        cdp.on("Network.responseReceived", self._answered)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.webSocketFrameReceived", self._frame)
        cdp.on("Network.webSocketFrameSent", self._frame)
        cdp.send("Network.enable")

    def _answered(self, event: dict) -> None:
        response = event["response"]
        headers = {name.lower(): value for name, value in response["headers"].items()}
        self.answers[event["requestId"]] = {"url": response["url"], "headers": headers}

    def _finished(self, event: dict) -> None:
        # The bytes as they came over the wire: the headers and the body as encoded.
        self.sizes[event["requestId"]] = int(event["encodedDataLength"])

    def _frame(self, event: dict) -> None:
        self.frames += len(event["response"]["payloadData"])

    def clear(self) -> None:
        self.answers.clear()
        self.sizes.clear()
        self.frames = 0

    def total(self) -> int:
        return sum(self.sizes.values()) + self.frames

    def static(self) -> dict[str, dict]:
        """The answers that were static files, by request."""
        return {
            request_id: answer
            for request_id, answer in self.answers.items()
            if urlsplit(answer["url"]).path.startswith("/static/")
        }

    def all_in(self) -> bool:
        """Whether every static file answered has come in whole."""
        return all(request_id in self.sizes for request_id in self.static())

    def listing(self) -> str:
        """One line per answer: its size, encoding, caching and address."""
        lines = []
        for request_id, answer in self.answers.items():
            headers = answer["headers"]
            lines.append(
                f"{self.sizes.get(request_id, '?'):>7} {headers.get('content-encoding', '-'):<5}"
                f" {headers.get('cache-control', '-'):<38} {urlsplit(answer['url']).path[:60]}"
            )
        return "\n".join([*lines, f"{self.frames:>7} in WebSocket frames"])


def requests_for_static_files(said: list[str]) -> list[str]:
    """The server's access lines for static files."""
    return [line for line in said if re.search(r"\b(GET|HEAD) /static/", line)]


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_a_phones_first_load_is_small_and_a_reload_fetches_no_static_file(
    room, module_server, room_network_browser, encoding
):
    if encoding == "br":
        # At a secure address (loopback here, HTTPS in a deployment) Chromium takes Brotli.
        phone = room.join("Phone taking br", "Police")
        base = room.base
    else:
        # At a laptop's address on the room's network, over plain HTTP, it takes gzip. The
        # phone joins at the loopback address (Playwright sends its forms from outside
        # Chromium, which alone knows the name) and keeps its cookies for the name.
        joined = Room(room.base, room_network_browser, room.chair, room.meeting_id)
        phone = joined.join("Phone taking gzip", "Police")
        base = room.base.replace("127.0.0.1", ROOM_NETWORK)
        cookies = phone.context.cookies()
        phone.context.add_cookies([{**c, "domain": ROOM_NETWORK} for c in cookies])
    page = phone.context.new_page()
    network = Network(page)

    page.goto(f"{base}/m/{room.meeting_id}")
    expect(page.locator("#connection")).to_have_text("Live", timeout=LIVE)
    expect(page.get_by_role("button", name="Submit my rating")).to_be_visible(timeout=LIVE)
    page.wait_for_load_state("networkidle")
    until(
        network.all_in,
        LIVE / 1000,
        lambda: f"a static file did not come in whole:\n{network.listing()}",
    )

    listing = network.listing()
    assert network.total() < FIRST_LOAD, f"{network.total()} bytes:\n{listing}"
    # The page carries the meeting and the session's token: never kept, never compressed
    # (BREACH: its secrets sit beside what people typed).
    document = next(a for a in network.answers.values() if a["url"] == page.url)
    assert document["headers"]["cache-control"] == "no-store", listing
    assert "content-encoding" not in document["headers"], listing
    files = network.static().values()
    assert {urlsplit(f["url"]).path for f in files} >= {
        "/static/css/meeting.css",
        "/static/js/forms.js",
        "/static/js/live.js",
    }, listing
    for file in files:
        url, headers = file["url"], file["headers"]
        version = parse_qs(urlsplit(url).query).get("v", [""])[0]
        assert re.fullmatch(r"[0-9a-f]{12}", version), url
        assert headers.get("content-encoding") == encoding, listing
        kept = [part.strip() for part in headers["cache-control"].split(",")]
        assert "immutable" in kept and "public" in kept, listing
        max_age = next(int(p.split("=")[1]) for p in kept if p.startswith("max-age="))
        assert max_age >= KEPT_FOR, listing

    # The same phone again: the page comes from the server, no static file does.
    before = len(module_server.said)
    network.clear()
    page.reload()
    expect(page.locator("#connection")).to_have_text("Live", timeout=LIVE)
    page.wait_for_load_state("networkidle")
    until(
        lambda: any(f"GET /m/{room.meeting_id} " in line for line in module_server.said[before:]),
        LIVE / 1000,
        "the server did not log the reload",
    )
    assert requests_for_static_files(module_server.said[before:]) == [], network.listing()
    # Nor does Chromium count a byte for one (each is read from its cache).
    fetched = [f["url"] for i, f in network.static().items() if network.sizes.get(i)]
    assert fetched == [], network.listing()
    page.close()


def test_every_link_to_a_static_file_carries_its_version():
    """Templates link static files only through url_for, each naming a file that is there
    (one that is not gets no version, so no browser could keep it); nothing links one by
    a path of its own."""
    named = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        assert "/static/" not in text, template
        calls = re.findall(r"url_for\(\s*'static'[^)]*\)", text)
        assert text.count("'static'") == len(calls), template
        for call in calls:
            found = re.fullmatch(r"url_for\(\s*'static',\s*filename='([^']+)'\s*\)", call)
            assert found, f"{template}: {call}"
            assert (STATIC / found.group(1)).is_file(), f"{template}: {call}"
            named.append(found.group(1))
    assert "css/meeting.css" in named
    for script in [*STATIC.rglob("*.js"), *STATIC.rglob("*.css")]:
        if "vendor" not in script.parts:
            assert "/static/" not in script.read_text(), script
