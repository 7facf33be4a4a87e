"""The ``eddsa-rdfc-2022`` Data Integrity cryptosuite.

Implements W3C "Data Integrity EdDSA Cryptosuites v1.0" (Recommendation, 15 May 2025),
§3.2 "eddsa-rdfc-2022": Create Proof (§3.2.1), Verify Proof (§3.2.2), Transformation
(§3.2.3), Hashing (§3.2.4), Proof Configuration (§3.2.5), Proof Serialization (§3.2.6)
and Proof Verification (§3.2.7). The document and the proof configuration are canonicalized
with RDFC-1.0 (:mod:`diploma_exchange.proofs.rdfc`, offline contexts only).

Unlike the JCS suites, the proof does not carry ``@context``: the proof configuration takes
the document's ``@context`` (§3.2.5 step 4). Verification never raises for a bad document:
it returns a :class:`ProofCheck`, falsy unless verified.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Mapping
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from diploma_exchange.errors import InvalidInput, ProofError
from diploma_exchange.proofs import data_integrity as di
from diploma_exchange.proofs.eddsa_jcs_2022 import ProofCheck, ProofCheckCode
from diploma_exchange.proofs.keys import (
    ED25519_SIGNATURE_LENGTH,
    PublicKey,
    Signer,
    verify_signature,
)
from diploma_exchange.proofs.multibase import encode_base58btc
from diploma_exchange.proofs.rdfc import canonize

CRYPTOSUITE: Final = "eddsa-rdfc-2022"


def transformation(unsecured_document: Mapping[str, Any], options: Mapping[str, Any]) -> bytes:
    """Transformation (eddsa-rdfc-2022), §3.2.3: the RDFC-1.0 N-Quads of the document.

    Raises:
        ProofError: options are not DataIntegrityProof / eddsa-rdfc-2022
            (PROOF_TRANSFORMATION_ERROR).
        InvalidInput: the document cannot be canonicalized (``ContextNotBundled``,
            ``UndefinedTerm``, ``LimitExceeded`` or invalid JSON-LD).
    """
    # 1. If options.type is not DataIntegrityProof or options.cryptosuite is not
    #    eddsa-rdfc-2022, raise PROOF_TRANSFORMATION_ERROR.
    di.check_suite(options, CRYPTOSUITE, "PROOF_TRANSFORMATION_ERROR")
    # 2. canonicalDocument = RDFC-1.0 canonical N-Quads of unsecuredDocument.
    canonical_document = canonize(unsecured_document)
    # 3. Return canonicalDocument.
    return canonical_document


def hashing(transformed_document: bytes, canonical_proof_config: bytes) -> bytes:
    """Hashing (eddsa-rdfc-2022), §3.2.4: SHA-256(proof config) || SHA-256(document)."""
    # 1. transformedDocumentHash = SHA-256(transformedDocument).
    transformed_document_hash = hashlib.sha256(transformed_document).digest()
    # 2. proofConfigHash = SHA-256(canonicalProofConfig).
    proof_config_hash = hashlib.sha256(canonical_proof_config).digest()
    # 3. hashData = proofConfigHash || transformedDocumentHash.
    # 4. Return hashData.
    return proof_config_hash + transformed_document_hash


def proof_configuration(options: Mapping[str, Any], unsecured_document: Mapping[str, Any]) -> bytes:
    """Proof Configuration (eddsa-rdfc-2022), §3.2.5: RDFC-1.0 of the proof options with
    the document's ``@context``.

    Raises:
        ProofError: wrong type or cryptosuite, invalid ``created``, or ``proofValue``
            present (PROOF_GENERATION_ERROR).
        InvalidInput: the configuration cannot be canonicalized.
    """
    if "proofValue" in options:
        raise ProofError("proof options must not contain proofValue", code="PROOF_GENERATION_ERROR")
    # 1. proofConfig = a clone of options (shallow: values are only read).
    proof_config = dict(options)
    # 2. type / cryptosuite must be DataIntegrityProof / eddsa-rdfc-2022.
    di.check_suite(proof_config, CRYPTOSUITE, "PROOF_GENERATION_ERROR")
    # 3. created, if set, must be an XMLSCHEMA11-2 dateTime.
    di.check_created(proof_config)
    # 4. proofConfig.@context = unsecuredDocument.@context.
    if "@context" in unsecured_document:
        proof_config["@context"] = unsecured_document["@context"]
    else:
        proof_config.pop("@context", None)
    # 5. canonicalProofConfig = RDFC-1.0 of proofConfig.
    canonical_proof_config = canonize(proof_config)
    # 6. Return canonicalProofConfig.
    return canonical_proof_config


def proof_serialization(hash_data: bytes, signer: Signer) -> bytes:
    """Proof Serialization (eddsa-rdfc-2022), §3.2.6: the Ed25519 signature of hashData."""
    # 1-2. proofBytes = Ed25519 (Pure EdDSA) signature of hashData with the private key.
    # 3. Return proofBytes.
    return signer.sign(hash_data)


def proof_verification(hash_data: bytes, proof_bytes: bytes, public_key: Ed25519PublicKey) -> bool:
    """Proof Verification (eddsa-rdfc-2022), §3.2.7: Ed25519-verify proofBytes over hashData."""
    # 1. publicKeyBytes: resolved by the caller from options.verificationMethod.
    # 2-3. Return the Ed25519 verification result.
    return verify_signature(public_key, proof_bytes, hash_data)


def create_proof(
    unsecured_document: Mapping[str, Any], options: Mapping[str, Any], signer: Signer
) -> dict[str, Any]:
    """Create Proof (eddsa-rdfc-2022), §3.2.1: return the data integrity proof object.

    ``unsecured_document`` is the input document (for a chained proof it already holds the
    previous proofs in ``proof``). Neither argument is modified.

    Raises:
        ProofError: options are not for this suite or not for this signer, or ``created``
            is invalid.
        InvalidInput: the document or the options cannot be canonicalized.
    """
    if not isinstance(signer, Signer):
        raise ProofError(f"{CRYPTOSUITE} needs an Ed25519 Signer")
    if options.get("verificationMethod") != signer.verification_method:
        raise ProofError(
            "options.verificationMethod must be the signer's verification method "
            f"{signer.verification_method!r}"
        )
    # 1. proof = a clone of options.
    proof: dict[str, Any] = copy.deepcopy(dict(options))
    # 2. proofConfig = Proof Configuration (§3.2.5) of proof.
    proof_config = proof_configuration(proof, unsecured_document)
    # 3. transformedData = Transformation (§3.2.3) of unsecuredDocument.
    transformed_data = transformation(unsecured_document, options)
    # 4. hashData = Hashing (§3.2.4).
    hash_data = hashing(transformed_data, proof_config)
    # 5. proofBytes = Proof Serialization (§3.2.6).
    proof_bytes = proof_serialization(hash_data, signer)
    # 6. proof.proofValue = base58-btc multibase of proofBytes.
    proof["proofValue"] = encode_base58btc(proof_bytes)
    # 7. Return proof.
    return proof


def verify_input_document(
    input_document: Mapping[str, Any], proof: Mapping[str, Any], public_key: PublicKey
) -> ProofCheck:
    """Verify Proof (eddsa-rdfc-2022), §3.2.2, of ``proof`` over ``input_document``.

    ``input_document`` is the secured document without ``proof`` or, for a chained proof,
    with ``proof`` set to the previous proofs (see
    :func:`diploma_exchange.proofs.data_integrity.input_document`). Returns ``verified``,
    ``signature-mismatch``, ``malformed-proof``, ``key-type-mismatch``, ``unknown-context``,
    ``undefined-term`` or ``malformed-document``; never raises for a bad document.
    """
    checked = di.check_proof_shape(proof, CRYPTOSUITE, (ED25519_SIGNATURE_LENGTH,))
    if isinstance(checked, ProofCheck):
        return checked
    if not isinstance(public_key, Ed25519PublicKey):
        return ProofCheck(
            False, ProofCheckCode.KEY_TYPE_MISMATCH, f"{CRYPTOSUITE} needs an Ed25519 key"
        )
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
    # 7. hashData = Hashing (§3.2.4).
    hash_data = hashing(transformed_data, proof_config)
    # 8. verified = Proof Verification (§3.2.7).
    if proof_verification(hash_data, proof_bytes, public_key):
        # 9. Return the verification result.
        return ProofCheck(True, ProofCheckCode.VERIFIED, f"the {CRYPTOSUITE} proof is valid")
    return ProofCheck(
        False,
        ProofCheckCode.SIGNATURE_MISMATCH,
        "the signature does not match the document and proof options with this key "
        "(the document was altered, or another key signed it)",
    )


def verify_proof(secured: Mapping[str, Any], public_key: PublicKey) -> ProofCheck:
    """Verify the single ``eddsa-rdfc-2022`` proof of ``secured`` (§3.2.2).

    For proof sets use :func:`diploma_exchange.proofs.suites.verify_proof`.

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
