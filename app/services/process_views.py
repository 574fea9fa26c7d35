"""Read-only queries for the process pages: the phases of a project, one phase with its circle and
meetings, moving to the next phase, and the material bank. Nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from app.errors import Forbidden
from app.models import Meeting, Phase, PhaseStatus, Project
from app.realtime import log
from app.services import materials, phases
from app.services.access import access_phase, access_project, scope_of
from app.services.actor import Actor
from app.services.policy import Action, may
from app.services.process_inputs import MaterialFilter
from app.services.rooms import names, project_room


@dataclass
class PhaseRow:
    phase: dict[str, Any]
    meetings: list[Meeting]
    may_manage: bool


@dataclass
class PhasesPage:
    project: Project
    rows: list[PhaseRow]
    may_manage: bool
    current: Phase | None
    following: Phase | None
    room: str
    seq: int


def _meetings(session: Session, project_id: int) -> dict[int, list[Meeting]]:
    found: dict[int, list[Meeting]] = {}
    for m in session.exec(select(Meeting).where(Meeting.project_id == project_id)
                          .order_by(col(Meeting.starts_at), col(Meeting.id))):
        found.setdefault(m.phase_id, []).append(m)
    return found


def phases_page(session: Session, actor: Actor, project_id: int) -> PhasesPage:
    room = project_room(project_id)
    seq = log.last_seq(session, room)
    project, _ = access_project(session, actor, project_id)
    meetings = _meetings(session, project_id)
    rows = [PhaseRow(phases.phase_public(session, p), meetings.get(p.id, []),  # type: ignore[arg-type]
                     may(actor, Action.manage, scope_of(session, "phase", project, p.id)))
            for p in phases.ordered_phases(session, project_id)]
    current, following = phases.next_phase(session, project_id)
    return PhasesPage(project, rows, may(actor, Action.manage, phases.project_scope(session, project)),
                      current, following, room, seq)


@dataclass
class PhasePage:
    project: Project
    phase: Phase
    public: dict[str, Any]
    meetings: list[Meeting]
    may_manage: bool
    candidates: list[tuple[int, str]]
    room: str
    seq: int

    @property
    def is_current(self) -> bool:
        return self.phase.status == PhaseStatus.active.value


def phase_page(session: Session, actor: Actor, phase_id: int) -> PhasePage:
    phase, scope = access_phase(session, actor, phase_id)
    room = project_room(phase.project_id)
    seq = log.last_seq(session, room)
    project = session.get(Project, phase.project_id)
    assert project is not None
    manage = may(actor, Action.manage, scope)
    in_circle = {m.user_id for m in phases.circle(session, phase_id)}
    options = [uid for uid in phases.candidates(session, project) if uid not in in_circle] if manage else []
    who = names(session, options)
    candidates = sorted(((uid, who.get(uid, "")) for uid in options), key=lambda p: p[1].lower())
    return PhasePage(project, phase, phases.phase_public(session, phase),
                     _meetings(session, phase.project_id).get(phase_id, []), manage, candidates, room, seq)


@dataclass
class AdvancePage:
    project: Project
    current: Phase | None
    following: Phase | None
    circle: list[tuple[int, str, str]]  # (user id, name, role) of the current phase


def advance_page(session: Session, actor: Actor, project_id: int) -> AdvancePage:
    project, _ = access_project(session, actor, project_id)
    current, following = phases.next_phase(session, project_id)
    target = current or following
    if target is None or not may(actor, Action.manage, scope_of(session, "phase", project, target.id)):
        raise Forbidden()
    members = phases.circle(session, current.id) if current is not None else []  # type: ignore[arg-type]
    who = names(session, [m.user_id for m in members])
    circle = sorted(((m.user_id, who.get(m.user_id, ""), m.role) for m in members),
                    key=lambda p: (p[2] != "facilitator", p[1].lower()))
    return AdvancePage(project, current, following, circle)


@dataclass
class BankPage:
    project: Project
    filters: MaterialFilter
    materials: list[dict[str, Any]]
    phases: list[Phase]
    meetings: list[Meeting]
    attach_meetings: list[Meeting]
    may_add: bool
    may_manage: bool
    room: str
    seq: int

    @property
    def filtered(self) -> bool:
        f = self.filters
        return bool(f.phase_id or f.meeting_id or f.kind or f.q)


def bank_page(session: Session, actor: Actor, project_id: int, *, filters: MaterialFilter) -> BankPage:
    room = project_room(project_id)
    seq = log.last_seq(session, room)
    project, _ = access_project(session, actor, project_id)
    found = materials.find(session, project_id, filters)
    all_meetings = [m for ms in _meetings(session, project_id).values() for m in ms]
    all_meetings.sort(key=lambda m: m.starts_at)
    attach = [m for m in all_meetings if may(actor, Action.propose, scope_of(session, "meeting", project, m.phase_id))]
    return BankPage(project, filters, materials.publics(session, found), phases.ordered_phases(session, project_id),
                    all_meetings, attach,
                    may(actor, Action.propose, materials.scope_for_project(session, actor, project_id)),
                    may(actor, Action.manage, phases.project_scope(session, project)), room, seq)
