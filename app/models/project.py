"""A co-creation project (samskabelsesprojekt), its members and its invite links."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import created_at, fk, text, when


class Project(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = fk("organisation.id")
    title: str = text(200)
    description: str = Field(default="", sa_type=sa.Text, nullable=False)
    report_public: bool = Field(default=False, nullable=False)
    created_by_id: int | None = fk("user.id", nullable=True, ondelete="SET NULL")
    created_at: datetime = created_at()


class ProjectMember(SQLModel, table=True):
    """Everyone who belongs to a project and may read all of it (a follower at least)."""

    __tablename__ = "project_member"
    __table_args__ = (sa.UniqueConstraint("project_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = fk("project.id")
    user_id: int = fk("user.id")
    joined_at: datetime = created_at()


class ProjectInvite(SQLModel, table=True):
    """A link a facilitator sends (by text message, mail): opening it makes the citizen a member,
    and a participant of ``phase_id`` when set."""

    __tablename__ = "project_invite"
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = fk("project.id")
    phase_id: int | None = fk("phase.id", nullable=True)
    token: str = Field(max_length=64, sa_type=sa.String(64), unique=True, index=True)
    created_by_id: int | None = fk("user.id", nullable=True, ondelete="SET NULL")
    created_at: datetime = created_at()
    expires_at: datetime | None = when()
    revoked_at: datetime | None = when()
    uses: int = Field(default=0, nullable=False)
