"""The process's events across two real app processes sharing PostgreSQL and Redis: a comment made
through one process reaches a socket on the other with the room's next seq; a page that was away
while three agenda items were added gets exactly those three when it comes back with ``since``."""

from __future__ import annotations

import json
from base64 import b64encode

import httpx
import pytest
from itsdangerous import TimestampSigner

from app.db import Database
from app.models import Meeting
from tests import factories
from tests.integration.conftest import Site
from tests.integration.realtime_support import SECRET, Peer, new_room

pytestmark = [pytest.mark.integration, pytest.mark.postgres]
CSRF = "process-realtime-test-token"


def cookie(user_id: int) -> str:
    """A session cookie for ``user_id`` that also carries a known CSRF token."""
    data = b64encode(json.dumps({"uid": user_id, "csrf": CSRF}).encode())
    return "godialog_session=" + TimestampSigner(SECRET).sign(data).decode()


@pytest.fixture
def meeting(cluster: Site) -> tuple[str, int]:
    """A fresh meeting (its room) with one agenda item (made directly in the database: no events)."""
    room = new_room(cluster.database_url, cluster.world)
    db = Database(cluster.database_url)
    try:
        with db.unit_of_work() as uow:
            meeting_row = uow.session.get(Meeting, int(room.partition(":")[2]))
            item = factories.make_agenda_item(uow.session, meeting_row, "Idéer til grønne byrum")
            return room, item.id  # type: ignore[return-value]
    finally:
        db.dispose()


async def test_a_comment_made_through_one_process_reaches_the_other_with_the_next_seq(cluster: Site, meeting) -> None:
    room, item_id = meeting
    a, b = cluster.apps
    world = cluster.world
    watcher = await Peer.open(b, room, world.bob)
    hello = await watcher.control("hello")
    writer = await Peer.open(a, room, world.alice)
    await writer.control("hello")
    ack = await writer.command("comment.add", {"target": "agenda_item", "target_id": item_id,
                                               "body": "Flere træer, tak!"})
    assert ack["type"] == "ack" and ack["seq"] == hello["seq"] + 1
    frame = await watcher.wait(lambda: next((e for e in watcher.events if e["type"] == "comment.created"), None))
    assert frame["seq"] == hello["seq"] + 1 and frame["room"] == room
    assert frame["data"]["body"] == "Flere træer, tak!" and frame["data"]["author_id"] == world.alice
    assert frame["data"]["agenda_item_id"] == item_id
    # The same comment through the other process's HTTP form: the next seq again, seen on the first.
    async with httpx.AsyncClient(base_url=b.base, headers={"Cookie": cookie(world.bob), "X-CSRF-Token": CSRF,
                                                           "Accept": "application/json"}) as http:
        response = await http.post(f"/agenda/{item_id}/comments", data={"body": "Enig!"})
        assert response.status_code == 200, response.text
    mirrored = await writer.wait(lambda: next((e for e in writer.events if e["type"] == "comment.created"
                                               and e["data"]["body"] == "Enig!"), None))
    assert mirrored["seq"] == hello["seq"] + 2
    assert watcher.seqs == [hello["seq"] + 1, hello["seq"] + 2]
    await watcher.close()
    await writer.close()


async def test_a_page_away_while_three_items_were_added_gets_exactly_those_three(cluster: Site, meeting) -> None:
    room, _ = meeting
    a, b = cluster.apps
    world = cluster.world
    meeting_id = int(room.partition(":")[2])
    page = await Peer.open(b, room, world.follower)
    seen = (await page.control("hello"))["seq"]
    await page.close()
    titles = ["Velkomst", "Bænke ved søen", "Aftaler og næste skridt"]
    async with httpx.AsyncClient(base_url=a.base, headers={"Cookie": cookie(world.facilitator), "X-CSRF-Token": CSRF,
                                                           "Accept": "application/json"}) as http:
        for title in titles:
            response = await http.post(f"/meetings/{meeting_id}/agenda", data={"title": title, "planned_minutes": "10"})
            assert response.status_code == 200, response.text
    back = await Peer.open(b, room, world.follower, since=seen)
    hello = await back.control("hello")
    assert hello["seq"] == seen + 3
    assert [(e["seq"], e["type"], e["data"]["title"]) for e in back.events] == [
        (seen + 1, "agenda_item.created", titles[0]), (seen + 2, "agenda_item.created", titles[1]),
        (seen + 3, "agenda_item.created", titles[2])]
    assert [e["data"]["position"] for e in back.events] == [1, 2, 3]  # after the item already there
    await back.close()


async def test_a_comment_on_another_meetings_item_is_refused_in_this_room(cluster: Site, meeting) -> None:
    room, item_id = meeting
    other_room = new_room(cluster.database_url, cluster.world)
    peer = await Peer.open(cluster.apps[0], other_room, cluster.world.alice)
    await peer.control("hello")
    reply = await peer.command("comment.add", {"target": "agenda_item", "target_id": item_id, "body": "Forkert rum"})
    assert reply["type"] == "error" and reply["code"] == "not_found"
    follower = await Peer.open(cluster.apps[1], other_room, cluster.world.follower)
    refused = await follower.command("comment.add", {"target": "agenda_item", "target_id": item_id, "body": "x"})
    assert refused["code"] in ("forbidden", "not_found")
    assert peer.events == [] and room != other_room
    await peer.close()
    await follower.close()
