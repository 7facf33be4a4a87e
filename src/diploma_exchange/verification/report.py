"""The verification report: named checks and a verdict derived from them.

A bad credential is a verdict, not an exception. Check names and codes are part of the public
API. The verdict is computed, never set: ``valid`` only when every mandatory check passed; any
definite failure gives ``invalid``; a check that could not be completed gives
``indeterminate``. A report with no checks is never valid.

Every policy contains the core: the proof (signature, binding to the issuer, coverage of what
the checks read), the key's validity at signing, the validity period, and, whenever the
credential declares them or the issuer's service records its issuance, the status and the
issuance record. Policies only add to the core (trust, accreditation, schema); a check outside
the policy is reported ``skipped`` with code ``not-in-policy``, never run.
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
    #: Everything the later checks read is covered by the issuer's proof (no unsigned
    #: context that changes a term's meaning; the JSON says what the signed RDF says).
    PROOF_COVERAGE = "proof.coverage"
    #: The issuing service recorded this exact credential as issued ("issued here").
    ISSUANCE_RECORD = "issuance.record"
    #: The credential is in the issuer's NIC's transparency log, entered while its key was
    #: valid (issue 17; skipped when no log this verifier trusts covers the issuer).
    ISSUANCE_LOG = "issuance.log"
    VALIDITY_PERIOD = "validity.period"
    ISSUER_TRUST = "issuer.trust"
    ISSUER_ACCREDITATION = "issuer.accreditation"
    KEY_VALIDITY = "key.validity"
    STATUS_REVOCATION = "status.revocation"
    STATUS_SUSPENSION = "status.suspension"
    STATUS_OTHER = "status.other"
    # envelope formats (JWT, SD-JWT, COSE, JAdES/XAdES, Open Badges 2.0, Blockcerts)
    #: Which format the input is (name, version, container).
    FORMAT_DETECTED = "format.detected"
    #: The envelope's own claims agree with the credential it carries (JWT iss/sub/jti/nbf/exp).
    FORMAT_ENVELOPE = "format.envelope"
    #: Every SD-JWT disclosure is one whose digest the issuer signed.
    PROOF_DISCLOSURES = "proof.disclosures"
    #: A presentation is signed by its holder (key-binding JWT, presentation proof), for the
    #: expected audience and nonce / domain and challenge.
    PROOF_HOLDER_BINDING = "proof.holder-binding"
    #: Blockcerts: the certificate's hash is its receipt's, and the Merkle path leads to the root.
    PROOF_INTEGRITY = "proof.integrity"
    #: Blockcerts: the Merkle root is in the named blockchain transaction.
    PROOF_ANCHOR = "proof.anchor"
    #: The issuer profile a credential names (Blockcerts, Open Badges 2.0) is the issuer's.
    ISSUER_PROFILE = "issuer.profile"
    #: Every credential inside a presentation verified (their verdicts, worst first).
    PRESENTATION_CREDENTIALS = "presentation.credentials"
    #: A PDF diploma's PAdES seal: by the university, under a certificate of a trusted NIC,
    #: and nothing changed since (for information: the credential inside decides).
    DOCUMENT_SEAL = "document.seal"


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
#: Part of every policy and always run: is it signed by the issuer, over everything the
#: checks read, with a key valid at the time, and within its validity period?
CORE_REQUIRED: frozenset[CheckName] = frozenset(
    {
        CheckName.PROOF_SIGNATURE,
        CheckName.PROOF_KEY_BINDING,
        CheckName.PROOF_COVERAGE,
        CheckName.KEY_VALIDITY,
        CheckName.VALIDITY_PERIOD,
    }
)
#: The checks of envelope formats that decide authenticity: part of every policy, counted
#: whenever they ran (a format without disclosures, a Merkle proof or a holder has none).
ENVELOPE_CHECKS: frozenset[CheckName] = frozenset(
    {
        CheckName.FORMAT_DETECTED,
        CheckName.FORMAT_ENVELOPE,
        CheckName.PROOF_DISCLOSURES,
        CheckName.PROOF_HOLDER_BINDING,
        CheckName.PROOF_INTEGRITY,
        CheckName.PROOF_ANCHOR,
        CheckName.ISSUER_PROFILE,
        CheckName.PRESENTATION_CREDENTIALS,
    }
)
#: Part of every policy; they count whenever they ran (a status is checked when declared, the
#: issuance record when the issuer's service keeps one, the envelope checks for their formats).
CORE_CONDITIONAL: frozenset[CheckName] = (
    STATUS_CHECKS | {CheckName.ISSUANCE_RECORD, CheckName.ISSUANCE_LOG} | ENVELOPE_CHECKS
)


@dataclass(frozen=True, slots=True)
class VerificationPolicy:
    """Which checks decide the verdict.

    ``required`` checks must run and pass; ``conditional`` checks count when they ran (a
    status check is skipped when the credential declares no such status). Checks outside
    both are reported for information and do not change the verdict. An empty policy
    refuses to pass anything.

    ``require_holder`` and ``require_credentials`` are this service's presentation rules (a
    diploma is presented by its holder): a signed presentation must name the ``holder`` whose
    key signed it, and carry at least one credential. VC Data Model 2.0 (§4.13) makes both
    ``holder`` and ``verifiableCredential`` optional; with ``require_holder=False`` a
    presentation that names no holder is accepted when its proof verifies with an
    ``authentication`` method of the signer's DID (the report warns that no holder binding
    of the credentials was checked), and with ``require_credentials=False`` a presentation of
    no credential is a DID authentication, verified by its proof alone. Only the VC-API's
    ``/presentations/verify`` relaxes them; exchanges and ``/v1/verifications`` keep them.

    ``data_model_schema`` makes ``format.schema`` check every credential against its data
    model's own rules only (W3C VC Data Model 2.0 or 1.1, and Open Badges 3.0 for its
    contexts; :mod:`~diploma_exchange.verification.vcdm`), a diploma too, instead of the
    diploma profile: what the VC-API verifies, where the diploma schema is a business rule.
    """

    name: str
    required: frozenset[CheckName]
    conditional: frozenset[CheckName] = CORE_CONDITIONAL
    description: str = ""
    require_holder: bool = True
    require_credentials: bool = True
    data_model_schema: bool = False

    def __post_init__(self) -> None:
        # The core is part of every policy, whatever a caller asks for.
        object.__setattr__(self, "required", frozenset(self.required) | CORE_REQUIRED)
        object.__setattr__(
            self, "conditional", (frozenset(self.conditional) | CORE_CONDITIONAL) - self.required
        )

    @property
    def considered(self) -> frozenset[CheckName]:
        return self.required | self.conditional


#: Authenticity + status + validity + accreditation by a trusted NIC.
DEFAULT_POLICY = VerificationPolicy(
    "default",
    frozenset({CheckName.FORMAT_SCHEMA, CheckName.ISSUER_TRUST, CheckName.ISSUER_ACCREDITATION}),
    description="authenticity, status, validity period, and accreditation by a trusted NIC",
)
#: Is it genuine, current, from a trusted issuer, and not revoked? (No schema, no
#: accreditation.)
AUTHENTICITY_POLICY = VerificationPolicy(
    "authenticity",
    frozenset({CheckName.ISSUER_TRUST}),
    description="signature, key binding and validity, validity period, trusted issuer, status",
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
        chosen - CORE_CONDITIONAL,
        CORE_CONDITIONAL,
        description="the core checks and the checks named in the request",
    )


@dataclass(frozen=True, slots=True)
class Check:
    """The outcome of one named check, with a stable ``code`` and a human ``message``."""

    name: CheckName
    status: CheckStatus
    code: str
    message: str
    details: Mapping[str, Any] = field(default_factory=dict)
    #: A ``skipped`` check whose question someone accountable answered instead (e.g. the
    #: operator vouching for an issuer with ``--trust-issuer`` answers "accredited?"); the
    #: message names who. Only a waived required check may be skipped in a valid report.
    waived: bool = False

    @property
    def warning(self) -> str | None:
        """What a reader must know although the check passed (``details["warning"]``: e.g. a
        presentation that names no holder, so no holder binding was checked), or None."""
        value = self.details.get("warning")
        return value if isinstance(value, str) and value else None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name.value,
            "status": self.status.value,
            "code": self.code,
            "message": self.message,
        }
        if self.details:
            out["details"] = dict(self.details)
        if self.waived:
            out["waived"] = True
        return out


def passed(name: CheckName, code: str, message: str, **details: Any) -> Check:
    return Check(name, CheckStatus.PASSED, code, message, details)


def failed(name: CheckName, code: str, message: str, **details: Any) -> Check:
    return Check(name, CheckStatus.FAILED, code, message, details)


def errored(name: CheckName, code: str, message: str, **details: Any) -> Check:
    return Check(name, CheckStatus.ERROR, code, message, details)


def skipped(name: CheckName, code: str, message: str, **details: Any) -> Check:
    return Check(name, CheckStatus.SKIPPED, code, message, details)


def waived(name: CheckName, code: str, message: str, **details: Any) -> Check:
    """A required check not run because someone accountable vouched for its answer."""
    return Check(name, CheckStatus.SKIPPED, code, message, details, waived=True)


def decide(checks: Iterable[Check], policy: VerificationPolicy = DEFAULT_POLICY) -> Verdict:
    """Derive the verdict under ``policy``: a considered check that failed -> invalid;
    otherwise a considered check in error, or a required one missing or skipped (unless
    waived) -> indeterminate; valid only when every required check passed (or was waived).
    A name that appears twice counts with its worst outcome."""
    considered = [c for c in checks if c.name in policy.considered]
    if not considered or not policy.required:
        return Verdict.INDETERMINATE
    if any(c.status is CheckStatus.FAILED for c in considered):
        return Verdict.INVALID
    passed_names = {
        c.name
        for c in considered
        if c.status is CheckStatus.PASSED or (c.status is CheckStatus.SKIPPED and c.waived)
    }
    if any(
        c.status is CheckStatus.SKIPPED and not c.waived and c.name in policy.required
        for c in considered
    ):
        return Verdict.INDETERMINATE
    if (
        any(c.status is CheckStatus.ERROR for c in considered)
        or not policy.required <= passed_names
    ):
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
    #: What was received: ``{"name": ..., "version": ...}`` (e.g. W3C VC 2.0 Data Integrity).
    format: Mapping[str, Any] | None = None
    #: The reports of the credentials inside a presentation (their verdicts are summed up by
    #: ``presentation.credentials``).
    presented: tuple[VerificationReport, ...] = ()
    #: What the checks read, for people and for what follows a verification (showing the
    #: diploma, recognition): the secured document (a Data Integrity credential as its proof
    #: secures it, an envelope's verified payload), else what was received (then nothing in
    #: it is verified). Not part of ``to_json``.
    content: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
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

    def deciding(self) -> list[Check]:
        """The considered checks that keep the verdict from ``valid`` (failed, in error, or a
        required one skipped without a waiver), in report order."""
        return [
            c
            for c in self.checks
            if c.name in self.policy.considered
            and (
                c.status in (CheckStatus.FAILED, CheckStatus.ERROR)
                or (
                    c.status is CheckStatus.SKIPPED
                    and not c.waived
                    and c.name in self.policy.required
                )
            )
        ]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "verdict": self.verdict.value,
            "credentialId": self.credential_id,
            "issuer": self.issuer,
            "checkedAt": self.checked_at.isoformat().replace("+00:00", "Z"),
            "policy": self.policy.name,
            "checks": [
                {**c.to_json(), "mandatory": c.name in self.policy.required} for c in self.checks
            ],
        }
        if self.format is not None:
            out["format"] = dict(self.format)
        if self.presented:
            out["credentials"] = [r.to_json() for r in self.presented]
        return out


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
