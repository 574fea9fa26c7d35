"""Cheap parsing of the server's JSON frames with bytes operations (no json.loads on the hot path).

The load generator reads three things from a frame: its ``type``, its ``seq`` and, in the benchmark's
ideas, the marker ``bench|<run>|<t_ns>|<app>|<sender>|<n>|`` carried in the title (the send time
first, so a receiver reads it with one ``find``). A sample of
frames is also fully decoded and compared (``verify``), so a format the fast path misreads shows up
as a counted mismatch instead of a silently wrong figure.
"""

from __future__ import annotations

import json
import re

SEQ_RE = re.compile(rb'"seq"\s*:\s*(\d+)')
_TYPE = b'"type"'


def frame_type(p: bytes) -> bytes:
    """The value of the first ``"type"`` key (the envelope's: it comes before ``data``)."""
    i = p.find(_TYPE)
    if i < 0:
        return b""
    j = p.find(b'"', i + 6)
    k = p.find(b'"', j + 1)
    return p[j + 1 : k]


def frame_seq(p: bytes) -> int:
    """The envelope's ``seq`` (the first ``"seq"`` key), or -1 when the frame has none."""
    i = p.find(b'"seq"')
    if i < 0:
        return -1
    j = p.find(b",", i)
    k = p.find(b"}", i)
    if j < 0 or 0 <= k < j:
        j = k
    try:
        return int(p[i + 6 : j])  # int() skips the blank of '"seq": 42'
    except ValueError:
        m = SEQ_RE.search(p)
        return int(m.group(1)) if m else -1


def frame_str(p: bytes, key: bytes) -> bytes:
    """The string value of ``key`` (given with its quotes, e.g. ``b'"id"'``)."""
    i = p.find(key)
    if i < 0:
        return b""
    j = p.find(b'"', i + len(key))
    k = p.find(b'"', j + 1)
    return p[j + 1 : k]


def marker(run: str) -> bytes:
    return f"bench|{run}|".encode()


def title(run: str, sender: int, app: int, n: int, t_ns: int) -> str:
    """The idea title a sender writes: ``app`` is the sender's app process (0 or 1)."""
    return f"bench|{run}|{t_ns}|{app}|{sender}|{n}|"


def parse_marker(p: bytes, at: int, mark_len: int) -> tuple[int, int]:
    """(t_ns, sender's app) from the marker starting at ``at``."""
    i = at + mark_len
    j = p.find(b"|", i)
    return int(p[i:j]), p[j + 1] - 48


def verify(p: bytes, mark: bytes) -> bool:
    """True when the fast path reads ``p`` exactly as a JSON decoder does."""
    try:
        doc = json.loads(p)
    except ValueError:
        return False
    if not isinstance(doc, dict):
        return False
    if doc.get("type", "").encode() != frame_type(p):
        return False
    seq = doc.get("seq")
    if (seq if isinstance(seq, int) else -1) != frame_seq(p):
        return False
    at = p.find(mark)
    return at < 0 or str(doc).find(mark.decode()) >= 0
