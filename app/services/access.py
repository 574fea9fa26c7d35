"""Load an object with read permission, else NotFound; and the Scope the policy judges it by.

``access_<noun>(session, actor, id)`` returns ``(object, scope)``. A person who may not read an
object is told it does not exist (NotFound), never that it is forbidden.
"""

from __future__ import annotations

from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from app.errors import NotFound
from app.models import (
    AgendaItem,
    Agreement,
    Comment,
    Idea,
    Material,
    Meeting,
    Phase,
    PhaseStatus,
    Project,
    Vote,
)
from app.services.actor import Actor
from app.services.policy import Action, Scope, may

T = TypeVar("T")


def current_phase(session: Session, project_id: int) -> Phase | None:
    return session.exec(
        select(Phase).where(Phase.project_id == project_id, Phase.status == PhaseStatus.active.value)
        .order_by(Phase.position)
    ).first()


def scope_of(session: Session, kind: str, project: Project, phase_id: int | None,
             author_id: int | None = None) -> Scope:
    current = current_phase(session, project.id)  # type: ignore[arg-type]
    phase = session.get(Phase, phase_id) if phase_id is not None else current
    return Scope(
        kind=kind,
        org_id=project.org_id,
        project_id=project.id,  # type: ignore[arg-type]
        phase_id=phase_id,
        phase_status=phase.status if phase else None,
        current_phase_id=current.id if current else None,
        author_id=author_id,
    )


def _current_phase_id(project_id: Any) -> Any:
    """``current_phase(...).id`` as a scalar subquery (the same query, correlated to ``project_id``)."""
    return (select(Phase.id).where(Phase.project_id == project_id, Phase.status == PhaseStatus.active.value)
            .order_by(Phase.position).limit(1).scalar_subquery())  # type: ignore[arg-type]


def _meeting_scope_query() -> Any:
    own = aliased(Phase)
    return (select(Meeting, Project, own.status, _current_phase_id(Project.id))
            .join(Project, Project.id == Meeting.project_id)  # type: ignore[arg-type]
            .outerjoin(own, own.id == Meeting.phase_id)  # type: ignore[arg-type]
            .where(Meeting.id == sa.bindparam("meeting_id")))


_MEETING_SCOPE = _meeting_scope_query()  # built once: the statement is the same for every meeting


def _meeting_with_scope(session: Session, kind: str, meeting_id: int | None) -> tuple[Meeting, Project, Scope]:
    """The meeting, its project and ``scope_of(session, kind, project, meeting.phase_id)`` in one
    round trip (meeting + project + the meeting's phase + the project's current phase), else NotFound."""
    if meeting_id is None:
        raise NotFound()
    row = session.execute(_MEETING_SCOPE, {"meeting_id": meeting_id}).first()
    if row is None:
        raise NotFound()
    meeting, project, own_status, current_id = row
    if meeting.phase_id is None:  # the current phase stands in for the object's phase (as in scope_of)
        own_status = PhaseStatus.active.value if current_id is not None else None
    scope = Scope(kind=kind, org_id=project.org_id, project_id=project.id,  # type: ignore[arg-type]
                  phase_id=meeting.phase_id, phase_status=own_status, current_phase_id=current_id)
    return meeting, project, scope


def _get(session: Session, model: type[T], obj_id: int | None) -> T:
    obj = session.get(model, obj_id) if obj_id is not None else None
    if obj is None:
        raise NotFound()
    return obj


def _checked(actor: Actor, scope: Scope) -> Scope:
    if not may(actor, Action.read, scope):
        raise NotFound()
    return scope


def access_project(session: Session, actor: Actor, project_id: int) -> tuple[Project, Scope]:
    project = _get(session, Project, project_id)
    return project, _checked(actor, scope_of(session, "project", project, None))


def access_phase(session: Session, actor: Actor, phase_id: int) -> tuple[Phase, Scope]:
    phase = _get(session, Phase, phase_id)
    project = _get(session, Project, phase.project_id)
    return phase, _checked(actor, scope_of(session, "phase", project, phase.id))


def access_meeting(session: Session, actor: Actor, meeting_id: int) -> tuple[Meeting, Scope]:
    meeting, _, scope = _meeting_with_scope(session, "meeting", meeting_id)
    return meeting, _checked(actor, scope)


def access_agenda_item(session: Session, actor: Actor, item_id: int) -> tuple[AgendaItem, Scope]:
    item = _get(session, AgendaItem, item_id)
    meeting = _get(session, Meeting, item.meeting_id)
    project = _get(session, Project, meeting.project_id)
    scope = scope_of(session, "agenda_item", project, meeting.phase_id, item.proposed_by_id)
    return item, _checked(actor, scope)


def _phase_of_meeting(session: Session, meeting_id: int | None) -> int | None:
    return _get(session, Meeting, meeting_id).phase_id if meeting_id is not None else None


def access_comment(session: Session, actor: Actor, comment_id: int) -> tuple[Comment, Scope]:
    comment = _get(session, Comment, comment_id)
    project = _get(session, Project, comment.project_id)
    phase_id = _phase_of_meeting(session, comment.meeting_id)
    if phase_id is None and comment.idea_id is not None:
        phase_id = _get(session, Idea, comment.idea_id).phase_id
    if phase_id is None and comment.agreement_id is not None:
        phase_id = _get(session, Agreement, comment.agreement_id).phase_id
    scope = scope_of(session, "comment", project, phase_id, comment.author_id)
    return comment, _checked(actor, scope)


def access_material(session: Session, actor: Actor, material_id: int) -> tuple[Material, Scope]:
    material = _get(session, Material, material_id)
    project = _get(session, Project, material.project_id)
    phase_id = material.phase_id or _phase_of_meeting(session, material.meeting_id)
    scope = scope_of(session, "material", project, phase_id, material.added_by_id)
    return material, _checked(actor, scope)


def access_idea(session: Session, actor: Actor, idea_id: int) -> tuple[Idea, Scope]:
    idea = _get(session, Idea, idea_id)
    project = _get(session, Project, idea.project_id)
    return idea, _checked(actor, scope_of(session, "idea", project, idea.phase_id, idea.author_id))


def access_vote(session: Session, actor: Actor, vote_id: int) -> tuple[Vote, Scope]:
    vote = _get(session, Vote, vote_id)
    _, _, scope = _meeting_with_scope(session, "vote", vote.meeting_id)
    return vote, _checked(actor, scope)


def access_agreement(session: Session, actor: Actor, agreement_id: int) -> tuple[Agreement, Scope]:
    agreement = _get(session, Agreement, agreement_id)
    project = _get(session, Project, agreement.project_id)
    scope = scope_of(session, "agreement", project, agreement.phase_id, agreement.owner_id)
    return agreement, _checked(actor, scope)


def access_room(session: Session, actor: Actor, room: str) -> tuple[Any, Scope]:
    """Rooms are ``meeting:<id>`` and ``project:<id>``; read permission on the object."""
    kind, _, raw_id = room.partition(":")
    if not raw_id.isdigit():
        raise NotFound()
    if kind == "meeting":
        return access_meeting(session, actor, int(raw_id))
    if kind == "project":
        return access_project(session, actor, int(raw_id))
    raise NotFound()
