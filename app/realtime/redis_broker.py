"""The Redis pub/sub broker: one channel per room, one subscriber connection per process.

The subscriber is a plain redis-py connection read by a supervised task, not redis-py's ``PubSub``
(which reconnects on its own and silently drops what was published meanwhile). Here every
reconnection is ours: it resubscribes every room, then awaits ``on_reconnect`` so the hub fills the
gap from the event log. A connection that stops answering PINGs counts as dead. Reconnects back off
with full jitter; ``health()`` says ``ok: false`` while the reader is down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import deque
from typing import Any

from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.connection import AbstractConnection
from redis.exceptions import RedisError

from app.realtime.broker import BrokerUnavailable, MessageHandler, ReconnectHandler, Subscriptions

log = logging.getLogger(__name__)

BACKOFF_BASE = 0.1
BACKOFF_CAP = 5.0
CONNECT_WAIT = 3.0


class RedisBroker:
    kind = "redis"

    def __init__(self, url: str, *, prefix: str, process_id: str, ping_seconds: float = 5.0,
                 connect_wait: float = CONNECT_WAIT) -> None:
        self.prefix = f"{prefix}:room:"
        self.redis = Redis.from_url(url, client_name=f"{prefix}:pub:{process_id}", socket_connect_timeout=2,
                                    socket_timeout=5)
        self.sub_name = f"{prefix}:sub:{process_id}"
        self._pool = ConnectionPool.from_url(url, client_name=self.sub_name, socket_connect_timeout=2,
                                             socket_timeout=10)
        self._control = f"{prefix}:process:{process_id}".encode()
        self.ping_seconds = ping_seconds
        self.connect_wait = connect_wait
        self.subscriptions = Subscriptions()
        self._confirm: dict[bytes, deque[asyncio.Future[None]]] = {}
        self._conn: AbstractConnection | None = None
        self._on_message: MessageHandler | None = None
        self._on_reconnect: ReconnectHandler | None = None
        self._task: asyncio.Task[None] | None = None
        self._up = asyncio.Event()
        self._background: set[asyncio.Task[None]] = set()
        self.reconnects = -1  # the first connection is not a reconnection
        self.down_since: float | None = time.monotonic()

    def channel(self, room: str) -> bytes:
        return (self.prefix + room).encode()

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self, on_message: MessageHandler, on_reconnect: ReconnectHandler) -> None:
        self._on_message, self._on_reconnect = on_message, on_reconnect
        self._task = asyncio.create_task(self._supervise(), name="redis-broker-reader")
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.connect_wait):
                await self._up.wait()  # start serving even if Redis is down: health says so

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._background:  # on_reconnect reads the database: let it finish, do not cancel it
            _, pending = await asyncio.wait(self._background, timeout=10)
            for task in pending:
                task.cancel()
        await self.redis.aclose()
        await self._pool.disconnect()

    def health(self) -> dict[str, Any]:
        down = None if self.down_since is None else round(time.monotonic() - self.down_since, 1)
        return {"kind": self.kind, "ok": self._conn is not None, "reconnects": max(self.reconnects, 0),
                "down_seconds": down, "subscriptions": len(self.subscriptions)}

    # --- the protocol ------------------------------------------------------------------------

    async def publish(self, room: str, payload: str) -> None:
        try:
            await self.redis.publish(self.channel(room), payload)
        except (RedisError, OSError) as exc:
            raise BrokerUnavailable(f"publish to {room} failed: {exc}") from exc

    async def subscribe(self, room: str) -> None:
        if not self.subscriptions.add(room):
            return
        conn = self._conn
        if conn is None or not conn.is_connected:
            return  # the next connection subscribes it, then on_reconnect heals the room
        channel = self.channel(room)
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._confirm.setdefault(channel, deque()).append(waiter)
        try:
            await conn.send_command("SUBSCRIBE", channel, check_health=False)
            async with asyncio.timeout(self.ping_seconds * 2):
                await waiter
        except (RedisError, OSError, TimeoutError) as exc:
            log.warning("subscribing %s failed (%s); the reconnection will", room, exc)

    async def unsubscribe(self, room: str) -> None:
        if not self.subscriptions.remove(room):
            return
        conn = self._conn
        if conn is not None and conn.is_connected:
            with contextlib.suppress(RedisError, OSError):
                await conn.send_command("UNSUBSCRIBE", self.channel(room), check_health=False)

    # --- the supervised reader -----------------------------------------------------------------

    async def _supervise(self) -> None:
        attempt = 0
        while True:
            conn = self._pool.make_connection()
            try:
                await self._serve(conn)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self._conn is not None or attempt == 0:
                    log.warning("Redis subscriber connection lost: %s", exc)
                if self._conn is not None:
                    attempt = 0
            finally:
                self._went_down()
                with contextlib.suppress(Exception):
                    await conn.disconnect(nowait=True)
            delay = random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2 ** attempt))
            attempt += 1
            await asyncio.sleep(delay)

    async def _serve(self, conn: AbstractConnection) -> None:
        await conn.connect()
        rooms = list(self.subscriptions.counts)
        channels = [self._control, *(self.channel(r) for r in rooms)]
        await conn.send_command("SUBSCRIBE", *channels, check_health=False)
        for _ in channels:  # one confirmation per channel, before any message
            reply = await conn.read_response(timeout=self.ping_seconds * 2, disconnect_on_error=False,
                                             push_request=True)
            if reply is None:
                raise ConnectionError("no SUBSCRIBE confirmation")
        self._conn = conn
        self._came_up()
        await self._catch_up(conn, set(rooms))
        idle = False
        while True:
            reply = await conn.read_response(timeout=self.ping_seconds, disconnect_on_error=False,
                                             push_request=True)
            if reply is None:
                if idle:
                    raise ConnectionError(f"no answer to PING in {self.ping_seconds}s")
                idle = True
                await conn.send_command("PING", check_health=False)
                continue
            idle = False
            self._handle(reply)

    async def _catch_up(self, conn: AbstractConnection, subscribed: set[str]) -> None:
        """Rooms (un)subscribed while connecting; then let the hub heal every room."""
        wanted = set(self.subscriptions.counts)
        if extra := [self.channel(r) for r in wanted - subscribed]:
            await conn.send_command("SUBSCRIBE", *extra, check_health=False)
        if gone := [self.channel(r) for r in subscribed - wanted]:
            await conn.send_command("UNSUBSCRIBE", *gone, check_health=False)
        if self._on_reconnect is not None:
            task = asyncio.create_task(self._on_reconnect())
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    def _handle(self, reply: Any) -> None:
        if not isinstance(reply, list) or len(reply) < 2:
            return
        kind, channel = reply[0], reply[1]
        if kind == b"message":
            room = channel.decode()[len(self.prefix):]
            if room in self.subscriptions and self._on_message is not None:
                try:
                    self._on_message(room, reply[2].decode())
                except Exception:
                    log.exception("handling a message of %s failed", room)
        elif kind == b"subscribe":
            waiters = self._confirm.get(channel)
            if waiters:
                waiter = waiters.popleft()
                if not waiter.done():
                    waiter.set_result(None)
                if not waiters:
                    del self._confirm[channel]

    def _came_up(self) -> None:
        self.reconnects += 1
        self.down_since = None
        self._up.set()
        if self.reconnects:
            log.info("Redis subscriber reconnected (%d rooms)", len(self.subscriptions))

    def _went_down(self) -> None:
        if self._conn is not None:
            self.down_since = time.monotonic()
        self._conn = None
        self._up.clear()
        for waiters in self._confirm.values():
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(None)
        self._confirm.clear()
