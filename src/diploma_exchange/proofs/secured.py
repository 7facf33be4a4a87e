"""The secured document: exactly the data a Data Integrity proof covers, and its digest.

VC Data Integrity 1.0 and the cryptosuites (vc-di-eddsa §3.2.2/§3.3.2, vc-di-ecdsa
§3.2.2/§3.4.2) verify a proof over the document *with its ``@context`` replaced by the proof's
``@context``* when the proof has one ("If proofOptions.@context exists: check that
securedDocument.@context starts with all values contained in the proofOptions.@context in the
same order ... Set unsecuredDocument.@context equal to proofOptions.@context"). Contexts a
holder appends after the proof's are legal, but no signature covers them. Every check that runs
after the proof must therefore read :func:`secured_document`, never the received document, so
that nothing outside the signature can change what the checks see.

:func:`secured_digest` names one issued credential independently of how it travelled: the
SHA-256 of the RFC 8785 form of the secured document with the issuer's proof as its only proof.
The issuing service records it at issuance; a verifier recomputes it from what it received
(appended contexts and proofs added later by others do not change it). It is the key of the
"issued here" check and the leaf of the issuance transparency log.

An ``ecdsa-sd-2023`` credential travels as disclosures its holder derives, each a different
document; what they share with the issued one is the issuer's ``baseSignature`` (vc-di-ecdsa
§3.5), unique to one issuance (it signs a fresh ephemeral key). Its secured digest is therefore
SHA-256 of :data:`SD_DIGEST_DOMAIN` || baseSignature, the same for the base proof the issuer
records and for every derived proof the proof check verified.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, Final

from diploma_exchange.errors import InvalidInput
from diploma_exchange.proofs import ecdsa_sd_2023
from diploma_exchange.proofs.jcs import canonicalize
from diploma_exchange.proofs.multibase import encode_base64url


def _as_list(context: Any) -> list[Any]:
    return list(context) if isinstance(context, list) else [context]


def unsigned_contexts(document: Mapping[str, Any], proof: Mapping[str, Any]) -> list[Any]:
    """The ``@context`` entries of ``document`` after those of ``proof`` (not signed by it).

    Empty when the proof has no ``@context`` (then the whole document's is covered) or when the
    two are equal. A document whose ``@context`` does not start with the proof's has no valid
    proof at all; this function then returns ``[]`` and the proof check reports it.
    """
    if "@context" not in proof or "@context" not in document:
        return []
    signed = _as_list(proof["@context"])
    present = _as_list(document["@context"])
    if present[: len(signed)] != signed:
        return []
    return present[len(signed) :]


def secured_document(document: Mapping[str, Any], proof: Mapping[str, Any]) -> dict[str, Any]:
    """``document`` as ``proof`` secures it: its ``@context`` is the proof's when the proof has
    one, and its only ``proof`` is ``proof``. A shallow copy; ``document`` is not modified."""
    secured = {k: v for k, v in document.items() if k != "proof"}
    if "@context" in proof:
        secured["@context"] = proof["@context"]
    secured["proof"] = proof
    return secured


def first_proof(document: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The proof :func:`secured_digest` uses by default: the document's only proof, or the
    first proof of its proof set (this service's own eddsa-jcs-2022 proof); None without one."""
    value = document.get("proof")
    if isinstance(value, list) and value:
        value = value[0]
    return value if isinstance(value, Mapping) else None


#: Domain separation of an ecdsa-sd-2023 credential's digest (see the module docstring).
SD_DIGEST_DOMAIN: Final = b"diploma-exchange ecdsa-sd-2023 baseSignature\n"


def secured_digest(document: Mapping[str, Any], proof: Mapping[str, Any] | None = None) -> str:
    """Hex SHA-256 of the RFC 8785 form of :func:`secured_document` (``proof`` defaults to the
    document's only proof or, for a proof set, its first proof).

    A diploma issued here carries either its issuer's eddsa-jcs-2022 proof alone or a proof
    set whose first proof is that one and whose second is an independent eddsa-rdfc-2022
    proof by the same key; either way its digest is the one of the credential with the
    first proof alone (the verifier likewise takes the first proof bound to the issuer).

    Raises:
        InvalidInput: the document has no proof and none was given, or it cannot be
            canonicalised.
    """
    if proof is None:
        proof = first_proof(document)
        if proof is None:
            raise InvalidInput("the document has no proof to compute its digest with")
    if proof.get("cryptosuite") == ecdsa_sd_2023.CRYPTOSUITE:
        signature = ecdsa_sd_2023.base_signature_of(proof.get("proofValue"))
        return hashlib.sha256(SD_DIGEST_DOMAIN + signature).hexdigest()
    return hashlib.sha256(canonicalize(secured_document(document, proof))).hexdigest()


def digest_multibase(hex_digest: str) -> str:
    """The ``digestMultibase`` form (multihash sha2-256, base64url, ``u`` prefix) of a hex
    SHA-256 digest."""
    return encode_base64url(bytes([0x12, 0x20]) + bytes.fromhex(hex_digest))


__all__ = [
    "digest_multibase",
    "first_proof",
    "secured_digest",
    "secured_document",
    "unsigned_contexts",
]
