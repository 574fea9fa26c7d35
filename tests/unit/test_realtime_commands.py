"""The first command end to end in one transaction: submit_idea follows the write path, receipts make
a command idempotent, and parse() refuses each bad frame with its code."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, select

from app.db import pending_events
from app.errors import Forbidden, InvalidInput, NotFound
from app.models import Idea
from app.realtime import commands
from app.realtime.protocol import RateLimiter, Refused, parse
from app.services.actor import load_actor
from app.services.ideas import submit_idea
from tests.factories import follow, join_phase, make_meeting, make_org, make_phase, make_project, make_user


@pytest.fixture
def meeting_world(session: Session) -> dict[str, int]:
    org = make_org(session)
    project = make_project(session, org)
    phase = make_phase(session, project)
    meeting = make_meeting(session, phase)
    alice, follower, stranger = make_user(session, "Alice"), make_user(session), make_user(session)
    join_phase(session, phase, alice)
    follow(session, project.id, follower)
    return {"meeting": meeting.id, "alice": alice.id, "follower": follower.id, "stranger": stranger.id,
            "phase": phase.id}


def test_a_participant_submits_an_idea_and_the_room_gets_it(session: Session, meeting_world) -> None:  # type: ignore[no-untyped-def]
    alice = load_actor(session, meeting_world["alice"])
    idea = submit_idea(session, alice, meeting_world["meeting"], title="  Flere bænke  ", body="Ved søen")
    assert (idea.title, idea.phase_id, idea.author_id) == ("Flere bænke", meeting_world["phase"], alice.user_id)
    [env] = pending_events(session)
    frame = json.loads(env.frame)
    assert (env.room, env.seq, frame["type"]) == (f"meeting:{meeting_world['meeting']}", 1, "idea.created")
    assert frame["data"]["id"] == idea.id and frame["data"]["author_name"] == "Alice"


@pytest.mark.parametrize(("who", "error"), [("follower", Forbidden), ("stranger", NotFound)])
def test_who_may_not_propose_is_refused_before_anything_is_written(session: Session, meeting_world, who,  # type: ignore[no-untyped-def]
                                                                    error) -> None:
    with pytest.raises(error):
        submit_idea(session, load_actor(session, meeting_world[who]), meeting_world["meeting"], title="Mine")
    assert pending_events(session) == [] and session.exec(select(Idea)).all() == []


def test_a_blank_title_is_invalid_input(session: Session, meeting_world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as raised:
        submit_idea(session, load_actor(session, meeting_world["alice"]), meeting_world["meeting"], title="  ")
    assert "title" in raised.value.fields


def test_the_same_client_id_runs_once_and_answers_the_same(session: Session, meeting_world) -> None:  # type: ignore[no-untyped-def]
    alice = load_actor(session, meeting_world["alice"])
    room = f"meeting:{meeting_world['meeting']}"
    command = commands.COMMANDS["idea.submit"]
    data = commands.IdeaSubmit(title="Once")
    first = commands.execute(session, alice, room, "abc", command, data)
    second = commands.execute(session, alice, room, "abc", command, data)
    assert first == second == {"type": "ack", "id": "abc", "seq": 1}
    assert len(session.exec(select(Idea)).all()) == 1
    assert commands.stored_ack(session, alice.key, "abc") == first


def refused(text: str, room: str = "meeting:1", limiter: RateLimiter | None = None) -> Refused:
    with pytest.raises(Refused) as raised:
        parse(text, room=room, max_bytes=1000, limiter=limiter or RateLimiter(10))
    return raised.value


@pytest.mark.parametrize(("text", "code"), [
    ("{nope", "bad_shape"),
    ("[]", "bad_shape"),
    ('{"type": "idea.submit", "data": {}}', "bad_shape"),
    ('{"type": "idea.submit", "id": "", "data": {}}', "bad_shape"),
    ('{"type": "idea.submit", "id": "x", "data": []}', "bad_shape"),
    ('{"type": "idea.submit", "id": "x", "data": {"title": "t"}, "extra": 1}', "bad_shape"),
    ('{"type": "idea.submit", "id": "x", "data": {"title": 5}}', "bad_shape"),
    ('{"type": "idea.explode", "id": "x", "data": {}}', "unknown_type"),
    ('{"type": "idea.submit", "id": "x", "data": {"title": "' + "y" * 2000 + '"}}', "too_large"),
])
def test_parse_refuses_each_bad_frame_with_its_code(text: str, code: str) -> None:
    assert refused(text).code == code


def test_a_refusal_names_the_command_when_it_can() -> None:
    big = refused(json.dumps({"type": "idea.submit", "id": "c9", "data": {"title": "y" * 2000}}))
    assert (big.code, big.id) == ("too_large", "c9")
    wrong_room = refused('{"type": "idea.submit", "id": "c8", "data": {"title": "t"}}', room="project:1")
    assert (wrong_room.code, wrong_room.id) == ("unknown_type", "c8")


def test_the_rate_limiter_allows_a_burst_then_the_rate() -> None:
    limiter = RateLimiter(5)
    frame = '{"type": "idea.submit", "id": "x", "data": {"title": "t"}}'
    for _ in range(20):  # burst = 4 x rate
        parse(frame, room="meeting:1", max_bytes=1000, limiter=limiter)
    assert refused(frame, limiter=limiter).code == "rate_limited"


async def test_concurrent_commands_overlap_and_an_ordered_one_waits_for_them(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import asyncio
    from types import SimpleNamespace

    from app.realtime import protocol
    from app.realtime.clients import Client

    spans: dict[str, list[float]] = {}

    async def fake_run(realtime, actor, room, incoming, **_options):  # type: ignore[no-untyped-def]
        loop = asyncio.get_running_loop()
        spans[incoming.id] = [loop.time()]
        await asyncio.sleep(0.1)
        spans[incoming.id].append(loop.time())
        return json.dumps({"type": "ack", "id": incoming.id, "seq": None})

    monkeypatch.setattr(protocol, "run", fake_run)
    ordered = commands.Command("test.order", commands.IdeaSubmit, lambda *a: None, "-", ("meeting",), "test")
    monkeypatch.setitem(commands.COMMANDS, "test.order", ordered)
    settings = SimpleNamespace(command_rate=100.0, ws_commands_in_flight=2, ws_max_command_bytes=1000)
    client = Client(None, room="meeting:1", user_id=1, name="A", facilitator=False, bound=100)  # type: ignore[arg-type]
    socket_commands = protocol.SocketCommands(SimpleNamespace(settings=settings), SimpleNamespace(key="u:1"),  # type: ignore[arg-type]
                                              client)

    def frame(type_: str, id_: str) -> str:
        return json.dumps({"type": type_, "id": id_, "data": {"title": "t"}})

    for n in range(3):
        await socket_commands.receive(frame("idea.submit", f"c{n}"))
    await socket_commands.receive(frame("test.order", "s"))
    await socket_commands.drain()
    assert spans["c0"][0] < spans["c1"][0] < spans["c0"][1]  # two at a time
    assert spans["c2"][0] >= min(spans["c0"][1], spans["c1"][1])  # the third waited for a slot
    assert spans["s"][0] >= max(spans[f"c{n}"][1] for n in range(3))  # the ordered one waited for all
    assert client.queued == 4
