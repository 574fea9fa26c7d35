"""People: staff with a password, and citizens who joined by a link or a code (no password)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import created_at, fk, text, when


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    display_name: str = text(80)
    email: str | None = Field(default=None, max_length=254, sa_type=sa.String(254), unique=True,
                              nullable=True)
    password_hash: str | None = text(255, nullable=True)
    is_guest: bool = Field(default=False, nullable=False)
    locale: str | None = text(8, nullable=True)
    created_at: datetime = created_at()
    erased_at: datetime | None = when()


class PasswordReset(SQLModel, table=True):
    """A single-use, expiring password reset; only the token's hash is stored."""

    __tablename__ = "password_reset"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = fk("user.id")
    token_hash: str = Field(max_length=64, sa_type=sa.String(64), unique=True)
    expires_at: datetime = when(nullable=False)
    used_at: datetime | None = when()
    created_at: datetime = created_at()


class LoginLink(SQLModel, table=True):
    """A single-use, expiring login link for a person without a password; only the token's hash is stored.

    Kept apart from PasswordReset so that neither kind of link can be used as the other.
    """

    __tablename__ = "login_link"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = fk("user.id")
    token_hash: str = Field(max_length=64, sa_type=sa.String(64), unique=True)
    expires_at: datetime = when(nullable=False)
    used_at: datetime | None = when()
    created_at: datetime = created_at()
