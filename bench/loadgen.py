"""A load-generator worker process: many lean clients (``bench.receiver``) on one uvloop loop,
driven by the parent over a Pipe. Ops (parent -> worker): connect, start, drop, stop_send, final,
close; each is answered once. Every loop has a count and a time bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import threading
import time
from array import array
from collections import Counter
from multiprocessing.connection import Connection
from typing import Any
from urllib.parse import quote

from itsdangerous import TimestampSigner

from bench import frames
from bench.receiver import ClientState, Conn, session_cookie

COOKIE = "godialog_session"


class Worker:
    def __init__(self, pipe: Connection, wid: int) -> None:
        self.pipe, self.wid = pipe, wid
        self.loop = asyncio.get_running_loop()
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.clients: list[ClientState] = []
        self.run = ""
        self.room = ""
        self.signer: TimestampSigner | None = None
        self.mark = b""
        self.mark_len = 0
        self.created_prefix = b"\x00"  # learnt from the first idea.created frame
        self.reconnect = True
        self.tickets = True  # present the last hello's ticket when coming back
        self.backoff = (0.5, 15.0)  # first window, cap (s): full jitter, as app/static/js/room.js
        self.deadline = 0.0
        self.tasks: set[asyncio.Task[None]] = set()
        self.stop_sending = False
        self.sent = 0
        self.cpu0 = os.times()
        self.send_done: Any = None
        self.reset_stats()

    def reset_stats(self) -> None:
        self.frames = self.mismatches = self.heartbeats = self.heartbeat_ahead = 0
        self.dups = self.out_of_order = self.resyncs = self.acks = self.errors = self.skipped = 0
        self.max_ack_seq = -1
        self.first_rx = self.last_rx = 0
        self.types: Counter[str] = Counter()
        self.closes: Counter[str] = Counter()
        self.connect_fail: Counter[str] = Counter()
        self.error_samples: list[str] = []
        self.lat_local, self.lat_remote, self.lat_ack = array("q"), array("q"), array("q")
        self.ack_first, self.ack_mid, self.ack_last = array("q"), array("q"), array("q")
        self.other_bytes = 0

    def note_error(self, p: bytes) -> None:
        self.errors += 1
        if len(self.error_samples) < 5:
            self.error_samples.append(p[:300].decode(errors="replace"))

    # -- connections --------------------------------------------------------------------------
    def headers(self, st: ClientState) -> dict[str, str]:
        h = {"Origin": f"http://127.0.0.1:{st.port}"}
        if self.signer is not None:
            h["Cookie"] = f"{COOKIE}={session_cookie(self.signer, st.user_id)}"
        return h

    async def open(self, st: ClientState, timeout: float) -> bool:
        query = ([f"since={st.since}"] if st.since is not None else []) + \
            ([f"ticket={quote(st.ticket)}"] if st.ticket and self.tickets else [])
        path = f"/ws/{self.room}" + ("?" + "&".join(query) if query else "")
        st.attempts += 1
        conn = Conn(self, st, path, self.headers(st))
        try:
            async with asyncio.timeout(timeout):
                await self.loop.create_connection(lambda: conn, "127.0.0.1", st.port)
                status = await conn.opened
                if status != 101:
                    self.connect_fail[f"http {status}"] += 1
                    return False
                st.conn = conn
                if await conn.hello < 0:
                    self.connect_fail["closed before hello"] += 1
                    return False
                return True
        except (OSError, TimeoutError) as exc:
            self.connect_fail[type(exc).__name__] += 1
            conn.intentional = True
            conn.abort()
            return False

    def on_dropped(self, conn: Conn) -> None:
        st = conn.st
        if conn.close_code is not None:
            self.closes[f"{conn.close_code} {conn.close_reason}"[:80]] += 1
        if self.reconnect and time.monotonic() < self.deadline:
            self.spawn(self.come_back(st))

    async def come_back(self, st: ClientState) -> None:
        """Reconnect with ``since`` = last contiguous seq, full-jitter backoff, bounded attempts.
        Like the browser (room.js) it waits for the server's answer; 30 s bounds an attempt."""
        st.dropped = True
        st.reconnects += 1
        first, cap = self.backoff
        for attempt in range(30):
            await asyncio.sleep(random.uniform(0, min(cap, first * 2**attempt)))
            if time.monotonic() > self.deadline:
                return
            st.since = st.contig
            if await self.open(st, timeout=30.0):
                return

    def spawn(self, coro: Any) -> None:
        task = self.loop.create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def op_connect(self, msg: dict[str, Any]) -> dict[str, Any]:
        self.run, self.room = msg["run"], msg["room"]
        self.signer = TimestampSigner(msg["secret"]) if msg.get("secret") else None
        self.mark = frames.marker(self.run)
        self.mark_len = len(self.mark)
        self.backoff = tuple(msg.get("backoff", self.backoff))  # type: ignore[assignment]
        self.deadline = time.monotonic() + msg.get("max_seconds", 300)
        self.tickets = msg.get("tickets", True)
        specs = msg["clients"]
        new = [ClientState(*s) for s in specs]
        self.clients += new
        sem = asyncio.Semaphore(msg.get("concurrency", 64))
        ok = 0

        async def one(st: ClientState) -> None:
            nonlocal ok
            async with sem:
                for _ in range(3):
                    if await self.open(st, timeout=20.0):
                        ok += 1
                        return
                    await asyncio.sleep(random.uniform(0.1, 0.5))

        t = time.monotonic()
        await asyncio.gather(*(one(st) for st in new))
        return {"ok": ok, "failed": len(new) - ok, "seconds": time.monotonic() - t,
                "connect_fail": dict(self.connect_fail)}

    # -- sending ------------------------------------------------------------------------------
    async def send_loop(self, st: ClientState, t0_ns: int, count: int, interval_ns: int) -> None:
        for k in range(count):
            if self.stop_sending:
                return
            delay = (t0_ns + k * interval_ns - time.monotonic_ns()) / 1e9
            if delay > 0:
                await asyncio.sleep(delay)
            conn = st.conn
            if conn is None or not conn.is_open:
                self.skipped += 1
                continue
            t = time.monotonic_ns()
            cid = f"{self.run}-{st.sender}-{k}"
            ttl = frames.title(self.run, st.sender, st.app, k, t)
            conn.send_text(b'{"type":"idea.submit","id":"%s","data":{"title":"%s","body":"b"}}'
                           % (cid.encode(), ttl.encode()))
            st.pending[cid.encode()] = t
            self.sent += 1

    async def op_start(self, msg: dict[str, Any]) -> dict[str, Any]:
        self.reset_stats()
        self.stop_sending = False
        self.sent = 0
        self.cpu0 = os.times()
        senders = [st for st in self.clients if st.sender >= 0]
        self.send_done = asyncio.gather(*(
            self.send_loop(st, msg["t0_ns"], msg["count"], msg["interval_ms"] * 1_000_000) for st in senders))
        return {"senders": len(senders)}

    async def op_stop_send(self, msg: dict[str, Any]) -> dict[str, Any]:
        self.stop_sending = msg.get("now", False)
        with_timeout = msg.get("timeout_s", 120.0)
        try:
            await asyncio.wait_for(asyncio.shield(self.send_done), with_timeout)
        except TimeoutError:
            self.stop_sending = True
        # Acks trail far behind the sends when the server is saturated (an ack is queued behind the
        # events on the sender's socket): wait while frames keep coming, at most ack_timeout_s.
        end, last, still = time.monotonic() + msg.get("ack_timeout_s", 120.0), -1, time.monotonic()
        senders = [st for st in self.clients if st.sender >= 0]
        while time.monotonic() < end and any(st.pending for st in senders):
            if self.frames != last:
                last, still = self.frames, time.monotonic()
            elif time.monotonic() - still > 10.0:
                break
            await asyncio.sleep(0.01)
        unacked = sum(len(st.pending) for st in self.clients)
        return {"sent": self.sent, "acks": self.acks, "unacked": unacked, "skipped": self.skipped,
                "max_ack_seq": self.max_ack_seq, "errors": self.errors}

    # -- storm --------------------------------------------------------------------------------
    async def op_drop(self, msg: dict[str, Any]) -> dict[str, Any]:
        t_drop = time.monotonic_ns()
        victims = [st for st in self.clients if st.sender < 0 and st.conn is not None]
        for st in victims:
            st.attempts = 0
            st.dropped = True
            conn, st.conn = st.conn, None
            if conn is not None:
                conn.abort()  # on_lost -> on_dropped -> come_back()
        head = max((st.maxseq for st in self.clients), default=-1)
        caught: dict[int, int] = {}
        end = time.monotonic() + msg.get("timeout_s", 30.0)
        while time.monotonic() < end:
            now = time.monotonic_ns()
            for st in victims:
                if st.idx not in caught and not st.dropped and st.conn is not None and st.contig >= head:
                    caught[st.idx] = now - t_drop
            if len(caught) == len(victims):
                break
            await asyncio.sleep(0.02)
        back = [st.back_ns - t_drop for st in victims if not st.dropped and st.conn is not None]
        odd = Counter(f"dropped={st.dropped} conn={st.conn is not None} hellos={st.hellos} att={st.attempts}"
                      for st in victims if st.dropped or st.conn is None)
        return {"dropped": len(victims), "back": len(back), "back_ns": sorted(back),
                "caught_ns": sorted(caught.values()), "head_at_drop": head, "not_back": dict(odd),
                "attempts": Counter(st.attempts for st in victims), "hello_gaps":
                sum(st.hello_gaps for st in victims), "connect_fail": dict(self.connect_fail)}

    # -- completion ---------------------------------------------------------------------------
    async def op_final(self, msg: dict[str, Any]) -> dict[str, Any]:
        final = msg["final_seq"]
        end = time.monotonic() + msg.get("timeout_s", 30.0)
        last_frames, still = -1, time.monotonic()
        waiting = [st for st in self.clients if st.baseline >= 0]
        while time.monotonic() < end:
            waiting = [st for st in waiting if st.contig < final]
            if not waiting:
                break
            if self.frames != last_frames:
                last_frames, still = self.frames, time.monotonic()
            elif time.monotonic() - still > msg.get("stall", 5.0):
                break
            await asyncio.sleep(0.02)
        cpu1 = os.times()
        missing = expected = complete = 0
        for st in self.clients:
            if st.baseline < 0:
                continue
            want = max(final - st.baseline, 0)
            got = st.seen[st.baseline + 1 : final + 1].count(1)
            expected += want
            missing += want - got
            complete += st.contig >= final
        return {
            "clients": len(self.clients), "complete": complete, "expected": expected,
            "missing": missing, "dups": self.dups, "out_of_order": self.out_of_order,
            "resyncs": self.resyncs, "hello_gaps": sum(st.hello_gaps for st in self.clients),
            "reconnects": sum(st.reconnects for st in self.clients), "closes": dict(self.closes),
            "frames": self.frames, "mismatches": self.mismatches, "heartbeats": self.heartbeats,
            "heartbeat_ahead": self.heartbeat_ahead, "other_types": dict(self.types),
            "errors": self.errors, "error_samples": self.error_samples,
            "first_rx": self.first_rx, "last_rx": self.last_rx,
            "cpu_user": cpu1.user - self.cpu0.user, "cpu_system": cpu1.system - self.cpu0.system,
            "lat_local": self.lat_local.tobytes(), "lat_remote": self.lat_remote.tobytes(),
            "lat_ack": self.lat_ack.tobytes(), "ack_first": self.ack_first.tobytes(),
            "ack_last": self.ack_last.tobytes(), "other_bytes": self.other_bytes,
        }

    async def op_close(self, msg: dict[str, Any]) -> dict[str, Any]:
        self.reconnect = False
        for st in self.clients:
            if st.conn is not None:
                st.conn.intentional = True
                st.conn.close()
        await asyncio.sleep(0.2)
        for st in self.clients:
            if st.conn is not None:
                st.conn.abort()
        for task in list(self.tasks):
            task.cancel()
        return {"cpu": os.times().user + os.times().system}

    def _read_pipe(self) -> None:
        """Blocking reads of the parent's ops in a thread (the pipe stays blocking for big messages)."""
        while True:
            try:
                msg = self.pipe.recv()
            except (EOFError, OSError):
                msg = {"op": "close"}
            self.loop.call_soon_threadsafe(self.inbox.put_nowait, msg)
            if msg["op"] == "close":
                return

    async def serve(self) -> None:
        threading.Thread(target=self._read_pipe, daemon=True).start()
        while True:
            msg = await self.inbox.get()
            op = msg["op"]
            try:
                reply = await getattr(self, f"op_{op}")(msg)
            except Exception as exc:
                reply = {"exception": f"{type(exc).__name__}: {exc}"}
            reply["op"] = op
            reply["wid"] = self.wid
            with contextlib.suppress(OSError):
                self.pipe.send(reply)
            if op == "close":
                return


def worker_main(pipe: Connection, wid: int) -> None:
    """Entry point of a spawned worker process."""
    import resource

    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    try:
        import uvloop

        uvloop.run(_serve(pipe, wid))
    except ImportError:
        asyncio.run(_serve(pipe, wid))


async def _serve(pipe: Connection, wid: int) -> None:
    await Worker(pipe, wid).serve()
