"""The agenda of a meeting: the facilitator writes and orders it; from the moment it exists every
participant of the phase proposes items (with a reason) — the right of initiative — and the
facilitator accepts a proposal onto the agenda or answers it. After the meeting the facilitator
records what was concluded per item and carries unfinished items on to a later meeting.

Accepted items have the positions 0..n-1 (gapless). Nothing is deleted: an item taken off the
agenda becomes ``removed`` and stays in the history with its comments and materials.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, col, select

from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import N_
from app.models import AgendaItem, AgendaStatus, Meeting
from app.realtime.events import Event
from app.realtime.events_process import (
    AgendaItemAccepted,
    AgendaItemCarriedOver,
    AgendaItemConcluded,
    AgendaItemCreated,
    AgendaItemDeclined,
    AgendaItemProposed,
    AgendaItemRemoved,
    AgendaItemUpdated,
    AgendaReordered,
)
from app.services.access import access_agenda_item, access_meeting
from app.services.actor import Actor
from app.services.inputs import FieldMessage
from app.services.meetings import is_over
from app.services.policy import Action, require
from app.services.process_inputs import (
    AcceptInput,
    AgendaItemInput,
    AnswerInput,
    CarryOverInput,
    ConclusionInput,
    MoveInput,
    OrderInput,
    ProposalInput,
)
from app.services.rooms import emit, name_of

MAX_ITEMS = 100
STALE_ORDER = N_("The agenda changed while you were moving items. Reload the page and try again.")


def accepted_items(session: Session, meeting_id: int) -> list[AgendaItem]:
    return list(session.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting_id,
                                                      AgendaItem.status == AgendaStatus.accepted.value)
                             .order_by(col(AgendaItem.position), col(AgendaItem.id))))


def item_public(session: Session, item: AgendaItem, meeting: Meeting | None = None) -> dict[str, object]:
    if meeting is None or meeting.id != item.meeting_id:
        meeting = session.get(Meeting, item.meeting_id)
    assert meeting is not None
    earlier = session.get(AgendaItem, item.carried_from_id) if item.carried_from_id else None
    earlier_meeting = session.get(Meeting, earlier.meeting_id) if earlier else None
    later = session.exec(select(AgendaItem).where(AgendaItem.carried_from_id == item.id)
                         .order_by(col(AgendaItem.id))).first()
    later_meeting = session.get(Meeting, later.meeting_id) if later else None
    return {
        "id": item.id, "meeting_id": item.meeting_id, "project_id": meeting.project_id, "position": item.position,
        "title": item.title, "description": item.description, "planned_minutes": item.planned_minutes,
        "status": item.status, "proposed_by_id": item.proposed_by_id,
        "proposed_by_name": name_of(session, item.proposed_by_id), "proposal_reason": item.proposal_reason,
        "answer": item.answer, "answered_at": item.answered_at, "conclusion": item.conclusion,
        "carried_from_id": item.carried_from_id,
        "carried_from_meeting_id": earlier_meeting.id if earlier_meeting else None,
        "carried_from_meeting_title": earlier_meeting.title if earlier_meeting else "",
        "carried_to_meeting_id": later_meeting.id if later_meeting else None,
        "carried_to_meeting_title": later_meeting.title if later_meeting else "",
        "created_at": item.created_at,
    }


def _emit(session: Session, actor: Actor, kind: type[Event], item: AgendaItem, meeting: Meeting) -> None:
    emit(session, actor, kind(**item_public(session, item, meeting)), project_id=meeting.project_id,
         meeting_id=meeting.id)


def _emit_order(session: Session, actor: Actor, meeting: Meeting, items: list[AgendaItem]) -> None:
    emit(session, actor, AgendaReordered(meeting_id=meeting.id, project_id=meeting.project_id,  # type: ignore[arg-type]
                                         item_ids=[i.id for i in items]),  # type: ignore[misc]
         project_id=meeting.project_id, meeting_id=meeting.id)


def _renumber(session: Session, items: list[AgendaItem]) -> None:
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position
            session.add(item)
    session.flush()


def _managed_item(session: Session, actor: Actor, item_id: int) -> tuple[AgendaItem, Meeting]:
    item, scope = access_agenda_item(session, actor, item_id)
    require(actor, Action.manage, scope)
    meeting = session.get(Meeting, item.meeting_id)
    assert meeting is not None
    return item, meeting


def _room_for_one_more(session: Session, meeting_id: int) -> list[AgendaItem]:
    items = accepted_items(session, meeting_id)
    if len(items) >= MAX_ITEMS:
        raise Conflict(N_("An agenda can have at most %(max)s items."), max=MAX_ITEMS)
    return items


def add_item(session: Session, actor: Actor, meeting_id: int, *, inputs: AgendaItemInput) -> AgendaItem:
    """A facilitator's item at the end of the agenda."""
    meeting, scope = access_meeting(session, actor, meeting_id)
    require(actor, Action.manage, scope)
    items = _room_for_one_more(session, meeting_id)
    item = AgendaItem(meeting_id=meeting_id, position=len(items), title=inputs.title,
                      description=inputs.description, planned_minutes=inputs.planned_minutes)
    session.add(item)
    session.flush()
    _emit(session, actor, AgendaItemCreated, item, meeting)
    return item


def update_item(session: Session, actor: Actor, item_id: int, *, inputs: AgendaItemInput) -> AgendaItem:
    item, meeting = _managed_item(session, actor, item_id)
    item.title, item.description, item.planned_minutes = inputs.title, inputs.description, inputs.planned_minutes
    session.add(item)
    session.flush()
    _emit(session, actor, AgendaItemUpdated, item, meeting)
    return item


def remove_item(session: Session, actor: Actor, item_id: int) -> AgendaItem:
    """Take an item off the agenda; it stays in the history (``removed``) with its comments."""
    item, meeting = _managed_item(session, actor, item_id)
    if item.status != AgendaStatus.accepted.value:
        raise Conflict(N_("Only items on the agenda can be removed."))
    item.status = AgendaStatus.removed.value
    session.add(item)
    session.flush()
    remaining = accepted_items(session, meeting.id)  # type: ignore[arg-type]
    _renumber(session, remaining)
    _emit(session, actor, AgendaItemRemoved, item, meeting)
    _emit_order(session, actor, meeting, remaining)
    return item


def move_item(session: Session, actor: Actor, item_id: int, *, inputs: MoveInput) -> AgendaItem:
    """One place up (earlier) or down; at either end nothing changes."""
    item, meeting = _managed_item(session, actor, item_id)
    if item.status != AgendaStatus.accepted.value:
        raise Conflict(N_("Only items on the agenda can be moved."))
    items = accepted_items(session, meeting.id)  # type: ignore[arg-type]
    index = next(i for i, x in enumerate(items) if x.id == item.id)
    other = index - 1 if inputs.direction == "up" else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
        _renumber(session, items)
        _emit_order(session, actor, meeting, items)
    return item


def reorder(session: Session, actor: Actor, meeting_id: int, *, inputs: OrderInput) -> list[AgendaItem]:
    """The whole order at once (drag and drop): ``inputs.order`` must name every item on the agenda."""
    meeting, scope = access_meeting(session, actor, meeting_id)
    require(actor, Action.manage, scope)
    items = accepted_items(session, meeting_id)
    by_id = {i.id: i for i in items}
    if len(inputs.order) != len(items) or set(inputs.order) != set(by_id):
        raise Conflict(STALE_ORDER)
    ordered = [by_id[i] for i in inputs.order]
    if ordered != items:
        _renumber(session, ordered)
        _emit_order(session, actor, meeting, ordered)
    return ordered


def propose_item(session: Session, actor: Actor, meeting_id: int, *, inputs: ProposalInput,
                 now: datetime | None = None) -> AgendaItem:
    """A participant's proposal (with a reason), waiting for the facilitator's answer."""
    meeting, scope = access_meeting(session, actor, meeting_id)
    require(actor, Action.propose, scope)
    if is_over(meeting, now):
        raise InvalidInput(N_("This meeting is over. Propose the item for the next meeting instead."))
    pending = session.exec(select(AgendaItem.id).where(AgendaItem.meeting_id == meeting_id,
                                                       AgendaItem.status == AgendaStatus.proposed.value)).all()
    if len(pending) >= MAX_ITEMS:
        raise Conflict(N_("An agenda can have at most %(max)s items."), max=MAX_ITEMS)
    item = AgendaItem(meeting_id=meeting_id, position=0, title=inputs.title, description=inputs.description,
                      status=AgendaStatus.proposed.value, proposed_by_id=actor.user_id, proposal_reason=inputs.reason)
    session.add(item)
    session.flush()
    _emit(session, actor, AgendaItemProposed, item, meeting)
    return item


def _proposal(session: Session, actor: Actor, item_id: int) -> tuple[AgendaItem, Meeting]:
    item, meeting = _managed_item(session, actor, item_id)
    if item.status != AgendaStatus.proposed.value:
        raise Conflict(N_("This proposal has already been answered."))
    return item, meeting


def accept_proposal(session: Session, actor: Actor, item_id: int, *, inputs: AcceptInput,
                    now: datetime | None = None) -> AgendaItem:
    """Put a proposal on the agenda (at the end), with an optional answer to the proposer."""
    item, meeting = _proposal(session, actor, item_id)
    items = _room_for_one_more(session, meeting.id)  # type: ignore[arg-type]
    item.status, item.position = AgendaStatus.accepted.value, len(items)
    item.answer, item.answered_at = inputs.answer, now or datetime.now(UTC)
    if inputs.planned_minutes is not None:
        item.planned_minutes = inputs.planned_minutes
    session.add(item)
    session.flush()
    _emit(session, actor, AgendaItemAccepted, item, meeting)
    return item


def decline_proposal(session: Session, actor: Actor, item_id: int, *, inputs: AnswerInput,
                     now: datetime | None = None) -> AgendaItem:
    """Answer a proposal without putting it on the agenda (the answer says why, or what instead)."""
    item, meeting = _proposal(session, actor, item_id)
    item.status, item.answer, item.answered_at = AgendaStatus.declined.value, inputs.answer, now or datetime.now(UTC)
    session.add(item)
    session.flush()
    _emit(session, actor, AgendaItemDeclined, item, meeting)
    return item


def record_conclusion(session: Session, actor: Actor, item_id: int, *, inputs: ConclusionInput) -> AgendaItem:
    """The minutes of an item: what was concluded (empty clears it)."""
    item, meeting = _managed_item(session, actor, item_id)
    if item.status != AgendaStatus.accepted.value:
        raise Conflict(N_("Only items on the agenda have minutes."))
    item.conclusion = inputs.conclusion
    session.add(item)
    session.flush()
    _emit(session, actor, AgendaItemConcluded, item, meeting)
    return item


def carried_to(session: Session, item_ids: list[int]) -> dict[int, int]:
    """Item id -> the id of the later item it was carried over to."""
    if not item_ids:
        return {}
    rows = session.exec(select(AgendaItem.carried_from_id, AgendaItem.id)
                        .where(col(AgendaItem.carried_from_id).in_(item_ids)))
    return {src: dst for src, dst in rows if src is not None}


def carry_over(session: Session, actor: Actor, meeting_id: int, *, inputs: CarryOverInput) -> list[AgendaItem]:
    """Put the chosen unfinished items on a later meeting's agenda in one action. Each new item
    continues the old one (``carried_from_id``): its page shows the earlier comments and materials."""
    meeting, scope = access_meeting(session, actor, meeting_id)
    require(actor, Action.manage, scope)
    try:
        target, target_scope = access_meeting(session, actor, inputs.to_meeting_id or 0)
    except NotFound:
        raise InvalidInput(fields={"to_meeting_id": FieldMessage(N_("Choose one of the options."))}) from None
    require(actor, Action.manage, target_scope)
    if target.project_id != meeting.project_id or target.starts_at <= meeting.starts_at:
        raise InvalidInput(fields={"to_meeting_id": FieldMessage(N_("Choose a later meeting of this project."))})
    items = {i.id: i for i in accepted_items(session, meeting_id)}
    done = carried_to(session, list(items))
    chosen = [items[i] for i in dict.fromkeys(inputs.item_ids) if i in items and i not in done]
    if not chosen:
        raise InvalidInput(fields={"item_ids": FieldMessage(N_("Choose at least one item to carry over."))})
    position = len(_room_for_one_more(session, target.id))  # type: ignore[arg-type]
    if position + len(chosen) > MAX_ITEMS:
        raise Conflict(N_("An agenda can have at most %(max)s items."), max=MAX_ITEMS)
    created = []
    for offset, old in enumerate(chosen):
        new = AgendaItem(meeting_id=target.id, position=position + offset, title=old.title,  # type: ignore[arg-type]
                         description=old.description, planned_minutes=old.planned_minutes,
                         proposed_by_id=old.proposed_by_id, proposal_reason=old.proposal_reason,
                         carried_from_id=old.id)
        session.add(new)
        session.flush()
        _emit(session, actor, AgendaItemCreated, new, target)
        _emit(session, actor, AgendaItemCarriedOver, old, meeting)
        created.append(new)
    return created


def chain(session: Session, item: AgendaItem) -> list[AgendaItem]:
    """The earlier items this one continues, nearest first (at most 20 steps back)."""
    found: list[AgendaItem] = []
    current = item
    while current.carried_from_id is not None and len(found) < 20:
        earlier = session.get(AgendaItem, current.carried_from_id)
        if earlier is None:
            break
        found.append(earlier)
        current = earlier
    return found
