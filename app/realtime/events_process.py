"""Events of the co-creation process: phases, meetings, agendas, comments and the material bank.

Rooms: ``project:<id>`` is the project's activity feed (its pages: phases, the material bank, the
timeline); ``meeting:<id>`` is a meeting's page and live room. An event about something inside a
meeting goes to both rooms (each with its own seq); the rest to the project room only. Every
event is persisted and goes to the whole room; its payload is the full public representation of
the entity, so a page applies it as "upsert (or remove) by id".
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from app.realtime.events import Event, register


class Person(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    id: int
    name: str


# --- phases ------------------------------------------------------------------------------------


class PhasePublic(Event):
    """A phase with its circle (facilitators and participants, by name)."""

    id: int
    project_id: int
    position: int
    title: str
    goal: str
    starts_on: date | None
    ends_on: date | None
    status: str
    facilitators: list[Person]
    participants: list[Person]


@register
class PhaseCreated(PhasePublic):
    """A facilitator added a phase to the project (planned, at the end). Sent to the project room."""

    type: ClassVar[str] = "phase.created"


@register
class PhaseUpdated(PhasePublic):
    """A phase's title, goal, dates or circle changed. Sent to the project room."""

    type: ClassVar[str] = "phase.updated"


@register
class PhaseStarted(PhasePublic):
    """A phase became the project's current phase (its circle may now add to it). Sent to the
    project room."""

    type: ClassVar[str] = "phase.started"


@register
class PhaseClosed(PhasePublic):
    """A phase was closed: it stays readable by everyone in the project, nobody adds to it any more.
    Sent to the project room."""

    type: ClassVar[str] = "phase.closed"


@register
class PhasesReordered(Event):
    """A facilitator changed the order of the project's phases; ``phase_ids`` is the new order.
    Sent to the project room."""

    type: ClassVar[str] = "phase.reordered"

    project_id: int
    phase_ids: list[int]


# --- meetings ----------------------------------------------------------------------------------


class MeetingPublic(Event):
    """A meeting (dialogue meeting, workshop or laboratory) with its time and place."""

    id: int
    project_id: int
    phase_id: int
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime | None
    place: str
    online_url: str


@register
class MeetingCreated(MeetingPublic):
    """A facilitator planned a meeting in a phase. Sent to the project room."""

    type: ClassVar[str] = "meeting.created"


@register
class MeetingUpdated(MeetingPublic):
    """A meeting's title, kind, time, place or online link changed. Sent to the project room and the
    meeting's room."""

    type: ClassVar[str] = "meeting.updated"


# --- agenda ------------------------------------------------------------------------------------


class AgendaItemPublic(Event):
    """An agenda item: ``status`` is ``accepted`` (on the agenda, at ``position``), ``proposed`` (a
    participant's proposal awaiting the facilitator), ``declined`` (a proposal answered with
    ``answer``) or ``removed`` (taken off the agenda; kept for the history). ``carried_from_*`` names
    the item of an earlier meeting it continues; ``carried_to_*`` the later meeting it went on to."""

    id: int
    meeting_id: int
    project_id: int
    position: int
    title: str
    description: str
    planned_minutes: int | None
    status: str
    proposed_by_id: int | None
    proposed_by_name: str
    proposal_reason: str
    answer: str
    answered_at: datetime | None
    conclusion: str
    carried_from_id: int | None
    carried_from_meeting_id: int | None
    carried_from_meeting_title: str
    carried_to_meeting_id: int | None
    carried_to_meeting_title: str
    created_at: datetime


@register
class AgendaItemCreated(AgendaItemPublic):
    """A facilitator put an item on a meeting's agenda (written, or carried over from an earlier
    meeting). Sent to the meeting's room and the project room."""

    type: ClassVar[str] = "agenda_item.created"


@register
class AgendaItemUpdated(AgendaItemPublic):
    """A facilitator changed an item's title, description or planned minutes. Sent to the meeting's
    room and the project room."""

    type: ClassVar[str] = "agenda_item.updated"


@register
class AgendaItemProposed(AgendaItemPublic):
    """A participant proposed an item for the agenda, with a reason (the right of initiative). Sent
    to the meeting's room and the project room."""

    type: ClassVar[str] = "agenda_item.proposed"


@register
class AgendaItemAccepted(AgendaItemPublic):
    """A facilitator accepted a proposal onto the agenda (at the end), maybe with an answer. Sent to
    the meeting's room and the project room."""

    type: ClassVar[str] = "agenda_item.accepted"


@register
class AgendaItemDeclined(AgendaItemPublic):
    """A facilitator answered a proposal without putting it on the agenda; ``answer`` says why. Sent
    to the meeting's room and the project room."""

    type: ClassVar[str] = "agenda_item.declined"


@register
class AgendaItemRemoved(AgendaItemPublic):
    """A facilitator took an item off the agenda (it stays in the history with its comments). Sent to
    the meeting's room and the project room."""

    type: ClassVar[str] = "agenda_item.removed"


@register
class AgendaItemConcluded(AgendaItemPublic):
    """A facilitator recorded (or changed) what was concluded on an item: the minutes. Sent to the
    meeting's room and the project room."""

    type: ClassVar[str] = "agenda_item.concluded"


@register
class AgendaItemCarriedOver(AgendaItemPublic):
    """An item not finished at its meeting went on to a later meeting's agenda (``carried_to_*``);
    the later meeting's room gets ``agenda_item.created`` for the new item. Sent to this meeting's
    room and the project room."""

    type: ClassVar[str] = "agenda_item.carried_over"


@register
class AgendaReordered(Event):
    """A facilitator changed the order of a meeting's agenda; ``item_ids`` are the accepted items in
    their new order (position 0 first). Sent to the meeting's room and the project room."""

    type: ClassVar[str] = "agenda.reordered"

    meeting_id: int
    project_id: int
    item_ids: list[int]


# --- comments ----------------------------------------------------------------------------------


class CommentPublic(Event):
    """A comment on an agenda item, an idea or an agreement. A hidden comment keeps no ``body`` in
    public: only ``hidden_reason`` ("hidden by the facilitator"). ``editable_until`` is when its
    author stops being able to edit it."""

    id: int
    project_id: int
    meeting_id: int | None
    agenda_item_id: int | None
    idea_id: int | None
    agreement_id: int | None
    author_id: int | None
    author_name: str
    body: str
    created_at: datetime
    edited_at: datetime | None
    editable_until: datetime
    hidden: bool
    hidden_reason: str


@register
class CommentCreated(CommentPublic):
    """Someone commented. Sent to the room of the meeting the comment belongs to (if any) and the
    project room."""

    type: ClassVar[str] = "comment.created"


@register
class CommentEdited(CommentPublic):
    """The author edited their comment (only shortly after writing it). Sent to the meeting's room
    (if any) and the project room."""

    type: ClassVar[str] = "comment.edited"


@register
class CommentHidden(CommentPublic):
    """A facilitator hid a comment, with a reason everyone sees; its text is no longer sent. Sent
    to the meeting's room (if any) and the project room."""

    type: ClassVar[str] = "comment.hidden"


@register
class CommentShown(CommentPublic):
    """A facilitator showed a hidden comment again. Sent to the meeting's room (if any) and the
    project room."""

    type: ClassVar[str] = "comment.shown"


# --- materials ---------------------------------------------------------------------------------


class MaterialPublic(Event):
    """A file or link in the material bank. ``category`` is ``link``, ``image``, ``pdf`` or
    ``document``; ``href`` is where to open it (the download address of a file)."""

    id: int
    project_id: int
    phase_id: int | None
    meeting_id: int | None
    agenda_item_id: int | None
    kind: str
    category: str
    title: str
    href: str
    file_name: str
    content_type: str
    size: int
    added_by_id: int | None
    added_by_name: str
    created_at: datetime


@register
class MaterialAdded(MaterialPublic):
    """Someone added a file or a link to the material bank. Sent to the project room, and to the
    meeting's room when it belongs to a meeting or one of its agenda items."""

    type: ClassVar[str] = "material.added"


@register
class MaterialRemoved(Event):
    """The person who added it, or a facilitator, removed a material. Sent to the project room, and
    to the meeting's room when it belonged to a meeting."""

    type: ClassVar[str] = "material.removed"

    id: int
    project_id: int
    meeting_id: int | None
    agenda_item_id: int | None
