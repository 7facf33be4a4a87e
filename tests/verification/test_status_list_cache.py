"""Verified status lists are cached by content and signing key: a second verification does not
re-verify the same list, and a changed list (a revocation, or a forgery) is never served from
the cache."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import Tenant
from diploma_exchange.proofs import suites
from diploma_exchange.verification.checks import status as status_checks
from helpers import diploma_payload


@pytest.fixture
def list_verifications(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    original = suites.verify_proof

    def counting(secured: Any, proof: Any, public_key: Any, **options: Any) -> Any:
        # once per list: a list carries a proof set (eddsa-jcs-2022 first, then eddsa-rdfc-2022)
        first = proof.get("cryptosuite") == "eddsa-jcs-2022"
        if "BitstringStatusListCredential" in (secured.get("type") or []) and first:
            calls.append(str(secured.get("id")))
        return original(secured, proof, public_key, **options)

    monkeypatch.setattr(status_checks.suites, "verify_proof", counting)
    status_checks._VERIFIED_LISTS.clear()
    return calls


def test_same_list_is_verified_once_and_a_change_is_seen_at_once(
    client: TestClient, kaznu: Tenant, list_verifications: list[str]
) -> None:
    credential = client.post("/v1/diplomas", json=diploma_payload(0), headers=kaznu.headers).json()[
        "verifiableCredential"
    ]
    assert client.post("/v1/verifications", json=credential).json()["verdict"] == "valid"
    assert len(list_verifications) == 2  # the revocation and the suspension list
    assert client.post("/v1/verifications", json=credential).json()["verdict"] == "valid"
    assert len(list_verifications) == 2  # served from the cache: same bytes, same key
    revoked = client.post(
        f"/v1/diplomas/{credential['id']}/status-changes",
        json={"action": "revoke", "reasonCode": "issued-in-error"},
        headers=kaznu.headers,
    )
    assert revoked.status_code == 201
    report = client.post("/v1/verifications", json=credential).json()
    assert report["verdict"] == "invalid"  # the re-signed list is new content: verified again
    assert len(list_verifications) == 3
