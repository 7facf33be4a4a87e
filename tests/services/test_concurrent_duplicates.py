"""Two requests for one diploma at the same moment issue it once.

The duplicate check (services.issuance.find_duplicates) reads before it writes: two requests
that both read before either committed would both pass it. The database's unique indexes
(one active diploma per graduate and programme, one per diploma number; one batch per
Idempotency-Key) refuse the second insert, and the loser answers what a sequential duplicate
answers. On PostgreSQL the race is run for real, in threads held together at the point where
both have passed the check; on SQLite (which runs writers one at a time) the second request
is made to skip the check, which is what losing the race amounts to.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from conftest import Backend, Tenant
from diploma_exchange.config import Settings
from diploma_exchange.credentials.samples import sample_diploma_data, write_sample_class_csv
from diploma_exchange.db.models import (
    BatchRecord,
    ClaimCodeRecord,
    CredentialRecord,
    StatusAllocationRecord,
)
from diploma_exchange.errors import Conflict
from diploma_exchange.services import bulk, institutions, issuance
from helpers import diploma_payload


def count(engine: Engine, table: Any) -> int:
    with Session(engine) as s:
        return int(s.exec(select(func.count()).select_from(table)).one())


def problem_of(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


def held_together(real: Callable[..., Any], barrier: threading.Barrier) -> Callable[..., Any]:
    """``real``, after which each thread waits (once) until the other got there too."""
    waited: set[int] = set()

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        me = threading.get_ident()
        if me not in waited:
            waited.add(me)
            barrier.wait()
        return result

    return wrapper


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run ``calls`` in threads at once; each one's result or exception, in order."""
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            results[i] = calls[i]()
        except BaseException as exc:  # noqa: BLE001 - returned to the test
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a request hung"
    return results


def needs_postgres(backend: Backend) -> None:
    if backend.name != "postgres":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises them)")


# --- the database refuses what the check let through (both backends, sequentially) ----------


def test_a_duplicate_that_passed_the_check_is_refused_by_the_database(
    client: TestClient, kaznu: Tenant, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = client.post("/v1/diplomas", json=diploma_payload(1), headers=kaznu.headers)
    assert first.status_code == 201, first.text
    sequential = problem_of(
        client.post("/v1/diplomas", json=diploma_payload(1), headers=kaznu.headers),
        409,
        "diploma-already-issued",
    )
    # the request that read before the first one committed
    monkeypatch.setattr(issuance, "refuse_duplicates", lambda *a, **k: {})
    raced = problem_of(
        client.post("/v1/diplomas", json=diploma_payload(1), headers=kaznu.headers),
        409,
        "diploma-already-issued",
    )
    assert raced["errors"] == sequential["errors"]
    assert first.json()["id"] in raced["errors"][0]["detail"]
    assert count(engine, CredentialRecord) == 1
    assert count(engine, StatusAllocationRecord) == 2  # the loser's reservation went too
    assert count(engine, BatchRecord) == 1


def test_a_diploma_number_that_passed_the_check_is_refused_by_the_database(
    client: TestClient, kaznu: Tenant, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, other = diploma_payload(1), diploma_payload(2)
    one["diploma_number"] = other["diploma_number"] = "ЖБ-Б 0012345"
    assert client.post("/v1/diplomas", json=one, headers=kaznu.headers).status_code == 201
    monkeypatch.setattr(issuance, "refuse_duplicates", lambda *a, **k: {})
    body = {"diplomas": [diploma_payload(3), other]}
    problem = problem_of(
        client.post("/v1/diplomas/batch", json=body, headers=kaznu.headers),
        409,
        "diploma-number-taken",
    )
    assert [e["pointer"] for e in problem["errors"]] == ["/diplomas/1"]
    assert count(engine, CredentialRecord) == 1  # all or nothing: diploma 3 neither


def test_a_revoked_diploma_does_not_hold_its_place(
    engine: Engine, settings: Settings, kaznu: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The indexes cover active and suspended diplomas only; a re-issuance revokes the old
    one before storing the new one (same graduate, programme and number)."""
    with Session(engine, expire_on_commit=False) as s:
        record = institutions.get_institution(s, kaznu.slug)
        principal = institutions.Principal("institution", "t", record)
        first = issuance.issue_diplomas(s, settings, principal, [sample_diploma_data(1)])
        s.commit()
        monkeypatch.setattr(issuance, "refuse_duplicates", lambda *a, **k: {})
        with pytest.raises(Conflict) as caught:
            issuance.issue_diplomas(s, settings, principal, [sample_diploma_data(1)])
        s.rollback()
        assert caught.value.code == "diploma-already-issued"
        monkeypatch.undo()
        again = issuance.issue_diplomas(
            s, settings, principal, [sample_diploma_data(1)], reissue=issuance.Reissue("typo")
        )
        s.commit()
        new = s.get(CredentialRecord, again.credentials[0]["id"])
        old = s.get(CredentialRecord, first.credentials[0]["id"])
        assert new is not None and old is not None
        assert (old.state, new.state, new.reissue_of) == ("revoked", "active", old.id)
        assert new.diploma_number == old.diploma_number != ""


def test_bulk_refuses_a_diploma_issued_between_its_check_and_its_store(
    engine: Engine,
    settings: Settings,
    kaznu: Tenant,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write_sample_class_csv(tmp_path / "class.csv", 5)
    real_check = bulk._Survey.run  # the survey of the file: validation and duplicates

    def check_then_someone_issues(*args: Any, **kwargs: Any) -> dict[str, str]:
        replaces = real_check(*args, **kwargs)
        with Session(engine, expire_on_commit=False) as other:  # another request, committed
            record = institutions.get_institution(other, kaznu.slug)
            principal = institutions.Principal("institution", "api", record)
            issuance.issue_diplomas(other, settings, principal, [sample_diploma_data(3)])
            other.commit()
        return replaces

    monkeypatch.setattr(bulk._Survey, "run", check_then_someone_issues)
    with pytest.raises(Conflict) as caught:
        bulk.issue_csv_file(engine, settings, kaznu.slug, path, chunk_size=10, workers=0)
    assert caught.value.code == "diploma-already-issued"
    assert [d.pointer for d in caught.value.details] == ["/rows/4"]  # sample 3 is CSV row 4
    assert count(engine, CredentialRecord) == 1
    assert count(engine, ClaimCodeRecord) == 0


# --- real races (PostgreSQL, two threads) -----------------------------------------------------


def test_two_simultaneous_posts_of_one_diploma_issue_it_once(
    backend: Backend,
    client: TestClient,
    kaznu: Tenant,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    needs_postgres(backend)
    barrier = threading.Barrier(2, timeout=30)
    monkeypatch.setattr(
        issuance, "refuse_duplicates", held_together(issuance.refuse_duplicates, barrier)
    )

    def post() -> Any:
        return client.post("/v1/diplomas", json=diploma_payload(1), headers=kaznu.headers)

    responses = race(post, post)
    assert sorted(r.status_code for r in responses) == [201, 409], [r.text for r in responses]
    [won] = [r for r in responses if r.status_code == 201]
    [lost] = [r for r in responses if r.status_code == 409]
    problem = problem_of(lost, 409, "diploma-already-issued")
    assert won.json()["id"] in problem["errors"][0]["detail"]
    assert count(engine, CredentialRecord) == 1
    assert count(engine, StatusAllocationRecord) == 2
    # the same answer as a sequential duplicate, now
    monkeypatch.undo()
    assert problem_of(post(), 409, "diploma-already-issued")["errors"] == problem["errors"]


def test_two_simultaneous_posts_with_one_idempotency_key_answer_the_same(
    backend: Backend,
    client: TestClient,
    kaznu: Tenant,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    needs_postgres(backend)
    barrier = threading.Barrier(2, timeout=30)
    # both have looked for the key and found nothing
    monkeypatch.setattr(
        issuance, "_replay_if_seen", held_together(issuance._replay_if_seen, barrier)
    )
    headers = {**kaznu.headers, "Idempotency-Key": "class-of-2026-retry"}

    def post() -> Any:
        return client.post("/v1/diplomas", json=diploma_payload(1), headers=headers)

    responses = race(post, post)
    assert [r.status_code for r in responses] == [201, 201], [r.text for r in responses]
    assert responses[0].json() == responses[1].json()  # the same diploma and claim code
    assert sorted(r.headers.get("Idempotent-Replayed", "") for r in responses) == ["", "true"]
    assert count(engine, CredentialRecord) == 1
    assert count(engine, BatchRecord) == 1
    with Session(engine) as s:
        codes = s.exec(select(ClaimCodeRecord)).all()
    assert [c.superseded_at for c in codes] == [None]  # the code sent out still works


def test_two_simultaneous_keys_for_different_requests_conflict(
    backend: Backend,
    client: TestClient,
    kaznu: Tenant,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    needs_postgres(backend)
    barrier = threading.Barrier(2, timeout=30)
    monkeypatch.setattr(
        issuance, "_replay_if_seen", held_together(issuance._replay_if_seen, barrier)
    )
    headers = {**kaznu.headers, "Idempotency-Key": "reused-by-mistake"}
    responses = race(
        lambda: client.post("/v1/diplomas", json=diploma_payload(1), headers=headers),
        lambda: client.post("/v1/diplomas", json=diploma_payload(2), headers=headers),
    )
    assert sorted(r.status_code for r in responses) == [201, 409], [r.text for r in responses]
    [lost] = [r for r in responses if r.status_code == 409]
    problem_of(lost, 409, "idempotency-key-reused")
    assert count(engine, CredentialRecord) == 1


def test_two_simultaneous_bulk_runs_of_one_class_issue_it_once(
    backend: Backend,
    engine: Engine,
    settings: Settings,
    kaznu: Tenant,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same CSV file under two job keys (retyped, or run from two terminals)."""
    needs_postgres(backend)
    path = write_sample_class_csv(tmp_path / "class.csv", 6)
    barrier = threading.Barrier(2, timeout=30)
    monkeypatch.setattr(bulk._Survey, "run", held_together(bulk._Survey.run, barrier))

    def run(job: str) -> Callable[[], bulk.BulkResult]:
        return lambda: bulk.issue_csv_file(
            engine, settings, kaznu.slug, path, job_key=job, chunk_size=10, workers=0
        )

    results = race(run("first-terminal"), run("second-terminal"))
    [won] = [r for r in results if isinstance(r, bulk.BulkResult)]
    [lost] = [r for r in results if not isinstance(r, bulk.BulkResult)]
    assert won.issued == 6
    assert isinstance(lost, Conflict) and lost.code == "diploma-already-issued", lost
    assert [d.pointer for d in lost.details] == [f"/rows/{i}" for i in range(1, 7)]
    assert count(engine, CredentialRecord) == 6
    assert count(engine, ClaimCodeRecord) == 6


# --- migration 0014 ---------------------------------------------------------------------------


def test_the_migration_names_diplomas_issued_twice_before_and_builds_the_indexes(
    tmp_path: Path,
) -> None:
    """A release before duplicates were refused may have issued one twice: the upgrade stops,
    naming them, until the registrar revoked one; then the indexes are built."""
    from sqlalchemy import inspect, update

    from diploma_exchange.db.engine import make_engine, upgrade

    url = f"sqlite:///{tmp_path}/old.db"
    settings = Settings(
        environment="test",
        database_url=url,
        public_base_url="https://diplomas.example.kz",
        key_passphrase="test-passphrase",  # type: ignore[arg-type]
        log_checkpoint_interval_seconds=0,
    )
    engine = make_engine(url)
    upgrade(engine, "0013")
    with Session(engine, expire_on_commit=False) as session:
        institutions.register_institution(session, settings, slug="nic", name="NIC", kind="nic")
        uni, _ = institutions.register_institution(session, settings, slug="uni", name="Uni")
        principal = institutions.Principal("institution", "test", uni)
        issued = issuance.issue_diplomas(
            session, settings, principal, [sample_diploma_data(0), sample_diploma_data(1)]
        )
        session.commit()
        one, two = (c["id"] for c in issued.credentials)
        first = session.get(CredentialRecord, one)
        assert first is not None
        twin = (first.holder_programme_sha256, first.diploma_number)
    with engine.begin() as conn:  # as a release without the check stored the same class twice
        conn.execute(
            update(CredentialRecord)
            .where(CredentialRecord.id == two)  # type: ignore[arg-type]
            .values(holder_programme_sha256=twin[0], diploma_number=twin[1])
        )
    with pytest.raises(RuntimeError, match="issued twice") as caught:
        upgrade(engine)
    assert one in str(caught.value) and two in str(caught.value)
    assert "revoke" in str(caught.value)
    with engine.begin() as conn:
        conn.execute(
            update(CredentialRecord)
            .where(CredentialRecord.id == two)  # type: ignore[arg-type]
            .values(state="revoked")
        )
    upgrade(engine)
    names = {i["name"] for i in inspect(engine).get_indexes("credential")}
    assert {"uq_credential_active_holder_programme", "uq_credential_active_diploma_number"} <= names
    engine.dispose()
