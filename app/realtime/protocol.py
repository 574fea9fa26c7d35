"""One client frame in, one answer out: size, JSON, shape, rate, type, data; then the unit of work.

Every refusal is an ``error`` frame with a stable code (``ERROR_CODES``) and the socket stays open.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import anyio
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from app import i18n
from app.errors import DomainError
from app.realtime import commands
from app.realtime.admission import load_actor_later
from app.realtime.clients import Client
from app.realtime.envelope import control, dumps
from app.services.actor import Actor

if TYPE_CHECKING:
    from app.realtime.runtime import Realtime

log = logging.getLogger(__name__)

ERROR_CODES: dict[str, str] = {
    "too_large": "The frame is bigger than `WS_MAX_COMMAND_BYTES`.",
    "bad_shape": 'Not JSON, not `{"type", "id", "data"}`, or `data` does not fit the command (`fields` says how).',
    "rate_limited": "More than `COMMAND_RATE` commands a second (bursts of 4x) from this socket.",
    "unknown_type": "No such command, or not in this kind of room.",
    "not_found": "The command's target does not exist, or the actor may not see it.",
    "not_authenticated": "Log in first.",
    "forbidden": "The actor may not do that (e.g. propose when only following the project).",
    "invalid": "The service refused the content; `fields` has a message per field.",
    "conflict": "Already done or changed by someone else.",
}


class Refused(Exception):
    def __init__(self, code: str, message: str, *, id: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.code, self.message, self.id, self.extra = code, message, id, extra

    def frame(self) -> str:
        return control("error", id=self.id, code=self.code, message=self.message, **self.extra)


class RateLimiter:
    """A token bucket: ``rate`` a second, bursts of ``4 * rate``."""

    def __init__(self, rate: float) -> None:
        self.rate, self.capacity = rate, max(1.0, rate * 4)
        self.tokens, self.stamp = self.capacity, time.monotonic()

    def allow(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


@dataclass(frozen=True)
class Incoming:
    id: str
    command: commands.Command
    data: commands.CommandData


def parse(text: str, *, room: str, max_bytes: int, limiter: RateLimiter) -> Incoming:
    """The command in ``text``, or Refused with the first reason it is not acceptable."""
    too_large = len(text) > max_bytes or len(text.encode()) > max_bytes
    try:
        message = json.loads(text)  # also when too large (the server's --ws-max-size caps it): for the id
    except ValueError:
        message = None
    if too_large:
        client_id = message.get("id") if isinstance(message, dict) else None
        raise Refused("too_large", f"A command may be at most {max_bytes} bytes.",
                      id=client_id if isinstance(client_id, str) else None)
    if message is None:
        raise Refused("bad_shape", "That is not JSON.")
    if not isinstance(message, dict):
        raise Refused("bad_shape", 'Send an object: {"type": ..., "id": ..., "data": {...}}.')
    client_id = message.get("id")
    if not isinstance(client_id, str) or not 0 < len(client_id) <= commands.CLIENT_ID_MAX:
        raise Refused("bad_shape", f'"id" must be a string of 1 to {commands.CLIENT_ID_MAX} characters.')
    if not limiter.allow():
        raise Refused("rate_limited", "Too many commands; wait a moment and send again.", id=client_id)
    command = commands.COMMANDS.get(message.get("type"))  # type: ignore[arg-type]
    if command is None or room.partition(":")[0] not in command.rooms:
        raise Refused("unknown_type", f"Unknown command {str(message.get('type'))[:64]!r} in this room.",
                      id=client_id)
    if set(message) - {"type", "id", "data"} or not isinstance(message.get("data"), dict):
        raise Refused("bad_shape", 'A command is {"type": ..., "id": ..., "data": {...}}.', id=client_id)
    try:
        data = command.model.model_validate(message["data"])
    except ValidationError as exc:
        fields = {".".join(str(p) for p in e["loc"]) or "data": e["msg"] for e in exc.errors()}
        raise Refused("bad_shape", "The data of that command does not fit.", id=client_id,
                      fields=fields) from None
    return Incoming(client_id, command, data)


async def run(realtime: Realtime, actor: Actor, room: str, incoming: Incoming, *,
              locale: str | None = None) -> str:
    """Run one accepted command in its unit of work; the ack or error frame (its message and field
    messages in the socket's language). Bugs propagate."""
    try:
        response = await realtime.perform(commands.execute, actor, room, incoming.id, incoming.command,
                                          incoming.data)
    except DomainError as error:
        body = error.as_dict()
        if locale:
            body["message"] = i18n.error_message(locale, error)
            if error.fields:
                body["fields"] = i18n.field_messages(locale, error)
        return control("error", id=incoming.id, **body)
    except IntegrityError:
        response = await anyio.to_thread.run_sync(_stored_ack, realtime, actor.key, incoming.id,
                                                  limiter=realtime.reads)
        if response is None:
            raise
    return dumps(response)


class SocketCommands:
    """The commands of one socket. A refusal is answered at once. A command marked ``concurrent``
    (e.g. ``idea.submit``) runs beside up to ``WS_COMMANDS_IN_FLIGHT - 1`` others, so a phone's
    throughput does not hang on each command's latency; any other command waits for those before
    it and runs alone, so the facilitator's commands keep their order. A bug closes with 1011."""

    def __init__(self, realtime: Realtime, actor: Actor | None, client: Client) -> None:
        self.realtime, self.client = realtime, client
        self.actor = actor  # None when admitted by ticket: loaded with the first command
        scope = getattr(getattr(client, "ws", None), "scope", None) or {}
        self.locale: str | None = scope.get("state", {}).get("locale")  # set by the locale middleware
        self.limiter = RateLimiter(realtime.settings.command_rate)
        self._slots = asyncio.Semaphore(max(1, realtime.settings.ws_commands_in_flight))
        self._running: set[asyncio.Task[None]] = set()

    async def receive(self, text: str | None) -> None:
        client = self.client
        try:
            if text is None:
                raise Refused("bad_shape", "Send commands as JSON text frames.")
            incoming = parse(text, room=client.room, max_bytes=self.realtime.settings.ws_max_command_bytes,
                             limiter=self.limiter)
        except Refused as refused:
            client.push(refused.frame())
            return
        if self.actor is None:
            self.actor = await load_actor_later(self.realtime, client.user_id)
        if not incoming.command.concurrent:
            await self.drain()
            client.push(await run(self.realtime, self.actor, client.room, incoming, locale=self.locale))
            return
        await self._slots.acquire()
        task = asyncio.create_task(self._run(incoming), name=f"command {incoming.id[:16]}")
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _run(self, incoming: Incoming) -> None:
        assert self.actor is not None
        try:
            self.client.push(await run(self.realtime, self.actor, self.client.room, incoming,
                                      locale=self.locale))
        except Exception:
            log.exception("command %s in %s failed", incoming.command.type, self.client.room)
            self.client.close(1011, "internal error")
        finally:
            self._slots.release()

    async def drain(self) -> None:
        """Wait for the commands in flight (never cancel them: they may be in a database thread)."""
        while self._running:
            await asyncio.gather(*self._running, return_exceptions=True)


def _stored_ack(realtime: Realtime, actor_key: str, client_id: str) -> dict[str, Any] | None:
    with realtime.db.read() as session:
        return commands.stored_ack(session, actor_key, client_id)
