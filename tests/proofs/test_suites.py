"""The cryptosuite dispatcher: supported suites, unsupported ones, key types."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from diploma_exchange.errors import InvalidInput, ProofError
from diploma_exchange.proofs import suites
from diploma_exchange.proofs.keys import (
    EcdsaSigner,
    KeyType,
    Signer,
    generate_ec_private_key,
    generate_private_key,
)
from vector_files import require

CREATED = datetime(2024, 5, 1, tzinfo=UTC)


def unsigned() -> dict[str, Any]:
    return json.loads(require("eddsa/unsigned.json").read_text("utf-8"))  # type: ignore[no-any-return]


def test_supported_suites() -> None:
    assert sorted(suites.SUITES) == [
        "ecdsa-jcs-2019",
        "ecdsa-rdfc-2019",
        "eddsa-jcs-2022",
        "eddsa-rdfc-2022",
    ]


@pytest.mark.parametrize("name", sorted(suites.SUITES))
@pytest.mark.parametrize("curve", [KeyType.ED25519, KeyType.P256, KeyType.P384])
def test_round_trip_and_key_type_rules(name: str, curve: KeyType) -> None:
    suite = suites.SUITES[name]
    if curve is KeyType.ED25519:
        key: Any = generate_private_key()
        signer: Signer | EcdsaSigner = Signer(key, "did:example:issuer#key-1")
    else:
        key = generate_ec_private_key(curve)
        signer = EcdsaSigner(key, "did:example:issuer#key-1")
    if curve not in suite.key_types:
        with pytest.raises(ProofError, match="needs"):
            suites.add_proof(unsigned(), name, signer, created=CREATED)
        # A proof of this suite checked with a key of the wrong type.
        right = (
            Signer(generate_private_key(), "did:example:issuer#key-1")
            if KeyType.ED25519 in suite.key_types
            else EcdsaSigner(generate_ec_private_key(KeyType.P256), "did:example:issuer#key-1")
        )
        secured = suites.add_proof(unsigned(), name, right, created=CREATED)
        check = suites.verify_proof(secured, secured["proof"], key.public_key())
        assert (check.verified, check.code) == (False, "key-type-mismatch")
        return
    secured = suites.add_proof(unsigned(), name, signer, created=CREATED)
    assert secured["proof"]["cryptosuite"] == name
    check = suites.verify_proof(secured, secured["proof"], key.public_key())
    assert (check.verified, check.code) == (True, "verified")
    secured["credentialSubject"]["alumniOf"] = "Elsewhere"
    check = suites.verify_proof(secured, secured["proof"], key.public_key())
    assert (check.verified, check.code) == (False, "signature-mismatch")


@pytest.mark.parametrize(
    "proof",
    [
        {"type": "JsonWebSignature2020", "jws": "e30..AA"},
        {"type": "EcdsaSecp256k1Signature2019", "jws": "e30..AA"},
        {"type": "DataIntegrityProof", "cryptosuite": "bbs-2023"},
        # ecdsa-sd-2023 derived proofs are verified: tests/wallets/test_ecdsa_sd_2023.py
        {"type": "DataIntegrityProof"},
        {"type": "SomeProofType"},
        {},
    ],
)
def test_unsupported_proofs(proof: dict[str, Any]) -> None:
    document = {**unsigned(), "proof": proof}
    key = generate_private_key().public_key()
    check = suites.verify_proof(document, proof, key)
    assert (check.verified, check.code) == (False, "unsupported-cryptosuite")
    assert suites.suite_for(proof) is None
    assert "eddsa-rdfc-2022" in check.message  # says what is supported


@pytest.mark.parametrize(
    "proof",
    [
        {"type": "Ed25519Signature2020", "proofValue": "z1"},
        {
            "type": "Ed25519Signature2018",
            "jws": "eyJhbGciOiJFZERTQSIsImI2NCI6ZmFsc2UsImNyaXQiOlsiYjY0Il19..AA",
        },
        {"type": "DataIntegrityProof", "cryptosuite": "eddsa-2022", "proofValue": "z1"},
    ],
)
def test_legacy_suites_are_recognised(proof: dict[str, Any]) -> None:
    """Ed25519Signature2020/2018 and the draft name eddsa-2022 are verified, so a broken
    proof of theirs is malformed (not "unsupported")."""
    document = {**unsigned(), "proof": proof}
    key = generate_private_key().public_key()
    proof = {**proof, "proofPurpose": "assertionMethod", "verificationMethod": "did:key:z6Mk#z"}
    assert suites.suite_for(proof) is not None
    check = suites.verify_proof(document, proof, key)
    assert (check.verified, check.code) == (False, "malformed-proof")


def test_non_object_document() -> None:
    with pytest.raises(InvalidInput):
        suites.verify_proof([], {}, generate_private_key().public_key())  # type: ignore[arg-type]
