"""The event log: per-room gapless sequence numbers in commit order, replay, retention.

``append`` runs inside the service's transaction. One statement creates the room's counter row if
it is missing and increments it (``INSERT .. ON CONFLICT DO UPDATE SET last_seq = last_seq + 1 ..
RETURNING``): the row lock it takes serialises the writers of one room until they commit, so seqs
are gapless and in commit order on PostgreSQL and SQLite alike, and a rolled-back transaction gives
its seq back. The envelope is queued on the session and published only after commit (``app.db``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from app.db import pending_events
from app.models import CommandReceipt, EventRecord, RoomCounter
from app.realtime.envelope import Envelope
from app.realtime.events import Event, check_registered

REPLAY_BATCH = 500


def _ensure_counter(session: Session, room: str) -> None:
    dialect = session.get_bind().dialect.name
    values = {"room": room, "last_seq": 0, "live": False}
    if dialect == "postgresql":
        stmt = postgresql.insert(RoomCounter).values(**values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        stmt = sqlite.insert(RoomCounter).values(**values).on_conflict_do_nothing()
    else:  # pragma: no cover - only the two engines are supported
        raise RuntimeError(f"no insert-if-missing for {dialect}")
    session.execute(stmt)


_NEXT_SEQ: dict[str, sa.Executable] = {}  # per dialect: the statement is the same for every room


def _next_seq(session: Session, room: str) -> sa.Executable:
    """``INSERT .. ON CONFLICT (room) DO UPDATE SET last_seq = last_seq + 1 RETURNING last_seq``: the
    insert-if-missing and the atomic increment in one round trip (same row lock, same guarantees).
    The room is bound at execution (``{"room": room}``)."""
    dialect = session.get_bind().dialect.name
    stmt = _NEXT_SEQ.get(dialect)
    if stmt is None:
        table = RoomCounter.__table__  # type: ignore[attr-defined]
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = _NEXT_SEQ[dialect] = (
            insert(table).values(room=sa.bindparam("room"), last_seq=1, live=False)
            .on_conflict_do_update(index_elements=[table.c.room], set_={"last_seq": table.c.last_seq + 1})
            .returning(table.c.last_seq))
    return stmt


def append(session: Session, room: str, event: Event, *, actor_id: int | None = None) -> int:
    """Store ``event`` as the room's next seq (in the caller's transaction) and queue it for
    publishing after commit; returns the seq."""
    kind = check_registered(event)
    if not kind.persisted:
        raise TypeError(f"{kind.type} is ephemeral: publish it with log.ephemeral(), do not append it")
    seq = session.execute(_next_seq(session, room), {"room": room}).scalar_one()
    record = EventRecord(room=room, seq=seq, type=kind.type, actor_id=actor_id, data=event.payload())
    session.add(record)
    pending_events(session).append(
        Envelope.build(room, event, seq=seq, at=record.created_at, actor_id=actor_id))
    return seq


def ephemeral(room: str, event: Event, *, actor_id: int | None = None) -> Envelope:
    """The envelope of an ephemeral event (publish it with ``Realtime.publish``)."""
    return Envelope.build(room, event, seq=None, actor_id=actor_id)


def last_seq(session: Session, room: str) -> int:
    counter = session.get(RoomCounter, room)
    return counter.last_seq if counter else 0


def last_seqs(session: Session, rooms: Iterable[str]) -> dict[str, int]:
    """The last seq of each room (0 for a room without events), in one query."""
    names = list(rooms)
    found = dict(session.exec(select(RoomCounter.room, RoomCounter.last_seq)
                              .where(RoomCounter.room.in_(names))).all())  # type: ignore[attr-defined]
    return {name: found.get(name, 0) for name in names}


def since(session: Session, room: str, seq: int, *, limit: int = REPLAY_BATCH) -> list[Envelope] | None:
    """The room's events after ``seq`` (at most ``limit``), in order; ``None`` when the log cannot
    answer — ``seq`` is older than the log keeps, or newer than the room's last seq (resync)."""
    rows = session.exec(
        select(EventRecord).where(EventRecord.room == room, EventRecord.seq > seq)
        .order_by(EventRecord.seq).limit(limit)  # type: ignore[arg-type]
    ).all()
    if rows and rows[0].seq == seq + 1:
        return [Envelope.from_data(r.room, r.type, r.seq, r.data, r.created_at, actor_id=r.actor_id)
                for r in rows]
    if rows or seq < 0:
        return None  # events after seq exist but seq + 1 was pruned
    return [] if seq == last_seq(session, room) else None


def set_live(session: Session, room: str, live: bool) -> None:
    """Mark a room live (a meeting running): retention never prunes a live room."""
    _ensure_counter(session, room)
    session.execute(sa.update(RoomCounter).where(RoomCounter.room == room)  # type: ignore[arg-type]
                    .values(live=live))


def prune(session: Session, *, keep: int, receipt_days: int, now: datetime | None = None) -> int:
    """Delete all but the last ``keep`` events of every room that is not live, and command receipts
    older than ``receipt_days``; returns the number of events deleted."""
    counters = select(RoomCounter.room).where(
        RoomCounter.room == EventRecord.room, RoomCounter.live.is_(False),  # type: ignore[attr-defined]
        EventRecord.seq <= RoomCounter.last_seq - keep)
    deleted = session.execute(sa.delete(EventRecord).where(counters.exists())).rowcount  # type: ignore[attr-defined]
    cutoff = (now or datetime.now(UTC)) - timedelta(days=receipt_days)
    session.execute(sa.delete(CommandReceipt).where(CommandReceipt.created_at < cutoff))  # type: ignore[arg-type]
    return int(deleted or 0)
