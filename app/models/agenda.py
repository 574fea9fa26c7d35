"""Agenda items of a meeting: written by the facilitator or proposed by a participant."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import created_at, fk, text, when


class AgendaStatus(StrEnum):
    accepted = "accepted"
    proposed = "proposed"
    declined = "declined"
    removed = "removed"  # taken off the agenda by the facilitator; kept for the history


class AgendaItem(SQLModel, table=True):
    __tablename__ = "agenda_item"
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = fk("meeting.id")
    position: int = Field(default=0, nullable=False)
    title: str = text(200)
    description: str = Field(default="", sa_type=sa.Text, nullable=False)
    planned_minutes: int | None = Field(default=None, nullable=True)
    status: str = text(16, default=AgendaStatus.accepted.value)
    proposed_by_id: int | None = fk("user.id", nullable=True, ondelete="SET NULL")
    proposal_reason: str = Field(default="", sa_type=sa.Text, nullable=False)
    answer: str = Field(default="", sa_type=sa.Text, nullable=False)
    answered_at: datetime | None = when()
    conclusion: str = Field(default="", sa_type=sa.Text, nullable=False)
    carried_from_id: int | None = fk("agenda_item.id", nullable=True, ondelete="SET NULL")
    created_at: datetime = created_at()
