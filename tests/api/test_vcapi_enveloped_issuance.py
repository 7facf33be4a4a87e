"""VC-API issuance of enveloped credentials (issue 14): ``options.envelope:
"application/vc+jwt"`` secures the credential by VC-JOSE-COSE (§3.1.1: the credential is the
JWS payload; ``typ`` ``vc+jwt``, ``cty`` ``vc``, ``alg`` of the institution's key, ``kid`` its
DID's verification method) and answers a VC Data Model 2.0 §4.13.1
``EnvelopedVerifiableCredential``; with the guarantees of embedded-proof issuance (status
entries, register, transparency log, audit, idempotency), and the service's verifier reports it
verified, and not once tampered with or revoked."""

from __future__ import annotations

import base64
import hashlib
import io
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.test_batches_and_auth import assert_problem
from api.test_ecdsa_issuance import add_key, issue_diploma
from api.test_issue_and_verify import another_graduate
from conftest import Tenant
from diploma_exchange.db.models import AuditEntryRecord, CredentialRecord, LogLeafRecord
from diploma_exchange.documents.extract import extract_credential_from_pdf
from diploma_exchange.services import enveloped_issuance, institutions

V2 = "https://www.w3.org/ns/credentials/v2"
EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"
VC_JWT = "application/vc+jwt"


def allow(engine: Engine, slug: str) -> None:
    with Session(engine) as s:
        institutions.allow_any_vc(s, institutions.get_institution(s, slug))
        s.commit()


def plain(issuer: Any, name: str = "Alice") -> dict[str, Any]:
    return {
        "@context": [V2, EXAMPLES],
        "type": ["VerifiableCredential", "ExampleAchievementCredential"],
        "issuer": issuer,
        "credentialSubject": {"id": "did:example:alice", "name": name},
    }


def issue(
    client: TestClient, tenant: Tenant, credential: Any, key: str | None = None, **options: Any
) -> Any:
    body: dict[str, Any] = {"credential": credential, "options": options}
    headers = dict(tenant.headers)
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post("/credentials/issue", json=body, headers=headers)


def verify(client: TestClient, credential: Any) -> Any:
    return client.post("/credentials/verify", json={"verifiableCredential": credential})


def b64decode(part: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def token_of(envelope: dict[str, Any]) -> str:
    prefix = f"data:{VC_JWT},"
    assert envelope["id"].startswith(prefix)
    return str(envelope["id"][len(prefix) :])


def with_token(token: str) -> dict[str, Any]:
    return {
        "@context": [V2],
        "id": f"data:{VC_JWT},{token}",
        "type": "EnvelopedVerifiableCredential",
    }


def statuses(body: dict[str, Any]) -> dict[str, str]:
    return {c["name"]: c["status"] for c in body["report"]["checks"]}


@pytest.fixture
def issued(client: TestClient, engine: Engine, kaznu: Tenant) -> dict[str, Any]:
    allow(engine, "kaznu")
    response = issue(client, kaznu, plain(kaznu.did), envelope=VC_JWT)
    assert response.status_code == 201, response.text
    return response.json()["verifiableCredential"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(("key_type", "alg"), [("Ed25519", "EdDSA"), ("P-256", "ES256")])
def test_enveloped_credential_is_issued_and_verifies(
    client: TestClient,
    engine: Engine,
    settings: Any,
    kaznu: Tenant,
    key_type: str,
    alg: str,
) -> None:
    allow(engine, "kaznu")
    if key_type != "Ed25519":
        add_key(engine, settings, "kaznu", key_type, issuing=True)
    response = issue(client, kaznu, plain({"id": kaznu.did, "name": "KazNU"}), envelope=VC_JWT)
    assert response.status_code == 201, response.text
    envelope = response.json()["verifiableCredential"]
    # VC Data Model 2.0 §4.13.1: exactly @context, id (a data: URL), type
    assert set(envelope) == {"@context", "id", "type"}
    assert envelope["@context"] == [V2] and envelope["type"] == "EnvelopedVerifiableCredential"
    token = token_of(envelope)
    head, body, _ = token.split(".")
    header, payload = b64decode(head), b64decode(body)
    assert header["alg"] == alg and header["typ"] == "vc+jwt" and header["cty"] == "vc"
    assert header["kid"].startswith(kaznu.did + "#")
    # VC-JOSE-COSE §3.1.1: the payload is the credential itself, no vc/vp claims, no proof
    assert payload["@context"] == [V2, EXAMPLES]
    assert payload["issuer"] == {"id": kaznu.did, "name": "KazNU"}
    assert payload["id"].startswith("urn:uuid:") and "validFrom" in payload
    assert not {"vc", "vp", "proof"} & set(payload)
    assert sorted(e["statusPurpose"] for e in payload["credentialStatus"]) == [
        "revocation",
        "suspension",
    ]
    result = verify(client, envelope)
    assert result.status_code == 200, result.text
    body_json = result.json()
    assert body_json["verified"] is True
    checks = statuses(body_json)
    assert checks["proof.signature"] == "passed"
    assert checks["issuance.record"] == "passed"
    assert checks["issuance.log"] == "passed"
    assert checks["status.revocation"] == "passed"
    # the compact JWS alone is the same credential
    assert verify(client, token).status_code == 200


def test_register_log_and_audit(client: TestClient, engine: Engine, issued: dict[str, Any]) -> None:
    token = token_of(issued)
    digest = hashlib.sha256(token.encode("ascii")).hexdigest()
    credential_id = b64decode(token.split(".")[1])["id"]
    with Session(engine) as s:
        record = s.get(CredentialRecord, credential_id)
        assert record is not None
        assert record.secured_digest == digest
        assert json.loads(record.document) == issued
        leaves = s.exec(
            select(LogLeafRecord).where(
                LogLeafRecord.kind == "issuance", LogLeafRecord.digest == digest
            )
        ).all()
        assert len(leaves) == 1
        audits = s.exec(
            select(AuditEntryRecord).where(AuditEntryRecord.action == "diploma.issue")
        ).all()
        assert [a.object_id for a in audits] == [credential_id]


@pytest.mark.parametrize("part", ["payload", "signature"])
def test_tampered_envelope_is_not_verified(
    client: TestClient, issued: dict[str, Any], part: str
) -> None:
    head, body, signature = token_of(issued).split(".")
    if part == "payload":
        claims = b64decode(body)
        claims["credentialSubject"]["name"] = "Eve"
        body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    else:
        raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
        raw[0] ^= 1
        signature = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    result = verify(client, with_token(f"{head}.{body}.{signature}"))
    assert result.status_code == 400, result.text
    assert result.json()["verified"] is False
    assert statuses(result.json())["proof.signature"] == "failed"


def test_revoked_envelope_is_not_verified(
    client: TestClient, kaznu: Tenant, issued: dict[str, Any]
) -> None:
    payload = b64decode(token_of(issued).split(".")[1])
    response = client.post(
        "/credentials/status",
        json={
            "credentialId": payload["id"],
            "credentialStatus": {"type": "BitstringStatusListEntry", "statusPurpose": "revocation"},
            "status": True,
        },
        headers=kaznu.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "revoked"
    result = verify(client, issued)
    assert result.status_code == 400, result.text
    assert statuses(result.json())["status.revocation"] == "failed"


def test_idempotent_retry_returns_the_same_envelope(
    client: TestClient, engine: Engine, kaznu: Tenant
) -> None:
    allow(engine, "kaznu")
    first = issue(client, kaznu, plain(kaznu.did), key="env-1", envelope=VC_JWT)
    assert first.status_code == 201, first.text
    assert first.json()["verifiableCredential"]["type"] == "EnvelopedVerifiableCredential"
    again = issue(client, kaznu, plain(kaznu.did), key="env-1", envelope=VC_JWT)
    assert again.status_code == 201, again.text
    assert again.json() == first.json()
    # the same key for another request (the embedded proof) is a conflict
    assert_problem(issue(client, kaznu, plain(kaznu.did), key="env-1"), 409)
    with Session(engine) as s:
        assert len(s.exec(select(CredentialRecord)).all()) == 1


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({"envelope": "application/vc+cose"}, "unsupported-envelope"),
        ({"envelope": "application/vp+jwt"}, "unsupported-envelope"),
        ({"envelope": VC_JWT, "cryptosuite": "eddsa-jcs-2022"}, "envelope-with-cryptosuite"),
    ],
)
def test_bad_envelope_options_are_refused(
    client: TestClient, engine: Engine, kaznu: Tenant, options: dict[str, Any], code: str
) -> None:
    allow(engine, "kaznu")
    assert_problem(issue(client, kaznu, plain(kaznu.did), **options), 400, code)
    with Session(engine) as s:
        assert s.exec(select(CredentialRecord)).all() == []


def test_vc_1_1_is_not_enveloped(client: TestClient, engine: Engine, kaznu: Tenant) -> None:
    allow(engine, "kaznu")
    credential = {
        **plain(kaznu.did),
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiableCredential"],
    }
    body = assert_problem(issue(client, kaznu, credential, envelope=VC_JWT), 422)
    assert "envelope-needs-vc-2" in json.dumps(body)


def test_enveloped_diploma_pdf_shows_the_payload_and_attaches_the_envelope(
    client: TestClient, kaznu: Tenant
) -> None:
    diploma = issue_diploma(client, kaznu)
    unsigned = another_graduate(
        {k: v for k, v in diploma.items() if k not in ("proof", "id", "credentialStatus")}
    )
    response = issue(client, kaznu, unsigned, envelope=VC_JWT)
    assert response.status_code == 201, response.text
    envelope = response.json()["verifiableCredential"]
    payload = b64decode(token_of(envelope).split(".")[1])
    # the default policy (diploma profile, trust, accreditation) holds for it too
    assert client.post("/v1/verifications", json=envelope).json()["verdict"] == "valid"
    pdf = client.get(f"/v1/diplomas/{payload['id']}/diploma.pdf", headers=kaznu.headers)
    assert pdf.status_code == 200, pdf.text
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    name = payload["credentialSubject"]["graduate"]["fullName"]["en"]
    assert name.split()[0] in text
    assert extract_credential_from_pdf(pdf.content).credential == envelope


def test_an_envelope_signed_by_the_key_but_never_issued_is_not_verified(
    client: TestClient, engine: Engine, settings: Any, issued: dict[str, Any]
) -> None:
    """The register names the issued JWS: the same credential re-signed by the institution's
    key outside issuance (a leaked key) is ``not-issued-here``."""
    payload = b64decode(token_of(issued).split(".")[1])
    payload["credentialSubject"]["name"] = "Eve"
    with Session(engine) as s:
        institution = institutions.get_institution(s, "kaznu")
        signer = institutions.issuing_signer(s, settings, institution)
        forged = enveloped_issuance.envelope_credential(payload, signer)
    result = verify(client, forged.envelope)
    assert result.status_code == 400, result.text
    checks = statuses(result.json())
    assert checks["proof.signature"] == "passed"
    assert checks["issuance.record"] == "failed"
