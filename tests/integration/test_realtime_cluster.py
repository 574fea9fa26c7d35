"""Two real uvicorn processes sharing PostgreSQL and Redis behave as one: order across processes,
resume with since, healing after lost pub/sub connections, slow clients, rollbacks, idempotency,
presence and health."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import redis as sync_redis
import sqlalchemy as sa
from sqlmodel import Session
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from app.db import Database
from app.models import EventRecord, Idea
from app.realtime import log
from app.realtime.events import IdeaCreated
from app.realtime.runtime import Realtime
from app.services.actor import load_actor
from app.services.ideas import submit_idea
from app.settings import Settings
from tests.integration.conftest import Site
from tests.integration.realtime_support import SECRET, Peer, new_room, session_cookie

pytestmark = [pytest.mark.integration, pytest.mark.postgres]


@pytest.fixture
def room(cluster: Site) -> str:
    return new_room(cluster.database_url, cluster.world)


def count_ideas(site: Site, title: str) -> int:
    db = Database(site.database_url)
    try:
        with db.read() as s:
            return s.execute(sa.select(sa.func.count()).select_from(Idea).where(Idea.title == title)).scalar_one()
    finally:
        db.dispose()


def kill_subscribers(site: Site) -> int:
    """Kill this site's Redis subscriber connections (only ours: they carry the site's prefix)."""
    client = sync_redis.Redis.from_url(site.redis_url)
    try:
        ids = [c["id"] for c in client.client_list(_type="pubsub")
               if c.get("name", "").startswith(f"{site.prefix}:sub:")]
        for client_id in ids:
            client.client_kill_filter(_id=client_id)
        return len(ids)
    finally:
        client.close()


async def test_events_committed_through_either_process_reach_both_in_seq_order(cluster: Site, room: str) -> None:
    a, b = cluster.apps
    w = cluster.world
    readers = [await Peer.open(a, room, w.bob), await Peer.open(b, room, w.facilitator)]
    for reader in readers:
        await reader.control("hello")
    writers = [await Peer.open(b, room, w.alice), await Peer.open(a, room, w.alice)]

    async def write(peer: Peer, name: str) -> list[int]:
        return [(await peer.command("idea.submit", {"title": f"{name} {n}"}))["seq"] for n in range(15)]

    acked = await asyncio.gather(write(writers[0], "via B"), write(writers[1], "via A"))
    assert sorted(acked[0] + acked[1]) == list(range(1, 31))
    for reader in readers:
        assert await reader.until_seq(30) == list(range(1, 31))
    assert [e["data"]["title"] for e in readers[0].events] == [e["data"]["title"] for e in readers[1].events]
    for peer in readers + writers:
        await peer.close()


async def test_reconnecting_with_since_gets_exactly_what_it_missed(cluster: Site, room: str) -> None:
    a, b = cluster.apps
    w = cluster.world
    writer = await Peer.open(b, room, w.alice)
    reader = await Peer.open(a, room, w.bob)
    await reader.control("hello")
    for n in range(5):
        await writer.command("idea.submit", {"title": f"Before {n}"})
    await reader.until_seq(5)
    await reader.close()
    for n in range(7):
        await writer.command("idea.submit", {"title": f"Missed {n}"})
    back = await Peer.open(b, room, w.bob, since=5)
    hello = await back.control("hello")
    assert back.seqs == list(range(6, 13)) and hello["seq"] == 12
    assert [e["data"]["title"] for e in back.events] == [f"Missed {n}" for n in range(7)]
    await writer.command("idea.submit", {"title": "Live"})
    assert await back.until_seq(13) == list(range(6, 14))
    await writer.close()
    await back.close()


async def test_every_client_gets_every_event_when_pubsub_connections_are_killed(cluster: Site, room: str) -> None:
    a, b = cluster.apps
    w = cluster.world
    readers = [await Peer.open(a, room, w.bob), await Peer.open(b, room, w.facilitator)]
    for reader in readers:
        await reader.control("hello")
    writer = await Peer.open(b, room, w.alice)
    killed = 0
    for n in range(60):
        await writer.command("idea.submit", {"title": f"Stream {n}"})
        if n in (15, 35):
            killed += kill_subscribers(cluster)
        await asyncio.sleep(0.01)
    assert killed >= 4  # both processes, twice
    for reader in readers:
        assert await reader.until_seq(60) == list(range(1, 61))
    assert all(app.health()[1]["broker"]["reconnects"] >= 2 for app in cluster.apps)
    for peer in [*readers, writer]:
        await peer.close()


@contextlib.asynccontextmanager
async def third_process(site: Site) -> AsyncIterator[Realtime]:
    """A third process's runtime, in this test, sharing the site's PostgreSQL and Redis."""
    settings = Settings(database_url=site.database_url, redis_url=site.redis_url, secret_key=SECRET,
                        redis_prefix=site.prefix)
    db = Database(site.database_url)
    realtime = Realtime(settings, db)
    await realtime.start()
    try:
        yield realtime
    finally:
        await realtime.stop()
        db.dispose()


def append_burst(session: Session, room: str, start: int, count: int, body: str) -> None:
    for n in range(start, start + count):
        log.append(session, room, IdeaCreated(
            id=n, project_id=1, phase_id=1, meeting_id=None, agenda_item_id=None, author_id=None,
            author_name="Bulk", title=f"Bulk {n}", body=body, status="new", group_heading="",
            created_at=datetime.now(UTC),
            decision_note="", decided_at=None, merged_into_id=None, hidden=False, hidden_reason=""))


async def test_a_client_that_stops_reading_is_closed_too_slow_while_the_others_continue(
        cluster: Site, room: str) -> None:
    a, b = cluster.apps
    w = cluster.world
    readers = [await Peer.open(a, room, w.bob), await Peer.open(b, room, w.alice)]
    for reader in readers:
        await reader.control("hello")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a phone that stopped reading
    sock.connect(("127.0.0.1", a.port))
    stalled = await connect(a.ws(room), sock=sock, additional_headers={"Cookie": session_cookie(w.facilitator)},
                            proxy=None, compression=None, max_queue=1)
    total, batch = 1500, 25  # ~6 MB: the kernel buffers a few MiB before the app's queue grows
    async with third_process(cluster) as producer:
        for start in range(1, total + 1, batch):
            await producer.perform(append_burst, room, start, batch, "x" * 4000)
            for reader in readers:  # healthy phones keep reading
                await reader.until_seq(start + batch - 1, timeout=30)
    for reader in readers:
        assert reader.seqs == list(range(1, total + 1))
    last_seq = 0
    try:
        async with asyncio.timeout(30):
            async for raw in stalled:
                last_seq = json.loads(raw).get("seq", last_seq)
    except ConnectionClosed:
        pass
    assert stalled.close_code == 4008 and "too slow" in stalled.close_reason, stalled.close_code
    assert last_seq < total, last_seq
    back = await Peer.open(a, room, w.facilitator, since=last_seq)  # and it resumes
    assert await back.until_seq(total, timeout=30) == list(range(last_seq + 1, total + 1))
    for peer in [*readers, back]:
        await peer.close()


async def test_an_event_of_a_rolled_back_transaction_reaches_nobody(cluster: Site, room: str) -> None:
    a, b = cluster.apps
    w = cluster.world
    readers = [await Peer.open(a, room, w.bob), await Peer.open(b, room, w.facilitator)]
    for reader in readers:
        await reader.control("hello")
    meeting_id = int(room.partition(":")[2])

    def submit_then_fail(session, title):  # type: ignore[no-untyped-def]
        submit_idea(session, load_actor(session, w.alice), meeting_id, title=title)
        raise RuntimeError("the transaction fails after the event was appended")

    async with third_process(cluster) as realtime:
        with pytest.raises(RuntimeError):
            await realtime.perform(submit_then_fail, "Never")
        with realtime.db.read() as s:
            assert s.execute(sa.select(sa.func.count()).select_from(EventRecord)
                             .where(EventRecord.room == room)).scalar_one() == 0
    writer = await Peer.open(b, room, w.alice)
    ack = await writer.command("idea.submit", {"title": "Committed"})
    assert ack["seq"] == 1  # the rolled-back seq was given back
    await asyncio.sleep(1.5)  # a few hub checks: nothing else shows up
    for reader in readers:
        assert [e["data"]["title"] for e in reader.events] == ["Committed"]
    for peer in [writer, *readers]:
        await peer.close()


async def test_the_same_command_id_yields_one_change_and_identical_acks(cluster: Site, room: str) -> None:
    a, b = cluster.apps
    w = cluster.world
    watcher = await Peer.open(a, room, w.bob)
    await watcher.control("hello")
    first, second = await Peer.open(a, room, w.alice), await Peer.open(b, room, w.alice)

    again = await first.command("idea.submit", {"title": "Twice"}, id="same-1")
    assert await first.command("idea.submit", {"title": "Twice"}, id="same-1") == again
    assert count_ideas(cluster, "Twice") == 1

    replies = await asyncio.gather(first.command("idea.submit", {"title": "Racing"}, id="same-2"),
                                   second.command("idea.submit", {"title": "Racing"}, id="same-2"))
    assert replies[0] == replies[1] and replies[0]["type"] == "ack"
    assert count_ideas(cluster, "Racing") == 1

    offline_id = str(uuid.uuid4())
    sent = await first.command("idea.submit", {"title": "Offline"}, id=offline_id)
    await first.close()
    back = await Peer.open(b, room, w.alice, since=sent["seq"])
    assert await back.command("idea.submit", {"title": "Offline"}, id=offline_id) == sent
    assert count_ideas(cluster, "Offline") == 1

    await watcher.until_seq(3)
    await asyncio.sleep(1.0)
    assert [e["data"]["title"] for e in watcher.events] == ["Twice", "Racing", "Offline"]
    for peer in (watcher, second, back):
        await peer.close()


async def test_presence_counts_people_across_processes(cluster: Site, room: str) -> None:
    a, b = cluster.apps
    w = cluster.world

    def people(peer: Peer) -> list[str] | None:
        frames = [f for f in peer.controls if f["type"] == "presence.changed"]
        return [p["name"] for p in frames[-1]["data"]["people"]] if frames else None

    alice = await Peer.open(a, room, w.alice)
    bob = await Peer.open(b, room, w.bob)
    alice_tab = await Peer.open(b, room, w.alice)
    for peer in (alice, bob, alice_tab):
        await peer.wait(lambda p=peer: people(p) == ["Alice", "Bob"])
    await bob.close()
    for peer in (alice, alice_tab):
        await peer.wait(lambda p=peer: people(p) == ["Alice"])
    last = [f for f in alice.controls if f["type"] == "presence.changed"][-1]
    assert last["data"]["count"] == 1 and "seq" not in last
    await alice.close()
    await alice_tab.close()


async def test_healthz_shows_the_broker_and_the_database(cluster: Site) -> None:
    for app in cluster.apps:
        status, body = app.health()
        assert status == 200
        assert body["broker"]["kind"] == "redis" and body["broker"]["ok"] is True
        assert body["database"]["ok"] is True
