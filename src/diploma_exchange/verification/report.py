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
    ISSUER_ACCREDITATION = "issuer.accreditation"
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


STATUS_CHECKS: frozenset[CheckName] = frozenset(
    {CheckName.STATUS_REVOCATION, CheckName.STATUS_SUSPENSION, CheckName.STATUS_OTHER}
)


@dataclass(frozen=True, slots=True)
class VerificationPolicy:
    """Which checks decide the verdict.

    ``required`` checks must run and pass; ``conditional`` checks count when they ran (a
    status check is skipped when the credential declares no such status). Checks outside
    both are reported for information and do not change the verdict. An empty policy
    refuses to pass anything.
    """

    name: str
    required: frozenset[CheckName]
    conditional: frozenset[CheckName] = STATUS_CHECKS
    description: str = ""

    @property
    def considered(self) -> frozenset[CheckName]:
        return self.required | self.conditional


#: Authenticity + status + validity + accreditation by a trusted NIC.
DEFAULT_POLICY = VerificationPolicy(
    "default",
    frozenset(
        {
            CheckName.FORMAT_SCHEMA,
            CheckName.PROOF_SIGNATURE,
            CheckName.PROOF_KEY_BINDING,
            CheckName.KEY_VALIDITY,
            CheckName.VALIDITY_PERIOD,
            CheckName.ISSUER_TRUST,
            CheckName.ISSUER_ACCREDITATION,
        }
    ),
    description="authenticity, status, validity period, and accreditation by a trusted NIC",
)
#: Is it genuine, from a trusted issuer, and not revoked? (No schema, dates or accreditation.)
AUTHENTICITY_POLICY = VerificationPolicy(
    "authenticity",
    frozenset(
        {
            CheckName.PROOF_SIGNATURE,
            CheckName.PROOF_KEY_BINDING,
            CheckName.KEY_VALIDITY,
            CheckName.ISSUER_TRUST,
        }
    ),
    description="signature, key binding and validity, trusted issuer, status",
)
POLICIES: dict[str, VerificationPolicy] = {p.name: p for p in (DEFAULT_POLICY, AUTHENTICITY_POLICY)}
#: Kept for callers that only need the default's required set.
MANDATORY_CHECKS: frozenset[CheckName] = DEFAULT_POLICY.required


def policy_from_checks(names: Iterable[str]) -> VerificationPolicy:
    """A custom policy requiring exactly the named checks (VC-API ``options.checks``).

    Raises:
        ValueError: an unknown check name (the API turns it into a 400 with the known names).
    """
    wanted = list(names)
    known = {c.value: c for c in CheckName}
    unknown = [n for n in wanted if n not in known]
    if unknown:
        raise ValueError(
            f"unknown check(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    chosen = frozenset(known[n] for n in wanted)
    return VerificationPolicy(
        "custom",
        chosen - STATUS_CHECKS,
        chosen & STATUS_CHECKS,
        description="the checks named in the request",
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


def decide(checks: Iterable[Check], policy: VerificationPolicy = DEFAULT_POLICY) -> Verdict:
    """Derive the verdict under ``policy``: a considered check that failed -> invalid;
    otherwise a considered check in error, or a required one missing or skipped ->
    indeterminate; valid only when every required check passed."""
    considered = [c for c in checks if c.name in policy.considered]
    if not considered or not policy.required:
        return Verdict.INDETERMINATE
    if any(c.status is CheckStatus.FAILED for c in considered):
        return Verdict.INVALID
    passed_names = {c.name for c in considered if c.status is CheckStatus.PASSED}
    if (
        any(c.status is CheckStatus.ERROR for c in considered)
        or not policy.required <= passed_names
    ):
        return Verdict.INDETERMINATE
    if any(c.status is CheckStatus.SKIPPED and c.name in policy.required for c in considered):
        return Verdict.INDETERMINATE
    return Verdict.VALID


@dataclass(frozen=True, slots=True)
class VerificationReport:
    """What was checked and the verdict that follows. ``bool(report)`` is True only if valid."""

    checks: tuple[Check, ...]
    checked_at: datetime
    credential_id: str | None = None
    issuer: str | None = None
    policy: VerificationPolicy = DEFAULT_POLICY
    verdict: Verdict = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "verdict", decide(self.checks, self.policy))

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
            "policy": self.policy.name,
            "checks": [
                {**c.to_json(), "mandatory": c.name in self.policy.required} for c in self.checks
            ],
        }


def select_policy(
    name: str | None = None, checks: Iterable[str] | None = None
) -> VerificationPolicy:
    """The policy a request asks for: explicit ``checks`` win, then a named policy, then the
    default.

    Raises:
        ValueError: an unknown policy or check name (with the known ones in the message).
    """
    if checks is not None:
        return policy_from_checks(checks)
    if name is None:
        return DEFAULT_POLICY
    if name not in POLICIES:
        raise ValueError(f"unknown policy {name!r}; known: {', '.join(sorted(POLICIES))}")
    return POLICIES[name]
