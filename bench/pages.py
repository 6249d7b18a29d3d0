"""One person's device with one live page open, doing what the page's scripts do.

A `Page` keeps its own HTTP session (cookies, the page's CSRF token) and its own Socket.IO
connection, as a browser tab does, and follows `meeting/static/js/live.js`:

- it connects with `{meeting, screen, since}` (the mark the page was drawn at), and on a
  reconnect reads every region again;
- on `changed {regions, reload}` each region of the page that listens to one of the named
  regions is fetched again (`hx-get`, with htmx's headers and the X-CSRFToken header that
  forms.js adds); a refresh asked for while one is on its way is queued, never dropped,
  and several collapse into one (`hx-sync="this:queue last"`);
- `reload` (or the server closing the connection on purpose) loads the whole page again.

A region counts as shown when its new HTML has arrived. If an event carries the region's
HTML itself (`html: {region: "..."}`), that is shown at once instead of fetched.

What the page shows is noted by `Marks`: which round it shows open, whose ratings it shows
as in, and which rounds it shows revealed, each with the first moment it was shown.
"""

from __future__ import annotations

import asyncio
import html as html_lib
import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import aiohttp
import socketio

# One request that takes longer than this has failed (a saturated server).
REQUEST_TIMEOUT = 30.0
# A browser opens at most this many connections to one host at once (HTTP/1.1).
CONNECTIONS_PER_HOST = 6

# The Socket.IO clients' own messages (a connection lost, say): counted, not printed.
QUIET = logging.getLogger("bench.sockets")
QUIET.setLevel(logging.CRITICAL)
QUIET.propagate = False

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
REGION = re.compile(
    r'<section id="region-([\w-]+)"[^>]*?data-region="([^"]*)"[^>]*?hx-get="([^"]*)"', re.S
)
AS_OF = re.compile(r'data-as-of="(\d+)"')
LIVE_MEETING = re.compile(r'data-live-meeting="(\d+)"')
LIVE_DISPLAY = re.compile(r'data-live-display="([^"]+)"')


@dataclass
class Tally:
    """What the pages of one target asked of the server."""

    requests: int = 0
    failed: int = 0
    reconnects: int = 0


@dataclass
class Region:
    """A live part of a page: its name, the regions it listens to, where it is fetched."""

    name: str
    listens: frozenset[str]
    url: str
    busy: bool = False
    queued: bool = False


@dataclass
class Answer:
    status: int
    text: str
    location: str
    at: float


class Marks:
    """What a page has shown since the round began, with the first moment of each.

    The product's pages are read by their markup: a round shows open on the attendee and
    chair pages when the page holds its rating form (`rate-form-<round>`), a rating is in
    when the round's progress (`round-<round>-rated-<n>`) lists its rater as done, and a
    round is revealed when its heading announces it (`round-<round>-revealed`). The display
    has no round ids: its scene is read by its kind (`scene-round`, `scene-reveal`) and the
    title of the item it shows. Keys are ("round", id) or ("item", title).
    """

    RATE_FORM = re.compile(r'id="rate-form-(\d+)"')
    RATED = re.compile(r'data-announce="round-(\d+)-rated-\d+"')
    DONE = re.compile(r'<li class="done"><span aria-hidden="true">✓</span> (.+?) <span')
    REVEALED = re.compile(r'data-announce="round-(\d+)-revealed"')
    SCENE = re.compile(r'class="stage scene-(\w+)"')
    ITEM_TITLE = re.compile(r'<h1 class="item-title">([^<]*)</h1>')

    def __init__(self) -> None:
        self.opened: dict[tuple[str, str], float] = {}
        self.rated: dict[tuple[tuple[str, str], str], float] = {}
        self.revealed: dict[tuple[str, str], float] = {}

    def note(self, html: str, at: float) -> None:
        """Note what this HTML, shown at `at`, shows."""
        for round_id in self.RATE_FORM.findall(html):
            self.opened.setdefault(("round", round_id), at)
        progress = self.RATED.search(html)
        if progress:
            self._names(("round", progress.group(1)), html, at)
        for round_id in self.REVEALED.findall(html):
            self.revealed.setdefault(("round", round_id), at)
        scene = self.SCENE.search(html)
        title = self.ITEM_TITLE.search(html)
        if scene and title:
            key = ("item", html_lib.unescape(title.group(1)))
            if scene.group(1) == "round":
                self.opened.setdefault(key, at)
                self._names(key, html, at)
            elif scene.group(1) == "reveal":
                self.revealed.setdefault(key, at)

    def _names(self, key: tuple[str, str], html: str, at: float) -> None:
        for name in self.DONE.findall(html):
            self.rated.setdefault((key, html_lib.unescape(name)), at)

    def first(self, what: str, keys: set[tuple[str, str]], name: str | None = None) -> float:
        """Return when the page first showed `what` of the round known by `keys` (inf: never)."""
        if what == "rated":
            times = [self.rated.get((key, name or "")) for key in keys]
        else:
            times = [getattr(self, what).get(key) for key in keys]
        return min((t for t in times if t is not None), default=float("inf"))


@dataclass
class Page:
    """One person's device and the one live page it has open."""

    base: str
    who: str
    tally: Tally
    jar: aiohttp.CookieJar = field(default_factory=lambda: aiohttp.CookieJar(unsafe=True))
    csrf: str = ""
    path: str = ""
    auth: dict[str, Any] = field(default_factory=dict)
    regions: list[Region] = field(default_factory=list)
    # The newest HTML of each region (and of the whole page, "page"), when it arrived.
    html: dict[str, tuple[float, str]] = field(default_factory=dict)
    marks: Marks = field(default_factory=Marks)
    http: aiohttp.ClientSession | None = None
    sio: socketio.AsyncClient | None = None
    connected_before: bool = False
    # Which load of the page this is: what an earlier load asked for is not shown on it.
    generation: int = 0
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    # HTTP ------------------------------------------------------------------------------

    def session(self) -> aiohttp.ClientSession:
        if self.http is None:
            self.http = aiohttp.ClientSession(
                cookie_jar=self.jar,
                connector=aiohttp.TCPConnector(limit_per_host=CONNECTIONS_PER_HOST),
                timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT),
            )
        return self.http

    def htmx(self, target: str | None = None) -> dict[str, str]:
        """The headers htmx (and forms.js) send with a request from this page."""
        headers = {"HX-Request": "true", "HX-Current-URL": urljoin(self.base, self.path)}
        if target:
            headers["HX-Target"] = target
        if self.csrf:
            headers["X-CSRFToken"] = self.csrf
        # forms.js names the page's live connection: its own ring does not come back to it.
        if self.sio is not None and self.sio.connected:
            headers["X-Meeting-Socket"] = self.sio.get_sid("/") or ""
        return headers

    async def send(
        self,
        method: str,
        path: str,
        data: dict[str, str] | None = None,
        hx: bool = False,
        place: str | None = None,
    ) -> Answer:
        """Send one request (no redirect followed); raise on a failure to get an answer.

        `hx`: as htmx sends it; `place`: from that place of the page (its id, which htmx
        names in HX-Target), as forms.js sends a form in place.
        """
        headers = self.htmx(place) if hx else {}
        if method == "POST":
            # A browser says where a form comes from.
            headers["Origin"] = self.base.rstrip("/")
        self.tally.requests += 1
        try:
            async with self.session().request(
                method,
                urljoin(self.base, path),
                data=data,
                headers=headers,
                allow_redirects=False,
            ) as response:
                text = await response.text()
                at = time.monotonic()
                location = response.headers.get("Location", "")
        except (TimeoutError, aiohttp.ClientError):
            self.tally.failed += 1
            raise
        if "html" in response.headers.get("Content-Type", ""):
            token = CSRF_META.search(text)
            if token:
                self.csrf = token.group(1)
        return Answer(response.status, text, location, at)

    async def follow(self, answer: Answer, hx: bool = False, place: str | None = None) -> Answer:
        """Follow redirects from an answer as a browser does (a form's POST becomes a GET,
        with the same headers)."""
        while answer.status in (301, 302, 303) and answer.location:
            path = urlsplit(urljoin(self.base, answer.location))
            answer = await self.send(
                "GET", path.path + (f"?{path.query}" if path.query else ""), hx=hx, place=place
            )
        return answer

    async def form(
        self, path: str, data: dict[str, str], place: str | None = None, follow: bool = True
    ) -> tuple[Answer, Answer]:
        """Send a form with the page's CSRF token; return its first answer and the last.

        `place`: the form is sent in place from that place of the page (forms.js), by htmx.
        """
        if "csrf_token" not in data and self.csrf:
            data = {**data, "csrf_token": self.csrf}
        hx = place is not None
        first = await self.send("POST", path, data, hx=hx, place=place)
        return first, (await self.follow(first, hx=hx, place=place) if follow else first)

    def find_form(self, action: str, saying: str = "") -> tuple[str, dict[str, str]] | None:
        """Return the action and hidden fields of the newest form on the page whose action
        matches the pattern `action` (and whose markup holds `saying`)."""
        pattern = re.compile(
            r'<form method="post" action="(' + action + r')"[^>]*>(.*?)</form>', re.S
        )
        for _at, html in sorted(self.html.values(), key=lambda pair: -pair[0]):
            found = next((f for f in pattern.finditer(html) if saying in f.group(2)), None)
            if found:
                hidden = re.findall(
                    r'<input type="hidden" name="([^"]+)" value="([^"]*)">', found.group(2)
                )
                fields = {name: html_lib.unescape(value) for name, value in hidden}
                # A form that came with a ring has no tokens: the page fills in its own.
                if fields.get("once") == "":
                    fields["once"] = secrets.token_urlsafe(18)
                if fields.get("csrf_token") == "" and self.csrf:
                    fields["csrf_token"] = self.csrf
                return html_lib.unescape(found.group(1)), fields
        return None

    # The live page -------------------------------------------------------------------------

    async def load(self, path: str) -> None:
        """Open a page (a whole-page load): read its regions and its mark."""
        answer = await self.follow(await self.send("GET", path))
        if answer.status != 200:
            raise RuntimeError(f"{self.who}: {path} answered {answer.status}")
        self.drawn(path, answer)

    def drawn(self, path: str, answer: Answer) -> None:
        """Take a whole page that was loaded (or that a form's answer navigated to)."""
        page = answer.text
        # A browser drops what the page it leaves was still fetching.
        self.generation += 1
        self.path = path
        self.regions = [
            Region(name, frozenset(listens.split()), html_lib.unescape(url))
            for name, listens, url in REGION.findall(page)
        ]
        self.html = {"page": (answer.at, page)}
        self.marks.note(page, answer.at)
        meeting = LIVE_MEETING.search(page)
        display = LIVE_DISPLAY.search(page)
        as_of = AS_OF.search(page)
        self.auth = {
            "meeting": meeting.group(1) if meeting else None,
            "screen": display.group(1) if display else None,
            "since": int(as_of.group(1)) if as_of else 0,
        }

    def _auth(self) -> dict[str, Any]:
        # The mark goes with the first connect only; a reconnect reads every region anyway.
        if self.connected_before:
            return {k: v for k, v in self.auth.items() if k != "since"}
        return dict(self.auth)

    async def connect(self, wait: float = REQUEST_TIMEOUT) -> None:
        """Open the page's live connection, as live.js does when the page loads."""
        self.connected_before = False
        # Its own connections, sharing the page's cookies: a WebSocket is not one of the
        # six a browser opens for requests.
        self.sio = socketio.AsyncClient(
            http_session=aiohttp.ClientSession(cookie_jar=self.jar),
            reconnection=True,
            logger=QUIET,
            engineio_logger=QUIET,
        )
        self.sio.on("connect", self._connected)
        self.sio.on("disconnect", self._disconnected)
        self.sio.on("changed", self._changed)
        await self.sio.connect(self.base, auth=self._auth, wait_timeout=wait)

    def _connected(self) -> None:
        if self.connected_before:
            self.tally.reconnects += 1
            self.refresh(None)
        self.connected_before = True

    def _disconnected(self, reason: str = "") -> None:
        # The server closed it on purpose (a stopped link, a log-out): the page loads again.
        if reason == socketio.AsyncClient.reason.SERVER_DISCONNECT:
            self._spawn(self.reload())

    def _changed(self, message: dict[str, Any]) -> None:
        if message.get("reload"):
            self._spawn(self.reload())
            return
        pushed = dict(message.get("html") or {})
        if not message.get("theirs"):
            # As live.js: a region showing this person's own (their rating in the round
            # still open) is fetched rather than replaced by what every rater is sent.
            for name in list(pushed):
                if self._still_theirs(name, pushed[name]):
                    del pushed[name]
        self.refresh(message.get("regions") or [], pushed)

    PERSONAL = re.compile(r'data-personal="([^"]*)"')
    ROUND = re.compile(r'data-round="([^"]*)"')

    def _still_theirs(self, name: str, html: str) -> bool:
        shown = self.html.get(name)
        mark = self.PERSONAL.search(shown[1]) if shown else None
        if mark is None:
            return False
        round_ = self.ROUND.search(html)
        return mark.group(1) == "always" or bool(round_ and round_.group(1) == mark.group(1))

    def refresh(self, names: list[str] | None, pushed: dict[str, str] | None = None) -> None:
        """Bring the regions that listen to `names` (None: all) up to date."""
        now = time.monotonic()
        for region in self.regions:
            if names is not None and not region.listens & set(names):
                continue
            if pushed and region.name in pushed and not region.busy:
                # The event carries this region's HTML: shown now, nothing fetched.
                self.show(region.name, pushed[region.name], now)
            elif region.busy:
                # As live.js: what is on its way may be older than the news; read again after.
                region.queued = True
            else:
                region.busy = True
                self._spawn(self._fetch(region))

    async def _fetch(self, region: Region) -> None:
        generation = self.generation
        try:
            while True:
                region.queued = False
                try:
                    answer: Answer | None = await self._get_region(region)
                except (TimeoutError, aiohttp.ClientError):
                    answer = None
                if generation != self.generation:
                    return
                if answer is not None and answer.status < 500:
                    self.show(region.name, answer.text, answer.at)
                if not region.queued:
                    return
        finally:
            region.busy = False

    async def _get_region(self, region: Region) -> Answer:
        self.tally.requests += 1
        headers = self.htmx(f"region-{region.name}")
        headers["HX-Trigger"] = f"region-{region.name}"
        try:
            async with self.session().get(
                urljoin(self.base, region.url), headers=headers, allow_redirects=False
            ) as response:
                text = await response.text()
                return Answer(response.status, text, "", time.monotonic())
        except (TimeoutError, aiohttp.ClientError):
            self.tally.failed += 1
            raise

    def show(self, name: str, html: str, at: float) -> None:
        """A region's new HTML is on the page."""
        self.html[name] = (at, html)
        self.marks.note(html, at)

    async def reload(self) -> None:
        """Load the page again, with a new live connection (the browser reloads it)."""
        await self.close_socket()
        try:
            await self.load(self.path)
            await self.connect()
        except (TimeoutError, aiohttp.ClientError, socketio.exceptions.ConnectionError):
            self.tally.failed += 1

    def _spawn(self, work: Any) -> None:
        task = asyncio.ensure_future(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def close_socket(self) -> None:
        if self.sio is not None:
            sio, self.sio = self.sio, None
            try:
                await asyncio.wait_for(sio.disconnect(), 5)
            except (TimeoutError, Exception):  # noqa: BLE001 - closing, whatever state it is in
                pass
            if sio.eio.http is not None:
                await sio.eio.http.close()

    async def close(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        await self.close_socket()
        if self.http is not None:
            await self.http.close()


async def until(done: Callable[[], bool], within: float, step: float = 0.05) -> bool:
    """Wait until `done()` holds or `within` seconds pass; return whether it holds."""
    deadline = time.monotonic() + within
    while not done():
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(step)
    return True
