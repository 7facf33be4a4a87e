"""institutions' issuing key type (Ed25519, P-256 or P-384)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("institution", recreate="never") as batch:
        batch.add_column(
            sa.Column(
                "issuing_key_type", sa.String(length=16), nullable=False, server_default="Ed25519"
            )
        )


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN (SQLite >= 3.35 has it): recreating ``institution`` as
    # batch mode would fail on SQLite with foreign keys on, since other tables reference it
    with op.batch_alter_table("institution", recreate="never") as batch:
        batch.drop_column("issuing_key_type")
