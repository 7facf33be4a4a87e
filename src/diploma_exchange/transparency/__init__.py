"""Issuance transparency: a public, append-only Merkle log of every diploma issuance, status
change and key event (RFC 9162 hashing, C2SP checkpoints, tiles and witness cosignatures).

Pure domain code: no database, web framework or settings. The service layer
(``services/transparency.py``) stores leaves and tiles and signs checkpoints.
"""

from diploma_exchange.transparency.bundle import (
    BundleEntry,
    BundleError,
    LogBundle,
    LogStatus,
    LogVerdict,
    TrustedLog,
    WitnessPolicy,
    verify_bundle,
)
from diploma_exchange.transparency.checkpoint import (
    Checkpoint,
    open_checkpoint,
    parse_checkpoint_text,
    sign_checkpoint,
)
from diploma_exchange.transparency.entries import (
    IssuanceEntry,
    KeyEntry,
    StatusEntry,
    encode_entry,
    parse_entry,
)
from diploma_exchange.transparency.merkle import (
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)
from diploma_exchange.transparency.note import NoteError, NoteSigner, NoteVerifier, parse_vkey

__all__ = [
    "BundleEntry",
    "BundleError",
    "Checkpoint",
    "IssuanceEntry",
    "KeyEntry",
    "LogBundle",
    "LogStatus",
    "LogVerdict",
    "NoteError",
    "NoteSigner",
    "NoteVerifier",
    "StatusEntry",
    "TrustedLog",
    "WitnessPolicy",
    "consistency_proof",
    "encode_entry",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "open_checkpoint",
    "parse_checkpoint_text",
    "parse_entry",
    "parse_vkey",
    "sign_checkpoint",
    "verify_bundle",
    "verify_consistency",
    "verify_inclusion",
]
