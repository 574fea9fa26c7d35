"""Fixtures for the integration tests. Real-time: sites of real uvicorn processes (see
``realtime_support``), each with its own database (a PostgreSQL schema or a SQLite file)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import SQLModel

import app.models  # noqa: F401 - registers every table
from app.db import make_engine
from tests.conftest import pg_schema_url, require_postgres, require_redis
from tests.integration.realtime_support import AppProcess, World, app_env, seed_world, start_apps, stop_apps


@dataclass
class Site:
    """App processes sharing one database (and Redis, when given)."""

    apps: list[AppProcess]
    database_url: str
    redis_url: str | None
    env: dict[str, str]
    world: World

    @property
    def prefix(self) -> str:
        return self.env["REDIS_PREFIX"]


@pytest.fixture(scope="module")
def sqlite_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One app process on a SQLite file with the in-process broker (no services needed)."""
    path = tmp_path_factory.mktemp("sqlite_site")
    url = f"sqlite:///{path / 'site.db'}"
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    env = app_env(url, command_rate=20)
    apps = start_apps(["solo"], env, path)
    try:
        yield Site(apps, url, None, env, seed_world(url))
    finally:
        stop_apps(apps)


@pytest.fixture(scope="module")
def pg_schema() -> Iterator[str]:
    """A fresh PostgreSQL schema with every table, for the module; its URL."""
    base = require_postgres()
    schema = f"rt_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = pg_schema_url(base, schema)
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


def start_site(url: str, redis_url: str, log_dir: Path, **settings: object) -> Site:
    env = app_env(url, redis_url=redis_url, **settings)
    apps = start_apps(["a", "b"], env, log_dir)
    return Site(apps, url, redis_url, env, seed_world(url))


@pytest.fixture(scope="module")
def cluster(pg_schema: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Two app processes sharing PostgreSQL and the shared Redis (their own key prefix)."""
    redis_url = require_redis()
    site = start_site(pg_schema, redis_url, tmp_path_factory.mktemp("cluster"), command_rate=1000,
                      ws_send_queue=40)
    try:
        yield site
    finally:
        stop_apps(site.apps)
