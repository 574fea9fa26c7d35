"""uvicorn's websockets-sansio protocol plus an ASGI extension, ``bench.raw``, that lets the app write
pre-framed bytes straight to the socket's transport: a server frame is unmasked, so the same bytes
go to every socket of a room, framed once per event instead of once per socket.

Used by the echo baseline's raw variant (``ECHO_RAW=1``, served with
``--ws bench._raw_ws:RawSendProtocol``) to show the floor of Python fan-out on this machine.
"""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol


def wire(text: str) -> bytes:
    """One final, unmasked text frame holding ``text``."""
    payload = text.encode()
    n = len(payload)
    if n < 126:
        return bytes((0x81, n)) + payload
    if n < 65536:
        return bytes((0x81, 126)) + n.to_bytes(2, "big") + payload
    return bytes((0x81, 127)) + n.to_bytes(8, "big") + payload


class RawSendProtocol(WebSocketsSansIOProtocol):
    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        self.scope["extensions"]["bench.raw"] = {"protocol": self}  # type: ignore[index]

    def write_raw(self, data: bytes) -> bool:
        """Write pre-framed bytes now; False when the socket is closing or closed."""
        if self.disconnected or self.close_sent or not self.handshake_complete or self.transport.is_closing():
            return False
        self.transport.write(data)
        return True

    def buffered(self) -> int:
        return self.transport.get_write_buffer_size()
