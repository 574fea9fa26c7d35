"""Who may open a room's socket: a browser's ``Origin``, the identity (session cookie or signed
``?token=``), read permission on the room's object (``access_room``) — and room tickets.

A ticket comes with every ``hello``: signed, it says "this person was admitted to this room" for
``WS_TICKET_SECONDS``. A reconnect that presents it with the same identity is admitted without the
database (the actor is loaded only when the socket sends its first command), so a reconnect storm
costs handshakes and replays, not thousands of permission queries. A ticket alone is no login: the
cookie (or token) must name the same person. Taking away read access takes effect for new sockets
at once and for reconnects once their ticket expires (and an open socket is never re-checked).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import anyio
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.websockets import WebSocket

from app.errors import NotFound
from app.services.access import access_room
from app.services.actor import Actor, load_actor
from app.services.policy import Action, may
from app.settings import Settings

if TYPE_CHECKING:
    from app.realtime.runtime import Realtime

ROOM = re.compile(r"^(meeting|project):[1-9][0-9]{0,17}$")
TOKEN_SALT = "ws"
TICKET_SALT = "ws-ticket"


class Refusal(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


@dataclass(frozen=True)
class Admission:
    user_id: int | None
    name: str
    facilitator: bool
    since: int | None
    actor: Actor | None  # None when admitted by ticket: loaded on the first command


def sign_token(settings: Settings, user_id: int) -> str:
    """A token for ``?token=`` that logs ``user_id`` into sockets for ``WS_TOKEN_MAX_AGE`` seconds."""
    return URLSafeTimedSerializer(settings.secret_key, salt=TOKEN_SALT).dumps({"uid": user_id})


def issue_ticket(settings: Settings, admission: Admission, room: str) -> str:
    """The ticket given with ``hello`` (``?ticket=`` on the next connection to this room)."""
    return URLSafeTimedSerializer(settings.secret_key, salt=TICKET_SALT).dumps(
        [admission.user_id, admission.name, room, admission.facilitator])


def _signed(settings: Settings, salt: str, value: str, max_age: int) -> Any:
    try:
        return URLSafeTimedSerializer(settings.secret_key, salt=salt).loads(value, max_age=max_age)
    except BadSignature:
        return None


def check_origin(ws: WebSocket, settings: Settings) -> None:
    """A browser always sends ``Origin``: it must be this site (no cross-site socket hijacking)."""
    origin = ws.headers.get("origin")
    if origin is None:
        return  # not a browser (the bench, a script): cookies are its own
    allowed = {urlsplit(settings.base_url).netloc.lower(), ws.headers.get("host", "").lower()}
    if urlsplit(origin).netloc.lower() not in allowed:
        raise Refusal(4003, f"origin {origin[:60]} is not allowed")


def identity(ws: WebSocket, settings: Settings) -> int | None:
    """The user id of the ``?token=`` if given (refused when invalid), else of the session cookie."""
    token = ws.query_params.get("token")
    if token:
        data = _signed(settings, TOKEN_SALT, token, settings.ws_token_max_age)
        if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
            raise Refusal(4001, "invalid or expired token: open the page again")
        return data["uid"]
    uid = ws.scope.get("session", {}).get("uid")
    return uid if isinstance(uid, int) else None


async def admit(ws: WebSocket, realtime: Realtime, room: str) -> Admission:
    settings = realtime.settings
    check_origin(ws, settings)
    raw_since = ws.query_params.get("since")
    if raw_since is not None and not raw_since.isdigit():
        raise Refusal(4000, "since must be a whole number")
    since = int(raw_since) if raw_since is not None else None
    if not ROOM.match(room):
        raise Refusal(4004, "no such room")
    uid = identity(ws, settings)
    ticket = ws.query_params.get("ticket")
    held = _signed(settings, TICKET_SALT, ticket, settings.ws_ticket_seconds) if ticket else None
    if isinstance(held, list) and len(held) == 4 and held[0] == uid and held[2] == room:
        return Admission(uid, str(held[1]), bool(held[3]), since, actor=None)

    def load() -> Admission:
        with realtime.db.read() as session:
            actor = load_actor(session, uid)
            try:
                _, scope = access_room(session, actor, room)
            except NotFound:
                if actor.is_anonymous:
                    raise Refusal(4001, "log in to follow this room") from None
                raise Refusal(4004, "no such room, or you may not see it") from None
            return Admission(actor.user_id, actor.display_name, may(actor, Action.manage, scope), since, actor)

    return await anyio.to_thread.run_sync(load, limiter=realtime.reads)


async def load_actor_later(realtime: Realtime, user_id: int | None) -> Actor:
    """The actor of a socket admitted by ticket, loaded when it sends its first command."""
    def load() -> Actor:
        with realtime.db.read() as session:
            return load_actor(session, user_id)

    return await anyio.to_thread.run_sync(load, limiter=realtime.reads)
