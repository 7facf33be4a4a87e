"""Legacy Ed25519 Linked Data proofs: ``Ed25519Signature2020``, ``Ed25519Signature2018`` and
the ``eddsa-2022`` cryptosuite name.

Credentials issued before the Data Integrity Recommendation (the Digital Credentials
Consortium's issuers and Learner Credential Wallet, many Open Badges 3.0 issuers, the CCG
examples) carry these proofs. All three compute the same "verify data" as the later
``eddsa-rdfc-2022`` suite (W3C "Data Integrity EdDSA Cryptosuites v1.0" §3.2):

1. ``canonicalDocument`` = RDFC-1.0 (URDNA2015) N-Quads of the document without its proofs;
2. ``canonicalProofOptions`` = RDFC-1.0 of the proof without its signature value (``proofValue``,
   ``jws``, ``signatureValue``), with the document's ``@context`` unless the proof has its own;
3. ``verifyData`` = SHA-256(canonicalProofOptions) || SHA-256(canonicalDocument);

and then:

- ``Ed25519Signature2020`` (W3C CCG "Ed25519 Signature 2020", vc-di-eddsa §4 "Legacy
  algorithms"): ``proofValue`` is the base58-btc multibase (``z...``) of the 64-byte Ed25519
  signature of ``verifyData``;
- ``Ed25519Signature2018`` (W3C CCG "Ed25519 Signature 2018"): ``jws`` is a detached JWS with
  the unencoded payload option (RFC 7797: header ``{"alg":"EdDSA","b64":false,"crit":["b64"]}``),
  the Ed25519 signature of ``ASCII(BASE64URL(header)) || "." || verifyData``;
- ``eddsa-2022`` (``DataIntegrityProof`` in the 2022-2023 drafts of vc-di-eddsa, renamed
  ``eddsa-rdfc-2022`` in the Candidate Recommendation; Digital Bazaar's
  ``@digitalbazaar/eddsa-2022-cryptosuite``): exactly the ``eddsa-rdfc-2022`` algorithm, with
  ``"cryptosuite": "eddsa-2022"`` in the proof options it signs.

The steps are the reference implementation's (``jsonld-signatures``
``LinkedDataSignature.createVerifyData`` / ``canonizeProof``): a proof set is verified proof
by proof over the document without any proof. Canonicalisation is the bounded, offline one of
:mod:`diploma_exchange.proofs.rdfc` (bundled contexts only, work limits); verification never
raises for a bad document, it returns a :class:`ProofCheck`.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import json
from collections.abc import Mapping
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from diploma_exchange.errors import InvalidInput, ProofError
from diploma_exchange.proofs import data_integrity as di
from diploma_exchange.proofs import eddsa_rdfc_2022
from diploma_exchange.proofs.eddsa_jcs_2022 import ProofCheck, ProofCheckCode, is_xsd_datetime
from diploma_exchange.proofs.keys import (
    ED25519_SIGNATURE_LENGTH,
    PublicKey,
    Signer,
    verify_signature,
)
from diploma_exchange.proofs.multibase import decode_base58btc, encode_base58btc
from diploma_exchange.proofs.rdfc import canonize

ED25519_SIGNATURE_2020: Final = "Ed25519Signature2020"
ED25519_SIGNATURE_2018: Final = "Ed25519Signature2018"
#: The name ``eddsa-rdfc-2022`` had in the 2022-2023 drafts of vc-di-eddsa.
EDDSA_2022: Final = "eddsa-2022"
#: The proof type's own context (the signer adds it to the document; ``matchProof`` of the
#: reference implementation requires it).
ED25519_2020_CONTEXT: Final = "https://w3id.org/security/suites/ed25519-2020/v1"
#: Properties that hold the signature and are not part of the signed proof options.
SIGNATURE_MEMBERS: Final = ("proofValue", "jws", "signatureValue")
#: The only JWS header of an Ed25519Signature2018 proof (RFC 7797 detached, unencoded).
_JWS_HEADER: Final = {"alg": "EdDSA", "b64": False, "crit": ["b64"]}
_MAX_JWS_LENGTH: Final = 1024


def _malformed(message: str) -> ProofCheck:
    return ProofCheck(False, ProofCheckCode.MALFORMED_PROOF, message)


def check_common_shape(proof: Mapping[str, Any], proof_type: str) -> ProofCheck | None:
    """The checks every legacy proof shares: ``type``, ``proofPurpose``,
    ``verificationMethod`` and ``created``. Returns a ``malformed-proof`` verdict or None."""
    if proof.get("type") != proof_type:
        return _malformed(f"proof.type is {proof.get('type')!r}; expected {proof_type!r}")
    purpose = proof.get("proofPurpose")
    if not isinstance(purpose, str) or not purpose:
        return _malformed("proof.proofPurpose must be a non-empty string")
    method = proof.get("verificationMethod")
    if not isinstance(method, str) or not method:
        return _malformed("proof.verificationMethod must be a non-empty string (a URL)")
    for name in ("created", "expires"):
        if name in proof and not is_xsd_datetime(proof[name]):
            return _malformed(f"proof.{name} {proof[name]!r} is not an XML Schema dateTime")
    return None


def canonical_proof_options(
    proof: Mapping[str, Any], unsecured_document: Mapping[str, Any]
) -> bytes:
    """RDFC-1.0 of the proof options (``jsonld-signatures`` ``canonizeProof``).

    The proof without ``proofValue``, ``jws`` and ``signatureValue``, with the document's
    ``@context`` unless the proof carries its own.

    Raises:
        InvalidInput: the options cannot be canonicalized (see :func:`rdfc.canonize`).
    """
    options: dict[str, Any] = {}
    if "@context" in unsecured_document:
        options["@context"] = unsecured_document["@context"]
    options.update({k: v for k, v in proof.items() if k not in SIGNATURE_MEMBERS})
    return canonize(options)


def verify_data(proof: Mapping[str, Any], unsecured_document: Mapping[str, Any]) -> bytes:
    """SHA-256(canonical proof options) || SHA-256(canonical document).

    Raises:
        InvalidInput: the document or the options cannot be canonicalized.
    """
    document_hash = hashlib.sha256(canonize(unsecured_document)).digest()
    try:
        options_hash = hashlib.sha256(canonical_proof_options(proof, unsecured_document)).digest()
    except InvalidInput as exc:
        raise _ProofOptionsError(exc) from exc
    return options_hash + document_hash


class _ProofOptionsError(Exception):
    """The proof options (not the document) could not be canonicalized."""

    def __init__(self, cause: InvalidInput) -> None:
        super().__init__(cause.message)
        self.cause = cause


def _mismatch(name: str) -> ProofCheck:
    return ProofCheck(
        False,
        ProofCheckCode.SIGNATURE_MISMATCH,
        f"the {name} signature does not match the document and proof options with this key "
        "(the document was altered, or another key signed it)",
    )


def _hash_or_verdict(
    proof: Mapping[str, Any], input_document: Mapping[str, Any]
) -> bytes | ProofCheck:
    try:
        return verify_data(proof, input_document)
    except _ProofOptionsError as exc:
        return di.unprocessable(exc.cause, "proof options")
    except InvalidInput as exc:
        return di.unprocessable(exc)


# --- Ed25519Signature2020 -------------------------------------------------------------------


def verify_ed25519_signature_2020(
    input_document: Mapping[str, Any], proof: Mapping[str, Any], public_key: PublicKey
) -> ProofCheck:
    """Verify an ``Ed25519Signature2020`` proof over ``input_document`` (the document
    without its proofs). Returns ``verified``, ``signature-mismatch``, ``malformed-proof``,
    ``key-type-mismatch``, ``unknown-context``, ``undefined-term``, ``work-limit-exceeded``
    or ``malformed-document``; never raises for a bad document."""
    verdict = check_common_shape(proof, ED25519_SIGNATURE_2020)
    if verdict is not None:
        return verdict
    value = proof.get("proofValue")
    try:
        signature = decode_base58btc(value) if isinstance(value, str) else None
    except InvalidInput:
        signature = None
    if signature is None:
        return _malformed("proof.proofValue is not a base58btc multibase string ('z...')")
    if len(signature) != ED25519_SIGNATURE_LENGTH:
        return _malformed(
            f"proof.proofValue decodes to {len(signature)} bytes; an Ed25519 signature has "
            f"{ED25519_SIGNATURE_LENGTH}"
        )
    if not isinstance(public_key, Ed25519PublicKey):
        return ProofCheck(
            False,
            ProofCheckCode.KEY_TYPE_MISMATCH,
            f"{ED25519_SIGNATURE_2020} needs an Ed25519 key",
        )
    data = _hash_or_verdict(proof, input_document)
    if isinstance(data, ProofCheck):
        return data
    if verify_signature(public_key, signature, data):
        return ProofCheck(
            True, ProofCheckCode.VERIFIED, f"the {ED25519_SIGNATURE_2020} proof is valid"
        )
    return _mismatch(ED25519_SIGNATURE_2020)


def create_ed25519_signature_2020(
    unsecured_document: Mapping[str, Any], options: Mapping[str, Any], signer: Signer
) -> dict[str, Any]:
    """An ``Ed25519Signature2020`` proof of ``unsecured_document`` (for tests and tools).

    Raises:
        ProofError: ``signer`` is not an Ed25519 signer, or ``options`` name another type
            or verification method.
        InvalidInput: the document or the options cannot be canonicalized.
    """
    if not isinstance(signer, Signer):
        raise ProofError(f"{ED25519_SIGNATURE_2020} needs an Ed25519 Signer")
    if options.get("type") != ED25519_SIGNATURE_2020:
        raise ProofError(f"proof options must have type {ED25519_SIGNATURE_2020!r}")
    if options.get("verificationMethod") != signer.verification_method:
        raise ProofError("options.verificationMethod must be the signer's verification method")
    proof = copy.deepcopy(dict(options))
    proof["proofValue"] = encode_base58btc(signer.sign(verify_data(proof, unsecured_document)))
    return proof


# --- Ed25519Signature2018 -------------------------------------------------------------------


def _b64url_decode(value: str) -> bytes:
    if not value or any(c not in _B64URL for c in value) or len(value) % 4 == 1:
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


_B64URL: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _detached_jws(value: Any) -> tuple[bytes, bytes] | ProofCheck:
    """(protected header as sent, signature) of an RFC 7797 detached JWS, or a verdict."""
    if not isinstance(value, str) or len(value) > _MAX_JWS_LENGTH:
        return _malformed("proof.jws must be a detached JWS string (header..signature)")
    parts = value.split(".")
    if len(parts) != 3 or parts[1] != "":
        return _malformed("proof.jws must be a detached JWS (header..signature)")
    try:
        header = json.loads(_b64url_decode(parts[0]))
        signature = _b64url_decode(parts[2])
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return _malformed("proof.jws is not base64url-encoded JSON and signature")
    if not isinstance(header, dict):
        return _malformed("the JWS header of proof.jws is not a JSON object")
    if header.get("alg") != "EdDSA":
        return ProofCheck(
            False,
            ProofCheckCode.UNSUPPORTED_CRYPTOSUITE,
            f"the JWS of this {ED25519_SIGNATURE_2018} proof uses alg {header.get('alg')!r}; "
            "only EdDSA is defined for this suite",
        )
    crit = header.get("crit")
    if header.get("b64") is not False or not isinstance(crit, list) or "b64" not in crit:
        return _malformed(
            'proof.jws must use the unencoded payload option (RFC 7797: "b64": false, '
            '"crit": ["b64"])'
        )
    unknown = set(crit) - {"b64"}
    if unknown:
        return _malformed(f"proof.jws names critical header parameters it may not: {unknown}")
    if len(signature) != ED25519_SIGNATURE_LENGTH:
        return _malformed(
            f"the JWS signature has {len(signature)} bytes; an Ed25519 signature has "
            f"{ED25519_SIGNATURE_LENGTH}"
        )
    return parts[0].encode("ascii"), signature


def verify_ed25519_signature_2018(
    input_document: Mapping[str, Any], proof: Mapping[str, Any], public_key: PublicKey
) -> ProofCheck:
    """Verify an ``Ed25519Signature2018`` proof (detached JWS, ``b64: false``) over
    ``input_document``. Same verdicts as :func:`verify_ed25519_signature_2020`."""
    verdict = check_common_shape(proof, ED25519_SIGNATURE_2018)
    if verdict is not None:
        return verdict
    jws = _detached_jws(proof.get("jws"))
    if isinstance(jws, ProofCheck):
        return jws
    encoded_header, signature = jws
    if not isinstance(public_key, Ed25519PublicKey):
        return ProofCheck(
            False,
            ProofCheckCode.KEY_TYPE_MISMATCH,
            f"{ED25519_SIGNATURE_2018} needs an Ed25519 key",
        )
    data = _hash_or_verdict(proof, input_document)
    if isinstance(data, ProofCheck):
        return data
    # RFC 7797 §3: the signing input is ASCII(BASE64URL(header)) || "." || payload.
    if verify_signature(public_key, signature, encoded_header + b"." + data):
        return ProofCheck(
            True, ProofCheckCode.VERIFIED, f"the {ED25519_SIGNATURE_2018} proof is valid"
        )
    return _mismatch(ED25519_SIGNATURE_2018)


def create_ed25519_signature_2018(
    unsecured_document: Mapping[str, Any], options: Mapping[str, Any], signer: Signer
) -> dict[str, Any]:
    """An ``Ed25519Signature2018`` proof (detached JWS) of ``unsecured_document``.

    Raises:
        ProofError: see :func:`create_ed25519_signature_2020`.
        InvalidInput: the document or the options cannot be canonicalized.
    """
    if not isinstance(signer, Signer):
        raise ProofError(f"{ED25519_SIGNATURE_2018} needs an Ed25519 Signer")
    if options.get("type") != ED25519_SIGNATURE_2018:
        raise ProofError(f"proof options must have type {ED25519_SIGNATURE_2018!r}")
    if options.get("verificationMethod") != signer.verification_method:
        raise ProofError("options.verificationMethod must be the signer's verification method")
    proof = copy.deepcopy(dict(options))
    header = base64.urlsafe_b64encode(
        json.dumps(_JWS_HEADER, separators=(",", ":")).encode("ascii")
    ).rstrip(b"=")
    signature = signer.sign(header + b"." + verify_data(proof, unsecured_document))
    encoded = base64.urlsafe_b64encode(signature).rstrip(b"=").decode("ascii")
    proof["jws"] = f"{header.decode('ascii')}..{encoded}"
    return proof


# --- eddsa-2022 -----------------------------------------------------------------------------


def verify_eddsa_2022(
    input_document: Mapping[str, Any], proof: Mapping[str, Any], public_key: PublicKey
) -> ProofCheck:
    """Verify a ``DataIntegrityProof`` with the draft cryptosuite name ``eddsa-2022``.

    The draft's algorithm is ``eddsa-rdfc-2022``'s (RDFC-1.0, SHA-256 of proof configuration
    and document, Ed25519); only the name signed in the proof configuration differs. Same
    verdicts as :func:`verify_ed25519_signature_2020`.
    """
    checked = di.check_proof_shape(proof, EDDSA_2022, (ED25519_SIGNATURE_LENGTH,))
    if isinstance(checked, ProofCheck):
        return checked
    if not isinstance(public_key, Ed25519PublicKey):
        return ProofCheck(
            False, ProofCheckCode.KEY_TYPE_MISMATCH, f"{EDDSA_2022} needs an Ed25519 key"
        )
    data = _hash_or_verdict(proof, input_document)
    if isinstance(data, ProofCheck):
        return data
    if eddsa_rdfc_2022.proof_verification(data, checked, public_key):
        return ProofCheck(
            True,
            ProofCheckCode.VERIFIED,
            f"the {EDDSA_2022} proof is valid (the draft name of eddsa-rdfc-2022)",
        )
    return _mismatch(EDDSA_2022)


def create_eddsa_2022(
    unsecured_document: Mapping[str, Any], options: Mapping[str, Any], signer: Signer
) -> dict[str, Any]:
    """An ``eddsa-2022`` proof (the draft name of ``eddsa-rdfc-2022``), for tests.

    Raises:
        ProofError: see :func:`create_ed25519_signature_2020`.
        InvalidInput: the document or the options cannot be canonicalized.
    """
    if not isinstance(signer, Signer):
        raise ProofError(f"{EDDSA_2022} needs an Ed25519 Signer")
    di.check_suite(options, EDDSA_2022, "PROOF_GENERATION_ERROR")
    if options.get("verificationMethod") != signer.verification_method:
        raise ProofError("options.verificationMethod must be the signer's verification method")
    proof = copy.deepcopy(dict(options))
    proof["proofValue"] = encode_base58btc(signer.sign(verify_data(proof, unsecured_document)))
    return proof


__all__ = [
    "ED25519_2020_CONTEXT",
    "ED25519_SIGNATURE_2018",
    "ED25519_SIGNATURE_2020",
    "EDDSA_2022",
    "SIGNATURE_MEMBERS",
    "canonical_proof_options",
    "check_common_shape",
    "create_ed25519_signature_2018",
    "create_ed25519_signature_2020",
    "create_eddsa_2022",
    "verify_data",
    "verify_ed25519_signature_2018",
    "verify_ed25519_signature_2020",
    "verify_eddsa_2022",
]
