"""``make bench``: the whole matrix, a results file, and docs/performance.md.

    .venv/bin/python -m bench.run_all                  # everything (about 10 minutes)
    .venv/bin/python -m bench.run_all --quick          # N = 100 and 500 only, no storm
    .venv/bin/python -m bench.run_all --no-echo --no-profile

Engine: N = 100, 500, 1,000, 2,000 with S = 1 and S = 10, and the 2,000-client reconnect storm;
then N = 1,000, S = 1 with the commands 40 ms apart (a diagnostic), and N = 1,000 with each patch of
bench/experiments applied to a temporary copy of app/ (proposals for the engine, measured alike).
Echo baseline (bare Redis broadcast, nothing persisted): the same N and S, for scale. Profile: the
N = 1,000, S = 10 case again under py-spy (the figures of that run are not used in the table).
Needs PostgreSQL (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1/godialog_bench; the
database is dropped and re-created) and Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/0).
Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import sys
import time
import traceback
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bench import machine, report, servers
from bench.fanout import Target, run_fanout, run_storm
from bench.fixtures import Seed, drop_database, recreate_database
from bench.probe_write_path import probe, throughput

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1/godialog_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
NS = (100, 500, 1000, 2000)
SS = (1, 10)
STORM_N = 2000
# bench/experiments/<name>.patch -> (the uvicorn flags it needs, the scenarios it is measured on).
# (Pre-framed writes, the GIL switch interval, separate thread limiters and direct writes were
# measured here before the engine adopted them; see bench/experiments/README.md.)
EXPERIMENTS: dict[str, tuple[list[str], list[tuple[int, int]]]] = {}
# The app's settings for the run. COMMAND_RATE: the bench's senders send 50 commands/s on one socket,
# above the default per-socket limit meant for people (10/s, burst 40).
APP_ENV = {"REDIS_URL": REDIS_URL, "REDIS_PREFIX": "godialog-bench", "COMMAND_RATE": "100",
           "ENVIRONMENT": "production"}


def make_target(kind: str, n_users: int, workers: int = 2) -> Target:
    if kind.startswith("echo"):
        return Target(kind, {"REDIS_URL": REDIS_URL, "ECHO_RAW": "1" if kind == "echo-raw" else "0"},
                      workers=workers)
    _base, _, name = DB_URL.rpartition("/")
    url = recreate_database(DB_URL, name)
    secret = secrets.token_urlsafe(32)
    seed = Seed(url, n_users)
    env = {**APP_ENV, "DATABASE_URL": url, "SECRET_KEY": secret}
    return Target("engine", env, seed=seed, secret=secret, workers=workers)


def _revision() -> dict[str, Any]:
    """The commit measured, and whether app/ had uncommitted changes."""
    import subprocess

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=servers.ROOT, capture_output=True, text=True)
        return done.stdout.strip()

    return {"commit": git("rev-parse", "--short", "HEAD"), "app_dirty": bool(git("status", "--porcelain", "app"))}


def _experiments(engine: Target) -> list[dict[str, Any]]:
    """The engine with each patch of bench/experiments applied to a copy of app/ (skipped when a
    patch no longer applies to the current code)."""
    out: list[dict[str, Any]] = []
    for name, (flags, scenarios) in EXPERIMENTS.items():
        copy = servers.patched_copy(servers.ROOT / "bench" / "experiments" / f"{name}.patch")
        if copy is None:
            out.append({"label": name, "failed": "the patch no longer applies to app/"})
            continue
        target = replace(engine, app_dir=str(copy), extra_flags=flags)
        try:
            for n, s in scenarios:
                if s == 0:
                    out.append(_safe(run_storm, target, n, label=f"{name}-storm-n{n}"))
                else:
                    out.append(_safe(run_fanout, target, n, s, label=f"{name}-n{n}-s{s}"))
        finally:
            shutil.rmtree(copy, ignore_errors=True)
    return out


def _safe(fn: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    t = time.monotonic()
    try:
        res = fn(*args, **kwargs)
    except Exception as exc:
        traceback.print_exc()
        res = {"label": kwargs.get("label") or str(args[1:]), "failed": f"{type(exc).__name__}: {exc}"}
    res["wall_s"] = round(time.monotonic() - t, 1)
    print(report.one_line(res), flush=True)
    return res


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="N = 100 and 500, no storm, no profile")
    p.add_argument("--no-echo", action="store_true")
    p.add_argument("--no-profile", action="store_true")
    p.add_argument("--no-doc", action="store_true", help="do not rewrite docs/performance.md")
    p.add_argument("--workers", type=int, default=2, help="load-generator processes")
    args = p.parse_args(argv)

    nofile = servers.raise_nofile()
    ns = NS[:2] if args.quick else NS
    started = datetime.now(UTC)
    out: dict[str, Any] = {"started": started.isoformat(timespec="seconds"), "machine": machine.describe(DB_URL),
                           "nofile": nofile, "app_env": {k: v for k, v in APP_ENV.items() if k != "SECRET_KEY"},
                           "command": "make bench", "load_before": machine.loadavg(), **_revision()}
    results: list[dict[str, Any]] = []
    target = make_target("engine", max(ns) + 2, workers=args.workers)
    try:
        for s in SS:
            for n in ns:
                results.append(_safe(run_fanout, target, n, s, label=f"engine-n{n}-s{s}"))
        if not args.quick:
            results.append(_safe(run_storm, target, STORM_N, label=f"engine-storm-n{STORM_N}"))
            # The same storm when no client holds a ticket (first connections, expired tickets).
            results.append(_safe(run_storm, target, STORM_N, tickets=False,
                                 label=f"engine-storm-n{STORM_N}-without-tickets"))
            # Diagnostic: the same load with the commands twice as far apart.
            results.append(_safe(run_fanout, target, 1000, 1, interval_ms=40, label="engine-n1000-s1-every40ms"))
            results += _experiments(target)
            if not args.no_profile:
                results.append(_safe(run_fanout, target, 1000, 10, profile_what=["app", "loadgen"],
                                     label="profile-engine-n1000-s10"))
        if not args.quick and target.seed is not None:
            try:
                url, room = target.env["DATABASE_URL"], target.seed.new_room("probe")
                out["write_path"] = probe(url, room, target.seed.user_ids[0])
                out["write_path"]["commands_per_s_10_senders_2_processes"] = throughput(
                    url, room, target.seed.user_ids[:10])
            except Exception as exc:
                out["write_path"] = {"failed": f"{type(exc).__name__}: {exc}"}
    finally:
        if target.seed is not None:
            target.seed.dispose()
        drop_database(DB_URL, DB_URL.rpartition("/")[2])
    if not args.no_echo:
        for kind in ("echo", "echo-raw"):
            echo = make_target(kind, 0, workers=args.workers)
            for s in SS:
                for n in ns:
                    results.append(_safe(run_fanout, echo, n, s, label=f"{kind}-n{n}-s{s}"))
    out["results"] = results
    out["load_after"] = machine.loadavg()
    out["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    servers.RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = started.strftime("%Y%m%dT%H%M%S")
    path = servers.RESULTS / f"bench-{stamp}.json"
    path.write_text(json.dumps(out, indent=1, default=str))
    (servers.RESULTS / "latest.json").write_text(json.dumps(out, indent=1, default=str))
    print(f"results: {path}")
    if not args.no_doc:
        report.write_doc(out)
        print("docs/performance.md updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
