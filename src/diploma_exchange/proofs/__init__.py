"""Canonicalisation (RFC 8785), Ed25519 keys (Multikey) and the eddsa-jcs-2022 cryptosuite."""

from diploma_exchange.proofs.eddsa_jcs_2022 import (
    CRYPTOSUITE,
    PROOF_TYPE,
    ProofCheck,
    ProofCheckCode,
    add_proof,
    proof_of,
    verify_proof,
)
from diploma_exchange.proofs.jcs import canonicalize
from diploma_exchange.proofs.keys import (
    Signer,
    encrypt_private_key,
    generate_private_key,
    load_private_key,
    private_key_from_multibase,
    public_key_from_multibase,
    public_key_multibase,
    verify_signature,
)

__all__ = [
    "CRYPTOSUITE",
    "PROOF_TYPE",
    "ProofCheck",
    "ProofCheckCode",
    "Signer",
    "add_proof",
    "canonicalize",
    "encrypt_private_key",
    "generate_private_key",
    "load_private_key",
    "private_key_from_multibase",
    "proof_of",
    "public_key_from_multibase",
    "public_key_multibase",
    "verify_proof",
    "verify_signature",
]
