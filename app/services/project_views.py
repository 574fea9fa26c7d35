"""Read-only queries the pages render from: the dashboard, a project's overview, its invite links.

Each loads with read permission (``access_*``) and answers plain dataclasses; nothing here writes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from app.errors import Forbidden, NotFound
from app.models import (
    Meeting,
    Organisation,
    Phase,
    PhaseMembership,
    Project,
    ProjectInvite,
    ProjectMember,
    User,
)
from app.services.access import access_project, scope_of
from app.services.actor import Actor
from app.services.policy import Action, OrgAction, may, may_org
from app.services.projects import valid_invite


@dataclass
class OrgView:
    org: Organisation
    role: str
    projects: list[Project]
    may_create_project: bool


@dataclass
class Dashboard:
    orgs: list[OrgView]
    member_projects: list[Project]
    current_phase: dict[int, str] = field(default_factory=dict)


def dashboard(session: Session, actor: Actor) -> Dashboard:
    """Organisations the actor works in (with their projects), and projects they take part in."""
    orgs: list[OrgView] = []
    seen: set[int] = set()
    for org_id, role in sorted(actor.org_roles.items()):
        org = session.get(Organisation, org_id)
        if org is None:
            continue
        projects = list(session.exec(select(Project).where(Project.org_id == org_id)
                                     .order_by(col(Project.created_at).desc())))
        seen.update(p.id for p in projects if p.id is not None)
        orgs.append(OrgView(org, role, projects, may_org(actor, OrgAction.create_project, org_id)))
    member_ids = [pid for pid in actor.projects if pid not in seen]
    member_projects = list(session.exec(select(Project).where(col(Project.id).in_(member_ids)))) if member_ids else []
    all_ids = list(seen) + member_ids
    current: dict[int, str] = {}
    if all_ids:
        for phase in session.exec(select(Phase).where(col(Phase.project_id).in_(all_ids),
                                                      Phase.status == "active").order_by(Phase.position)):
            current.setdefault(phase.project_id, phase.title)
    return Dashboard(orgs=orgs, member_projects=member_projects, current_phase=current)


@dataclass
class PhaseView:
    phase: Phase
    facilitators: list[User]
    participants: list[User]
    may_manage: bool
    is_current: bool


@dataclass
class Overview:
    project: Project
    org: Organisation
    phases: list[PhaseView]
    next_meeting: Meeting | None
    next_meeting_phase: str
    member_count: int
    may_invite: bool


def project_overview(session: Session, actor: Actor, project_id: int, *, now: datetime | None = None) -> Overview:
    project, _ = access_project(session, actor, project_id)
    org = session.get(Organisation, project.org_id)
    if org is None:
        raise NotFound()
    phases = list(session.exec(select(Phase).where(Phase.project_id == project_id).order_by(Phase.position)))
    people: dict[int, dict[str, list[User]]] = defaultdict(lambda: {"facilitator": [], "participant": []})
    rows = session.exec(select(PhaseMembership, User).join(User, col(User.id) == PhaseMembership.user_id)
                        .where(col(PhaseMembership.phase_id).in_([p.id for p in phases]))
                        .where(col(User.erased_at).is_(None))
                        .order_by(User.display_name)) if phases else []
    for membership, user in rows:
        people[membership.phase_id].setdefault(membership.role, []).append(user)
    views = []
    for phase in phases:
        scope = scope_of(session, "phase", project, phase.id)
        views.append(PhaseView(phase, people[phase.id]["facilitator"], people[phase.id]["participant"],
                               may(actor, Action.manage, scope), phase.status == "active"))
    next_meeting = session.exec(select(Meeting).where(Meeting.project_id == project_id,
                                                      Meeting.starts_at >= (now or datetime.now(UTC)))
                                .order_by(Meeting.starts_at)).first()
    phase_titles = {p.id: p.title for p in phases}
    members = session.exec(select(ProjectMember.id).where(ProjectMember.project_id == project_id)).all()
    return Overview(project=project, org=org, phases=views, next_meeting=next_meeting,
                    next_meeting_phase=phase_titles.get(next_meeting.phase_id, "") if next_meeting else "",
                    member_count=len(members), may_invite=any(v.may_manage for v in views))


@dataclass
class InviteRow:
    invite: ProjectInvite
    phase_title: str


@dataclass
class InvitePage:
    project: Project
    phases: list[Phase]
    invites: list[InviteRow]


def invite_page(session: Session, actor: Actor, project_id: int, *, now: datetime | None = None) -> InvitePage:
    """The phases the actor may invite to, and their open links (newest first)."""
    project, _ = access_project(session, actor, project_id)
    phases = [p for p in session.exec(select(Phase).where(Phase.project_id == project_id).order_by(Phase.position))
              if may(actor, Action.manage, scope_of(session, "phase", project, p.id))]
    if not phases:
        raise Forbidden()
    titles = {p.id: p.title for p in phases}
    now = now or datetime.now(UTC)
    invites = [
        InviteRow(i, titles[i.phase_id]) for i in session.exec(
            select(ProjectInvite).where(ProjectInvite.project_id == project_id,
                                        col(ProjectInvite.revoked_at).is_(None))
            .order_by(col(ProjectInvite.created_at).desc(), col(ProjectInvite.id).desc()))
        if i.phase_id in titles and (i.expires_at is None or i.expires_at > now)
    ]
    return InvitePage(project=project, phases=phases, invites=invites)


@dataclass
class JoinPreview:
    project: Project
    org: Organisation
    phase: Phase | None
    already_member: bool


def join_preview(session: Session, actor: Actor, token: str, *, now: datetime | None = None) -> JoinPreview:
    """What an invite link leads to (InviteInvalid when it does not work)."""
    invite = valid_invite(session, token, now=now)
    project = session.get(Project, invite.project_id)
    org = session.get(Organisation, project.org_id) if project else None
    if project is None or org is None:
        raise NotFound()
    phase = session.get(Phase, invite.phase_id) if invite.phase_id is not None else None
    already = actor.user_id is not None and (
        (invite.phase_id is None and actor.in_project(project.id))  # type: ignore[arg-type]
        or actor.phase_role(invite.phase_id) is not None)
    return JoinPreview(project=project, org=org, phase=phase, already_member=already)
