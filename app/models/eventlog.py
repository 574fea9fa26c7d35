"""The event log, the per-room sequence counters and the command receipts (idempotency)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import created_at, json_column, text


class RoomCounter(SQLModel, table=True):
    """The last seq given out in a room; updated in the writing transaction, so seqs are gapless
    and in commit order (the row lock serialises writers of one room)."""

    __tablename__ = "room_counter"
    room: str = Field(max_length=64, sa_type=sa.String(64), primary_key=True)
    last_seq: int = Field(default=0, nullable=False)
    live: bool = Field(default=False, nullable=False)


class EventRecord(SQLModel, table=True):
    __tablename__ = "event_log"
    __table_args__ = (sa.UniqueConstraint("room", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    room: str = text(64)
    seq: int = Field(nullable=False)
    type: str = text(64)
    actor_id: int | None = Field(default=None, nullable=True)
    data: dict[str, Any] = json_column()
    created_at: datetime = created_at()


class CommandReceipt(SQLModel, table=True):
    """The first answer to a client command, keyed by (actor, client id); a resend gets it again."""

    __tablename__ = "command_receipt"
    actor_key: str = Field(max_length=64, sa_type=sa.String(64), primary_key=True)
    client_id: str = Field(max_length=64, sa_type=sa.String(64), primary_key=True)
    response: dict[str, Any] = json_column()
    created_at: datetime = created_at()
