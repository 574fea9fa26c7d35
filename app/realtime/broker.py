"""Fan-out between app processes: the Broker protocol, the in-process broker, the choice by URL.

A broker carries text payloads on one channel per room. Subscriptions are reference-counted per
process: the first ``subscribe(room)`` subscribes, the last ``unsubscribe(room)`` unsubscribes.
Delivery is best effort — a broker may lose messages (Redis pub/sub does during a reconnect); the
hub heals that from the event log, which is why ``on_reconnect`` exists.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from app.settings import Settings

log = logging.getLogger(__name__)

MessageHandler = Callable[[str, str], None]
"""``on_message(room, payload)``: called in the event loop for each message; must not block."""
ReconnectHandler = Callable[[], Awaitable[None]]
"""``on_reconnect()``: awaited after every (re)connection, when messages may have been lost."""


class BrokerUnavailable(RuntimeError):
    """Publishing failed (the broker is down); the caller lets the hub heal from the log."""


class Broker(Protocol):
    kind: str

    async def start(self, on_message: MessageHandler, on_reconnect: ReconnectHandler) -> None: ...

    async def stop(self) -> None: ...

    async def publish(self, room: str, payload: str) -> None:
        """Send ``payload`` to every process subscribed to ``room`` (raises BrokerUnavailable)."""

    async def subscribe(self, room: str) -> None:
        """Count one more local interest in ``room``; when it is the first, subscribe and return once
        messages published from now on will arrive (or at once while disconnected)."""

    async def unsubscribe(self, room: str) -> None: ...

    def health(self) -> dict[str, Any]: ...


class Subscriptions:
    """Reference counts of rooms; ``add``/``remove`` say whether the broker must act."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def add(self, room: str) -> bool:
        self.counts[room] = self.counts.get(room, 0) + 1
        return self.counts[room] == 1

    def remove(self, room: str) -> bool:
        count = self.counts.get(room, 0)
        if count <= 1:
            self.counts.pop(room, None)
            return count == 1
        self.counts[room] = count - 1
        return False

    def __contains__(self, room: object) -> bool:
        return room in self.counts

    def __len__(self) -> int:
        return len(self.counts)


class MemoryBroker:
    """The in-process broker (the default, one process): a publish reaches this process's
    subscribers at once."""

    kind = "memory"

    def __init__(self) -> None:
        self.subscriptions = Subscriptions()
        self._on_message: MessageHandler | None = None

    async def start(self, on_message: MessageHandler, on_reconnect: ReconnectHandler) -> None:
        self._on_message = on_message

    async def stop(self) -> None:
        self._on_message = None

    async def publish(self, room: str, payload: str) -> None:
        if self._on_message is not None and room in self.subscriptions:
            self._on_message(room, payload)

    async def subscribe(self, room: str) -> None:
        self.subscriptions.add(room)

    async def unsubscribe(self, room: str) -> None:
        self.subscriptions.remove(room)

    def health(self) -> dict[str, Any]:
        return {"kind": self.kind, "ok": True, "subscriptions": len(self.subscriptions)}


def make_broker(settings: Settings, *, process_id: str) -> Broker:
    """The Redis broker when ``REDIS_URL`` is set, else the in-process one."""
    if settings.redis_url:
        from app.realtime.redis_broker import RedisBroker

        return RedisBroker(settings.redis_url, prefix=settings.redis_prefix, process_id=process_id)
    return MemoryBroker()
