"""Proofs: canonicalisation (RFC 8785, RDFC-1.0), keys (Multikey), the Data Integrity
cryptosuites, and the secured document.

The public verbs are the any-suite ones: :func:`verify_proof` verifies one proof of a document
(single proof, proof set or chain) with whichever supported cryptosuite it names, and
:func:`add_proof` adds one. Suite modules (``eddsa_jcs_2022`` ...) keep their spec-named steps.
"""

from diploma_exchange.proofs.eddsa_jcs_2022 import (
    PROOF_TYPE,
    ProofCheck,
    ProofCheckCode,
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
from diploma_exchange.proofs.secured import secured_digest, secured_document
from diploma_exchange.proofs.suites import SUITES, add_proof, verify_proof

__all__ = [
    "PROOF_TYPE",
    "SUITES",
    "ProofCheck",
    "ProofCheckCode",
    "Signer",
    "add_proof",
    "canonicalize",
    "encrypt_private_key",
    "generate_private_key",
    "load_private_key",
    "private_key_from_multibase",
    "public_key_from_multibase",
    "public_key_multibase",
    "secured_digest",
    "secured_document",
    "verify_proof",
    "verify_signature",
]
