"""issuance transparency log

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "log_leaf",
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("issuer", sa.String(length=255), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=True),
        sa.Column("key_ref", sa.String(length=255), nullable=True),
        _ts("logged_at"),
        sa.PrimaryKeyConstraint("idx"),
    )
    with op.batch_alter_table("log_leaf") as batch:
        batch.create_index(batch.f("ix_log_leaf_digest"), ["digest"], unique=False)
        batch.create_index(batch.f("ix_log_leaf_key_ref"), ["key_ref"], unique=False)
    op.create_table(
        "log_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "log_tree",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("root_sha256", sa.String(length=64), nullable=False),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "log_tile",
        sa.Column("level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hashes", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx"),
    )
    op.create_table(
        "log_checkpoint",
        sa.Column("size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("root_sha256", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("size"),
    )
    op.create_table(
        "log_cosignature",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("witness_vkey", sa.String(length=500), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("size", "witness_vkey", "timestamp"),
    )
    with op.batch_alter_table("log_cosignature") as batch:
        batch.create_index(batch.f("ix_log_cosignature_size"), ["size"], unique=False)
    op.create_table(
        "log_key",
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("vkey", sa.String(length=500), nullable=False),
        sa.Column("encrypted_private_key", sa.LargeBinary(), nullable=False),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("purpose"),
    )
    op.create_table(
        "log_witness",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("vkey", sa.String(length=500), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("partner_did", sa.String(length=255), nullable=True),
        sa.Column("last_size", sa.BigInteger(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("vkey"),
    )
    op.create_table(
        "witnessed_log",
        sa.Column("origin", sa.String(length=255), nullable=False),
        sa.Column("vkey", sa.String(length=500), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("partner_did", sa.String(length=255), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("root_sha256", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("origin"),
    )


def downgrade() -> None:
    for table in (
        "witnessed_log",
        "log_witness",
        "log_key",
        "log_cosignature",
        "log_checkpoint",
        "log_tile",
        "log_tree",
        "log_head",
    ):
        op.drop_table(table)
    with op.batch_alter_table("log_leaf") as batch:
        batch.drop_index(batch.f("ix_log_leaf_key_ref"))
        batch.drop_index(batch.f("ix_log_leaf_digest"))
    op.drop_table("log_leaf")
