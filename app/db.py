"""Engine factory and the unit of work: commit, then hand back the events to publish.

Services append events with ``app.realtime.log.append(session, room, event)``; the envelopes are
kept on ``session.info`` and handed out by :class:`UnitOfWork` only after a successful commit, so
an event of a rolled-back transaction is never published (Zulip's ``send_event_on_commit``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

PENDING_EVENTS = "pending_events"
P = ParamSpec("P")
T = TypeVar("T")


def make_engine(url: str, *, immediate: bool = False) -> sa.Engine:
    """An engine for ``url``. On SQLite: WAL, foreign keys, a busy timeout and, for the writing
    engine, ``BEGIN IMMEDIATE`` so writers queue instead of failing on lock upgrade."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @sa_event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            cur = dbapi_connection.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            if ":memory:" not in url and url not in ("sqlite://", "sqlite:///"):
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @sa_event.listens_for(engine, "begin")
        def _on_begin(conn: sa.Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return sa.create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


class Database:
    """The app's database: a writing engine and a reading one (the same engine on PostgreSQL)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url, immediate=url.startswith("sqlite"))
        self.read_engine = make_engine(url) if url.startswith("sqlite") else self.engine
        self._writer = sessionmaker(self.engine, class_=Session, expire_on_commit=False)
        self._reader = sessionmaker(self.read_engine, class_=Session, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def unit_of_work(self) -> Iterator[UnitOfWork]:
        """One transaction: commit on success (then ``uow.events`` holds what to publish)."""
        with self._writer() as session:
            uow = UnitOfWork(session)
            try:
                yield uow
                session.commit()
            except BaseException:
                session.rollback()
                session.info.pop(PENDING_EVENTS, None)
                raise
            uow.events = session.info.pop(PENDING_EVENTS, [])

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading (page renders, snapshots, replay); never commits."""
        with self._reader() as session:
            yield session

    def run(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> tuple[T, list[Any]]:
        """Run ``fn(session, *args, **kwargs)`` as one unit of work; return (result, events)."""
        with self.unit_of_work() as uow:
            result = fn(uow.session, *args, **kwargs)
        return result, uow.events

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()


class UnitOfWork:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.events: list[Any] = []


def pending_events(session: Session) -> list[Any]:
    """The list on the session where ``log.append`` queues envelopes until commit."""
    return session.info.setdefault(PENDING_EVENTS, [])
