"""The socket endpoint ``/ws/{room}?since=N``: admit -> subscribe -> replay since -> live.

Admission (``admission.py``): the browser's ``Origin``, the identity (session cookie, or a signed
``?token=`` for the projector screen and guests), read permission on the room — or a room ticket
from an earlier ``hello``. Refusals happen after the handshake, so the browser sees a close code and
a reason (``CLOSE_CODES``, listed in ``docs/realtime.md``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from app.realtime.admission import Refusal, admit, issue_ticket
from app.realtime.clients import Client
from app.realtime.protocol import SocketCommands

if TYPE_CHECKING:
    from app.realtime.runtime import Realtime

log = logging.getLogger(__name__)
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


async def room_socket(ws: WebSocket) -> None:
    realtime: Realtime = ws.app.state.realtime
    room = ws.path_params["room"]
    await ws.accept()
    try:
        admission = await admit(ws, realtime, room)
    except Refusal as refusal:
        await ws.close(refusal.code, refusal.reason)
        return
    client = Client(ws, room=room, user_id=admission.user_id, name=admission.name,
                    facilitator=admission.facilitator, bound=realtime.settings.ws_send_queue)
    commands = SocketCommands(realtime, admission.actor, client)
    try:
        await realtime.hub.join(client, admission.since,
                                hello={"ticket": issue_ticket(realtime.settings, admission, room)})
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
