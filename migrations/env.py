"""Alembic environment: metadata from app.models, URL from app.settings (or the caller's
``config.attributes["connection"]``), batch mode on SQLite."""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlmodel import SQLModel

import app.models  # noqa: F401 - registers every table
from app.db import make_engine
from app.models.base import UTCDateTime
from app.settings import Settings

config = context.config
if config.config_file_name is not None and not config.attributes.get("skip_logging"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "app.models.base.UTCDateTime()"
    return False


def _configure(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        render_item=render_item,
        compare_type=True,
    )


def run_migrations_offline() -> None:
    context.configure(url=Settings.from_env().database_url, target_metadata=target_metadata,
                      literal_binds=True, render_item=render_item)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(Settings.from_env().database_url)
    with engine.connect() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
