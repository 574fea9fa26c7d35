"""Presence: who is in each room, across every app process.

Each process writes its own sockets into a shared store (Redis: one sorted set per room, the score
an expiry time; in-process: a dict) and refreshes them every ``presence_refresh_seconds``; a
process that vanishes drops out after ``presence_ttl_seconds``, a socket that vanishes without a
close is dropped by the protocol keepalive (20 s ping + 20 s timeout) — both within ~40 s.

Joins and leaves are not sent one by one: they mark the room dirty in a Coalescer (K = 1), which
at most once a second (every 5 s in rooms of more than 100 people) flushes the writes, reads the
room once and sends ``presence.changed`` to this process's sockets if it differs from the last one;
a small ``signal`` on the room's channel tells the other processes to do the same. A socket that
joins gets the last value at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import defaultdict
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from app.realtime.broker import Broker, BrokerUnavailable
from app.realtime.clients import Client
from app.realtime.coalesce import Coalescer
from app.realtime.envelope import dumps
from app.realtime.events import PresenceChanged, PresentPerson
from app.realtime.hub import Hub
from app.realtime.log import ephemeral
from app.settings import Settings

log = logging.getLogger(__name__)
LISTED = 100
BIG_ROOM_SECONDS = 5.0  # rooms of more than LISTED people get presence at most this often


class PresenceStore(Protocol):
    async def update(self, add: dict[str, list[str]], remove: dict[str, list[str]], expires: float) -> None: ...

    async def members(self, room: str, now: float) -> list[str]: ...


class MemoryPresenceStore:
    def __init__(self) -> None:
        self.rooms: dict[str, dict[str, float]] = defaultdict(dict)

    async def update(self, add: dict[str, list[str]], remove: dict[str, list[str]], expires: float) -> None:
        for room, members in add.items():
            self.rooms[room].update(dict.fromkeys(members, expires))
        for room, members in remove.items():
            for member in members:
                self.rooms[room].pop(member, None)

    async def members(self, room: str, now: float) -> list[str]:
        entries = self.rooms.get(room, {})
        for member in [m for m, expires in entries.items() if expires <= now]:
            del entries[member]
        return list(entries)


class RedisPresenceStore:
    def __init__(self, redis: Redis, prefix: str, ttl: float) -> None:
        self.redis, self.prefix, self.ttl = redis, f"{prefix}:presence:", ttl

    async def update(self, add: dict[str, list[str]], remove: dict[str, list[str]], expires: float) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            for room, members in add.items():
                pipe.zadd(self.prefix + room, dict.fromkeys(members, expires))
                pipe.expire(self.prefix + room, int(self.ttl * 2) + 1)
            for room, members in remove.items():
                pipe.zrem(self.prefix + room, *members)
            await pipe.execute()

    async def members(self, room: str, now: float) -> list[str]:
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.zremrangebyscore(self.prefix + room, "-inf", now)
            pipe.zrange(self.prefix + room, 0, -1)
            _, members = await pipe.execute()
        return [m.decode() for m in members]


def summarize(members: list[str]) -> PresenceChanged:
    named: dict[int, str] = {}
    anonymous: list[str] = []
    for member in members:
        _, user_id, name = json.loads(member)
        if user_id is None:
            anonymous.append(name)
        else:
            named[user_id] = name
    people = sorted(named.items(), key=lambda item: (item[1].casefold(), item[0]))
    listed = [PresentPerson(id=uid, name=name) for uid, name in people[:LISTED]]
    listed += [PresentPerson(id=None, name=name) for name in anonymous[: max(0, LISTED - len(listed))]]
    return PresenceChanged(count=len(named) + len(anonymous), people=listed)


class Presence:
    def __init__(self, settings: Settings, hub: Hub, broker: Broker, store: PresenceStore, process_id: str) -> None:
        self.settings, self.hub, self.broker, self.store = settings, hub, broker, store
        self.process_id = process_id
        self.coalescer: Coalescer[PresenceChanged | None] = Coalescer(1.0, self._compute, self._send)
        self._local: dict[str, dict[str, str]] = defaultdict(dict)  # room -> client key -> member
        self._add: dict[str, list[str]] = defaultdict(list)
        self._remove: dict[str, list[str]] = defaultdict(list)
        self._last: dict[str, tuple[PresenceChanged, str]] = {}
        self._sent_at: dict[str, float] = {}
        self._later: dict[str, asyncio.TimerHandle] = {}

    # --- the hub's listener --------------------------------------------------------------------

    def joined(self, client: Client) -> None:
        member = dumps([f"{self.process_id}:{client.key}", client.user_id, client.name])
        self._local[client.room][client.key] = member
        self._add[client.room].append(member)
        if (last := self._last.get(client.room)) is not None:
            client.push(last[1])
        self.coalescer.mark(client.room)

    def left(self, client: Client) -> None:
        members = self._local.get(client.room, {})
        member = members.pop(client.key, None)
        if not members:
            self._local.pop(client.room, None)
        if member is not None:
            self._remove[client.room].append(member)
            self.coalescer.mark(client.room)

    def signal(self, room: str, message: dict[str, Any]) -> None:
        if message.get("signal") == "presence" and message.get("origin") != self.process_id:
            self.coalescer.mark(room)

    # --- coalesced work ------------------------------------------------------------------------

    async def refresh(self) -> None:
        """Re-announce every local socket (keeps them from expiring) and recheck every local room."""
        expires = time.time() + self.settings.presence_ttl_seconds
        try:
            await self.store.update({r: list(m.values()) for r, m in self._local.items()}, {}, expires)
        except (RedisError, OSError) as exc:
            log.warning("presence refresh failed: %s", exc)
        for room in list(self._local):
            self.coalescer.mark(room)

    async def _flush(self) -> None:
        add, remove = self._add, self._remove
        if not add and not remove:
            return
        self._add, self._remove = defaultdict(list), defaultdict(list)
        await self.store.update(add, remove, time.time() + self.settings.presence_ttl_seconds)
        signal = dumps({"signal": "presence", "origin": self.process_id})
        for room in set(add) | set(remove):
            with contextlib.suppress(BrokerUnavailable):  # else the others see it at their refresh
                await self.broker.publish(room, signal)

    async def _compute(self, room: str) -> PresenceChanged | None:
        try:
            await self._flush()
            return summarize(await self.store.members(room, time.time()))
        except (RedisError, OSError) as exc:
            log.warning("presence of %s unavailable: %s", room, exc)
            return None

    async def _send(self, room: str, value: PresenceChanged | None) -> None:
        if room not in self._local:
            self._last.pop(room, None)
            self._sent_at.pop(room, None)
            return
        if value is None or ((last := self._last.get(room)) is not None and last[0] == value):
            return
        loop = asyncio.get_running_loop()
        wait = self._sent_at.get(room, -BIG_ROOM_SECONDS) + BIG_ROOM_SECONDS - loop.time()
        if value.count > LISTED and wait > 0:  # a big room: the full value again in a few seconds
            if room not in self._later:
                self._later[room] = loop.call_later(wait, self._again, room)
            return
        self._sent_at[room] = loop.time()
        frame = ephemeral(room, value).frame
        self._last[room] = (value, frame)
        self.hub.send_local(room, frame)

    def _again(self, room: str) -> None:
        self._later.pop(room, None)
        self.coalescer.mark(room)

    async def stop(self) -> None:
        for handle in self._later.values():
            handle.cancel()
        await self.coalescer.stop()
        self._add.clear()
        for room, members in self._local.items():
            self._remove[room].extend(members.values())
        self._local.clear()
        with contextlib.suppress(RedisError, OSError):
            await self._flush()
