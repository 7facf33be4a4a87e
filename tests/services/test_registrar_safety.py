"""A registrar's mistakes that must not become diplomas: the same class posted twice, a retry
whose replay would kill the claim codes already sent, an ISCED-F code a spreadsheet mangled."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from conftest import Tenant
from diploma_exchange.config import Settings
from diploma_exchange.credentials import isced_f
from diploma_exchange.credentials.samples import sample_diploma_data, write_sample_class_csv
from diploma_exchange.db.models import ClaimCodeRecord, CredentialRecord
from diploma_exchange.errors import Conflict
from diploma_exchange.services import bulk, issuance
from helpers import diploma_payload


def problem_of(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


def credential_count(engine: Engine) -> int:
    with Session(engine) as s:
        return int(s.exec(select(func.count()).select_from(CredentialRecord)).one())


# --- duplicates ------------------------------------------------------------------------------


def test_the_same_diploma_twice_is_refused_and_changes_nothing(
    client: TestClient, kaznu: Tenant, engine: Engine
) -> None:
    first = client.post("/v1/diplomas", json=diploma_payload(1), headers=kaznu.headers)
    assert first.status_code == 201, first.text
    again = client.post("/v1/diplomas", json=diploma_payload(1), headers=kaznu.headers)
    body = problem_of(again, 409, "diploma-already-issued")
    assert first.json()["id"] in body["errors"][0]["detail"]
    # the same graduate and programme with other cosmetic spacing/case is the same diploma
    payload = diploma_payload(1)
    payload["student_id"] = f"  {payload['student_id'].lower()} "
    problem_of(
        client.post("/v1/diplomas", json=payload, headers=kaznu.headers),
        409,
        "diploma-already-issued",
    )
    assert credential_count(engine) == 1


def test_a_diploma_number_is_never_on_two_diplomas(
    client: TestClient, kaznu: Tenant, engine: Engine
) -> None:
    one, other = diploma_payload(1), diploma_payload(2)
    one["diploma_number"] = other["diploma_number"] = "ЖБ-Б 0012345"
    assert client.post("/v1/diplomas", json=one, headers=kaznu.headers).status_code == 201
    problem_of(
        client.post("/v1/diplomas", json=other, headers=kaznu.headers), 409, "diploma-number-taken"
    )
    assert credential_count(engine) == 1


def test_one_request_holding_a_diploma_twice_names_the_repeat(
    client: TestClient, kaznu: Tenant, engine: Engine
) -> None:
    body = {"diplomas": [diploma_payload(1), diploma_payload(2), diploma_payload(1)]}
    problem = problem_of(
        client.post("/v1/diplomas/batch", json=body, headers=kaznu.headers),
        409,
        "duplicate-in-request",
    )
    assert [(e["pointer"], e["code"]) for e in problem["errors"]] == [
        ("/diplomas/2", "duplicate-in-request")
    ]
    assert credential_count(engine) == 0


def test_a_revoked_diploma_can_be_issued_again(
    client: TestClient, kaznu: Tenant, engine: Engine
) -> None:
    first = client.post("/v1/diplomas", json=diploma_payload(1), headers=kaznu.headers).json()
    revoked = client.post(
        f"/v1/diplomas/{first['id']}/status-changes",
        json={"action": "revoke", "reasonCode": "issued-in-error"},
        headers=kaznu.headers,
    )
    assert revoked.status_code == 201, revoked.text
    again = client.post("/v1/diplomas", json=diploma_payload(1), headers=kaznu.headers)
    assert again.status_code == 201, again.text


def test_reissue_with_its_reason_links_and_supersedes(
    client: TestClient, kaznu: Tenant, engine: Engine
) -> None:
    first = client.post("/v1/diplomas", json=diploma_payload(1), headers=kaznu.headers).json()
    corrected = diploma_payload(1)
    corrected["full_name"] = {**corrected["full_name"], "en": "Corrected Spelling"}
    empty = client.post(
        "/v1/diplomas", params={"reissue_reason": ""}, json=corrected, headers=kaznu.headers
    )
    assert empty.status_code == 422, empty.text  # a re-issuance states its reason
    second = client.post(
        "/v1/diplomas",
        params={"reissue_reason": "graduate's name misspelt"},
        json=corrected,
        headers=kaznu.headers,
    )
    assert second.status_code == 201, second.text
    with Session(engine) as s:
        old = s.get(CredentialRecord, first["id"])
        new = s.get(CredentialRecord, second.json()["id"])
        assert old is not None and new is not None
        assert old.state == "revoked"
        assert (new.reissue_of, new.reissue_reason) == (first["id"], "graduate's name misspelt")
    report = client.post("/v1/verifications", json=first["verifiableCredential"]).json()
    assert report["verdict"] == "invalid"  # the replaced diploma no longer verifies
    assert credential_count(engine) == 2


# --- idempotent replays ----------------------------------------------------------------------


def test_a_replay_returns_the_same_claim_code_and_changes_nothing(
    client: TestClient, kaznu: Tenant, engine: Engine
) -> None:
    headers = {**kaznu.headers, "Idempotency-Key": "one-diploma-2026"}
    first = client.post("/v1/diplomas", json=diploma_payload(1), headers=headers)
    with Session(engine) as s:
        before = sorted(
            (r.code_sha256, r.superseded_at) for r in s.exec(select(ClaimCodeRecord)).all()
        )
    second = client.post("/v1/diplomas", json=diploma_payload(1), headers=headers)
    assert second.status_code == 201 and second.headers["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    with Session(engine) as s:
        after = sorted(
            (r.code_sha256, r.superseded_at) for r in s.exec(select(ClaimCodeRecord)).all()
        )
    assert after == before
    # another key's codes differ (the key is part of their derivation)
    other = client.post(
        "/v1/diplomas", json=diploma_payload(2), headers={**kaznu.headers, "Idempotency-Key": "x"}
    )
    assert other.json()["claim"]["code"] != first.json()["claim"]["code"]


# --- ISCED-F 2013 ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "hint"),
    [
        ("613", "0613"),
        ("61", "narrow field 061"),
        ("06", "broad field 06"),
        ("0699", "not an ISCED-F 2013 field code"),
    ],
)
def test_isced_f_codes_are_checked_against_the_list(
    client: TestClient, kaznu: Tenant, engine: Engine, code: str, hint: str
) -> None:
    payload = diploma_payload(1)
    payload["isced_f"] = code
    response = client.post("/v1/diplomas", json=payload, headers=kaznu.headers)
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert any(e["pointer"].endswith("isced_f") and hint in e["detail"] for e in errors), errors
    assert credential_count(engine) == 0


def test_a_spreadsheet_that_dropped_the_leading_zero_is_named(
    client: TestClient, kaznu: Tenant, engine: Engine, project_root: Path
) -> None:
    text = (project_root / "examples" / "graduating-class.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    rows[1]["isced_f"] = str(int(rows[1]["isced_f"]))  # what Excel shows for "0613"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    response = client.post(
        "/v1/diplomas/batch/csv",
        content=buffer.getvalue().encode(),
        headers={**kaznu.headers, "Content-Type": "text/csv"},
    )
    assert response.status_code == 400, response.text  # rows are numbered from 1
    [error] = [e for e in response.json()["errors"] if e["pointer"] == "/rows/2/isced_f"]
    assert "leading zero" in error["detail"] and "0613" in error["detail"]
    assert credential_count(engine) == 0


def test_the_isced_f_list_is_the_2013_classification() -> None:
    assert len(isced_f.BROAD) == 11 and len(isced_f.NARROW) == 29
    assert len(isced_f.DETAILED) == 80
    assert all(code[:3] in isced_f.NARROW for code in isced_f.DETAILED)
    assert all(code[:2] in isced_f.BROAD for code in isced_f.NARROW)
    assert isced_f.field_title("0613") == "Software and applications development and analysis"
    assert isced_f.check_detailed_field("0688") is None  # inter-disciplinary ICT programmes


# --- bulk (the command line's CSV path) ------------------------------------------------------


def test_bulk_refuses_a_class_already_issued_under_another_job(
    engine: Engine, settings: Settings, kaznu: Tenant, tmp_path: Path
) -> None:
    path = write_sample_class_csv(tmp_path / "class.csv", 6)
    bulk.issue_csv_file(engine, settings, kaznu.slug, path, chunk_size=4, workers=0)
    # the same file again resumes (nothing new) ...
    again = bulk.issue_csv_file(engine, settings, kaznu.slug, path, chunk_size=4, workers=0)
    assert (again.issued, again.skipped_chunks) == (0, 2)
    # ... and under another job key it is refused whole, every row named
    with pytest.raises(Conflict) as caught:
        bulk.issue_csv_file(
            engine, settings, kaznu.slug, path, job_key="retyped", chunk_size=4, workers=0
        )
    assert caught.value.code == "diploma-already-issued"
    assert [d.pointer for d in caught.value.details] == [f"/rows/{i}" for i in range(1, 7)]
    assert credential_count(engine) == 6
    reissued = bulk.issue_csv_file(
        engine,
        settings,
        kaznu.slug,
        path,
        job_key="reprint",
        chunk_size=4,
        workers=0,
        reissue=issuance.Reissue("diplomas reprinted after a typo in the programme name"),
    )
    assert reissued.issued == 6
    with Session(engine) as s:
        states = [r.state for r in s.exec(select(CredentialRecord)).all()]
        linked = s.exec(
            select(func.count())
            .select_from(CredentialRecord)
            .where(CredentialRecord.reissue_of.is_not(None))  # type: ignore[union-attr]
        ).one()
    assert sorted(states) == ["active"] * 6 + ["revoked"] * 6
    assert linked == 6


def test_the_migration_gives_diplomas_issued_before_their_identity(tmp_path: Path) -> None:
    """Migration 0009's backfill: diplomas issued before it (stored without an identity) get
    the same identity as when issued now, so they are found as duplicates after it."""
    import importlib.util

    from sqlalchemy import update

    from diploma_exchange.db.engine import MIGRATIONS_DIR, make_engine, upgrade
    from diploma_exchange.services import institutions

    [path] = (MIGRATIONS_DIR / "versions").glob("0009_*.py")
    spec = importlib.util.spec_from_file_location("migration_0009", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)

    url = f"sqlite:///{tmp_path}/old.db"
    settings = Settings(
        environment="test",
        database_url=url,
        public_base_url="https://diplomas.example.kz",
        key_passphrase="test-passphrase",  # type: ignore[arg-type]
        log_checkpoint_interval_seconds=0,
    )
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        institutions.register_institution(session, settings, slug="nic", name="NIC", kind="nic")
        uni, _ = institutions.register_institution(session, settings, slug="uni", name="Uni")
        principal = institutions.Principal("institution", "test", uni)
        data = [sample_diploma_data(0), sample_diploma_data(1)]
        issuance.issue_diplomas(session, settings, principal, data)
        session.commit()
        expected = {
            r.id: (r.holder_programme_sha256, r.diploma_number)
            for r in session.exec(select(CredentialRecord)).all()
        }
    assert all(len(key) == 64 and number for key, number in expected.values())
    with engine.begin() as conn:  # as stored by a release before 0009
        conn.execute(update(CredentialRecord).values(holder_programme_sha256="", diploma_number=""))
        migration.backfill(conn)
    with Session(engine, expire_on_commit=False) as session:
        rows = session.exec(select(CredentialRecord)).all()
        assert {r.id: (r.holder_programme_sha256, r.diploma_number) for r in rows} == expected
        with pytest.raises(Conflict):
            issuance.issue_diplomas(session, settings, principal, data[:1])
