"""The socket endpoint ``/ws/{room}?since=N``: authenticate -> subscribe -> replay since -> live.

Who: the session cookie's ``uid`` (Starlette's SessionMiddleware), or a ``?token=`` signed by
``sign_token`` (the projector screen, guests). Read permission on the room's object is checked with
``access_room``; a browser's ``Origin`` must be this site. Refusals happen after the handshake, so
the browser sees a close code and a reason (``CLOSE_CODES``, listed in ``docs/realtime.md``).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import anyio
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from app.errors import NotFound
from app.realtime.clients import Client
from app.realtime.protocol import SocketCommands
from app.services.access import access_room
from app.services.actor import Actor, load_actor
from app.services.policy import Action, may
from app.settings import Settings

if TYPE_CHECKING:
    from app.realtime.runtime import Realtime

log = logging.getLogger(__name__)
ROOM = re.compile(r"^(meeting|project):[1-9][0-9]{0,17}$")
TOKEN_SALT = "ws"
CLOSE_CODES: dict[int, str] = {
    4000: "Bad request: `since` is not a whole number >= 0.",
    4001: "Not logged in (or the token is invalid or expired), and the room is not public.",
    4003: "Wrong `Origin`: a browser page of another site.",
    4004: "No such room, or the actor may not read it.",
    4008: "Too slow: the socket fell too far behind. Reconnect with `since`.",
    1009: "A frame above the server's `--ws-max-size` (closed by the protocol layer).",
    1011: "A bug on the server (logged). Reconnect with `since`.",
    1012: "The server is restarting. Reconnect with `since`.",
}


class Refusal(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


@dataclass(frozen=True)
class Admission:
    actor: Actor
    facilitator: bool
    since: int | None


def sign_token(settings: Settings, user_id: int) -> str:
    """A token for ``?token=`` that logs ``user_id`` into sockets for ``WS_TOKEN_MAX_AGE`` seconds."""
    return URLSafeTimedSerializer(settings.secret_key, salt=TOKEN_SALT).dumps({"uid": user_id})


def _token_uid(settings: Settings, token: str) -> int:
    try:
        data = URLSafeTimedSerializer(settings.secret_key, salt=TOKEN_SALT).loads(
            token, max_age=settings.ws_token_max_age)
    except BadSignature:
        raise Refusal(4001, "invalid or expired token: open the page again") from None
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        raise Refusal(4001, "invalid token")
    return data["uid"]


def check_origin(ws: WebSocket, settings: Settings) -> None:
    """A browser always sends ``Origin``: it must be this site (no cross-site socket hijacking)."""
    origin = ws.headers.get("origin")
    if origin is None:
        return  # not a browser (the bench, a script): cookies are its own
    allowed = {urlsplit(settings.base_url).netloc.lower(), ws.headers.get("host", "").lower()}
    if urlsplit(origin).netloc.lower() not in allowed:
        raise Refusal(4003, f"origin {origin[:60]} is not allowed")


async def admit(ws: WebSocket, realtime: Realtime, room: str) -> Admission:
    settings = realtime.settings
    check_origin(ws, settings)
    raw_since = ws.query_params.get("since")
    if raw_since is not None and not raw_since.isdigit():
        raise Refusal(4000, "since must be a whole number")
    if not ROOM.match(room):
        raise Refusal(4004, "no such room")
    token = ws.query_params.get("token")
    uid = _token_uid(settings, token) if token else ws.scope.get("session", {}).get("uid")

    def load() -> tuple[Actor, bool]:
        with realtime.db.read() as session:
            actor = load_actor(session, uid if isinstance(uid, int) else None)
            try:
                _, scope = access_room(session, actor, room)
            except NotFound:
                if actor.is_anonymous:
                    raise Refusal(4001, "log in to follow this room") from None
                raise Refusal(4004, "no such room, or you may not see it") from None
            return actor, may(actor, Action.manage, scope)

    actor, facilitator = await anyio.to_thread.run_sync(load, limiter=realtime.reads)
    return Admission(actor, facilitator, int(raw_since) if raw_since is not None else None)


async def room_socket(ws: WebSocket) -> None:
    realtime: Realtime = ws.app.state.realtime
    room = ws.path_params["room"]
    await ws.accept()
    try:
        admission = await admit(ws, realtime, room)
    except Refusal as refusal:
        await ws.close(refusal.code, refusal.reason)
        return
    actor = admission.actor
    client = Client(ws, room=room, user_id=actor.user_id, name=actor.display_name,
                    facilitator=admission.facilitator, bound=realtime.settings.ws_send_queue)
    commands = SocketCommands(realtime, actor, client)
    try:
        await realtime.hub.join(client, admission.since)
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                break
            await commands.receive(message.get("text"))
    except WebSocketDisconnect:
        pass
    except Exception:
        log.exception("socket %s in %s failed", client.key, room)
        client.close(1011, "internal error")
        await client.closed_within(5.0)
    finally:
        await commands.drain()
        await realtime.hub.leave(client)


def realtime_routes() -> list[BaseRoute]:
    """The socket routes, for ``app.web.routes``."""
    return [WebSocketRoute("/ws/{room}", room_socket, name="room_socket")]
