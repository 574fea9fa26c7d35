"""The event log on SQLite and PostgreSQL: gapless per-room seqs in commit order, replay, retention."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from app.db import Database, pending_events
from app.models import CommandReceipt, EventRecord
from app.realtime import log
from app.realtime.events import IdeaCreated, PresenceChanged


def idea_event(n: int, title: str | None = None) -> IdeaCreated:
    return IdeaCreated(id=n, project_id=1, phase_id=1, meeting_id=None, agenda_item_id=None, author_id=None,
                       author_name="Test", title=title or f"Idea {n}", body="", status="new", group_heading="",
                       created_at=datetime.now(UTC),
                       decision_note="", decided_at=None, merged_into_id=None, hidden=False, hidden_reason="")


def append_many(session: Session, room: str, count: int) -> list[int]:
    return [log.append(session, room, idea_event(n)) for n in range(count)]


def test_append_gives_each_room_its_own_gapless_seqs(database: Database) -> None:
    with database.unit_of_work() as uow:
        assert append_many(uow.session, "meeting:1", 3) == [1, 2, 3]
        assert append_many(uow.session, "meeting:2", 2) == [1, 2]
    assert [(e.room, e.seq) for e in uow.events] == [("meeting:1", 1), ("meeting:1", 2), ("meeting:1", 3),
                                                      ("meeting:2", 1), ("meeting:2", 2)]
    with database.unit_of_work() as uow:
        assert log.append(uow.session, "meeting:1", idea_event(4)) == 4


def test_a_rolled_back_append_publishes_nothing_and_gives_its_seq_back(database: Database) -> None:
    with pytest.raises(RuntimeError), database.unit_of_work() as uow:
        log.append(uow.session, "meeting:1", idea_event(1))
        assert len(pending_events(uow.session)) == 1
        raise RuntimeError("the service failed after appending")
    assert uow.events == []
    with database.unit_of_work() as uow:
        assert log.append(uow.session, "meeting:1", idea_event(2)) == 1
    with database.read() as s:
        assert s.execute(sa.select(sa.func.count()).select_from(EventRecord)).scalar_one() == 1


def test_only_persisted_registered_events_can_be_appended(database: Database) -> None:
    with pytest.raises(TypeError), database.unit_of_work() as uow:
        log.append(uow.session, "meeting:1", PresenceChanged(count=0, people=[]))


def test_since_replays_in_order_and_says_when_it_cannot(database: Database) -> None:
    with database.unit_of_work() as uow:
        append_many(uow.session, "meeting:1", 5)
    with database.read() as s:
        replay = log.since(s, "meeting:1", 2)
        assert replay is not None and [e.seq for e in replay] == [3, 4, 5]
        assert replay[0].frame.startswith('{"type":"idea.created","room":"meeting:1","seq":3,"at":')
        assert log.since(s, "meeting:1", 5) == []
        assert log.since(s, "meeting:1", 9) is None  # newer than the room: resync
        assert log.since(s, "meeting:7", 0) == []  # a room without events
        assert [e.seq for e in log.since(s, "meeting:1", 0, limit=2) or []] == [1, 2]


def test_replayed_frames_equal_the_published_ones(database: Database) -> None:
    with database.unit_of_work() as uow:
        append_many(uow.session, "meeting:1", 2)
    with database.read() as s:
        assert [e.frame for e in log.since(s, "meeting:1", 0) or []] == [e.frame for e in uow.events]


def test_prune_keeps_the_last_events_and_never_touches_a_live_room(database: Database) -> None:
    with database.unit_of_work() as uow:
        append_many(uow.session, "meeting:1", 10)
        append_many(uow.session, "meeting:2", 10)
        log.set_live(uow.session, "meeting:2", True)
    with database.unit_of_work() as uow:
        assert log.prune(uow.session, keep=3, receipt_days=7) == 7
    with database.read() as s:
        assert log.since(s, "meeting:1", 0) is None  # pruned: a client that old resyncs
        assert [e.seq for e in log.since(s, "meeting:1", 7) or []] == [8, 9, 10]
        assert len(log.since(s, "meeting:2", 0) or []) == 10
        assert log.last_seqs(s, ["meeting:1", "meeting:2", "meeting:3"]) == {
            "meeting:1": 10, "meeting:2": 10, "meeting:3": 0}


def test_prune_drops_command_receipts_older_than_the_limit(database: Database) -> None:
    now = datetime.now(UTC)
    with database.unit_of_work() as uow:
        uow.session.add(CommandReceipt(actor_key="u:1", client_id="old", response={},
                                       created_at=now - timedelta(days=8)))
        uow.session.add(CommandReceipt(actor_key="u:1", client_id="new", response={}, created_at=now))
    with database.unit_of_work() as uow:
        log.prune(uow.session, keep=100, receipt_days=7, now=now)
    with database.read() as s:
        assert s.get(CommandReceipt, ("u:1", "old")) is None
        assert s.get(CommandReceipt, ("u:1", "new")) is not None


def test_concurrent_writers_of_one_room_get_gapless_seqs_in_commit_order(database: Database) -> None:
    committed: list[list[int]] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for _ in range(10):
                with database.unit_of_work() as uow:
                    seqs = append_many(uow.session, "meeting:1", 2)
                with lock:
                    committed.append(seqs)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(s for pair in committed for s in pair) == list(range(1, 81))
    assert all(pair[1] == pair[0] + 1 for pair in committed)  # a transaction's events are adjacent
    with database.read() as s:
        rows = s.execute(sa.select(EventRecord.seq, EventRecord.id).where(EventRecord.room == "meeting:1")
                         .order_by(EventRecord.seq)).all()
    assert [r.seq for r in rows] == list(range(1, 81))
