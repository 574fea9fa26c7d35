"""Phases of a project, in order, each with its own facilitators and participant circle."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import created_at, fk, text


class PhaseStatus(StrEnum):
    planned = "planned"
    active = "active"
    closed = "closed"


class PhaseRole(StrEnum):
    facilitator = "facilitator"
    participant = "participant"


class Phase(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = fk("project.id")
    position: int = Field(default=0, nullable=False)
    title: str = text(200)
    goal: str = Field(default="", sa_type=sa.Text, nullable=False)
    starts_on: date | None = Field(default=None, nullable=True)
    ends_on: date | None = Field(default=None, nullable=True)
    status: str = text(16, default=PhaseStatus.planned.value)
    created_at: datetime = created_at()


class PhaseMembership(SQLModel, table=True):
    __tablename__ = "phase_membership"
    __table_args__ = (sa.UniqueConstraint("phase_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    phase_id: int = fk("phase.id")
    user_id: int = fk("user.id")
    role: str = text(16, default=PhaseRole.participant.value)
    created_at: datetime = created_at()
