"""Bulk issuance of a graduating year from CSV: validated first, chunked transactions signed on
several processes, resumable by the file's digest, nothing half-issued."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from conftest import Tenant
from diploma_exchange.config import Settings
from diploma_exchange.credentials.samples import write_sample_class_csv
from diploma_exchange.db.models import (
    BatchRecord,
    ClaimCodeRecord,
    CredentialRecord,
    StatusAllocationRecord,
)
from diploma_exchange.errors import Conflict, InvalidInput
from diploma_exchange.services import bulk, verification


def counts(engine: Engine) -> tuple[int, int, int]:
    with Session(engine) as s:
        return (
            s.exec(select(func.count()).select_from(CredentialRecord)).one(),
            s.exec(select(func.count()).select_from(StatusAllocationRecord)).one(),
            s.exec(select(func.count()).select_from(ClaimCodeRecord)).one(),
        )


def test_bulk_issue_with_worker_processes_verifies(
    engine: Engine, settings: Settings, kaznu: Tenant, tmp_path: Path
) -> None:
    path = write_sample_class_csv(tmp_path / "class.csv", 25)
    seen: list[int] = []
    result = bulk.issue_csv_file(
        engine,
        settings,
        kaznu.slug,
        path,
        chunk_size=10,
        workers=2,
        on_chunk=lambda n, signed, claims: seen.append(len(signed)),
    )
    assert (result.total, result.issued, result.chunks, result.workers) == (25, 25, 3, 2)
    assert seen == [10, 10, 5]
    assert counts(engine) == (25, 50, 25)
    with Session(engine) as s:
        docs = [json.loads(r.document) for r in s.exec(select(CredentialRecord)).all()]
        for doc in docs[:3] + docs[-2:]:
            report = verification.verify(s, settings, doc)
            assert report.verdict.value == "valid", report.to_json()
    assert len({d["id"] for d in docs}) == 25


def test_a_bad_row_issues_nothing(
    engine: Engine, settings: Settings, kaznu: Tenant, tmp_path: Path
) -> None:
    path = write_sample_class_csv(tmp_path / "class.csv", 12)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[9] = lines[9].replace("BachelorDegree", "NoSuchDegree")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        bulk.issue_csv_file(engine, settings, kaznu.slug, path, chunk_size=5, workers=0)
    assert any(d.pointer.startswith("/rows/9") for d in caught.value.details)
    assert counts(engine) == (0, 0, 0)


def test_a_crash_after_a_chunk_resumes_without_duplicates(
    engine: Engine, settings: Settings, kaznu: Tenant, tmp_path: Path
) -> None:
    path = write_sample_class_csv(tmp_path / "class.csv", 12)

    def crash_after_first(number: int, signed: object, claims: object) -> None:
        if number == 1:
            raise KeyboardInterrupt  # the process dies after chunk 1 committed

    with pytest.raises(KeyboardInterrupt):
        bulk.issue_csv_file(
            engine, settings, kaznu.slug, path, chunk_size=5, workers=0, on_chunk=crash_after_first
        )
    # Whole chunks only: chunks 0 and 1 are issued; chunk 2's indexes were reserved (in the
    # same commit as chunk 1's diplomas) but none of its diplomas exists.
    assert counts(engine) == (10, 24, 10)
    again = bulk.issue_csv_file(engine, settings, kaznu.slug, path, chunk_size=5, workers=0)
    assert (again.skipped_chunks, again.issued) == (2, 2)  # chunk 2 with its reserved indexes
    assert counts(engine) == (12, 24, 12)
    third = bulk.issue_csv_file(engine, settings, kaznu.slug, path, chunk_size=5, workers=0)
    assert (third.skipped_chunks, third.issued) == (3, 0)
    with Session(engine) as s:
        keys = s.exec(select(BatchRecord.idempotency_key)).all()
    assert len(keys) == len(set(keys)) == 3


def test_a_failure_inside_a_chunk_leaves_no_trace_of_it(
    engine: Engine,
    settings: Settings,
    kaznu: Tenant,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write_sample_class_csv(tmp_path / "class.csv", 8)
    calls = {"n": 0}
    original = bulk._sign_rows

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker died")
        return original(*args, **kwargs)

    monkeypatch.setattr(bulk, "_sign_rows", failing)
    with pytest.raises(RuntimeError):
        bulk.issue_csv_file(engine, settings, kaznu.slug, path, chunk_size=4, workers=0)
    assert counts(engine) == (4, 16, 4)  # chunk 0 issued; chunk 1 only reserved
    monkeypatch.setattr(bulk, "_sign_rows", original)
    rerun = bulk.issue_csv_file(engine, settings, kaznu.slug, path, chunk_size=4, workers=0)
    assert (rerun.skipped_chunks, rerun.issued) == (1, 4)
    assert counts(engine) == (8, 16, 8)


def test_a_job_key_reused_for_another_file_is_refused(
    engine: Engine, settings: Settings, kaznu: Tenant, tmp_path: Path
) -> None:
    first = write_sample_class_csv(tmp_path / "a.csv", 3)
    bulk.issue_csv_file(engine, settings, kaznu.slug, first, job_key="june-2026", workers=0)
    other = write_sample_class_csv(tmp_path / "b.csv", 4)
    with pytest.raises(Conflict):
        bulk.issue_csv_file(engine, settings, kaznu.slug, other, job_key="june-2026", workers=0)
    assert counts(engine)[0] == 3


def test_bulk_issue_with_an_ecdsa_issuing_key_verifies(
    engine: Engine, settings: Settings, kaznu: Tenant, tmp_path: Path
) -> None:
    from diploma_exchange.proofs.keys import KeyType
    from diploma_exchange.services import institutions

    with Session(engine) as s:
        record = institutions.get_institution(s, kaznu.slug)
        institutions.add_signing_key(s, settings, record, key_type=KeyType.P384)
        institutions.set_issuing_key_type(s, record, KeyType.P384)
        s.commit()
    path = write_sample_class_csv(tmp_path / "class.csv", 4)
    result = bulk.issue_csv_file(engine, settings, kaznu.slug, path, chunk_size=2, workers=0)
    assert (result.total, result.issued) == (4, 4)
    with Session(engine) as s:
        docs = [json.loads(r.document) for r in s.exec(select(CredentialRecord)).all()]
        for doc in docs:
            assert [p["cryptosuite"] for p in doc["proof"]] == ["ecdsa-jcs-2019", "ecdsa-rdfc-2019"]
            assert doc["proof"][0]["verificationMethod"].endswith("#key-2")
            report = verification.verify(s, settings, doc)
            assert report.verdict.value == "valid", report.to_json()


def _rewrite(path: Path, change: Any) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    change(lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_problems_of_every_chunk_are_reported_together_in_row_order(
    engine: Engine, settings: Settings, kaznu: Tenant, tmp_path: Path
) -> None:
    path = write_sample_class_csv(tmp_path / "class.csv", 12)

    def break_rows(lines: list[str]) -> None:
        for row in (11, 2):  # line n is data row n (line 0 is the header)
            cells = lines[row].split(",")
            cells[3] = "2002-13-45"  # birth_date
            lines[row] = ",".join(cells)

    _rewrite(path, break_rows)
    with pytest.raises(InvalidInput) as caught:
        bulk.issue_csv_file(engine, settings, kaznu.slug, path, chunk_size=4, workers=0)
    assert [d.pointer for d in caught.value.details] == [
        "/rows/2/birth_date",
        "/rows/11/birth_date",
    ]
    assert counts(engine) == (0, 0, 0)


def test_a_graduate_repeated_in_another_chunk_is_found_by_the_worker_survey(
    engine: Engine, settings: Settings, kaznu: Tenant, tmp_path: Path
) -> None:
    # The survey runs in worker processes (2 here): they name the diplomas, this process
    # compares them across chunks; row 23 repeats row 3, two chunks later.
    path = write_sample_class_csv(tmp_path / "class.csv", 25)
    _rewrite(path, lambda lines: lines.__setitem__(23, lines[3]))
    with pytest.raises(Conflict) as caught:
        bulk.issue_csv_file(engine, settings, kaznu.slug, path, chunk_size=10, workers=2)
    assert caught.value.code == "duplicate-in-request"
    assert [d.pointer for d in caught.value.details] == ["/rows/23"]
    assert counts(engine) == (0, 0, 0)


def test_a_file_with_only_a_header_is_refused(
    engine: Engine, settings: Settings, kaznu: Tenant, tmp_path: Path
) -> None:
    path = write_sample_class_csv(tmp_path / "class.csv", 3)
    _rewrite(path, lambda lines: lines.__delitem__(slice(1, None)))
    with pytest.raises(InvalidInput) as caught:
        bulk.issue_csv_file(engine, settings, kaznu.slug, path, workers=0)
    assert caught.value.pointer == "/rows"
    assert counts(engine) == (0, 0, 0)
