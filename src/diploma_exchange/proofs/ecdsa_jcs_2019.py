"""The ``ecdsa-jcs-2019`` Data Integrity cryptosuite (P-256 and P-384).

Implements W3C "Data Integrity ECDSA Cryptosuites v1.0" (Recommendation, 15 May 2025),
§3.4 "ecdsa-jcs-2019": Create Proof (§3.4.1), Verify Proof (§3.4.2), Transformation
(§3.4.3), Hashing (§3.4.4), Proof Configuration (§3.4.5), Proof Serialization (§3.4.6) and
Proof Verification (§3.4.7). Canonicalization is JCS (RFC 8785) as in ``eddsa-jcs-2022``;
the proof carries the document's ``@context``. The curve decides the hash (SHA-256 for
P-256, SHA-384 for P-384); signatures are IEEE P1363 ``r || s``.
Verification never raises for a bad document: it returns a :class:`ProofCheck`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey

from diploma_exchange.errors import InvalidInput, ProofError
from diploma_exchange.proofs import data_integrity as di
from diploma_exchange.proofs.ecdsa_rdfc_2019 import ec_key_type, ecdsa_hashing
from diploma_exchange.proofs.eddsa_jcs_2022 import ProofCheck, ProofCheckCode
from diploma_exchange.proofs.jcs import canonicalize
from diploma_exchange.proofs.keys import (
    EcdsaSigner,
    KeyType,
    PublicKey,
    ecdsa_signature_length,
    verify_ecdsa_signature,
)
from diploma_exchange.proofs.multibase import encode_base58btc

CRYPTOSUITE: Final = "ecdsa-jcs-2019"


def transformation(unsecured_document: Mapping[str, Any], options: Mapping[str, Any]) -> bytes:
    """Transformation (ecdsa-jcs-2019), §3.4.3: the JCS form of the unsecured document.

    Raises:
        ProofError: options are not DataIntegrityProof / ecdsa-jcs-2019
            (PROOF_TRANSFORMATION_ERROR).
        InvalidInput: the document cannot be canonicalized (RFC 8785).
    """
    # 1. type / cryptosuite must be DataIntegrityProof / ecdsa-jcs-2019.
    di.check_suite(options, CRYPTOSUITE, "PROOF_TRANSFORMATION_ERROR")
    # 2. canonicalDocument = JCS(unsecuredDocument).
    # 3. Return canonicalDocument.
    return canonicalize(unsecured_document)


def hashing(transformed_document: bytes, canonical_proof_config: bytes, curve: KeyType) -> bytes:
    """Hashing (ecdsa-jcs-2019), §3.4.4: H(proof config) || H(document), H by curve.

    Raises:
        KeyLoadError: ``curve`` is not P-256 or P-384.
    """
    return ecdsa_hashing(transformed_document, canonical_proof_config, curve)


def proof_configuration(options: Mapping[str, Any]) -> bytes:
    """Proof Configuration (ecdsa-jcs-2019), §3.4.5: the JCS form of the proof options.

    Raises:
        ProofError: wrong type or cryptosuite, invalid ``created``, or ``proofValue``
            present (PROOF_GENERATION_ERROR).
        InvalidInput: the options cannot be canonicalized (RFC 8785).
    """
    if "proofValue" in options:
        raise ProofError("proof options must not contain proofValue", code="PROOF_GENERATION_ERROR")
    # 1. proofConfig = a clone of options (only read, so not copied).
    proof_config = options
    # 2. type / cryptosuite must be DataIntegrityProof / ecdsa-jcs-2019.
    di.check_suite(proof_config, CRYPTOSUITE, "PROOF_GENERATION_ERROR")
    # 3. created, if set, must be an XMLSCHEMA11-2 dateTime.
    di.check_created(proof_config)
    # 4. canonicalProofConfig = JCS(proofConfig).
    # 5. Return canonicalProofConfig.
    return canonicalize(proof_config)


def proof_serialization(hash_data: bytes, signer: EcdsaSigner) -> bytes:
    """Proof Serialization (ecdsa-jcs-2019), §3.4.6: ECDSA (P1363 ``r || s``) of hashData."""
    # 1-2. proofBytes = ECDSA signature of hashData with the curve's hash, P1363 format.
    # 3. Return proofBytes.
    return signer.sign(hash_data)


def proof_verification(
    hash_data: bytes, proof_bytes: bytes, public_key: EllipticCurvePublicKey
) -> bool:
    """Proof Verification (ecdsa-jcs-2019), §3.4.7: ECDSA-verify proofBytes over hashData."""
    # 1. publicKeyBytes: resolved by the caller from options.verificationMethod.
    # 2-3. Return the ECDSA verification result.
    return verify_ecdsa_signature(public_key, proof_bytes, hash_data)


def create_proof(
    unsecured_document: Mapping[str, Any], options: Mapping[str, Any], signer: EcdsaSigner
) -> dict[str, Any]:
    """Create Proof (ecdsa-jcs-2019), §3.4.1: return the data integrity proof object.

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
    # 2. If unsecuredDocument.@context is present, proof.@context = it.
    if "@context" in unsecured_document:
        proof["@context"] = copy.deepcopy(unsecured_document["@context"])
    # 3. proofConfig = Proof Configuration (§3.4.5) of proof.
    proof_config = proof_configuration(proof)
    # 4. transformedData = Transformation (§3.4.3).
    transformed_data = transformation(unsecured_document, options)
    # 5. hashData = Hashing (§3.4.4).
    hash_data = hashing(transformed_data, proof_config, signer.key_type)
    # 6. proofBytes = Proof Serialization (§3.4.6).
    proof_bytes = proof_serialization(hash_data, signer)
    # 7. proof.proofValue = base58-btc multibase of proofBytes.
    proof["proofValue"] = encode_base58btc(proof_bytes)
    # 8. Return proof.
    return proof


def verify_input_document(
    input_document: Mapping[str, Any], proof: Mapping[str, Any], public_key: PublicKey
) -> ProofCheck:
    """Verify Proof (ecdsa-jcs-2019), §3.4.2, of ``proof`` over ``input_document``.

    Returns ``verified``, ``signature-mismatch``, ``malformed-proof``,
    ``key-type-mismatch``, ``context-mismatch`` or ``malformed-document``.
    """
    curve = ec_key_type(public_key)
    if curve is None or not isinstance(public_key, EllipticCurvePublicKey):
        return ProofCheck(
            False, ProofCheckCode.KEY_TYPE_MISMATCH, f"{CRYPTOSUITE} needs a P-256 or P-384 key"
        )
    checked = di.check_proof_shape(proof, CRYPTOSUITE, (ecdsa_signature_length(curve),))
    if isinstance(checked, ProofCheck):
        return checked
    # 1. unsecuredDocument = securedDocument without the proof being verified (shallow).
    unsecured_document = dict(input_document)
    # 2. proofOptions = proof without proofValue.
    proof_options = {k: v for k, v in proof.items() if k != "proofValue"}
    # 3. proofBytes = base58-btc decoded proofValue (checked above).
    proof_bytes = checked
    # 4. If proofOptions.@context exists:
    if "@context" in proof_options:
        # 4.1 securedDocument.@context must start with proofOptions.@context, in order.
        proof_context = di.as_context_list(proof_options["@context"])
        document_context = di.as_context_list(input_document.get("@context", []))
        if (
            "@context" not in input_document
            or document_context[: len(proof_context)] != proof_context
        ):
            return ProofCheck(
                False,
                ProofCheckCode.CONTEXT_MISMATCH,
                "the document's @context does not start with the proof's @context",
            )
        # 4.2 unsecuredDocument.@context = proofOptions.@context.
        unsecured_document["@context"] = proof_options["@context"]
    try:
        # 5. transformedData = Transformation (§3.4.3).
        transformed_data = transformation(unsecured_document, proof_options)
    except InvalidInput as exc:
        return di.unprocessable(exc)
    try:
        # 6. proofConfig = Proof Configuration (§3.4.5).
        proof_config = proof_configuration(proof_options)
    except (InvalidInput, ProofError) as exc:
        return di.malformed(exc.message)
    # 7. hashData = Hashing (§3.4.4), with the hash of the key's curve.
    hash_data = hashing(transformed_data, proof_config, curve)
    # 8. verified = Proof Verification (§3.4.7).
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
    """Verify the single ``ecdsa-jcs-2019`` proof of ``secured`` (§3.4.2).

    Raises:
        InvalidInput: ``secured`` is not a JSON object.
    """
    return di.verify_single_proof(
        secured, lambda document, proof: verify_input_document(document, proof, public_key)
    )


__all__ = [
    "CRYPTOSUITE",
    "create_proof",
    "hashing",
    "proof_configuration",
    "proof_serialization",
    "proof_verification",
    "transformation",
    "verify_input_document",
    "verify_proof",
]
