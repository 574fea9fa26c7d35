"""Send a room at most K updates a second of an aggregate, each the full current value.

``mark(key)`` says "the aggregate of ``key`` changed". The first mark after a quiet period computes
and sends at once; marks that arrive while a value is being computed or within ``1/K`` seconds of
the last send collapse into one more send at the end of that window. Each send is the full value
(``compute(key)`` reads it fresh), so a lost or skipped update is repaired by the next one.

Used by presence (K = 1) and, later, vote tallies::

    tallies = Coalescer(rate=4, compute=read_tally, send=publish_tally)
    tallies.mark("vote:12")   # after each ballot
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


class Coalescer(Generic[T]):
    def __init__(self, rate: float, compute: Callable[[str], Awaitable[T]],
                 send: Callable[[str, T], Awaitable[None]]) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.period = 1.0 / rate
        self._compute = compute
        self._send = send
        self._dirty: set[str] = set()
        self._busy: set[str] = set()
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._stopped = False

    def mark(self, key: str) -> None:
        """The aggregate of ``key`` changed: send it soon (never more than ``rate`` times a second)."""
        self._dirty.add(key)
        if key not in self._tasks and not self._stopped:
            self._tasks[key] = asyncio.create_task(self._run(key), name=f"coalesce {key}")

    @property
    def active(self) -> int:
        """Keys with a send pending or within their quiet window."""
        return len(self._tasks)

    async def _run(self, key: str) -> None:
        try:
            while not self._stopped:
                self._dirty.discard(key)
                self._busy.add(key)
                try:
                    await self._send(key, await self._compute(key))
                except Exception:
                    log.exception("coalesced update of %s failed", key)
                finally:
                    self._busy.discard(key)
                await asyncio.sleep(self.period)
                if key not in self._dirty:
                    return
        finally:
            self._tasks.pop(key, None)

    async def stop(self) -> None:
        """Cancel the waiting keys; let a compute in flight finish (it may be reading the database in
        a thread, which a cancellation would not stop)."""
        self._stopped = True
        tasks = dict(self._tasks)
        for key, task in tasks.items():
            if key not in self._busy:
                task.cancel()
        await asyncio.gather(*tasks.values(), return_exceptions=True)
        self._dirty.clear()
