"""Signing what the service issues: the eddsa-jcs-2022 proof, and the eddsa-rdfc-2022 proof
beside it as a proof set (setting ``issue_rdfc_proof``, on by default).

Diplomas (single, batch and bulk issuance) and the status lists their entries point at are
signed here, so that verifiers that know only RDFC (the Digital Credentials Consortium's
verifier-core, the Learner Credential Wallet) accept both. See docs/conformance-interop.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from diploma_exchange.config import Settings
from diploma_exchange.proofs import data_integrity, eddsa_jcs_2022, eddsa_rdfc_2022
from diploma_exchange.proofs.eddsa_jcs_2022 import format_created
from diploma_exchange.proofs.keys import Signer
from diploma_exchange.proofs.multibase import encode_base58btc
from diploma_exchange.proofs.rdfc import RdfcLimits, using_limits


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
    signer: Signer,
    now: datetime,
    rdfc_limits: RdfcLimits | None,
) -> dict[str, Any]:
    """Sign ``credential`` (a diploma or a status list, unsigned, built by the caller and not
    used afterwards: nested values are shared): its eddsa-jcs-2022 proof and,
    with ``rdfc_limits``, an eddsa-rdfc-2022 proof by the same key as a proof *set* (VC Data
    Integrity 1.0 §2.1.1: the two are independent, neither names the other in
    ``previousProof``; each signs the credential without any proof).

    The eddsa-jcs-2022 proof comes first: the secured digest (register, transparency log) is
    the one of the credential with that proof alone (:func:`proofs.secured.secured_digest`),
    exactly as before, and the verifier takes the first proof bound to the issuer, so a
    diploma names the same leaf whether it carries one proof or both.

    Raises:
        LimitExceeded: the credential needs more RDFC work than ``rdfc_limits`` allow.
        InvalidInput: the credential cannot be canonicalised.
    """
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


__all__ = ["rdfc_proof_limits", "secure_document"]
