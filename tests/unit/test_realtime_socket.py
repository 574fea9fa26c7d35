"""The socket endpoint in-process (Starlette's TestClient, SQLite): a bug in a command closes the
socket with 1011 and is logged; the other sockets of the room go on."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from app.realtime import protocol
from tests.integration.realtime_support import new_room, seed_world, session_cookie
from tests.unit.webapp import make_app


@pytest.fixture
def sqlite_url(tmp_path) -> str:  # type: ignore[no-untyped-def]
    from sqlmodel import SQLModel

    from app.db import make_engine

    url = f"sqlite:///{tmp_path / 'socket.db'}"
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    return url


def test_a_bug_closes_the_socket_with_1011_and_the_room_goes_on(sqlite_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    world = seed_world(sqlite_url)
    room = new_room(sqlite_url, world)

    async def broken(realtime, actor, room, incoming, **_options):  # type: ignore[no-untyped-def]
        if incoming.id == "boom":
            raise RuntimeError("a bug in a service")
        return await real_run(realtime, actor, room, incoming)

    real_run = protocol.run
    monkeypatch.setattr(protocol, "run", broken)
    app = make_app(sqlite_url)  # secret key "test"
    with TestClient(app) as client:
        def open_socket(uid: int):  # type: ignore[no-untyped-def]
            return client.websocket_connect(f"/ws/{room}", headers={"cookie": session_cookie(uid, "test")})

        with open_socket(world.bob) as watcher, open_socket(world.alice) as victim:
            assert watcher.receive_json()["type"] == "hello"
            assert victim.receive_json()["type"] == "hello"
            victim.send_text(json.dumps({"type": "idea.submit", "id": "boom", "data": {"title": "x"}}))
            while (message := victim.receive())["type"] != "websocket.close":
                pass
            assert message["code"] == 1011
        with open_socket(world.alice) as again:
            assert again.receive_json()["type"] == "hello"
            again.send_text(json.dumps({"type": "idea.submit", "id": "fine", "data": {"title": "y"}}))
            for _ in range(10):  # presence and the event may come first
                reply = again.receive_json()
                if reply["type"] == "ack":
                    break
            assert reply == {"type": "ack", "id": "fine", "seq": 1}
