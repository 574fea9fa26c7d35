"""A minimal RFC 6455 client on a raw asyncio Protocol, lean enough to run thousands per core.

What it does: the HTTP/1.1 upgrade handshake (with Origin and Cookie), masked client frames,
parsing of server frames (text, binary, continuation, ping -> pong, close -> close), nothing else:
no extensions, no per-message deflate, no UTF-8 validation. Subclasses override ``on_open``,
``on_text`` and ``on_lost``; ``on_text`` gets the raw payload bytes and the monotonic time (ns) at
which the chunk holding it was read, so a receiver can parse only what it needs.
"""

from __future__ import annotations

import asyncio
import base64
import os
import time
from typing import cast

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
_MAX_HEAD = 16384


def mask_payload(payload: bytes, key: bytes) -> bytes:
    """XOR ``payload`` with the repeated 4-byte ``key`` (one big-int XOR, no Python loop)."""
    n = len(payload)
    if n == 0:
        return b""
    reps = key * (n // 4 + 1)
    return (int.from_bytes(payload, "big") ^ int.from_bytes(reps[:n], "big")).to_bytes(n, "big")


def encode_frame(opcode: int, payload: bytes) -> bytes:
    """One final, masked client frame."""
    n = len(payload)
    key = os.urandom(4)
    if n < 126:
        head = bytes((0x80 | opcode, 0x80 | n))
    elif n < 65536:
        head = bytes((0x80 | opcode, 0x80 | 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((0x80 | opcode, 0x80 | 127)) + n.to_bytes(8, "big")
    return head + key + mask_payload(payload, key)


def handshake_request(host: str, port: int, path: str, headers: dict[str, str]) -> tuple[bytes, str]:
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
    ]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode(), key


class WsClient(asyncio.Protocol):
    """One client socket. ``opened`` resolves to the HTTP status of the handshake (101 = open)."""

    def __init__(self, host: str, port: int, path: str, headers: dict[str, str]) -> None:
        self.request, _ = handshake_request(host, port, path, headers)
        self.transport: asyncio.Transport | None = None
        self.opened: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.is_open = False
        self.close_code: int | None = None
        self.close_reason = ""
        self._buf = b""
        self._frag: list[bytes] = []
        self._frag_op = 0

    # -- hooks -------------------------------------------------------------------------------
    def on_open(self) -> None:
        """The handshake succeeded."""

    def on_text(self, payload: bytes, now_ns: int) -> None:
        """A complete text message arrived (``now_ns``: when its chunk was read)."""

    def on_lost(self) -> None:
        """The TCP connection is gone (after a close, an abort or a reset)."""

    # -- sending -----------------------------------------------------------------------------
    def send_text(self, data: bytes) -> None:
        if self.transport is not None and self.is_open:
            self.transport.write(encode_frame(OP_TEXT, data))

    def close(self, code: int = 1000) -> None:
        if self.transport is not None and self.is_open:
            self.transport.write(encode_frame(OP_CLOSE, code.to_bytes(2, "big")))
            self.is_open = False

    def abort(self) -> None:
        """Drop the TCP connection at once (what a phone losing its network looks like)."""
        if self.transport is not None:
            self.transport.abort()

    # -- asyncio.Protocol ----------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not an asyncio.Transport subclass
        transport.write(self.request)

    def connection_lost(self, exc: Exception | None) -> None:
        self.is_open = False
        if not self.opened.done():
            self.opened.set_result(0)
        self.transport = None
        self.on_lost()

    def data_received(self, data: bytes) -> None:
        if self._buf:
            data = self._buf + data
            self._buf = b""
        if not self.is_open:
            end = data.find(b"\r\n\r\n")
            if end < 0:
                if len(data) > _MAX_HEAD:
                    self._fail(0)
                else:
                    self._buf = data
                return
            status_line = data[: data.find(b"\r\n")]
            parts = status_line.split(b" ", 2)
            status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
            if status != 101:
                self._fail(status)
                return
            self.is_open = True
            self.opened.set_result(101)
            self.on_open()
            data = data[end + 4 :]
            if not data:
                return
        self._parse(data, time.monotonic_ns())

    def _fail(self, status: int) -> None:
        if not self.opened.done():
            self.opened.set_result(status)
        if self.transport is not None:
            self.transport.abort()

    def _parse(self, data: bytes, now: int) -> None:
        pos = 0
        size = len(data)
        while size - pos >= 2:
            b0 = data[pos]
            n = data[pos + 1] & 0x7F
            off = pos + 2
            if n == 126:
                if size - off < 2:
                    break
                n = int.from_bytes(data[off : off + 2], "big")
                off += 2
            elif n == 127:
                if size - off < 8:
                    break
                n = int.from_bytes(data[off : off + 8], "big")
                off += 8
            end = off + n
            if end > size:
                break
            opcode = b0 & 0x0F
            if opcode == OP_TEXT and b0 & 0x80:
                self.on_text(data[off:end], now)
            else:
                self._control(b0, opcode, data[off:end], now)
            pos = end
        if pos < size:
            self._buf = data[pos:]

    def _control(self, b0: int, opcode: int, payload: bytes, now: int) -> None:
        if opcode == OP_PING:
            if self.transport is not None:
                self.transport.write(encode_frame(OP_PONG, payload))
        elif opcode == OP_CLOSE:
            self.close_code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
            self.close_reason = payload[2:].decode("utf-8", "replace")
            if self.transport is not None:
                if self.is_open:
                    self.transport.write(encode_frame(OP_CLOSE, payload[:2]))
                self.is_open = False
                self.transport.close()
        elif opcode in (OP_TEXT, OP_BINARY):  # first fragment of a fragmented message
            self._frag, self._frag_op = [payload], opcode
        elif opcode == OP_CONT:
            self._frag.append(payload)
            if b0 & 0x80:
                whole, self._frag = b"".join(self._frag), []
                if self._frag_op == OP_TEXT:
                    self.on_text(whole, now)
