"""institutions the NIC allows to issue any VC 2.0 credential (not only diplomas)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 03:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("institution") as batch:
        batch.add_column(
            sa.Column("may_issue_any_vc", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("institution") as batch:
        batch.drop_column("may_issue_any_vc")
