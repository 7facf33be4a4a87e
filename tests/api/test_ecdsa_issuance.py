"""ECDSA issuance (issue 14): institutions hold P-256 and P-384 keys beside their Ed25519 one,
with the same lifecycle (encrypted at rest, key event log, DID document, rotation, compromise);
an institution whose issuing key type is P-256/P-384 signs diplomas and status lists with
ecdsa-jcs-2019 + ecdsa-rdfc-2019, and the VC-API's ``options.cryptosuite`` picks a key that
fits. Everything issued verifies ``valid`` through the service's own verifier."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from conftest import Tenant
from diploma_exchange.db.models import AuditEntryRecord
from diploma_exchange.dids.document import DidDocument
from diploma_exchange.dids.key_log import verify_log
from diploma_exchange.errors import InvalidInput
from diploma_exchange.proofs import keys
from diploma_exchange.proofs.ecdsa_sd_2023_create import derive_proof
from diploma_exchange.proofs.multibase import decode_base58btc, encode_base58btc
from diploma_exchange.proofs.secured import secured_digest
from diploma_exchange.services import institutions
from helpers import diploma_payload

V2 = "https://www.w3.org/ns/credentials/v2"
EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"
PREFIX = {"P-256": "zDn", "P-384": "z82"}


def add_key(engine: Engine, settings: Any, slug: str, kind: str, *, issuing: bool) -> str:
    """Add a key of ``kind`` to ``slug``; its key id."""
    with Session(engine, expire_on_commit=False) as s:
        record = institutions.get_institution(s, slug)
        key = institutions.add_signing_key(s, settings, record, key_type=keys.KeyType(kind))
        if issuing:
            institutions.set_issuing_key_type(s, record, keys.KeyType(kind))
        s.commit()
        return key.key_id


def issue_diploma(client: TestClient, tenant: Tenant, i: int = 0) -> dict[str, Any]:
    response = client.post("/v1/diplomas", json=diploma_payload(i), headers=tenant.headers)
    assert response.status_code == 201, response.text
    return response.json()["verifiableCredential"]  # type: ignore[no-any-return]


def report(client: TestClient, credential: dict[str, Any]) -> tuple[str, dict[str, str]]:
    body = client.post("/v1/verifications", json=credential).json()
    return body["verdict"], {c["name"]: c["status"] for c in body["checks"]}


def plain(issuer: Any) -> dict[str, Any]:
    return {
        "@context": [V2, EXAMPLES],
        "type": ["VerifiableCredential", "ExampleAchievementCredential"],
        "issuer": issuer,
        "credentialSubject": {"id": "did:example:alice", "name": "Alice"},
    }


def vc_issue(client: TestClient, tenant: Tenant, credential: Any, **options: Any) -> Any:
    body: dict[str, Any] = {"credential": credential}
    if options:
        body["options"] = options
    return client.post("/credentials/issue", json=body, headers=tenant.headers)


def allow(engine: Engine, slug: str) -> None:
    with Session(engine) as s:
        institutions.allow_any_vc(s, institutions.get_institution(s, slug))
        s.commit()


@pytest.mark.parametrize("kind", ["P-256", "P-384"])
def test_an_ecdsa_institution_issues_diplomas_that_verify(
    client: TestClient, engine: Engine, settings: Any, kaznu: Tenant, kind: str
) -> None:
    key_id = add_key(engine, settings, "kaznu", kind, issuing=True)
    credential = issue_diploma(client, kaznu)
    jcs, rdfc = credential["proof"]
    assert (jcs["cryptosuite"], rdfc["cryptosuite"]) == ("ecdsa-jcs-2019", "ecdsa-rdfc-2019")
    assert jcs["verificationMethod"] == rdfc["verificationMethod"] == f"{kaznu.did}#{key_id}"
    verdict, checks = report(client, credential)
    assert verdict == "valid", checks
    for name in (
        "proof.signature",
        "proof.key-binding",
        "key.validity",
        "status.revocation",
        "issuance.record",
    ):
        assert checks[name] == "passed", (name, checks)
    # the status list it points at is signed by the same key, with the same suites
    url = credential["credentialStatus"][0]["statusListCredential"]
    listed = client.get(urlsplit(url).path, headers={"accept": "application/vc+ld+json"}).json()
    assert [p["cryptosuite"] for p in listed["proof"]] == ["ecdsa-jcs-2019", "ecdsa-rdfc-2019"]
    assert listed["proof"][0]["verificationMethod"] == f"{kaznu.did}#{key_id}"
    # an altered diploma fails
    tampered = copy.deepcopy(credential)
    signature = bytearray(decode_base58btc(tampered["proof"][1]["proofValue"]))
    signature[5] ^= 1
    tampered["proof"][1]["proofValue"] = encode_base58btc(bytes(signature))
    verdict, checks = report(client, tampered)
    assert verdict == "invalid" and checks["proof.signature"] == "failed"


def test_revocation_through_an_ecdsa_signed_status_list(
    client: TestClient, engine: Engine, settings: Any, kaznu: Tenant
) -> None:
    add_key(engine, settings, "kaznu", "P-256", issuing=True)
    credential = issue_diploma(client, kaznu, 1)
    response = client.post(
        f"/v1/diplomas/{credential['id']}/status-changes",
        json={"action": "revoke", "reasonCode": "issued-in-error"},
        headers=kaznu.headers,
    )
    assert response.status_code == 201, response.text
    body = client.post("/v1/verifications", json=credential).json()
    assert body["verdict"] == "invalid", body
    by_name = {c["name"]: (c["status"], c["code"]) for c in body["checks"]}
    assert by_name["status.revocation"] == ("failed", "revoked")
    assert by_name["proof.signature"][0] == "passed"


def test_ecdsa_keys_are_published_encrypted_and_logged(
    client: TestClient, engine: Engine, settings: Any, kaznu: Tenant
) -> None:
    p256 = add_key(engine, settings, "kaznu", "P-256", issuing=False)
    p384 = add_key(engine, settings, "kaznu", "P-384", issuing=False)
    document = client.get("/institutions/kaznu/did.json").json()
    methods = {m["id"].rsplit("#", 1)[1]: m for m in document["verificationMethod"]}
    assert methods[p256]["type"] == methods[p384]["type"] == "Multikey"
    assert methods[p256]["publicKeyMultibase"].startswith("zDn")
    assert methods[p384]["publicKeyMultibase"].startswith("z82")
    assert {f"{kaznu.did}#{p256}", f"{kaznu.did}#{p384}"} <= set(document["assertionMethod"])
    listed = client.get("/v1/institutions/kaznu/keys").json()
    assert [k["keyType"] for k in listed] == ["Ed25519", "P-256", "P-384"]
    with Session(engine) as s:
        record = institutions.get_institution(s, "kaznu")
        stored = {k.key_id: k for k in institutions.institution_keys(s, record)}
        log = institutions.key_event_log(s, record)
    pem = stored[p384].encrypted_private_key
    assert pem is not None and pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    loaded = keys.load_signing_key(pem, b"test-passphrase")
    assert isinstance(loaded, ec.EllipticCurvePrivateKey) and loaded.curve.name == "secp384r1"
    added = {e["keyId"]: e["publicKeyMultibase"] for e in log if e["event"] == "added"}
    assert added[f"{kaznu.did}#{p256}"] == stored[p256].public_key_multibase
    events = client.get("/institutions/kaznu/key-events").json()
    nic_document = DidDocument.from_json(client.get("/.well-known/did.json").json())

    def nic_key(method: str) -> Any:
        vm = nic_document.verification_method(method)
        if vm is None:
            raise LookupError(method)
        return vm.public_key()

    result = verify_log(events["entries"], controller=kaznu.did, public_key_for=nic_key)
    assert result, result.problems
    assert f"{kaznu.did}#{p384}" in result.windows


def test_rotating_the_ecdsa_key_retires_only_keys_of_its_type(
    client: TestClient, engine: Engine, settings: Any, kaznu: Tenant
) -> None:
    old = add_key(engine, settings, "kaznu", "P-256", issuing=True)
    before = issue_diploma(client, kaznu, 2)
    response = client.post(
        "/v1/institutions/kaznu/keys/rotate", json={"keyType": "P-256"}, headers=kaznu.headers
    )
    assert response.status_code == 201, response.text
    assert response.json()["keyType"] == "P-256"
    new = response.json()["id"].rsplit("#", 1)[1]
    states = {
        k["id"].rsplit("#", 1)[1]: k["status"]
        for k in client.get("/v1/institutions/kaznu/keys").json()
    }
    assert states == {"key-1": "active", old: "retired", new: "active"}
    after = issue_diploma(client, kaznu, 3)
    assert after["proof"][0]["verificationMethod"] == f"{kaznu.did}#{new}"
    for credential in (before, after):
        verdict, checks = report(client, credential)
        assert verdict == "valid", checks
    refused = client.post(
        "/v1/institutions/kaznu/keys/rotate", json={"keyType": "P-521"}, headers=kaznu.headers
    )
    assert refused.status_code == 422


def test_a_compromised_ecdsa_key_is_replaced_by_one_of_its_type(
    client: TestClient, engine: Engine, settings: Any, kaznu: Tenant
) -> None:
    old = add_key(engine, settings, "kaznu", "P-384", issuing=True)
    before = issue_diploma(client, kaznu, 4)
    moment = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
    response = client.post(
        f"/v1/institutions/kaznu/keys/{old}/compromise",
        json={"compromisedAt": moment},
        headers=kaznu.headers,
    )
    assert response.status_code == 200, response.text
    listed = client.get("/v1/institutions/kaznu/keys").json()
    active = [(k["keyType"], k["id"].rsplit("#", 1)[1]) for k in listed if k["status"] == "active"]
    assert active[0] == ("Ed25519", "key-1") and active[1][0] == "P-384" and active[1][1] != old
    after = issue_diploma(client, kaznu, 5)
    assert after["proof"][0]["verificationMethod"].endswith("#" + active[1][1])
    assert report(client, after)[0] == "valid"
    assert report(client, before)[0] == "valid"  # signed before the compromise


@pytest.mark.parametrize(
    ("cryptosuite", "kind"),
    [
        ("ecdsa-rdfc-2019", "P-256"),
        ("ecdsa-jcs-2019", "P-256"),
        ("ecdsa-rdfc-2019", "P-384"),
        ("ecdsa-jcs-2019", "P-384"),
    ],
)
def test_vc_api_options_cryptosuite_picks_a_fitting_key(
    client: TestClient,
    engine: Engine,
    settings: Any,
    kaznu: Tenant,
    cryptosuite: str,
    kind: str,
) -> None:
    allow(engine, "kaznu")
    key_id = add_key(engine, settings, "kaznu", kind, issuing=False)
    response = vc_issue(client, kaznu, plain(kaznu.did), cryptosuite=cryptosuite)
    assert response.status_code == 201, response.text
    signed = response.json()["verifiableCredential"]
    assert signed["proof"]["cryptosuite"] == cryptosuite
    assert signed["proof"]["verificationMethod"] == f"{kaznu.did}#{key_id}"
    result = client.post("/credentials/verify", json={"verifiableCredential": signed})
    assert result.status_code == 200 and result.json()["verified"] is True, result.text
    assert report(client, signed)[0] == "valid"
    # without options.cryptosuite the issuing key type (Ed25519 here) decides
    default = vc_issue(client, kaznu, plain(kaznu.did)).json()["verifiableCredential"]
    assert default["proof"]["cryptosuite"] == "eddsa-jcs-2022"


@pytest.mark.parametrize("kind", ["P-256", "P-384"])
def test_vc_api_did_key_of_an_ecdsa_key(
    client: TestClient, engine: Engine, settings: Any, kaznu: Tenant, kind: str
) -> None:
    allow(engine, "kaznu")
    add_key(engine, settings, "kaznu", kind, issuing=False)
    with Session(engine) as s:
        record = institutions.get_institution(s, "kaznu")
        did = (
            "did:key:" + institutions.active_key(s, record, keys.KeyType(kind)).public_key_multibase
        )
    assert did.startswith("did:key:" + PREFIX[kind])
    for cryptosuite in (None, "ecdsa-rdfc-2019", "ecdsa-jcs-2019"):
        options = {"cryptosuite": cryptosuite} if cryptosuite else {}
        response = vc_issue(client, kaznu, plain(did), **options)
        assert response.status_code == 201, response.text
        signed = response.json()["verifiableCredential"]
        assert signed["proof"]["cryptosuite"] == (cryptosuite or "ecdsa-jcs-2019")
        assert signed["proof"]["verificationMethod"] == f"{did}#{did.removeprefix('did:key:')}"
        result = client.post(
            "/credentials/verify",
            json={"verifiableCredential": signed, "options": {"checks": ["proof"]}},
        )
        assert result.status_code == 200 and result.json()["verified"] is True, result.text
    wrong = vc_issue(client, kaznu, plain(did), cryptosuite="eddsa-jcs-2022")
    assert wrong.status_code == 400 and wrong.json()["code"] == "unsupported-cryptosuite"


def test_unknown_or_unfitting_cryptosuites_are_refused_and_nothing_issued(
    client: TestClient, engine: Engine, kaznu: Tenant
) -> None:
    allow(engine, "kaznu")
    for cryptosuite in ("ecdsa-sd-2099", "ecdsa-jcs-2019"):
        response = vc_issue(client, kaznu, plain(kaznu.did), cryptosuite=cryptosuite)
        assert response.status_code == 400, response.text
        assert response.json()["code"] == "unsupported-cryptosuite"
        assert response.json()["pointer"] == "/options/cryptosuite"
    assert client.get("/v1/diplomas", headers=kaznu.headers).json() == []


def test_the_issuing_key_type_needs_an_active_key_of_that_type(
    engine: Engine, settings: Any, kaznu: Tenant
) -> None:
    with Session(engine) as s:
        record = institutions.get_institution(s, "kaznu")
        with pytest.raises(InvalidInput) as caught:
            institutions.set_issuing_key_type(s, record, keys.KeyType.P384)
        assert caught.value.code == "no-key-of-type"
    add_key(engine, settings, "kaznu", "P-384", issuing=True)
    with Session(engine) as s:
        record = institutions.get_institution(s, "kaznu")
        assert institutions.issuing_key_type(record) is keys.KeyType.P384
        assert institutions.signer_for(s, settings, record).verification_method.endswith("#key-1")
        actions = [r.action for r in s.exec(select(AuditEntryRecord)).all()]
    assert "institution.issuing-key-type" in actions and "key.added" in actions


def test_registering_an_ecdsa_institution(engine: Engine, settings: Any, nic: str) -> None:
    with Session(engine, expire_on_commit=False) as s:
        record, key = institutions.register_institution(
            s, settings, slug="satbayev", name="Satbayev University", key_type=keys.KeyType.P256
        )
        s.commit()
        assert key.key_id == "key-2" and key.public_key_multibase.startswith("zDn")
        assert institutions.issuing_key(s, record).key_id == "key-2"
        assert institutions.active_key(s, record).key_id == "key-1"  # its Ed25519 key
        assert institutions.did_key_of(s, record) == "did:key:" + key.public_key_multibase


def test_ecdsa_sd_2023_base_proof_derives_to_a_valid_disclosure(
    client: TestClient, engine: Engine, settings: Any, kaznu: Tenant
) -> None:
    allow(engine, "kaznu")
    key_id = add_key(engine, settings, "kaznu", "P-256", issuing=False)
    credential = plain(kaznu.did)
    credential["credentialSubject"]["degree"] = "BSc"
    response = vc_issue(client, kaznu, credential, cryptosuite="ecdsa-sd-2023")
    assert response.status_code == 201, response.text
    base = response.json()["verifiableCredential"]
    assert base["proof"]["cryptosuite"] == "ecdsa-sd-2023"
    assert base["proof"]["verificationMethod"] == f"{kaznu.did}#{key_id}"
    assert base["proof"]["proofValue"].startswith("u2V0A")  # base proof header 0xd95d00
    # the holder reveals the name only; the mandatory statements come along
    derived = derive_proof(base, ["/credentialSubject/name"])
    assert derived["credentialSubject"] == {"id": "did:example:alice", "name": "Alice"}
    assert {"issuer", "validFrom", "credentialStatus", "id"} <= set(derived)
    result = client.post("/credentials/verify", json={"verifiableCredential": derived})
    assert result.status_code == 200 and result.json()["verified"] is True, result.text
    _verdict, checks = report(client, derived)
    assert checks["proof.signature"] == "passed" and checks["status.revocation"] == "passed"
    assert checks["proof.key-binding"] == "passed" and checks["key.validity"] == "passed"
    # the register and the transparency log name the issuance by its base signature
    assert checks["issuance.record"] == "passed" and checks["issuance.log"] == "passed"
    assert secured_digest(derived) == secured_digest(base)
    # a statement changed after derivation breaks it
    forged = copy.deepcopy(derived)
    forged["credentialSubject"]["name"] = "Eve"
    assert report(client, forged)[1]["proof.signature"] == "failed"


def test_ecdsa_sd_2023_string_values_that_look_like_blank_nodes(
    client: TestClient, engine: Engine, settings: Any, kaznu: Tenant
) -> None:
    # Issuing raised KeyError (a 500) for such a value: blank node labels were replaced by a
    # text substitution over whole N-Quads, literals included.
    allow(engine, "kaznu")
    add_key(engine, settings, "kaznu", "P-256", issuing=False)
    credential = plain(kaznu.did)
    credential["credentialSubject"]["name"] = "Alice _:b0 <urn:custom-scheme:x>"
    response = vc_issue(client, kaznu, credential, cryptosuite="ecdsa-sd-2023")
    assert response.status_code == 201, response.text
    derived = derive_proof(response.json()["verifiableCredential"], ["/credentialSubject/name"])
    assert derived["credentialSubject"]["name"] == "Alice _:b0 <urn:custom-scheme:x>"
    result = client.post("/credentials/verify", json={"verifiableCredential": derived})
    assert result.status_code == 200 and result.json()["verified"] is True, result.text


def test_ecdsa_sd_2023_options_are_checked(
    client: TestClient, engine: Engine, settings: Any, kaznu: Tenant
) -> None:
    allow(engine, "kaznu")
    refused = vc_issue(client, kaznu, plain(kaznu.did), cryptosuite="ecdsa-sd-2023")
    assert refused.status_code == 400  # no P-256 key yet
    assert refused.json()["code"] == "unsupported-cryptosuite"
    add_key(engine, settings, "kaznu", "P-384", issuing=False)
    assert vc_issue(client, kaznu, plain(kaznu.did), cryptosuite="ecdsa-sd-2023").status_code == 400
    add_key(engine, settings, "kaznu", "P-256", issuing=False)
    for pointers, where in (
        (["/credentialSubject/missing"], "/options/mandatoryPointers/0"),
        (["/issuer", "no-slash"], "/options/mandatoryPointers/1"),
    ):
        bad = vc_issue(
            client, kaznu, plain(kaznu.did), cryptosuite="ecdsa-sd-2023", mandatoryPointers=pointers
        )
        assert bad.status_code == 400, bad.text
        assert (bad.json()["code"], bad.json()["pointer"]) == ("invalid-mandatory-pointers", where)
    not_sd = vc_issue(
        client,
        kaznu,
        plain(kaznu.did),
        cryptosuite="ecdsa-rdfc-2019",
        mandatoryPointers=["/issuer"],
    )
    assert not_sd.status_code == 400 and not_sd.json()["code"] == "invalid-mandatory-pointers"
    assert client.get("/v1/diplomas", headers=kaznu.headers).json() == []
    chosen = vc_issue(
        client,
        kaznu,
        plain(kaznu.did),
        cryptosuite="ecdsa-sd-2023",
        mandatoryPointers=["/issuer", "/credentialSubject/name"],
    )
    assert chosen.status_code == 201, chosen.text
    derived = derive_proof(chosen.json()["verifiableCredential"], [])
    assert derived["credentialSubject"]["name"] == "Alice"
    assert "validFrom" not in derived
