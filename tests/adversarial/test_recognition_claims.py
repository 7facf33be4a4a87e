"""Finding 1, 5 and 7 of issue 12: the NIC signs a recognition statement only about a diploma
that verifies ``valid`` now; self-declared facts get an advisory comparison that says so and
asserts nothing it did not look up; who asked for recognition where is not public."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from adversarial.support import institution_signer, issue, resign
from conftest import Tenant, _tenant
from diploma_exchange.config import Settings
from diploma_exchange.db.models import RecognitionStatementRecord


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Diplomas with the eddsa-jcs-2022 proof alone: these tests build on a one-proof diploma
    (they replace its proof with unverifiable ones). The default proof set (with eddsa-rdfc-2022) is covered by
    tests/services/test_proof_set_issuance.py and tests/interop."""
    return settings.model_copy(update={"issue_rdfc_proof": False})


FORGED_NAME = {"en": "Mallory Forger", "kk": "Mallory Forger", "ru": "Mallory Forger"}


def assess(client: TestClient, body: dict[str, Any]) -> Any:
    return client.post("/v1/recognition/assessments", json=body)


def statements(engine: Engine) -> int:
    with Session(engine) as s:
        return int(s.exec(select(func.count()).select_from(RecognitionStatementRecord)).one())


def forged_copy(diploma: dict[str, Any]) -> dict[str, Any]:
    forged = copy.deepcopy(diploma)
    forged["credentialSubject"]["graduate"]["fullName"] = FORGED_NAME
    return forged


def assert_refused(response: Any, *, verdict: str, check: str) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == "diploma-not-verified"
    assert body["report"]["verdict"] == verdict
    assert check in [c["name"] for c in body["failingChecks"]], body["failingChecks"]
    assert "statement" not in body
    return body


@pytest.mark.parametrize(
    "unverifiable",
    [
        {"cryptosuite": "eddsa-jcs-2099"},  # an unknown cryptosuite
        {"type": "JsonWebSignature2020"},  # a proof type this verifier does not check
        # a verification method URL that cannot be resolved
        {"verificationMethod": "https://diplomas.example.kz/keys/1"},
        {"verificationMethod": "did:web:nowhere.invalid#key-1"},
    ],
)
def test_a_forged_diploma_with_an_unverifiable_proof_gets_no_statement(
    client: TestClient, kaznu: Tenant, nic: str, engine: Engine, unverifiable: dict[str, str]
) -> None:
    diploma = issue(client, kaznu)
    forged = forged_copy(diploma)
    forged["proof"] = {**forged["proof"], **unverifiable}
    body = assert_refused(
        assess(client, {"credential": forged, "receivingCountry": "KR"}),
        verdict="indeterminate",
        check="proof.signature",
    )
    assert "proof.signature" in body["detail"]
    assert statements(engine) == 0


def test_a_tampered_diploma_gets_no_statement(
    client: TestClient, kaznu: Tenant, nic: str, engine: Engine
) -> None:
    forged = forged_copy(issue(client, kaznu))
    assert_refused(
        assess(client, {"credential": forged, "receivingCountry": "JP"}),
        verdict="invalid",
        check="proof.signature",
    )
    assert statements(engine) == 0


def test_a_never_accredited_university_gets_no_statement(
    client: TestClient, engine: Engine, settings: Settings, nic: str
) -> None:
    """Registered here, with a valid key, but never accredited: its doctorate is not
    'comparable', whatever its signature."""
    unaccredited = _tenant(engine, settings, "diploma-mill", "Diploma Mill", accredited=False)
    diploma = issue(client, unaccredited)
    assert_refused(
        assess(client, {"credential": diploma, "receivingCountry": "KR"}),
        verdict="indeterminate",
        check="issuer.accreditation",
    )
    assert statements(engine) == 0


def test_a_diploma_signed_with_the_issuers_key_but_never_issued_gets_no_statement(
    client: TestClient, kaznu: Tenant, nic: str, engine: Engine
) -> None:
    """An insider (or a thief of the key) signs a new diploma; the register never saw it."""
    diploma = issue(client, kaznu)
    forged = forged_copy(diploma)
    from datetime import UTC, datetime

    resigned = resign(
        forged,
        institution_signer(engine, "kaznu"),
        datetime.now(UTC).replace(microsecond=0),
        id="urn:uuid:00000000-0000-4000-8000-000000000001",
    )
    assert_refused(
        assess(client, {"credential": resigned, "receivingCountry": "KR"}),
        verdict="invalid",
        check="issuance.record",
    )
    assert statements(engine) == 0


def test_a_valid_diploma_gets_a_signed_statement_with_its_report(
    client: TestClient, kaznu: Tenant, nic: str, engine: Engine
) -> None:
    response = assess(client, {"credential": issue(client, kaznu), "receivingCountry": "KR"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["kind"] == "recognition-statement" and body["factsVerified"] is True
    assert body["verification"]["verdict"] == "valid"
    assert body["statement"]["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert statements(engine) == 1


def test_self_declared_facts_get_an_unsigned_advisory_comparison(
    client: TestClient, nic: str, engine: Engine
) -> None:
    """Finding 5: anyone, anonymously, describing a qualification and claiming accreditation."""
    response = assess(
        client,
        {
            "qualification": {
                "country": "KZ",
                "qualificationType": "kz.bachelor",
                "institutionAccredited": True,
            },
            "receivingCountry": "AU",
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["kind"] == "advisory-comparison"
    assert body["factsVerified"] is False and body["statement"] is None and body["id"] is None
    assert "self-declared" in body["notice"] and "not signed" in body["notice"]
    assessment = body["assessment"]
    assert assessment["advisory"] is True and assessment["factsVerified"] is False
    # The declared accreditation is echoed as declared, never asserted as a fact.
    assert assessment["declaredFacts"]["institutionAccredited"] is True
    criteria = assessment.get("criteria") or {}
    quality = criteria.get("quality_assurance") or criteria.get("qualityAssurance") or {}
    assert quality.get("status") != "met", quality
    assert "proofValue" not in str(body)
    assert statements(engine) == 0


def test_statements_of_a_diploma_are_listed_only_to_its_issuer_and_the_nic(
    client: TestClient, kaznu: Tenant, enu: Tenant, nic: str, admin_key: str
) -> None:
    diploma = issue(client, kaznu)
    assert assess(client, {"credential": diploma, "receivingCountry": "KR"}).status_code == 201
    url = "/v1/recognition/assessments"
    params = {"diplomaId": diploma["id"]}
    assert client.get(url, params=params).status_code == 401
    assert client.get(url, params=params, headers=enu.headers).status_code == 404
    assert len(client.get(url, params=params, headers=kaznu.headers).json()) == 1
    admin = {"Authorization": f"Bearer {admin_key}"}
    assert len(client.get(url, params=params, headers=admin).json()) == 1
