"""Allowances of failures: wrong join codes, failed chair log-ins, wrong set-up codes.

They are counted where the rate limiter keeps its counts (`RATELIMIT_STORAGE_URI`): in
Redis when the deployment has it, so every process shares them. While Redis cannot be
reached, each process counts in its own memory instead: the limits still hold (each
process counting its own) and nobody is shown an error page. Redis is tried again every
few seconds, and the counting goes back to it as soon as it answers.
"""

import logging
import time

from flask import current_app
from limits import parse
from limits.errors import StorageError
from limits.storage import MemoryStorage
from limits.strategies import RateLimiter

from ..extensions import limiter

# How long a process counts in memory before it tries Redis again (seconds).
RETRY = 5

log = logging.getLogger("meeting.allowances")


class Counts:
    """Where one process counts: the shared storage, or its own memory while that is away."""

    def __init__(self) -> None:
        self.memory: RateLimiter | None = None
        self.away = False
        self.retry_at = 0.0

    def shared_now(self) -> bool:
        """Say whether to count in the shared storage now (it answered last, or it is time
        to try it again)."""
        return not self.away or time.monotonic() >= self.retry_at

    def in_memory(self) -> RateLimiter:
        """Return this process's own counts, kept the way the shared ones are."""
        if self.memory is None:
            self.memory = type(limiter.limiter)(MemoryStorage())
        return self.memory

    def lost(self) -> None:
        """Note that the shared storage did not answer."""
        if not self.away:
            log.warning(
                "The rate limits' storage does not answer: counting in this process's "
                "memory, trying it again every %s s.",
                RETRY,
            )
        self.away = True
        self.retry_at = time.monotonic() + RETRY

    def answered(self) -> None:
        """Note that the shared storage answered."""
        if self.away:
            log.warning("The rate limits' storage answers again: counting there.")
        self.away = False


def _counted(setting: str, keys: tuple[str, ...], act: str) -> bool:
    """Ask `act` ("hit" or "test") of the shared counts, or of this process's own while the
    shared ones cannot be reached."""
    allowance = parse(current_app.config[setting])
    counts = current_app.extensions.get("meeting.allowances")
    if counts is None:
        counts = current_app.extensions["meeting.allowances"] = Counts()
    if counts.shared_now():
        try:
            answer: bool = getattr(limiter.limiter, act)(allowance, *keys)
        except StorageError:
            counts.lost()
        else:
            counts.answered()
            return answer
    counted: bool = getattr(counts.in_memory(), act)(allowance, *keys)
    return counted


def count(setting: str, *keys: str) -> bool:
    """Count one failure against the allowance a setting names (such as "10 per minute");
    say whether it was still within it."""
    return _counted(setting, keys, "hit")


def used_up(setting: str, *keys: str) -> bool:
    """Say whether the allowance a setting names is already used up (without counting)."""
    return not _counted(setting, keys, "test")
