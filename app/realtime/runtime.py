"""Per-process real-time runtime, made in the lifespan: broker + hub, and ``perform`` — the one
write path's async edge: run a service in one unit of work (in a thread), then publish.

(Minimal first version; the real-time engine issue replaces the body, not the interface.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import anyio

from app.db import Database
from app.settings import Settings

T = TypeVar("T")


class Realtime:
    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.db = db

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def perform(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """``fn(session, *args, **kwargs)`` in one transaction; its events published after commit."""
        result, events = await anyio.to_thread.run_sync(lambda: self.db.run(fn, *args, **kwargs))
        await self.publish(events)
        return result

    async def publish(self, events: list[Any]) -> None:
        return None

    def health(self) -> dict[str, Any]:
        return {"broker": "memory", "ok": True}
