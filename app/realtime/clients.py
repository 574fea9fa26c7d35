"""One connected socket as the hub sees it: who it is, a bounded send queue, its own writer task.

The hub only ever calls ``push`` (never awaits a send), so one stalled phone cannot hold up a room.
A client whose queue passes the bound is dropped at once — the queue is freed and it gets no more
frames — and closed with ``TOO_SLOW`` and a reason; it resumes by reconnecting with ``since``.
(Replay is sent before the client goes live, so it never counts against the bound.)
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import random
from collections import deque

from starlette.websockets import WebSocket, WebSocketDisconnect

from app.realtime.uvicorn_ws import SendFrames, frames_sender, frames_writer, wire

log = logging.getLogger(__name__)

TOO_SLOW = 4008
BATCH = 64  # replayed frames per write
_serial = itertools.count(1)


class Client:
    __slots__ = ("_busy", "_queue", "_wake", "_writer", "bound", "closed", "facilitator", "frames", "key", "name",
                 "next_heartbeat", "room", "sent_seq", "user_id", "write_now", "ws")

    def __init__(self, ws: WebSocket, *, room: str, user_id: int | None, name: str, facilitator: bool,
                 bound: int) -> None:
        self.ws = ws
        self.room = room
        self.user_id = user_id
        self.name = name
        self.facilitator = facilitator
        self.bound = bound
        self.key = f"c{next(_serial)}"
        self.sent_seq = 0  # the last seq queued (or replayed) to this socket
        self.closed = False
        self.next_heartbeat = 0.0
        self._queue: deque[str | bytes] = deque()  # text, or bytes already framed (with ``frames``)
        self._wake = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None
        self.frames: SendFrames | None = frames_sender(getattr(ws, "scope", None))
        self.write_now = frames_writer(getattr(ws, "scope", None))
        self._busy = False  # the writer holds frames taken from the queue and not yet written

    def __repr__(self) -> str:
        return f"<Client {self.key} {self.room} user={self.user_id}>"

    @property
    def queued(self) -> int:
        return len(self._queue)

    def schedule_heartbeat(self, now: float, mean: float) -> None:
        self.next_heartbeat = now + mean * random.uniform(0.75, 1.25)

    def start(self, first: str) -> None:
        """Go live: ``first`` (the hello) is sent before anything pushed from now on."""
        self._queue.appendleft(first)
        self._wake.set()
        self._writer = asyncio.create_task(self._write(), name=f"writer {self.key}")

    def push(self, frame: str | bytes, seq: int | None = None) -> None:
        """Queue ``frame`` — text, or bytes from ``wire`` when ``frames`` is set — (never blocks); drop
        the client when it is too far behind."""
        if self.closed:
            return
        if len(self._queue) >= self.bound:
            self.close(TOO_SLOW, f"too slow: more than {self.bound} frames behind; reconnect with since")
            return
        if seq is not None:
            self.sent_seq = seq
        # Nothing queued or in the writer's hands and a transport that takes it: write now, with no
        # task switch. Otherwise queue, so order is kept and flow control applies.
        if (self.write_now is not None and not self._queue and not self._busy and self._writer is not None
                and isinstance(frame, bytes) and self.write_now(frame)):
            return
        self._queue.append(frame)
        self._wake.set()

    async def send_now(self, texts: list[str]) -> None:
        """Send ``texts`` before the client is live (replay): straight to the socket, not queued."""
        if self.frames is not None:
            for start in range(0, len(texts), BATCH):
                await self.frames(b"".join(wire(t) for t in texts[start:start + BATCH]))
            return
        for text in texts:
            await self.ws.send_text(text)

    async def _write(self) -> None:
        queue, wake, send, frames = self._queue, self._wake, self.ws.send_text, self.frames
        try:
            while True:
                if frames is not None:
                    while queue:  # everything queued, in one write
                        data = b"".join([f if isinstance(f, bytes) else wire(f) for f in queue])
                        queue.clear()
                        self._busy = True
                        try:
                            await frames(data)
                        finally:
                            self._busy = False
                while queue:
                    await send(queue.popleft())  # type: ignore[arg-type]  # only text without frames
                wake.clear()
                await wake.wait()
        except (WebSocketDisconnect, OSError, RuntimeError):
            self.closed = True  # the socket is gone; its endpoint cleans up

    def close(self, code: int, reason: str) -> None:
        """Stop sending and close the socket with ``code`` (in the background; never blocks)."""
        if self.closed:
            return
        self.closed = True
        self._queue.clear()
        if self._writer is not None:
            self._writer.cancel()
        log.info("closing %s: %s %s", self, code, reason)
        self._writer = asyncio.create_task(self._close(code, reason[:120]), name=f"close {self.key}")

    async def _close(self, code: int, reason: str) -> None:
        with contextlib.suppress(WebSocketDisconnect, OSError, RuntimeError):
            await self.ws.close(code, reason)

    async def closed_within(self, seconds: float) -> None:
        """Wait (at most ``seconds``) for a close started by ``close`` to be sent."""
        task = self._writer
        if task is not None and task.get_name().startswith("close"):
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                async with asyncio.timeout(seconds):
                    await asyncio.shield(task)

    async def stop(self) -> None:
        """The socket ended: stop the writer (a pending close is left to finish)."""
        self.closed = True
        self._queue.clear()
        writer = self._writer
        if writer is not None and not writer.done() and writer.get_name().startswith("writer"):
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer
