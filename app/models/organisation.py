"""Organisations (a municipality, a housing association, a union) and their staff."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import created_at, fk, text, when


class OrgRole(StrEnum):
    admin = "admin"
    staff = "staff"


class Organisation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = text(200)
    slug: str = Field(max_length=80, sa_type=sa.String(80), unique=True, index=True)
    created_at: datetime = created_at()


class OrgMembership(SQLModel, table=True):
    __tablename__ = "org_membership"
    __table_args__ = (sa.UniqueConstraint("org_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = fk("organisation.id")
    user_id: int = fk("user.id")
    role: str = text(16, default=OrgRole.staff.value)
    created_at: datetime = created_at()


class StaffInvite(SQLModel, table=True):
    """An admin's invitation for a staff member to sign up into the organisation."""

    __tablename__ = "staff_invite"
    id: int | None = Field(default=None, primary_key=True)
    org_id: int = fk("organisation.id")
    email: str = text(254)
    token_hash: str = Field(max_length=64, sa_type=sa.String(64), unique=True)
    role: str = text(16, default=OrgRole.staff.value)
    invited_by_id: int | None = fk("user.id", nullable=True, ondelete="SET NULL")
    created_at: datetime = created_at()
    used_at: datetime | None = when()
