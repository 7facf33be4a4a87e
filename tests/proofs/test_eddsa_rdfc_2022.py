"""eddsa-rdfc-2022 (VC DI EdDSA v1.0 §3.2) against the W3C test vectors, step by step.

Ed25519 is deterministic, so re-creating the vector's proof must give the same bytes.
The ``employ/`` vectors need the context https://w3id.org/citizenship/v4rc1, which is not
bundled (see the vectors' SOURCES.md): verifying them must say ``unknown-context``.
"""

from __future__ import annotations

import copy
import hashlib
import json
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from diploma_exchange.errors import ProofError
from diploma_exchange.proofs import suites
from diploma_exchange.proofs.eddsa_rdfc_2022 import (
    CRYPTOSUITE,
    create_proof,
    hashing,
    proof_configuration,
    proof_serialization,
    proof_verification,
    transformation,
    verify_input_document,
    verify_proof,
)
from diploma_exchange.proofs.keys import (
    KeyType,
    Signer,
    generate_ec_private_key,
    private_key_from_multibase,
    public_key_from_multibase,
)
from diploma_exchange.proofs.multibase import decode_base58btc, encode_base58btc
from vector_files import require

SUITE = "eddsa/eddsa-rdfc-2022"


def text(name: str) -> str:
    return require(f"{SUITE}/{name}").read_text(encoding="utf-8")


def load(path: str) -> Any:
    return json.loads(require(path).read_text(encoding="utf-8"))


@pytest.fixture
def signed() -> dict[str, Any]:
    return load(f"{SUITE}/signedDataInt.json")  # type: ignore[no-any-return]


@pytest.fixture
def unsigned(signed: dict[str, Any]) -> dict[str, Any]:
    document: dict[str, Any] = load("eddsa/unsigned.json")
    assert document == {k: v for k, v in signed.items() if k != "proof"}
    return document


@pytest.fixture
def options(signed: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in signed["proof"].items() if k != "proofValue"}


@pytest.fixture
def signer(signed: dict[str, Any]) -> Signer:
    pair = load("eddsa/keyPair.json")
    return Signer(
        private_key_from_multibase(pair["privateKeyMultibase"]),
        signed["proof"]["verificationMethod"],
    )


@pytest.fixture
def public_key() -> Ed25519PublicKey:
    return public_key_from_multibase(load("eddsa/keyPair.json")["publicKeyMultibase"])


def test_transformation_is_the_canonical_document(
    unsigned: dict[str, Any], options: dict[str, Any]
) -> None:
    canonical = transformation(unsigned, options)
    assert canonical.decode("utf-8") == text("canonDocDataInt.txt")
    assert hashlib.sha256(canonical).hexdigest() == text("docHashDataInt.txt")


def test_proof_configuration(unsigned: dict[str, Any], options: dict[str, Any]) -> None:
    # proofConfigDataInt.json is the options with the document's @context (§3.2.5 step 4).
    assert load(f"{SUITE}/proofConfigDataInt.json") == {
        **options,
        "@context": unsigned["@context"],
    }
    canonical = proof_configuration(options, unsigned)
    assert canonical.decode("utf-8") == text("proofCanonDataInt.txt")
    assert hashlib.sha256(canonical).hexdigest() == text("proofHashDataInt.txt")


def test_hashing_serialization_and_verification(
    unsigned: dict[str, Any],
    options: dict[str, Any],
    signer: Signer,
    public_key: Ed25519PublicKey,
) -> None:
    hash_data = hashing(transformation(unsigned, options), proof_configuration(options, unsigned))
    assert hash_data.hex() == text("combinedHashDataInt.txt")
    signature = proof_serialization(hash_data, signer)
    assert signature.hex() == text("sigHexDataInt.txt")
    assert encode_base58btc(signature) == text("sigBTC58DataInt.txt")
    assert decode_base58btc(text("sigBTC58DataInt.txt")) == signature
    assert proof_verification(hash_data, signature, public_key)
    assert not proof_verification(hash_data[::-1], signature, public_key)


def test_create_proof_reproduces_the_vector(
    signed: dict[str, Any], unsigned: dict[str, Any], options: dict[str, Any], signer: Signer
) -> None:
    before = copy.deepcopy(unsigned)
    assert create_proof(unsigned, options, signer) == signed["proof"]
    assert unsigned == before  # the caller's document is not modified


def test_add_proof_reproduces_the_signed_document(
    signed: dict[str, Any], unsigned: dict[str, Any], signer: Signer
) -> None:
    created = datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC)
    assert suites.add_proof(unsigned, CRYPTOSUITE, signer, created=created) == signed


def test_signed_vector_verifies(signed: dict[str, Any], public_key: Ed25519PublicKey) -> None:
    check = verify_proof(signed, public_key)
    assert (check.verified, check.code) == (True, "verified")
    check = suites.verify_proof(signed, signed["proof"], public_key)
    assert (bool(check), check.code) == (True, "verified")


def test_verification_performance(signed: dict[str, Any], public_key: Ed25519PublicKey) -> None:
    verify_proof(signed, public_key)  # warm the context cache
    started = time.perf_counter()
    for _ in range(10):
        assert verify_proof(signed, public_key)
    per_verification = (time.perf_counter() - started) / 10
    assert per_verification < 0.25, f"eddsa-rdfc-2022 verify took {per_verification:.3f}s"


@pytest.mark.parametrize(
    ("pointer", "value"),
    [
        ("credentialSubject.alumniOf", "The School of Tampering"),
        ("validFrom", "2023-01-02T00:00:00Z"),
        ("proof.created", "2023-02-24T23:36:39Z"),
        ("proof.proofPurpose", "authentication"),
    ],
)
def test_tampering_is_detected(
    signed: dict[str, Any], public_key: Ed25519PublicKey, pointer: str, value: str
) -> None:
    tampered = copy.deepcopy(signed)
    *parents, last = pointer.split(".")
    target = tampered
    for part in parents:
        target = target[part]
    target[last] = value
    check = verify_proof(tampered, public_key)
    assert (check.verified, check.code) == (False, "signature-mismatch")


def test_json_only_changes_do_not_matter(
    signed: dict[str, Any], public_key: Ed25519PublicKey
) -> None:
    # RDF canonicalization: key order and a one-element list vs. its value are the same graph.
    reordered = dict(reversed(list(signed.items())))
    reordered["credentialSubject"] = [signed["credentialSubject"]]
    assert verify_proof(reordered, public_key)


def test_wrong_key_and_key_type(signed: dict[str, Any]) -> None:
    other = Signer(
        private_key_from_multibase("z3u2W4YnTstS1nSSBAgZcYSJF43JuZ9uLV6bF38B1Bf8NugW"), "x"
    )
    assert verify_proof(signed, other.public_key).code == "signature-mismatch"
    p256 = generate_ec_private_key(KeyType.P256).public_key()
    assert verify_proof(signed, p256).code == "key-type-mismatch"
    assert suites.verify_proof(signed, signed["proof"], p256).code == "key-type-mismatch"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"proofValue": "zzz"}, "malformed-proof"),
        ({"proofValue": "not-multibase"}, "malformed-proof"),
        ({"created": "yesterday"}, "malformed-proof"),
        ({"proofPurpose": None}, "malformed-proof"),
        ({"cryptosuite": "eddsa-jcs-2022"}, "malformed-proof"),
    ],
)
def test_malformed_proofs(
    signed: dict[str, Any], public_key: Ed25519PublicKey, change: dict[str, Any], code: str
) -> None:
    proof = {**signed["proof"], **change}
    document = {k: v for k, v in signed.items() if k != "proof"}
    check = verify_input_document(document, proof, public_key)
    assert (check.verified, check.code) == (False, code)


def test_unknown_context_is_never_fetched(
    signed: dict[str, Any], public_key: Ed25519PublicKey
) -> None:
    document = copy.deepcopy(signed)
    document["@context"] = [*document["@context"], "https://example.com/not-bundled/v1"]
    check = verify_proof(document, public_key)
    assert (check.verified, check.code) == (False, "unknown-context")
    assert "https://example.com/not-bundled/v1" in check.message


def test_employ_vectors_need_an_unbundled_context(public_key: Ed25519PublicKey) -> None:
    signed = load(f"{SUITE}/employ/signedDataInt.json")
    check = verify_proof(signed, public_key)
    assert (check.verified, check.code) == (False, "unknown-context")
    assert "citizenship" in check.message


def test_proof_configuration_rejects_other_suites(unsigned: dict[str, Any]) -> None:
    with pytest.raises(ProofError) as info:
        proof_configuration({"type": "DataIntegrityProof", "cryptosuite": "x"}, unsigned)
    assert info.value.code == "PROOF_GENERATION_ERROR"
    with pytest.raises(ProofError) as info:
        transformation(unsigned, {"type": "DataIntegrityProof", "cryptosuite": "x"})
    assert info.value.code == "PROOF_TRANSFORMATION_ERROR"
    with pytest.raises(ProofError):
        proof_configuration(
            {"type": "DataIntegrityProof", "cryptosuite": CRYPTOSUITE, "proofValue": "z1"}, unsigned
        )
