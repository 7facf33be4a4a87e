"""which diploma a credential is (duplicates refused) and re-issuance links

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 03:40:00
"""

from collections.abc import Sequence

import orjson
import sqlalchemy as sa
from alembic import op

from diploma_exchange.credentials.identity import diploma_identity

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("credential") as batch:
        batch.add_column(
            sa.Column(
                "holder_programme_sha256", sa.String(length=64), nullable=False, server_default=""
            )
        )
        batch.add_column(
            sa.Column("diploma_number", sa.String(length=64), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("reissue_of", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("reissue_reason", sa.String(length=500), nullable=True))
    bind = op.get_bind()
    credential = sa.table(
        "credential",
        sa.column("id", sa.String),
        sa.column("institution_id", sa.String),
        sa.column("document", sa.Text),
        sa.column("holder_programme_sha256", sa.String),
        sa.column("diploma_number", sa.String),
    )
    rows = bind.execute(
        sa.select(credential.c.id, credential.c.institution_id, credential.c.document)
    ).all()
    for row in rows:
        identity = diploma_identity(row.institution_id, orjson.loads(row.document))
        bind.execute(
            credential.update()
            .where(credential.c.id == row.id)
            .values(
                holder_programme_sha256=identity.holder_programme_sha256,
                diploma_number=identity.diploma_number,
            )
        )
    with op.batch_alter_table("credential") as batch:
        batch.alter_column(
            "holder_programme_sha256", existing_type=sa.String(length=64), server_default=None
        )
        batch.alter_column(
            "diploma_number", existing_type=sa.String(length=64), server_default=None
        )
        batch.create_index(
            "ix_credential_holder_programme_sha256", ["holder_programme_sha256"], unique=False
        )
        batch.create_index("ix_credential_diploma_number", ["diploma_number"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("credential") as batch:
        batch.drop_index("ix_credential_diploma_number")
        batch.drop_index("ix_credential_holder_programme_sha256")
        batch.drop_column("reissue_reason")
        batch.drop_column("reissue_of")
        batch.drop_column("diploma_number")
        batch.drop_column("holder_programme_sha256")
