"""Finding 8 of issue 12 and beyond: authentic credentials are never called invalid for a proof
shape the standards allow, and what cannot be checked is indeterminate with a code naming it.
Beyond the list: proof sets, another institution's key, the issuer as a string or an object,
credentialSubject arrays."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
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
from diploma_exchange.config import Settings
from diploma_exchange.dids.did_key import DidKeyResolver
from diploma_exchange.verification import StaticTrustPolicy, verify_credential
from diploma_exchange.verification.report import AUTHENTICITY_POLICY


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Diplomas with the eddsa-jcs-2022 proof alone: these tests build on a one-proof diploma
    (they add forged or unverifiable second proofs to it). The default proof set (with eddsa-rdfc-2022) is covered by
    tests/services/test_proof_set_issuance.py and tests/interop."""
    return settings.model_copy(update={"issue_rdfc_proof": False})


NOW = datetime(2025, 1, 1, tzinfo=UTC)


def verify_did_key(credential: dict[str, Any]) -> dict[str, Any]:
    issuer = credential["issuer"]
    issuer = issuer["id"] if isinstance(issuer, dict) else issuer
    return verify_credential(
        credential,
        resolver=DidKeyResolver(),
        trust=StaticTrustPolicy([issuer]),
        policy=AUTHENTICITY_POLICY,
        now=NOW,
    ).to_json()


@pytest.mark.parametrize("suite", ["eddsa-jcs-2022", "eddsa-rdfc-2022"])
def test_a_proof_without_created_is_valid(suite: str) -> None:
    """``created`` is optional in Data Integrity: the key was never revoked, so it signed
    while valid, whenever that was."""
    did, signer = did_key_signer()
    secured = resign(alumni(did), signer, None, suite)
    assert "created" not in secured["proof"]
    report = verify_did_key(secured)
    assert report["verdict"] == "valid", by_name(report)
    assert by_name(report)["key.validity"] == ("passed", "no-signing-time")


def test_created_without_an_offset_is_read_as_utc() -> None:
    did, signer = did_key_signer()
    secured = resign(alumni(did), signer, "2024-03-01T10:00:00")
    report = verify_did_key(secured)
    assert report["verdict"] == "valid", by_name(report)
    assert by_name(report)["key.validity"][0] == "passed"


@pytest.mark.parametrize(
    ("proof", "code"),
    [
        # (Ed25519Signature2018/2020 are verified now: a broken one of theirs is malformed.)
        ({"type": "JsonWebSignature2020", "jws": "eyJ..x"}, "unsupported-cryptosuite"),
        ({"type": "BbsBlsSignature2020", "proofValue": "zzz"}, "unsupported-cryptosuite"),
        ({"type": "DataIntegrityProof", "cryptosuite": "bbs-2023"}, "unsupported-cryptosuite"),
        (
            {"type": "DataIntegrityProof", "cryptosuite": "mldsa44-rdfc-2024"},
            "unsupported-cryptosuite",
        ),
    ],
)
def test_unsupported_proofs_are_indeterminate_without_created_too(
    proof: dict[str, Any], code: str, tmp_path: Path
) -> None:
    did, _ = did_key_signer()
    credential = alumni(
        did,
        proof={
            **proof,
            "verificationMethod": f"{did}#{did.removeprefix('did:key:')}",
            "proofPurpose": "assertionMethod",
        },
    )
    report = verify_did_key(credential)
    assert report["verdict"] == "indeterminate"
    assert by_name(report)["proof.signature"] == ("error", code)
    assert not [c for c in report["checks"] if c["status"] == "failed"]
    # The CLI says "indeterminate" (2), never "invalid" (1) nor "unreadable input" (65).
    result = run_cli(
        "verify",
        str(write(tmp_path, "vc.json", credential)),
        "--trust-issuer",
        did,
        "--offline",
        env={"DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp_path}/none.db"},
    )
    assert result.returncode == 2, result.stdout + result.stderr


def test_an_unsupported_did_method_is_indeterminate() -> None:
    did, signer = did_key_signer()
    secured = resign(alumni(did), signer, NOW)
    secured["proof"]["verificationMethod"] = "did:ion:EiClkZMDxPKqC9c-umQfTkR8#key-1"
    report = verify_did_key(secured)
    assert report["verdict"] == "indeterminate"
    assert by_name(report)["proof.signature"] == ("error", "unresolvable-key")


def test_a_proof_by_another_institutions_key_is_invalid(
    client: TestClient, kaznu: Tenant, enu: Tenant, engine: Engine
) -> None:
    """ENU's key signs a diploma that names KazNU as its issuer."""
    diploma = issue(client, kaznu)
    forged = resign(diploma, institution_signer(engine, "enu"), datetime.now(UTC))
    report = verify(client, forged)
    assert by_name(report)["proof.signature"] == ("passed", "verified")
    assert by_name(report)["proof.key-binding"] == ("failed", "key-not-controlled-by-issuer")
    assert report["verdict"] == "invalid"


def test_an_issuer_proof_plus_an_unverifiable_second_proof_is_not_valid(
    client: TestClient, kaznu: Tenant
) -> None:
    diploma = issue(client, kaznu)
    extra = {**diploma["proof"], "cryptosuite": "eddsa-jcs-2099", "proofValue": "z1111"}
    report = verify(client, {**diploma, "proof": [diploma["proof"], extra]})
    assert by_name(report)["proof.signature"][0] == "error"
    assert report["verdict"] == "indeterminate"


def test_a_proof_set_with_a_forged_second_proof_is_invalid(
    client: TestClient, kaznu: Tenant
) -> None:
    diploma = issue(client, kaznu)
    forged = copy.deepcopy(diploma["proof"])
    forged["proofValue"] = diploma["proof"]["proofValue"][:-4] + "1111"
    report = verify(client, {**diploma, "proof": [diploma["proof"], forged]})
    assert report["verdict"] == "invalid"


@pytest.mark.parametrize("form", ["string", "object"])
def test_the_issuer_as_a_string_or_an_object(form: str) -> None:
    did, signer = did_key_signer()
    issuer: Any = did if form == "string" else {"id": did, "name": "Example University"}
    report = verify_did_key(resign(alumni(did), signer, NOW, issuer=issuer))
    assert report["verdict"] == "valid", by_name(report)
    # and naming another issuer, in either form, is not bound to the signing key
    other, _ = did_key_signer()
    renamed: Any = other if form == "string" else {"id": other}
    report = verify_did_key(resign(alumni(did), signer, NOW, issuer=renamed))
    assert by_name(report)["proof.key-binding"] == ("failed", "key-not-controlled-by-issuer")


def test_a_diploma_with_a_subject_array_is_invalid(
    client: TestClient, kaznu: Tenant, engine: Engine
) -> None:
    """Two holders on one diploma: the diploma schema has one subject (signed by the issuer's
    key, but no register issued it either)."""
    diploma = issue(client, kaznu)
    doubled = resign(
        diploma,
        institution_signer(engine, "kaznu"),
        datetime.now(UTC),
        credentialSubject=[diploma["credentialSubject"], diploma["credentialSubject"]],
    )
    report = verify(client, doubled)
    assert report["verdict"] == "invalid"
    assert by_name(report)["format.schema"][0] == "failed"


def test_a_replayed_diploma_is_the_same_diploma(client: TestClient, kaznu: Tenant) -> None:
    """Re-serialised (keys reordered, whitespace) it is still the one that was issued."""
    diploma = issue(client, kaznu)
    replayed = json.loads(json.dumps(dict(reversed(list(diploma.items()))), indent=3))
    report = verify(client, replayed)
    assert report["verdict"] == "valid"
    assert by_name(report)["issuance.record"] == ("passed", "issued")
