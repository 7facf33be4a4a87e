"""Key rotation and compromise: old diplomas keep verifying; what a key signed after its
retirement or compromise does not; the NIC-signed key event log tells the history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from conftest import Tenant
from diploma_exchange.dids.document import DidDocument
from diploma_exchange.dids.key_log import verify_log
from diploma_exchange.proofs import eddsa_jcs_2022, keys
from diploma_exchange.services import institutions
from helpers import diploma_payload


def issue(client: TestClient, tenant: Tenant, i: int = 0) -> dict[str, Any]:
    response = client.post("/v1/diplomas", json=diploma_payload(i), headers=tenant.headers)
    assert response.status_code == 201, response.text
    return response.json()["verifiableCredential"]  # type: ignore[no-any-return]


def checks(
    client: TestClient, credential: dict[str, Any]
) -> tuple[str, dict[str, tuple[str, str]]]:
    report = client.post("/v1/verifications", json=credential).json()
    return report["verdict"], {c["name"]: (c["status"], c["code"]) for c in report["checks"]}


def old_key_signer(engine: Any, settings: Any, slug: str, key_id: str) -> keys.Signer:
    with Session(engine) as s:
        record = institutions.get_institution(s, slug)
        key = next(k for k in institutions.institution_keys(s, record) if k.key_id == key_id)
        assert key.encrypted_private_key is not None
        return keys.Signer.from_pem(
            key.encrypted_private_key, b"test-passphrase", f"{record.did}#{key_id}"
        )


def resign(credential: dict[str, Any], signer: keys.Signer, created: datetime) -> dict[str, Any]:
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    return eddsa_jcs_2022.add_proof(unsigned, signer, created=created)


def test_rotation_keeps_old_diplomas_valid(client: TestClient, kaznu: Tenant) -> None:
    before = issue(client, kaznu)
    assert before["proof"][0]["verificationMethod"].endswith("#key-1")
    response = client.post(
        "/v1/institutions/kaznu/keys/rotate",
        json={"note": "annual rotation"},
        headers=kaznu.headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["id"].endswith("#key-2")
    document = client.get("/institutions/kaznu/did.json").json()
    assert [m["id"].rsplit("#", 1)[1] for m in document["verificationMethod"]] == ["key-1", "key-2"]
    assert [a.rsplit("#", 1)[1] for a in document["authentication"]] == ["key-2"]
    verdict, by_name = checks(client, before)
    assert verdict == "valid", by_name
    assert by_name["key.validity"] == ("passed", "valid-at-signing")
    after = issue(client, kaznu, 1)
    assert after["proof"][0]["verificationMethod"].endswith("#key-2")
    assert checks(client, after)[0] == "valid"
    listed = client.get("/v1/institutions/kaznu/keys").json()
    assert [(k["status"], k["retiredAt"] is not None) for k in listed] == [
        ("retired", True),
        ("active", False),
    ]


def test_signature_by_a_retired_key_after_retirement_is_invalid(
    client: TestClient, kaznu: Tenant, engine: Any, settings: Any
) -> None:
    credential = issue(client, kaznu)
    assert (
        client.post(
            "/v1/institutions/kaznu/keys/rotate", json={}, headers=kaznu.headers
        ).status_code
        == 201
    )
    late = resign(
        credential,
        old_key_signer(engine, settings, "kaznu", "key-1"),
        datetime.now(UTC) + timedelta(seconds=2),
    )
    verdict, by_name = checks(client, late)
    assert verdict == "invalid"
    assert by_name["proof.signature"] == ("passed", "verified")
    assert by_name["key.validity"] == ("failed", "after-retirement")


def test_compromise_invalidates_only_what_was_signed_after(
    client: TestClient, kaznu: Tenant, engine: Any, settings: Any
) -> None:
    before = issue(client, kaznu)
    created = datetime.fromisoformat(before["proof"][0]["created"])
    moment = created + timedelta(seconds=2)
    response = client.post(
        "/v1/institutions/kaznu/keys/key-1/compromise",
        json={"compromisedAt": moment.isoformat(), "note": "laptop stolen"},
        headers=kaznu.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "compromised"
    # what key-1 signed before the compromise stays valid ...
    verdict, by_name = checks(client, before)
    assert verdict == "valid", by_name
    # ... what it (or a thief) signed at or after it is invalid
    forged = resign(
        before, old_key_signer(engine, settings, "kaznu", "key-1"), moment + timedelta(seconds=1)
    )
    verdict, by_name = checks(client, forged)
    assert verdict == "invalid"
    assert by_name["key.validity"] == ("failed", "after-compromise")
    # the DID document says so to everyone, and a fresh key took over
    document = client.get("/institutions/kaznu/did.json").json()
    key1 = next(m for m in document["verificationMethod"] if m["id"].endswith("#key-1"))
    assert key1["revoked"] == moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    new = issue(client, kaznu, 2)
    assert new["proof"][0]["verificationMethod"].endswith("#key-2")
    assert checks(client, new)[0] == "valid"
    again = client.post(
        "/v1/institutions/kaznu/keys/key-1/compromise",
        json={"compromisedAt": moment.isoformat()},
        headers=kaznu.headers,
    )
    assert again.status_code == 409


def test_proof_created_in_the_future_is_invalid(
    client: TestClient, kaznu: Tenant, engine: Any, settings: Any
) -> None:
    credential = issue(client, kaznu)
    future = resign(
        credential,
        old_key_signer(engine, settings, "kaznu", "key-1"),
        datetime.now(UTC) + timedelta(days=3),
    )
    verdict, by_name = checks(client, future)
    assert verdict == "invalid"
    assert by_name["key.validity"] == ("failed", "created-in-future")


def test_backdated_before_the_key_existed_is_invalid(
    client: TestClient, kaznu: Tenant, engine: Any, settings: Any
) -> None:
    credential = issue(client, kaznu)
    backdated = resign(
        credential,
        old_key_signer(engine, settings, "kaznu", "key-1"),
        datetime(2001, 1, 1, tzinfo=UTC),
    )
    verdict, by_name = checks(client, backdated)
    assert verdict == "invalid"
    assert by_name["key.validity"] == ("failed", "before-key-existed")


def test_only_the_institution_or_admin_manages_keys(
    client: TestClient, kaznu: Tenant, enu: Tenant, admin_key: str
) -> None:
    assert (
        client.post("/v1/institutions/kaznu/keys/rotate", json={}, headers=enu.headers).status_code
        == 403
    )
    assert client.post("/v1/institutions/kaznu/keys/rotate", json={}).status_code == 401
    admin = {"Authorization": f"Bearer {admin_key}"}
    assert (
        client.post("/v1/institutions/kaznu/keys/rotate", json={}, headers=admin).status_code == 201
    )
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    response = client.post(
        "/v1/institutions/kaznu/keys/key-1/compromise",
        json={"compromisedAt": future},
        headers=admin,
    )
    assert response.status_code == 400 and response.json()["pointer"] == "/compromisedAt"
    missing = client.post(
        "/v1/institutions/kaznu/keys/key-9/compromise",
        json={"compromisedAt": datetime.now(UTC).isoformat()},
        headers=admin,
    )
    assert missing.status_code == 404


def test_key_event_log_is_signed_by_the_nic_and_chained(
    client: TestClient, nic: str, kaznu: Tenant
) -> None:
    client.post("/v1/institutions/kaznu/keys/rotate", json={}, headers=kaznu.headers)
    moment = datetime.now(UTC).replace(microsecond=0)
    client.post(
        "/v1/institutions/kaznu/keys/key-1/compromise",
        json={"compromisedAt": moment.isoformat()},
        headers=kaznu.headers,
    )
    log = client.get("/institutions/kaznu/key-events").json()
    assert log["controller"] == kaznu.did
    events = [(e["event"], e["keyId"].rsplit("#", 1)[1]) for e in log["entries"]]
    assert events == [
        ("added", "key-1"),
        ("added", "key-2"),
        ("retired", "key-1"),
        ("compromised", "key-1"),
    ]
    nic_document = DidDocument.from_json(client.get("/.well-known/did.json").json())

    def nic_key(method: str) -> Any:
        vm = nic_document.verification_method(method)
        if vm is None:
            raise LookupError(method)
        return vm.public_key()

    result = verify_log(log["entries"], controller=kaznu.did, public_key_for=nic_key)
    assert result, result.problems
    assert result.windows[f"{kaznu.did}#key-1"].compromised_at == moment
    # the DID document points at the log
    document = client.get("/institutions/kaznu/did.json").json()
    assert document["service"][0]["serviceEndpoint"].endswith("/institutions/kaznu/key-events")
    # tampering with the served history is detected
    tampered = [dict(e) for e in log["entries"]]
    tampered[2] = {**tampered[2], "effectiveAt": "2030-01-01T00:00:00Z"}
    assert not verify_log(tampered, controller=kaznu.did, public_key_for=nic_key)
