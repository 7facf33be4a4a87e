"""issuance transparency log

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 10:00:00
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from diploma_exchange.transparency.entries import (
    IssuanceEntry,
    KeyEntry,
    StatusEntry,
    encode_entry,
)

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
    _backfill()


def _utc(value: Any) -> datetime:
    moment: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
    moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


#: Within one second: a key is added before it signs; issuance before status changes; a key
#: ends after what it signed in that second (as rotation and compromise behave).
_RANK = {"added": 0, "issuance": 1, "status": 2, "retired": 3, "compromised": 3}


def _backfill() -> None:
    """Everything issued before the log existed becomes its first entries, in time order
    (diplomas by issue time, key events by record time, status changes by their time), so
    that diplomas issued earlier are not reported as missing from the log."""
    bind = op.get_bind()
    items: list[tuple[datetime, int, str, dict[str, Any]]] = []
    for row in bind.execute(
        sa.text("SELECT id, document, issuer_did, secured_digest, issued_at FROM credential")
    ):
        proof = json.loads(row.document).get("proof")
        if isinstance(proof, list) and proof:  # a proof set: the issuer's proof comes first
            proof = proof[0]
        method = proof.get("verificationMethod") if isinstance(proof, dict) else None
        if not isinstance(method, str):
            continue
        issued = IssuanceEntry(_utc(row.issued_at), row.issuer_did, method, row.secured_digest)
        items.append((issued.time, _RANK["issuance"], row.id, {"entry": issued}))
    for row in bind.execute(sa.text("SELECT entry, entry_sha256 FROM key_event")):
        event = json.loads(row.entry)
        key = KeyEntry(
            _utc(event["recordedAt"]),
            event["controller"],
            event["keyId"],
            event["event"],
            _utc(event["effectiveAt"]),
            event["publicKeyMultibase"],
            row.entry_sha256,
        )
        items.append((key.time, _RANK[key.event], row.entry_sha256, {"entry": key}))
    for row in bind.execute(
        sa.text(
            "SELECT s.id, s.action, s.created_at, c.issuer_did, c.secured_digest "
            "FROM status_event s JOIN credential c ON c.id = s.credential_id"
        )
    ):
        change = StatusEntry(_utc(row.created_at), row.issuer_did, row.secured_digest, row.action)
        items.append((change.time, _RANK["status"], row.id, {"entry": change}))
    items.sort(key=lambda item: (item[0], item[1], item[2]))
    leaf = sa.table(
        "log_leaf",
        sa.column("idx", sa.BigInteger),
        sa.column("data", sa.LargeBinary),
        sa.column("kind", sa.String),
        sa.column("issuer", sa.String),
        sa.column("digest", sa.String),
        sa.column("key_ref", sa.String),
        sa.column("logged_at", sa.DateTime(timezone=True)),
    )
    rows = []
    for index, (_, _, _, value) in enumerate(items):
        entry = value["entry"]
        rows.append(
            {
                "idx": index,
                "data": encode_entry(entry),
                "kind": entry.type,
                "issuer": entry.issuer,
                "digest": getattr(entry, "digest", None),
                "key_ref": entry.key if isinstance(entry, KeyEntry) else None,
                "logged_at": entry.time,
            }
        )
    for start in range(0, len(rows), 2000):
        bind.execute(leaf.insert(), rows[start : start + 2000])
    if rows:
        head = sa.table("log_head", sa.column("id", sa.Integer), sa.column("size", sa.BigInteger))
        bind.execute(head.insert().values(id=1, size=len(rows)))


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
