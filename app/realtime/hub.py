"""The per-process hub: room -> local sockets, one broker subscription per room, self-healing.

Ordering and completeness: for each room the hub remembers ``delivered``, the last seq it pushed to
its sockets, and only ever pushes ``delivered + 1``. An event that arrives ahead of that (a lost or
late pub/sub message) is parked, and the missing ones are read from the log — committed events
are all there, since seqs are given in commit order. Every ``hub_check_seconds``, and after each
broker reconnection, the hub compares every room's last seq in the database with ``delivered`` and
fetches what is missing: a lost message delays an event, it never loses it.

Joining (``join``): subscribe first, then replay from the recent-frames ring (or the log) directly
to the socket until it has caught up with ``delivered``, and only then go live with a ``hello`` — no
event can fall between replay and live, and replay never counts against the live queue bound.

Each event is encoded once (by whoever made it) and the same text is queued to every socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import anyio

from app.db import Database
from app.realtime import log as eventlog
from app.realtime.broker import Broker
from app.realtime.clients import Client
from app.realtime.envelope import Envelope, control
from app.realtime.events import CATALOGUE
from app.realtime.uvicorn_ws import wire
from app.settings import Settings

logger = logging.getLogger(__name__)
T = TypeVar("T")
RECENT = 512  # frames kept per room to serve reconnects without the database
MAX_PENDING = 10_000


class HubListener(Protocol):
    """Presence (or anything else) that wants to know who comes and goes, and the signals it sent."""

    def joined(self, client: Client) -> None: ...

    def left(self, client: Client) -> None: ...

    def signal(self, room: str, message: dict[str, Any]) -> None: ...


class Room:
    __slots__ = ("clients", "delivered", "empty_since", "filling", "joining", "name", "pending", "ready",
                 "recent")

    def __init__(self, name: str) -> None:
        self.name = name
        self.clients: set[Client] = set()
        self.delivered = 0
        self.recent: deque[tuple[int, str]] = deque(maxlen=RECENT)
        self.pending: dict[int, Envelope] = {}
        self.filling: asyncio.Task[None] | None = None
        self.ready = asyncio.Event()
        self.joining = 0
        self.empty_since: float | None = None


class Hub:
    def __init__(self, settings: Settings, db: Database, broker: Broker) -> None:
        self.settings = settings
        self.db = db
        self.broker = broker
        self.rooms: dict[str, Room] = {}
        self.listener: HubListener | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._fills: set[asyncio.Task[None]] = set()
        self.reads: anyio.CapacityLimiter | None = None  # worker threads for reads (set by the runtime)
        self._stopping = asyncio.Event()

    # --- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        self._ticker = asyncio.create_task(self._tick(), name="hub-ticker")

    async def stop(self) -> None:
        """Stop the ticker and let database reads in flight finish (a cancelled task does not stop
        its worker thread, which would then return a connection to a disposed pool)."""
        self._stopping.set()
        await settle([t for t in [self._ticker, *self._fills] if t is not None])
        for room in self.rooms.values():
            for client in list(room.clients):
                await client.stop()

    def stats(self) -> dict[str, int]:
        clients = [c for r in self.rooms.values() for c in r.clients]
        return {"rooms": len(self.rooms), "sockets": len(clients),
                "framed_sockets": sum(c.frames is not None for c in clients)}

    # --- sockets -----------------------------------------------------------------------------

    async def join(self, client: Client, since: int | None, *, hello: dict[str, Any] | None = None) -> None:
        """Replay what ``client`` missed after ``since`` (None: nothing), then make it live with a
        ``hello`` (carrying ``hello``'s fields too)."""
        room = await self._open(client.room)
        try:
            position = await self._replay(room, client, since)
        finally:
            room.joining -= 1
            if not room.clients and room.empty_since is None:
                room.empty_since = asyncio.get_running_loop().time()
        client.sent_seq = position
        client.schedule_heartbeat(asyncio.get_running_loop().time(), self.settings.ws_heartbeat_seconds)
        room.clients.add(client)
        room.empty_since = None
        client.start(control("hello", room=room.name, seq=position, **(hello or {})))
        if self.listener is not None:
            self.listener.joined(client)

    async def leave(self, client: Client) -> None:
        room = self.rooms.get(client.room)
        live = room is not None and client in room.clients
        if room is not None and live:
            room.clients.discard(client)
            if not room.clients:
                room.empty_since = asyncio.get_running_loop().time()
        await client.stop()
        if live and self.listener is not None:
            self.listener.left(client)

    def send_local(self, room_name: str, frame: str) -> None:
        """Queue an already-encoded ephemeral frame to this process's sockets in the room."""
        room = self.rooms.get(room_name)
        if room is not None:
            for client in room.clients:
                client.push(frame)

    # --- from the broker ---------------------------------------------------------------------

    def on_message(self, room_name: str, payload: str) -> None:
        room = self.rooms.get(room_name)
        if room is None:
            return
        message = json.loads(payload)
        if "signal" in message:
            if self.listener is not None:
                self.listener.signal(room_name, message)
            return
        if message.get("type") not in CATALOGUE:
            logger.warning("dropping an unregistered event type %r", message.get("type"))
            return
        self.receive(room, Envelope.from_broker(message))

    async def on_reconnect(self) -> None:
        await self.check()

    def receive(self, room: Room, env: Envelope) -> None:
        if env.seq is None:
            self._fanout(room, env)
            return
        ready = room.ready.is_set()
        if ready and env.seq <= room.delivered:
            return  # a duplicate (already delivered from the log)
        if ready and room.filling is None and env.seq == room.delivered + 1:
            self._deliver(room, env)
            self._drain(room)
            return
        if len(room.pending) < MAX_PENDING:
            room.pending[env.seq] = env
        if ready:
            self._fill_soon(room)

    async def check(self) -> None:
        """Compare each room's last seq in the database with what was delivered; fetch the rest."""
        names = [name for name, room in self.rooms.items() if room.ready.is_set()]
        for start in range(0, len(names), 500):
            lasts = await self._read(eventlog.last_seqs, names[start:start + 500])
            for name, last in lasts.items():
                room = self.rooms.get(name)
                if room is not None and last > room.delivered:
                    self._fill_soon(room)

    # --- internals ---------------------------------------------------------------------------

    async def _read(self, fn: Callable[..., T], *args: Any) -> T:
        def run() -> T:
            with self.db.read() as session:
                return fn(session, *args)

        return await anyio.to_thread.run_sync(run, limiter=self.reads)

    async def _open(self, name: str) -> Room:
        """The room, subscribed and ready, with ``joining`` counted (so it is not closed under us)."""
        while True:
            room = self.rooms.get(name)
            if room is not None:
                room.joining += 1
                await room.ready.wait()
                if self.rooms.get(name) is room:
                    return room
                room.joining -= 1
                continue
            room = self.rooms[name] = Room(name)
            room.joining += 1
            try:
                await self.broker.subscribe(name)
                room.delivered = await self._read(eventlog.last_seq, name)
            except BaseException:
                room.joining -= 1
                self.rooms.pop(name, None)
                room.ready.set()
                with contextlib.suppress(Exception):
                    await self.broker.unsubscribe(name)
                raise
            room.ready.set()
            self._drain(room)
            if room.pending:
                self._fill_soon(room)
            return room

    async def _replay(self, room: Room, client: Client, since: int | None) -> int:
        if since is None:
            return room.delivered
        if since > room.delivered:
            if since > await self._read(eventlog.last_seq, room.name):
                return await self._resync(client, room)
            return since  # this hub has not delivered it yet; it will
        position = since
        while position < room.delivered:
            frames = self._recent_after(room, position)
            if frames is None:
                envs = await self._read(eventlog.since, room.name, position)
                if envs is None:
                    return await self._resync(client, room)
                if not envs:
                    break
                frames = [(env.seq, env.frame) for env in envs]  # type: ignore[misc]
            if not frames:
                break
            await client.send_now([frame for _, frame in frames])
            position = frames[-1][0]
        return position

    async def _resync(self, client: Client, room: Room) -> int:
        await client.send_now([control("resync", room=room.name, seq=room.delivered)])
        return room.delivered

    @staticmethod
    def _recent_after(room: Room, position: int) -> list[tuple[int, str]] | None:
        recent = room.recent
        if not recent or recent[0][0] > position + 1:
            return None
        return [item for item in recent if item[0] > position]

    def _deliver(self, room: Room, env: Envelope) -> None:
        room.delivered = env.seq  # type: ignore[assignment]
        room.recent.append((env.seq, env.frame))  # type: ignore[arg-type]
        self._fanout(room, env)

    def _drain(self, room: Room) -> None:
        pending = room.pending
        if not pending:
            return
        for seq in [s for s in pending if s <= room.delivered]:
            del pending[seq]
        while (env := pending.pop(room.delivered + 1, None)) is not None:
            self._deliver(room, env)

    @staticmethod
    def _fanout(room: Room, env: Envelope) -> None:
        text, seq, audience = env.frame, env.seq, env.audience
        framed: bytes | None = None  # the WebSocket frame, made once, for sockets that take frames
        for client in room.clients:
            if audience == "room":
                if seq is not None and seq <= client.sent_seq:
                    continue
            elif not (client.facilitator if audience == "facilitators"
                      else env.actor_id is not None and client.user_id == env.actor_id):
                continue
            if client.frames is not None:
                framed = framed or wire(text)
                client.push(framed, seq)
            else:
                client.push(text, seq)

    def _fill_soon(self, room: Room) -> None:
        if room.filling is None and room.ready.is_set() and not self._stopping.is_set():
            room.filling = asyncio.create_task(self._fill(room), name=f"fill {room.name}")
            self._fills.add(room.filling)
            room.filling.add_done_callback(self._fills.discard)

    async def _fill(self, room: Room) -> None:
        try:
            while True:
                before = room.delivered
                envs = await self._read(eventlog.since, room.name, before)
                if envs is None:  # this hub is behind what the log keeps: everyone resyncs
                    room.delivered = await self._read(eventlog.last_seq, room.name)
                    room.recent.clear()
                    self.send_local(room.name, control("resync", room=room.name, seq=room.delivered))
                    for client in room.clients:
                        client.sent_seq = room.delivered
                    envs = []
                for env in envs:
                    if env.seq == room.delivered + 1:
                        self._deliver(room, env)
                self._drain(room)
                if room.delivered == before or not (room.pending or len(envs) >= eventlog.REPLAY_BATCH):
                    break
        except Exception:
            logger.exception("filling %s from the log failed", room.name)
        finally:
            room.filling = None

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        period = min(1.0, self.settings.hub_check_seconds)
        next_check = loop.time() + self.settings.hub_check_seconds
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(period):
                    await self._stopping.wait()
                return
            now = loop.time()
            try:
                self._heartbeats(now)
                await self._close_idle_rooms(now)
                if now >= next_check:
                    next_check = now + self.settings.hub_check_seconds
                    await self.check()
            except Exception:
                logger.exception("hub tick failed")

    def _heartbeats(self, now: float) -> None:
        mean = self.settings.ws_heartbeat_seconds
        for room in self.rooms.values():
            frame = None
            for client in room.clients:
                if client.next_heartbeat <= now:
                    frame = frame or control("heartbeat", seq=room.delivered)
                    client.push(frame)
                    client.schedule_heartbeat(now, mean)

    async def _close_idle_rooms(self, now: float) -> None:
        linger = self.settings.hub_linger_seconds
        for name, room in list(self.rooms.items()):
            idle = not room.clients and not room.joining and room.ready.is_set()
            if idle and room.empty_since is not None and now - room.empty_since >= linger:
                del self.rooms[name]  # a fill still running finishes for nobody
                await self.broker.unsubscribe(name)


async def settle(tasks: list[asyncio.Task[Any]], timeout: float = 10.0) -> None:
    """Wait for ``tasks`` to end by themselves; cancel what is still running after ``timeout``."""
    if not tasks:
        return
    _, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in pending:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
