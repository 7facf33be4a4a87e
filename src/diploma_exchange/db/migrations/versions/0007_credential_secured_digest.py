"""secured digests of what was issued here (the "issued here" check)

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

    op.create_table(
        "signed_document",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("issuer_did", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=255), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("digest"),
    )
    op.create_index("ix_signed_document_issuer_did", "signed_document", ["issuer_did"])
    _backfill_signed_documents(bind)


def _backfill_signed_documents(bind: sa.engine.Connection) -> None:
    """Record what was signed before this revision (status lists, recognition statements,
    accreditation credentials, published trust lists), so that they keep verifying."""
    from datetime import UTC, datetime

    sources = {
        "status-list": ("status_list", "signed_credential", "id"),
        "recognition-statement": ("recognition_statement", "document", "id"),
        "accreditation": ("accreditation", "document", "id"),
        "trust-list": ("published_trust_list", "document", "sequence_number"),
    }
    inspector = sa.inspect(bind)
    signed_document = sa.table(
        "signed_document",
        sa.column("digest", sa.String),
        sa.column("issuer_did", sa.String),
        sa.column("kind", sa.String),
        sa.column("reference", sa.String),
        sa.column("signed_at", sa.DateTime(timezone=True)),
    )
    seen: set[str] = set()
    for kind, (table, column, key) in sources.items():
        if not inspector.has_table(table):
            continue
        columns = {c["name"] for c in inspector.get_columns(table)}
        if column not in columns:
            continue
        rows = bind.execute(sa.text(f"SELECT {key}, {column} FROM {table}")).all()
        for ref, text in rows:
            if not text:
                continue
            document = orjson.loads(text)
            proof = document.get("proof")
            issuer = document.get("issuer")
            issuer = issuer.get("id") if isinstance(issuer, dict) else issuer
            if not isinstance(proof, dict) or not isinstance(issuer, str):
                continue
            digest = secured_digest(document)
            if digest in seen:
                continue
            seen.add(digest)
            bind.execute(
                signed_document.insert().values(
                    digest=digest,
                    issuer_did=issuer,
                    kind=kind,
                    reference=str(ref)[:255],
                    signed_at=datetime.now(UTC),
                )
            )


def downgrade() -> None:
    op.drop_index("ix_signed_document_issuer_did", table_name="signed_document")
    op.drop_table("signed_document")
    with op.batch_alter_table("credential") as batch:
        batch.drop_index("ix_credential_secured_digest")
        batch.drop_column("secured_digest")
