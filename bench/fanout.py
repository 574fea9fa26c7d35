"""One scenario of the fan-out benchmark: N lean clients in one room, spread over two app processes
(each its own uvicorn on a free port, sharing Redis and PostgreSQL), S of them sending 50 commands,
one every 20 ms; or the reconnect storm. Returns a dict of figures (see ``bench.run_all``).

    .venv/bin/python -m bench.fanout --n 1000 --s 1            # one scenario against the engine
    .venv/bin/python -m bench.fanout --n 1000 --s 1 --echo     # the same against the echo baseline
    .venv/bin/python -m bench.fanout --n 2000 --storm
"""

from __future__ import annotations

import argparse
import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import machine, profile, servers
from bench.fixtures import Seed
from bench.workers import Workers, merge_counts, merged, percentiles, total

COUNT, INTERVAL_MS = 50, 20


@dataclass
class Target:
    """What the clients talk to: the engine (with its seeded database) or the echo baseline."""

    kind: str  # "engine" | "echo" | "echo-raw"
    env: dict[str, str]
    seed: Seed | None = None
    secret: str = ""
    workers: int = 2
    app_dir: str | None = None  # serve the app of another copy (an experiment)
    extra_flags: list[str] | None = None  # extra uvicorn flags

    def new_room(self, label: str) -> str:
        if self.seed is None:
            return f"echo-{uuid.uuid4().hex[:10]}"
        return self.seed.new_room(label)

    def user(self, i: int) -> int:
        return self.seed.user_ids[i] if self.seed is not None else 0

    def start_apps(self) -> list[servers.AppProcess]:
        target = servers.engine_target() if self.kind == "engine" else servers.echo_target(self.kind == "echo-raw")
        return servers.start_pair(target, self.env, self.kind, app_dir=self.app_dir, extra=self.extra_flags)


class Run:
    """Apps + workers + clients of one scenario; ``close()`` stops everything it started."""

    def __init__(self, target: Target, n: int, senders: list[int], label: str) -> None:
        self.target, self.n, self.label = target, n, label
        self.tickets = True  # come back with the last hello's ticket (as room.js does)
        self.room = target.new_room(label)
        self.run_id = uuid.uuid4().hex[:8]
        self.apps = target.start_apps()
        self.workers = Workers(target.workers)
        w = target.workers
        sender_of = {idx: j for j, idx in enumerate(senders)}
        self.specs: list[list[list[int]]] = [[] for _ in range(w)]
        self.order: list[tuple[int, list[int]]] = []
        for i in range(n):
            app = i % 2
            spec = [i, app, self.apps[app].port, target.user(i), sender_of.get(i, -1)]
            self.order.append(((i // 2) % w, spec))
        self.result: dict[str, Any] = {"label": label, "target": target.kind, "room": self.room, "n": n,
                                       "senders": len(senders), "workers": w}
        if target.app_dir:
            self.result["app_dir"], self.result["uvicorn_extra"] = target.app_dir, target.extra_flags

    def connect(self, backoff: tuple[float, float] = (0.5, 15.0)) -> None:
        """Connect a warm-up slice, read RSS, connect the rest, settle, read RSS again."""
        warm = min(self.n, max(10, self.n // 50))
        t = time.monotonic()
        ok = self._connect(self.order[:warm], backoff)
        time.sleep(0.5)
        rss0 = [a.rss() for a in self.apps]
        ok += self._connect(self.order[warm:], backoff)
        time.sleep(1.5)
        rss1 = [a.rss() for a in self.apps]
        per = (sum(rss1) - sum(rss0)) / max(ok - warm, 1)
        self.result.update(connected=ok, connect_seconds=round(time.monotonic() - t - 2.0, 2),
                           rss_kib_before=rss0, rss_kib_idle=rss1, rss_kib_per_conn=round(per, 1))

    def _connect(self, part: list[tuple[int, list[int]]], backoff: tuple[float, float]) -> int:
        per_worker = [{"clients": [s for w, s in part if w == i]} for i in range(self.target.workers)]
        replies = self.workers.call("connect", timeout=120, per_worker=per_worker, run=self.run_id,
                                    room=self.room, secret=self.target.secret, backoff=list(backoff),
                                    concurrency=64, max_seconds=600, tickets=self.tickets)
        fails = merge_counts(replies, "connect_fail")
        if fails:
            self.result["connect_fail"] = fails
        return total(replies, "ok")

    def sample(self) -> dict[str, float]:
        out = {**servers.machine_cpu(), "t": time.monotonic()}
        for i, a in enumerate(self.apps):
            out[f"app{i}"] = a.cpu()
        for pid in self.workers.pids:
            out[f"lg{pid}"] = servers.cpu_seconds(pid)
        out["redis"] = sum(servers.cpu_seconds(p) for p in servers.pids_named("redis-server"))
        for pid in servers.pids_named("postgres"):
            out[f"pg{pid}"] = servers.cpu_seconds(pid)
        return out

    def cpu_report(self, a: dict[str, float], b: dict[str, float]) -> dict[str, Any]:
        wall = b["t"] - a["t"]
        # Processes that ended in between are left out; those that started count from zero.
        d = {k: b[k] - a.get(k, 0.0) for k in b if k in a or k.startswith("pg")}
        d["postgres"] = sum(v for k, v in d.items() if k.startswith("pg"))
        apps = sum(d[f"app{i}"] for i in range(len(self.apps)))
        lg = sum(v for k, v in d.items() if k.startswith("lg"))
        cores = (d["machine_total"] / wall) if wall else 0
        rep = {"window_s": round(wall, 2), "apps_cpu_s": round(apps, 2), "loadgen_cpu_s": round(lg, 2),
               "redis_cpu_s": round(d["redis"], 2), "postgres_cpu_s": round(d["postgres"], 2),
               "machine_busy_pct": round(100 * d["machine_busy"] / d["machine_total"], 1)
               if d["machine_total"] else None, "cores": round(cores, 1)}
        rep["postgres_new_backends"] = sum(1 for k in b if k.startswith("pg") and k not in a)
        rep["kernel_irq_cpu_s"] = round(d["machine_irq"], 2)
        rep["steal_cpu_s"] = round(d["machine_steal"], 2)
        other = d["machine_busy"] - apps - lg - d["redis"] - d["postgres"] - d["machine_irq"] - d["machine_steal"]
        rep["other_cpu_s"] = round(max(other, 0.0), 2)
        rep["loadgen_pct_of_core"] = round(100 * lg / wall / max(len(self.workers.pids), 1), 1) if wall else None
        return rep

    def close(self) -> None:
        self.workers.close()
        for a in self.apps:
            a.stop()
        if self.target.seed is not None:
            self.result["db"] = self.target.seed.counts(self.room)


def _profilers(run: Run, seconds: float, what: list[str]) -> list[tuple[str, Path, Any]]:
    out = []
    for kind in what:
        pids = [a.pid for a in run.apps] if kind == "app" else run.workers.pids[:1]
        for i, pid in enumerate(pids[:1] if kind == "app" else pids):
            path = servers.RESULTS / f"profile-{run.label}-{kind}{i}.txt"
            out.append((f"{kind}{i}", path, profile.start(pid, path, seconds, gil=kind == "app")))
    return out


def delivery(replies: list[dict[str, Any]], t0_ns: int) -> dict[str, Any]:
    lat_local, lat_remote = merged(replies, "lat_local"), merged(replies, "lat_remote")
    everything = sorted(lat_local + lat_remote)
    last = max((r["last_rx"] for r in replies), default=0)
    expected, missing = total(replies, "expected"), total(replies, "missing")
    span = (last - t0_ns) / 1e9 if last else 0.0
    return {
        "complete_clients": total(replies, "complete"), "expected": expected, "delivered": expected - missing,
        "lost": missing, "duplicates": total(replies, "dups"), "out_of_order": total(replies, "out_of_order"),
        "resyncs": total(replies, "resyncs"), "hello_gaps": total(replies, "hello_gaps"),
        "reconnects": total(replies, "reconnects"), "server_closes": merge_counts(replies, "closes"),
        "errors": total(replies, "errors"), "error_samples": [s for r in replies for s in r["error_samples"]][:5],
        "parse_mismatches": total(replies, "mismatches"), "other_frames": merge_counts(replies, "other_types"),
        "latency_ms": percentiles(everything), "latency_same_process_ms": percentiles(lat_local),
        "latency_other_process_ms": percentiles(lat_remote), "ack_ms": percentiles(merged(replies, "lat_ack")),
        "ack_first5_ms": percentiles(merged(replies, "ack_first")),
        "ack_last5_ms": percentiles(merged(replies, "ack_last")), "other_bytes": total(replies, "other_bytes"),
        "last_receipt_s": round(span, 3),
        "msgs_per_s": round(len(everything) / span) if span > 0 else None,
        "loadgen_cpu_s": round(sum(r["cpu_user"] + r["cpu_system"] for r in replies), 2),
    }


def run_fanout(target: Target, n: int, s: int, *, count: int = COUNT, interval_ms: int = INTERVAL_MS,
               profile_what: list[str] | None = None, label: str | None = None) -> dict[str, Any]:
    """N clients, S senders (spread evenly over both processes), ``count`` commands each."""
    label = label or f"{target.kind}-n{n}-s{s}" + (f"-every{interval_ms}ms" if interval_ms != INTERVAL_MS else "")
    senders = [j * n // s for j in range(s)]
    run = Run(target, n, senders, label)
    run.result["interval_ms"] = interval_ms
    try:
        run.connect()
        run.result["machine_before"] = machine.wait_quiet()
        t0 = time.monotonic_ns() + 300_000_000
        run.workers.call("start", timeout=30, t0_ns=t0, count=count, interval_ms=interval_ms)
        profs = _profilers(run, count * interval_ms / 1000 + 2.5, profile_what or [])
        a = run.sample()
        sent = run.workers.call("stop_send", timeout=180)
        final = max(r["max_ack_seq"] for r in sent)
        replies = run.workers.call("final", timeout=120, final_seq=final, timeout_s=60, stall=8.0)
        b = run.sample()
        run.result.update(sent=total(sent, "sent"), acked=total(sent, "acks"), unacked=total(sent, "unacked"),
                          final_seq=final, **delivery(replies, t0), cpu=run.cpu_report(a, b))
        run.result["rss_kib_after"] = [x.rss() for x in run.apps]
        for name, path, proc in profs:
            profile.finish(proc)
            run.result.setdefault("profile", {})[name] = profile.summarize(path)
    finally:
        run.close()
    return run.result


def run_storm(target: Target, n: int, *, senders: int = 2, interval_ms: int = 100, before_s: float = 1.5,
              backoff: tuple[float, float] = (0.5, 15.0), tickets: bool = True,
              label: str | None = None) -> dict[str, Any]:
    """N clients connected while ``senders`` extra clients keep sending (one command every
    ``interval_ms`` each); all N dropped at once, each comes back with ``since`` after a full-jitter
    backoff (first window ``backoff[0]`` s, doubling up to ``backoff[1]`` s: app/static/js/room.js)."""
    label = label or f"{target.kind}-storm-n{n}"
    run = Run(target, n + senders, list(range(n, n + senders)), label)
    run.tickets = tickets
    run.result.update(n=n, extra_senders=senders, storm_interval_ms=interval_ms, backoff_s=list(backoff),
                      tickets=tickets)
    try:
        run.connect(backoff)
        run.result["machine_before"] = machine.wait_quiet()
        t0 = time.monotonic_ns() + 200_000_000
        run.workers.call("start", timeout=30, t0_ns=t0, count=60_000 // interval_ms, interval_ms=interval_ms)
        time.sleep(before_s)
        a = run.sample()
        dropped = run.workers.call("drop", timeout=60, timeout_s=30.0)
        b = run.sample()
        time.sleep(1.0)
        sent = run.workers.call("stop_send", timeout=60, now=True)
        final = max(r["max_ack_seq"] for r in sent)
        replies = run.workers.call("final", timeout=60, final_seq=final, stall=8.0)
        back = sorted(x for r in dropped for x in r["back_ns"])
        caught = sorted(x for r in dropped for x in r["caught_ns"])
        run.result.update(
            dropped=total(dropped, "dropped"), back=len(back),
            back_p50_s=round(back[len(back) // 2] / 1e9, 3) if back else None,
            back_p99_s=round(back[min(len(back) - 1, int(0.99 * len(back)))] / 1e9, 3) if back else None,
            back_all_s=round(back[-1] / 1e9, 3) if back else None,
            caught_up=len(caught), complete_all_s=round(caught[-1] / 1e9, 3) if caught else None,
            head_at_drop=max(r["head_at_drop"] for r in dropped),
            attempts=merge_counts(dropped, "attempts"), storm_hello_gaps=total(dropped, "hello_gaps"),
            storm_connect_fail=merge_counts(dropped, "connect_fail"), not_back=merge_counts(dropped, "not_back"),
            sent=total(sent, "sent"), acked=total(sent, "acks"), final_seq=final,
            **delivery(replies, t0), cpu_storm=run.cpu_report(a, b))
    finally:
        run.close()
    return run.result


def main() -> None:
    from bench.run_all import make_target

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=100)
    p.add_argument("--s", type=int, default=1)
    p.add_argument("--storm", action="store_true")
    p.add_argument("--no-tickets", action="store_true", help="storm: reconnect without the hello's ticket")
    p.add_argument("--echo", action="store_true", help="run against the bare echo baseline")
    p.add_argument("--echo-raw", action="store_true", help="... its variant writing pre-framed bytes")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--interval-ms", type=int, default=INTERVAL_MS, help="between one sender's commands")
    p.add_argument("--profile", nargs="*", default=[], choices=["app", "loadgen"])
    args = p.parse_args()
    servers.raise_nofile()
    kind = "echo-raw" if args.echo_raw else "echo" if args.echo else "engine"
    target = make_target(kind, args.n + 2, workers=args.workers)
    try:
        res = run_storm(target, args.n, tickets=not args.no_tickets) if args.storm else run_fanout(
            target, args.n, args.s, interval_ms=args.interval_ms, profile_what=args.profile)
    finally:
        if target.seed is not None:
            target.seed.dispose()
    print(json.dumps(res, indent=2, default=str))


if __name__ == "__main__":
    main()
