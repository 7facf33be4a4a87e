"""Diplomas issued through the API of a running service, verified by the verifiers foreign
institutions actually use: Digital Bazaar's ``@digitalbazaar/vc`` and the Digital Credentials
Consortium's ``@digitalcredentials/verifier-core`` (the engine of VerifierPlus and the
Learner Credential Wallet).

Authentic -> valid, tampered -> invalid, revoked -> revoked, in both libraries; the
bitstring status list, the issuer's DID document and the diploma context are fetched by the
libraries from the running service (see ``conftest.py`` and ``node/verify.mjs``). What a
library cannot check, and why, is in docs/conformance-interop.md.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from helpers import diploma_payload
from interop_support import RunningService, run_node_verifiers


def _issue(service: RunningService, i: int) -> dict[str, Any]:
    with service.client() as client:
        response = client.post("/v1/diplomas", json=diploma_payload(i), headers=service.headers)
        assert response.status_code == 201, response.text
        credential: dict[str, Any] = response.json()["verifiableCredential"]
        return credential


def _through_exchange(service: RunningService, credential_id: str) -> dict[str, Any]:
    """The diploma as a wallet gets it through a VC-API issuance exchange (the Learner
    Credential Wallet's protocol): bound to the wallet's DID, signed anew."""
    from wallets.wallet_client import DidWallet

    with service.client() as client:
        made = client.post(
            "/workflows/diploma-issuance/exchanges",
            json={"variables": {"credentialId": credential_id}},
            headers=service.headers,
        )
        assert made.status_code == 201, made.text
        wallet = DidWallet(client)  # type: ignore[arg-type]
        vpr = wallet.start(wallet.open_link(made.json()["walletUrl"]))
        answer = wallet.answer(
            vpr, wallet.present(challenge=vpr["challenge"], domain=vpr["domain"])
        )
        assert answer.status_code == 200, answer.text
        credential: dict[str, Any] = answer.json()["verifiablePresentation"][
            "verifiableCredential"
        ][0]
        assert credential["credentialSubject"]["id"] == wallet.did
        return credential


def _revoke(service: RunningService, credential_id: str) -> None:
    with service.client() as client:
        response = client.post(
            f"/v1/diplomas/{credential_id}/status-changes",
            json={"action": "revoke", "reasonCode": "issued-in-error"},
            headers=service.headers,
        )
        assert response.status_code == 201, response.text


@pytest.fixture(scope="module")
def outcome(
    node_harness: Path, service: RunningService, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    authentic = _issue(service, 1)
    tampered = copy.deepcopy(_issue(service, 2))
    tampered["credentialSubject"]["diplomaNumber"] = "JB-B 0099999"
    revoked = _issue(service, 3)
    _revoke(service, revoked["id"])
    wallet_bound = _through_exchange(service, _issue(service, 5)["id"])
    return run_node_verifiers(
        node_harness,
        service,
        {
            "authentic": authentic,
            "tampered": tampered,
            "revoked": revoked,
            "wallet_bound": wallet_bound,
        },
        tmp_path_factory.mktemp("interop-node"),
    )


def test_diplomas_carry_a_proof_set_of_both_eddsa_suites(service: RunningService) -> None:
    credential = _issue(service, 4)
    proofs = credential["proof"]
    assert [p["cryptosuite"] for p in proofs] == ["eddsa-jcs-2022", "eddsa-rdfc-2022"]
    assert {p["verificationMethod"] for p in proofs} == {f"{service.did}#key-1"}
    assert not any("previousProof" in p for p in proofs)
    assert service.did.startswith("did:web:localhost%3A")


def test_libraries_and_what_they_fetched(outcome: dict[str, Any]) -> None:
    versions = outcome["versions"]
    assert versions["@digitalbazaar/vc"] and versions["@digitalcredentials/verifier-core"]
    fetched = outcome["fetched"]
    # the diploma context through the w3id.org address (routed to the service), the
    # issuer's DID document and the status lists from the service
    assert "https://w3id.org/diploma-exchange/v1" in fetched
    assert any(url.endswith("/institutions/kaznu/did.json") for url in fetched)
    assert any("/status-lists/" in url for url in fetched)


def test_digital_bazaar_accepts_the_authentic_diploma_and_both_proofs(
    outcome: dict[str, Any],
) -> None:
    result = outcome["results"]["authentic"]["digitalbazaar"]
    assert result["verified"] is True, result
    assert result["proofs"] == [
        {"cryptosuite": "eddsa-jcs-2022", "verified": True, "error": None},
        {"cryptosuite": "eddsa-rdfc-2022", "verified": True, "error": None},
    ]
    assert result["statusVerified"] is True
    assert [(s["purpose"], s["status"]) for s in result["statuses"]] == [
        ("revocation", False),
        ("suspension", False),
    ]


def test_digital_bazaar_rejects_the_tampered_diploma(outcome: dict[str, Any]) -> None:
    result = outcome["results"]["tampered"]["digitalbazaar"]
    assert result["verified"] is False
    assert [p["verified"] for p in result["proofs"]] == [False, False]
    assert all("Invalid signature" in str(p["error"]) for p in result["proofs"]), result


def test_digital_bazaar_sees_the_revocation(outcome: dict[str, Any]) -> None:
    result = outcome["results"]["revoked"]["digitalbazaar"]
    assert [p["verified"] for p in result["proofs"]] == [True, True]
    assert [(s["purpose"], s["status"]) for s in result["statuses"]] == [
        ("revocation", True),
        ("suspension", False),
    ]


def test_dcc_verifier_core_accepts_the_authentic_diploma(outcome: dict[str, Any]) -> None:
    result = outcome["results"]["authentic"]["dcc"]
    assert result["errors"] == [], result
    steps = result["steps"]
    assert steps["valid_signature"] == {"valid": True, "error": None}
    assert steps["expiration"] == {"valid": True, "error": None}
    assert steps["revocation_status"] == {"valid": True, "error": None}
    assert steps["suspension_status"] == {"valid": True, "error": None}
    # No DCC issuer registry lists this test university (none is configured here).
    assert steps["registered_issuer"]["valid"] is False


def test_dcc_verifier_core_rejects_the_tampered_diploma(outcome: dict[str, Any]) -> None:
    result = outcome["results"]["tampered"]["dcc"]
    assert result["signature"] is None and result["steps"] == {}
    assert result["errors"] == ["invalid_signature: The signature is not valid."]


def test_dcc_verifier_core_sees_the_revocation(outcome: dict[str, Any]) -> None:
    result = outcome["results"]["revoked"]["dcc"]
    assert result["errors"] == [], result
    steps = result["steps"]
    assert steps["valid_signature"] == {"valid": True, "error": None}
    assert steps["revocation_status"] == {"valid": False, "error": None}
    assert steps["suspension_status"] == {"valid": True, "error": None}


def test_the_diploma_a_vcapi_wallet_receives_verifies_in_both(outcome: dict[str, Any]) -> None:
    """What the Learner Credential Wallet receives from a VC-API exchange (the diploma bound
    to its DID, with the same proof set) verifies in its own engine and in Digital Bazaar's."""
    dcc = outcome["results"]["wallet_bound"]["dcc"]
    assert dcc["errors"] == [], dcc
    assert dcc["steps"]["valid_signature"] == {"valid": True, "error": None}
    assert dcc["steps"]["revocation_status"] == {"valid": True, "error": None}
    bazaar = outcome["results"]["wallet_bound"]["digitalbazaar"]
    assert bazaar["verified"] is True, bazaar
    assert [p["verified"] for p in bazaar["proofs"]] == [True, True]
