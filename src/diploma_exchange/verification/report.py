"""The verification report: named checks and a verdict derived from them.

A bad credential is a verdict, not an exception. Check names and codes are part of the public
API. The verdict is computed, never set: ``valid`` only when every mandatory check passed; any
definite failure gives ``invalid``; a check that could not be completed gives
``indeterminate``. A report with no checks is never valid.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class CheckName(StrEnum):
    """Stable names of the checks (part of the API)."""

    FORMAT_SCHEMA = "format.schema"
    PROOF_SIGNATURE = "proof.signature"
    PROOF_KEY_BINDING = "proof.key-binding"
    VALIDITY_PERIOD = "validity.period"
    ISSUER_TRUST = "issuer.trust"
    KEY_VALIDITY = "key.validity"
    STATUS_REVOCATION = "status.revocation"
    STATUS_SUSPENSION = "status.suspension"
    STATUS_OTHER = "status.other"


class CheckStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    ERROR = "error"


class Verdict(StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    INDETERMINATE = "indeterminate"


#: Checks whose absence or skip makes a verdict of ``valid`` impossible. Status checks are
#: not in it: a credential without status entries skips them; with entries, they pass, fail
#: or error like any other check.
MANDATORY_CHECKS: frozenset[CheckName] = frozenset(
    {
        CheckName.FORMAT_SCHEMA,
        CheckName.PROOF_SIGNATURE,
        CheckName.PROOF_KEY_BINDING,
        CheckName.KEY_VALIDITY,
        CheckName.VALIDITY_PERIOD,
        CheckName.ISSUER_TRUST,
    }
)


@dataclass(frozen=True, slots=True)
class Check:
    """The outcome of one named check, with a stable ``code`` and a human ``message``."""

    name: CheckName
    status: CheckStatus
    code: str
    message: str
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name.value,
            "status": self.status.value,
            "code": self.code,
            "message": self.message,
        }
        if self.details:
            out["details"] = dict(self.details)
        return out


def passed(name: CheckName, code: str, message: str, **details: Any) -> Check:
    return Check(name, CheckStatus.PASSED, code, message, details)


def failed(name: CheckName, code: str, message: str, **details: Any) -> Check:
    return Check(name, CheckStatus.FAILED, code, message, details)


def errored(name: CheckName, code: str, message: str, **details: Any) -> Check:
    return Check(name, CheckStatus.ERROR, code, message, details)


def skipped(name: CheckName, code: str, message: str, **details: Any) -> Check:
    return Check(name, CheckStatus.SKIPPED, code, message, details)


def decide(checks: Iterable[Check], mandatory: frozenset[CheckName] = MANDATORY_CHECKS) -> Verdict:
    """Derive the verdict: any failure -> invalid; otherwise anything incomplete ->
    indeterminate; valid only if every mandatory check is present and passed."""
    checks = list(checks)
    if not checks:
        return Verdict.INDETERMINATE
    if any(c.status is CheckStatus.FAILED for c in checks):
        return Verdict.INVALID
    passed_names = {c.name for c in checks if c.status is CheckStatus.PASSED}
    if any(c.status is CheckStatus.ERROR for c in checks) or not mandatory <= passed_names:
        return Verdict.INDETERMINATE
    if any(c.status is CheckStatus.SKIPPED and c.name in mandatory for c in checks):
        return Verdict.INDETERMINATE
    return Verdict.VALID


@dataclass(frozen=True, slots=True)
class VerificationReport:
    """What was checked and the verdict that follows. ``bool(report)`` is True only if valid."""

    checks: tuple[Check, ...]
    checked_at: datetime
    credential_id: str | None = None
    issuer: str | None = None
    verdict: Verdict = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "verdict", decide(self.checks))

    def __bool__(self) -> bool:
        return self.verdict is Verdict.VALID

    @property
    def valid(self) -> bool:
        return self.verdict is Verdict.VALID

    def check(self, name: CheckName) -> Check | None:
        """The check of that name, if it ran."""
        return next((c for c in self.checks if c.name is name), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "credentialId": self.credential_id,
            "issuer": self.issuer,
            "checkedAt": self.checked_at.isoformat().replace("+00:00", "Z"),
            "checks": [c.to_json() for c in self.checks],
        }
