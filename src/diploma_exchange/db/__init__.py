"""Persistence: SQLModel tables (``*Record``), engine/session helpers, Alembic migrations."""
