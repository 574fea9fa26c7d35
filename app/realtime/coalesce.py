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
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def mark(self, key: str) -> None:
        """The aggregate of ``key`` changed: send it soon (never more than ``rate`` times a second)."""
        self._dirty.add(key)
        if key not in self._tasks:
            self._tasks[key] = asyncio.create_task(self._run(key), name=f"coalesce {key}")

    @property
    def active(self) -> int:
        """Keys with a send pending or within their quiet window."""
        return len(self._tasks)

    async def _run(self, key: str) -> None:
        try:
            while True:
                self._dirty.discard(key)
                try:
                    await self._send(key, await self._compute(key))
                except Exception:
                    log.exception("coalesced update of %s failed", key)
                await asyncio.sleep(self.period)
                if key not in self._dirty:
                    return
        finally:
            self._tasks.pop(key, None)

    async def stop(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._dirty.clear()
