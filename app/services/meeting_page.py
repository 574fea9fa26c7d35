"""What a meeting's page shows (and its socket starts from): the agenda with every comment,
proposal, answer, material and conclusion; the minutes of what was said, voted and decided in the
room, item by item (``meeting_history``); and what the reader may do there. Nothing here writes.

The room's ``seq`` is read first, in the same read session: anything committed after it comes in
over the socket (``since=seq``), and replaying an event the state already shows changes nothing
(every event is an upsert by id).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from app.models import AgendaItem, AgendaStatus, Material, Meeting, Phase, Project
from app.realtime import log
from app.services import agenda, comments, materials
from app.services.access import access_meeting, scope_of
from app.services.actor import Actor
from app.services.live import running_session
from app.services.meeting_history import MeetingHistory, meeting_history
from app.services.meetings import is_over, meeting_public
from app.services.policy import Action, may
from app.services.rooms import meeting_room


@dataclass
class ItemView:
    item: dict[str, Any]
    comments: list[dict[str, Any]] = field(default_factory=list)
    materials: list[dict[str, Any]] = field(default_factory=list)
    earlier: list[tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]] = field(default_factory=list)
    """(earlier item, its comments, its materials) for an item carried over, nearest first."""


@dataclass
class MeetingPage:
    project: Project
    phase: Phase
    meeting: Meeting
    room: str
    seq: int
    agenda: list[ItemView]
    proposals: list[ItemView]
    answered: list[ItemView]
    removed: list[ItemView]
    materials: list[dict[str, Any]]
    later_meetings: list[Meeting]
    is_over: bool
    may_manage: bool
    may_propose: bool
    may_comment: bool
    meeting_titles: dict[int, str]
    history: MeetingHistory
    live_running: bool

    @property
    def total_minutes(self) -> int:
        return sum(v.item["planned_minutes"] or 0 for v in self.agenda)

    @property
    def item_choices(self) -> list[dict[str, Any]]:
        return [v.item for v in self.agenda]

    @property
    def carry_candidates(self) -> list[dict[str, Any]]:
        return [v.item for v in self.agenda if not v.item["carried_to_meeting_id"]]


def _items(session: Session, meeting_id: int) -> list[AgendaItem]:
    return list(session.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)
                             .order_by(col(AgendaItem.position), col(AgendaItem.created_at), col(AgendaItem.id))))


def _materials(session: Session, meeting_ids: list[int]) -> list[dict[str, Any]]:
    rows = list(session.exec(select(Material).where(col(Material.meeting_id).in_(meeting_ids))
                             .order_by(col(Material.created_at), col(Material.id)))) if meeting_ids else []
    return materials.publics(session, rows)


def meeting_page(session: Session, actor: Actor, meeting_id: int, *, now: datetime | None = None) -> MeetingPage:
    room = meeting_room(meeting_id)
    seq = log.last_seq(session, room)
    meeting, scope = access_meeting(session, actor, meeting_id)
    project = session.get(Project, meeting.project_id)
    phase = session.get(Phase, meeting.phase_id)
    assert project is not None and phase is not None
    rows = _items(session, meeting_id)
    publics = {i.id: agenda.item_public(session, i, meeting) for i in rows}
    chains = {i.id: agenda.chain(session, i) for i in rows if i.carried_from_id}
    earlier_items = {e.id: e for chain in chains.values() for e in chain}
    all_item_ids = [*publics, *earlier_items]
    by_item: dict[int, list[dict[str, Any]]] = {}
    for comment in comments.comments_on(session, agenda_item_ids=all_item_ids):
        by_item.setdefault(comment["agenda_item_id"], []).append(comment)
    meeting_ids = sorted({meeting_id, *(e.meeting_id for e in earlier_items.values())})
    mats = _materials(session, meeting_ids)
    mats_by_item: dict[int, list[dict[str, Any]]] = {}
    for m in mats:
        if m["agenda_item_id"] is not None:
            mats_by_item.setdefault(m["agenda_item_id"], []).append(m)

    def view(item: AgendaItem) -> ItemView:
        earlier = [(agenda.item_public(session, e), by_item.get(e.id, []), mats_by_item.get(e.id, []))  # type: ignore[arg-type]
                   for e in chains.get(item.id, [])]  # type: ignore[arg-type]
        return ItemView(publics[item.id], by_item.get(item.id, []), mats_by_item.get(item.id, []), earlier)  # type: ignore[index,arg-type]

    groups: dict[str, list[ItemView]] = {s.value: [] for s in AgendaStatus}
    for item in rows:
        groups.setdefault(item.status, []).append(view(item))
    groups[AgendaStatus.proposed.value].sort(key=lambda v: (v.item["created_at"], v.item["id"]))
    groups[AgendaStatus.declined.value].sort(key=lambda v: (v.item["answered_at"] or v.item["created_at"]))
    later = list(session.exec(select(Meeting).where(Meeting.project_id == meeting.project_id,
                                                    Meeting.starts_at > meeting.starts_at)
                              .order_by(col(Meeting.starts_at)).limit(20)))
    may_manage = may(actor, Action.manage, scope)
    if may_manage:
        later = [m for m in later if may(actor, Action.manage, scope_of(session, "meeting", project, m.phase_id))]
    return MeetingPage(
        project=project, phase=phase, meeting=meeting, room=room, seq=seq,
        agenda=groups[AgendaStatus.accepted.value], proposals=groups[AgendaStatus.proposed.value],
        answered=groups[AgendaStatus.declined.value], removed=groups[AgendaStatus.removed.value],
        materials=[m for m in mats if m["meeting_id"] == meeting_id and m["agenda_item_id"] is None],
        later_meetings=later if may_manage else [],
        is_over=is_over(meeting, now or datetime.now(UTC)),
        may_manage=may_manage, may_propose=may(actor, Action.propose, scope),
        may_comment=may(actor, Action.comment, scope),
        meeting_titles={m.id: m.title for m in session.exec(select(Meeting).where(  # type: ignore[misc]
            col(Meeting.id).in_(meeting_ids)))},
        history=meeting_history(session, meeting, manager=may_manage),
        live_running=running_session(session, meeting_id) is not None,
    )


def snapshot(session: Session, actor: Actor, meeting_id: int) -> dict[str, Any]:
    """The meeting room's state as plain data — what the page shows, keyed by id — with its seq.
    A page that applies the room's events after ``seq`` to this reaches the fresh snapshot."""
    page = meeting_page(session, actor, meeting_id)
    views = [*page.agenda, *page.proposals, *page.answered, *page.removed]
    return {
        "seq": page.seq,
        "meeting": meeting_public(page.meeting),
        "items": {v.item["id"]: v.item for v in views},
        "order": [v.item["id"] for v in page.agenda],
        "comments": {c["id"]: c for v in views for c in v.comments},
        "materials": {m["id"]: m for m in [*page.materials, *(m for v in views for m in v.materials)]},
    }
