"""Ideas (idé, forslag): submitted any time, handled at meetings, decided go on / park / reject."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import created_at, fk, text, when


class IdeaStatus(StrEnum):
    new = "new"
    scheduled = "scheduled"
    go_on = "go-on"
    parked = "parked"
    rejected = "rejected"


class Idea(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = fk("project.id")
    phase_id: int = fk("phase.id")
    meeting_id: int | None = fk("meeting.id", nullable=True)
    agenda_item_id: int | None = fk("agenda_item.id", nullable=True)
    author_id: int | None = fk("user.id", nullable=True, ondelete="SET NULL")
    title: str = text(200)
    body: str = Field(default="", sa_type=sa.Text, nullable=False)
    status: str = text(16, default=IdeaStatus.new.value)
    decision_note: str = Field(default="", sa_type=sa.Text, nullable=False)
    decided_by_id: int | None = fk("user.id", nullable=True, index=False, ondelete="SET NULL")
    decided_at: datetime | None = when()
    group_heading: str = text(120, default="")
    merged_into_id: int | None = fk("idea.id", nullable=True, ondelete="SET NULL")
    hidden_at: datetime | None = when()
    hidden_reason: str = text(300, default="")
    # submitted while the live session was in anonymous mode: shown without its author, for good
    anonymous: bool = Field(default=False, nullable=False)
    created_at: datetime = created_at()
