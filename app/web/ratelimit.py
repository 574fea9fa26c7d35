"""A small in-process limiter for login and password-reset attempts (per IP and per e-mail).

Failures are counted in a sliding window; past the limit, further attempts are refused (without
checking the password) until the window has moved on. It lives on ``app.state`` (one per process):
with several app processes each keeps its own count, so the effective limit is N times higher —
acceptable for slowing down password guessing; a shared limiter would live in Redis.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Any


class RateLimiter:
    def __init__(self, *, limit: int, window: float, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 100_000) -> None:
        self.limit, self.window, self.clock, self.max_keys = limit, window, clock, max_keys
        self._hits: dict[str, deque[float]] = {}

    def _recent(self, key: str) -> deque[float]:
        hits = self._hits.get(key)
        if hits is None:
            return deque()
        cutoff = self.clock() - self.window
        while hits and hits[0] <= cutoff:
            hits.popleft()
        if not hits:
            del self._hits[key]
        return hits

    def blocked(self, *keys: str) -> bool:
        """True when any of ``keys`` has used up its attempts."""
        return any(len(self._recent(key)) >= self.limit for key in keys)

    def hit(self, *keys: str) -> None:
        """Count one (failed) attempt against each key."""
        if len(self._hits) >= self.max_keys:
            self._hits.clear()  # a flood of keys: forget rather than grow without bound
        now = self.clock()
        for key in keys:
            self._hits.setdefault(key, deque()).append(now)

    def reset(self, *keys: str) -> None:
        for key in keys:
            self._hits.pop(key, None)


def limiter(app: Any, name: str, *, limit: int, window: float) -> RateLimiter:
    """The app's limiter called ``name`` (made on first use)."""
    limiters = _limiters(app)
    if name not in limiters:
        limiters[name] = RateLimiter(limit=limit, window=window)
    return limiters[name]


def _limiters(app: Any) -> dict[str, RateLimiter]:
    if getattr(app.state, "limiters", None) is None:
        app.state.limiters = {}
    return app.state.limiters
