"""Registering an institution through the API with the type of its issuing key (issues 14,
19): ``POST /v1/institutions`` with ``keyType`` Ed25519 (the default), P-256 or P-384. The
DID document publishes a Multikey of that curve, the institution's diplomas carry the
cryptosuites of that type signed by that key, and they verify ``valid``; an unknown type
is refused with 422 and registers nothing."""

from __future__ import annotations

from typing import Any, get_args

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from diploma_exchange.api.schemas import KeyTypeName
from diploma_exchange.db.models import AuditEntryRecord, InstitutionRecord
from diploma_exchange.proofs.keys import KeyType
from diploma_exchange.proofs.multibase import decode_base58btc
from helpers import diploma_payload

PROBLEM = "application/problem+json"
#: Per key type: the Multikey prefix, the diplomas' proof set, the JCS signature's length.
EXPECTED: dict[str, tuple[str, tuple[str, str], int]] = {
    "Ed25519": ("z6Mk", ("eddsa-jcs-2022", "eddsa-rdfc-2022"), 64),
    "P-256": ("zDn", ("ecdsa-jcs-2019", "ecdsa-rdfc-2019"), 64),
    "P-384": ("z82", ("ecdsa-jcs-2019", "ecdsa-rdfc-2019"), 96),
}


def admin(admin_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {admin_key}"}


def register(client: TestClient, admin_key: str, slug: str, **extra: Any) -> Any:
    return client.post(
        "/v1/institutions",
        json={"slug": slug, "name": f"University {slug}", **extra},
        headers=admin(admin_key),
    )


def test_the_api_names_exactly_the_key_types_of_the_domain() -> None:
    assert set(get_args(KeyTypeName)) == {kind.value for kind in KeyType}


@pytest.mark.parametrize("kind", ["Ed25519", "P-256", "P-384", None])
def test_each_key_type_registers_publishes_its_key_and_issues_valid_diplomas(
    client: TestClient, admin_key: str, engine: Engine, nic: str, kind: str | None
) -> None:
    slug = f"uni-{(kind or 'default').lower()}"
    expected_type = kind or "Ed25519"
    prefix, suites, signature_length = EXPECTED[expected_type]
    response = register(client, admin_key, slug, **({"keyType": kind} if kind else {}))
    assert response.status_code == 201, response.text
    body = response.json()
    institution = body["institution"]
    did = institution["did"]
    assert institution["keyType"] == expected_type
    assert client.get(f"/v1/institutions/{slug}").json()["keyType"] == expected_type
    listed = {i["slug"]: i for i in client.get("/v1/institutions").json()}
    assert listed[slug]["keyType"] == expected_type

    # Its keys: always the Ed25519 key of the service's own signatures, plus the issuing key.
    keys_listed = client.get(f"/v1/institutions/{slug}/keys").json()
    assert [k["keyType"] for k in keys_listed] == (
        ["Ed25519"] if expected_type == "Ed25519" else ["Ed25519", expected_type]
    )
    issuing = keys_listed[-1]
    assert issuing["status"] == "active"

    # The DID document lists the Multikey of that curve as an assertion method.
    document = client.get(f"/institutions/{slug}/did.json").json()
    assert document["id"] == did
    method = next(m for m in document["verificationMethod"] if m["id"] == issuing["id"])
    assert method["type"] == "Multikey"
    assert method["publicKeyMultibase"] == issuing["publicKeyMultibase"]
    assert method["publicKeyMultibase"].startswith(prefix)
    assert issuing["id"] in document["assertionMethod"]

    with Session(engine) as s:
        entry = s.exec(
            select(AuditEntryRecord).where(
                AuditEntryRecord.action == "institution.register",
                AuditEntryRecord.object_id == did,
            )
        ).one()
    assert f'"keyType": "{expected_type}"' in entry.details or (
        f'"keyType":"{expected_type}"' in entry.details
    )

    # Accredited by the NIC, it issues a diploma signed by the issuing key with its suites...
    accredited = client.post(
        f"/v1/institutions/{slug}/accreditations",
        json={"accreditingBody": "IAAR (test)", "validFrom": "2015-01-01T00:00:00Z"},
        headers=admin(admin_key),
    )
    assert accredited.status_code == 201, accredited.text
    token = body["apiKey"]["apiKey"]
    issued = client.post(
        "/v1/diplomas", json=diploma_payload(), headers={"Authorization": f"Bearer {token}"}
    )
    assert issued.status_code == 201, issued.text
    credential = issued.json()["verifiableCredential"]
    proofs = credential["proof"]
    assert tuple(p["cryptosuite"] for p in proofs) == suites
    assert {p["verificationMethod"] for p in proofs} == {issuing["id"]}
    assert len(decode_base58btc(proofs[0]["proofValue"])) == signature_length

    # ... that the service's verifier finds valid, and invalid once altered.
    report = client.post("/v1/verifications", json=credential).json()
    checks = {c["name"]: c["status"] for c in report["checks"]}
    assert report["verdict"] == "valid", report["checks"]
    for name in ("proof.signature", "proof.key-binding", "issuer.accreditation"):
        assert checks[name] == "passed", (name, checks)
    forged = {**credential, "name": "Doctor of Everything"}
    assert client.post("/v1/verifications", json=forged).json()["verdict"] == "invalid"


@pytest.mark.parametrize("kind", ["P-521", "ed25519", "secp256k1", "", 256, None])
def test_an_unknown_key_type_is_refused_and_nothing_is_registered(
    client: TestClient, admin_key: str, engine: Engine, nic: str, kind: object
) -> None:
    response = register(client, admin_key, "tsu", keyType=kind)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert "keyType" in response.text
    assert client.get("/v1/institutions/tsu").status_code == 404
    with Session(engine) as s:
        assert s.exec(select(InstitutionRecord).where(InstitutionRecord.slug == "tsu")).first() is (
            None
        )
