"""Plain factory functions: each adds rows to the given session and flushes (never commits)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from app.models import (
    AgendaItem,
    Meeting,
    Organisation,
    OrgMembership,
    Phase,
    PhaseMembership,
    Project,
    ProjectMember,
    User,
)

_n = itertools.count(1)


def _add(session: Session, obj):  # type: ignore[no-untyped-def]
    session.add(obj)
    session.flush()
    return obj


def make_user(session: Session, name: str | None = None, *, email: str | None = None,
              guest: bool = False) -> User:
    n = next(_n)
    return _add(session, User(display_name=name or f"Person {n}",
                              email=email if email or guest else f"person{n}@example.dk",
                              is_guest=guest))


def make_org(session: Session, name: str = "Københavns Kommune", *, admin: User | None = None) -> Organisation:
    org = _add(session, Organisation(name=name, slug=f"org-{next(_n)}"))
    if admin is not None:
        _add(session, OrgMembership(org_id=org.id, user_id=admin.id, role="admin"))
    return org


def add_staff(session: Session, org: Organisation, user: User, role: str = "staff") -> OrgMembership:
    return _add(session, OrgMembership(org_id=org.id, user_id=user.id, role=role))


def make_project(session: Session, org: Organisation, title: str = "Et grønnere Nørrebro") -> Project:
    return _add(session, Project(org_id=org.id, title=title))


def make_phase(session: Session, project: Project, title: str = "Idéfase", *, position: int = 0,
               status: str = "active") -> Phase:
    return _add(session, Phase(project_id=project.id, title=title, position=position, status=status))


def join_phase(session: Session, phase: Phase, user: User, role: str = "participant") -> PhaseMembership:
    if session.get(Project, phase.project_id) is not None:
        follow(session, phase.project_id, user)
    return _add(session, PhaseMembership(phase_id=phase.id, user_id=user.id, role=role))


def follow(session: Session, project_id: int, user: User) -> ProjectMember | None:
    existing = session.exec(select(ProjectMember).where(
        ProjectMember.project_id == project_id, ProjectMember.user_id == user.id)).first()
    return existing or _add(session, ProjectMember(project_id=project_id, user_id=user.id))


def make_meeting(session: Session, phase: Phase, title: str = "Workshop 1", *, kind: str = "workshop",
                 starts_in: timedelta = timedelta(days=7)) -> Meeting:
    return _add(session, Meeting(project_id=phase.project_id, phase_id=phase.id, kind=kind, title=title,
                                 starts_at=datetime.now(UTC) + starts_in, place="Nørrebro Bibliotek"))


def make_agenda_item(session: Session, meeting: Meeting, title: str = "Velkomst", *, position: int = 0,
                     minutes: int | None = 10) -> AgendaItem:
    return _add(session, AgendaItem(meeting_id=meeting.id, title=title, position=position,
                                    planned_minutes=minutes))
