"""Finding 3 of issue 12: back-dating does not defeat a key compromise, and a key alone does
not issue.

A thief of KazNU's key-1 signs a diploma that was never issued, dated 60 s before the moment
the key is marked compromised. The signature is correct and ``created`` is inside the key's
window; what gives it away is that KazNU's register never issued it. For a foreign issuer
with no register, a compromised key's pre-compromise dates cannot be believed at all.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from adversarial.support import (
    alumni,
    by_name,
    did_key_signer,
    institution_signer,
    issue,
    resign,
    verify,
    write,
)
from cli_support import run_cli
from conftest import Tenant


def compromise(client: TestClient, kaznu: Tenant, moment: datetime) -> None:
    response = client.post(
        "/v1/institutions/kaznu/keys/key-1/compromise",
        json={"compromisedAt": moment.strftime("%Y-%m-%dT%H:%M:%SZ"), "note": "stolen"},
        headers=kaznu.headers,
    )
    assert response.status_code == 200, response.text


def test_a_back_dated_diploma_by_a_compromised_key_is_invalid(
    client: TestClient, kaznu: Tenant, engine: Engine
) -> None:
    genuine = issue(client, kaznu)
    thief = institution_signer(engine, "kaznu")  # copied before the compromise was noticed
    moment = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
    compromise(client, kaznu, moment)
    forged = resign(
        genuine,
        thief,
        moment - timedelta(seconds=60),
        id="urn:uuid:9b2f9c3e-5d2a-4d8e-9f3a-1c2b3d4e5f60",
    )
    report = verify(client, forged)
    checks = by_name(report)
    assert checks["proof.signature"] == ("passed", "verified")
    assert checks["issuance.record"] == ("failed", "not-issued-here")
    assert report["verdict"] == "invalid"
    # What the key really signed before the compromise stays valid: the register dates it.
    report = verify(client, genuine)
    assert report["verdict"] == "valid", by_name(report)
    assert by_name(report)["key.validity"] == ("passed", "valid-at-signing")
    assert "issuance register" in next(
        c["message"] for c in report["checks"] if c["name"] == "key.validity"
    )


def test_a_valid_key_alone_does_not_issue(
    client: TestClient, kaznu: Tenant, engine: Engine
) -> None:
    """An insider with the key (or a thief before anyone notices): correctly signed, key
    valid, dates fine - and never issued."""
    genuine = issue(client, kaznu)
    forged = resign(
        genuine,
        institution_signer(engine, "kaznu"),
        datetime.now(UTC).replace(microsecond=0),
        id="urn:uuid:1d3c5b7a-9e8f-4a6b-8c2d-0e1f2a3b4c5d",
    )
    report = verify(client, forged)
    assert by_name(report)["key.validity"][0] == "passed"
    assert by_name(report)["issuance.record"] == ("failed", "not-issued-here")
    assert report["verdict"] == "invalid"


def test_a_foreign_compromised_keys_early_dates_are_not_believed(tmp_path: Path) -> None:
    """A did:web issuer whose DID document marks its key revoked: a proof claiming an earlier
    time may be back-dated, and no register can tell; indeterminate, never valid."""
    did = "did:web:university.example"
    _, signer = did_key_signer()
    from diploma_exchange.proofs import keys

    private_key = keys.generate_private_key()
    signer = keys.Signer(private_key, f"{did}#key-1")
    revoked_at = "2024-06-01T00:00:00Z"
    document = {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [
            {
                "id": f"{did}#key-1",
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": keys.public_key_multibase(private_key.public_key()),
                "revoked": revoked_at,
            }
        ],
        "assertionMethod": [f"{did}#key-1"],
    }
    credential = resign(alumni(did), signer, datetime(2024, 5, 31, 23, 59, tzinfo=UTC))
    result = run_cli(
        "verify",
        str(write(tmp_path, "vc.json", credential)),
        "--did-document",
        str(write(tmp_path, "did.json", document)),
        "--trust-issuer",
        did,
        "--offline",
        "--json",
        env={"DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp_path}/none.db"},
    )
    report = json.loads(result.stdout)
    assert result.returncode == 2, result.stdout + result.stderr
    assert by_name(report)["key.validity"] == ("error", "signing-time-unprovable")
    assert report["verdict"] == "indeterminate"
