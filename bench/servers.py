"""Processes the bench starts and watches: the app (or the echo baseline) under uvicorn on free ports,
and readings from /proc (RSS, CPU seconds of a pid, of the whole machine)."""

from __future__ import annotations

import os
import resource
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
UVICORN = str(Path(sys.executable).with_name("uvicorn"))
FALLBACK_FLAGS = ["--ws-per-message-deflate", "false", "--ws-max-size", "65536", "--ws-max-queue", "16",
                  "--ws-ping-interval", "20", "--ws-ping-timeout", "20"]


def serve_flags() -> list[str]:
    """The app's serving flags: ``UVICORN_FLAGS`` of the Makefile (what ``make run`` and the Procfile
    use), so the bench serves the app exactly as it is deployed."""
    try:
        for line in (ROOT / "Makefile").read_text().splitlines():
            if line.startswith("UVICORN_FLAGS"):
                return line.split("=", 1)[1].split()
    except OSError:
        pass
    return FALLBACK_FLAGS


def without_ws_class(flags: list[str]) -> list[str]:
    """``flags`` minus ``--ws <protocol class>`` (the echo baseline picks its own)."""
    out, skip = [], False
    for f in flags:
        if skip:
            skip = False
        elif f == "--ws":
            skip = True
        else:
            out.append(f)
    return out
CLK_TCK = os.sysconf("SC_CLK_TCK")


def raise_nofile() -> int:
    """Lift this process's open-file limit to the hard limit; return it (children inherit it)."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """utime + stime of ``pid`` (all its threads)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def machine_cpu() -> dict[str, float]:
    """CPU seconds of the machine since boot, all cores: busy, total, irq+softirq (the kernel's
    network work, charged to no process) and steal (taken by the hypervisor)."""
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    idle = parts[3] + parts[4]
    total = sum(parts[:8])
    return {"machine_busy": (total - idle) / CLK_TCK, "machine_total": total / CLK_TCK,
            "machine_irq": (parts[5] + parts[6]) / CLK_TCK, "machine_steal": parts[7] / CLK_TCK}


def pids_named(name: str) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as f:
                    if f.read().strip() == name:
                        out.append(int(entry))
            except OSError:
                continue
    return out


class AppProcess:
    """One uvicorn process on a free port; ``stop()`` ends exactly the process it started."""

    def __init__(self, target: list[str], env: dict[str, str], name: str, port: int | None = None,
                 app_dir: str | None = None, extra: list[str] | None = None) -> None:
        self.port = port or free_port()
        self.name = name
        RESULTS.mkdir(parents=True, exist_ok=True)
        self.log_path = RESULTS / f"{name}.log"
        engine = target[-1].startswith("app.")
        app_dir = app_dir or (os.environ.get("BENCH_APP_DIR") if engine else None) or str(ROOT)  # A/B runs
        extra = extra if extra is not None else os.environ.get("BENCH_UVICORN_EXTRA", "").split()
        flags = serve_flags() if engine else without_ws_class(serve_flags())
        self.cmd = [UVICORN, *target, "--app-dir", app_dir, "--host", "127.0.0.1", "--port", str(self.port),
                    *flags, *extra, "--log-level", "warning", "--no-access-log", "--backlog", "4096"]
        cmd = self.cmd
        full_env = {**os.environ, **env, "BASE_URL": f"http://127.0.0.1:{self.port}"}
        self._log = open(self.log_path, "w")  # noqa: SIM115 - kept open for the process's life
        self.proc = subprocess.Popen(cmd, cwd=app_dir, env=full_env, stdout=self._log, stderr=subprocess.STDOUT)
        self.pid = self.proc.pid

    def wait_ready(self, timeout: float = 30.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.proc.returncode}); see {self.log_path}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as r:
                    if r.status < 500:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} not ready within {timeout}s; see {self.log_path}")

    def rss(self) -> int:
        return rss_kib(self.pid)

    def cpu(self) -> float:
        return cpu_seconds(self.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self._log.close()


def engine_target() -> list[str]:
    return ["--factory", "app.main:create_app"]


def echo_target(raw: bool = False) -> list[str]:
    return ["--ws", "bench._raw_ws:RawSendProtocol", "bench._echo_server:app"] if raw else ["bench._echo_server:app"]


def start_pair(target: list[str], env: dict[str, str], label: str, app_dir: str | None = None,
               extra: list[str] | None = None) -> list[AppProcess]:
    apps = [AppProcess(target, env, f"{label}-{i}", app_dir=app_dir, extra=extra) for i in range(2)]
    try:
        for a in apps:
            a.wait_ready()
    except Exception:
        for a in apps:
            a.stop()
        raise
    return apps


def patched_copy(patch: Path) -> Path | None:
    """A temporary copy of ``app/`` with ``patch`` applied (None when it no longer applies)."""
    import shutil
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix="godialog-bench-exp-"))
    shutil.copytree(ROOT / "app", tmp / "app", ignore=shutil.ignore_patterns("__pycache__"))
    done = subprocess.run(["git", "apply", str(patch)], cwd=tmp, capture_output=True, text=True)
    if done.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        return None
    return tmp
