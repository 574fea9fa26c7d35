"""Per-process real-time runtime, made in the lifespan: broker + hub + presence, and ``perform`` —
the one write path's async edge: run a service in one unit of work (in a thread), then publish.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import anyio

from app.db import Database
from app.realtime import log as eventlog
from app.realtime.broker import BrokerUnavailable, MemoryBroker, make_broker
from app.realtime.envelope import Envelope
from app.realtime.hub import Hub, settle
from app.realtime.presence import MemoryPresenceStore, Presence, PresenceStore, RedisPresenceStore
from app.settings import Settings

logger = logging.getLogger(__name__)
T = TypeVar("T")

# What feature modules do in the publishing process after an event of a type was published (vote
# tallies and reaction counts are coalesced this way): ``hook(realtime, envelope)``, registered at
# import by the module that owns the event type. A hook must not block (mark work, do not do it).
AFTER_PUBLISH: dict[str, list[Callable[[Realtime, Envelope], None]]] = {}


class Realtime:
    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.db = db
        self.process_id = f"{os.getpid()}-{secrets.token_hex(3)}"
        self.broker = make_broker(settings, process_id=self.process_id)
        self.hub = Hub(settings, db, self.broker)
        store: PresenceStore
        if isinstance(self.broker, MemoryBroker):
            store = MemoryPresenceStore()
        else:
            store = RedisPresenceStore(self.broker.redis, settings.redis_prefix,  # type: ignore[attr-defined]
                                       settings.presence_ttl_seconds)
        self.presence = Presence(settings, self.hub, self.broker, store, self.process_id)
        self.hub.listener = self.presence
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = asyncio.Event()
        # worker threads: transactions and reads (admissions, replays) each have their own (made in start)
        self.writes: anyio.CapacityLimiter | None = None
        self.reads: anyio.CapacityLimiter | None = None
        # per-process helpers that feature modules attach (e.g. vote tallies); stopped with the runtime
        self.extensions: dict[str, Any] = {}

    async def start(self) -> None:
        if self.settings.gil_switch_interval > 0:
            sys.setswitchinterval(self.settings.gil_switch_interval)
        self.writes = anyio.CapacityLimiter(self.settings.db_write_threads)
        self.reads = self.hub.reads = anyio.CapacityLimiter(self.settings.db_read_threads)
        await self.broker.start(self.hub.on_message, self.hub.on_reconnect)
        await self.hub.start()
        self._tasks = [asyncio.create_task(self._every(self.settings.presence_refresh_seconds, self.presence.refresh)),
                       asyncio.create_task(self._every(self.settings.log_prune_seconds, self.prune))]

    async def stop(self) -> None:
        for extension in self.extensions.values():
            await extension.stop()
        self._stopping.set()
        await settle(self._tasks)
        await self.hub.stop()
        await self.presence.stop()
        await self.broker.stop()

    async def perform(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """``fn(session, *args, **kwargs)`` in one transaction; its events published after commit."""
        result, events = await anyio.to_thread.run_sync(lambda: self.db.run(fn, *args, **kwargs),
                                                        limiter=self.writes)
        await self.publish(events)
        return result

    async def publish(self, events: list[Envelope]) -> None:
        """Send committed (or ephemeral) envelopes to every process. If the broker is down, this
        process's hub fetches them from the log at once; the others do at their next check."""
        for env in events:
            try:
                await self.broker.publish(env.room, env.to_broker())
            except BrokerUnavailable as exc:
                logger.warning("%s; the hubs heal from the log", exc)
                room = self.hub.rooms.get(env.room)
                if room is not None:
                    self.hub.receive(room, env)
            for hook in AFTER_PUBLISH.get(env.type, ()):
                try:
                    hook(self, env)
                except Exception:
                    logger.exception("after-publish hook %r failed for %s", hook, env)

    async def prune(self) -> None:
        def run() -> int:
            with self.db.unit_of_work() as uow:
                return eventlog.prune(uow.session, keep=self.settings.event_log_keep,
                                      receipt_days=self.settings.command_receipt_days)

        deleted = await anyio.to_thread.run_sync(run, limiter=self.writes)
        if deleted:
            logger.info("pruned %d events from the log", deleted)

    def health(self) -> dict[str, Any]:
        return {**self.broker.health(), **self.hub.stats()}

    async def _every(self, seconds: float, job: Callable[[], Any]) -> None:
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(seconds):
                    await self._stopping.wait()
                return
            try:
                await job()
            except Exception:
                logger.exception("periodic %s failed", getattr(job, "__name__", job))
