"""The parent's side of the load generator: spawn worker processes, send them ops, gather replies."""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import time
from array import array
from typing import Any

from bench.loadgen import worker_main


class WorkerError(RuntimeError):
    pass


class Workers:
    """``n`` spawned load-generator processes (each one asyncio loop of lean clients)."""

    def __init__(self, n: int) -> None:
        ctx = mp.get_context("spawn")
        self.pipes = []
        self.procs = []
        for wid in range(n):
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=worker_main, args=(child, wid), daemon=True, name=f"bench-loadgen-{wid}")
            proc.start()
            child.close()
            self.pipes.append(parent)
            self.procs.append(proc)

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.procs if p.pid is not None]

    def send(self, op: str, per_worker: list[dict[str, Any]] | None = None, **common: Any) -> None:
        for i, pipe in enumerate(self.pipes):
            msg = {"op": op, **common, **(per_worker[i] if per_worker else {})}
            pipe.send(msg)

    def gather(self, timeout: float) -> list[dict[str, Any]]:
        replies: list[dict[str, Any]] = []
        end = time.monotonic() + timeout
        for pipe in self.pipes:
            if not pipe.poll(max(end - time.monotonic(), 0.0)):
                raise WorkerError(f"a load-generator worker did not answer within {timeout}s")
            reply = pipe.recv()
            if "exception" in reply:
                raise WorkerError(f"worker {reply.get('wid')}: {reply['exception']}")
            replies.append(reply)
        return replies

    def call(self, op: str, timeout: float, per_worker: list[dict[str, Any]] | None = None,
             **common: Any) -> list[dict[str, Any]]:
        self.send(op, per_worker, **common)
        return self.gather(timeout)

    def close(self) -> None:
        with contextlib.suppress(WorkerError, OSError, EOFError):
            self.call("close", timeout=15)
        for p in self.procs:
            p.join(timeout=5)
            if p.is_alive():
                p.terminate()
                p.join(timeout=5)


def merged(replies: list[dict[str, Any]], key: str) -> list[int]:
    out = array("q")
    for r in replies:
        out.frombytes(r.get(key, b""))
    return sorted(out)


def percentiles(sorted_us: list[int]) -> dict[str, float | None]:
    """p50/p95/p99/max in milliseconds of sorted microsecond samples."""
    n = len(sorted_us)
    if n == 0:
        return {"n": 0, "p50": None, "p95": None, "p99": None, "max": None}

    def at(q: float) -> float:
        return round(sorted_us[min(n - 1, int(q * n))] / 1000, 2)

    return {"n": n, "p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": round(sorted_us[-1] / 1000, 2)}


def total(replies: list[dict[str, Any]], key: str) -> int:
    return sum(int(r.get(key, 0)) for r in replies)


def merge_counts(replies: list[dict[str, Any]], key: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in replies:
        for k, v in (r.get(key) or {}).items():
            out[str(k)] = out.get(str(k), 0) + int(v)
    return out
