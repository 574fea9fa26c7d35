"""One simulated user (``ClientState``, which survives reconnects) and its socket (``Conn``): what
a receiver does with each frame, with bytes operations only (see ``bench.frames``).

A client keeps a byte map of the seqs it received, so it counts what was lost, duplicated or out of
order; it takes the send timestamp out of each bench idea's title and records the latency (us).
"""

from __future__ import annotations

import asyncio
import base64
import json
from typing import TYPE_CHECKING

from itsdangerous import TimestampSigner

from bench import frames
from bench.wsclient import WsClient

if TYPE_CHECKING:
    from bench.loadgen import Worker

VERIFY_EVERY = 997


def session_cookie(signer: TimestampSigner, user_id: int) -> str:
    """The value of Starlette's session cookie holding ``{"uid": user_id}`` (as SessionMiddleware signs it)."""
    data = base64.b64encode(json.dumps({"uid": user_id}).encode("utf-8"))
    return signer.sign(data).decode("utf-8")


class ClientState:
    """What one simulated user knows; survives reconnects."""

    __slots__ = ("app", "attempts", "back_ns", "baseline", "conn", "contig", "dropped", "hello_gaps",
                 "hello_seq", "hellos", "idx", "maxseq", "pending", "port", "reconnects", "seen",
                 "sender", "since", "ticket", "user_id")

    def __init__(self, idx: int, app: int, port: int, user_id: int, sender: int) -> None:
        self.idx, self.app, self.port, self.user_id, self.sender = idx, app, port, user_id, sender
        self.conn: Conn | None = None
        self.seen = bytearray(1024)
        self.contig = -1  # highest seq such that every seq up to it was received (-1: no hello yet)
        self.maxseq = -1
        self.baseline = -1
        self.hello_seq = -1
        self.hellos = 0
        self.hello_gaps = 0
        self.reconnects = 0
        self.attempts = 0
        self.back_ns = 0
        self.dropped = False
        self.since: int | None = None
        self.ticket: str | None = None  # from the last hello; presented on reconnect, as room.js does
        self.pending: dict[bytes, int] = {}


class Conn(WsClient):
    def __init__(self, w: Worker, st: ClientState, path: str, headers: dict[str, str]) -> None:
        super().__init__("127.0.0.1", st.port, path, headers)
        self.w, self.st = w, st
        self.hello: asyncio.Future[int] = self.opened.get_loop().create_future()
        self.intentional = False
        self.live = False  # got its hello: a later loss is a drop to come back from

    def on_text(self, p: bytes, now: int) -> None:
        w = self.w
        w.frames += 1
        if w.frames % VERIFY_EVERY == 0 and not frames.verify(p, w.mark):
            w.mismatches += 1
        if p.startswith(w.created_prefix):
            typ = b"idea.created"
        else:
            typ = frames.frame_type(p)
            if typ == b"idea.created":
                w.created_prefix = p[: p.find(typ) + len(typ) + 1]
        if typ == b"heartbeat":
            w.heartbeats += 1
            seq = frames.frame_seq(p)
            if seq > self.st.contig >= 0:
                w.heartbeat_ahead += 1
            return
        if typ == b"ack":
            self._ack(p, now)
            return
        seq = frames.frame_seq(p)
        if typ == b"hello":
            self._hello(seq, now)
            self.st.ticket = frames.frame_str(p, b'"ticket"').decode() or None
            return
        if seq < 0:
            w.types[typ.decode(errors="replace")] += 1
            w.other_bytes += len(p)
            if typ == b"resync":
                w.resyncs += 1
            elif typ == b"error":
                w.note_error(p)
            return
        st = self.st
        seen = st.seen
        if seq >= len(seen):
            seen.extend(bytes(seq - len(seen) + 1024))
        if seen[seq]:
            w.dups += 1
            return
        seen[seq] = 1
        if seq < st.maxseq:
            w.out_of_order += 1
        else:
            st.maxseq = seq
        if seq == st.contig + 1:
            c = seq
            n = len(seen)
            while c + 1 < n and seen[c + 1]:
                c += 1
            st.contig = c
        at = p.find(w.mark)
        if at >= 0:
            t_ns, sender_app = frames.parse_marker(p, at, w.mark_len)
            us = (now - t_ns) // 1000
            (w.lat_local if sender_app == st.app else w.lat_remote).append(us)
            if w.first_rx == 0:
                w.first_rx = now
            w.last_rx = now
        else:
            w.types[typ.decode(errors="replace")] += 1

    def _hello(self, seq: int, now: int) -> None:
        st = self.st
        st.hellos += 1
        st.hello_seq = seq
        if st.contig < 0:  # first connection: start from here
            st.baseline = st.contig = st.maxseq = max(seq, 0)
            if seq >= len(st.seen):
                st.seen.extend(bytes(seq - len(st.seen) + 1024))
            st.seen[: seq + 1] = b"\x01" * (seq + 1)
        elif st.contig < seq:
            st.hello_gaps += 1
        if st.dropped:
            st.dropped = False
            st.back_ns = now
        self.live = True
        if not self.hello.done():
            self.hello.set_result(seq)

    def _ack(self, p: bytes, now: int) -> None:
        cid = frames.frame_str(p, b'"id"')
        t = self.st.pending.pop(cid, 0)
        w = self.w
        w.acks += 1
        seq = frames.frame_seq(p)
        w.max_ack_seq = max(w.max_ack_seq, seq)
        if t:
            w.lat_ack.append((now - t) // 1000)
            k = int(cid.rsplit(b"-", 1)[1])  # the command's number within its sender's run
            (w.ack_first if k < 5 else w.ack_last if k >= 45 else w.ack_mid).append((now - t) // 1000)

    def on_lost(self) -> None:
        st = self.st
        if st.conn is self:
            st.conn = None
        if not self.hello.done():
            self.hello.set_result(-1)
        if self.live and not self.intentional:
            self.w.on_dropped(self)
