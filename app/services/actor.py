"""Who is acting: a user with their roles, loaded once per request or socket."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlmodel import Session, select

from app.models import OrgMembership, Phase, PhaseMembership, ProjectMember, User


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    display_name: str = ""
    is_guest: bool = False
    email: str | None = None
    org_roles: Mapping[int, str] = field(default_factory=dict)
    projects: frozenset[int] = frozenset()
    # phase id -> (project id, role)
    phase_roles: Mapping[int, tuple[int, str]] = field(default_factory=dict)

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None

    @property
    def key(self) -> str:
        """Stable key for receipts and rate limits."""
        return f"u:{self.user_id}" if self.user_id is not None else "anon"

    def phase_role(self, phase_id: int | None) -> str | None:
        if phase_id is None:
            return None
        entry = self.phase_roles.get(phase_id)
        return entry[1] if entry else None

    def in_project(self, project_id: int) -> bool:
        return project_id in self.projects or any(
            p == project_id for p, _ in self.phase_roles.values()
        )


ANONYMOUS = Actor(user_id=None)


def load_actor(session: Session, user_id: int | None) -> Actor:
    """The actor for ``user_id`` with all their roles; ANONYMOUS when unknown or erased."""
    if user_id is None:
        return ANONYMOUS
    user = session.get(User, user_id)
    if user is None or user.erased_at is not None:
        return ANONYMOUS
    org_roles = {
        m.org_id: m.role
        for m in session.exec(select(OrgMembership).where(OrgMembership.user_id == user_id))
    }
    projects = frozenset(
        session.exec(select(ProjectMember.project_id).where(ProjectMember.user_id == user_id))
    )
    rows = session.exec(
        select(PhaseMembership.phase_id, Phase.project_id, PhaseMembership.role)
        .join(Phase, Phase.id == PhaseMembership.phase_id)
        .where(PhaseMembership.user_id == user_id)
    )
    phase_roles = {phase_id: (project_id, role) for phase_id, project_id, role in rows}
    return Actor(
        user_id=user.id,
        display_name=user.display_name,
        is_guest=user.is_guest,
        email=user.email,
        org_roles=org_roles,
        projects=projects,
        phase_roles=phase_roles,
    )
