"""Alembic migrations are the only way tables are made, and they match the models."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from diploma_exchange.db import models  # noqa: F401


def test_migrations_match_models(engine: Any) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == [], f"models and migrations differ; add an Alembic revision: {diff}"
