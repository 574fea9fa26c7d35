"""Calibration baseline: a bare Redis pub/sub broadcast on the same stack (Starlette on uvicorn, same
serving flags), persisting nothing. It answers the bench's ``idea.submit`` with an ``ack`` and
broadcasts an ``idea.created`` frame numbered by Redis (INCR + PUBLISH in one Lua script, so the
numbering is gapless and in publish order across processes). Each event is encoded once, by the
sender; every process fans it out to its local sockets through per-socket bounded queues and writer
tasks. No auth, no replay, no log: the floor the real engine is compared against.

With ``ECHO_RAW=1`` (served with ``--ws bench._raw_ws:RawSendProtocol``) it frames each event once
and writes the same bytes straight to every local socket's transport, with no per-socket task —
the way ``websockets.broadcast`` does it; a socket with more than ``RAW_BUFFER`` bytes unsent is
closed as too slow.

    uvicorn bench._echo_server:app --ws-per-message-deflate false ...
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import AsyncIterator

import redis.asyncio as aioredis
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from bench._raw_ws import RawSendProtocol, wire

PREFIX = "bench-echo:"
QUEUE = 1000
RAW = os.environ.get("ECHO_RAW") == "1"
RAW_BUFFER = 4 * 1024 * 1024
PUBLISH = """
local seq = redis.call('INCR', KEYS[1])
local msg = '{"type":"idea.created","room":"' .. ARGV[1] .. '","seq":' .. seq .. ',"data":' .. ARGV[2] .. '}'
redis.call('PUBLISH', KEYS[2], msg)
return seq
"""


class Hub:
    def __init__(self) -> None:
        self.redis = aioredis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
        self.rooms: dict[str, set[asyncio.Queue[str | None]]] = {}
        self.raw_rooms: dict[str, set[RawSendProtocol]] = {}
        self.script = self.redis.register_script(PUBLISH)
        self.reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        pubsub = self.redis.pubsub()
        await pubsub.psubscribe(PREFIX + "*")
        self.reader = asyncio.create_task(self._read(pubsub))

    async def _read(self, pubsub: aioredis.client.PubSub) -> None:
        async for m in pubsub.listen():
            if m["type"] != "pmessage":
                continue
            room = m["channel"].decode()[len(PREFIX):]
            text = m["data"].decode()
            if RAW:
                data = wire(text)
                for proto in list(self.raw_rooms.get(room, ())):
                    if proto.buffered() > RAW_BUFFER:
                        proto.transport.close()
                    else:
                        proto.write_raw(data)
                continue
            for q in list(self.rooms.get(room, ())):
                if q.qsize() >= QUEUE:
                    q.put_nowait(None)  # too slow: the writer closes it
                else:
                    q.put_nowait(text)

    async def stop(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
        await self.redis.aclose()


async def socket(ws: WebSocket) -> None:
    hub: Hub = ws.app.state.hub
    room = ws.path_params["room"]
    await ws.accept()
    if RAW:
        await raw_socket(ws, hub, room)
        return
    q: asyncio.Queue[str | None] = asyncio.Queue()
    hub.rooms.setdefault(room, set()).add(q)
    seq = int(await hub.redis.get(PREFIX + "seq:" + room) or 0)
    await ws.send_text(json.dumps({"type": "hello", "room": room, "seq": seq}))

    async def writer() -> None:
        while (text := await q.get()) is not None:
            await ws.send_text(text)
        await ws.close(1008, "too slow")

    task = asyncio.create_task(writer())
    try:
        while True:
            cmd = json.loads(await ws.receive_text())
            data = json.dumps({"idea": {"title": cmd["data"]["title"], "body": cmd["data"].get("body", "")}})
            seq = await hub.script(keys=[PREFIX + "seq:" + room, PREFIX + room], args=[room, data])
            q.put_nowait(json.dumps({"type": "ack", "id": cmd["id"], "seq": seq}))
    except WebSocketDisconnect:
        pass
    finally:
        task.cancel()
        hub.rooms[room].discard(q)


async def raw_socket(ws: WebSocket, hub: Hub, room: str) -> None:
    proto: RawSendProtocol = ws.scope["extensions"]["bench.raw"]["protocol"]
    hub.raw_rooms.setdefault(room, set()).add(proto)
    seq = int(await hub.redis.get(PREFIX + "seq:" + room) or 0)
    proto.write_raw(wire(json.dumps({"type": "hello", "room": room, "seq": seq})))
    try:
        while True:
            cmd = json.loads(await ws.receive_text())
            data = json.dumps({"idea": {"title": cmd["data"]["title"], "body": cmd["data"].get("body", "")}})
            seq = await hub.script(keys=[PREFIX + "seq:" + room, PREFIX + room], args=[room, data])
            proto.write_raw(wire(json.dumps({"type": "ack", "id": cmd["id"], "seq": seq})))
    except WebSocketDisconnect:
        pass
    finally:
        hub.raw_rooms[room].discard(proto)


async def healthz(request: object) -> PlainTextResponse:
    return PlainTextResponse("ok")


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    app.state.hub = Hub()
    await app.state.hub.start()
    yield
    await app.state.hub.stop()


app = Starlette(routes=[Route("/healthz", healthz), WebSocketRoute("/ws/{room}", socket)], lifespan=lifespan)
