"""VC-API exchanges (diploma issuance to a DID-authenticated wallet, diploma verification)

Revision ID: 0016
Revises: 0012
Create Date: 2026-12-06 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "vcapi_exchange",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("exchange_sha256", sa.String(length=64), nullable=False),
        sa.Column("handle_sha256", sa.String(length=64), nullable=False),
        sa.Column("workflow", sa.String(length=32), nullable=False),
        sa.Column("credential_id", sa.String(length=255), nullable=True),
        sa.Column("challenge", sa.String(length=64), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("holder", sa.Text(), nullable=True),
        sa.Column("digest", sa.String(length=64), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["credential_id"], ["credential.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("vcapi_exchange", recreate="never") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vcapi_exchange_exchange_sha256"), ["exchange_sha256"], unique=True
        )
        batch_op.create_index(
            batch_op.f("ix_vcapi_exchange_handle_sha256"), ["handle_sha256"], unique=True
        )
        batch_op.create_index(
            batch_op.f("ix_vcapi_exchange_credential_id"), ["credential_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("vcapi_exchange")
