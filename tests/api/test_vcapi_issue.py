"""VC-API issuance beyond diplomas: a plain VC 2.0 credential (issuer a string or an object)
for an institution the NIC allows to, eddsa-rdfc-2022 on request, and the institution's
did:key as issuer; with the same guarantees (term safety, status entries, audit)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from conftest import Tenant
from diploma_exchange.credentials.vc_data_model import validate_vc
from diploma_exchange.db.models import AuditEntryRecord, InstitutionRecord
from diploma_exchange.services import institutions

V2 = "https://www.w3.org/ns/credentials/v2"
EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"


def allow(engine: Engine, slug: str) -> None:
    with Session(engine) as s:
        record = institutions.get_institution(s, slug)
        institutions.allow_any_vc(s, record)
        s.commit()


def did_key(engine: Engine, slug: str) -> str:
    with Session(engine) as s:
        return institutions.did_key_of(s, institutions.get_institution(s, slug))


def plain(issuer: Any) -> dict[str, Any]:
    return {
        "@context": [V2, EXAMPLES],
        "type": ["VerifiableCredential", "ExampleAchievementCredential"],
        "issuer": issuer,
        "credentialSubject": {"id": "did:example:alice", "name": "Alice"},
    }


def issue(client: TestClient, tenant: Tenant, credential: Any, **options: Any) -> Any:
    body: dict[str, Any] = {"credential": credential}
    if options:
        body["options"] = options
    return client.post("/credentials/issue", json=body, headers=tenant.headers)


def verify(client: TestClient, credential: dict[str, Any], **options: Any) -> Any:
    body: dict[str, Any] = {"verifiableCredential": credential}
    if options:
        body["options"] = options
    return client.post("/credentials/verify", json=body)


def test_plain_vc_needs_the_nics_permission(client: TestClient, kaznu: Tenant) -> None:
    response = issue(client, kaznu, plain(kaznu.did))
    assert response.status_code == 422
    # without the permission the diploma profile applies, with its problems
    assert "DiplomaCredential" in response.text


@pytest.mark.parametrize("as_object", [False, True])
@pytest.mark.parametrize("cryptosuite", [None, "eddsa-jcs-2022", "eddsa-rdfc-2022"])
def test_plain_vc_is_issued_with_status_and_verifies(
    client: TestClient,
    engine: Engine,
    kaznu: Tenant,
    as_object: bool,
    cryptosuite: str | None,
) -> None:
    allow(engine, "kaznu")
    issuer: Any = {"id": kaznu.did, "name": "KazNU"} if as_object else kaznu.did
    options = {"cryptosuite": cryptosuite} if cryptosuite else {}
    response = issue(client, kaznu, plain(issuer), **options)
    assert response.status_code == 201, response.text
    signed = response.json()["verifiableCredential"]
    assert signed["issuer"] == issuer
    assert signed["proof"]["cryptosuite"] == (cryptosuite or "eddsa-jcs-2022")
    assert signed["proof"]["verificationMethod"].startswith(kaznu.did + "#")
    assert sorted(e["statusPurpose"] for e in signed["credentialStatus"]) == [
        "revocation",
        "suspension",
    ]
    assert signed["id"].startswith("urn:uuid:") and "validFrom" in signed
    result = verify(client, signed)
    assert result.status_code == 200, result.text
    assert result.json()["verified"] is True
    # the institution is trusted and accredited here: the default policy passes too
    assert client.post("/v1/verifications", json=signed).json()["verdict"] == "valid"
    with Session(engine) as s:
        actions = [r.action for r in s.exec(select(AuditEntryRecord)).all()]
    assert "institution.allow-any-vc" in actions and "diploma.issue" in actions


def test_did_key_issuer(client: TestClient, engine: Engine, kaznu: Tenant) -> None:
    allow(engine, "kaznu")
    issuer = did_key(engine, "kaznu")
    assert issuer.startswith("did:key:z6Mk")
    response = issue(client, kaznu, plain(issuer), cryptosuite="eddsa-rdfc-2022")
    assert response.status_code == 201, response.text
    signed = response.json()["verifiableCredential"]
    multibase = issuer.removeprefix("did:key:")
    assert signed["proof"]["verificationMethod"] == f"{issuer}#{multibase}"
    # status lists are issued by the did:web identity: a did:key credential has none
    assert "credentialStatus" not in signed
    result = verify(client, signed, checks=["proof", "credentialStatus"])
    assert result.status_code == 200 and result.json()["verified"] is True, result.text
    tampered = {**signed, "credentialSubject": {"id": "did:example:alice", "name": "Eve"}}
    assert verify(client, tampered, checks=["proof"]).status_code == 400
    with_status = {
        **plain(issuer),
        "credentialStatus": {
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "1",
            "statusListCredential": "https://diplomas.example.kz/status-lists/x",
        },
    }
    refused = issue(client, kaznu, with_status)
    assert refused.status_code == 422
    assert "status-needs-did-web" in [e["code"] for e in refused.json()["errors"]]


def test_someone_elses_did_key_is_refused(
    client: TestClient, engine: Engine, kaznu: Tenant, enu: Tenant
) -> None:
    allow(engine, "kaznu")
    response = issue(client, kaznu, plain(did_key(engine, "enu")))
    assert response.status_code == 422
    assert any(e["code"] == "issuer-mismatch" for e in response.json()["errors"])


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"@context": [EXAMPLES, V2]}, "/credential/@context/0"),
        ({"type": ["ExampleAchievementCredential"]}, "/credential/type"),
        ({"credentialSubject": {}}, "/credential/credentialSubject"),
        ({"validFrom": "2026-01-01"}, "/credential/validFrom"),
        (
            {"validFrom": "2026-01-02T00:00:00Z", "validUntil": "2026-01-01T00:00:00Z"},
            "/credential/validUntil",
        ),
        ({"id": "not a url"}, "/credential/id"),
        (
            {"credentialSchema": {"id": "https://example.org/s.json"}},
            "/credential/credentialSchema",
        ),
        ({"proof": {"type": "DataIntegrityProof"}}, "/credential/proof"),
        # without the examples context (whose @vocab defines every term), an undefined term
        (
            {"@context": [V2], "unknownTerm": 1, "type": ["VerifiableCredential"]},
            "/credential/unknownTerm",
        ),
    ],
)
def test_a_malformed_plain_vc_is_refused_and_nothing_issued(
    client: TestClient, engine: Engine, kaznu: Tenant, change: dict[str, Any], pointer: str
) -> None:
    allow(engine, "kaznu")
    response = issue(client, kaznu, {**plain(kaznu.did), **change})
    assert response.status_code == 422, response.text
    assert pointer in [e["pointer"] for e in response.json()["errors"]], response.json()
    assert client.get("/v1/diplomas", headers=kaznu.headers).json() == []


@pytest.mark.parametrize("cryptosuite", ["eddsa-jcs-2022", "eddsa-rdfc-2022"])
def test_a_vc_1_1_credential_gets_the_contexts_of_what_is_added(
    client: TestClient, engine: Engine, kaznu: Tenant, cryptosuite: str
) -> None:
    allow(engine, "kaznu")
    v1 = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiableCredential"],
        "issuer": kaznu.did,
        "credentialSubject": {"id": "did:example:alice"},
    }
    response = issue(client, kaznu, v1, cryptosuite=cryptosuite)
    assert response.status_code == 201, response.text
    signed = response.json()["verifiableCredential"]
    assert signed["@context"] == [
        "https://www.w3.org/2018/credentials/v1",
        "https://w3id.org/security/data-integrity/v2",
    ]
    assert "issuanceDate" in signed and "validFrom" not in signed
    assert "credentialStatus" not in signed  # Bitstring Status List entries are VC 2.0 terms
    result = verify(client, signed)
    assert result.status_code == 200 and result.json()["verified"] is True, result.text
    entry = {"type": "BitstringStatusListEntry", "statusPurpose": "revocation"}
    refused = issue(client, kaznu, {**v1, "credentialStatus": entry})
    assert "status-needs-vc-2" in [e["code"] for e in refused.json()["errors"]]
    bad = issue(client, kaznu, {**v1, "issuanceDate": "yesterday"})
    assert bad.status_code == 422
    assert "/credential/issuanceDate" in [e["pointer"] for e in bad.json()["errors"]]


def test_unsupported_cryptosuite_is_refused(
    client: TestClient, engine: Engine, kaznu: Tenant
) -> None:
    allow(engine, "kaznu")
    response = issue(client, kaznu, plain(kaznu.did), cryptosuite="ecdsa-rdfc-2019")
    assert response.status_code == 400
    assert response.json()["code"] == "unsupported-cryptosuite"
    assert response.json()["pointer"] == "/options/cryptosuite"


def test_permission_can_be_withdrawn(client: TestClient, engine: Engine, kaznu: Tenant) -> None:
    allow(engine, "kaznu")
    with Session(engine) as s:
        institutions.allow_any_vc(s, institutions.get_institution(s, "kaznu"), allowed=False)
        s.commit()
        assert (
            not s.exec(select(InstitutionRecord).where(InstitutionRecord.slug == "kaznu"))
            .one()
            .may_issue_any_vc
        )
    assert issue(client, kaznu, plain(kaznu.did)).status_code == 422


def test_related_resources_need_unique_ids_and_a_digest() -> None:
    resource = {"id": "https://example.org/a", "digestSRI": "sha384-x"}
    assert validate_vc({**plain("did:example:1"), "relatedResource": [resource]}) == []
    twice = validate_vc({**plain("did:example:1"), "relatedResource": [resource, resource]})
    assert [d.code for d in twice] == ["duplicate-id"]
    no_digest = validate_vc({**plain("did:example:1"), "relatedResource": {"id": "https://x.org"}})
    assert [d.code for d in no_digest] == ["required"]


def test_validate_vc_accepts_the_spec_shapes() -> None:
    assert validate_vc(plain("https://example.edu/issuers/1")) == []
    assert (
        validate_vc(
            {**plain({"id": "did:example:1"}), "name": [{"@value": "x", "@language": "en"}]}
        )
        == []
    )
    assert (
        validate_vc({**plain("did:example:1"), "credentialSubject": [{"id": "did:example:2"}]})
        == []
    )
    assert validate_vc([]) != []  # type: ignore[arg-type]
