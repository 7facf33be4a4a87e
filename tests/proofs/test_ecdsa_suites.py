"""ecdsa-rdfc-2019 (§3.2) and ecdsa-jcs-2019 (§3.4), P-256 and P-384, against the W3C
vc-di-ecdsa test vectors.

ECDSA signatures are randomized: the intermediate values (canonical forms and hashes) are
compared byte for byte, the vectors' signatures must verify, and our own signatures must
verify (not equal the vector's).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey

from diploma_exchange.proofs import ecdsa_jcs_2019, ecdsa_rdfc_2019, suites
from diploma_exchange.proofs.keys import (
    EcdsaSigner,
    KeyType,
    ec_private_key_from_multibase,
    generate_ec_private_key,
    generate_private_key,
    public_key_from_multikey,
    verify_ecdsa_signature,
)
from diploma_exchange.proofs.multibase import decode_base58btc, encode_base58btc
from vector_files import require


@dataclass(frozen=True)
class Case:
    module: ModuleType
    directory: str
    suffix: str  # file-name suffix of the vectors, e.g. "ECDSAP256" / "JCSECDSAP384"
    key_pair: str
    curve: KeyType

    @property
    def rdfc(self) -> bool:
        return self.module is ecdsa_rdfc_2019

    def text(self, name: str) -> str:
        return require(f"ecdsa/{self.directory}/{name}{self.suffix}.txt").read_text("utf-8")

    def json(self, name: str) -> Any:
        path = require(f"ecdsa/{self.directory}/{name}{self.suffix}.json")
        return json.loads(path.read_text("utf-8"))

    def pair(self) -> dict[str, str]:
        return json.loads(require(f"ecdsa/{self.key_pair}").read_text("utf-8"))  # type: ignore[no-any-return]


CASES = [
    Case(ecdsa_rdfc_2019, "ecdsa-rdfc-2019-p256", "ECDSAP256", "p256KeyPair.json", KeyType.P256),
    Case(ecdsa_rdfc_2019, "ecdsa-rdfc-2019-p384", "ECDSAP384", "p384KeyPair.json", KeyType.P384),
    Case(ecdsa_jcs_2019, "ecdsa-jcs-2019-p256", "JCSECDSAP256", "p256KeyPair.json", KeyType.P256),
    Case(ecdsa_jcs_2019, "ecdsa-jcs-2019-p384", "JCSECDSAP384", "p384KeyPair.json", KeyType.P384),
]
IDS = [case.directory for case in CASES]


@pytest.fixture(params=CASES, ids=IDS)
def case(request: pytest.FixtureRequest) -> Case:
    return request.param  # type: ignore[no-any-return]


def unsigned() -> dict[str, Any]:
    return json.loads(require("ecdsa/unsigned.json").read_text("utf-8"))  # type: ignore[no-any-return]


def options_of(case: Case) -> dict[str, Any]:
    return {k: v for k, v in case.json("signed")["proof"].items() if k != "proofValue"}


def proof_config(case: Case, options: dict[str, Any], document: dict[str, Any]) -> bytes:
    if case.rdfc:
        return ecdsa_rdfc_2019.proof_configuration(options, document)  # type: ignore[no-any-return]
    return ecdsa_jcs_2019.proof_configuration(options)  # type: ignore[no-any-return]


def public_key(case: Case) -> EllipticCurvePublicKey:
    key = public_key_from_multikey(case.pair()["publicKeyMultibase"])
    assert isinstance(key, EllipticCurvePublicKey)
    return key


def signer(case: Case) -> EcdsaSigner:
    private = ec_private_key_from_multibase(case.pair()["secretKeyMultibase"])
    return EcdsaSigner(private, options_of(case)["verificationMethod"])


def test_signed_document_is_the_unsigned_one_plus_a_proof(case: Case) -> None:
    signed = case.json("signed")
    assert {k: v for k, v in signed.items() if k != "proof"} == unsigned()
    # The JCS proofs carry the document's @context (§3.4.1 step 2); RDFC proofs do not.
    assert ("@context" in signed["proof"]) is (not case.rdfc)


def test_intermediate_values(case: Case) -> None:
    document, options = unsigned(), options_of(case)
    transformed = case.module.transformation(document, options)
    assert transformed.decode("utf-8") == case.text("canonDoc")
    config = proof_config(case, options, document)
    assert config.decode("utf-8") == case.text("proofCanon")
    hash_data = case.module.hashing(transformed, config, case.curve)
    size = 32 if case.curve is KeyType.P256 else 48
    assert hash_data[:size].hex() == case.text("proofHash")
    assert hash_data[size:].hex() == case.text("docHash")
    assert hash_data.hex() == case.text("combinedHash")
    # The proof configuration vector is the options (+ the document's @context for RDFC).
    expected = case.json("proofConfig")
    assert {k: v for k, v in expected.items() if k != "@context"} == {
        k: v for k, v in options.items() if k != "@context"
    }


def test_vector_signature_verifies(case: Case) -> None:
    signature = bytes.fromhex(case.text("sigHex"))
    assert decode_base58btc(case.text("sigBTC58")) == signature
    assert len(signature) == (64 if case.curve is KeyType.P256 else 96)
    hash_data = bytes.fromhex(case.text("combinedHash"))
    assert verify_ecdsa_signature(public_key(case), signature, hash_data)
    assert case.module.proof_verification(hash_data, signature, public_key(case))
    assert not verify_ecdsa_signature(public_key(case), signature, hash_data + b"x")


def test_signed_vector_verifies(case: Case) -> None:
    signed = case.json("signed")
    check = case.module.verify_proof(signed, public_key(case))
    assert (check.verified, check.code) == (True, "verified")
    assert suites.verify_proof(signed, signed["proof"], public_key(case))


def test_our_proof_has_the_vector_hashes_and_verifies(case: Case) -> None:
    document, options = unsigned(), options_of(case)
    proof = case.module.create_proof(document, options, signer(case))
    vector_proof = case.json("signed")["proof"]
    assert {k: v for k, v in proof.items() if k != "proofValue"} == {
        k: v for k, v in vector_proof.items() if k != "proofValue"
    }
    signature = decode_base58btc(proof["proofValue"])
    assert verify_ecdsa_signature(
        public_key(case), signature, bytes.fromhex(case.text("combinedHash"))
    )
    assert case.module.verify_proof({**document, "proof": proof}, public_key(case))


def test_add_proof_round_trip(case: Case) -> None:
    created = datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC)
    secured = suites.add_proof(unsigned(), case.module.CRYPTOSUITE, signer(case), created=created)
    assert suites.verify_proof(secured, secured["proof"], public_key(case)).code == "verified"
    fresh = generate_ec_private_key(case.curve)
    other = EcdsaSigner(fresh, "did:example:other#key")
    secured = suites.add_proof(unsigned(), case.module.CRYPTOSUITE, other, created=created)
    assert suites.verify_proof(secured, secured["proof"], fresh.public_key())
    assert not suites.verify_proof(secured, secured["proof"], public_key(case))


@pytest.mark.parametrize(
    "path",
    [("credentialSubject", "alumniOf"), ("issuer",), ("proof", "created")],
)
def test_tampering_is_detected(case: Case, path: tuple[str, ...]) -> None:
    tampered = copy.deepcopy(case.json("signed"))
    target = tampered
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = target[path[-1]].replace("0", "1").replace("e", "a")
    check = case.module.verify_proof(tampered, public_key(case))
    assert (check.verified, check.code) == (False, "signature-mismatch")


def test_key_types(case: Case) -> None:
    signed = case.json("signed")
    ed25519 = generate_private_key().public_key()
    assert case.module.verify_proof(signed, ed25519).code == "key-type-mismatch"
    assert suites.verify_proof(signed, signed["proof"], ed25519).code == "key-type-mismatch"
    # The other curve: its signatures have another length, so the proof cannot be its.
    other = KeyType.P384 if case.curve is KeyType.P256 else KeyType.P256
    wrong_curve = generate_ec_private_key(other).public_key()
    check = case.module.verify_proof(signed, wrong_curve)
    assert (check.verified, check.code) == (False, "malformed-proof")


def test_high_s_and_zero_signatures_do_not_raise(case: Case) -> None:
    signed = copy.deepcopy(case.json("signed"))
    size = 32 if case.curve is KeyType.P256 else 48
    for forged in (bytes(2 * size), b"\xff" * (2 * size)):
        signed["proof"]["proofValue"] = encode_base58btc(forged)
        check = case.module.verify_proof(signed, public_key(case))
        assert (check.verified, check.code) == (False, "signature-mismatch")


def test_jcs_context_mismatch() -> None:
    case = CASES[2]
    signed = copy.deepcopy(case.json("signed"))
    signed["@context"] = signed["@context"][:1]
    check = ecdsa_jcs_2019.verify_proof(signed, public_key(case))
    assert (check.verified, check.code) == (False, "context-mismatch")


def test_employ_vectors_need_an_unbundled_context() -> None:
    for case in CASES[:2]:
        signed = json.loads(
            require(f"ecdsa/{case.directory}/employ/signed{case.suffix}.json").read_text("utf-8")
        )
        check = ecdsa_rdfc_2019.verify_proof(signed, public_key(case))
        assert (check.verified, check.code) == (False, "unknown-context")
