"""The write path of one ``idea.submit`` in isolation: how many SQL statements, how long on an idle
interpreter, and how long while another thread of the same process holds the GIL for CPU work —
which is what the event loop does while it fans an event out to hundreds of sockets. The command's
transaction runs in a worker thread (``Realtime.perform``); each database round trip releases the
GIL and must win it back, waiting up to ``sys.getswitchinterval()`` (5 ms) each time.

    .venv/bin/python -m bench.probe_write_path   # (make bench runs it too)
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
from typing import Any

import sqlalchemy as sa


def _stats(ms: list[float]) -> dict[str, float]:
    ms = sorted(ms)
    return {"p50": round(statistics.median(ms), 1), "p90": round(ms[int(0.9 * len(ms))], 1)}


def probe(url: str, room: str, user_id: int, n: int = 30) -> dict[str, Any]:
    from app.db import Database
    from app.realtime import commands
    from app.services.actor import load_actor

    db = Database(url)
    with db.read() as s:
        actor = load_actor(s, user_id)
    cmd = commands.COMMANDS["idea.submit"]
    counter = [0]

    cpu: list[float] = []

    def one() -> float:
        counter[0] += 1
        data = cmd.model.model_validate({"title": f"probe {counter[0]}", "body": "b"})
        t, c = time.perf_counter(), time.thread_time()
        db.run(commands.execute, actor, room, f"probe-{time.time_ns()}-{counter[0]}", cmd, data)
        cpu.append((time.thread_time() - c) * 1000)
        return (time.perf_counter() - t) * 1000

    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(" ".join(statement.split()[:3]))

    for _ in range(5):
        one()
    sa.event.listen(db.engine, "before_cursor_execute", count)
    one()
    sa.event.remove(db.engine, "before_cursor_execute", count)
    cpu.clear()
    idle = [one() for _ in range(n)]
    idle_cpu = list(cpu)

    def busy(switch: float) -> list[float]:
        old = sys.getswitchinterval()
        sys.setswitchinterval(switch)
        stop = threading.Event()

        def burn() -> None:
            x = 0
            while not stop.is_set():
                for i in range(2000):
                    x += i

        th = threading.Thread(target=burn, daemon=True)
        th.start()
        try:
            return [one() for _ in range(n)]
        finally:
            stop.set()
            th.join()
            sys.setswitchinterval(old)

    out = {"statements": len(statements) + 2, "statement_heads": statements, "idle_ms": _stats(idle),
           "idle_cpu_ms": _stats(idle_cpu),
           "busy_loop_ms": _stats(busy(0.005)), "busy_loop_switch_0_5ms_ms": _stats(busy(0.0005))}
    with db.engine.connect() as conn:
        t = time.perf_counter()
        for _ in range(50):
            conn.exec_driver_sql("SELECT 1").scalar()
        out["round_trip_ms"] = round((time.perf_counter() - t) / 50 * 1000, 3)
    db.dispose()
    return out


def _hammer(url: str, room: str, user_ids: list[int], seconds: float, out: Any) -> None:
    """One process: a thread per user, each running idea.submit transactions back to back."""
    from app.db import Database
    from app.realtime import commands
    from app.services.actor import load_actor

    db = Database(url)
    cmd = commands.COMMANDS["idea.submit"]
    with db.read() as s:
        actors = [load_actor(s, uid) for uid in user_ids]
    done = [0] * len(actors)
    end = time.monotonic() + seconds

    def loop(i: int) -> None:
        while time.monotonic() < end:
            data = cmd.model.model_validate({"title": f"hammer {i}", "body": "b"})
            db.run(commands.execute, actors[i], room, f"h-{time.time_ns()}-{i}", cmd, data)
            done[i] += 1

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(len(actors))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.dispose()
    out.put(sum(done))


def throughput(url: str, room: str, user_ids: list[int], processes: int = 2, seconds: float = 3.0) -> float:
    """Commands a second that ``processes`` processes (one thread per user each, as the app runs a
    command per socket in a worker thread) commit into one room, with no sockets at all."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    per = [user_ids[i::processes] for i in range(processes)]
    procs = [ctx.Process(target=_hammer, args=(url, room, ids, seconds, out)) for ids in per]
    for p in procs:
        p.start()
    total = sum(out.get(timeout=seconds + 60) for _ in procs)
    for p in procs:
        p.join(timeout=10)
    return round(total / seconds, 1)


def main() -> None:
    import json

    from bench.fixtures import drop_database
    from bench.run_all import DB_URL, make_target

    target = make_target("engine", 12)
    assert target.seed is not None
    try:
        url, room = target.env["DATABASE_URL"], target.seed.new_room("probe")
        result = probe(url, room, target.seed.user_ids[0])
        result["commands_per_s_10_senders_2_processes"] = throughput(url, room, target.seed.user_ids[:10])
    finally:
        target.seed.dispose()
        drop_database(DB_URL, DB_URL.rpartition("/")[2])
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
