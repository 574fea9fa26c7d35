"""All tables, imported here so ``SQLModel.metadata`` (and Alembic) sees every one."""

from app.models.agenda import AgendaItem, AgendaStatus
from app.models.agreement import (
    Agreement,
    AgreementIdea,
    AgreementStatus,
    AgreementUpdate,
    Evaluation,
    Verdict,
)
from app.models.comment import Comment
from app.models.eventlog import CommandReceipt, EventRecord, RoomCounter
from app.models.idea import Idea, IdeaStatus
from app.models.material import Material, MaterialKind
from app.models.meeting import LiveSession, Meeting, MeetingKind
from app.models.organisation import Organisation, OrgMembership, OrgRole, StaffInvite
from app.models.phase import Phase, PhaseMembership, PhaseRole, PhaseStatus
from app.models.project import Project, ProjectInvite, ProjectMember
from app.models.user import LoginLink, PasswordReset, User
from app.models.vote import Ballot, Vote, VoteKind, VoteOption, VoteStatus

__all__ = [
    "AgendaItem",
    "AgendaStatus",
    "Agreement",
    "AgreementIdea",
    "AgreementStatus",
    "AgreementUpdate",
    "Ballot",
    "CommandReceipt",
    "Comment",
    "Evaluation",
    "EventRecord",
    "Idea",
    "IdeaStatus",
    "LiveSession",
    "LoginLink",
    "Material",
    "MaterialKind",
    "Meeting",
    "MeetingKind",
    "OrgMembership",
    "OrgRole",
    "Organisation",
    "PasswordReset",
    "Phase",
    "PhaseMembership",
    "PhaseRole",
    "PhaseStatus",
    "Project",
    "ProjectInvite",
    "ProjectMember",
    "RoomCounter",
    "StaffInvite",
    "User",
    "Verdict",
    "Vote",
    "VoteKind",
    "VoteOption",
    "VoteStatus",
]
