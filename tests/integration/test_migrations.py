"""Migrations: an empty database migrates to head, and autogenerate finds no drift from the models."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from app.db import make_engine
from app.settings import ROOT


def _config(connection: sa.Connection) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.attributes["connection"] = connection
    cfg.attributes["skip_logging"] = True
    return cfg


@pytest.mark.parametrize(
    "empty_database_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_empty_database_migrates_to_head_with_no_drift(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    try:
        with engine.begin() as conn:
            command.upgrade(_config(conn), "head")
        with engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
            assert set(SQLModel.metadata.tables) <= tables
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, SQLModel.metadata)
            assert diff == [], f"models and migrations differ: {diff}"
        with engine.begin() as conn:
            command.downgrade(_config(conn), "base")
        with engine.connect() as conn:
            assert set(sa.inspect(conn).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
