"""Frames written by the hub directly (the ``godialog.frames`` extension) are exactly what the
websockets library itself would send, and a socket served without the extension gets text."""

from __future__ import annotations

import pytest
from websockets.frames import Frame, Opcode

from app.realtime.clients import Client
from app.realtime.uvicorn_ws import EXTENSION, frames_sender, wire


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65535, 65536, 70_000])
def test_wire_frames_equal_the_libraries_own(size: int) -> None:
    text = ("æ" * size)[:size]  # multi-byte UTF-8: the length is in bytes
    assert wire(text) == Frame(Opcode.TEXT, text.encode()).serialize(mask=False)


def test_a_socket_takes_frames_only_when_the_server_offers_them() -> None:
    async def send(data: bytes) -> None:
        return None

    class Offered:
        scope = {"extensions": {EXTENSION: {"send": send}}}

    class Plain:
        scope = {"extensions": {"websocket.http.response": {}}}

    assert frames_sender(Offered.scope) is send and frames_sender(Plain.scope) is None
    made = [Client(ws, room="meeting:1", user_id=1, name="A", facilitator=False, bound=5)  # type: ignore[arg-type]
            for ws in (Offered(), Plain())]
    assert made[0].frames is send and made[1].frames is None
