"""Agreements (aftaler) made from ideas, their progress updates and participants' evaluations."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import created_at, fk, text


class AgreementStatus(StrEnum):
    open = "open"
    in_progress = "in-progress"
    done = "done"
    cancelled = "cancelled"


class Verdict(StrEnum):
    satisfied = "satisfied"
    needs_more_work = "needs-more-work"


class Agreement(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = fk("project.id")
    phase_id: int = fk("phase.id")
    meeting_id: int | None = fk("meeting.id", nullable=True)
    title: str = text(200)
    description: str = Field(default="", sa_type=sa.Text, nullable=False)
    owner_id: int | None = fk("user.id", nullable=True, ondelete="SET NULL")
    deadline: date | None = Field(default=None, nullable=True)
    status: str = text(16, default=AgreementStatus.open.value)
    created_by_id: int | None = fk("user.id", nullable=True, index=False, ondelete="SET NULL")
    created_at: datetime = created_at()


class AgreementIdea(SQLModel, table=True):
    __tablename__ = "agreement_idea"
    agreement_id: int = Field(foreign_key="agreement.id", primary_key=True, ondelete="CASCADE")
    idea_id: int = Field(foreign_key="idea.id", primary_key=True, ondelete="CASCADE")


class AgreementUpdate(SQLModel, table=True):
    __tablename__ = "agreement_update"
    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = fk("agreement.id")
    author_id: int | None = fk("user.id", nullable=True, ondelete="SET NULL")
    body: str = Field(sa_type=sa.Text, nullable=False)
    new_status: str | None = text(16, nullable=True)
    created_at: datetime = created_at()


class Evaluation(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("agreement_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = fk("agreement.id")
    user_id: int = fk("user.id")
    verdict: str = text(20)
    comment: str = Field(default="", sa_type=sa.Text, nullable=False)
    created_at: datetime = created_at()
