"""Projects: an organisation admin creates them and invites staff; a facilitator makes invite links
for a phase; a citizen joins by such a link with a display name (no password)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from app.errors import DomainError, InvalidInput, NotFound
from app.i18n import N_
from app.models import (
    Organisation,
    OrgMembership,
    Phase,
    PhaseMembership,
    Project,
    ProjectInvite,
    ProjectMember,
    StaffInvite,
    User,
)
from app.services.access import access_project, scope_of
from app.services.accounts import EMAIL_TAKEN, new_token, user_by_email
from app.services.actor import Actor
from app.services.inputs import FieldMessage, InviteLinkInput, JoinInput, ProjectInput, StaffInviteInput
from app.services.policy import Action, OrgAction, require, require_org

INVITE_VALID_FOR = timedelta(days=30)


class InviteInvalid(DomainError):
    code = "invite_invalid"
    status = 404
    default_message = N_("This invite link does not work. It may have expired or been withdrawn. "
                         "Ask the person who sent it to you for a new link.")


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _get_org(session: Session, org_id: int) -> Organisation:
    org = session.get(Organisation, org_id)
    if org is None:
        raise NotFound()
    return org


def _ensure_member(session: Session, project_id: int, user_id: int) -> None:
    found = session.exec(select(ProjectMember).where(ProjectMember.project_id == project_id,
                                                     ProjectMember.user_id == user_id)).first()
    if found is None:
        session.add(ProjectMember(project_id=project_id, user_id=user_id))


def _ensure_phase_role(session: Session, phase_id: int, user_id: int, role: str) -> None:
    found = session.exec(select(PhaseMembership).where(PhaseMembership.phase_id == phase_id,
                                                       PhaseMembership.user_id == user_id)).first()
    if found is None:
        session.add(PhaseMembership(phase_id=phase_id, user_id=user_id, role=role))


def create_project(session: Session, actor: Actor, org_id: int, *, inputs: ProjectInput) -> Project:
    """A project with its phases (the first one active); the creator facilitates every phase."""
    _get_org(session, org_id)
    require_org(actor, OrgAction.create_project, org_id)
    titles = inputs.phases.splitlines()
    if not titles:
        raise InvalidInput(fields={"phases": FieldMessage(N_("Add at least one phase."))})
    project = Project(org_id=org_id, title=inputs.title, description=inputs.description,
                      created_by_id=actor.user_id)
    session.add(project)
    session.flush()
    assert project.id is not None and actor.user_id is not None
    _ensure_member(session, project.id, actor.user_id)
    for position, title in enumerate(titles):
        phase = Phase(project_id=project.id, position=position, title=title,
                      status="active" if position == 0 else "planned")
        session.add(phase)
        session.flush()
        _ensure_phase_role(session, phase.id, actor.user_id, "facilitator")  # type: ignore[arg-type]
    session.flush()
    return project


@dataclass(frozen=True)
class StaffInviteTicket:
    """What the caller mails after commit."""

    email: str
    token: str
    org_name: str
    invited_by: str


def invite_staff(session: Session, actor: Actor, org_id: int, *, inputs: StaffInviteInput) -> StaffInviteTicket:
    org = _get_org(session, org_id)
    require_org(actor, OrgAction.invite_staff, org_id)
    existing = user_by_email(session, inputs.email)
    if existing is not None and session.exec(select(OrgMembership).where(
            OrgMembership.org_id == org_id, OrgMembership.user_id == existing.id)).first() is not None:
        raise InvalidInput(fields={"email": FieldMessage(N_("This person is already in the organisation."))})
    token, digest = new_token()
    session.add(StaffInvite(org_id=org_id, email=inputs.email, token_hash=digest, role=inputs.role,
                            invited_by_id=actor.user_id))
    session.flush()
    return StaffInviteTicket(email=inputs.email, token=token, org_name=org.name, invited_by=actor.display_name)


def create_invite_link(session: Session, actor: Actor, project_id: int, *, inputs: InviteLinkInput,
                       now: datetime | None = None) -> ProjectInvite:
    """A link that makes whoever opens it a participant of the phase (the current one by default)."""
    project, _ = access_project(session, actor, project_id)
    phase = session.get(Phase, inputs.phase_id) if inputs.phase_id is not None else None
    if phase is None:
        phase = session.exec(select(Phase).where(Phase.project_id == project_id)
                             .order_by(Phase.status != "active", Phase.position)).first()
    if phase is None or phase.project_id != project_id:
        raise InvalidInput(fields={"phase_id": FieldMessage(N_("Choose one of the options."))})
    require(actor, Action.manage, scope_of(session, "phase", project, phase.id))
    invite = ProjectInvite(project_id=project_id, phase_id=phase.id, token=secrets.token_urlsafe(16),
                           created_by_id=actor.user_id, expires_at=_now(now) + INVITE_VALID_FOR)
    session.add(invite)
    session.flush()
    return invite


def revoke_invite_link(session: Session, actor: Actor, invite_id: int, *, now: datetime | None = None) -> None:
    invite = session.get(ProjectInvite, invite_id)
    if invite is None:
        raise NotFound()
    project, _ = access_project(session, actor, invite.project_id)
    require(actor, Action.manage, scope_of(session, "phase", project, invite.phase_id))
    invite.revoked_at = invite.revoked_at or _now(now)
    session.add(invite)
    session.flush()


def valid_invite(session: Session, token: str, *, now: datetime | None = None) -> ProjectInvite:
    """The open invite for ``token``, else InviteInvalid."""
    invite = session.exec(select(ProjectInvite).where(ProjectInvite.token == token)).first() if token else None
    if invite is None or invite.revoked_at is not None or (
            invite.expires_at is not None and invite.expires_at <= _now(now)):
        raise InviteInvalid()
    return invite


@dataclass(frozen=True)
class Joined:
    user_id: int
    project_id: int
    new_user: bool


def join_by_invite(session: Session, actor: Actor, token: str, *, inputs: JoinInput | None = None,
                   now: datetime | None = None) -> Joined:
    """Make the logged-in person, or a new guest with this display name, a member and participant."""
    invite = valid_invite(session, token, now=now)
    new_user = actor.user_id is None
    if new_user:
        if inputs is None:
            raise InvalidInput(fields={"display_name": FieldMessage(N_("This field is required."))})
        if inputs.email and user_by_email(session, inputs.email) is not None:
            raise InvalidInput(fields={"email": FieldMessage(EMAIL_TAKEN)})
        user = User(display_name=inputs.display_name, email=inputs.email or None, is_guest=True)
        session.add(user)
        session.flush()
        user_id = user.id
    else:
        user_id = actor.user_id
    assert user_id is not None
    _ensure_member(session, invite.project_id, user_id)
    if invite.phase_id is not None:
        _ensure_phase_role(session, invite.phase_id, user_id, "participant")
    invite.uses += 1
    session.add(invite)
    session.flush()
    return Joined(user_id=user_id, project_id=invite.project_id, new_user=new_user)
