"""db.bulk_insert.insert_rows: COPY on PostgreSQL, executemany on SQLite, the same outcome:
the rows as given, in the caller's transaction (a rollback or savepoint removes them), and
SQLAlchemy's IntegrityError for a violated constraint."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from diploma_exchange.db.bulk_insert import insert_rows
from diploma_exchange.db.models import AuditEntryRecord, LogLeafRecord, as_utc, core_table

AT = datetime(2026, 6, 30, 12, 0, 0, 123456, tzinfo=UTC)


def leaf(idx: int, **changes: Any) -> dict[str, Any]:
    row = {
        "idx": idx,
        "data": b"leaf \x00\xff\\ \t\n" + str(idx).encode(),
        "kind": "issuance",
        "issuer": "did:web:example.kz",
        "digest": f"{idx:064x}",
        "key_ref": None,
        "logged_at": AT,
    }
    return {**row, **changes}


def audit_row(seq: int) -> dict[str, Any]:
    return {
        "seq": seq,
        "at": AT,
        "actor": "cli:registrar@host",
        "action": "diploma.issue",
        "object_type": "diploma",
        "object_id": f"urn:uuid:{seq}",
        "details": '{"note":"tab\\t, quote \\" and \\\\ backslash, ünïcödé"}',
        "prev_sha256": "0" * 64,
        "entry_sha256": f"{seq:064x}",
    }


def test_rows_are_stored_exactly_as_given(engine: Engine) -> None:
    leaves = [leaf(0), leaf(1, key_ref="did:web:example.kz#key-1", digest=None)]
    entries = [audit_row(1), audit_row(2)]
    with Session(engine) as session:
        insert_rows(session, core_table(LogLeafRecord), leaves)
        insert_rows(session, core_table(AuditEntryRecord), entries)
        session.commit()
    with Session(engine) as session:
        stored = session.exec(select(LogLeafRecord).order_by(col(LogLeafRecord.idx))).all()
        assert [{**r.model_dump(), "logged_at": as_utc(r.logged_at)} for r in stored] == leaves
        audited = session.exec(select(AuditEntryRecord).order_by(col(AuditEntryRecord.seq))).all()
        assert [{**r.model_dump(), "at": as_utc(r.at)} for r in audited] == entries


def test_a_rollback_removes_the_rows(engine: Engine) -> None:
    with Session(engine) as session:
        insert_rows(session, core_table(LogLeafRecord), [leaf(i) for i in range(5)])
        session.rollback()
    with Session(engine) as session:
        assert session.exec(select(LogLeafRecord)).all() == []


def test_a_violation_is_an_integrity_error_and_a_savepoint_keeps_the_rest(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        insert_rows(session, core_table(LogLeafRecord), [leaf(0), leaf(1)])
        with pytest.raises(IntegrityError), session.begin_nested():
            insert_rows(session, core_table(LogLeafRecord), [leaf(2), leaf(1)])
        insert_rows(session, core_table(LogLeafRecord), [leaf(3)])
        session.commit()
    with Session(engine) as session:
        assert session.exec(select(LogLeafRecord.idx).order_by(col(LogLeafRecord.idx))).all() == [
            0,
            1,
            3,
        ]


def test_nothing_to_insert_is_a_no_op(engine: Engine) -> None:
    with Session(engine) as session:
        insert_rows(session, core_table(LogLeafRecord), [])
        session.commit()
        assert session.exec(select(LogLeafRecord)).all() == []


def test_a_key_that_is_no_column_is_refused(engine: Engine) -> None:
    with Session(engine) as session, pytest.raises(ValueError) as caught:
        insert_rows(session, core_table(LogLeafRecord), [{**leaf(0), "colour": "blue"}])
    assert "colour" in str(caught.value)
