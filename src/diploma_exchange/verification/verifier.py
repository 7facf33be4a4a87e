"""The verifier: the one place where the checks are put in order and a report is made.

Built once with its look-ups (:class:`Lookups`), it verifies any number of credentials. The
server and the CLI get theirs from the named constructors in
:mod:`diploma_exchange.services.verification` (``for_service``, ``for_cli``), so they cannot
assemble different verifiers.

The order is declared in :data:`ORDER` and matters: the proof checks decide what every later
check may read (the secured document); the issuance record is looked up before the key's
validity, which takes the signing time from it; trust before accreditation, which an operator's
vouching waives. A check outside the policy is not run and is reported ``skipped``
(``not-in-policy``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from diploma_exchange.dids.document import DidResolver
from diploma_exchange.errors import InvalidInput
from diploma_exchange.proofs.rdfc import RdfcLimits, current_limits, using_limits
from diploma_exchange.verification.checks import (
    accreditation,
    coverage,
    dates,
    issuance,
    keys,
    log,
    proof,
    status,
    trust,
)
from diploma_exchange.verification.checks import format as format_check
from diploma_exchange.verification.lookups import (
    AccreditationSource,
    IssuanceLog,
    IssuanceRecords,
    KeyHistory,
    SchemaValidator,
    StatusListProvider,
    TrustPolicy,
)
from diploma_exchange.verification.report import (
    DEFAULT_POLICY,
    Check,
    CheckName,
    VerificationPolicy,
    VerificationReport,
    skipped,
)
from diploma_exchange.verification.state import Examined, issuer_id

#: The order of the report (and of the checks' families).
ORDER: Final = (
    CheckName.FORMAT_SCHEMA,
    CheckName.PROOF_SIGNATURE,
    CheckName.PROOF_KEY_BINDING,
    CheckName.PROOF_COVERAGE,
    CheckName.KEY_VALIDITY,
    CheckName.ISSUANCE_RECORD,
    CheckName.ISSUANCE_LOG,
    CheckName.VALIDITY_PERIOD,
    CheckName.ISSUER_TRUST,
    CheckName.ISSUER_ACCREDITATION,
    CheckName.STATUS_REVOCATION,
    CheckName.STATUS_SUSPENSION,
    CheckName.STATUS_OTHER,
)
DATA_INTEGRITY_FORMAT: Final = {"name": "W3C Verifiable Credential (Data Integrity)"}


@dataclass(frozen=True, slots=True)
class Lookups:
    """Everything the verifier asks the outside world (see :mod:`.lookups`)."""

    resolver: DidResolver
    trust: TrustPolicy
    status_lists: StatusListProvider | None = None
    key_history: KeyHistory | None = None
    accreditations: AccreditationSource | None = None
    issuance: IssuanceRecords | None = None
    validate_schema: SchemaValidator | None = None
    transparency: IssuanceLog | None = None


class Verifier:
    """Verifies credentials with a fixed set of look-ups; never raises for a bad credential.

    ``rdfc_limits`` bound the RDF canonicalisation work of one verification (an anonymous
    credential can be built to take minutes to canonicalise); None keeps the defaults.
    """

    def __init__(self, lookups: Lookups, *, rdfc_limits: RdfcLimits | None = None) -> None:
        self.lookups = lookups
        self.rdfc_limits = rdfc_limits

    def verify(
        self,
        credential: Mapping[str, Any],
        *,
        policy: VerificationPolicy = DEFAULT_POLICY,
        now: datetime | None = None,
    ) -> VerificationReport:
        """Run the policy's checks on ``credential`` and return the report.

        Raises:
            InvalidInput: ``credential`` is not a JSON object.
        """
        if not isinstance(credential, Mapping):
            raise InvalidInput("a verifiable credential must be a JSON object", pointer="")
        limits = self.rdfc_limits or current_limits()
        with using_limits(limits):
            return self._verify(credential, policy, now)

    def _verify(
        self, credential: Mapping[str, Any], policy: VerificationPolicy, now: datetime | None
    ) -> VerificationReport:
        lookups = self.lookups
        examined = Examined(received=credential, now=now or datetime.now(UTC))
        examined.issuer = issuer_id(credential)
        wanted = policy.considered
        results: dict[CheckName, list[Check]] = {}
        # The proof decides what everything after it reads.
        signature, binding = proof.run(examined, lookups.resolver)
        results[CheckName.PROOF_SIGNATURE] = [signature]
        results[CheckName.PROOF_KEY_BINDING] = [binding]
        results[CheckName.PROOF_COVERAGE] = [coverage.run(examined)]
        if CheckName.FORMAT_SCHEMA in wanted:
            results[CheckName.FORMAT_SCHEMA] = [format_check.run(examined, lookups.validate_schema)]
        results[CheckName.ISSUANCE_RECORD] = [issuance.run(examined, lookups.issuance)]
        results[CheckName.ISSUANCE_LOG] = [log.run(examined, lookups.transparency)]
        results[CheckName.KEY_VALIDITY] = [
            keys.run(examined, resolver=lookups.resolver, history=lookups.key_history)
        ]
        results[CheckName.VALIDITY_PERIOD] = [dates.run(examined)]
        if CheckName.ISSUER_TRUST in wanted or CheckName.ISSUER_ACCREDITATION in wanted:
            results[CheckName.ISSUER_TRUST] = [trust.run(examined, lookups.trust)]
        if CheckName.ISSUER_ACCREDITATION in wanted:
            results[CheckName.ISSUER_ACCREDITATION] = [
                accreditation.run(examined, lookups.accreditations)
            ]
        for check in status.run(
            examined,
            resolver=lookups.resolver,
            provider=lookups.status_lists,
            history=lookups.key_history,
        ):
            results.setdefault(check.name, []).append(check)
        checks: list[Check] = []
        for name in ORDER:
            if name not in wanted and name not in results:
                checks.append(
                    skipped(
                        name,
                        "not-in-policy",
                        f"not checked: the {policy.name} policy does not ask for it",
                    )
                )
                continue
            if name not in wanted:
                # Run because another check needed it (trust for accreditation): report it,
                # but as information it does not count (see VerificationPolicy.considered).
                pass
            checks.extend(results.get(name, []))
        cred_id = credential.get("id")
        return VerificationReport(
            checks=tuple(checks),
            checked_at=examined.now,
            credential_id=cred_id if isinstance(cred_id, str) else None,
            issuer=examined.issuer,
            policy=policy,
            format=DATA_INTEGRITY_FORMAT,
        )


def verify_credential(
    credential: Mapping[str, Any],
    *,
    resolver: DidResolver,
    trust: TrustPolicy,
    now: datetime | None = None,
    validate_schema: SchemaValidator | None = None,
    status_lists: StatusListProvider | None = None,
    key_history: KeyHistory | None = None,
    accreditations: AccreditationSource | None = None,
    issuance_records: IssuanceRecords | None = None,
    transparency: IssuanceLog | None = None,
    policy: VerificationPolicy = DEFAULT_POLICY,
) -> VerificationReport:
    """One-off verification with the given look-ups (tests, benchmarks): the same
    :class:`Verifier`, built for one call."""
    verifier = Verifier(
        Lookups(
            resolver=resolver,
            trust=trust,
            status_lists=status_lists,
            key_history=key_history,
            accreditations=accreditations,
            issuance=issuance_records,
            validate_schema=validate_schema,
            transparency=transparency,
        )
    )
    return verifier.verify(credential, policy=policy, now=now)


__all__ = ["DATA_INTEGRITY_FORMAT", "ORDER", "Lookups", "Verifier", "verify_credential"]
