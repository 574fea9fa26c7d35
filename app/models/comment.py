"""Comments on an agenda item, an idea or an agreement; hidden (not deleted) by a facilitator."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import created_at, fk, text, when


class Comment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = fk("project.id")
    meeting_id: int | None = fk("meeting.id", nullable=True)
    agenda_item_id: int | None = fk("agenda_item.id", nullable=True)
    idea_id: int | None = fk("idea.id", nullable=True)
    agreement_id: int | None = fk("agreement.id", nullable=True)
    author_id: int | None = fk("user.id", nullable=True, ondelete="SET NULL")
    body: str = Field(sa_type=sa.Text, nullable=False)
    created_at: datetime = created_at()
    edited_at: datetime | None = when()
    hidden_at: datetime | None = when()
    hidden_by_id: int | None = fk("user.id", nullable=True, index=False, ondelete="SET NULL")
    hidden_reason: str = text(300, default="")
