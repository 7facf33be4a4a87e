"""Issue through the API, verify through the API: the happy path and every way to break it."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import Tenant
from diploma_exchange.dids.did_key import did_key_from_public_key
from diploma_exchange.proofs import eddsa_jcs_2022, keys
from helpers import diploma_payload, get_at, set_at, tamper

PROBLEM = "application/problem+json"


def issue(client: TestClient, tenant: Tenant, i: int = 0) -> dict[str, Any]:
    response = client.post("/v1/diplomas", json=diploma_payload(i), headers=tenant.headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["id"] == body["verifiableCredential"]["id"]
    return body["verifiableCredential"]  # type: ignore[no-any-return]


def verify(client: TestClient, credential: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/v1/verifications", json=credential)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {c["name"]: c["status"] for c in report["checks"]}


def test_issued_diploma_verifies_with_every_check_passed(client: TestClient, kaznu: Tenant) -> None:
    credential = issue(client, kaznu)
    assert credential["issuer"]["id"] == kaznu.did
    # a proof set of both EdDSA suites by the same key, independent (not chained)
    assert [p["cryptosuite"] for p in credential["proof"]] == ["eddsa-jcs-2022", "eddsa-rdfc-2022"]
    assert {p["verificationMethod"] for p in credential["proof"]} == {f"{kaznu.did}#key-1"}
    assert not any("previousProof" in p for p in credential["proof"])
    report = verify(client, credential)
    assert report["verdict"] == "valid"
    assert statuses(report) == {
        "format.schema": "passed",
        "proof.signature": "passed",
        "proof.key-binding": "passed",
        "proof.coverage": "passed",
        "key.validity": "passed",
        "issuance.record": "passed",
        "issuance.log": "passed",
        "validity.period": "passed",
        "issuer.trust": "passed",
        "issuer.accreditation": "passed",
        "status.revocation": "passed",
        "status.suspension": "passed",
    }
    purposes = sorted(e["statusPurpose"] for e in credential["credentialStatus"])
    assert purposes == ["revocation", "suspension"]


def test_stored_exactly_as_signed(client: TestClient, kaznu: Tenant) -> None:
    credential = issue(client, kaznu)
    response = client.get(f"/v1/diplomas/{credential['id']}", headers=kaznu.headers)
    assert response.status_code == 200
    assert response.json() == credential
    listing = client.get("/v1/diplomas", headers=kaznu.headers).json()
    assert [d["id"] for d in listing] == [credential["id"]]


def test_other_institution_cannot_read_a_diploma(
    client: TestClient, kaznu: Tenant, enu: Tenant
) -> None:
    credential = issue(client, kaznu)
    response = client.get(f"/v1/diplomas/{credential['id']}", headers=enu.headers)
    assert response.status_code == 404


TAMPER_POINTERS = [
    "/name",
    "/validFrom",
    "/issuer/name",
    "/credentialSubject/achievement/name",
    "/credentialSubject/achievement/achievementType",
    "/credentialSubject/achievement/creditsAvailable",
    "/credentialSubject/achievement/iscedFieldCode",
    "/credentialSubject/graduate/fullName/en",
    "/credentialSubject/graduate/dateOfBirth",
    "/credentialSubject/identifier/0/identityHash",
]


@pytest.mark.parametrize("pointer", TAMPER_POINTERS)
def test_tampering_with_any_field_is_invalid(
    client: TestClient, kaznu: Tenant, pointer: str
) -> None:
    credential = issue(client, kaznu)
    original = get_at(credential, pointer)
    forged = set_at(credential, pointer, tamper(original))
    report = verify(client, forged)
    assert report["verdict"] == "invalid"
    assert statuses(report)["proof.signature"] == "failed"


def test_tampering_with_every_leaf_is_invalid(client: TestClient, kaznu: Tenant) -> None:
    """Not just a chosen few: every scalar leaf of the signed diploma (outside the proof)."""
    credential = issue(client, kaznu)

    def leaves(node: Any, pointer: str = "") -> list[str]:
        if isinstance(node, dict):
            return [
                p
                for k, v in node.items()
                if k != "proof" or pointer
                for p in leaves(v, f"{pointer}/{k}")
            ]
        if isinstance(node, list):
            return [p for i, v in enumerate(node) for p in leaves(v, f"{pointer}/{i}")]
        return [pointer]

    from diploma_exchange.services.verification import verify as verify_service  # noqa: F401

    pointers = leaves(credential)
    assert len(pointers) > 30
    for pointer in pointers:
        forged = set_at(credential, pointer, tamper(get_at(credential, pointer)))
        response = client.post("/credentials/verify", json={"verifiableCredential": forged})
        assert response.status_code == 400, pointer
        assert response.json()["verified"] is False, pointer


def test_changing_the_issuer_is_invalid(client: TestClient, kaznu: Tenant, enu: Tenant) -> None:
    credential = issue(client, kaznu)
    forged = set_at(credential, "/issuer/id", enu.did)
    report = verify(client, forged)
    assert report["verdict"] == "invalid"
    assert statuses(report)["proof.key-binding"] == "failed"
    assert statuses(report)["proof.signature"] == "failed"


def test_signed_by_another_institutions_key_is_invalid(
    client: TestClient, kaznu: Tenant, enu: Tenant, engine: Any, settings: Any
) -> None:
    """A diploma naming KazNU, validly signed by ENU's own key: the key is not KazNU's."""
    from sqlmodel import Session

    from diploma_exchange.services import institutions

    credential = issue(client, kaznu)
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    with Session(engine) as s:
        enu_signer = institutions.signer_for(s, settings, institutions.get_institution(s, "enu"))
    forged = eddsa_jcs_2022.add_proof(unsigned, enu_signer, created=datetime.now(UTC))
    report = verify(client, forged)
    assert report["verdict"] == "invalid"
    assert statuses(report)["proof.signature"] == "passed"  # the signature itself is fine...
    binding = next(c for c in report["checks"] if c["name"] == "proof.key-binding")
    assert binding["status"] == "failed"
    assert binding["code"] == "key-not-controlled-by-issuer"


def test_signed_with_a_did_key_naming_an_institution_is_invalid(
    client: TestClient, kaznu: Tenant
) -> None:
    credential = issue(client, kaznu)
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    key = keys.generate_private_key()
    did = did_key_from_public_key(key.public_key())
    signer = keys.Signer(key, f"{did}#{did.removeprefix('did:key:')}")
    forged = eddsa_jcs_2022.add_proof(unsigned, signer, created=datetime.now(UTC))
    report = verify(client, forged)
    assert report["verdict"] == "invalid"
    assert statuses(report)["proof.key-binding"] == "failed"


def test_unknown_issuer_is_indeterminate_not_valid(client: TestClient, kaznu: Tenant) -> None:
    """A correctly self-signed diploma from a did:key nobody vouches for."""
    credential = issue(client, kaznu)
    key = keys.generate_private_key()
    did = did_key_from_public_key(key.public_key())
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    unsigned["issuer"] = {**unsigned["issuer"], "id": did}
    signer = keys.Signer(key, f"{did}#{did.removeprefix('did:key:')}")
    signed = eddsa_jcs_2022.add_proof(unsigned, signer, created=datetime.now(UTC))
    report = verify(client, signed)
    assert report["verdict"] == "indeterminate"
    assert statuses(report)["proof.signature"] == "passed"
    assert statuses(report)["proof.key-binding"] == "passed"
    assert statuses(report)["issuer.trust"] == "error"


def test_missing_proof_is_invalid(client: TestClient, kaznu: Tenant) -> None:
    credential = issue(client, kaznu)
    del credential["proof"]
    report = verify(client, credential)
    assert report["verdict"] == "invalid"
    assert statuses(report)["proof.signature"] == "failed"


def test_schema_violation_is_reported(client: TestClient, kaznu: Tenant) -> None:
    credential = issue(client, kaznu)
    del credential["credentialSubject"]["achievement"]["achievementType"]
    report = verify(client, credential)
    assert report["verdict"] == "invalid"
    schema = next(c for c in report["checks"] if c["name"] == "format.schema")
    assert schema["status"] == "failed"
    assert any(
        "/credentialSubject/achievement" in p["pointer"] for p in schema["details"]["problems"]
    )


def test_not_yet_valid_and_expired(client: TestClient, kaznu: Tenant) -> None:
    payload = diploma_payload(1)
    payload["validUntil"] = "2020-01-01T00:00:00Z"
    response = client.post("/v1/diplomas", json=payload, headers=kaznu.headers)
    if response.status_code == 201:
        report = verify(client, response.json()["verifiableCredential"])
        check = next(c for c in report["checks"] if c["name"] == "validity.period")
        assert check["status"] == "failed" and check["code"] in ("expired", "inverted-period")
        assert report["verdict"] == "invalid"
    else:  # refusing to issue an already expired diploma is also right
        assert response.status_code in (400, 422)
        assert response.headers["content-type"].startswith(PROBLEM)


def test_verification_by_file_upload(client: TestClient, kaznu: Tenant) -> None:
    import json

    credential = issue(client, kaznu)
    files = {"file": ("diploma.json", json.dumps(credential).encode(), "application/json")}
    response = client.post("/v1/verifications", files=files)
    assert response.status_code == 200, response.text
    assert response.json()["verdict"] == "valid"


def test_did_document_is_served(client: TestClient, kaznu: Tenant) -> None:
    response = client.get("/institutions/kaznu/did.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/did+json")
    document = response.json()
    assert document["id"] == kaznu.did
    assert kaznu.did == "did:web:diplomas.example.kz:institutions:kaznu"
    method = document["verificationMethod"][0]
    assert method["type"] == "Multikey" and method["controller"] == kaznu.did
    assert method["id"] in [
        m if isinstance(m, str) else m["id"] for m in document["assertionMethod"]
    ]
    assert "privateKey" not in str(document).lower().replace("publickey", "")


def another_graduate(credential: dict[str, Any]) -> dict[str, Any]:
    """The same diploma for another student (the same one twice is refused as a duplicate)."""
    out = copy.deepcopy(credential)
    subject = out["credentialSubject"]
    subject["identifier"][0]["identityHash"] += "-other"
    subject.pop("diplomaNumber", None)
    return out


def test_vc_api_issue_and_verify(client: TestClient, kaznu: Tenant) -> None:
    credential = issue(client, kaznu)
    unsigned = another_graduate(
        {k: v for k, v in credential.items() if k not in ("proof", "id", "credentialStatus")}
    )
    response = client.post(
        "/credentials/issue", json={"credential": unsigned, "options": {}}, headers=kaznu.headers
    )
    assert response.status_code == 201, response.text
    signed = response.json()["verifiableCredential"]
    assert signed["id"].startswith("urn:uuid:")
    assert "proof" not in unsigned
    # the VC-API issuer adds both status entries when the caller gave none
    assert sorted(e["statusPurpose"] for e in signed["credentialStatus"]) == [
        "revocation",
        "suspension",
    ]
    ok = client.post("/credentials/verify", json={"verifiableCredential": signed})
    assert ok.status_code == 200
    assert ok.json()["verified"] is True
    assert "proof.signature" in ok.json()["checks"]
    bad = client.post(
        "/credentials/verify", json={"verifiableCredential": set_at(signed, "/name", "Forged")}
    )
    assert bad.status_code == 400
    assert bad.headers["content-type"].startswith(PROBLEM)
    assert bad.json()["verified"] is False


def test_vc_api_refuses_someone_elses_issuer(
    client: TestClient, kaznu: Tenant, enu: Tenant
) -> None:
    credential = issue(client, kaznu)
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    response = client.post("/credentials/issue", json={"credential": unsigned}, headers=enu.headers)
    assert response.status_code == 422
    problem = response.json()
    assert response.headers["content-type"].startswith(PROBLEM)
    assert any(
        e["pointer"] == "/credential/issuer/id" and e.get("code") == "issuer-mismatch"
        for e in problem["errors"]
    )


def test_vc_api_rejects_undefined_terms(client: TestClient, kaznu: Tenant) -> None:
    credential = issue(client, kaznu)
    unsigned = copy.deepcopy({k: v for k, v in credential.items() if k not in ("proof", "id")})
    unsigned["credentialSubject"]["favouriteColour"] = "blue"
    response = client.post(
        "/credentials/issue", json={"credential": unsigned}, headers=kaznu.headers
    )
    assert response.status_code == 422
    assert "favouriteColour" in response.text


def test_health(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_context_and_schema_are_served(client: TestClient) -> None:
    ctx = client.get("/contexts/diploma-exchange/v1")
    assert ctx.status_code == 200 and "@context" in ctx.json()
    schema = client.get("/schemas/diploma-credential/v1.json")
    assert schema.status_code == 200
    assert schema.json()["$id"].endswith("/schemas/diploma-credential/v1.json")


def test_vc_api_refuses_status_entries_it_does_not_host(client: TestClient, kaznu: Tenant) -> None:
    credential = issue(client, kaznu)
    unsigned = another_graduate({k: v for k, v in credential.items() if k not in ("proof", "id")})
    reused = client.post("/credentials/issue", json={"credential": unsigned}, headers=kaznu.headers)
    assert reused.status_code == 409, reused.text  # the indexes are taken by the first diploma
    foreign = copy.deepcopy(unsigned)
    for entry in foreign["credentialStatus"]:
        entry["statusListCredential"] = "https://elsewhere.example/lists/1"
        entry["id"] = "https://elsewhere.example/lists/1#5"
    response = client.post(
        "/credentials/issue", json={"credential": foreign}, headers=kaznu.headers
    )
    assert response.status_code == 400, response.text
    assert response.json()["pointer"] == "/credential/credentialStatus"
