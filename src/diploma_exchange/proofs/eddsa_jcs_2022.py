"""The ``eddsa-jcs-2022`` Data Integrity cryptosuite.

Implements W3C "Data Integrity EdDSA Cryptosuites v1.0" (Recommendation, 15 May 2025),
§3.3 "eddsa-jcs-2022": Create Proof (§3.3.1), Verify Proof (§3.3.2), Transformation
(§3.3.3), Hashing (§3.3.4), Proof Configuration (§3.3.5), Proof Serialization (§3.3.6)
and Proof Verification (§3.3.7). Functions carry the spec's algorithm names and its
numbered steps as comments, so that each intermediate value can be tested byte for byte
against the W3C test vectors.

Errors the spec calls PROOF_GENERATION_ERROR / PROOF_TRANSFORMATION_ERROR raise
:class:`~diploma_exchange.errors.ProofError`. Verification never raises for a bad
document: it returns a :class:`ProofCheck` verdict, which is falsy unless verified.

Performance: verification canonicalises the document and the proof configuration exactly
once each and never deep-copies (the unsecured document and the proof options are
shallow dictionaries sharing the caller's values, which are only read).
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from diploma_exchange.errors import InvalidInput, ProofError
from diploma_exchange.proofs.jcs import canonicalize
from diploma_exchange.proofs.keys import ED25519_SIGNATURE_LENGTH, Signer, verify_signature
from diploma_exchange.proofs.multibase import decode_base58btc, encode_base58btc

CRYPTOSUITE: Final = "eddsa-jcs-2022"
PROOF_TYPE: Final = "DataIntegrityProof"

# Options add_proof sets itself; extra_options may not override them.
_RESERVED_OPTIONS: Final = frozenset(
    {"type", "cryptosuite", "created", "verificationMethod", "proofPurpose", "proofValue"}
)

# XML Schema 1.1 Part 2, §3.3.7 dateTime, lexical space (dateTimeLexicalRep).
_XSD_DATETIME = re.compile(
    r"-?(?P<year>[1-9][0-9]{3,}|0[0-9]{3})-(?P<month>0[1-9]|1[0-2])"
    r"-(?P<day>0[1-9]|[12][0-9]|3[01])"
    r"T(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?|24:00:00(?:\.0+)?)"
    r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
)
_DAYS_IN_MONTH: Final = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class ProofCheckCode(StrEnum):
    """Stable codes of a :class:`ProofCheck` (part of the public API)."""

    VERIFIED = "verified"
    SIGNATURE_MISMATCH = "signature-mismatch"
    MALFORMED_PROOF = "malformed-proof"
    CONTEXT_MISMATCH = "context-mismatch"
    MALFORMED_DOCUMENT = "malformed-document"
    # Used by the other cryptosuites and the dispatcher (proofs.suites):
    UNSUPPORTED_CRYPTOSUITE = "unsupported-cryptosuite"
    KEY_TYPE_MISMATCH = "key-type-mismatch"
    UNKNOWN_CONTEXT = "unknown-context"
    UNDEFINED_TERM = "undefined-term"
    PREVIOUS_PROOF_NOT_FOUND = "previous-proof-not-found"
    #: A bound on work was reached (canonicalization, proof set size): "could not check".
    WORK_LIMIT_EXCEEDED = "work-limit-exceeded"


@dataclass(frozen=True, slots=True)
class ProofCheck:
    """The verdict of :func:`verify_proof`; truthy only when ``verified`` is true."""

    verified: bool
    code: str
    message: str

    def __post_init__(self) -> None:
        if self.verified != (self.code == ProofCheckCode.VERIFIED):
            raise ValueError("ProofCheck.verified must be True exactly when code is 'verified'")

    def __bool__(self) -> bool:
        return self.verified


def is_xsd_datetime(value: object) -> bool:
    """Return whether ``value`` is a string in the XMLSCHEMA11-2 ``dateTime`` lexical space.

    Checks the lexical pattern and that the day exists in its month (e.g. no 30 February).
    """
    if not isinstance(value, str):
        return False
    return _is_xsd_datetime_text(str(value))


@lru_cache(maxsize=1024)
def _is_xsd_datetime_text(value: str) -> bool:
    # A pure function of the text, asked for every proof's ``created`` several times per
    # verification (shape, proof configuration, key validity).
    match = _XSD_DATETIME.fullmatch(value)
    if match is None:
        return False
    year, month, day = (int(match[name]) for name in ("year", "month", "day"))
    if value.startswith("-"):
        year = -year
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return day <= (29 if month == 2 and leap else _DAYS_IN_MONTH[month - 1])


def format_created(created: datetime) -> str:
    """Render an aware datetime as ``YYYY-MM-DDTHH:MM:SSZ`` in UTC (seconds precision).

    Raises:
        InvalidInput: ``created`` is naive (has no time zone).
    """
    if created.tzinfo is None or created.utcoffset() is None:
        raise InvalidInput("created must be a timezone-aware datetime")
    return created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _check_suite(options: Mapping[str, Any], error: str) -> None:
    if options.get("type") != PROOF_TYPE or options.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError(
            f"proof options must have type {PROOF_TYPE!r} and cryptosuite {CRYPTOSUITE!r}; "
            f"got type {options.get('type')!r} and cryptosuite {options.get('cryptosuite')!r}",
            code=error,
        )


def transformation(unsecured_document: Mapping[str, Any], options: Mapping[str, Any]) -> bytes:
    """Transformation (eddsa-jcs-2022), §3.3.3: the JCS form of the unsecured document.

    Raises:
        ProofError: ``options`` are not ``DataIntegrityProof`` / ``eddsa-jcs-2022``
            (PROOF_TRANSFORMATION_ERROR).
        InvalidInput: the document cannot be canonicalized (RFC 8785).
    """
    # 1. If options.type is not DataIntegrityProof or options.cryptosuite is not
    #    eddsa-jcs-2022, raise PROOF_TRANSFORMATION_ERROR. (The spec text says "and";
    #    either mismatch means this is not our suite, so both are required.)
    _check_suite(options, "PROOF_TRANSFORMATION_ERROR")
    # 2. Let canonicalDocument be the result of applying JCS [RFC8785] to a JSON
    #    serialization of the unsecuredDocument.
    canonical_document = canonicalize(unsecured_document)
    # 3. Return canonicalDocument as the transformed data document.
    return canonical_document


def hashing(transformed_document: bytes, canonical_proof_config: bytes) -> bytes:
    """Hashing (eddsa-jcs-2022), §3.3.4: SHA-256(proof config) || SHA-256(document)."""
    # 1. transformedDocumentHash = SHA-256(transformedDocument), 32 bytes.
    transformed_document_hash = hashlib.sha256(transformed_document).digest()
    # 2. proofConfigHash = SHA-256(canonicalProofConfig), 32 bytes.
    proof_config_hash = hashlib.sha256(canonical_proof_config).digest()
    # 3. hashData = proofConfigHash (first) joined with transformedDocumentHash (second).
    hash_data = proof_config_hash + transformed_document_hash
    # 4. Return hashData.
    return hash_data


def proof_configuration(options: Mapping[str, Any]) -> bytes:
    """Proof Configuration (eddsa-jcs-2022), §3.3.5: the JCS form of the proof options.

    ``options`` are the proof options, i.e. the proof without ``proofValue``.

    Raises:
        ProofError: wrong type or cryptosuite, ``created`` not an XMLSCHEMA11-2 dateTime,
            or ``proofValue`` present (PROOF_GENERATION_ERROR).
        InvalidInput: the options cannot be canonicalized (RFC 8785).
    """
    # 1. Let proofConfig be a clone of the options object. (Canonicalization only reads
    #    it, so no copy is made.)
    proof_config = options
    if "proofValue" in proof_config:
        raise ProofError("proof options must not contain proofValue", code="PROOF_GENERATION_ERROR")
    # 2. If proofConfig.type is not DataIntegrityProof or proofConfig.cryptosuite is not
    #    eddsa-jcs-2022, raise PROOF_GENERATION_ERROR.
    _check_suite(proof_config, "PROOF_GENERATION_ERROR")
    # 3. If proofConfig.created is set to a value that is not a valid XMLSCHEMA11-2
    #    datetime, raise PROOF_GENERATION_ERROR.
    if "created" in proof_config and not is_xsd_datetime(proof_config["created"]):
        raise ProofError(
            f"proof created {proof_config['created']!r} is not an XML Schema dateTime",
            code="PROOF_GENERATION_ERROR",
            pointer="/proof/created",
        )
    # 4. Let canonicalProofConfig be the result of applying JCS [RFC8785] to proofConfig.
    canonical_proof_config = canonicalize(proof_config)
    # 5. Return canonicalProofConfig.
    return canonical_proof_config


def proof_serialization(hash_data: bytes, signer: Signer) -> bytes:
    """Proof Serialization (eddsa-jcs-2022), §3.3.6: the Ed25519 signature of hashData."""
    # 1. privateKeyBytes: the signer holds the key of options.verificationMethod.
    # 2. proofBytes = Ed25519 (Pure EdDSA, RFC 8032) signature of hashData; 64 bytes.
    proof_bytes = signer.sign(hash_data)
    # 3. Return proofBytes.
    return proof_bytes


def proof_verification(hash_data: bytes, proof_bytes: bytes, public_key: Ed25519PublicKey) -> bool:
    """Proof Verification (eddsa-jcs-2022), §3.3.7: Ed25519-verify proofBytes over hashData.

    ``public_key`` is the already retrieved key of ``options.verificationMethod`` (step 1
    is the caller's DID resolution).
    """
    # 1. publicKeyBytes: retrieved by the caller (CID 1.0 "Retrieve Verification Method").
    # 2. verificationResult = Ed25519 verify of proofBytes over hashData.
    # 3. Return verificationResult.
    return verify_signature(public_key, proof_bytes, hash_data)


def create_proof(
    unsecured_document: Mapping[str, Any], options: Mapping[str, Any], signer: Signer
) -> dict[str, Any]:
    """Create Proof (eddsa-jcs-2022), §3.3.1: return the data integrity proof object.

    The returned proof is a new dict; neither argument is modified.

    Raises:
        ProofError: options are not for this suite, ``created`` is invalid, or
            ``options.verificationMethod`` is not the signer's verification method.
        InvalidInput: the document or the options cannot be canonicalized.
    """
    if options.get("verificationMethod") != signer.verification_method:
        raise ProofError(
            "options.verificationMethod must be the signer's verification method "
            f"{signer.verification_method!r}"
        )
    # 1. Let proof be a clone of the proof options, options.
    proof: dict[str, Any] = copy.deepcopy(dict(options))
    # 2. If unsecuredDocument.@context is present, set proof.@context to it.
    if "@context" in unsecured_document:
        proof["@context"] = copy.deepcopy(unsecured_document["@context"])
    # 3. proofConfig = Proof Configuration (§3.3.5) with proof as the proof options.
    proof_config = proof_configuration(proof)
    # 4. transformedData = Transformation (§3.3.3) of unsecuredDocument with options.
    transformed_data = transformation(unsecured_document, options)
    # 5. hashData = Hashing (§3.3.4) of transformedData and proofConfig.
    hash_data = hashing(transformed_data, proof_config)
    # 6. proofBytes = Proof Serialization (§3.3.6) of hashData with options.
    proof_bytes = proof_serialization(hash_data, signer)
    # 7. proof.proofValue = base58-btc Multibase encoding of proofBytes.
    proof["proofValue"] = encode_base58btc(proof_bytes)
    # 8. Return proof.
    return proof


def add_proof(
    unsecured: Mapping[str, Any],
    signer: Signer,
    *,
    created: datetime,
    proof_purpose: str = "assertionMethod",
    extra_options: Mapping[str, Any] | None = None,
    share_nested: bool = False,
) -> dict[str, Any]:
    """Return a deep copy of ``unsecured`` secured with an ``eddsa-jcs-2022`` proof.

    ``share_nested=True`` copies only the top-level object (still never modifying
    ``unsecured``), for callers that built the document themselves and discard it: a deep
    copy of a diploma costs ~0.6 ms, thirty times the signature.

    The proof options are ``type``, ``cryptosuite``, ``created`` (UTC, seconds),
    ``verificationMethod`` (the signer's), ``proofPurpose`` and ``extra_options``
    (e.g. ``domain``, ``challenge``, ``expires``); per §3.3.1 step 2 the proof also gets
    the document's ``@context``. The caller's document is never modified.

    Raises:
        InvalidInput: ``unsecured`` is not a JSON object, ``created`` is naive, or the
            document cannot be canonicalized (RFC 8785).
        ProofError: the document already has a proof (proof sets are not supported),
            ``extra_options`` tries to override a core option, or ``proof_purpose`` is
            empty.
    """
    if not isinstance(unsecured, Mapping):
        raise InvalidInput("the document to secure must be a JSON object")
    if "proof" in unsecured:
        raise ProofError(
            "the document already has a proof; proof sets and chains are not supported",
            pointer="/proof",
        )
    if not isinstance(proof_purpose, str) or not proof_purpose:
        raise ProofError("proof_purpose must be a non-empty string")
    extra = dict(extra_options or {})
    overridden = sorted(_RESERVED_OPTIONS.intersection(extra))
    if overridden:
        raise ProofError(f"extra_options may not set {', '.join(overridden)}")
    options: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": format_created(created),
        "verificationMethod": signer.verification_method,
        "proofPurpose": proof_purpose,
        **extra,
    }
    document = dict(unsecured) if share_nested else copy.deepcopy(dict(unsecured))
    document["proof"] = create_proof(document, options, signer)
    return document


def proof_of(secured: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """Return the single proof object of ``secured``, or ``None`` if it has no ``proof``.

    A one-element ``proof`` list is unwrapped.

    Raises:
        InvalidInput: ``secured`` is not a JSON object.
        ProofError: ``proof`` is present but is not one object (a proof set of several
            proofs, an empty list, or a non-object value).
    """
    if not isinstance(secured, Mapping):
        raise InvalidInput("a secured document must be a JSON object")
    if "proof" not in secured:
        return None
    proof = secured["proof"]
    if isinstance(proof, list):
        if len(proof) > 1:
            raise ProofError("proof sets are not supported", pointer="/proof")
        if not proof:
            raise ProofError("proof is an empty list", pointer="/proof")
        proof = proof[0]
    if not isinstance(proof, Mapping):
        raise ProofError("proof must be a JSON object", pointer="/proof")
    return proof


def _as_context_list(context: Any) -> list[Any]:
    return list(context) if isinstance(context, list) else [context]


def _malformed(message: str) -> ProofCheck:
    return ProofCheck(False, ProofCheckCode.MALFORMED_PROOF, message)


def _check_proof_shape(proof: Mapping[str, Any]) -> ProofCheck | bytes:
    """Validate the proof's structure; return proofBytes or a malformed-proof verdict."""
    if proof.get("type") != PROOF_TYPE:
        return _malformed(f"proof.type is {proof.get('type')!r}; expected {PROOF_TYPE!r}")
    if proof.get("cryptosuite") != CRYPTOSUITE:
        return _malformed(
            f"proof.cryptosuite is {proof.get('cryptosuite')!r}; expected {CRYPTOSUITE!r}"
        )
    purpose = proof.get("proofPurpose")
    if not isinstance(purpose, str) or not purpose:
        return _malformed("proof.proofPurpose must be a non-empty string")
    method = proof.get("verificationMethod")
    if "verificationMethod" in proof and (not isinstance(method, str) or not method):
        return _malformed("proof.verificationMethod must be a non-empty string (a URL)")
    if "created" in proof and not is_xsd_datetime(proof["created"]):
        return _malformed(f"proof.created {proof['created']!r} is not an XML Schema dateTime")
    if "proofValue" not in proof:
        return _malformed("proof.proofValue is missing")
    try:
        proof_bytes = decode_base58btc(proof["proofValue"])
    except InvalidInput:
        return _malformed("proof.proofValue is not a base58btc multibase string ('z...')")
    if len(proof_bytes) != ED25519_SIGNATURE_LENGTH:
        return _malformed(
            f"proof.proofValue decodes to {len(proof_bytes)} bytes; an Ed25519 signature "
            f"has {ED25519_SIGNATURE_LENGTH}"
        )
    return proof_bytes


def verify_proof(
    secured: Mapping[str, Any], public_key: Ed25519PublicKey | EllipticCurvePublicKey
) -> ProofCheck:
    """Verify Proof (eddsa-jcs-2022), §3.3.2, with the already resolved ``public_key``.

    Returns a :class:`ProofCheck` whose code is ``verified``, ``signature-mismatch``,
    ``malformed-proof`` (missing proof, wrong type or cryptosuite, bad ``created``,
    ``proofValue`` not a 64-byte base58btc value, proof set), ``context-mismatch`` (the
    document's ``@context`` does not start with the proof's) or ``malformed-document``
    (the document cannot be canonicalized) or ``key-type-mismatch`` (``public_key`` is not
    an Ed25519 key). It does not check the proof purpose or the relation between the key
    and ``verificationMethod``: that is the caller's job.

    Raises:
        InvalidInput: ``secured`` is not a JSON object (a mapping).
    """
    try:
        proof = proof_of(secured)
    except ProofError as exc:
        return _malformed(exc.message)
    if proof is None:
        return _malformed("the document has no proof")
    checked = _check_proof_shape(proof)
    if isinstance(checked, ProofCheck):
        return checked
    if not isinstance(public_key, Ed25519PublicKey):
        return ProofCheck(
            False,
            ProofCheckCode.KEY_TYPE_MISMATCH,
            f"{CRYPTOSUITE} needs an Ed25519 key; the verification method has another key type",
        )
    # 1. unsecuredDocument = securedDocument without proof (shallow: values are shared,
    #    only read).
    unsecured_document = {k: v for k, v in secured.items() if k != "proof"}
    # 2. proofOptions = securedDocument.proof without proofValue.
    proof_options = {k: v for k, v in proof.items() if k != "proofValue"}
    # 3. proofBytes = Multibase-decoded base58-btc proof.proofValue (checked above).
    proof_bytes = checked
    # 4. If proofOptions.@context exists:
    if "@context" in proof_options:
        # 4.1 securedDocument.@context must start with all values of
        #     proofOptions.@context in the same order; otherwise verified is false.
        proof_context = _as_context_list(proof_options["@context"])
        document_context = _as_context_list(secured.get("@context", []))
        if "@context" not in secured or document_context[: len(proof_context)] != proof_context:
            return ProofCheck(
                False,
                ProofCheckCode.CONTEXT_MISMATCH,
                "the document's @context does not start with the proof's @context",
            )
        # 4.2 Set unsecuredDocument.@context to proofOptions.@context.
        unsecured_document["@context"] = proof_options["@context"]
    try:
        # 5. transformedData = Transformation (§3.3.3) of unsecuredDocument, proofOptions.
        transformed_data = transformation(unsecured_document, proof_options)
    except InvalidInput as exc:  # includes LimitExceeded (too deeply nested)
        return ProofCheck(False, ProofCheckCode.MALFORMED_DOCUMENT, exc.message)
    try:
        # 6. proofConfig = Proof Configuration (§3.3.5) of proofOptions.
        proof_config = proof_configuration(proof_options)
    except (InvalidInput, ProofError) as exc:
        return _malformed(exc.message)
    # 7. hashData = Hashing (§3.3.4) of transformedData and proofConfig.
    hash_data = hashing(transformed_data, proof_config)
    # 8. verified = Proof Verification (§3.3.7) of hashData, proofBytes, proofConfig.
    verified = proof_verification(hash_data, proof_bytes, public_key)
    # 9. Return the verification result.
    if verified:
        return ProofCheck(True, ProofCheckCode.VERIFIED, "the eddsa-jcs-2022 proof is valid")
    return ProofCheck(
        False,
        ProofCheckCode.SIGNATURE_MISMATCH,
        "the signature does not match the document and proof options with this key "
        "(the document was altered, or another key signed it)",
    )


__all__ = [
    "CRYPTOSUITE",
    "PROOF_TYPE",
    "ProofCheck",
    "ProofCheckCode",
    "add_proof",
    "create_proof",
    "format_created",
    "hashing",
    "is_xsd_datetime",
    "proof_configuration",
    "proof_of",
    "proof_serialization",
    "proof_verification",
    "transformation",
    "verify_proof",
]
