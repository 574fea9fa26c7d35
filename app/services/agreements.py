"""Agreements (aftaler): what an idea that goes on turns into — a title, an owner (ansvarlig) from
the project's people, a deadline (frist) and a status. Made in the live room when the facilitator
records "go on" (``ideas_live.decide_idea``), or one more afterwards (``create_agreement``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator
from sqlmodel import Session, col, select

from app.errors import Conflict, InvalidInput
from app.i18n import N_, TIMEZONE
from app.models import Agreement, AgreementIdea, Idea, IdeaStatus, Phase, PhaseMembership, ProjectMember, User
from app.realtime import log
from app.realtime.events_live import AgreementCreated
from app.services.access import access_idea, access_project
from app.services.actor import Actor
from app.services.inputs import DESCRIPTION_MAX, TITLE_MAX, FieldMessage, Input, Text, parse
from app.services.policy import Action, require

AGREEMENTS_AT_ONCE = 5


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


class AgreementInput(Input):
    title: Text(TITLE_MAX)
    description: Text(DESCRIPTION_MAX, required=False) = ""
    owner_id: Annotated[int | None, BeforeValidator(_blank_is_none)] = None
    deadline: Annotated[date | None, BeforeValidator(_blank_is_none)] = None


def today(now: datetime | None = None) -> date:
    """Today in Copenhagen (deadlines are calendar days there)."""
    return (now or datetime.now(UTC)).astimezone(TIMEZONE).date()


def is_project_person(session: Session, project_id: int, user_id: int) -> bool:
    """A member of the project, or in the circle of one of its phases."""
    if session.exec(select(ProjectMember.id).where(ProjectMember.project_id == project_id,
                                                   ProjectMember.user_id == user_id)).first() is not None:
        return True
    return session.exec(select(PhaseMembership.id).join(Phase, col(Phase.id) == PhaseMembership.phase_id)
                        .where(Phase.project_id == project_id, PhaseMembership.user_id == user_id)).first() is not None


def parse_agreements(rows: list[dict[str, Any]]) -> list[AgreementInput]:
    """Agreement inputs from form/JSON rows; field errors named ``agreements.<n>.<field>``."""
    if len(rows) > AGREEMENTS_AT_ONCE:
        raise InvalidInput(fields={"agreements": FieldMessage(N_("Make at most 5 agreements at once."))})
    parsed, fields = [], {}
    for n, row in enumerate(rows):
        try:
            parsed.append(parse(AgreementInput, row))
        except InvalidInput as exc:
            fields.update({f"agreements.{n}.{name}": msg for name, msg in exc.fields.items()})
    if fields:
        raise InvalidInput(fields=fields)
    return parsed


def check_agreements(session: Session, project_id: int, inputs: list[AgreementInput], *,
                     now: datetime | None = None, prefix: str = "agreements.") -> None:
    """Owners are people of the project; deadlines are today or later. InvalidInput otherwise."""
    fields: dict[str, str] = {}
    for n, item in enumerate(inputs):
        name = f"{prefix}{n}." if prefix else ""
        if item.owner_id is not None and not is_project_person(session, project_id, item.owner_id):
            fields[f"{name}owner_id"] = FieldMessage(N_("Choose a person from the project."))
        if item.deadline is not None and item.deadline < today(now):
            fields[f"{name}deadline"] = FieldMessage(N_("Choose a deadline today or later."))
    if fields:
        raise InvalidInput(fields=fields)


def make_agreement(session: Session, actor: Actor, idea: Idea, inputs: AgreementInput) -> Agreement:
    """Add an agreement made from ``idea`` (validated by the caller)."""
    agreement = Agreement(project_id=idea.project_id, phase_id=idea.phase_id, meeting_id=idea.meeting_id,
                          title=inputs.title, description=inputs.description, owner_id=inputs.owner_id,
                          deadline=inputs.deadline, created_by_id=actor.user_id)
    session.add(agreement)
    session.flush()
    session.add(AgreementIdea(agreement_id=agreement.id, idea_id=idea.id))  # type: ignore[arg-type]
    session.flush()
    return agreement


def agreement_states(session: Session, agreements: list[Agreement]) -> list[dict[str, object]]:
    """The public representation of each agreement (with its owner's name and its ideas)."""
    ids = [a.id for a in agreements]
    owners = {a.owner_id for a in agreements if a.owner_id is not None}
    names = dict(session.exec(select(User.id, User.display_name).where(col(User.id).in_(owners))).all()) \
        if owners else {}
    links: dict[int, list[int]] = {}
    if ids:
        for agreement_id, idea_id in session.exec(select(AgreementIdea.agreement_id, AgreementIdea.idea_id)
                                                  .where(col(AgreementIdea.agreement_id).in_(ids))
                                                  .order_by(col(AgreementIdea.idea_id))):
            links.setdefault(agreement_id, []).append(idea_id)
    return [{"id": a.id, "project_id": a.project_id, "phase_id": a.phase_id, "meeting_id": a.meeting_id,
             "title": a.title, "description": a.description, "owner_id": a.owner_id,
             "owner_name": names.get(a.owner_id, "") if a.owner_id is not None else "",
             "deadline": a.deadline, "status": a.status, "idea_ids": links.get(a.id, []),  # type: ignore[arg-type]
             "created_at": a.created_at} for a in agreements]


def emit_to_rooms(session: Session, actor: Actor, event: Any, *, project_id: int, meeting_id: int | None) -> None:
    """Append to the meeting's room (if any), then the project room (the lock order of ``rooms.emit``)."""
    if meeting_id is not None:
        log.append(session, f"meeting:{meeting_id}", event, actor_id=actor.user_id)
    log.append(session, f"project:{project_id}", event, actor_id=actor.user_id)


def create_agreement(session: Session, actor: Actor, idea_id: int, *, inputs: AgreementInput,
                     now: datetime | None = None) -> Agreement:
    """One more agreement from an idea the room decided to go on with."""
    idea, scope = access_idea(session, actor, idea_id)
    require(actor, Action.manage, scope)
    if idea.status != IdeaStatus.go_on.value:
        raise Conflict(N_("Decide to go on with the idea before making agreements from it."))
    check_agreements(session, idea.project_id, [inputs], now=now, prefix="")
    agreement = make_agreement(session, actor, idea, inputs)
    state = agreement_states(session, [agreement])[0]
    emit_to_rooms(session, actor, AgreementCreated(**state), project_id=idea.project_id, meeting_id=idea.meeting_id)
    return agreement


def project_agreements(session: Session, actor: Actor, project_id: int) -> tuple[Any, list[dict[str, object]]]:
    """The project and its agreements, newest first, for the agreements page."""
    project, _ = access_project(session, actor, project_id)
    rows = list(session.exec(select(Agreement).where(Agreement.project_id == project_id)
                             .order_by(col(Agreement.created_at).desc(), col(Agreement.id).desc())))
    return project, agreement_states(session, rows)
