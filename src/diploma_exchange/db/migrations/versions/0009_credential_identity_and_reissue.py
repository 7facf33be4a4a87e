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
    # Plain ALTER TABLE (no batch copy of the table: on SQLite that would drop and recreate
    # ``credential``, which other tables' rows refer to). The server default stays: rows
    # written by an older release get "" (no identity), never a NULL.
    op.add_column(
        "credential",
        sa.Column(
            "holder_programme_sha256", sa.String(length=64), nullable=False, server_default=""
        ),
    )
    op.add_column(
        "credential",
        sa.Column("diploma_number", sa.String(length=64), nullable=False, server_default=""),
    )
    op.add_column("credential", sa.Column("reissue_of", sa.String(length=255), nullable=True))
    op.add_column("credential", sa.Column("reissue_reason", sa.String(length=500), nullable=True))
    backfill(op.get_bind())
    op.create_index(
        "ix_credential_holder_programme_sha256", "credential", ["holder_programme_sha256"]
    )
    op.create_index("ix_credential_diploma_number", "credential", ["diploma_number"])


def backfill(bind: sa.engine.Connection) -> None:
    """Give every diploma already issued its identity (credentials.identity)."""
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


def downgrade() -> None:
    op.drop_index("ix_credential_diploma_number", table_name="credential")
    op.drop_index("ix_credential_holder_programme_sha256", table_name="credential")
    for column in ("reissue_reason", "reissue_of", "diploma_number", "holder_programme_sha256"):
        op.drop_column("credential", column)
