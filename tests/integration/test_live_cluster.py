"""The live workshop on two real app processes sharing PostgreSQL and Redis: ideas and ballots from
phones on both reach every client in order; a dropped phone's resend makes one idea; a second ballot
replaces the first; a guest cannot vote twice by reconnecting; tallies arrive coalesced; the code of
an ended session is refused with a clear message."""

from __future__ import annotations

import asyncio
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import select
from websockets.asyncio.client import connect

from app.db import Database
from app.models import Ballot, Idea, LiveSession, Phase, User
from app.services import live
from app.services.actor import load_actor
from tests import factories
from tests.integration.conftest import Site
from tests.integration.realtime_support import AppProcess, Peer, new_room, session_cookie

pytestmark = [pytest.mark.integration, pytest.mark.postgres]


def run(site: Site, fn: Any) -> Any:
    db = Database(site.database_url)
    try:
        result, _ = db.run(fn)
        return result
    finally:
        db.dispose()


@pytest.fixture
def room(cluster: Site) -> str:
    """A fresh meeting in the world's phase with its live session running."""
    name = new_room(cluster.database_url, cluster.world)
    meeting_id = int(name.partition(":")[2])

    def start(session):  # type: ignore[no-untyped-def]
        live.start_session(session, load_actor(session, cluster.world.facilitator), meeting_id)

    run(cluster, start)
    return name


def code_of(site: Site, room: str) -> str:
    meeting_id = int(room.partition(":")[2])
    return run(site, lambda s: live.running_session(s, meeting_id).join_code)  # type: ignore[union-attr]


async def ideas_on(peer: Peer, titles: set[str]) -> list[dict[str, Any]]:
    await peer.wait(lambda: titles <= {e["data"]["title"] for e in peer.events if e["type"] == "idea.created"})
    return [e for e in peer.events if e["type"] == "idea.created"]


def last_tally(peer: Peer, vote_id: int) -> dict[str, Any] | None:
    tallies = [f["data"] for f in peer.controls if f["type"] == "vote.tallied" and f["data"]["vote_id"] == vote_id]
    return max(tallies, key=lambda t: t["version"]) if tallies else None


async def tally_reaches(peer: Peer, vote_id: int, voters: int, counts: dict[str, int], timeout: float = 15.0) -> None:
    def done() -> bool:
        tally = last_tally(peer, vote_id)
        return tally is not None and tally["voters"] == voters and tally["counts"] == counts
    await peer.wait(done, timeout)


async def opened_vote(peer: Peer, ack: dict[str, Any]) -> int:
    """The id of the vote whose vote.opened the ack names."""
    assert ack["type"] == "ack", ack
    event = await peer.wait(lambda: next((e for e in peer.events if e["seq"] == ack["seq"]), None))
    return event["data"]["id"]


async def open_dot_vote(peer: Peer, idea_ids: list[int], *, dots: int = 3, live_results: bool = True) -> int:
    ack = await peer.command("vote.open", {"kind": "dots", "question": "Hvad skal vi arbejde videre med?",
                                           "idea_ids": idea_ids, "dots_per_person": dots,
                                           "results_live": live_results})
    assert ack["type"] == "ack", ack
    opened = await peer.wait(lambda: next((e for e in peer.events if e["type"] == "vote.opened"
                                           and e["seq"] == ack["seq"]), None))
    return opened["data"]["id"]


async def test_ideas_and_ballots_from_phones_on_both_processes_reach_every_client_in_order(cluster: Site,
                                                                                           room: str) -> None:
    a, b = cluster.apps
    w = cluster.world
    console = await Peer.open(a, room, w.facilitator)
    screen_b = await Peer.open(b, room, w.facilitator)
    alice, bob = await Peer.open(a, room, w.alice), await Peer.open(b, room, w.bob)
    for peer in (console, screen_b, alice, bob):
        await peer.control("hello")

    async def propose(peer: Peer, name: str, n: int) -> list[dict[str, Any]]:
        return [await peer.command("idea.submit", {"title": f"{name} {i}"}) for i in range(n)]

    acks = await asyncio.gather(propose(alice, "Alice via A", 6), propose(bob, "Bob via B", 6))
    assert all(a["type"] == "ack" for a in acks[0] + acks[1])
    titles = {f"{who} {i}" for who in ("Alice via A", "Bob via B") for i in range(6)}
    walls = [await ideas_on(peer, titles) for peer in (console, screen_b, alice, bob)]
    assert all([e["seq"] for e in wall] == [e["seq"] for e in walls[0]] for wall in walls)
    assert [e["seq"] for e in walls[0]] == sorted(e["seq"] for e in walls[0])

    ideas = {e["data"]["title"]: e["data"]["id"] for e in walls[0]}
    vote_id = await open_dot_vote(console, [ideas["Alice via A 0"], ideas["Bob via B 0"]])
    await bob.wait(lambda: any(e["type"] == "vote.opened" for e in bob.events))
    opened = next(e for e in bob.events if e["type"] == "vote.opened")
    options = {o["label"]: str(o["id"]) for o in opened["data"]["options"]}
    a0, b0 = options["Alice via A 0"], options["Bob via B 0"]

    more = asyncio.gather(propose(alice, "Later via A", 3), propose(bob, "Later via B", 3))
    ballots = await asyncio.gather(alice.command("ballot.cast", {"vote_id": vote_id, "dots": {a0: 2, b0: 1}}),
                                   bob.command("ballot.cast", {"vote_id": vote_id, "dots": {b0: 3}}))
    later = await more
    assert [x["type"] for x in ballots] == ["ack", "ack"] and ballots[0]["seq"] is None  # a ballot is private
    for peer in (console, screen_b, alice, bob):
        await tally_reaches(peer, vote_id, 2, {a0: 2, b0: 4})
    last = max(ack["seq"] for acks_of_one in later for ack in acks_of_one)  # the room's last committed seq
    orders = [await peer.until_seq(last) for peer in (console, screen_b, alice, bob)]
    assert orders[0] == list(range(orders[0][0], last + 1))  # gapless
    assert all(order == orders[0] for order in orders)  # one order everywhere
    assert not [e for peer in (console, screen_b) for e in peer.events if e["type"].startswith("ballot")]
    for peer in (console, screen_b, alice, bob):
        await peer.close()


async def test_a_phone_that_drops_and_resends_an_idea_makes_one_idea(cluster: Site, room: str) -> None:
    a, b = cluster.apps
    w = cluster.world
    watcher = await Peer.open(b, room, w.bob)
    await watcher.control("hello")
    phone = await Peer.open(a, room, w.alice)
    await phone.control("hello")
    client_id = uuid.uuid4().hex
    title = f"Bænke ved søen {client_id[:6]}"
    await phone.send({"type": "idea.submit", "id": client_id, "data": {"title": title}})
    phone.conn.transport.abort()  # the phone loses its connection before the ack arrives
    await phone.close()
    since = watcher.seqs[-1] if watcher.seqs else 0
    again = await Peer.open(b, room, w.alice, since=since)  # back, on the other process
    first = await again.command("idea.submit", {"title": title}, id=client_id)
    third_phone = await Peer.open(a, room, w.alice)
    third = await third_phone.command("idea.submit", {"title": title}, id=client_id)
    await third_phone.close()
    assert first["type"] == "ack" and first == third
    await watcher.wait(lambda: any(e["data"].get("title") == title for e in watcher.events))
    await asyncio.sleep(0.5)
    assert [e["data"]["title"] for e in watcher.events].count(title) == 1
    assert run(cluster, lambda s: s.execute(sa.select(sa.func.count()).select_from(Idea)
                                            .where(Idea.title == title)).scalar_one()) == 1
    await watcher.close()
    await again.close()


async def test_a_second_ballot_from_the_same_person_replaces_the_first(cluster: Site, room: str) -> None:
    a, b = cluster.apps
    w = cluster.world
    console = await Peer.open(a, room, w.facilitator)
    ack = await console.command("vote.open", {"kind": "yes-no", "question": "Skal vi plante frugttræer?",
                                              "results_live": True})
    vote_id = await opened_vote(console, ack)
    bob_a = await Peer.open(a, room, w.bob)
    assert (await bob_a.command("ballot.cast", {"vote_id": vote_id, "choice": "yes"}))["type"] == "ack"
    bob_b = await Peer.open(b, room, w.bob)  # the same person on another phone, on the other process
    assert (await bob_b.command("ballot.cast", {"vote_id": vote_id, "choice": "no"}))["type"] == "ack"
    await tally_reaches(console, vote_id, 1, {"no": 1})
    recorded = await bob_a.wait(lambda: [f for f in bob_a.controls if f["type"] == "ballot.recorded"][1:])
    assert recorded[-1]["data"]["choices"] == {"choice": "no"}  # the first phone learns the new ballot
    assert run(cluster, lambda s: len(s.exec(select(Ballot).where(Ballot.vote_id == vote_id)).all())) == 1
    for peer in (console, bob_a, bob_b):
        await peer.close()


class Browser:
    """A phone talking to one app process over HTTP, keeping its session cookie (forms with their
    CSRF token)."""

    def __init__(self, app: AppProcess, cookie: str | None = None) -> None:
        self.app = app
        self.cookie = cookie
        self.opener = urllib.request.build_opener(_NoRedirect())

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, dict[str, str]]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.app.base + path, data=body, headers={"Accept-Language": "da"})
        if self.cookie:
            req.add_header("Cookie", self.cookie)
        try:
            resp = self.opener.open(req, timeout=10)
        except urllib.error.HTTPError as err:
            resp = err
        with resp:
            for header in resp.headers.get_all("Set-Cookie") or []:
                if header.startswith("godialog_session="):
                    self.cookie = header.split(";", 1)[0]
            return resp.status, resp.read().decode(), {k.lower(): v for k, v in resp.headers.items()}

    def form(self, path: str, data: dict[str, str]) -> tuple[int, str, dict[str, str]]:
        _, page, _ = self.request(path)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token, f"no form on {path}"
        return self.request(path, {**data, "csrf_token": token.group(1)})


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


async def open_with_cookie(app: AppProcess, room: str, cookie: str) -> Peer:
    conn = await connect(app.ws(room), additional_headers={"Cookie": cookie}, proxy=None, compression=None)
    return Peer(conn)


async def test_a_guest_cannot_vote_twice_by_reconnecting(cluster: Site, room: str) -> None:
    a, b = cluster.apps
    phone = Browser(b)
    status, _, headers = await asyncio.to_thread(phone.form, f"/live/{code_of(cluster, room)}",
                                                 {"display_name": "Fatima"})
    assert status == 303 and headers["location"] == f"/meetings/{room.partition(':')[2]}/live"
    console = await Peer.open(a, room, cluster.world.facilitator)
    ack = await console.command("vote.open", {"kind": "scale", "question": "Hvor godt virker gården i dag?",
                                              "results_live": True})
    vote_id = await opened_vote(console, ack)
    for app, score in ((a, 2), (b, 5), (a, 4)):  # vote, drop the connection, come back, vote again
        guest = await open_with_cookie(app, room, phone.cookie)  # type: ignore[arg-type]
        assert (await guest.command("ballot.cast", {"vote_id": vote_id, "score": score}))["type"] == "ack"
        await guest.close()
    await tally_reaches(console, vote_id, 1, {"4": 1})
    voters = run(cluster, lambda s: s.exec(select(Ballot.voter_id).where(Ballot.vote_id == vote_id)).all())
    assert len(voters) == 1
    await console.close()


async def test_tallies_reach_every_screen_coalesced_however_many_ballots_arrive(cluster: Site, room: str) -> None:
    a, b = cluster.apps
    w = cluster.world

    def crowd(session):  # type: ignore[no-untyped-def]
        phase = session.get(Phase, w.phase_id)
        people = [factories.make_user(session, f"Deltager {n}") for n in range(40)]
        for person in people:
            factories.join_phase(session, phase, person)
        return [p.id for p in people]

    people = run(cluster, crowd)
    screens = [await Peer.open(a, room, w.facilitator), await Peer.open(b, room, w.follower)]
    ack = await screens[0].command("vote.open", {"kind": "yes-no", "question": "Ja eller nej?",
                                                 "results_live": True})
    vote_id = await opened_vote(screens[0], ack)
    phones = [await Peer.open((a, b)[n % 2], room, uid) for n, uid in enumerate(people)]
    started = asyncio.get_running_loop().time()
    replies = await asyncio.gather(*(p.command("ballot.cast", {"vote_id": vote_id, "choice": ("yes", "no")[n % 3 == 0]})
                                     for n, p in enumerate(phones)))
    assert all(r["type"] == "ack" for r in replies)
    expected = {"yes": sum(1 for n in range(40) if n % 3), "no": sum(1 for n in range(40) if n % 3 == 0)}
    for screen in screens:
        await tally_reaches(screen, vote_id, 40, expected)
    elapsed = asyncio.get_running_loop().time() - started
    for screen in screens:
        frames = [f for f in screen.controls if f["type"] == "vote.tallied"]
        # at most 4 a second from each of the two processes (plus the first of each window), each the full tally
        assert len(frames) <= 2 * (4 * elapsed + 2), (len(frames), elapsed)
        assert len(frames) < 40
    for peer in screens + phones:
        await peer.close()


async def test_the_join_code_of_an_ended_session_is_refused_with_a_clear_message(cluster: Site, room: str) -> None:
    a, b = cluster.apps
    code = code_of(cluster, room)
    facilitator = Browser(a, session_cookie(cluster.world.facilitator))
    status, page, _ = await asyncio.to_thread(facilitator.request, f"/meetings/{room.partition(':')[2]}/live/console")
    assert status == 200  # the console, with the form that ends the session
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    status, _, _ = await asyncio.to_thread(facilitator.request, f"/meetings/{room.partition(':')[2]}/live/end",
                                           {"csrf_token": token})
    assert status == 303
    users = run(cluster, lambda s: s.execute(sa.select(sa.func.count()).select_from(User)).scalar_one())
    late = Browser(b)
    for path in (f"/live/{code}", f"/live?code={code.lower()}"):
        status, page, _ = await asyncio.to_thread(late.request, path)
        assert status == 410 and "Denne live-session er slut, så koden virker ikke længere" in page
    status, page, _ = await asyncio.to_thread(late.request, f"/live/{code}", {"display_name": "Sen", "csrf_token": "x"})
    assert status == 403  # no token, no join: nothing is created either way
    assert run(cluster, lambda s: s.execute(sa.select(sa.func.count()).select_from(User)).scalar_one()) == users
    assert run(cluster, lambda s: s.exec(select(LiveSession).where(LiveSession.join_code == code)).one().ended_at)


async def test_reactions_from_both_processes_reach_the_screen_counted(cluster: Site, room: str) -> None:
    a, b = cluster.apps
    w = cluster.world
    screen = await Peer.open(a, room, w.facilitator)
    await screen.control("hello")
    alice, bob = await Peer.open(a, room, w.alice), await Peer.open(b, room, w.bob)
    sent = [alice.command("reaction.send", {"kind": "love"}) for _ in range(6)]
    sent += [bob.command("reaction.send", {"kind": "clap"}) for _ in range(4)]
    assert all(r["type"] == "ack" and r["seq"] is None for r in await asyncio.gather(*sent))

    def totals() -> dict[str, int]:
        counted: dict[str, int] = {}
        for frame in screen.controls:
            if frame["type"] == "reaction.counted":
                for kind, n in frame["data"]["counts"].items():
                    counted[kind] = counted.get(kind, 0) + n
        return counted

    await screen.wait(lambda: totals() == {"love": 6, "clap": 4})
    assert len([f for f in screen.controls if f["type"] == "reaction.counted"]) < 10  # counted, not one by one
    assert (await bob.command("reaction.send", {"kind": "boo"}))["code"] == "invalid"
    follower = await Peer.open(b, room, w.follower)
    assert (await follower.command("reaction.send", {"kind": "love"}))["code"] == "forbidden"
    for peer in (screen, alice, bob, follower):
        await peer.close()
