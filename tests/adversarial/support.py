"""Helpers of the adversarial tests: issuing through the API, signing as an attacker would."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from conftest import Tenant
from diploma_exchange.dids.did_key import did_key_from_public_key
from diploma_exchange.proofs import keys, suites
from diploma_exchange.services import institutions
from helpers import diploma_payload


def issue(client: TestClient, tenant: Tenant, i: int = 0, **changes: Any) -> dict[str, Any]:
    payload = {**diploma_payload(i), **changes}
    response = client.post("/v1/diplomas", json=payload, headers=tenant.headers)
    assert response.status_code == 201, response.text
    return response.json()["verifiableCredential"]  # type: ignore[no-any-return]


def verify(client: TestClient, credential: Any, **params: str) -> dict[str, Any]:
    response = client.post("/v1/verifications", json=credential, params=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def by_name(report: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {c["name"]: (c["status"], c["code"]) for c in report["checks"]}


def institution_signer(engine: Any, slug: str, key_id: str = "key-1") -> keys.Signer:
    """The institution's private key as a thief who copied it would use it."""
    with Session(engine) as s:
        record = institutions.get_institution(s, slug)
        key = next(k for k in institutions.institution_keys(s, record) if k.key_id == key_id)
        assert key.encrypted_private_key is not None
        return keys.Signer.from_pem(
            key.encrypted_private_key, b"test-passphrase", f"{record.did}#{key_id}"
        )


def resign(
    credential: dict[str, Any],
    signer: Any,
    created: datetime | str | None,
    suite: str = "eddsa-jcs-2022",
    **changes: Any,
) -> dict[str, Any]:
    """The credential (without its proofs) with ``changes`` applied, signed afresh with
    ``suite`` (``created``: a datetime, a literal string such as one without an offset, or
    None for a proof without ``created``)."""
    unsigned = {k: v for k, v in copy.deepcopy(credential).items() if k != "proof"}
    unsigned.update(changes)
    options: dict[str, Any] = {
        "type": "DataIntegrityProof",
        "cryptosuite": suite,
        "verificationMethod": signer.verification_method,
        "proofPurpose": "assertionMethod",
    }
    if isinstance(created, datetime):
        options["created"] = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    elif isinstance(created, str):
        options["created"] = created
    secured = copy.deepcopy(unsigned)
    secured["proof"] = suites.SUITES[suite].create_proof(unsigned, options, signer)
    return secured


def did_key_signer() -> tuple[str, keys.Signer]:
    private_key = keys.generate_private_key()
    did = did_key_from_public_key(private_key.public_key())
    return did, keys.Signer(private_key, f"{did}#{did.removeprefix('did:key:')}")


def alumni(issuer: str, **fields: Any) -> dict[str, Any]:
    """A small VC 2.0 credential of another issuer (no status, no schema beyond VC 2.0)."""
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:8d8b4d25-4c8a-4e69-8c7d-0a6f1d2c3b4e",
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:holder"},
        **fields,
    }


def write(folder: Path, name: str, data: Any) -> Path:
    path = folder / name
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return path
