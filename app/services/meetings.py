"""Meetings of a phase (dialogue meeting, workshop, laboratory): a facilitator plans them with a
time and a place or an online link; everyone in the project reads them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from app.errors import InvalidInput
from app.i18n import N_
from app.models import Meeting
from app.realtime.events_process import MeetingCreated, MeetingUpdated
from app.services.access import access_meeting, access_phase
from app.services.actor import Actor
from app.services.inputs import FieldMessage
from app.services.policy import Action, require
from app.services.process_inputs import MeetingInput, local_to_utc
from app.services.rooms import emit

DEFAULT_LENGTH = timedelta(hours=3)  # how long a meeting without an end time counts as running


def meeting_public(meeting: Meeting) -> dict[str, object]:
    return {"id": meeting.id, "project_id": meeting.project_id, "phase_id": meeting.phase_id, "kind": meeting.kind,
            "title": meeting.title, "starts_at": meeting.starts_at, "ends_at": meeting.ends_at,
            "place": meeting.place, "online_url": meeting.online_url}


def ends(meeting: Meeting) -> datetime:
    """When the meeting is over (its end time, or three hours after its start)."""
    return meeting.ends_at or meeting.starts_at + DEFAULT_LENGTH


def is_over(meeting: Meeting, now: datetime | None = None) -> bool:
    return ends(meeting) <= (now or datetime.now(UTC))


def _times(inputs: MeetingInput) -> tuple[datetime, datetime | None]:
    fields: dict[str, str] = {}
    if inputs.day is None:
        fields["day"] = FieldMessage(N_("Choose the day of the meeting."))
    if inputs.starts is None:
        fields["starts"] = FieldMessage(N_("Write when the meeting starts, like 17:00."))
    if fields:
        raise InvalidInput(fields=fields)
    assert inputs.day is not None and inputs.starts is not None
    starts_at = local_to_utc(inputs.day, inputs.starts)
    ends_at = local_to_utc(inputs.day, inputs.ends) if inputs.ends is not None else None
    if ends_at is not None and ends_at <= starts_at:
        raise InvalidInput(fields={"ends": FieldMessage(N_("The meeting must end after it starts."))})
    return starts_at, ends_at


def create_meeting(session: Session, actor: Actor, phase_id: int, *, inputs: MeetingInput) -> Meeting:
    phase, scope = access_phase(session, actor, phase_id)
    require(actor, Action.manage, scope)
    starts_at, ends_at = _times(inputs)
    meeting = Meeting(project_id=phase.project_id, phase_id=phase.id, kind=inputs.kind, title=inputs.title,  # type: ignore[arg-type]
                      starts_at=starts_at, ends_at=ends_at, place=inputs.place, online_url=inputs.online_url)
    session.add(meeting)
    session.flush()
    emit(session, actor, MeetingCreated(**meeting_public(meeting)), project_id=meeting.project_id)
    return meeting


def update_meeting(session: Session, actor: Actor, meeting_id: int, *, inputs: MeetingInput) -> Meeting:
    meeting, scope = access_meeting(session, actor, meeting_id)
    require(actor, Action.manage, scope)
    meeting.starts_at, meeting.ends_at = _times(inputs)
    meeting.kind, meeting.title = inputs.kind, inputs.title
    meeting.place, meeting.online_url = inputs.place, inputs.online_url
    session.add(meeting)
    session.flush()
    emit(session, actor, MeetingUpdated(**meeting_public(meeting)), project_id=meeting.project_id,
         meeting_id=meeting.id)
    return meeting
