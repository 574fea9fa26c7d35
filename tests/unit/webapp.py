"""Helpers for app-level tests: build the app on a test database, read CSRF tokens, seed rows,
and snapshot every table's row count (to prove that a refused request changed nothing)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, SQLModel
from starlette.applications import Starlette
from starlette.testclient import TestClient

from app.db import Database
from app.main import create_app
from app.services.passwords import hash_password
from app.settings import Settings
from tests.factories import make_user

T = TypeVar("T")
PASSWORD = "demo1234"
_HASH: dict[str, str] = {}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_app(database_url: str, **overrides: Any) -> Starlette:
    settings = Settings.from_env(env={}, database_url=database_url, mail_backend="memory", secret_key="test",
                                 environment="test", **overrides)
    return create_app(settings)


@contextmanager
def client_for(database_url: str, **kwargs: Any) -> Iterator[TestClient]:
    with TestClient(make_app(database_url), **kwargs) as client:
        yield client


def csrf_token(client: TestClient, path: str = "/login") -> str:
    """The session's CSRF token, read from a form on ``path``."""
    response = client.get(path)
    found = _CSRF.search(response.text)
    assert found, f"no csrf_token field on {path}"
    return found.group(1)


def seed(database_url: str, fn: Callable[[Session], T]) -> T:
    """Run ``fn(session)`` in one committed transaction (factories flush; this commits)."""
    db = Database(database_url)
    try:
        result, _ = db.run(fn)
        return result
    finally:
        db.dispose()


def staff_user(session: Session, name: str = "Mette", email: str = "mette@godialog.dk") -> Any:
    """A user with the test password (hashed once per run, Argon2 is slow on purpose)."""
    user = make_user(session, name, email=email)
    if "hash" not in _HASH:
        _HASH["hash"] = hash_password(PASSWORD)
    user.password_hash = _HASH["hash"]
    session.add(user)
    session.flush()
    return user


def table_counts(database_url: str) -> dict[str, int]:
    db = Database(database_url)
    try:
        with db.engine.connect() as conn:
            return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                    for t in SQLModel.metadata.sorted_tables}
    finally:
        db.dispose()


def fetch(database_url: str, fn: Callable[[Session], T]) -> T:
    db = Database(database_url)
    try:
        with db.read() as session:
            return fn(session)
    finally:
        db.dispose()


def log_in(client: TestClient, email: str = "mette@godialog.dk", password: str = PASSWORD) -> None:
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"csrf_token": token, "email": email, "password": password},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
