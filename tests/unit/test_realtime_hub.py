"""The hub in one process (in-process broker, a real database), with stand-in sockets: ordering,
healing from the log, slow sockets, replay, resync, audiences, heartbeats, rollbacks."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import pytest
from sqlmodel import Session

from app.db import Database
from app.realtime import log
from app.realtime.clients import TOO_SLOW, Client
from app.realtime.envelope import Envelope
from app.realtime.events import Audience, Event, register, unregister
from app.realtime.runtime import Realtime
from app.settings import Settings
from tests.unit.test_realtime_log import idea_event

ROOM = "meeting:1"


class FakeSocket:
    """Stands in for a Starlette WebSocket: records what is sent; a stalled one never finishes a send."""

    def __init__(self, *, stalled: bool = False) -> None:
        self.sent: list[str] = []
        self.closed: tuple[int, str] | None = None
        self._open = asyncio.Event()
        if not stalled:
            self._open.set()
        self._changed = asyncio.Event()

    async def send_text(self, text: str) -> None:
        await self._open.wait()
        self.sent.append(text)
        self._changed.set()

    async def close(self, code: int = 1000, reason: str = "") -> None:
        self.closed = (code, reason)
        self._changed.set()

    @property
    def frames(self) -> list[dict[str, Any]]:
        return [json.loads(t) for t in self.sent]

    @property
    def seqs(self) -> list[int]:
        return [f["seq"] for f in self.frames if f["type"] == "idea.created"]

    async def until(self, predicate: Any, timeout: float = 5.0) -> None:
        async with asyncio.timeout(timeout):
            while not predicate():
                self._changed.clear()
                await self._changed.wait()


@pytest.fixture
async def realtime(database: Database) -> AsyncIterator[Realtime]:
    settings = Settings(database_url=database.url, secret_key="test", ws_send_queue=5, hub_check_seconds=0.2,
                        ws_heartbeat_seconds=0.3, hub_linger_seconds=0.2)
    rt = Realtime(settings, database)
    await rt.start()
    yield rt
    await rt.stop()


async def connect(rt: Realtime, since: int | None = None, *, user_id: int | None = 1, facilitator: bool = False,
                  stalled: bool = False) -> tuple[Client, FakeSocket]:
    ws = FakeSocket(stalled=stalled)
    client = Client(ws, room=ROOM, user_id=user_id, name=f"User {user_id}",  # type: ignore[arg-type]
                    facilitator=facilitator, bound=rt.settings.ws_send_queue)
    await rt.hub.join(client, since)
    return client, ws


def add_ideas(session: Session, count: int) -> list[int]:
    return [log.append(session, ROOM, idea_event(n)) for n in range(count)]


async def test_each_event_is_encoded_once_and_the_same_text_reaches_every_socket(realtime: Realtime) -> None:
    sockets = [(await connect(realtime, user_id=n))[1] for n in range(3)]
    await realtime.perform(add_ideas, 2)
    for ws in sockets:
        await ws.until(lambda w=ws: w.seqs == [1, 2])
    events = [[t for t in ws.sent if '"idea.created"' in t] for ws in sockets]
    assert all(a is b for a, b in zip(events[0], events[1], strict=True))
    assert all(a is b for a, b in zip(events[0], events[2], strict=True))


async def test_join_replays_since_then_says_hello_then_goes_live(realtime: Realtime) -> None:
    await realtime.perform(add_ideas, 3)
    _, ws = await connect(realtime, since=1)
    await realtime.perform(add_ideas, 1)
    await ws.until(lambda: ws.seqs == [2, 3, 4])
    kinds = [(f["type"], f.get("seq")) for f in ws.frames if f["type"] != "presence.changed"]
    assert kinds[:4] == [("idea.created", 2), ("idea.created", 3), ("hello", 3), ("idea.created", 4)]


async def test_a_lost_pubsub_message_is_filled_from_the_log_in_order(realtime: Realtime) -> None:
    _, ws = await connect(realtime)
    _, envelopes = await asyncio.to_thread(realtime.db.run, add_ideas, 3)
    await realtime.publish(envelopes[2:])  # 1 and 2 were lost on the way
    await ws.until(lambda: ws.seqs == [1, 2, 3])
    await realtime.publish(envelopes)  # late duplicates change nothing
    await asyncio.sleep(0.1)
    assert ws.seqs == [1, 2, 3]


async def test_the_periodic_check_delivers_an_event_that_was_never_published(realtime: Realtime) -> None:
    _, ws = await connect(realtime)
    await asyncio.to_thread(realtime.db.run, add_ideas, 2)  # committed, then the process "died"
    await ws.until(lambda: ws.seqs == [1, 2])


async def test_a_stalled_socket_is_closed_too_slow_and_the_others_keep_receiving(realtime: Realtime) -> None:
    slow_client, slow = await connect(realtime, stalled=True)
    _, healthy = await connect(realtime, user_id=2)
    for _ in range(4):
        await realtime.perform(add_ideas, 5)
    await healthy.until(lambda: healthy.seqs == list(range(1, 21)))
    await slow.until(lambda: slow.closed is not None)
    assert slow.closed is not None and slow.closed[0] == TOO_SLOW and "too slow" in slow.closed[1]
    assert slow.sent == [] and slow_client.queued == 0  # dropped at once, its queue freed
    await realtime.hub.leave(slow_client)
    assert len(realtime.hub.rooms[ROOM].clients) == 1


async def test_replay_does_not_count_against_the_live_queue_bound(realtime: Realtime) -> None:
    await realtime.perform(add_ideas, 30)  # six times the bound
    _, ws = await connect(realtime, since=0)
    await ws.until(lambda: any(f["type"] == "hello" for f in ws.frames))
    assert ws.seqs == list(range(1, 31)) and ws.closed is None


async def test_since_older_than_the_log_keeps_gets_resync(realtime: Realtime) -> None:
    await realtime.perform(add_ideas, 10)
    await asyncio.to_thread(realtime.db.run, lambda s: log.prune(s, keep=3, receipt_days=7))
    _, ws = await connect(realtime, since=2)
    await ws.until(lambda: any(f["type"] == "hello" for f in ws.frames))
    assert [(f["type"], f["seq"]) for f in ws.frames[:2]] == [("resync", 10), ("hello", 10)]


async def test_ephemeral_events_reach_only_their_audience(realtime: Realtime) -> None:
    @register
    class ForFacilitators(Event):
        """Test: for facilitators only."""

        type: ClassVar[str] = "test.for_facilitators"
        audience: ClassVar[Audience] = Audience.facilitators
        persisted: ClassVar[bool] = False

    @register
    class ForActor(Event):
        """Test: for the actor's own sockets only."""

        type: ClassVar[str] = "test.for_actor"
        audience: ClassVar[Audience] = Audience.actor
        persisted: ClassVar[bool] = False

    try:
        _, facilitator = await connect(realtime, user_id=1, facilitator=True)
        _, actor = await connect(realtime, user_id=7)
        _, other = await connect(realtime, user_id=8)
        await realtime.publish([log.ephemeral(ROOM, ForFacilitators()), log.ephemeral(ROOM, ForActor(), actor_id=7),
                                log.ephemeral(ROOM, ForFacilitators())])
        await facilitator.until(lambda: len([f for f in facilitator.frames if f["type"].startswith("test.")]) == 2)
        await actor.until(lambda: any(f["type"] == "test.for_actor" for f in actor.frames))
        await asyncio.sleep(0.05)
        assert [f["type"] for f in facilitator.frames if f["type"].startswith("test.")] == [
            "test.for_facilitators"] * 2
        assert [f["type"] for f in actor.frames if f["type"].startswith("test.")] == ["test.for_actor"]
        assert [f for f in other.frames if f["type"].startswith("test.")] == []
        assert all("seq" not in f for f in facilitator.frames if f["type"].startswith("test."))
    finally:
        unregister("test.for_facilitators")
        unregister("test.for_actor")


async def test_heartbeats_carry_the_rooms_last_seq(realtime: Realtime) -> None:
    _, ws = await connect(realtime)
    await realtime.perform(add_ideas, 2)
    await ws.until(lambda: any(f == {"type": "heartbeat", "seq": 2} for f in ws.frames))


async def test_an_event_of_a_rolled_back_transaction_reaches_nobody(realtime: Realtime) -> None:
    _, ws = await connect(realtime)

    def add_then_fail(session: Session) -> None:
        add_ideas(session, 1)
        raise RuntimeError("failed after appending")

    with pytest.raises(RuntimeError):
        await realtime.perform(add_then_fail)
    await asyncio.sleep(0.5)  # two hub checks
    assert ws.seqs == []
    await realtime.perform(add_ideas, 1)
    await ws.until(lambda: ws.seqs == [1])


async def test_an_empty_room_lingers_then_unsubscribes(realtime: Realtime) -> None:
    client, _ = await connect(realtime)
    assert realtime.broker.health()["subscriptions"] == 1
    await realtime.hub.leave(client)
    async with asyncio.timeout(5):
        while ROOM in realtime.hub.rooms:
            await asyncio.sleep(0.05)
    assert realtime.broker.health()["subscriptions"] == 0


async def test_an_unregistered_type_from_the_broker_is_dropped(realtime: Realtime) -> None:
    _, ws = await connect(realtime)
    env = Envelope(room=ROOM, type="thing.unknown", seq=None, frame='{"type":"thing.unknown"}')
    realtime.hub.on_message(ROOM, env.to_broker())
    await realtime.perform(add_ideas, 1)
    await ws.until(lambda: ws.seqs == [1])
    assert all(f["type"] != "thing.unknown" for f in ws.frames)

