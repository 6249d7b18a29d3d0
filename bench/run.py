"""Measure the live loop: `python -m bench` (see bench/README.md).

For each size, the product and the bare relay are started afresh, their rooms set up, and
for each shape the targets play their rounds in turn, the order rotating each round so
that no target always goes first. A target whose round does not complete plays no more
rounds of that shape (the size saturates it); the run goes on.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from . import servers
from .report import Summary, tables
from .rounds import SHAPES, play
from .targets import Product, Relay, Target

TARGETS = ("product", "relay", "relay+get")
SIZES = "1x25,5x25,20x25,100x25@2"
RESULTS = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Size:
    """Meetings × people who rate (the chair and attendees), on this many processes."""

    meetings: int
    people: int
    processes: int = 1

    def __str__(self) -> str:
        shown = f"{self.meetings}×{self.people}"
        if self.processes > 1:
            shown += f" on {self.processes} processes + PostgreSQL + Redis"
        return shown


def parse_size(text: str) -> Size:
    """`5x25` (embedded: one process, SQLite) or `100x25@2` (processes + PostgreSQL + Redis)."""
    found = re.fullmatch(r"\s*(\d+)\s*[x×]\s*(\d+)\s*(?:@\s*(\d+))?\s*", text)
    if not found or int(found.group(1)) < 1 or int(found.group(2)) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: write a size as 5x25, or 100x25@2")
    return Size(int(found.group(1)), int(found.group(2)), int(found.group(3) or 1))


def _list(text: str, allowed: tuple[str, ...] | list[str]) -> list[str]:
    chosen = [t.strip() for t in text.split(",") if t.strip()]
    wrong = [t for t in chosen if t not in allowed]
    if wrong or not chosen:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(allowed)}")
    return chosen


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--sizes",
        type=lambda t: [parse_size(s) for s in t.split(",")],
        default=None,
        help=f"meetings x people[@processes], comma-separated (default {SIZES})",
    )
    parser.add_argument(
        "--shapes",
        type=lambda t: _list(t, list(SHAPES)),
        default=list(SHAPES),
        help="burst (all rate in the same second), spread (over 15 s); default both",
    )
    parser.add_argument(
        "--targets",
        type=lambda t: _list(t, TARGETS),
        default=list(TARGETS),
        help="what is measured; default product,relay,relay+get",
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds per shape (default 3)")
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: 1x25, one round of each shape"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        help="seconds each step of a round may take before it did not complete (default 30)",
    )
    parser.add_argument(
        "--product-command",
        default=servers.PRODUCT,
        help="how to start the product ({python} and {port} are filled in; default %(default)r)",
    )
    parser.add_argument(
        "--relay-command",
        default=servers.RELAY,
        help="how to start the relay (default %(default)r)",
    )
    parser.add_argument("--seed", type=int, default=14, help="for the moments people rate")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the JSON is written")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes = args.sizes or [parse_size("1x25")]
        args.rounds = 1
    args.sizes = args.sizes or [parse_size(s) for s in SIZES.split(",")]
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


async def measure_size(size: Size, args: argparse.Namespace, folder: Path) -> list[Summary]:
    """Set up one size, play every shape's rounds on every target; return the summaries."""
    summaries: list[Summary] = []
    with ExitStack() as stack:
        database = redis_url = prefix = None
        if size.processes > 1:
            database = stack.enter_context(servers.postgres_database())
            prefix = stack.enter_context(servers.redis_prefix())
            redis_url = servers.REDIS
        targets: list[Target] = []
        wanted = args.targets
        if "product" in wanted:
            running = servers.product(
                folder, size.processes, database, redis_url, prefix, args.product_command
            )
            stack.callback(running.stop)
            items = args.rounds * len(args.shapes)
            targets.append(Product(running, size.meetings, size.people, items))
        if "relay" in wanted or "relay+get" in wanted:
            relaying = servers.relay(folder, size.processes, redis_url, prefix, args.relay_command)
            stack.callback(relaying.stop)
            bare = Relay(relaying, size.meetings, size.people, push=True)
            fetching = Relay(relaying, size.meetings, size.people, push=False).sharing(bare)
            targets += [t for t in (bare, fetching) if t.name in wanted]
        # The baseline goes first: a size that saturates the product slows, while it lasts,
        # the clients every target shares.
        targets.sort(key=lambda t: t.name == "product")
        ready: list[Target] = []
        for target in targets:
            if isinstance(target, Relay) and target.name == "relay+get" and "relay" in wanted:
                ready.append(target)
                continue
            began = time.monotonic()
            try:
                await target.setup()  # type: ignore[attr-defined]
            except Exception as problem:  # noqa: BLE001 - a size that cannot be set up is reported
                say(f"{size}: {target.name} could not be set up: {problem!r}")
                for shape in args.shapes:
                    summaries.append(Summary(str(size), shape, target.name, note="not set up"))
                continue
            say(f"{size}: {target.name} set up in {time.monotonic() - began:.0f} s")
            ready.append(target)
        measured = list(ready)
        try:
            for shape in args.shapes:
                summaries += [
                    Summary(str(size), shape, t.name, note="not played: its server was stopped")
                    for t in measured
                    if t not in ready
                ]
                summaries += await measure_shape(size, shape, ready, args)
        finally:
            for target in measured:
                for s in summaries:
                    if s.target == target.name and s.size == str(size):
                        s.peak_rss = target.peak or target.servers.peak_rss()
            await asyncio.gather(*(t.close() for t in ready if t.name != "relay+get"))
    return summaries


async def measure_shape(
    size: Size, shape: str, targets: list[Target], args: argparse.Namespace
) -> list[Summary]:
    summaries = {t.name: Summary(str(size), shape, t.name) for t in targets}
    stopped: set[str] = set()
    for number in range(1, args.rounds + 1):
        turn = (number - 1) % max(1, len(targets))
        for target in targets[turn:] + targets[:turn]:
            if target.name in stopped or target not in targets:
                continue
            seed = args.seed * 1000 + number
            try:
                everyone = list({id(t.servers): t.servers for t in targets}.values())
                result = await play(target, shape, number, args.timeout, seed, everyone)
            except Exception as problem:  # noqa: BLE001 - the run goes on and says so
                say(f"{size} {shape} {target.name} round {number}: {problem!r}")
                summaries[target.name].note = f"stopped at round {number}: {problem}"
                stopped.add(target.name)
                continue
            summaries[target.name].rounds.append(result)
            say(
                f"{size} {shape} round {number} {target.name}: "
                f"progress max {max(result.progress, default=0):.3f} s, "
                f"reveal max {max(result.reveal, default=0):.3f} s, "
                f"{result.requests} requests, CPU {result.cpu:.2f} s, "
                f"{result.acked}/{result.found} acknowledged/found, "
                f"{result.clients_complete}/{result.clients} pages complete"
            )
            if not result.complete:
                summaries[target.name].note = f"stopped after round {number}: did not complete"
                stopped.add(target.name)
                if not await target.servers.idle(within=60):
                    # Still working through what it was sent: it would slow what is measured
                    # next, so it is stopped for the rest of this size.
                    summaries[target.name].note += "; its server, still busy, was stopped"
                    await stop(target, targets)
    return list(summaries.values())


async def stop(target: Target, targets: list[Target]) -> None:
    """Stop a target for the rest of its size (and the targets sharing its servers)."""
    for each in [t for t in targets if t.servers is target.servers]:
        each.peak = each.servers.peak_rss()
        targets.remove(each)
    await target.close()
    target.servers.stop()


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def machine() -> dict[str, object]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "system": platform.platform(),
    }


async def measure(
    args: argparse.Namespace, save: Callable[[list[Summary]], object]
) -> list[Summary]:
    """Measure every size, saving what was measured after each (`save`)."""
    # A Socket.IO client's own attempt to reconnect that fails (its server saturated) is
    # counted by its page; asyncio need not print each one.
    asyncio.get_running_loop().set_exception_handler(lambda _loop, _context: None)
    summaries: list[Summary] = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="meeting-bench-") as folder:
            summaries += await measure_size(size, args, Path(folder))
        save(summaries)
    return summaries


def main(argv: list[str] | None = None) -> int:
    """Measure what the arguments ask for; return the exit status."""
    # The process's signal handlers are left to whoever runs it: `program` as
    # `python -m bench`, pytest in tests/test_bench.py.
    args = arguments(argv)
    random.seed(args.seed)
    began = datetime.now(UTC)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{began.strftime('%Y%m%dT%H%M%SZ')}.json"
    command = " ".join(["python -m bench", *(argv if argv is not None else sys.argv[1:])])
    # Not asyncio.run: a client of a saturated server may be left waiting on a connection
    # that never answers, and cancelling it at the end must not keep the run from ending.
    loop = asyncio.new_event_loop()
    try:
        summaries = loop.run_until_complete(
            measure(args, lambda done: write(path, began, command, args, done))
        )
    finally:
        left = asyncio.all_tasks(loop)
        for task in left:
            task.cancel()
        if left:
            loop.run_until_complete(asyncio.wait(left, timeout=10))
        loop.close()
    table = write(path, began, command, args, summaries)
    print(table)
    print(f"\nWritten to {path}")
    # A size that saturates is a finding; a rating acknowledged and not kept (or kept twice)
    # is a failure.
    return 0 if all(s.figures()["exactly_once"] for s in summaries) else 1


def write(
    path: Path, began: datetime, command: str, args: argparse.Namespace, summaries: list[Summary]
) -> str:
    """Write what was measured so far as JSON; return its tables."""
    table = tables(summaries)
    record = {
        "date": began.isoformat(timespec="seconds"),
        "command": command,
        "machine": machine(),
        "options": {
            "sizes": [str(s) for s in args.sizes],
            "shapes": args.shapes,
            "targets": args.targets,
            "rounds": args.rounds,
            "timeout": args.timeout,
            "product_command": args.product_command,
            "relay_command": args.relay_command,
        },
        "results": [s.as_json() for s in summaries],
        "table": table,
    }
    path.write_text(json.dumps(record, indent=1, ensure_ascii=False))
    return table


def program(argv: list[str] | None = None) -> int:
    """Run as `python -m bench`: stopped from outside, stop the servers it started."""
    # SIGTERM (`timeout`, a cancelled job, systemd) becomes SystemExit, which unwinds
    # through what `measure_size` set up: its servers stop, its database is dropped. Only a
    # program owns its process's signals: importing `main` installs nothing.
    signal.signal(signal.SIGTERM, _stopped)
    return main(argv)


def _stopped(_number: int, _frame: FrameType | None) -> None:
    """Leave as a program stopped by SIGTERM leaves (128 + 15)."""
    sys.exit(143)


if __name__ == "__main__":
    sys.exit(program())
