"""The bench's own PostgreSQL database and rows: an organisation, a project with one active phase,
N participants of that phase, and a fresh meeting (so a fresh room) per scenario.

Meeting ids start at 9,000,001 in the bench database: Redis pub/sub channels are global to the
Redis server (not per database number), and test runs on the same machine use small meeting ids.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

MEETING_ID_START = 9_000_001


def admin_url(base: str) -> str:
    """``base`` pointed at the ``postgres`` maintenance database."""
    head, _, _ = base.rpartition("/")
    return f"{head}/postgres"


def recreate_database(base_url: str, name: str) -> str:
    """Drop and create database ``name`` next to ``base_url``'s; return its URL."""
    engine = sa.create_engine(_driver(admin_url(base_url)), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    head, _, _ = base_url.rpartition("/")
    return f"{head}/{name}"


def _driver(url: str) -> str:
    return "postgresql+psycopg://" + url.removeprefix("postgresql://") if url.startswith("postgresql://") else url


def drop_database(base_url: str, name: str) -> None:
    engine = sa.create_engine(_driver(admin_url(base_url)), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    engine.dispose()


class Seed:
    """The rows every scenario shares."""

    def __init__(self, url: str, n_users: int) -> None:
        import app.models  # noqa: F401 - registers every table
        from app.models import Organisation, Phase, PhaseMembership, Project, ProjectMember, User

        self.engine = sa.create_engine(_driver(url))
        SQLModel.metadata.create_all(self.engine)
        with self.engine.begin() as conn:
            conn.exec_driver_sql(f"ALTER SEQUENCE meeting_id_seq RESTART WITH {MEETING_ID_START}")
        with Session(self.engine) as s:
            org = Organisation(name="Bench Kommune", slug="bench")
            s.add(org)
            s.flush()
            project = Project(org_id=org.id, title="Bench project")
            s.add(project)
            s.flush()
            phase = Phase(project_id=project.id, title="Bench phase", status="active")
            s.add(phase)
            s.flush()
            users = [User(display_name=f"Bench {i}", email=f"bench{i}@example.dk") for i in range(n_users)]
            s.add_all(users)
            s.flush()
            s.add_all([ProjectMember(project_id=project.id, user_id=u.id) for u in users])
            s.add_all([PhaseMembership(phase_id=phase.id, user_id=u.id, role="participant") for u in users])
            s.commit()
            self.project_id: int = project.id  # type: ignore[assignment]
            self.phase_id: int = phase.id  # type: ignore[assignment]
            self.user_ids: list[int] = [u.id for u in users]  # type: ignore[misc]

    def new_room(self, title: str) -> str:
        """A new meeting in the active phase; its room name."""
        from app.models import Meeting

        with Session(self.engine) as s:
            m = Meeting(project_id=self.project_id, phase_id=self.phase_id, kind="workshop", title=title,
                        starts_at=datetime.now(UTC) + timedelta(minutes=5))
            s.add(m)
            s.commit()
            return f"meeting:{m.id}"

    def counts(self, room: str) -> dict[str, int]:
        """Rows the scenario left: events in the room's log and ideas of its meeting."""
        meeting_id = int(room.split(":")[1])
        with self.engine.connect() as conn:
            events = conn.execute(sa.text("SELECT count(*) FROM event_log WHERE room = :r"), {"r": room}).scalar()
            ideas = conn.execute(sa.text("SELECT count(*) FROM idea WHERE meeting_id = :m"),
                                 {"m": meeting_id}).scalar()
        return {"events": int(events or 0), "ideas": int(ideas or 0)}

    def dispose(self) -> None:
        self.engine.dispose()
