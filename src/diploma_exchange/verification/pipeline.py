"""The verification pipeline: a credential in, a :class:`VerificationReport` out.

Pure domain code: the DID resolver, the trust policy and the clock are passed in, so the
same pipeline serves the API (database-backed look-ups), the CLI (offline look-ups) and the
benchmarks. Nothing here raises for a bad credential; only a non-object input is an error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from diploma_exchange.credentials.schema import validate_credential
from diploma_exchange.dids.document import DidDocument, DidResolver, split_did_url
from diploma_exchange.errors import DidResolutionError, Error, ErrorDetail, InvalidInput
from diploma_exchange.proofs import eddsa_jcs_2022
from diploma_exchange.verification.key_checks import KeyHistory, key_validity_check
from diploma_exchange.verification.report import (
    Check,
    CheckName,
    VerificationReport,
    errored,
    failed,
    passed,
)
from diploma_exchange.verification.status_checks import StatusListProvider, status_checks


@dataclass(frozen=True, slots=True)
class TrustDecision:
    """Whether an issuer is vouched for: True, False (known to be untrusted) or None (unknown)."""

    trusted: bool | None
    code: str
    message: str
    source: str | None = None


class TrustPolicy(Protocol):
    """Answers "who vouches for this issuer?"."""

    def evaluate(self, issuer_did: str, credential: Mapping[str, Any]) -> TrustDecision: ...


class StaticTrustPolicy:
    """Trusts exactly the given issuer DIDs (the CLI's ``--trust-issuer``); others unknown."""

    def __init__(self, trusted: Sequence[str], source: str = "command line") -> None:
        self._trusted = frozenset(trusted)
        self._source = source

    def evaluate(self, issuer_did: str, credential: Mapping[str, Any]) -> TrustDecision:
        if issuer_did in self._trusted:
            return TrustDecision(True, "trusted", f"issuer trusted by {self._source}", self._source)
        return TrustDecision(
            None,
            "unknown-issuer",
            "the issuer is not an institution this verifier knows; nobody vouches for it",
        )


SchemaValidator = Callable[[Mapping[str, Any]], list[ErrorDetail]]


def issuer_id(credential: Mapping[str, Any]) -> str | None:
    """The issuer's identifier (VC 2.0 allows a string or an object with ``id``)."""
    issuer = credential.get("issuer")
    if isinstance(issuer, str):
        return issuer
    if isinstance(issuer, Mapping) and isinstance(issuer.get("id"), str):
        return str(issuer["id"])
    return None


def parse_datetime(value: object) -> datetime | None:
    """Parse an XML Schema dateTimeStamp (timezone required); None if not one."""
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def check_schema(credential: Mapping[str, Any], validate: SchemaValidator) -> Check:
    problems = validate(credential)
    if not problems:
        return passed(
            CheckName.FORMAT_SCHEMA, "conforms", "the credential conforms to the diploma schema"
        )
    first = problems[0]
    where = f" at {first.pointer}" if first.pointer else ""
    return failed(
        CheckName.FORMAT_SCHEMA,
        "schema-violation",
        f"the credential does not conform to the diploma schema ({len(problems)} problem(s)); "
        f"first{where}: {first.message}",
        problems=[{"pointer": p.pointer, "message": p.message} for p in problems[:50]],
    )


def check_validity_period(credential: Mapping[str, Any], now: datetime) -> Check:
    name = CheckName.VALIDITY_PERIOD
    raw_from, raw_until = credential.get("validFrom"), credential.get("validUntil")
    valid_from = parse_datetime(raw_from) if raw_from is not None else None
    valid_until = parse_datetime(raw_until) if raw_until is not None else None
    if raw_from is not None and valid_from is None:
        return failed(name, "malformed-date", "validFrom is not a date-time with a time zone")
    if raw_until is not None and valid_until is None:
        return failed(name, "malformed-date", "validUntil is not a date-time with a time zone")
    if valid_from and valid_until and valid_until < valid_from:
        return failed(name, "inverted-period", "validUntil is before validFrom")
    if valid_from and now < valid_from:
        return failed(name, "not-yet-valid", f"the credential is only valid from {raw_from}")
    if valid_until and now > valid_until:
        return failed(name, "expired", f"the credential expired at {raw_until}")
    return passed(name, "within-period", "the credential is within its validity period")


def verify_credential(
    credential: Mapping[str, Any],
    *,
    resolver: DidResolver,
    trust: TrustPolicy,
    now: datetime | None = None,
    validate_schema: SchemaValidator = validate_credential,
    status_lists: StatusListProvider | None = None,
    key_history: KeyHistory | None = None,
) -> VerificationReport:
    """Run every check on ``credential`` and return the report (never raises for a bad one).

    Raises:
        InvalidInput: ``credential`` is not a JSON object.
    """
    if not isinstance(credential, Mapping):
        raise InvalidInput("a verifiable credential must be a JSON object", pointer="")
    now = now or datetime.now(UTC)
    issuer = issuer_id(credential)
    checks: list[Check] = [check_schema(credential, validate_schema)]
    checks.extend(_proof_checks(credential, issuer, resolver))
    checks.append(key_validity_check(credential, resolver=resolver, history=key_history, now=now))
    checks.append(check_validity_period(credential, now))
    checks.append(_trust_check(credential, issuer, trust))
    checks.extend(status_checks(credential, issuer, resolver=resolver, provider=status_lists))
    cred_id = credential.get("id")
    return VerificationReport(
        checks=tuple(checks),
        checked_at=now,
        credential_id=cred_id if isinstance(cred_id, str) else None,
        issuer=issuer,
    )


def _proof_checks(
    credential: Mapping[str, Any], issuer: str | None, resolver: DidResolver
) -> list[Check]:
    sig, bind = CheckName.PROOF_SIGNATURE, CheckName.PROOF_KEY_BINDING
    try:
        proof = eddsa_jcs_2022.proof_of(credential)
    except Error as exc:
        return [
            failed(sig, "malformed-proof", exc.message),
            failed(bind, "malformed-proof", "no usable proof to bind to the issuer"),
        ]
    if proof is None:
        return [
            failed(sig, "missing-proof", "the credential carries no proof"),
            failed(bind, "missing-proof", "the credential carries no proof"),
        ]
    method = proof.get("verificationMethod")
    if not isinstance(method, str) or not method.startswith("did:"):
        return [
            failed(sig, "malformed-proof", "proof.verificationMethod must be a DID URL"),
            failed(bind, "malformed-proof", "proof.verificationMethod must be a DID URL"),
        ]
    try:
        method_did, _fragment = split_did_url(method)
        document = resolver.resolve(method_did)
        vm = document.verification_method(method)
        if vm is None:
            raise DidResolutionError(f"{method_did} has no verification method {method}")
        public_key = vm.public_key()
    except Error as exc:
        reason = f"could not resolve the verification method {method}: {exc.message}"
        return [errored(sig, "unresolvable-key", reason), errored(bind, "unresolvable-key", reason)]

    result = eddsa_jcs_2022.verify_proof(credential, public_key)
    if result.verified:
        sig_check = passed(sig, "verified", f"the {eddsa_jcs_2022.CRYPTOSUITE} signature is valid")
    else:
        sig_check = failed(sig, result.code, result.message)
    return [sig_check, _binding_check(proof, method, method_did, document, vm.controller, issuer)]


def _binding_check(
    proof: Mapping[str, Any],
    method: str,
    method_did: str,
    document: DidDocument,
    controller: str,
    issuer: str | None,
) -> Check:
    bind = CheckName.PROOF_KEY_BINDING
    if issuer is None:
        return failed(bind, "missing-issuer", "the credential names no issuer")
    if method_did != issuer or controller != issuer:
        return failed(
            bind,
            "key-not-controlled-by-issuer",
            f"the credential names issuer {issuer} but was signed with {method}, "
            f"a key controlled by {controller}",
        )
    if proof.get("proofPurpose") != "assertionMethod":
        return failed(bind, "wrong-proof-purpose", "proof.proofPurpose must be assertionMethod")
    if not document.is_assertion_method(method):
        return failed(
            bind,
            "not-an-assertion-method",
            f"{method} is not listed as an assertionMethod of {issuer}",
        )
    return passed(bind, "bound", f"the signing key {method} belongs to the issuer {issuer}")


def _trust_check(credential: Mapping[str, Any], issuer: str | None, trust: TrustPolicy) -> Check:
    name = CheckName.ISSUER_TRUST
    if issuer is None:
        return failed(name, "missing-issuer", "the credential names no issuer")
    decision = trust.evaluate(issuer, credential)
    details = {"source": decision.source} if decision.source else {}
    if decision.trusted is True:
        return passed(name, decision.code, decision.message, **details)
    if decision.trusted is False:
        return failed(name, decision.code, decision.message, **details)
    return errored(name, decision.code, decision.message, **details)
