"""The message queue: live events between server processes through Redis, and what each
process does when Redis goes away and comes back.

python-socketio's own Redis manager waits twice as long after each failed attempt to listen
again, up to a minute: after Redis had been away for twenty seconds, a process heard nothing
from the others for up to sixteen seconds more. Here a process tries every second, and
once it listens again it tells its own screens to read every region again: what was rung
meanwhile was lost, and the database has what it was about (`doorbell.after_outage`).
While Redis is away, an event is delivered to this process's own screens and not sent on;
once Redis is back, one ring through it tells every other process's screens to read
everything again, so nothing sent meanwhile is missed anywhere.
"""

import logging
import time
from collections.abc import Callable
from typing import Any

import socketio

# How long a process waits between attempts to listen to Redis again (seconds).
RETRY = 1.0


def quick() -> dict[str, Any]:
    """Return the options of a Redis client used inside a request: a Redis that has gone is
    noticed at once or within two seconds, and tried a second time at once (a connection
    Redis closed on a restart), never again at length."""
    return {"socket_connect_timeout": 2, "socket_timeout": 2, "retry": _retries(1)}


def _retries(count: int) -> Any:
    # redis is installed with a deployment's Redis (the "production" extra), not without.
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return Retry(NoBackoff(), count)


# Under the meeting's own log (Socket.IO's own loggers write only errors).
log = logging.getLogger("meeting.live")


class Queue(socketio.RedisManager):
    """Socket.IO's Redis manager, listening again within a second after Redis was away.

    `back` is called each time this process listens again after losing Redis; it tells this
    process's screens to read what they may have missed, or every process's when it is
    given True (this process could not send something on meanwhile).
    """

    def __init__(self, url: str, channel: str, back: Callable[[bool], None]) -> None:
        # Listening blocks for as long as nothing happens: no read timeout on it. redis-py
        # would reconnect and subscribe again by itself, unseen, with nobody told to read
        # what they missed: every loss comes here instead.
        options = {
            "socket_connect_timeout": 2,
            "socket_keepalive": True,
            "retry": _retries(0),
        }
        super().__init__(url, channel=channel, redis_options=options)
        self.back = back
        # Whether the listener has lost Redis and not got it back yet.
        self.away = False
        # Whether an event could not be sent on since Redis was last reached.
        self.missed = False
        # No event is sent on before this (time.monotonic()): one was just refused.
        self.quiet_until = 0.0

    def _publish(self, data: Any) -> Any:
        """Send an event on to the other processes; while Redis is away, note it as missed.

        After a failed attempt, none is made for a second: a request that rings several
        rooms does not wait for Redis once per room. The first event sent after some were
        missed is followed by a ring telling every screen to read everything again.
        """
        if self.away or time.monotonic() < self.quiet_until:
            self.missed = True
            return None
        sent = super()._publish(data)
        if sent is None:
            self.missed = True
            self.quiet_until = time.monotonic() + RETRY
        elif self.missed:
            self.missed = False
            self._tell(everywhere=True)
        return sent

    def drop_room(self, room: str) -> None:
        """Close every connection in a room, this process's at once and every other
        listening process's through Redis (see `doorbell.after_outage`)."""
        message = {
            "method": "close_room",
            "room": room,
            "namespace": "/",
            "host_id": self.host_id,
            "drop": True,
        }
        self._handle_close_room(message)
        self._publish(message)

    def _handle_close_room(self, message: Any) -> None:
        """Close a room; one sent by `drop_room` also closes this process's connections in it."""
        if message.get("drop"):
            namespace = message.get("namespace") or "/"
            for sid, _engine_sid in list(self.get_participants(namespace, message.get("room"))):
                self.server.disconnect(sid, namespace=namespace, ignore_queue=True)
        super()._handle_close_room(message)

    def _redis_listen_with_retries(self) -> Any:
        """Yield what is published on the channel, listening again every second it is lost."""
        lost = False
        while True:
            pubsub = None
            try:
                self._redis_connect()
                # This listener's own: a failed send reconnects `self.pubsub`, never this one.
                pubsub = self.pubsub
                pubsub.subscribe(self.channel)
                if lost:
                    self._listening_again()
                lost = False
                yield from pubsub.listen()
            except Exception as error:  # noqa: BLE001 - whatever stops it, it listens again
                if not lost:
                    log.error(
                        "Cannot receive from Redis (%s): live events from the other "
                        "processes wait; trying again every %s s.",
                        type(error).__name__,
                        RETRY,
                    )
                lost = True
                self.away = True
                if pubsub is not None:
                    _close(pubsub)
                self.server.sleep(RETRY)

    def _listening_again(self) -> None:
        """Listen again: send events on from now, and have the screens read what they missed."""
        everywhere, self.missed = self.missed, False
        self.away = False
        self.quiet_until = 0.0
        log.warning("Receiving from Redis again: screens read what they may have missed.")
        self._tell(everywhere)

    def _tell(self, everywhere: bool) -> None:
        try:
            self.back(everywhere)
        except Exception as error:  # noqa: BLE001 - the screens still hear every later change
            log.error(
                "Could not tell the screens to read again after Redis came back (%s)",
                type(error).__name__,
            )


def _close(pubsub: Any) -> None:
    try:
        pubsub.close()
    except Exception:  # noqa: BLE001, S110 - it is being dropped anyway
        pass
