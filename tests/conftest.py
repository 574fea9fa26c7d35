"""Shared fixtures: a fresh database per test on SQLite and (when TEST_DATABASE_URL is set) on
PostgreSQL, a rolled-back session for service tests, and plain factory functions in factories.py.

Integration services: where REDIS_URL / TEST_DATABASE_URL are set they are mandatory (a failure to
reach them fails the test); where unset, the tests that need them skip with a reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel

import app.models  # noqa: F401 - registers every table
from app.db import Database, make_engine

PG_URL = os.environ.get("TEST_DATABASE_URL") or None
REDIS_URL = os.environ.get("REDIS_URL") or None


def pg_schema_url(base_url: str, schema: str) -> str:
    """``base_url`` with every connection's search_path set to ``schema``."""
    sep = "&" if "?" in base_url else "?"
    return f"{base_url}{sep}options={quote(f'-csearch_path={schema}')}"


def _create_pg_schema(schema: str) -> str:
    assert PG_URL is not None
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    admin.dispose()
    return pg_schema_url(PG_URL, schema)


def _drop_pg_schema(schema: str) -> None:
    assert PG_URL is not None
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    admin.dispose()


def require_postgres() -> str:
    if PG_URL is None:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL tests skipped (CI sets it)")
    return PG_URL


def require_redis() -> str:
    if REDIS_URL is None:
        pytest.skip("REDIS_URL is not set: Redis tests skipped (CI sets it)")
    return REDIS_URL


@pytest.fixture
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a fresh, empty database (no tables). Parametrise indirectly with 'sqlite'/'postgresql'."""
    kind = getattr(request, "param", "sqlite")
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    url = _create_pg_schema(schema)
    try:
        yield url
    finally:
        _drop_pg_schema(schema)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a fresh database with every table, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
        engine = make_engine(url)
        SQLModel.metadata.create_all(engine)
        engine.dispose()
        yield url
        return
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    url = _create_pg_schema(schema)
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    try:
        yield url
    finally:
        _drop_pg_schema(schema)


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    yield db
    db.dispose()


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    """A session inside an outer transaction that is rolled back after the test."""
    with database.engine.connect() as connection:
        outer = connection.begin()
        s = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
        try:
            yield s
        finally:
            s.close()
            if outer.is_active:
                outer.rollback()


def count(session: Session, model: type) -> int:
    return session.exec(sa.select(sa.func.count()).select_from(model)).one()[0]  # type: ignore[call-overload]
