"""Presence across processes (two Presence objects sharing one store: in-process and Redis): counted
once per person, batched, dropping a vanished process after the TTL, and given to a joiner at once."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from redis.asyncio import Redis

from app.realtime import presence as presence_module
from app.realtime.clients import Client
from app.realtime.presence import MemoryPresenceStore, Presence, PresenceStore, RedisPresenceStore
from app.settings import Settings
from tests.conftest import require_redis

ROOM = "meeting:1"
SETTINGS = Settings(secret_key="test", presence_ttl_seconds=30)
SHORT_TTL = 1.5


class FakeHub:
    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []

    def send_local(self, room: str, frame: str) -> None:
        self.frames.append(json.loads(frame))

    def people(self) -> tuple[int, list[str]] | None:
        if not self.frames:
            return None
        data = self.frames[-1]["data"]
        return data["count"], [p["name"] for p in data["people"]]


class Wire:
    """The broker between the test's 'processes': signals reach every Presence."""

    def __init__(self) -> None:
        self.presences: list[Presence] = []

    async def publish(self, room: str, payload: str) -> None:
        for presence in self.presences:
            presence.signal(room, json.loads(payload))


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[PresenceStore]:
    if request.param == "memory":
        yield MemoryPresenceStore()
        return
    redis = Redis.from_url(require_redis())
    yield RedisPresenceStore(redis, f"test-{uuid.uuid4().hex[:8]}", SETTINGS.presence_ttl_seconds)
    await redis.aclose()


@pytest.fixture
async def processes(store: PresenceStore) -> AsyncIterator[list[tuple[Presence, FakeHub]]]:
    wire = Wire()
    made = []
    for n in range(2):
        hub = FakeHub()
        presence = Presence(SETTINGS, hub, wire, store, f"p{n}")  # type: ignore[arg-type]
        wire.presences.append(presence)
        made.append((presence, hub))
    yield made
    for presence, _ in made:
        await presence.coalescer.stop()


def client(user_id: int | None, name: str) -> Client:
    return Client(None, room=ROOM, user_id=user_id, name=name, facilitator=False, bound=100)  # type: ignore[arg-type]


async def until(predicate: Any, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.02)


async def test_presence_counts_each_person_once_across_processes(processes) -> None:  # type: ignore[no-untyped-def]
    (p1, hub1), (p2, hub2) = processes
    p1.joined(client(1, "Alice"))
    p2.joined(client(2, "Bob"))
    p2.joined(client(1, "Alice"))  # a second tab
    for hub in (hub1, hub2):
        await until(lambda h=hub: h.people() == (2, ["Alice", "Bob"]))


async def test_a_burst_of_joins_is_sent_as_one_update(processes) -> None:  # type: ignore[no-untyped-def]
    (p1, hub1), _ = processes
    for n in range(200):
        p1.joined(client(n, f"Person {n:03}"))
    await until(lambda: hub1.people() is not None and hub1.people()[0] == 200)  # type: ignore[index]
    await asyncio.sleep(1.2)
    assert len(hub1.frames) == 1
    assert len(hub1.frames[0]["data"]["people"]) == 100  # the list is capped, the count is not


async def test_leaving_is_seen_by_the_other_process(processes) -> None:  # type: ignore[no-untyped-def]
    (p1, hub1), (p2, _) = processes
    bob = client(2, "Bob")
    p1.joined(client(1, "Alice"))
    p2.joined(bob)
    await until(lambda: hub1.people() == (2, ["Alice", "Bob"]))
    p2.left(bob)
    await until(lambda: hub1.people() == (1, ["Alice"]))


async def test_a_vanished_process_drops_out_after_the_ttl(processes) -> None:  # type: ignore[no-untyped-def]
    (p1, hub1), (p2, _) = processes
    for presence in (p1, p2):
        presence.settings = replace(SETTINGS, presence_ttl_seconds=SHORT_TTL)
    p1.joined(client(1, "Alice"))
    p2.joined(client(2, "Bob"))
    await until(lambda: hub1.people() == (2, ["Alice", "Bob"]))
    await p1.refresh()
    await asyncio.sleep(SHORT_TTL + 0.1)  # p2 dies: no refresh, no leave
    await p1.refresh()  # p1 lives on: its refresh also rechecks the room
    await until(lambda: hub1.people() == (1, ["Alice"]))


async def test_a_joining_socket_gets_the_current_presence_at_once(processes) -> None:  # type: ignore[no-untyped-def]
    (p1, hub1), _ = processes
    p1.joined(client(1, "Alice"))
    await until(lambda: hub1.people() == (1, ["Alice"]))
    newcomer = client(2, "Bob")
    p1.joined(newcomer)
    assert newcomer.queued == 1 and json.loads(newcomer._queue[0])["data"]["count"] == 1


async def test_a_big_room_gets_presence_less_often(processes, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(presence_module, "BIG_ROOM_SECONDS", 1.5)
    (p1, hub1), _ = processes
    for n in range(150):
        p1.joined(client(n, f"Person {n:03}"))
    await until(lambda: hub1.people() is not None and hub1.people()[0] == 150)  # type: ignore[index]
    p1.joined(client(999, "Late"))
    await asyncio.sleep(1.1)  # past the one-second window, within the big room's
    assert len(hub1.frames) == 1
    await until(lambda: hub1.people()[0] == 151)  # type: ignore[index]
    assert len(hub1.frames) == 2
