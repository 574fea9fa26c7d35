"""Coalescing a synthetic aggregate: at most K sends a second per key, each the full current value."""

from __future__ import annotations

import asyncio
import math
import time

from app.realtime.coalesce import Coalescer


class Counter:
    """A synthetic aggregate: a counter per key, bumped by many writers."""

    def __init__(self) -> None:
        self.values: dict[str, int] = {}
        self.sent: list[tuple[str, int, float]] = []

    async def compute(self, key: str) -> int:
        return self.values.get(key, 0)

    async def send(self, key: str, value: int) -> None:
        self.sent.append((key, value, time.monotonic()))


async def settle(coalescer: Coalescer[int]) -> None:
    async with asyncio.timeout(5):
        while coalescer.active:
            await asyncio.sleep(0.01)


async def test_a_burst_is_sent_at_most_k_times_a_second_and_ends_with_the_full_value() -> None:
    agg = Counter()
    rate = 10
    coalescer = Coalescer(rate, agg.compute, agg.send)
    started = time.monotonic()
    for _ in range(400):  # 400 changes over ~0.8 s
        agg.values["vote:1"] = agg.values.get("vote:1", 0) + 1
        coalescer.mark("vote:1")
        await asyncio.sleep(0.002)
    elapsed = time.monotonic() - started
    await settle(coalescer)
    values = [v for _, v, _ in agg.sent]
    assert values[-1] == 400  # the last send is the full, final value
    assert values == sorted(values)
    assert len(values) <= math.ceil(elapsed * rate) + 2  # never more often than K a second
    gaps = [b - a for (_, _, a), (_, _, b) in zip(agg.sent, agg.sent[1:], strict=False)]
    assert all(gap >= 1 / rate - 0.005 for gap in gaps)


async def test_a_change_after_a_quiet_period_is_sent_at_once() -> None:
    agg = Counter()
    coalescer = Coalescer(2, agg.compute, agg.send)
    agg.values["vote:1"] = 5
    coalescer.mark("vote:1")
    async with asyncio.timeout(0.2):  # far less than the 0.5 s window
        while not agg.sent:
            await asyncio.sleep(0.005)
    assert agg.sent[0][:2] == ("vote:1", 5)
    await coalescer.stop()


async def test_keys_are_coalesced_independently() -> None:
    agg = Counter()
    coalescer = Coalescer(5, agg.compute, agg.send)
    for n in range(50):
        for key in ("a", "b"):
            agg.values[key] = n
            coalescer.mark(key)
    await settle(coalescer)
    for key in ("a", "b"):
        sent = [v for k, v, _ in agg.sent if k == key]
        assert sent[-1] == 49 and len(sent) <= 2


async def test_a_failing_compute_does_not_stop_later_sends() -> None:
    agg = Counter()
    calls = 0

    async def flaky(key: str) -> int:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("the store was briefly down")
        return agg.values.get(key, 0)

    coalescer = Coalescer(20, flaky, agg.send)
    coalescer.mark("k")
    await settle(coalescer)
    agg.values["k"] = 3
    coalescer.mark("k")
    await settle(coalescer)
    assert [v for _, v, _ in agg.sent] == [3]
