"""Redis itself goes away mid-stream and comes back: /healthz says so meanwhile, and every client on
both processes still ends with every event, in order. Uses a private redis-server on a free port
(the shared Redis is never stopped)."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis as sync_redis

from tests.integration.conftest import Site, start_site
from tests.integration.realtime_support import Peer, free_port, new_room, stop_apps

pytestmark = [pytest.mark.integration, pytest.mark.postgres]


class RedisServer:
    def __init__(self, directory: Path) -> None:
        self.port, self.directory = free_port(), directory
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                sync_redis.Redis(port=self.port, socket_connect_timeout=0.2).ping()
                return
            except sync_redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(5)


@pytest.fixture(scope="module")
def private_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.kill()


@pytest.fixture(scope="module")
def site(pg_schema: str, private_redis: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    site = start_site(pg_schema, private_redis.url, tmp_path_factory.mktemp("restart"), command_rate=1000)
    yield site
    stop_apps(site.apps)


def wait_for_health(site: Site, status: int, timeout: float = 20.0) -> list[dict[str, object]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        results = [app.health() for app in site.apps]
        if all(code == status for code, _ in results):
            return [body for _, body in results]
        time.sleep(0.1)
    raise AssertionError(f"health never became {status}: {results}")


async def test_redis_restarted_mid_stream_every_client_still_gets_every_event(
        site: Site, private_redis: RedisServer) -> None:
    a, b = site.apps
    w = site.world
    room = new_room(site.database_url, w)
    readers = [await Peer.open(a, room, w.bob), await Peer.open(b, room, w.facilitator)]
    for reader in readers:
        await reader.control("hello")
    writer = await Peer.open(b, room, w.alice)
    for n in range(45):
        ack = await writer.command("idea.submit", {"title": f"Through it all {n}"})
        assert ack["type"] == "ack" and ack["seq"] == n + 1
        if n == 15:
            private_redis.kill()
            down = wait_for_health(site, 503)
            assert all(body["broker"]["ok"] is False for body in down)  # type: ignore[index]
        if n == 30:
            private_redis.start()
            up = wait_for_health(site, 200)
            assert all(body["broker"]["reconnects"] >= 1 for body in up)  # type: ignore[index]
    for reader in readers:
        assert await reader.until_seq(45) == list(range(1, 46))
    for peer in [*readers, writer]:
        await peer.close()
