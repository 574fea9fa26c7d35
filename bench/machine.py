"""The machine the bench ran on: cores, CPU model, RAM, kernel and the versions of the stack."""

from __future__ import annotations

import os
import platform
import subprocess
import time
from importlib import metadata
from typing import Any


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def _mem_gib() -> float:
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    return 0.0


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "-"


def _redis_version() -> str:
    try:
        import redis

        url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
        return str(redis.Redis.from_url(url).info("server")["redis_version"])
    except Exception:
        return "?"


def _pg_version(url: str) -> str:
    try:
        import sqlalchemy as sa

        from bench.fixtures import _driver, admin_url

        engine = sa.create_engine(_driver(admin_url(url)))
        with engine.connect() as conn:
            v = str(conn.exec_driver_sql("SHOW server_version").scalar())
        engine.dispose()
        return v
    except Exception:
        return "?"


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def describe(db_url: str) -> dict[str, Any]:
    try:
        nproc = int(subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout)
    except (OSError, ValueError, subprocess.CalledProcessError):
        nproc = os.cpu_count() or 0
    return {
        "nproc": nproc, "cpu": _cpu_model(), "ram_gib": _mem_gib(), "kernel": platform.release(),
        "python": platform.python_version(), "uvicorn": _version("uvicorn"), "starlette": _version("starlette"),
        "websockets": _version("websockets"), "uvloop": _version("uvloop"), "redis_py": _version("redis"),
        "redis_server": _redis_version(), "postgresql": _pg_version(db_url), "sqlalchemy": _version("sqlalchemy"),
        "psycopg": _version("psycopg"),
    }


_quiet_budget = [180.0]  # seconds of waiting for a quiet machine left for this run


def busy_fraction(seconds: float = 1.5) -> float:
    """How busy the machine's CPUs were over the next ``seconds`` (0..1)."""
    def sample() -> tuple[int, int]:
        with open("/proc/stat") as f:
            parts = [int(x) for x in f.readline().split()[1:9]]
        return sum(parts) - parts[3] - parts[4], sum(parts)

    b0, t0 = sample()
    time.sleep(seconds)
    b1, t1 = sample()
    return (b1 - b0) / (t1 - t0) if t1 > t0 else 0.0


def wait_quiet(threshold: float = 0.3, max_wait: float = 20.0) -> dict[str, Any]:
    """Wait (at most ``max_wait`` s, and at most what is left of the run's budget) until the machine
    is less than ``threshold`` busy — on a shared machine, measure between other people's test runs."""
    start = time.monotonic()
    limit = min(max_wait, _quiet_budget[0])
    busy = busy_fraction()
    while busy >= threshold and time.monotonic() - start < limit:
        busy = busy_fraction()
    waited = time.monotonic() - start
    _quiet_budget[0] = max(0.0, _quiet_budget[0] - waited)
    return {"waited_s": round(waited, 1), "busy_before_pct": round(100 * busy, 1), "quiet": busy < threshold}
