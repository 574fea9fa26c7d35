"""Broker contract: the same tests run against the in-process broker and the Redis broker; then what
only Redis does (several processes, a killed connection, Redis unreachable)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import redis as sync_redis

from app.realtime.broker import Broker, BrokerUnavailable, MemoryBroker
from app.realtime.redis_broker import RedisBroker
from tests.conftest import require_redis
from tests.integration.realtime_support import free_port


class Recorder:
    def __init__(self) -> None:
        self.messages: list[tuple[str, str]] = []
        self.reconnects = 0
        self._changed = asyncio.Event()

    def on_message(self, room: str, payload: str) -> None:
        self.messages.append((room, payload))
        self._changed.set()

    async def on_reconnect(self) -> None:
        self.reconnects += 1
        self._changed.set()

    async def until(self, predicate, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
        async with asyncio.timeout(timeout):
            while not predicate():
                self._changed.clear()
                await self._changed.wait()

    def payloads(self, room: str) -> list[str]:
        return [p for r, p in self.messages if r == room]


def make_redis_broker(url: str, prefix: str, **kwargs: object) -> RedisBroker:
    return RedisBroker(url, prefix=prefix, process_id=uuid.uuid4().hex[:6], **kwargs)  # type: ignore[arg-type]


@pytest.fixture(params=["memory", "redis"])
async def broker(request: pytest.FixtureRequest) -> AsyncIterator[tuple[Broker, Recorder]]:
    recorder = Recorder()
    b: Broker = MemoryBroker() if request.param == "memory" else make_redis_broker(
        require_redis(), f"test-{uuid.uuid4().hex[:8]}")
    await b.start(recorder.on_message, recorder.on_reconnect)
    yield b, recorder
    await b.stop()


async def test_a_subscriber_gets_what_is_published_in_order(broker: tuple[Broker, Recorder]) -> None:
    b, rec = broker
    await b.subscribe("meeting:1")
    for n in range(50):
        await b.publish("meeting:1", f"m{n}")
    await rec.until(lambda: len(rec.messages) == 50)
    assert rec.payloads("meeting:1") == [f"m{n}" for n in range(50)]
    assert b.health()["ok"] is True


async def test_only_subscribed_rooms_arrive(broker: tuple[Broker, Recorder]) -> None:
    b, rec = broker
    await b.subscribe("meeting:1")
    await b.publish("meeting:2", "elsewhere")
    await b.publish("meeting:1", "here")
    await rec.until(lambda: rec.messages)
    assert rec.messages == [("meeting:1", "here")]


async def test_subscriptions_are_reference_counted(broker: tuple[Broker, Recorder]) -> None:
    b, rec = broker
    await b.subscribe("meeting:1")
    await b.subscribe("meeting:1")
    await b.subscribe("meeting:9")
    await b.unsubscribe("meeting:1")
    await b.publish("meeting:1", "still")
    await rec.until(lambda: rec.payloads("meeting:1") == ["still"])
    await b.unsubscribe("meeting:1")
    await b.publish("meeting:1", "gone")
    await b.publish("meeting:9", "marker")  # arrives after "gone" would have
    await rec.until(lambda: rec.payloads("meeting:9") == ["marker"])
    assert rec.payloads("meeting:1") == ["still"]
    assert b.health()["subscriptions"] == 1


async def test_redis_carries_a_room_between_processes() -> None:
    url, prefix = require_redis(), f"test-{uuid.uuid4().hex[:8]}"
    recorders = [Recorder(), Recorder()]
    brokers = [make_redis_broker(url, prefix), make_redis_broker(url, prefix)]
    for b, rec in zip(brokers, recorders, strict=True):
        await b.start(rec.on_message, rec.on_reconnect)
        await b.subscribe("meeting:1")
    try:
        await brokers[0].publish("meeting:1", "from 0")
        await brokers[1].publish("meeting:1", "from 1")
        for rec in recorders:
            await rec.until(lambda r=rec: len(r.messages) == 2)
            assert rec.payloads("meeting:1") == ["from 0", "from 1"]
    finally:
        for b in brokers:
            await b.stop()


async def test_redis_reader_reconnects_after_its_connection_is_killed_and_says_so() -> None:
    url = require_redis()
    rec = Recorder()
    b = make_redis_broker(url, f"test-{uuid.uuid4().hex[:8]}")
    await b.start(rec.on_message, rec.on_reconnect)
    await b.subscribe("meeting:1")
    admin = sync_redis.Redis.from_url(url)
    try:
        await rec.until(lambda: rec.reconnects == 1)  # the first connection heals too (no-op)
        ids = [c["id"] for c in admin.client_list(_type="pubsub") if c.get("name") == b.sub_name]
        assert len(ids) == 1
        admin.client_kill_filter(_id=ids[0])
        await rec.until(lambda: rec.reconnects == 2)
        assert b.health()["ok"] is True and b.health()["reconnects"] == 1
        await b.publish("meeting:1", "after")
        await rec.until(lambda: rec.payloads("meeting:1") == ["after"])
    finally:
        admin.close()
        await b.stop()


async def test_redis_broker_is_unhealthy_while_redis_is_unreachable() -> None:
    rec = Recorder()
    b = make_redis_broker(f"redis://127.0.0.1:{free_port()}/0", "test-down", connect_wait=0.2)
    await b.start(rec.on_message, rec.on_reconnect)
    try:
        health = b.health()
        assert health["ok"] is False and health["down_seconds"] is not None
        await b.subscribe("meeting:1")  # recorded; the first connection will subscribe it
        with pytest.raises(BrokerUnavailable):
            await b.publish("meeting:1", "lost")
    finally:
        await b.stop()
