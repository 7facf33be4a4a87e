"""VC-API verification as the specification reads: the check names of ``options.checks``;
``POST /credentials/verify`` answers 200 ``{verified: true, checks, warnings, errors}`` when
verified and 400 with the same members otherwise (VC-API: 200 is "successfully verified", 400
the only other answer); ``POST /presentations/verify`` answers 200 whatever the verdict (VC-API:
"regardless of whether the presentation and/or credentials were determined to be valid or
invalid"). An issuer nobody vouches for is reported, not a failure, unless asked for."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import Tenant
from diploma_exchange.api.routes.vcapi import VCAPI_CHECKS, native_checks
from diploma_exchange.dids.did_key import did_key_from_public_key
from diploma_exchange.proofs import keys
from diploma_exchange.proofs.suites import add_proof
from diploma_exchange.verification.report import CheckName
from helpers import diploma_payload, set_at

V2 = "https://www.w3.org/ns/credentials/v2"


def did_key_credential(cryptosuite: str = "eddsa-rdfc-2022") -> dict[str, Any]:
    """A plain VC 2.0 credential signed by a fresh did:key (as the W3C suites make them)."""
    key = keys.generate_private_key()
    did = did_key_from_public_key(key.public_key())
    signer = keys.Signer(key, f"{did}#{did.removeprefix('did:key:')}")
    unsigned = {
        "@context": [V2],
        "type": ["VerifiableCredential"],
        "issuer": did,
        "credentialSubject": {"id": "did:example:subject", "name": "Alice"},
    }
    return add_proof(unsigned, cryptosuite, signer, created=datetime.now(UTC))


def post(client: TestClient, credential: Any, **options: Any) -> Any:
    body: dict[str, Any] = {"verifiableCredential": credential}
    if options:
        body["options"] = options
    return client.post("/credentials/verify", json=body)


@pytest.mark.parametrize("cryptosuite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_proof_check_of_an_unknown_did_key_issuer(client: TestClient, cryptosuite: str) -> None:
    """The suites' case: only ``proof`` asked for, an issuer nobody vouches for. Verified,
    and the missing trust is reported as a warning, not hidden."""
    credential = did_key_credential(cryptosuite)
    response = post(client, credential, checks=["proof"])
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["verified"] is True, result
    assert result["checks"] == ["proof"]
    assert result["errors"] == []
    assert {w["title"] for w in result["warnings"]} & {"issuer.trust", "issuer.accreditation"}
    assert result["report"]["policy"] == "custom"


def test_unknown_issuer_without_checks_is_verified_with_warnings(client: TestClient) -> None:
    response = post(client, did_key_credential())
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["verified"] is True
    assert result["report"]["policy"] == "vc-api"
    assert {"issuer.trust", "issuer.accreditation"} <= {w["title"] for w in result["warnings"]}
    assert "proof.signature" in result["checks"]


@pytest.mark.parametrize("options", [{"checks": ["proof", "issuer"]}, {"policy": "default"}])
def test_unknown_issuer_is_not_verified_when_trust_is_asked_for(
    client: TestClient, options: dict[str, Any]
) -> None:
    response = post(client, did_key_credential(), **options)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    result = response.json()
    assert result["verified"] is False
    assert result["code"] == "credential-indeterminate"
    assert "issuer.trust" in {e["title"] for e in result["errors"]}


def test_tampered_credential_is_400_with_the_verification_result(client: TestClient) -> None:
    forged = set_at(did_key_credential(), "/credentialSubject/name", "Mallory")
    response = post(client, forged, checks=["proof"])
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    result = response.json()
    assert result["verified"] is False and result["code"] == "credential-invalid"
    assert result["checks"] == []
    assert "proof.signature" in {e["title"] for e in result["errors"]}
    assert all(e["type"].startswith("https://") for e in result["errors"])
    assert result["report"]["verdict"] == "invalid"


def test_not_a_credential_at_all_is_a_verification_result(client: TestClient) -> None:
    response = post(client, {"hello": "world"}, checks=["proof"])
    assert response.status_code == 400, response.text
    assert response.json()["verified"] is False and response.json()["errors"]
    assert "report" in response.json()


def test_credential_status_check_of_a_revoked_diploma(client: TestClient, kaznu: Tenant) -> None:
    issued = client.post("/v1/diplomas", json=diploma_payload(0), headers=kaznu.headers)
    credential = issued.json()["verifiableCredential"]
    ok = post(client, credential, checks=["proof", "credentialStatus", "validFrom", "issuer"])
    assert ok.status_code == 200 and ok.json()["verified"] is True, ok.text
    assert ok.json()["checks"] == ["proof", "credentialStatus", "validFrom", "issuer"]
    assert ok.json()["warnings"] == []
    revoked = client.post(
        f"/v1/diplomas/{credential['id']}/status-changes",
        json={"action": "revoke", "reasonCode": "issued-in-error"},
        headers=kaznu.headers,
    )
    assert revoked.status_code == 201, revoked.text
    after = post(client, credential, checks=["proof", "credentialStatus"])
    assert after.status_code == 400
    assert after.json()["verified"] is False
    assert after.json()["checks"] == ["proof"]
    assert [e["title"] for e in after.json()["errors"]] == ["status.revocation"]


def test_native_check_names_still_work(client: TestClient, kaznu: Tenant) -> None:
    issued = client.post("/v1/diplomas", json=diploma_payload(1), headers=kaznu.headers)
    credential = issued.json()["verifiableCredential"]
    response = post(client, credential, checks=["format.schema", "proof"])
    assert response.status_code == 200 and response.json()["verified"] is True


@pytest.mark.parametrize(
    ("options", "pointer"),
    [
        ({"checks": ["proof", "vibes"]}, "/options/checks"),
        ({"checks": "proof"}, "/options/checks"),
        ({"checks": [1]}, "/options/checks"),
        ({"policy": 3}, "/options/policy"),
        ({"challenge": 5}, "/options/challenge"),
    ],
)
def test_malformed_options_are_400(
    client: TestClient, options: dict[str, Any], pointer: str
) -> None:
    response = post(client, did_key_credential(), **options)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["pointer"] == pointer


def test_missing_credential_is_a_malformed_request(client: TestClient) -> None:
    response = client.post("/credentials/verify", json={"options": {"checks": ["proof"]}})
    assert response.status_code in (400, 422)


def test_presentation_verify_answers_200_whatever_the_verdict(client: TestClient) -> None:
    presentation = {
        "@context": [V2],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [did_key_credential()],
    }
    response = client.post(
        "/presentations/verify",
        json={"verifiablePresentation": presentation, "options": {"challenge": "c-1"}},
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["verified"] is False
    assert "proof.holder-binding" in {e["title"] for e in result["errors"]}


def test_vcapi_names_map_onto_named_checks() -> None:
    assert set(VCAPI_CHECKS) >= {"proof", "credentialStatus", "validFrom", "validUntil"}
    assert native_checks(["proof", "proof.signature", "credentialSchema"]) == [
        CheckName.PROOF_SIGNATURE.value,
        CheckName.PROOF_KEY_BINDING.value,
        CheckName.PROOF_COVERAGE.value,
        CheckName.KEY_VALIDITY.value,
        CheckName.FORMAT_SCHEMA.value,
    ]
    assert native_checks(["nope"]) == ["nope"]


def test_a_json_text_in_a_string_is_not_a_credential(client: TestClient) -> None:
    import json

    response = post(client, json.dumps(did_key_credential()), checks=["proof"])
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "not-a-map"
    assert response.json()["pointer"] == "/verifiableCredential"


def signed_presentation(
    signer_key: Any, credentials: list[dict[str, Any]] | None, challenge: str, domain: str
) -> dict[str, Any]:
    """A presentation that names no holder, signed (authentication) by a fresh did:key, as
    the W3C VC Data Model suite makes them."""
    did = did_key_from_public_key(signer_key.public_key())
    presentation: dict[str, Any] = {"@context": [V2], "type": ["VerifiablePresentation"]}
    if credentials is not None:
        presentation["verifiableCredential"] = credentials
    return add_proof(
        presentation,
        "eddsa-rdfc-2022",
        keys.Signer(signer_key, f"{did}#{did.removeprefix('did:key:')}"),
        created=datetime.now(UTC),
        proof_purpose="authentication",
        extra_options={"challenge": challenge, "domain": domain},
    )


@pytest.mark.parametrize("credentials", [True, False], ids=["with-credential", "did-auth"])
def test_presentation_without_holder_is_verified_with_a_warning(
    client: TestClient, credentials: bool
) -> None:
    presentation = signed_presentation(
        keys.generate_private_key(),
        [did_key_credential()] if credentials else None,
        "c-42",
        "verifier.example",
    )
    response = client.post(
        "/presentations/verify",
        json={
            "verifiablePresentation": presentation,
            "options": {"challenge": "c-42", "domain": "verifier.example"},
        },
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["verified"] is True, result
    assert result["errors"] == []
    warning = next(w for w in result["warnings"] if w["title"] == "proof.key-binding")
    assert "no holder binding" in warning["detail"]


@pytest.mark.parametrize(
    ("options", "tamper"),
    [
        ({"challenge": "other", "domain": "verifier.example"}, False),
        ({"challenge": "c-42", "domain": "elsewhere.example"}, False),
        ({"challenge": "c-42", "domain": "verifier.example"}, True),
    ],
    ids=["wrong-challenge", "wrong-domain", "tampered"],
)
def test_presentation_without_holder_bound_to_another_request_or_tampered(
    client: TestClient, options: dict[str, str], tamper: bool
) -> None:
    presentation = signed_presentation(
        keys.generate_private_key(), [did_key_credential()], "c-42", "verifier.example"
    )
    if tamper:
        presentation["id"] = "urn:uuid:added-after-signing"
    response = client.post(
        "/presentations/verify",
        json={"verifiablePresentation": presentation, "options": options},
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["verified"] is False
    titles = {e["title"] for e in result["errors"]}
    assert ("proof.signature" if tamper else "proof.holder-binding") in titles


def test_v1_verifications_still_require_a_holder(client: TestClient) -> None:
    presentation = signed_presentation(
        keys.generate_private_key(), [did_key_credential()], "c-42", "verifier.example"
    )
    response = client.post("/v1/verifications", json=presentation)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["verdict"] != "valid"
    codes = {c["name"]: c["code"] for c in report["checks"]}
    assert codes["proof.key-binding"] == "missing-holder"


def _no_subject_disclosure() -> dict[str, Any]:
    """An ecdsa-sd-2023 disclosure whose holder revealed only the validity date: authentic,
    but without the credentialSubject that VC Data Model 2.0 §4.8 requires."""
    from cryptography.hazmat.primitives.asymmetric import ec

    from diploma_exchange.proofs.ecdsa_sd_2023_create import add_base_proof, derive_proof

    key = ec.generate_private_key(ec.SECP256R1())
    did = did_key_from_public_key(key.public_key())
    signer = keys.EcdsaSigner(key, f"{did}#{did.removeprefix('did:key:')}")
    base = add_base_proof(
        {
            "@context": [V2],
            "type": ["VerifiableCredential"],
            "issuer": did,
            "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:alice", "name": "Alice"},
        },
        signer,
        created=datetime.now(UTC),
        mandatory_pointers=["/issuer"],
    )
    return derive_proof(base, ["/validFrom"])


def _signed_without_subject() -> dict[str, Any]:
    key = keys.generate_private_key()
    did = did_key_from_public_key(key.public_key())
    signer = keys.Signer(key, f"{did}#{did.removeprefix('did:key:')}")
    unsigned = {"@context": [V2], "type": ["VerifiableCredential"], "issuer": did}
    return add_proof(unsigned, "eddsa-jcs-2022", signer, created=datetime.now(UTC))


@pytest.mark.parametrize("make", [_no_subject_disclosure, _signed_without_subject])
@pytest.mark.parametrize("options", [{}, {"checks": ["proof"]}])
def test_a_credential_without_a_subject_is_not_verified_whatever_checks_are_asked_for(
    client: TestClient, make: Any, options: dict[str, Any]
) -> None:
    """Its proof verifies, but VC Data Model 2.0 §4.8 makes credentialSubject required: the
    VC-API counts the data model's own rules whenever the structure check runs."""
    credential = make()
    assert "credentialSubject" not in credential
    response = post(client, credential, **options)
    assert response.status_code == 400, response.text
    result = response.json()
    assert result["verified"] is False
    assert "format.schema" in {e["title"] for e in result["errors"]}
    checks = {c["name"]: c for c in result["report"]["checks"]}
    assert checks["proof.signature"]["status"] == "passed"
    assert "credentialSubject" in json.dumps(checks["format.schema"]["details"])


def test_a_diploma_is_checked_against_the_data_model_at_the_vcapi(
    client: TestClient, kaznu: Tenant
) -> None:
    """The diploma profile is a business rule at the VC-API: a diploma is judged by the VC
    Data Model's rules there (and verifies), by its profile under the default policy."""
    issued = client.post("/v1/diplomas", json=diploma_payload(0), headers=kaznu.headers)
    assert issued.status_code == 201, issued.text
    diploma = issued.json()["verifiableCredential"]
    result = post(client, diploma).json()
    schema = next(c for c in result["report"]["checks"] if c["name"] == "format.schema")
    assert schema["status"] == "passed"
    assert "VC Data Model" in schema["message"]
    default = post(client, diploma, policy="default").json()
    schema = next(c for c in default["report"]["checks"] if c["name"] == "format.schema")
    assert "diploma schema" in schema["message"]
