"""Verification: named checks -> a :class:`VerificationReport` with a derived verdict."""

from diploma_exchange.verification.pipeline import (
    StaticTrustPolicy,
    TrustDecision,
    TrustPolicy,
    verify_credential,
)
from diploma_exchange.verification.report import (
    Check,
    CheckName,
    CheckStatus,
    Verdict,
    VerificationReport,
)

__all__ = [
    "Check",
    "CheckName",
    "CheckStatus",
    "StaticTrustPolicy",
    "TrustDecision",
    "TrustPolicy",
    "Verdict",
    "VerificationReport",
    "verify_credential",
]
