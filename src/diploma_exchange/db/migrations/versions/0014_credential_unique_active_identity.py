"""the database refuses a second active diploma (same graduate and programme, or number)

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-06 06:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in db/models.py (a migration does not import the models: they move on, it must not).
ACTIVE_HOLDER_PROGRAMME = "state <> 'revoked' AND holder_programme_sha256 <> ''"
ACTIVE_DIPLOMA_NUMBER = "state <> 'revoked' AND diploma_number <> ''"
INDEXES = (
    ("uq_credential_active_holder_programme", "holder_programme_sha256", ACTIVE_HOLDER_PROGRAMME),
    ("uq_credential_active_diploma_number", "diploma_number", ACTIVE_DIPLOMA_NUMBER),
)


class DuplicateDiplomas(RuntimeError):
    """Diplomas issued twice by a release before duplicates were refused: the registrar
    decides which one stands (the index cannot be built while both are active)."""


def find_active_duplicates(bind: sa.engine.Connection) -> list[tuple[str, list[str]]]:
    """``(what is repeated, [ids of the active diplomas])`` for every group of active
    diplomas of one institution sharing a graduate-and-programme digest or a number."""
    credential = sa.table(
        "credential",
        sa.column("id", sa.String),
        sa.column("institution_id", sa.String),
        sa.column("state", sa.String),
        sa.column("holder_programme_sha256", sa.String),
        sa.column("diploma_number", sa.String),
    )
    groups: list[tuple[str, list[str]]] = []
    for column, label in (
        (credential.c.holder_programme_sha256, "the same graduate and programme"),
        (credential.c.diploma_number, "diploma number"),
    ):
        repeated = (
            sa.select(credential.c.institution_id, column)
            .where(credential.c.state != "revoked", column != "")
            .group_by(credential.c.institution_id, column)
            .having(sa.func.count() > 1)
        ).subquery()
        rows = bind.execute(
            sa.select(credential.c.id, credential.c.institution_id, column)
            .join(
                repeated,
                sa.and_(
                    repeated.c.institution_id == credential.c.institution_id,
                    repeated.c[column.name] == column,
                ),
            )
            .where(credential.c.state != "revoked")
            .order_by(credential.c.institution_id, column, credential.c.id)
        ).all()
        found: dict[tuple[str, str], list[str]] = {}
        for cid, institution_id, value in rows:
            found.setdefault((institution_id, value), []).append(cid)
        for (_, value), ids in found.items():
            what = label if column.name == "holder_programme_sha256" else f"{label} {value!r}"
            groups.append((what, ids))
    return groups


def upgrade() -> None:
    bind = op.get_bind()
    duplicates = find_active_duplicates(bind)
    if duplicates:
        listed = "; ".join(f"{what}: {', '.join(ids)}" for what, ids in duplicates[:20])
        raise DuplicateDiplomas(
            f"{len(duplicates)} group(s) of active diplomas were issued twice before "
            f"duplicates were refused ({listed}). Keep one of each group and revoke the "
            "others (`diploma-exchange revoke ID --institution SLUG --reason superseded` "
            "with the release before this one), then upgrade again."
        )
    for name, column, where in INDEXES:
        op.create_index(
            name,
            "credential",
            ["institution_id", column],
            unique=True,
            sqlite_where=sa.text(where),
            postgresql_where=sa.text(where),
        )


def downgrade() -> None:
    for name, _, _ in INDEXES:
        op.drop_index(name, table_name="credential")
