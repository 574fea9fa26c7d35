"""Votes in a meeting (dot voting, yes/no/abstain, 1-5 scale, open question) and ballots."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import created_at, fk, json_column, text, when


class VoteKind(StrEnum):
    dots = "dots"
    yes_no = "yes-no"
    scale = "scale"
    open_question = "open"


class VoteStatus(StrEnum):
    open = "open"
    locked = "locked"
    closed = "closed"


class Vote(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = fk("meeting.id")
    agenda_item_id: int | None = fk("agenda_item.id", nullable=True)
    kind: str = text(16, default=VoteKind.dots.value)
    question: str = text(300)
    dots_per_person: int = Field(default=3, nullable=False)
    status: str = text(16, default=VoteStatus.open.value)
    results_live: bool = Field(default=False, nullable=False)
    # Bumped (under the row lock) by every ballot: orders tallies computed by different processes.
    tally_version: int = Field(default=0, nullable=False)
    revealed_at: datetime | None = when()
    created_by_id: int | None = fk("user.id", nullable=True, ondelete="SET NULL")
    created_at: datetime = created_at()
    closed_at: datetime | None = when()


class VoteOption(SQLModel, table=True):
    __tablename__ = "vote_option"
    id: int | None = Field(default=None, primary_key=True)
    vote_id: int = fk("vote.id")
    idea_id: int | None = fk("idea.id", nullable=True)
    label: str = text(200)
    position: int = Field(default=0, nullable=False)
    # An open question's answers are options made by the voters; a facilitator may hide one.
    hidden_at: datetime | None = when()
    hidden_reason: str = text(300, default="")


class Ballot(SQLModel, table=True):
    """One per person per vote (enforced by a unique key); replaced until the vote is locked."""

    __table_args__ = (sa.UniqueConstraint("vote_id", "voter_id"),)
    id: int | None = Field(default=None, primary_key=True)
    vote_id: int = fk("vote.id")
    voter_id: int = fk("user.id")
    choices: dict[str, Any] = json_column()
    created_at: datetime = created_at()
    updated_at: datetime | None = when()
