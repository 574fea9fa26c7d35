"""Helpers for the real-time integration tests: real uvicorn processes on free ports (served with the
Procfile's flags), signed session cookies, seeded rooms, and a small websocket test client."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from base64 import b64encode
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from itsdangerous import TimestampSigner
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from app.db import Database
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
SECRET = "realtime-tests-secret-key-0123456789"


def serving_flags() -> list[str]:
    """The uvicorn flags of the Procfile's web line (host and port left out)."""
    line = next(x for x in (ROOT / "Procfile").read_text().splitlines() if x.startswith("web:"))
    words = shlex.split(line.removeprefix("web:"))
    flags, skip = [], False
    for word in words[words.index("app.main:create_app") + 1:]:
        if skip:
            skip = False
        elif word in ("--host", "--port"):
            skip = True
        else:
            flags.append(word)
    return flags


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def session_cookie(user_id: int, secret: str = SECRET) -> str:
    """The ``godialog_session`` cookie Starlette's SessionMiddleware makes for ``{"uid": user_id}``."""
    data = b64encode(json.dumps({"uid": user_id}).encode())
    return "godialog_session=" + TimestampSigner(secret).sign(data).decode()


class AppProcess:
    """``uvicorn --factory app.main:create_app`` in a child process."""

    def __init__(self, name: str, env: dict[str, str], log_dir: Path) -> None:
        self.name, self.env, self.port = name, env, free_port()
        self.log_path = log_dir / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**os.environ, **self.env, "BASE_URL": self.base}
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "--factory", "app.main:create_app", "--host", "127.0.0.1",
                 "--port", str(self.port), *serving_flags()], cwd=ROOT, env=env, stdout=log,
                stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log_tail()}")
            if self.health()[0] in (200, 503):
                return
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start:\n{self.log_tail()}")

    def health(self) -> tuple[int, dict[str, Any]]:
        try:
            with urllib.request.urlopen(self.base + "/healthz", timeout=2) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"{}")
        except OSError:
            return 0, {}

    def ws(self, room: str, *, since: int | None = None, token: str | None = None, ticket: str | None = None) -> str:
        query = "&".join(f"{k}={v}" for k, v in (("since", since), ("token", token), ("ticket", ticket))
                         if v is not None)
        return f"ws://127.0.0.1:{self.port}/ws/{room}" + (f"?{query}" if query else "")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def start_apps(names: list[str], env: dict[str, str], log_dir: Path) -> list[AppProcess]:
    apps = [AppProcess(name, env, log_dir) for name in names]
    for app in apps:
        app.start()
    try:
        for app in apps:
            app.wait_ready()
    except BaseException:
        stop_apps(apps)
        raise
    return apps


def stop_apps(apps: list[AppProcess]) -> None:
    for app in apps:
        app.stop()


def app_env(database_url: str, *, redis_url: str | None = None, **settings: object) -> dict[str, str]:
    env = {"DATABASE_URL": database_url, "SECRET_KEY": SECRET, "ENVIRONMENT": "test",
           "REDIS_PREFIX": f"rt-test-{uuid.uuid4().hex[:8]}", "REDIS_URL": redis_url or "",
           "HUB_CHECK_SECONDS": "0.5", "WS_HEARTBEAT_SECONDS": "2", "PRESENCE_REFRESH_SECONDS": "2",
           "PRESENCE_TTL_SECONDS": "6"}
    env.update({k.upper(): str(v) for k, v in settings.items()})
    return env


# --- data -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    """An organisation with a project whose active phase has a facilitator, two participants, a
    follower (reads, may not propose) and a stranger (may not read)."""

    project_id: int
    phase_id: int
    facilitator: int
    alice: int
    bob: int
    follower: int
    stranger: int


def seed_world(url: str) -> World:
    db = Database(url)
    try:
        with db.unit_of_work() as uow:
            s = uow.session
            org = factories.make_org(s)
            project = factories.make_project(s, org)
            phase = factories.make_phase(s, project)
            people = {name: factories.make_user(s, name.title()) for name in
                      ("facilitator", "alice", "bob", "follower", "stranger")}
            factories.join_phase(s, phase, people["facilitator"], "facilitator")
            factories.join_phase(s, phase, people["alice"])
            factories.join_phase(s, phase, people["bob"])
            factories.follow(s, project.id, people["follower"])
            return World(project.id, phase.id, **{k: v.id for k, v in people.items()})  # type: ignore[arg-type]
    finally:
        db.dispose()


def new_room(url: str, world: World) -> str:
    """A fresh meeting in the world's active phase; its room name."""
    db = Database(url)
    try:
        with db.unit_of_work() as uow:
            from app.models import Phase

            meeting = factories.make_meeting(uow.session, uow.session.get(Phase, world.phase_id))
            return f"meeting:{meeting.id}"
    finally:
        db.dispose()


# --- a websocket test client ------------------------------------------------------------------------


class Peer:
    """A socket that reads everything in the background: ``events`` (frames with a seq, in arrival
    order), ``controls`` (the rest); ``close_code`` once the server closed it."""

    def __init__(self, conn: ClientConnection) -> None:
        self.conn = conn
        self.events: list[dict[str, Any]] = []
        self.controls: list[dict[str, Any]] = []
        self.close_code: int | None = None
        self.close_reason = ""
        self._changed = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, app: AppProcess, room: str, user: int | None = None, *, since: int | None = None,
                   origin: str | None = None, token: str | None = None, ticket: str | None = None,
                   headers: dict[str, str] | None = None, **kwargs: Any) -> Peer:
        headers = dict(headers or {})
        if user is not None:
            headers["Cookie"] = session_cookie(user)
        conn = await connect(app.ws(room, since=since, token=token, ticket=ticket), additional_headers=headers,
                             origin=origin, proxy=None, compression=None, **kwargs)  # type: ignore[arg-type]
        return cls(conn)

    async def _read(self) -> None:
        try:
            async for raw in self.conn:
                frame = json.loads(raw)
                (self.events if "seq" in frame and frame["type"] not in ("hello", "heartbeat", "resync", "ack")
                 else self.controls).append(frame)
                self._changed.set()
        except ConnectionClosed:
            pass
        finally:
            rcvd = self.conn.close_code, self.conn.close_reason
            self.close_code, self.close_reason = rcvd[0] or 1006, rcvd[1] or ""
            self._changed.set()

    async def wait(self, predicate: Any, timeout: float = 15.0) -> Any:
        """Wait until ``predicate()`` is truthy (re-checked on every frame); return its value."""
        async with asyncio.timeout(timeout):
            while True:
                value = predicate()
                if value:
                    return value
                if self.close_code is not None:
                    raise AssertionError(f"closed {self.close_code} {self.close_reason} before the condition")
                self._changed.clear()
                await self._changed.wait()

    async def control(self, type: str, timeout: float = 15.0, **match: Any) -> dict[str, Any]:
        def find() -> dict[str, Any] | None:
            return next((f for f in self.controls if f["type"] == type
                         and all(f.get(k) == v for k, v in match.items())), None)
        return await self.wait(find, timeout)

    async def until_seq(self, seq: int, timeout: float = 15.0) -> list[int]:
        await self.wait(lambda: self.seqs and self.seqs[-1] >= seq, timeout)
        return self.seqs

    @property
    def seqs(self) -> list[int]:
        return [e["seq"] for e in self.events]

    async def send(self, message: Any) -> None:
        await self.conn.send(message if isinstance(message, (str, bytes)) else json.dumps(message))

    async def command(self, type: str, data: dict[str, Any], id: str | None = None,
                      timeout: float = 15.0) -> dict[str, Any]:
        id = id or uuid.uuid4().hex
        await self.send({"type": type, "id": id, "data": data})
        return await self.wait(lambda: next((f for f in self.controls if f.get("id") == id
                                             and f["type"] in ("ack", "error")), None), timeout)

    async def closed(self, timeout: float = 15.0) -> tuple[int, str]:
        async with asyncio.timeout(timeout):
            await asyncio.shield(self._reader)
        return self.close_code or 1006, self.close_reason

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.conn.close()
        with contextlib.suppress(BaseException):
            await self._reader
