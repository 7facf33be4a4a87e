"""Verification: named checks -> a :class:`VerificationReport` with a derived verdict.

Build a :class:`Verifier` with its :class:`Lookups` (the service and the CLI use the named
constructors of :mod:`diploma_exchange.services.verification`), then call ``verify``.
"""

from diploma_exchange.verification.lookups import (
    AccreditationSource,
    IssuanceEvidence,
    IssuanceRecords,
    KeyHistory,
    StaticTrustPolicy,
    StatusListProvider,
    TrustDecision,
    TrustPolicy,
)
from diploma_exchange.verification.report import (
    Check,
    CheckName,
    CheckStatus,
    Verdict,
    VerificationReport,
)
from diploma_exchange.verification.verifier import Lookups, Verifier, verify_credential

__all__ = [
    "AccreditationSource",
    "Check",
    "CheckName",
    "CheckStatus",
    "IssuanceEvidence",
    "IssuanceRecords",
    "KeyHistory",
    "Lookups",
    "StaticTrustPolicy",
    "StatusListProvider",
    "TrustDecision",
    "TrustPolicy",
    "Verdict",
    "VerificationReport",
    "Verifier",
    "verify_credential",
]
