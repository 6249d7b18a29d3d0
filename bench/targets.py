"""What is measured: the product's meetings, and the bare relay's rooms, with their people.

Both give the round the same steps (open, rate, reveal, and what the record holds), done
the way each one's pages do them. A room is one meeting: a chair, a display and attendees;
everyone but the display rates (the product lets its chair rate, in their own seat).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .pages import Page, Tally, until
from .servers import Servers, create_chairs

PASSWORD = "bench password, long enough"
NEXT_ITEM = r"/meetings/\d+/current"
# Round numbers of the relay's rooms, never used twice in a run.
RELAY_ROUNDS = itertools.count(1)


def item_title(number: int) -> str:
    return f"Bench item {number:03d}"


@dataclass
class RoundState:
    """One room's round: how the pages know it, and what was acknowledged when."""

    keys: set[tuple[str, str]]
    number: int
    round_id: str = ""
    opened: float | None = None
    acks: dict[str, float] = field(default_factory=dict)
    # When each acknowledged rating was sent: the moment its person pressed the button.
    sent: dict[str, float] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)
    revealed: float | None = None
    # Whose ratings the record holds afterwards (None: the record could not be read).
    found: list[str] | None = None


@dataclass
class Room:
    """One meeting under test: its chair, its display and its attendees."""

    name: str
    chair: Page
    display: Page
    attendees: list[Page]
    rater_names: dict[int, str] = field(default_factory=dict)
    meeting_id: int = 0
    # The agenda item the room is at (1, 2, ...): each round rates the next one.
    item: int = 0
    state: RoundState | None = None

    @property
    def pages(self) -> list[Page]:
        return [self.chair, self.display, *self.attendees]

    @property
    def raters(self) -> list[Page]:
        return [self.chair, *self.attendees]

    def name_of(self, page: Page) -> str:
        return self.rater_names[id(page)]


async def gather_limited(limit: int, *work: object) -> list[object]:
    """Run coroutines with at most `limit` at once; return their results in order."""
    gate = asyncio.Semaphore(limit)

    async def one(coroutine: Any) -> object:
        try:
            async with gate:
                return await coroutine
        finally:
            # Cancelled while waiting its turn: it never ran, and is closed unrun.
            coroutine.close()

    return list(await asyncio.gather(*(one(w) for w in work)))


class Target:
    """Something measured: a name, its servers, its rooms, and the steps of a round."""

    name = ""
    servers: Servers
    tally: Tally
    rooms: list[Room]
    # The servers' peak memory, read when they were stopped early.
    peak = 0

    async def before_round(self, room: Room, within: float) -> None:
        """Make the room ready for its next round."""

    async def open(self, room: Room) -> None:
        raise NotImplementedError

    def ready_to_rate(self, page: Page, room: Room) -> bool:
        raise NotImplementedError

    async def rate(self, page: Page, room: Room, score: int) -> float | None:
        raise NotImplementedError

    async def reveal(self, room: Room) -> None:
        raise NotImplementedError

    async def found(self, room: Room) -> list[str]:
        raise NotImplementedError

    async def close(self) -> None:
        await asyncio.gather(*(p.close() for room in self.rooms for p in room.pages))


class Product(Target):
    """The product's meetings, run through its pages as a chair, a display and attendees do."""

    name = "product"

    def __init__(self, servers: Servers, meetings: int, people: int, items: int) -> None:
        self.servers = servers
        self.tally = Tally()
        self.meetings = meetings
        self.people = people
        self.items = items
        self.rooms = []

    def _page(self, index: int, who: str) -> Page:
        return Page(self.servers.url_for(index), who, self.tally)

    async def setup(self, connect_limit: int = 16) -> None:
        names = [
            (f"Chair {m:03d}", f"chair{m:03d}@bench.example.org") for m in range(self.meetings)
        ]
        create_chairs(self.servers.database_url, names, PASSWORD)
        rooms = await gather_limited(
            4, *(self._meeting(m, *names[m]) for m in range(self.meetings))
        )
        self.rooms = [r for r in rooms if isinstance(r, Room)]
        pages = [p for room in self.rooms for p in room.pages]
        await gather_limited(connect_limit, *(p.connect() for p in pages))

    async def _meeting(self, m: int, chair_name: str, email: str) -> Room:
        chair = self._page(0, chair_name)
        display = self._page(1, f"display {m:03d}")
        attendees = [
            self._page(2 + n, f"Person {m:03d}-{n + 1:02d}") for n in range(self.people - 1)
        ]
        room = Room(f"meeting {m:03d}", chair, display, attendees)
        room.rater_names = {id(p): p.who for p in room.raters}
        await chair.load("/login")
        _, answer = await chair.form("/login", {"email": email, "password": PASSWORD})
        assert answer.status == 200, f"{chair_name} could not log in"
        starts = (datetime.now() + timedelta(days=1)).strftime("%Y-%m-%dT10:00")
        details = {
            "title": f"Bench meeting {m:03d}",
            "kind": "other",
            "child": "A.B.",
            "starts_at": starts,
            "place": "Room 2",
        }
        made, page = await chair.form("/meetings/new", details)
        room.meeting_id = int(re.search(r"/meetings/(\d+)", made.location).group(1))  # type: ignore[union-attr]
        for n in range(1, self.items + 1):
            item = {"title": item_title(n), "body": "Concerns and strengths.", "scale": "safety"}
            added, _ = await chair.form(f"/meetings/{room.meeting_id}/items", item, follow=False)
            assert added.status == 302, f"item {n} of {room.name} was not added"
        code = re.search(r"/join/([A-Z0-9-]+)", page.text).group(1)  # type: ignore[union-attr]

        async def join(person: Page) -> None:
            await person.load(f"/join/{code}")
            fields = {
                "name": person.who,
                "role": "Practitioner",
                "agency": "Health",
                "part": "professional",
            }
            joined, _ = await person.form(f"/join/{code}", fields, follow=False)
            assert joined.status == 302, f"{person.who} could not join"

        await gather_limited(6, *(join(p) for p in attendees))
        await chair.load(f"/meetings/{room.meeting_id}")
        _, whole = chair.html["page"]
        for admit in sorted(set(re.findall(r'action="(/meetings/\d+/people/\d+/admit)"', whole))):
            admitted, _ = await chair.form(admit, {}, follow=False)
            assert admitted.status == 302, f"{admit} failed"
        started, _ = await chair.form(f"/meetings/{room.meeting_id}/start", {}, follow=False)
        assert started.status == 302, f"{room.name} did not start"
        await chair.load(f"/meetings/{room.meeting_id}")
        link = re.search(r'href="(/display/[^"]+)"', chair.html["page"][1])
        await display.load(link.group(1))  # type: ignore[union-attr]
        await gather_limited(6, *(p.load(f"/m/{room.meeting_id}") for p in attendees))
        return room

    async def before_round(self, room: Room, within: float) -> None:
        room.item += 1
        if room.item == 1:
            return
        # The chair's "Next item" button: a whole-page form; the browser loads the new page.
        chair = room.chair
        label = f"Next item: {item_title(room.item)}"
        if not await until(lambda: chair.find_form(NEXT_ITEM, label) is not None, within):
            # A round that did not complete is still open: the chair reveals it first.
            await chair.load(f"/meetings/{room.meeting_id}")
            stuck = chair.find_form(r"/meetings/\d+/rounds/\d+/reveal")
            if stuck:
                await chair.form(*stuck)
                await chair.load(f"/meetings/{room.meeting_id}")
        found = chair.find_form(NEXT_ITEM, label)
        if found is None:
            raise RuntimeError(f"{room.name}: no button to move to the next item")
        action, fields = found
        _, page = await chair.form(action, fields)
        await chair.close_socket()
        chair.drawn(f"/meetings/{room.meeting_id}", page)
        await chair.connect()

    async def open(self, room: Room) -> None:
        chair = room.chair
        found = chair.find_form(r"/meetings/\d+/items/\d+/rounds", "Open a rating round")
        assert found, f"{room.name}: no button to open a round"
        action, fields = found
        first, answer = await chair.form(action, fields, place="region-controls")
        room.state = state = RoundState({("item", item_title(room.item))}, room.item)
        if first.status != 302:
            return
        state.opened = first.at
        # The answer draws the chair's controls anew: its Reveal button names the round.
        chair.html["controls"] = (answer.at, answer.text)
        round_id = re.search(r"/rounds/(\d+)/reveal", answer.text)
        if round_id:
            state.round_id = round_id.group(1)
            state.keys.add(("round", state.round_id))

    def ready_to_rate(self, page: Page, room: Room) -> bool:
        state = room.state
        return bool(state and state.round_id and self._rate_form(page, state.round_id))

    def _rate_form(self, page: Page, round_id: str) -> tuple[str, dict[str, str]] | None:
        return page.find_form(rf"/m/\d+/rounds/{round_id}/rating")

    async def rate(self, page: Page, room: Room, score: int) -> float | None:
        assert room.state
        found = self._rate_form(page, room.state.round_id)
        assert found
        action, fields = found
        fields |= {"score": str(score), "reason": "As discussed."}
        first, answer = await page.form(action, fields, place="region-rate")
        # Saved: answered with the rating place drawn anew (hx-select="#region-rate"), or
        # sent to the page (a server that answers a form in place with a redirect).
        if first.status not in (200, 302):
            return None
        page.html["rate"] = (answer.at, answer.text)
        return first.at

    async def reveal(self, room: Room) -> None:
        assert room.state
        found = room.chair.find_form(rf"/meetings/\d+/rounds/{room.state.round_id}/reveal")
        assert found, f"{room.name}: no Reveal button"
        action, fields = found
        first, answer = await room.chair.form(action, fields, place="region-controls")
        if first.status == 302:
            room.state.revealed = first.at
            room.chair.html["controls"] = (answer.at, answer.text)

    async def found(self, room: Room) -> list[str]:
        assert room.state
        answer = await room.chair.send("GET", f"/meetings/{room.meeting_id}/record.json")
        record = json.loads(answer.text)
        title = item_title(room.state.number)
        item = next(i for i in record["items"] if i["title"] == title)
        rounds = [r for r in item["rounds"] if r["opened_at"]]
        return [rating["name"] for rating in rounds[-1]["ratings"]] if rounds else []


class Relay(Target):
    """The bare relay's rooms: the same people and steps, with nothing behind them.

    `push`: its events carry the new fragment (the bare relay); otherwise each page fetches
    it with one GET (relay + one GET per client).
    """

    def __init__(self, servers: Servers, meetings: int, people: int, push: bool) -> None:
        self.name = "relay" if push else "relay+get"
        self.servers = servers
        self.tally = Tally()
        self.meetings = meetings
        self.people = people
        self.push = "1" if push else ""
        self.rooms = []

    def sharing(self, other: Relay) -> Relay:
        """Use the rooms (and pages) of another relay target."""
        self.tally = other.tally
        self.rooms = other.rooms
        return self

    async def setup(self, connect_limit: int = 16) -> None:
        for m in range(self.meetings):
            pages = [
                Page(self.servers.url_for(i), f"{m:03d}-{i:02d}", self.tally)
                for i in range(self.people + 1)
            ]
            chair, display, *attendees = pages
            room = Room(f"m{m:03d}", chair, display, attendees)
            room.rater_names = {id(p): p.who for p in room.raters}
            self.rooms.append(room)

        async def ready(room: Room, page: Page) -> None:
            await page.load(f"/r/{room.name}")
            page.auth = {"room": room.name}
            await page.connect()

        await gather_limited(
            connect_limit, *(ready(room, p) for room in self.rooms for p in room.pages)
        )

    async def open(self, room: Room) -> None:
        room.item += 1
        key = str(next(RELAY_ROUNDS))
        room.state = RoundState({("round", key)}, room.item, key)
        first, _ = await room.chair.form(
            f"/r/{room.name}/open", {"value": key, "push": self.push}, follow=False
        )
        if first.status == 204:
            room.state.opened = first.at

    def ready_to_rate(self, page: Page, room: Room) -> bool:
        return bool(room.state and page.marks.first("opened", room.state.keys) < float("inf"))

    async def rate(self, page: Page, room: Room, score: int) -> float | None:
        fields = {"value": room.name_of(page), "push": self.push}
        first, _ = await page.form(f"/r/{room.name}/rate", fields, follow=False)
        return first.at if first.status == 204 else None

    async def reveal(self, room: Room) -> None:
        assert room.state
        first, _ = await room.chair.form(
            f"/r/{room.name}/reveal", {"value": "", "push": self.push}, follow=False
        )
        if first.status == 204:
            room.state.revealed = first.at

    async def found(self, room: Room) -> list[str]:
        answer = await room.chair.send("GET", f"/r/{room.name}/state")
        return list(json.loads(answer.text)["rated"])
