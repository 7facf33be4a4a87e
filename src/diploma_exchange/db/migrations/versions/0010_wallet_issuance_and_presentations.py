"""wallet issuance (OpenID4VCI offers, nonces, issuance events) and OpenID4VP requests

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-06 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "wallet_offer",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("credential_id", sa.String(length=255), nullable=False),
        sa.Column("code_sha256", sa.String(length=64), nullable=False),
        sa.Column("tx_code_sha256", sa.String(length=64), nullable=True),
        sa.Column("failed_tx_attempts", sa.Integer(), nullable=False),
        sa.Column("configuration_ids", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("redeemed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("token_sha256", sa.String(length=64), nullable=True),
        sa.Column("token_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["credential_id"], ["credential.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("wallet_offer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wallet_offer_credential_id"), ["credential_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_wallet_offer_code_sha256"), ["code_sha256"], unique=True
        )
        batch_op.create_index(
            batch_op.f("ix_wallet_offer_token_sha256"), ["token_sha256"], unique=True
        )
    op.create_table(
        "wallet_nonce",
        sa.Column("nonce_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("nonce_sha256"),
    )
    op.create_table(
        "wallet_issuance",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("credential_id", sa.String(length=255), nullable=False),
        sa.Column("offer_id", sa.String(length=36), nullable=False),
        sa.Column("configuration_id", sa.String(length=64), nullable=False),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("holder", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["credential_id"], ["credential.id"]),
        sa.ForeignKeyConstraint(["offer_id"], ["wallet_offer.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("wallet_issuance", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wallet_issuance_credential_id"), ["credential_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_wallet_issuance_offer_id"), ["offer_id"], unique=False)
    op.create_table(
        "presentation_request",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("handle_sha256", sa.String(length=64), nullable=False),
        sa.Column("dcql_query", sa.Text(), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("report", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("presentation_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_presentation_request_handle_sha256"), ["handle_sha256"], unique=True
        )


def downgrade() -> None:
    op.drop_table("presentation_request")
    op.drop_table("wallet_issuance")
    op.drop_table("wallet_nonce")
    op.drop_table("wallet_offer")
