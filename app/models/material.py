"""The material bank: files and links attached to a project, a meeting or an agenda item."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.models.base import created_at, fk, text


class MaterialKind(StrEnum):
    file = "file"
    link = "link"


class Material(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = fk("project.id")
    phase_id: int | None = fk("phase.id", nullable=True)
    meeting_id: int | None = fk("meeting.id", nullable=True)
    agenda_item_id: int | None = fk("agenda_item.id", nullable=True)
    kind: str = text(8, default=MaterialKind.link.value)
    title: str = text(200)
    url: str = text(1000, default="")
    file_name: str = text(255, default="")
    stored_name: str = text(64, default="")
    content_type: str = text(100, default="")
    size: int = Field(default=0, nullable=False)
    added_by_id: int | None = fk("user.id", nullable=True, ondelete="SET NULL")
    created_at: datetime = created_at()
