"""The Open Badges 3.0 AchievementCredential profile of ``POST /credentials/issue``:
certificates, micro-credentials and transcripts that every accredited institution may issue
(no any-VC permission), with the diplomas' guarantees (1EdTech schema and term safety, status
entries, idempotency, audit, transparency log), verifiable by this service."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from conftest import Tenant, _tenant
from diploma_exchange.config import Settings
from diploma_exchange.db.models import AuditEntryRecord, CredentialRecord, LogLeafRecord

V2 = "https://www.w3.org/ns/credentials/v2"
OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def badge(issuer: Any, achievement_type: str = "Certificate", **subject: Any) -> dict[str, Any]:
    return {
        "@context": [V2, OB3],
        "type": ["VerifiableCredential", "AchievementCredential"],
        "name": f"{achievement_type}: Data Protection Officer",
        "issuer": issuer,
        "credentialSubject": {
            "id": "did:example:aigerim",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://kaznu.example/achievements/dpo",
                "type": ["Achievement"],
                "name": "Data Protection Officer",
                "description": "Knows the GDPR and the Kazakh personal data law.",
                "criteria": {"narrative": "Passed the final examination (60%)."},
                "achievementType": achievement_type,
                "creditsAvailable": 5,
            },
            **subject,
        },
    }


COURSES = [("CS101", "Introduction to programming", "A"), ("MA201", "Linear algebra", "B")]


def transcript(issuer: Any) -> dict[str, Any]:
    """A term transcript: one ResultDescription and one Result per course."""
    credential = badge(issuer, "LearningProgram", creditsEarned=12, term="2025-fall")
    achievement = credential["credentialSubject"]["achievement"]
    achievement.update(
        {
            "id": "https://kaznu.example/programmes/bsc-cs/2025-fall",
            "name": "BSc Computer Science, fall term 2025",
            "description": "The courses taken in the fall term 2025 and their grades.",
            "creditsAvailable": 12,
            "resultDescription": [
                {
                    "id": f"https://kaznu.example/courses/{code}",
                    "type": ["ResultDescription"],
                    "name": f"{code} {title}",
                    "resultType": "LetterGrade",
                    "allowedValue": ["A", "B", "C", "D", "F"],
                }
                for code, title, _ in COURSES
            ],
        }
    )
    credential["name"] = "Transcript of records, fall 2025"
    credential["credentialSubject"]["result"] = [
        {
            "type": ["Result"],
            "resultDescription": f"https://kaznu.example/courses/{code}",
            "value": grade,
            "status": "Completed",
        }
        for code, _, grade in COURSES
    ]
    return credential


def issue(
    client: TestClient, tenant: Tenant, credential: Any, key: str | None = None, **options: Any
) -> Any:
    body: dict[str, Any] = {"credential": credential}
    if options:
        body["options"] = options
    headers = {**tenant.headers, **({"Idempotency-Key": key} if key else {})}
    return client.post("/credentials/issue", json=body, headers=headers)


def issued_count(engine: Engine) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(CredentialRecord)).one()


def verified(client: TestClient, credential: dict[str, Any]) -> None:
    vcapi = client.post("/credentials/verify", json={"verifiableCredential": credential})
    assert vcapi.status_code == 200, vcapi.text
    assert vcapi.json()["verified"] is True
    report = client.post("/v1/verifications", json=credential)
    assert report.status_code == 200, report.text
    assert report.json()["verdict"] == "valid", report.text
    checks = {c["name"]: c for c in report.json()["checks"]}
    assert checks["format.schema"]["status"] == "passed"


@pytest.mark.parametrize(
    ("achievement_type", "as_object"),
    [("Certificate", True), ("MicroCredential", False), ("Course", True)],
)
def test_an_achievement_credential_is_issued_without_any_vc_permission(
    client: TestClient, engine: Engine, kaznu: Tenant, achievement_type: str, as_object: bool
) -> None:
    issuer: Any = (
        {"id": kaznu.did, "type": ["Profile"], "name": "Al-Farabi KazNU"}
        if as_object
        else kaznu.did
    )
    response = issue(client, kaznu, badge(issuer, achievement_type))
    assert response.status_code == 201, response.text
    signed = response.json()["verifiableCredential"]
    assert signed["issuer"] == issuer
    assert signed["credentialSubject"]["achievement"]["achievementType"] == achievement_type
    assert signed["proof"]["verificationMethod"].startswith(kaznu.did + "#")
    assert sorted(e["statusPurpose"] for e in signed["credentialStatus"]) == [
        "revocation",
        "suspension",
    ]
    verified(client, signed)
    with Session(engine) as s:
        actions = [r.action for r in s.exec(select(AuditEntryRecord)).all()]
        row = s.get(CredentialRecord, signed["id"])
        assert row is not None
        leaves = s.exec(select(LogLeafRecord).where(LogLeafRecord.digest == row.secured_digest))
        assert [(leaf.kind, leaf.issuer) for leaf in leaves] == [("issuance", kaznu.did)]
    assert "diploma.issue" in actions


def test_a_transcript_lists_course_results_and_verifies(client: TestClient, kaznu: Tenant) -> None:
    response = issue(client, kaznu, transcript(kaznu.did))
    assert response.status_code == 201, response.text
    signed = response.json()["verifiableCredential"]
    results = signed["credentialSubject"]["result"]
    assert [r["value"] for r in results] == ["A", "B"]
    assert signed["credentialSubject"]["creditsEarned"] == 12
    verified(client, signed)


@pytest.mark.parametrize(
    ("change", "pointer", "code"),
    [
        (
            lambda c: c["credentialSubject"]["achievement"].update(achievementType="Bogus"),
            "/credential/credentialSubject/achievement/achievementType",
            "enum",
        ),
        (
            lambda c: c["credentialSubject"].pop("achievement"),
            "/credential/credentialSubject/achievement",
            "required",
        ),
        (
            lambda c: c["credentialSubject"]["achievement"].pop("achievementType"),
            "/credential/credentialSubject/achievement/achievementType",
            "required",
        ),
        (
            lambda c: c["credentialSubject"]["achievement"].pop("criteria"),
            "/credential/credentialSubject/achievement/criteria",
            "required",
        ),
        (
            lambda c: c["credentialSubject"].pop("id"),
            "/credential/credentialSubject",
            "subject-identity",
        ),
        (
            lambda c: c.update({"@context": [V2]}),
            "/credential/@context",
            "minItems",
        ),
        (
            lambda c: c["credentialSubject"].update(favouriteColour="blue"),
            "/credential/credentialSubject/favouriteColour",
            "undefined-term",
        ),
    ],
)
def test_a_bad_badge_is_refused_and_nothing_issued(
    client: TestClient, engine: Engine, kaznu: Tenant, change: Any, pointer: str, code: str
) -> None:
    credential = badge(kaznu.did)
    change(credential)
    before = issued_count(engine)
    response = issue(client, kaznu, credential)
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    found = [(e["pointer"], e["code"]) for e in response.json()["errors"]]
    assert (pointer, code) in found, found
    assert issued_count(engine) == before


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (
            lambda r: r[0].update(resultDescription="https://kaznu.example/courses/XX999"),
            "result-description-unknown",
        ),
        (lambda r: r[1].update(value="A+"), "result-value"),
        (lambda r: r[1].update(resultDescription=r[0]["resultDescription"]), "result-duplicate"),
    ],
)
def test_a_transcript_must_describe_its_results(
    client: TestClient, engine: Engine, kaznu: Tenant, change: Any, code: str
) -> None:
    credential = transcript(kaznu.did)
    change(credential["credentialSubject"]["result"])
    before = issued_count(engine)
    response = issue(client, kaznu, credential)
    assert response.status_code == 422, response.text
    assert code in [e["code"] for e in response.json()["errors"]]
    assert issued_count(engine) == before


def test_revocation_through_the_status_entries(client: TestClient, kaznu: Tenant) -> None:
    signed = issue(client, kaznu, badge(kaznu.did, "MicroCredential")).json()[
        "verifiableCredential"
    ]
    revocation = next(e for e in signed["credentialStatus"] if e["statusPurpose"] == "revocation")
    response = client.post(
        "/credentials/status",
        json={
            "credentialId": signed["id"],
            "credentialStatus": {
                "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation",
                "statusListCredential": revocation["statusListCredential"],
                "statusListIndex": revocation["statusListIndex"],
            },
            "status": True,
        },
        headers=kaznu.headers,
    )
    assert response.status_code == 200, response.text
    after = client.post(
        "/credentials/verify",
        json={"verifiableCredential": signed, "options": {"checks": ["proof", "credentialStatus"]}},
    )
    assert after.status_code == 400
    assert [e["title"] for e in after.json()["errors"]] == ["status.revocation"]
    report = client.post("/v1/verifications", json=signed).json()
    assert report["verdict"] == "invalid"


def test_a_foreign_issuer_is_refused(
    client: TestClient, engine: Engine, kaznu: Tenant, enu: Tenant
) -> None:
    before = issued_count(engine)
    response = issue(client, kaznu, badge({"id": enu.did, "type": ["Profile"], "name": "ENU"}))
    assert response.status_code == 422
    assert ("/credential/issuer/id", "issuer-mismatch") in [
        (e["pointer"], e["code"]) for e in response.json()["errors"]
    ]
    assert issued_count(engine) == before


def test_an_unaccredited_institution_is_refused(
    client: TestClient, engine: Engine, settings: Settings, nic: str
) -> None:
    newcomer = _tenant(engine, settings, "newcomer", "Newcomer University", accredited=False)
    response = issue(client, newcomer, badge(newcomer.did))
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "not-accredited"
    assert issued_count(engine) == 0


def test_idempotent_replay(client: TestClient, engine: Engine, kaznu: Tenant) -> None:
    credential = badge(kaznu.did, "CertificateOfCompletion")
    first = issue(client, kaznu, credential, key="badge-42")
    assert first.status_code == 201, first.text
    again = issue(client, kaznu, copy.deepcopy(credential), key="badge-42")
    assert again.status_code == 201, again.text
    assert again.json() == first.json()
    assert issued_count(engine) == 1
    other = badge(kaznu.did, "Certificate")
    conflict = issue(client, kaznu, other, key="badge-42")
    assert conflict.status_code == 409
    assert conflict.headers["content-type"].startswith("application/problem+json")
    assert issued_count(engine) == 1
    # without a key, the same request issues a second credential
    assert issue(client, kaznu, credential).status_code == 201
    assert issued_count(engine) == 2
