"""credential secured digest (the "issued here" check)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 23:59:00
"""

from collections.abc import Sequence

import orjson
import sqlalchemy as sa
from alembic import op

from diploma_exchange.proofs.secured import secured_digest

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("credential", sa.Column("secured_digest", sa.String(length=64), nullable=True))
    bind = op.get_bind()
    credential = sa.table(
        "credential",
        sa.column("id", sa.String),
        sa.column("document", sa.Text),
        sa.column("secured_digest", sa.String),
    )
    rows = bind.execute(sa.select(credential.c.id, credential.c.document)).all()
    for row in rows:
        digest = secured_digest(orjson.loads(row.document))
        bind.execute(
            credential.update().where(credential.c.id == row.id).values(secured_digest=digest)
        )
    with op.batch_alter_table("credential") as batch:
        batch.alter_column("secured_digest", existing_type=sa.String(length=64), nullable=False)
        batch.create_index("ix_credential_secured_digest", ["secured_digest"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("credential") as batch:
        batch.drop_index("ix_credential_secured_digest")
        batch.drop_column("secured_digest")
