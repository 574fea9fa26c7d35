"""Meetings of a phase (dialogue meeting, workshop, laboratory) and their live sessions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import created_at, fk, text, when


class MeetingKind(StrEnum):
    dialogue = "dialogue"
    workshop = "workshop"
    lab = "lab"


class Meeting(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = fk("project.id")
    phase_id: int = fk("phase.id")
    kind: str = text(16, default=MeetingKind.dialogue.value)
    title: str = text(200)
    starts_at: datetime = when(nullable=False)
    ends_at: datetime | None = when()
    place: str = text(300, default="")
    online_url: str = text(500, default="")
    created_at: datetime = created_at()


class LiveSession(SQLModel, table=True):
    """The live room of a meeting, from start to end, joined by a short code."""

    __tablename__ = "live_session"
    __table_args__ = (
        # a join code, and a meeting, has at most one running session
        sa.Index("uq_live_session_running_code", "join_code", unique=True,
                 postgresql_where=sa.text("ended_at IS NULL"), sqlite_where=sa.text("ended_at IS NULL")),
        sa.Index("uq_live_session_running_meeting", "meeting_id", unique=True,
                 postgresql_where=sa.text("ended_at IS NULL"), sqlite_where=sa.text("ended_at IS NULL")),
    )
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = fk("meeting.id")
    join_code: str = Field(max_length=12, sa_type=sa.String(12), index=True)
    anonymous: bool = Field(default=False, nullable=False)
    focus_item_id: int | None = fk("agenda_item.id", nullable=True, ondelete="SET NULL")
    focus_started_at: datetime | None = when()
    focus_minutes: int | None = Field(default=None, nullable=True)
    started_at: datetime = created_at()
    ended_at: datetime | None = when()
