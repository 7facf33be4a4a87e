"""The ``ecdsa-rdfc-2019`` Data Integrity cryptosuite (P-256 and P-384).

Implements W3C "Data Integrity ECDSA Cryptosuites v1.0" (Recommendation, 15 May 2025),
§3.2 "ecdsa-rdfc-2019": Create Proof (§3.2.1), Verify Proof (§3.2.2), Transformation
(§3.2.3), Hashing (§3.2.4), Proof Configuration (§3.2.5), Proof Serialization (§3.2.6)
and Proof Verification (§3.2.7).

The curve decides the hash: P-256 with SHA-256, P-384 with SHA-384 (for the two hashes of
§3.2.4 and inside ECDSA). Signatures are IEEE P1363 ``r || s`` (64 / 96 bytes). ECDSA
signatures are randomized, so a re-created proof differs byte for byte but verifies.
Verification never raises for a bad document: it returns a :class:`ProofCheck`.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Mapping
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey

from diploma_exchange.errors import InvalidInput, KeyLoadError, ProofError
from diploma_exchange.proofs import data_integrity as di
from diploma_exchange.proofs.eddsa_jcs_2022 import ProofCheck, ProofCheckCode
from diploma_exchange.proofs.keys import (
    EcdsaSigner,
    KeyType,
    PublicKey,
    ecdsa_signature_length,
    key_type,
    verify_ecdsa_signature,
)
from diploma_exchange.proofs.multibase import encode_base58btc
from diploma_exchange.proofs.rdfc import canonize

CRYPTOSUITE: Final = "ecdsa-rdfc-2019"

_HASHES: Final = {KeyType.P256: hashlib.sha256, KeyType.P384: hashlib.sha384}


def ec_key_type(public_key: PublicKey) -> KeyType | None:
    """``P-256`` or ``P-384`` for a supported ECDSA key; ``None`` for any other key."""
    if not isinstance(public_key, EllipticCurvePublicKey):
        return None
    try:
        kind = key_type(public_key)
    except KeyLoadError:
        return None
    return kind if kind in _HASHES else None


def ecdsa_hashing(
    transformed_document: bytes, canonical_proof_config: bytes, curve: KeyType
) -> bytes:
    """Hashing shared by the ECDSA suites (§3.2.4, §3.4.4): H(proof config) || H(document),
    with H = SHA-256 for P-256 and SHA-384 for P-384.

    Raises:
        KeyLoadError: ``curve`` is not P-256 or P-384.
    """
    digest = _HASHES.get(curve)
    if digest is None:
        raise KeyLoadError(f"ECDSA suites support P-256 and P-384, not {curve}")
    # 1. transformedDocumentHash and proofConfigHash with the curve's hash.
    transformed_document_hash = digest(transformed_document).digest()
    proof_config_hash = digest(canonical_proof_config).digest()
    # 2. hashData = proofConfigHash || transformedDocumentHash.
    # 3. Return hashData.
    return proof_config_hash + transformed_document_hash


def transformation(unsecured_document: Mapping[str, Any], options: Mapping[str, Any]) -> bytes:
    """Transformation (ecdsa-rdfc-2019), §3.2.3: the RDFC-1.0 N-Quads of the document.

    Raises:
        ProofError: options are not DataIntegrityProof / ecdsa-rdfc-2019
            (PROOF_TRANSFORMATION_ERROR).
        InvalidInput: the document cannot be canonicalized.
    """
    # 1. type / cryptosuite must be DataIntegrityProof / ecdsa-rdfc-2019.
    di.check_suite(options, CRYPTOSUITE, "PROOF_TRANSFORMATION_ERROR")
    # 2. canonicalDocument = RDFC-1.0 canonical N-Quads of unsecuredDocument.
    # 3. Return canonicalDocument.
    return canonize(unsecured_document)


def hashing(transformed_document: bytes, canonical_proof_config: bytes, curve: KeyType) -> bytes:
    """Hashing (ecdsa-rdfc-2019), §3.2.4; see :func:`ecdsa_hashing`.

    Raises:
        KeyLoadError: ``curve`` is not P-256 or P-384.
    """
    return ecdsa_hashing(transformed_document, canonical_proof_config, curve)


def proof_configuration(options: Mapping[str, Any], unsecured_document: Mapping[str, Any]) -> bytes:
    """Proof Configuration (ecdsa-rdfc-2019), §3.2.5: RDFC-1.0 of the proof options with the
    document's ``@context``.

    Raises:
        ProofError: wrong type or cryptosuite, invalid ``created`` or ``proofValue``
            present (PROOF_GENERATION_ERROR).
        InvalidInput: the configuration cannot be canonicalized.
    """
    if "proofValue" in options:
        raise ProofError("proof options must not contain proofValue", code="PROOF_GENERATION_ERROR")
    # 1. proofConfig = a clone of options (shallow: values are only read).
    proof_config = dict(options)
    # 2. type / cryptosuite must be DataIntegrityProof / ecdsa-rdfc-2019.
    di.check_suite(proof_config, CRYPTOSUITE, "PROOF_GENERATION_ERROR")
    # 3. created, if set, must be an XMLSCHEMA11-2 dateTime.
    di.check_created(proof_config)
    # 4. proofConfig.@context = unsecuredDocument.@context.
    if "@context" in unsecured_document:
        proof_config["@context"] = unsecured_document["@context"]
    else:
        proof_config.pop("@context", None)
    # 5. canonicalProofConfig = RDFC-1.0 of proofConfig.
    # 6. Return canonicalProofConfig.
    return canonize(proof_config)


def proof_serialization(hash_data: bytes, signer: EcdsaSigner) -> bytes:
    """Proof Serialization (ecdsa-rdfc-2019), §3.2.6: ECDSA (P1363 ``r || s``) of hashData."""
    # 1-2. proofBytes = ECDSA signature of hashData with the curve's hash, P1363 format.
    # 3. Return proofBytes.
    return signer.sign(hash_data)


def proof_verification(
    hash_data: bytes, proof_bytes: bytes, public_key: EllipticCurvePublicKey
) -> bool:
    """Proof Verification (ecdsa-rdfc-2019), §3.2.7: ECDSA-verify proofBytes over hashData."""
    # 1. publicKeyBytes: resolved by the caller from options.verificationMethod.
    # 2-3. Return the ECDSA (curve's hash) verification result.
    return verify_ecdsa_signature(public_key, proof_bytes, hash_data)


def create_proof(
    unsecured_document: Mapping[str, Any], options: Mapping[str, Any], signer: EcdsaSigner
) -> dict[str, Any]:
    """Create Proof (ecdsa-rdfc-2019), §3.2.1: return the data integrity proof object.

    Raises:
        ProofError: options are not for this suite or this signer, or ``created`` is invalid.
        InvalidInput: the document or the options cannot be canonicalized.
    """
    if not isinstance(signer, EcdsaSigner):
        raise ProofError(f"{CRYPTOSUITE} needs an EcdsaSigner (P-256 or P-384)")
    if options.get("verificationMethod") != signer.verification_method:
        raise ProofError(
            "options.verificationMethod must be the signer's verification method "
            f"{signer.verification_method!r}"
        )
    # 1. proof = a clone of options.
    proof: dict[str, Any] = copy.deepcopy(dict(options))
    # 2. proofConfig = Proof Configuration (§3.2.5) of proof.
    proof_config = proof_configuration(proof, unsecured_document)
    # 3. transformedData = Transformation (§3.2.3).
    transformed_data = transformation(unsecured_document, options)
    # 4. hashData = Hashing (§3.2.4).
    hash_data = hashing(transformed_data, proof_config, signer.key_type)
    # 5. proofBytes = Proof Serialization (§3.2.6).
    proof_bytes = proof_serialization(hash_data, signer)
    # 6. proof.proofValue = base58-btc multibase of proofBytes.
    proof["proofValue"] = encode_base58btc(proof_bytes)
    # 7. Return proof.
    return proof


def verify_input_document(
    input_document: Mapping[str, Any], proof: Mapping[str, Any], public_key: PublicKey
) -> ProofCheck:
    """Verify Proof (ecdsa-rdfc-2019), §3.2.2, of ``proof`` over ``input_document``.

    Returns ``verified``, ``signature-mismatch``, ``malformed-proof`` (including a
    signature whose length does not fit the key's curve), ``key-type-mismatch`` (not a
    P-256/P-384 key), ``unknown-context``, ``undefined-term`` or ``malformed-document``.
    """
    curve = ec_key_type(public_key)
    if curve is None or not isinstance(public_key, EllipticCurvePublicKey):
        return ProofCheck(
            False, ProofCheckCode.KEY_TYPE_MISMATCH, f"{CRYPTOSUITE} needs a P-256 or P-384 key"
        )
    checked = di.check_proof_shape(proof, CRYPTOSUITE, (ecdsa_signature_length(curve),))
    if isinstance(checked, ProofCheck):
        return checked
    # 1. unsecuredDocument = securedDocument without the proof being verified.
    unsecured_document = input_document
    # 2. proofOptions = proof without proofValue.
    proof_options = {k: v for k, v in proof.items() if k != "proofValue"}
    # 3. proofBytes = base58-btc decoded proofValue (checked above).
    proof_bytes = checked
    # 4. proofOptions.@context = unsecuredDocument.@context (done in Proof Configuration).
    try:
        # 5. transformedData = Transformation (§3.2.3).
        transformed_data = transformation(unsecured_document, proof_options)
    except InvalidInput as exc:
        return di.unprocessable(exc)
    try:
        # 6. proofConfig = Proof Configuration (§3.2.5).
        proof_config = proof_configuration(proof_options, unsecured_document)
    except InvalidInput as exc:
        return di.unprocessable(exc, "proof configuration")
    except ProofError as exc:
        return di.malformed(exc.message)
    # 7. hashData = Hashing (§3.2.4), with the hash of the key's curve.
    hash_data = hashing(transformed_data, proof_config, curve)
    # 8. verified = Proof Verification (§3.2.7).
    if proof_verification(hash_data, proof_bytes, public_key):
        # 9. Return the verification result.
        return ProofCheck(
            True, ProofCheckCode.VERIFIED, f"the {CRYPTOSUITE} ({curve}) proof is valid"
        )
    return ProofCheck(
        False,
        ProofCheckCode.SIGNATURE_MISMATCH,
        "the signature does not match the document and proof options with this key "
        "(the document was altered, or another key signed it)",
    )


def verify_proof(secured: Mapping[str, Any], public_key: PublicKey) -> ProofCheck:
    """Verify the single ``ecdsa-rdfc-2019`` proof of ``secured`` (§3.2.2).

    Raises:
        InvalidInput: ``secured`` is not a JSON object.
    """
    return di.verify_single_proof(
        secured, lambda document, proof: verify_input_document(document, proof, public_key)
    )


__all__ = [
    "CRYPTOSUITE",
    "create_proof",
    "ec_key_type",
    "ecdsa_hashing",
    "hashing",
    "proof_configuration",
    "proof_serialization",
    "proof_verification",
    "transformation",
    "verify_input_document",
    "verify_proof",
]
