"""The servers a run measures, started by the benchmark and stopped when it ends.

- the product on the embedded default: `python -m meeting` in a new instance folder
  (SQLite), as a newcomer starts it;
- the product scaled out: two `python -m meeting` processes on two ports sharing a new
  PostgreSQL database (made for the run, dropped after it) and Redis (its own prefix), with
  one secret key;
- the bare relay (`bench/relay.py`), as one process or two sharing Redis.

Each process's CPU time (user + system, its children included) and peak resident memory
are read from the kernel.
"""

from __future__ import annotations

import os
import secrets
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = "{python} -m meeting --port {port}"
RELAY = "{python} -m bench.relay --port {port}"
POSTGRES = os.environ.get("MEETING_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")
REDIS = os.environ.get("MEETING_BENCH_REDIS", "redis://127.0.0.1:6379/0")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Process:
    """One server process on a loopback port; what it writes goes to a file beside its data."""

    command: str
    env: dict[str, str]
    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_path: str, within: float = 60) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        argv = shlex.split(self.command.format(python=sys.executable, port=self.port))
        with open(self.folder / "server.log", "ab") as log:
            self.process = subprocess.Popen(
                argv,
                cwd=ROOT,
                env={**os.environ, **self.env},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{argv} stopped: see {self.folder / 'server.log'}")
            try:
                urllib.request.urlopen(self.url + ready_path, timeout=2)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{argv} did not answer within {within} s")

    def _tree(self) -> list[psutil.Process]:
        if self.process is None or self.process.poll() is not None:
            return []
        try:
            main = psutil.Process(self.process.pid)
            return [main, *main.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def cpu(self) -> float:
        """CPU seconds (user + system) the process and its children have used so far."""
        total = 0.0
        for each in self._tree():
            try:
                times = each.cpu_times()
                total += times.user + times.system
            except psutil.NoSuchProcess:
                pass
        return total

    def peak_rss(self) -> int:
        """The peak resident memory of the process and its children, in bytes (VmHWM)."""
        total = 0
        for each in self._tree():
            try:
                for line in Path(f"/proc/{each.pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1]) * 1024
            except OSError:
                pass
        return total

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)


@dataclass
class Servers:
    """The processes that serve one target; people are shared out between them."""

    processes: list[Process]
    database_url: str

    def url_for(self, index: int) -> str:
        """The server the index-th person's device talks to (sticky, as behind a proxy)."""
        return self.processes[index % len(self.processes)].url

    def cpu(self) -> float:
        return sum(p.cpu() for p in self.processes)

    def peak_rss(self) -> int:
        return sum(p.peak_rss() for p in self.processes)

    def stop(self) -> None:
        for p in self.processes:
            p.stop()

    async def idle(self, within: float = 60, below: float = 0.05, step: float = 0.5) -> bool:
        """Wait until the servers use less than `below` of a core; return whether they did."""
        import asyncio

        deadline = time.monotonic() + within
        before = self.cpu()
        while time.monotonic() < deadline:
            await asyncio.sleep(step)
            now = self.cpu()
            if now - before < below * step:
                return True
            before = now
        return False


@contextmanager
def postgres_database(server: str = POSTGRES) -> Iterator[str]:
    """A new PostgreSQL database for one run, dropped afterwards."""
    from sqlalchemy import create_engine, text

    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    name = f"meeting_bench_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield f"{server}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@contextmanager
def redis_prefix(url: str = REDIS) -> Iterator[str]:
    """A prefix of Redis keys and channels for one run; its keys are deleted afterwards."""
    import redis

    prefix = f"meeting-bench-{secrets.token_hex(4)}"
    try:
        yield prefix
    finally:
        client = redis.Redis.from_url(url)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
        client.close()


def product(
    folder: Path,
    processes: int = 1,
    database_url: str | None = None,
    redis_url: str | None = None,
    prefix: str | None = None,
    command: str = PRODUCT,
) -> Servers:
    """Start the product: one process on SQLite in `folder`, or several sharing a database
    and Redis."""
    env = {"MEETING_INSTANCE_PATH": str(folder / "instance")}
    url = database_url or f"sqlite:///{folder / 'instance' / 'meeting.sqlite3'}"
    if database_url:
        env["MEETING_DATABASE_URL"] = database_url
        env["MEETING_DATABASE_UPGRADES_ITSELF"] = "1"
    if redis_url:
        env["MEETING_REDIS_URL"] = redis_url
        env["MEETING_REDIS_PREFIX"] = prefix or "meeting-bench"
    # Anywhere but the one-room default (SQLite), the key must be given, and several
    # processes must share it.
    if processes > 1 or database_url:
        env["MEETING_SECRET_KEY"] = secrets.token_hex(32)
    made = [Process(command, dict(env), folder / f"product-{n + 1}") for n in range(processes)]
    if processes > 1:
        for each in made:
            each.env["MEETING_INSTANCE_PATH"] = str(each.folder / "instance")
    return Servers(start_all(made, "/login"), url)


def relay(
    folder: Path,
    processes: int = 1,
    redis_url: str | None = None,
    prefix: str | None = None,
    command: str = RELAY,
) -> Servers:
    """Start the bare relay: one process, or several sharing Redis."""
    env = {}
    if redis_url:
        env = {"BENCH_RELAY_MESSAGE_QUEUE": redis_url, "BENCH_RELAY_PREFIX": f"{prefix}-relay"}
    made = [Process(command, dict(env), folder / f"relay-{n + 1}") for n in range(processes)]
    return Servers(start_all(made, "/healthz"), "")


def start_all(made: list[Process], ready: str) -> list[Process]:
    """Start each process until `ready` answers; if one fails, stop every one (the one that
    did not come up included)."""
    try:
        for each in made:
            each.start(ready)
    except BaseException:
        for each in made:
            each.stop()
        raise
    return made


def create_chairs(database_url: str, chairs: list[tuple[str, str]], password: str) -> None:
    """Create chair accounts (name, email) in the product's database, as the
    `create-chair` command does, all with one password."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session
    from werkzeug.security import generate_password_hash

    from meeting.chairs.accounts import create_chair

    hashed = generate_password_hash(password)
    engine = create_engine(
        database_url, connect_args={"timeout": 30} if "sqlite" in database_url else {}
    )
    with Session(engine) as session:
        for name, email in chairs:
            create_chair(session, name, email, hashed, "Children's social care")
        session.commit()
    engine.dispose()
