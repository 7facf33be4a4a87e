"""Signing what the service issues: the JCS proof of the key's type, and the RDFC proof
beside it as a proof set (setting ``issue_rdfc_proof``, on by default).

An Ed25519 key signs eddsa-jcs-2022 (+ eddsa-rdfc-2022), a P-256 or P-384 key ecdsa-jcs-2019
(+ ecdsa-rdfc-2019): :data:`DEFAULT_SUITES`. Diplomas (single, batch and bulk issuance) and
the status lists their entries point at are signed here, so that verifiers that know only
RDFC (the Digital Credentials Consortium's verifier-core, the Learner Credential Wallet)
accept both. See docs/conformance-interop.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from diploma_exchange.config import Settings
from diploma_exchange.errors import InvalidInput, ProofError
from diploma_exchange.proofs import (
    data_integrity,
    ecdsa_jcs_2019,
    ecdsa_rdfc_2019,
    ecdsa_sd_2023,
    ecdsa_sd_2023_create,
    eddsa_jcs_2022,
    eddsa_rdfc_2022,
    suites,
)
from diploma_exchange.proofs.eddsa_jcs_2022 import format_created
from diploma_exchange.proofs.keys import EcdsaSigner, KeyType, Signer
from diploma_exchange.proofs.multibase import encode_base58btc
from diploma_exchange.proofs.rdfc import RdfcLimits, using_limits

#: A signer of an institution's key: Ed25519 or P-256/P-384.
AnySigner = Signer | EcdsaSigner

#: Per key type: the default cryptosuite (the first proof) and the RDFC twin of the proof set.
DEFAULT_SUITES: Final[dict[KeyType, tuple[str, str]]] = {
    KeyType.ED25519: (eddsa_jcs_2022.CRYPTOSUITE, eddsa_rdfc_2022.CRYPTOSUITE),
    KeyType.P256: (ecdsa_jcs_2019.CRYPTOSUITE, ecdsa_rdfc_2019.CRYPTOSUITE),
    KeyType.P384: (ecdsa_jcs_2019.CRYPTOSUITE, ecdsa_rdfc_2019.CRYPTOSUITE),
}
#: The cryptosuites an institution issues with (``options.cryptosuite``), each with the key
#: types that can sign it.
ISSUANCE_SUITES: Final[dict[str, frozenset[KeyType]]] = {
    eddsa_jcs_2022.CRYPTOSUITE: frozenset({KeyType.ED25519}),
    eddsa_rdfc_2022.CRYPTOSUITE: frozenset({KeyType.ED25519}),
    ecdsa_rdfc_2019.CRYPTOSUITE: frozenset({KeyType.P256, KeyType.P384}),
    ecdsa_jcs_2019.CRYPTOSUITE: frozenset({KeyType.P256, KeyType.P384}),
    # a base proof for the holder to derive selective disclosures from (vc-di-ecdsa §3.4)
    ecdsa_sd_2023.CRYPTOSUITE: frozenset({KeyType.P256}),
}
#: The statements an ecdsa-sd-2023 credential always discloses when the issuer names none
#: (those present in the credential): what identifies it, who issued it, when it is valid
#: and where its status is.
SD_DEFAULT_POINTERS: Final = (
    "/id",
    "/type",
    "/issuer",
    "/validFrom",
    "/validUntil",
    "/issuanceDate",
    "/expirationDate",
    "/credentialStatus",
)
#: Most mandatory pointers one request may name.
MAX_POINTERS: Final = 64
_POINTER = re.compile(r"(/([^~/]|~[01])*)+")


def signer_key_type(signer: AnySigner) -> KeyType:
    """The key type of a signer (Ed25519, P-256 or P-384)."""
    return signer.key_type if isinstance(signer, EcdsaSigner) else KeyType.ED25519


def check_issuance_suite(cryptosuite: str) -> frozenset[KeyType]:
    """The key types that can sign ``cryptosuite``.

    Raises:
        InvalidInput: not a cryptosuite this service issues (``unsupported-cryptosuite``).
    """
    kinds = ISSUANCE_SUITES.get(cryptosuite)
    if kinds is None:
        raise InvalidInput(
            f"unsupported cryptosuite {cryptosuite!r}; supported: {', '.join(ISSUANCE_SUITES)}",
            pointer="/options/cryptosuite",
            code="unsupported-cryptosuite",
        )
    return kinds


def rdfc_proof_limits(settings: Settings) -> RdfcLimits | None:
    """The RDFC work bounds for the diplomas' second (eddsa-rdfc-2022) proof, or ``None``
    when diplomas carry the eddsa-jcs-2022 proof alone (``issue_rdfc_proof`` off)."""
    if not settings.issue_rdfc_proof:
        return None
    return RdfcLimits(
        max_quads=settings.rdfc_max_quads,
        max_node_map_comparisons=settings.rdfc_max_node_map_comparisons,
        max_work=settings.rdfc_max_work,
    )


def secure_document(
    credential: Mapping[str, Any],
    signer: AnySigner,
    now: datetime,
    rdfc_limits: RdfcLimits | None,
) -> dict[str, Any]:
    """Sign ``credential`` (a diploma or a status list, unsigned, built by the caller and not
    used afterwards: nested values are shared): its JCS proof (eddsa-jcs-2022 for an Ed25519
    signer, ecdsa-jcs-2019 for P-256/P-384) and, with ``rdfc_limits``, the RDFC proof of the
    same key type by the same key as a proof *set* (VC Data Integrity 1.0 §2.1.1: the two are
    independent, neither names the other in ``previousProof``; each signs the credential
    without any proof).

    The eddsa-jcs-2022 proof comes first: the secured digest (register, transparency log) is
    the one of the credential with that proof alone (:func:`proofs.secured.secured_digest`),
    exactly as before, and the verifier takes the first proof bound to the issuer, so a
    diploma names the same leaf whether it carries one proof or both.

    Raises:
        LimitExceeded: the credential needs more RDFC work than ``rdfc_limits`` allow.
        InvalidInput: the credential cannot be canonicalised.
    """
    if isinstance(signer, EcdsaSigner):
        return _secure_ecdsa(credential, signer, now, rdfc_limits)
    signed = eddsa_jcs_2022.add_proof(credential, signer, created=now, share_nested=True)
    if rdfc_limits is None:
        return signed
    options = {
        "type": data_integrity.PROOF_TYPE,
        "cryptosuite": eddsa_rdfc_2022.CRYPTOSUITE,
        "created": format_created(now),
        "verificationMethod": signer.verification_method,
        "proofPurpose": "assertionMethod",
    }
    unsecured = {k: v for k, v in credential.items() if k != "proof"}
    # Create Proof (vc-di-eddsa §3.2.1) step by step, as eddsa_rdfc_2022.create_proof does,
    # with any object that signs for the verification method (an HSM, a test's wrapper).
    with using_limits(rdfc_limits):
        proof_config = eddsa_rdfc_2022.proof_configuration(options, unsecured)
        transformed = eddsa_rdfc_2022.transformation(unsecured, options)
    hash_data = eddsa_rdfc_2022.hashing(transformed, proof_config)
    proof_value = encode_base58btc(eddsa_rdfc_2022.proof_serialization(hash_data, signer))
    signed["proof"] = [signed["proof"], {**options, "proofValue": proof_value}]
    return signed


def _secure_ecdsa(
    credential: Mapping[str, Any],
    signer: EcdsaSigner,
    now: datetime,
    rdfc_limits: RdfcLimits | None,
) -> dict[str, Any]:
    """:func:`secure_document` for a P-256/P-384 key: ecdsa-jcs-2019, then (with
    ``rdfc_limits``) ecdsa-rdfc-2019 over the credential without the first proof."""
    unsecured = {k: v for k, v in credential.items() if k != "proof"}
    signed = suites.add_proof(unsecured, ecdsa_jcs_2019.CRYPTOSUITE, signer, created=now)
    if rdfc_limits is None:
        return signed
    with using_limits(rdfc_limits):
        twin = suites.add_proof(unsecured, ecdsa_rdfc_2019.CRYPTOSUITE, signer, created=now)
    signed["proof"] = [signed["proof"], twin["proof"]]
    return signed


def _resolves(document: Any, pointer: str) -> bool:
    """Whether the JSON pointer (RFC 6901) names a value of ``document``."""
    value = document
    for raw in pointer.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return False
    return True


def mandatory_pointers(credential: Mapping[str, Any], pointers: Sequence[str] | None) -> list[str]:
    """The mandatory pointers of an ecdsa-sd-2023 base proof: ``pointers`` (each an RFC 6901
    JSON pointer that names a value of the credential), or :data:`SD_DEFAULT_POINTERS` that
    are present.

    Raises:
        InvalidInput: too many, malformed or unmatched pointers (``invalid-mandatory-pointers``,
            pointer ``/options/mandatoryPointers``).
    """
    if pointers is None:
        return [p for p in SD_DEFAULT_POINTERS if p[1:] in credential]
    where = "/options/mandatoryPointers"
    if len(pointers) > MAX_POINTERS:
        raise InvalidInput(
            f"at most {MAX_POINTERS} mandatory pointers",
            pointer=where,
            code="invalid-mandatory-pointers",
        )
    for index, pointer in enumerate(pointers):
        if (
            not isinstance(pointer, str)
            or len(pointer) > 512
            or not _POINTER.fullmatch(pointer)
            or not _resolves(credential, pointer)
        ):
            raise InvalidInput(
                f"mandatory pointer {pointer!r} is not a JSON pointer to a value of the "
                "credential (RFC 6901, e.g. /issuer or /credentialSubject/degree)",
                pointer=f"{where}/{index}",
                code="invalid-mandatory-pointers",
            )
    return list(pointers)


def sign_with_suite(
    credential: Mapping[str, Any],
    cryptosuite: str,
    signer: AnySigner,
    now: datetime,
    rdfc_limits: RdfcLimits | None,
    *,
    pointers: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Sign ``credential`` with exactly one ``cryptosuite`` proof (the VC-API's
    ``options.cryptosuite``); RDFC work within ``rdfc_limits`` when given. For
    ``ecdsa-sd-2023`` the proof is a base proof whose mandatory statements are ``pointers``
    (:func:`mandatory_pointers`).

    Raises:
        InvalidInput: an unsupported cryptosuite, bad mandatory pointers, or the credential
            cannot be canonicalised.
        ProofError: the signer's key type does not fit the cryptosuite.
        LimitExceeded: more RDFC work than the limits allow.
    """
    check_issuance_suite(cryptosuite)
    if cryptosuite == ecdsa_sd_2023.CRYPTOSUITE:
        if not isinstance(signer, EcdsaSigner) or signer.key_type is not KeyType.P256:
            raise ProofError(f"{cryptosuite} needs a P-256 key")
        chosen = mandatory_pointers(credential, pointers)
        if rdfc_limits is None:
            return ecdsa_sd_2023_create.add_base_proof(
                credential, signer, created=now, mandatory_pointers=chosen
            )
        with using_limits(rdfc_limits):
            return ecdsa_sd_2023_create.add_base_proof(
                credential, signer, created=now, mandatory_pointers=chosen
            )
    if rdfc_limits is None or "rdfc" not in cryptosuite:
        return suites.add_proof(credential, cryptosuite, signer, created=now)
    with using_limits(rdfc_limits):
        return suites.add_proof(credential, cryptosuite, signer, created=now)


__all__ = [
    "DEFAULT_SUITES",
    "ISSUANCE_SUITES",
    "SD_DEFAULT_POINTERS",
    "AnySigner",
    "check_issuance_suite",
    "mandatory_pointers",
    "rdfc_proof_limits",
    "secure_document",
    "sign_with_suite",
    "signer_key_type",
]
