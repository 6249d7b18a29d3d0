"""One round in every room of a target at once, and what it measured.

A round: the chair opens it; once everyone's page shows it open, everyone who rates does
so (all in the same second, or spread over 15 s), each rating acknowledged by the answer
to its POST; when every page of the room shows every acknowledged rating in the progress,
the chair reveals; the round ends when every page shows the reveal (or a wait runs out,
and the round did not complete).

Latency of a rating, as its person feels it: sent (the button pressed) → the moment the
last page of its meeting shows it in the progress (`sent`), and sent → the answer to its
POST (`answer`). Beside them, from the acknowledgement (`progress`: a page that showed it
before the acknowledgement counts 0). Latency of the reveal: its acknowledgement → the last
page of the meeting shows it revealed.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from .pages import Marks, until
from .servers import Servers
from .targets import Room, Target, gather_limited

SHAPES = {"burst": 1.0, "spread": 15.0}
SHAPE_WORDS = {"burst": "all rate in the same second", "spread": "spread over 15 s"}
INF = float("inf")


@dataclass
class RoundResult:
    target: str
    shape: str
    number: int
    progress: list[float] = field(default_factory=list)
    # A rating sent → the last page shows it; sent → its POST answered.
    sent: list[float] = field(default_factory=list)
    answer: list[float] = field(default_factory=list)
    reveal: list[float] = field(default_factory=list)
    open: list[float] = field(default_factory=list)
    requests: int = 0
    failed_requests: int = 0
    reconnects: int = 0
    cpu: float = 0.0
    # The benchmark's own CPU (every client is in its one process), and how many times a
    # connection found a server's listen queue full (the whole machine's count).
    client_cpu: float = 0.0
    listen_overflows: int = 0
    seconds: float = 0.0
    ratings: int = 0
    acked: int = 0
    found: int = 0
    # Meetings whose record could not be read afterwards (the server did not answer).
    unread: int = 0
    # Acknowledged and not in the record; in the record more than once.
    lost: int = 0
    doubled: int = 0
    # In the record, though the page gave up waiting for the answer (it would send the
    # rating again when its connection is back, and the form's one-time token keeps it once).
    unanswered: int = 0
    exactly_once: bool = True
    clients: int = 0
    clients_complete: int = 0

    @property
    def complete(self) -> bool:
        every = self.progress + self.sent + self.reveal + self.open
        return (
            self.clients_complete == self.clients
            and self.acked == self.ratings
            and all(math.isfinite(v) for v in every)
        )

    def as_json(self) -> dict[str, Any]:
        shown = asdict(self)
        for key in ("progress", "sent", "answer", "reveal", "open"):
            shown[key] = [round(v, 4) if math.isfinite(v) else None for v in shown[key]]
        shown["complete"] = self.complete
        return shown


def _last(room: Room, what: str, name: str | None = None) -> float:
    """When the last page of the room first showed `what` (inf: some page never did)."""
    assert room.state
    return max(page.marks.first(what, room.state.keys, name) for page in room.pages)


def _everyone_shows(rooms: list[Room], what: str, names: bool = False) -> bool:
    for room in rooms:
        assert room.state
        wanted = list(room.state.acks) if names else [None]
        for name in wanted:
            if _last(room, what, name) == INF:
                return False
    return True


async def play(
    target: Target,
    shape: str,
    number: int,
    within: float,
    seed: int,
    everyone: list[Servers] | None = None,
) -> RoundResult:
    """Play round `number` in every room of the target; return what it measured.

    It begins when every server of the run (`everyone`) is quiet, so that what one still
    does for an earlier round is not counted against another.
    """
    rooms = target.rooms
    result = RoundResult(target.name, shape, number)
    await asyncio.gather(*(target.before_round(room, within) for room in rooms))
    await asyncio.gather(*(s.idle(within=60) for s in everyone or [target.servers]))
    # A page whose connection dropped (a server too busy to answer its pings) is back.
    pages = [page for room in rooms for page in room.pages]
    await until(lambda: all(p.sio is not None and p.sio.connected for p in pages), within)
    for room in rooms:
        for page in room.pages:
            page.marks = Marks()
    cpu, tally = target.servers.cpu(), (target.tally.requests, target.tally.failed)
    reconnects = target.tally.reconnects
    client_cpu, overflows = time.process_time(), listen_overflows()
    began = time.monotonic()

    await asyncio.gather(*(_guarded(target.open(room)) for room in rooms))
    opened = [room for room in rooms if room.state and room.state.opened is not None]
    await until(lambda: _everyone_shows(opened, "opened"), within)
    start = time.monotonic() + 0.2
    chance = random.Random(seed)
    window = SHAPES[shape]
    await asyncio.gather(*(_room(target, room, start, window, chance, within) for room in opened))

    result.seconds = time.monotonic() - began
    result.cpu = target.servers.cpu() - cpu
    result.client_cpu = time.process_time() - client_cpu
    result.listen_overflows = listen_overflows() - overflows
    result.requests = target.tally.requests - tally[0]
    result.failed_requests = target.tally.failed - tally[1]
    result.reconnects = target.tally.reconnects - reconnects
    for room in rooms:
        _measure(room, result)
    if not result.complete:
        # What a saturated server still has queued is done before its record is read.
        await target.servers.idle(within=120)
    await _read_records(target, rooms, within)
    for room in rooms:
        state = room.state
        if state is None or state.opened is None:
            continue
        if state.found is None:
            result.unread += 1
            continue
        result.found += len(state.found)
        kept = Counter(state.found)
        result.lost += sum(1 for name in state.acks if kept[name] == 0)
        result.doubled += sum(n - 1 for n in kept.values() if n > 1)
        result.unanswered += sum(1 for name in kept if name not in state.acks)
        result.exactly_once = result.exactly_once and not result.lost and not result.doubled
    return result


def listen_overflows() -> int:
    """How many connections the kernel has refused for a full listen queue, so far."""
    try:
        lines = [line.split() for line in Path("/proc/net/netstat").read_text().splitlines()]
    except OSError:
        return 0
    for names, values in zip(lines[::2], lines[1::2], strict=False):
        if names and names[0] == "TcpExt:" and "ListenOverflows" in names:
            return int(values[names.index("ListenOverflows")])
    return 0


async def _read_records(target: Target, rooms: list[Room], within: float) -> None:
    """Read whose ratings each room's record holds, a few at a time, for a bounded time."""

    async def read(room: Room) -> None:
        state = room.state
        if state is None or state.opened is None:
            return
        try:
            state.found = await target.found(room)
        except (TimeoutError, aiohttp.ClientError, ValueError, KeyError):
            state.found = None

    try:
        await asyncio.wait_for(gather_limited(8, *(read(room) for room in rooms)), 4 * within)
    except TimeoutError:
        pass


async def _guarded(work: Any) -> None:
    try:
        await work
    except (TimeoutError, aiohttp.ClientError):
        pass


async def _room(
    target: Target, room: Room, start: float, window: float, chance: random.Random, within: float
) -> None:
    """Everyone in one room rates at their moment; then the chair reveals."""
    state = room.state
    assert state

    async def rate(page: Any, at: float, score: int) -> None:
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        # Nobody rates before their page shows the round open.
        if not await until(lambda: target.ready_to_rate(page, room), within):
            state.refused.append(room.name_of(page))
            return
        sent = time.monotonic()
        try:
            ack = await target.rate(page, room, score)
        except (TimeoutError, aiohttp.ClientError):
            ack = None
        if ack is None:
            state.refused.append(room.name_of(page))
        else:
            state.acks[room.name_of(page)] = ack
            state.sent[room.name_of(page)] = sent

    await asyncio.gather(
        *(rate(p, start + chance.random() * window, chance.randint(0, 10)) for p in room.raters)
    )
    await until(lambda: _everyone_shows([room], "rated", names=True), within)
    await _guarded(target.reveal(room))
    if state.revealed is not None:
        await until(lambda: _everyone_shows([room], "revealed"), within)


def _measure(room: Room, result: RoundResult) -> None:
    state = room.state
    result.clients += len(room.pages)
    result.ratings += len(room.raters)
    if state is None or state.opened is None:
        result.open.append(INF)
        result.reveal.append(INF)
        return
    result.acked += len(state.acks)
    result.open.append(max(0.0, _last(room, "opened") - state.opened))
    for name, ack in state.acks.items():
        shown = _last(room, "rated", name)
        result.progress.append(max(0.0, shown - ack))
        result.sent.append(shown - state.sent[name])
        result.answer.append(ack - state.sent[name])
    if state.revealed is None:
        result.reveal.append(INF)
    else:
        result.reveal.append(max(0.0, _last(room, "revealed") - state.revealed))
    for page in room.pages:
        saw = [page.marks.first("opened", state.keys)]
        saw += [page.marks.first("rated", state.keys, name) for name in state.acks]
        if state.revealed is not None:
            saw.append(page.marks.first("revealed", state.keys))
        else:
            saw.append(INF)
        if all(math.isfinite(t) for t in saw):
            result.clients_complete += 1
