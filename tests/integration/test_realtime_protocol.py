"""The socket protocol against a real uvicorn process (SQLite, in-process broker): every bad frame,
refused room and flood gets its clear error frame or close code, and the server keeps serving."""

from __future__ import annotations

import asyncio
import json

import pytest
import sqlalchemy as sa

from app.db import Database
from app.models import ProjectMember
from app.realtime.admission import sign_token
from app.settings import Settings
from tests import factories
from tests.integration.conftest import Site
from tests.integration.realtime_support import SECRET, Peer, new_room

pytestmark = pytest.mark.integration


@pytest.fixture
def room(sqlite_site: Site) -> str:
    return new_room(sqlite_site.database_url, sqlite_site.world)


@pytest.fixture
def app(sqlite_site: Site):  # type: ignore[no-untyped-def]
    return sqlite_site.apps[0]


async def _still_works(peer: Peer) -> None:
    reply = await peer.command("idea.submit", {"title": "Still here"})
    assert reply["type"] == "ack", reply


async def test_unknown_command_type_is_refused_and_the_socket_stays_open(app, room, sqlite_site) -> None:
    peer = await Peer.open(app, room, sqlite_site.world.alice)
    reply = await peer.command("idea.launch", {"title": "x"}, id="c1")
    assert reply == {"type": "error", "id": "c1", "code": "unknown_type", "message": reply["message"]}
    await _still_works(peer)
    await peer.close()


async def test_malformed_frames_get_bad_shape(app, room, sqlite_site) -> None:
    peer = await Peer.open(app, room, sqlite_site.world.alice)
    for frame in ["{not json", "[1, 2]", json.dumps({"type": "idea.submit", "data": {}}), b"\x00binary"]:
        await peer.send(frame)
    await peer.wait(lambda: len([f for f in peer.controls if f["type"] == "error"]) == 4)
    errors = [f for f in peer.controls if f["type"] == "error"]
    assert [e["code"] for e in errors] == ["bad_shape"] * 4
    reply = await peer.command("idea.submit", {"title": 12, "colour": "red"}, id="c2")
    assert reply["code"] == "bad_shape" and set(reply["fields"]) == {"title", "colour"}
    await _still_works(peer)
    await peer.close()


async def test_a_command_above_the_size_limit_gets_too_large(app, room, sqlite_site) -> None:
    peer = await Peer.open(app, room, sqlite_site.world.alice)
    reply = await peer.command("idea.submit", {"title": "big", "body": "x" * 40_000}, id="c3")
    assert reply["code"] == "too_large"
    await _still_works(peer)
    await peer.close()


async def test_a_1mb_frame_closes_that_socket_1009_and_the_others_are_served(app, room, sqlite_site) -> None:
    world = sqlite_site.world
    other = await Peer.open(app, room, world.bob)
    big = await Peer.open(app, room, world.alice)
    await big.send("x" * 1_000_000)
    code, _ = await big.closed()
    assert code == 1009
    await _still_works(other)
    await other.close()


async def test_a_command_the_actor_may_not_perform_is_forbidden(app, room, sqlite_site) -> None:
    peer = await Peer.open(app, room, sqlite_site.world.follower)
    reply = await peer.command("idea.submit", {"title": "Mine"}, id="c4")
    assert reply["code"] == "forbidden" and reply["id"] == "c4"
    assert peer.events == []
    await peer.close()


async def test_domain_errors_speak_the_sockets_language(app, room, sqlite_site) -> None:
    danish = await Peer.open(app, room, sqlite_site.world.follower)
    reply = await danish.command("idea.submit", {"title": "Mine"}, id="da1")
    assert reply["message"] == "Du har ikke tilladelse til at gøre det."
    await danish.close()
    english = await Peer.open(app, room, sqlite_site.world.follower, headers={"Accept-Language": "en-GB,en"})
    reply = await english.command("idea.submit", {"title": "Mine"}, id="en1")
    assert reply["message"] == "You do not have permission to do that."
    await english.close()


async def test_invalid_input_gets_the_field_messages(app, room, sqlite_site) -> None:
    peer = await Peer.open(app, room, sqlite_site.world.alice)
    reply = await peer.command("idea.submit", {"title": "   "})
    assert reply["code"] == "invalid" and "title" in reply["fields"]
    await peer.close()


@pytest.mark.parametrize(("who", "where", "code"), [
    ("stranger", "room", 4004),
    ("alice", "meeting:999999", 4004),
    ("alice", "lobby:1", 4004),
    (None, "room", 4001),
])
async def test_a_room_the_actor_may_not_read_is_refused(app, room, sqlite_site, who, where, code) -> None:
    user = getattr(sqlite_site.world, who) if who else None
    peer = await Peer.open(app, room if where == "room" else where, user)
    assert (await peer.closed())[0] == code


async def test_a_foreign_origin_is_refused_4003_and_the_sites_own_is_admitted(app, room, sqlite_site) -> None:
    evil = await Peer.open(app, room, sqlite_site.world.alice, origin="https://evil.example")
    closed = await evil.closed()
    assert closed[0] == 4003 and "origin" in closed[1]
    own = await Peer.open(app, room, sqlite_site.world.alice, origin=app.base)
    await own.control("hello")
    await own.close()


async def test_a_bad_since_is_refused_4000(app, room, sqlite_site) -> None:
    peer = await Peer.open(app, room + "?since=-3", sqlite_site.world.alice)
    assert (await peer.closed())[0] == 4000


async def test_a_signed_token_admits_and_a_forged_one_is_refused(app, room, sqlite_site) -> None:
    settings = Settings(secret_key=SECRET)
    peer = await Peer.open(app, room, token=sign_token(settings, sqlite_site.world.bob))
    await peer.control("hello")
    await peer.close()
    forged = await Peer.open(app, room, token=sign_token(Settings(secret_key="other"), sqlite_site.world.bob))
    assert (await forged.closed())[0] == 4001


async def test_a_flood_from_one_socket_is_rate_limited_and_the_others_are_served(app, room, sqlite_site) -> None:
    world = sqlite_site.world
    flooder = await Peer.open(app, room, world.alice)
    watcher = await Peer.open(app, room, world.bob)
    await watcher.control("hello")
    await flooder.control("hello")
    for n in range(150):
        await flooder.send({"type": "idea.submit", "id": f"f{n}", "data": {"title": f"Flood {n}"}})
    await flooder.wait(lambda: len([f for f in flooder.controls if f["type"] in ("ack", "error")]) == 150, 60)
    replies = [f for f in flooder.controls if f["type"] in ("ack", "error")]
    acks = [r for r in replies if r["type"] == "ack"]
    assert {r["code"] for r in replies if r["type"] == "error"} == {"rate_limited"}
    assert 0 < len(acks) < 150
    last = max(a["seq"] for a in acks)
    assert (await watcher.until_seq(last))[-len(acks):] == sorted(a["seq"] for a in acks)
    await _still_works(watcher)
    await flooder.close()
    await watcher.close()


async def test_since_replays_what_was_missed_then_says_hello(app, room, sqlite_site) -> None:
    world = sqlite_site.world
    writer = await Peer.open(app, room, world.alice)
    acks = [await writer.command("idea.submit", {"title": f"Idea {n}"}) for n in range(5)]
    late = await Peer.open(app, room, world.bob, since=acks[1]["seq"])
    hello = await late.control("hello")
    assert late.seqs == [a["seq"] for a in acks[2:]] and hello["seq"] == acks[-1]["seq"]
    assert [e["data"]["title"] for e in late.events] == ["Idea 2", "Idea 3", "Idea 4"]
    await writer.close()
    await late.close()


async def test_since_beyond_the_log_gets_resync_then_hello(app, room, sqlite_site) -> None:
    peer = await Peer.open(app, room, sqlite_site.world.alice, since=50)
    resync = await peer.control("resync")
    hello = await peer.control("hello")
    assert resync["seq"] == hello["seq"] == 0
    assert peer.controls.index(resync) < peer.controls.index(hello)
    await peer.close()


async def test_heartbeats_carry_the_rooms_last_seq(app, room, sqlite_site) -> None:
    peer = await Peer.open(app, room, sqlite_site.world.alice)
    ack = await peer.command("idea.submit", {"title": "Beat"})
    beat = await peer.wait(lambda: next((f for f in peer.controls if f["type"] == "heartbeat"
                                         and f["seq"] == ack["seq"]), None), timeout=10)
    assert set(beat) == {"type", "seq"}
    await asyncio.sleep(0)
    await peer.close()


async def test_sockets_are_served_pre_framed_with_the_procfile_flags(app, room, sqlite_site) -> None:
    peer = await Peer.open(app, room, sqlite_site.world.alice)
    await peer.control("hello")
    await _still_works(peer)
    stats = app.health()[1]["broker"]
    assert stats["sockets"] >= 1 and stats["framed_sockets"] == stats["sockets"]
    await peer.close()


async def test_a_ticket_admits_its_owner_again_and_commands_still_work(app, room, sqlite_site) -> None:
    first = await Peer.open(app, room, sqlite_site.world.alice)
    ticket = (await first.control("hello"))["ticket"]
    await first.close()
    again = await Peer.open(app, room, sqlite_site.world.alice, ticket=ticket)
    await again.control("hello")
    await _still_works(again)  # the actor is loaded with the first command
    await again.close()


async def test_a_ticket_is_no_login_for_someone_else_nor_for_another_room(app, room, sqlite_site) -> None:
    world = sqlite_site.world
    first = await Peer.open(app, room, world.alice)
    ticket = (await first.control("hello"))["ticket"]
    await first.close()
    stranger = await Peer.open(app, room, world.stranger, ticket=ticket)
    anonymous = await Peer.open(app, room, ticket=ticket)
    assert [(await p.closed())[0] for p in (stranger, anonymous)] == [4004, 4001]
    other_room = new_room(sqlite_site.database_url, world)
    elsewhere = await Peer.open(app, other_room, world.alice, ticket=ticket)  # checked in the database
    await elsewhere.control("hello")
    await elsewhere.close()


async def test_a_ticket_admits_without_the_database_until_it_expires(app, room, sqlite_site) -> None:
    db = Database(sqlite_site.database_url)
    try:
        with db.unit_of_work() as uow:
            carol = factories.make_user(uow.session, "Carol")
            factories.follow(uow.session, sqlite_site.world.project_id, carol)
        first = await Peer.open(app, room, carol.id)
        ticket = (await first.control("hello"))["ticket"]
        await first.close()
        with db.unit_of_work() as uow:  # Carol leaves the project
            uow.session.execute(sa.delete(ProjectMember).where(ProjectMember.user_id == carol.id))
        refused = await Peer.open(app, room, carol.id)
        assert (await refused.closed())[0] == 4004
        admitted = await Peer.open(app, room, carol.id, ticket=ticket)  # WS_TICKET_SECONDS not over yet
        await admitted.control("hello")
        await admitted.close()
    finally:
        db.dispose()
