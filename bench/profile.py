"""py-spy sampling of a running process during a scenario's traffic window, and a summary of where
its time went (own time per function, and time under each function)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

_LINE = re.compile(r":\d+\)")


def py_spy() -> str | None:
    exe = Path(sys.executable).with_name("py-spy")
    return str(exe) if exe.exists() else shutil.which("py-spy")


def start(pid: int, out: Path, seconds: float, rate: int = 200, gil: bool = True) -> subprocess.Popen[bytes] | None:
    """Sample ``pid`` for ``seconds`` into ``out`` (collapsed stacks); None when py-spy is missing.
    ``gil``: keep only samples of the thread holding the GIL, i.e. where the process's Python CPU
    time goes (a thread waiting for the GIL, or for the database, is not counted)."""
    exe = py_spy()
    if exe is None:
        return None
    cmd = [exe, "record", "--pid", str(pid), "--duration", str(max(1, round(seconds))), "--rate", str(rate),
           "--format", "raw", "--output", str(out), "--nonblocking", *(["--gil"] if gil else [])]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def finish(proc: subprocess.Popen[bytes] | None, timeout: float = 60.0) -> None:
    if proc is None:
        return
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def summarize(path: Path, top: int = 15) -> dict[str, Any]:
    """Top functions by own time and by time under them (percent of samples)."""
    own: Counter[str] = Counter()
    under: Counter[str] = Counter()
    samples = 0
    if not path.exists():
        return {"samples": 0, "own": [], "under": []}
    for line in path.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if not stack or not n.isdigit():
            continue
        count = int(n)
        frames = [_LINE.sub(")", f) for f in stack.split(";") if not f.startswith("process ")
                  and not f.startswith("thread ")]
        if not frames:
            continue
        samples += count
        own[frames[-1]] += count
        for f in set(frames):
            under[f] += count

    def pct(c: Counter[str], n: int = top) -> list[tuple[str, float]]:
        return [(f, round(100 * k / samples, 1)) for f, k in c.most_common(n)] if samples else []

    return {"samples": samples, "own": pct(own), "under": pct(under, 3 * top)}
