"""Phases: a facilitator (or organisation admin) creates, orders, edits and closes them, and moves
the project on to the next phase in one action, carrying people over.

Who may do what is the policy's (``manage`` on the phase; project-wide actions are judged in the
current phase, or the first planned one when none is active). Only planned phases can be moved:
the closed and the active ones are the project's history and present.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.errors import Conflict, InvalidInput
from app.i18n import N_
from app.models import OrgMembership, Phase, PhaseMembership, PhaseStatus, Project, ProjectMember
from app.realtime.events import Event
from app.realtime.events_process import (
    Person,
    PhaseClosed,
    PhaseCreated,
    PhasesReordered,
    PhaseStarted,
    PhaseUpdated,
)
from app.services.access import access_phase, access_project, current_phase, scope_of
from app.services.actor import Actor
from app.services.inputs import FieldMessage
from app.services.policy import Action, Scope, require
from app.services.process_inputs import AdvanceInput, CircleInput, MoveInput, PhaseInput
from app.services.rooms import emit, names

LAST_FACILITATOR = N_("A phase needs at least one facilitator. Add another facilitator first.")


def ordered_phases(session: Session, project_id: int) -> list[Phase]:
    return list(session.exec(select(Phase).where(Phase.project_id == project_id)
                             .order_by(col(Phase.position), col(Phase.id))))


def circle(session: Session, phase_id: int) -> list[PhaseMembership]:
    return list(session.exec(select(PhaseMembership).where(PhaseMembership.phase_id == phase_id)
                             .order_by(col(PhaseMembership.id))))


def phase_public(session: Session, phase: Phase) -> dict[str, object]:
    members = circle(session, phase.id)  # type: ignore[arg-type]
    who = names(session, [m.user_id for m in members])

    def people(role: str) -> list[Person]:
        return sorted((Person(id=m.user_id, name=who.get(m.user_id, "")) for m in members if m.role == role),
                      key=lambda p: p.name.lower())

    return {"id": phase.id, "project_id": phase.project_id, "position": phase.position, "title": phase.title,
            "goal": phase.goal, "starts_on": phase.starts_on, "ends_on": phase.ends_on, "status": phase.status,
            "facilitators": people("facilitator"), "participants": people("participant")}


def _emit(session: Session, actor: Actor, kind: type[Event], phase: Phase) -> None:
    emit(session, actor, kind(**phase_public(session, phase)), project_id=phase.project_id)


def project_scope(session: Session, project: Project) -> Scope:
    """The scope project-wide management is judged in: the current phase, else the first planned."""
    phase = current_phase(session, project.id)  # type: ignore[arg-type]
    if phase is None:
        phase = next((p for p in ordered_phases(session, project.id)  # type: ignore[arg-type]
                      if p.status == PhaseStatus.planned.value), None)
    return scope_of(session, "project", project, phase.id if phase else None)


def _check_dates(inputs: PhaseInput) -> None:
    if inputs.starts_on and inputs.ends_on and inputs.ends_on < inputs.starts_on:
        raise InvalidInput(fields={"ends_on": FieldMessage(N_("The end date must be on or after the start date."))})


def create_phase(session: Session, actor: Actor, project_id: int, *, inputs: PhaseInput) -> Phase:
    """A planned phase at the end of the project; its creator facilitates it."""
    project, _ = access_project(session, actor, project_id)
    require(actor, Action.manage, project_scope(session, project))
    _check_dates(inputs)
    phases = ordered_phases(session, project_id)
    phase = Phase(project_id=project_id, position=(phases[-1].position + 1) if phases else 0, title=inputs.title,
                  goal=inputs.goal, starts_on=inputs.starts_on, ends_on=inputs.ends_on,
                  status=PhaseStatus.active.value if not phases else PhaseStatus.planned.value)
    session.add(phase)
    session.flush()
    if actor.user_id is not None:
        session.add(PhaseMembership(phase_id=phase.id, user_id=actor.user_id, role="facilitator"))
        session.flush()
    _emit(session, actor, PhaseCreated, phase)
    return phase


def update_phase(session: Session, actor: Actor, phase_id: int, *, inputs: PhaseInput) -> Phase:
    phase, scope = access_phase(session, actor, phase_id)
    require(actor, Action.manage, scope)
    _check_dates(inputs)
    phase.title, phase.goal = inputs.title, inputs.goal
    phase.starts_on, phase.ends_on = inputs.starts_on, inputs.ends_on
    session.add(phase)
    session.flush()
    _emit(session, actor, PhaseUpdated, phase)
    return phase


def move_phase(session: Session, actor: Actor, phase_id: int, *, inputs: MoveInput) -> Phase:
    """Swap a planned phase with its planned neighbour (up = earlier)."""
    phase, _ = access_phase(session, actor, phase_id)
    project, _ = access_project(session, actor, phase.project_id)
    require(actor, Action.manage, project_scope(session, project))
    phases = ordered_phases(session, phase.project_id)
    index = next(i for i, p in enumerate(phases) if p.id == phase.id)
    other = index - 1 if inputs.direction == "up" else index + 1
    if not 0 <= other < len(phases):
        return phase  # already first or last: nothing to do
    if phase.status != PhaseStatus.planned.value or phases[other].status != PhaseStatus.planned.value:
        raise Conflict(N_("Only planned phases can be moved; closed and active phases keep their place."))
    phases[index], phases[other] = phases[other], phases[index]
    for position, item in enumerate(phases):
        item.position = position
        session.add(item)
    session.flush()
    emit(session, actor, PhasesReordered(project_id=phase.project_id, phase_ids=[p.id for p in phases]),  # type: ignore[misc]
         project_id=phase.project_id)
    return phase


def candidates(session: Session, project: Project) -> list[int]:
    """Who can be put in a phase's circle: the project's members and the organisation's staff."""
    members = set(session.exec(select(ProjectMember.user_id).where(ProjectMember.project_id == project.id)))
    staff = set(session.exec(select(OrgMembership.user_id).where(OrgMembership.org_id == project.org_id)))
    return sorted(members | staff)


def set_circle_member(session: Session, actor: Actor, phase_id: int, *, inputs: CircleInput) -> PhaseMembership:
    """Add a person to the phase's circle as participant or facilitator (or change their role)."""
    phase, scope = access_phase(session, actor, phase_id)
    require(actor, Action.manage, scope)
    project, _ = access_project(session, actor, phase.project_id)
    if inputs.user_id is None or inputs.user_id not in candidates(session, project):
        raise InvalidInput(fields={"user_id": FieldMessage(N_("Choose one of the options."))})
    members = circle(session, phase_id)
    found = next((m for m in members if m.user_id == inputs.user_id), None)
    if found is not None and found.role == "facilitator" and inputs.role != "facilitator" \
            and sum(m.role == "facilitator" for m in members) == 1:
        raise InvalidInput(fields={"role": FieldMessage(LAST_FACILITATOR)})
    if found is None:
        found = PhaseMembership(phase_id=phase_id, user_id=inputs.user_id, role=inputs.role)
        if session.exec(select(ProjectMember).where(ProjectMember.project_id == project.id,
                                                    ProjectMember.user_id == inputs.user_id)).first() is None:
            session.add(ProjectMember(project_id=project.id, user_id=inputs.user_id))
    found.role = inputs.role
    session.add(found)
    session.flush()
    _emit(session, actor, PhaseUpdated, phase)
    return found


def remove_circle_member(session: Session, actor: Actor, phase_id: int, *, user_id: int) -> None:
    """Take a person out of the phase's circle. They stay a member of the project and keep reading it."""
    phase, scope = access_phase(session, actor, phase_id)
    require(actor, Action.manage, scope)
    members = circle(session, phase_id)
    found = next((m for m in members if m.user_id == user_id), None)
    if found is None:
        return
    if found.role == "facilitator" and sum(m.role == "facilitator" for m in members) == 1 \
            and phase.status != PhaseStatus.closed.value:
        raise Conflict(LAST_FACILITATOR)
    session.delete(found)
    session.flush()
    _emit(session, actor, PhaseUpdated, phase)


def next_phase(session: Session, project_id: int) -> tuple[Phase | None, Phase | None]:
    """(the current phase, the phase that comes after it): the first planned phase after the
    current one, or the first planned phase when none is active."""
    phases = ordered_phases(session, project_id)
    current = next((p for p in phases if p.status == PhaseStatus.active.value), None)
    after = [p for p in phases if p.status == PhaseStatus.planned.value
             and (current is None or p.position > current.position)]
    return current, (after[0] if after else None)


def advance(session: Session, actor: Actor, project_id: int, *, inputs: AdvanceInput) -> Phase | None:
    """Close the current phase and start the next one; the people in ``inputs.carry`` (from the
    current circle) go along with their role. Whoever advances facilitates the next phase when it
    has no facilitator. Returns the phase now current (None when the last phase was closed)."""
    project, _ = access_project(session, actor, project_id)
    current, following = next_phase(session, project_id)
    if current is None and following is None:
        raise Conflict(N_("There is no phase to start: add a phase first."))
    require(actor, Action.manage, scope_of(session, "phase", project, (current or following).id))  # type: ignore[union-attr]
    if current is not None:
        current.status = PhaseStatus.closed.value
        session.add(current)
        session.flush()
        _emit(session, actor, PhaseClosed, current)
    if following is None:
        return None
    arriving = {m.user_id: m.role for m in circle(session, current.id)} if current is not None else {}  # type: ignore[arg-type]
    there = {m.user_id for m in circle(session, following.id)}  # type: ignore[arg-type]
    for user_id in inputs.carry:
        if user_id in arriving and user_id not in there:
            session.add(PhaseMembership(phase_id=following.id, user_id=user_id, role=arriving[user_id]))
            there.add(user_id)
    session.flush()
    if actor.user_id is not None and not any(m.role == "facilitator" for m in circle(session, following.id)):  # type: ignore[arg-type]
        if actor.user_id in there:
            for m in circle(session, following.id):  # type: ignore[arg-type]
                if m.user_id == actor.user_id:
                    m.role = "facilitator"
                    session.add(m)
        else:
            session.add(PhaseMembership(phase_id=following.id, user_id=actor.user_id, role="facilitator"))
    following.status = PhaseStatus.active.value
    session.add(following)
    session.flush()
    _emit(session, actor, PhaseStarted, following)
    return following
