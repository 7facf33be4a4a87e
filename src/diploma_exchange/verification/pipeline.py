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
from diploma_exchange.dids.did_key import did_key_verification_method
from diploma_exchange.dids.document import DidDocument, DidResolver, split_did_url
from diploma_exchange.errors import DidResolutionError, Error, ErrorDetail, InvalidInput
from diploma_exchange.proofs import data_integrity, suites
from diploma_exchange.verification.accreditation_checks import (
    AccreditationSource,
    accreditation_check,
)
from diploma_exchange.verification.dates import parse_datetime
from diploma_exchange.verification.key_checks import KeyHistory, key_validity_check
from diploma_exchange.verification.report import (
    DEFAULT_POLICY,
    Check,
    CheckName,
    CheckStatus,
    VerificationPolicy,
    VerificationReport,
    errored,
    failed,
    passed,
)
from diploma_exchange.verification.status_checks import StatusListProvider, status_checks
from diploma_exchange.verification.vcdm import received_credential_problems


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


DIPLOMA_TYPE = "DiplomaCredential"


def check_schema(credential: Mapping[str, Any], validate: SchemaValidator | None = None) -> Check:
    """``format.schema``: a DiplomaCredential against the shared diploma schema; any other
    credential (a foreign Open Badges or plain VC) against the VC Data Model and the Open
    Badges 3.0 structure, so that what other W3C issuers send can be verified too."""
    types = credential.get("type")
    is_diploma = isinstance(types, list) and DIPLOMA_TYPE in types
    if validate is None:
        validate = validate_credential if is_diploma else received_credential_problems
    schema = (
        "the diploma schema"
        if validate is validate_credential
        else "the VC Data Model / Open Badges 3.0 structure"
    )
    problems = validate(credential)
    if not problems:
        return passed(CheckName.FORMAT_SCHEMA, "conforms", f"the credential conforms to {schema}")
    first = problems[0]
    where = f" at {first.pointer}" if first.pointer else ""
    return failed(
        CheckName.FORMAT_SCHEMA,
        "schema-violation",
        f"the credential does not conform to {schema} ({len(problems)} problem(s)); "
        f"first{where}: {first.message}",
        problems=[{"pointer": p.pointer, "message": p.message} for p in problems[:50]],
    )


def check_validity_period(credential: Mapping[str, Any], now: datetime) -> Check:
    """``validity.period``: VC 2.0 ``validFrom``/``validUntil``, or for a VC Data Model 1.1
    credential (``@context`` includes ``https://www.w3.org/2018/credentials/v1``)
    ``issuanceDate``/``expirationDate`` (an issuance date in the future is not yet valid)."""
    name = CheckName.VALIDITY_PERIOD
    context = credential.get("@context")
    contexts = context if isinstance(context, list) else [context]
    from_name, until_name = (
        ("issuanceDate", "expirationDate")
        if _CREDENTIALS_V1_URL in contexts
        else ("validFrom", "validUntil")
    )
    raw_from, raw_until = credential.get(from_name), credential.get(until_name)
    valid_from = parse_datetime(raw_from) if raw_from is not None else None
    valid_until = parse_datetime(raw_until) if raw_until is not None else None
    if raw_from is not None and valid_from is None:
        return failed(name, "malformed-date", f"{from_name} is not a date-time with a time zone")
    if raw_until is not None and valid_until is None:
        return failed(name, "malformed-date", f"{until_name} is not a date-time with a time zone")
    if valid_from and valid_until and valid_until < valid_from:
        return failed(name, "inverted-period", f"{until_name} is before {from_name}")
    if valid_from and now < valid_from:
        if from_name == "issuanceDate":
            return failed(
                name,
                "not-yet-valid",
                f"the credential claims to be issued at {raw_from}, in the future",
            )
        return failed(name, "not-yet-valid", f"the credential is only valid from {raw_from}")
    if valid_until and now > valid_until:
        return failed(name, "expired", f"the credential expired at {raw_until}")
    return passed(name, "within-period", "the credential is within its validity period")


#: The VC Data Model 1.1 base context: its credentials use issuanceDate/expirationDate.
_CREDENTIALS_V1_URL = "https://www.w3.org/2018/credentials/v1"


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
    policy: VerificationPolicy = DEFAULT_POLICY,
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
    checks.append(accreditation_check(credential, issuer, accreditations))
    checks.extend(status_checks(credential, issuer, resolver=resolver, provider=status_lists))
    cred_id = credential.get("id")
    return VerificationReport(
        checks=tuple(checks),
        checked_at=now,
        credential_id=cred_id if isinstance(cred_id, str) else None,
        issuer=issuer,
        policy=policy,
    )


@dataclass(frozen=True, slots=True)
class _ProofOutcome:
    """One proof of a (possibly multi-proof) credential: its signature check and, when its
    verification method resolved, what the binding check needs."""

    proof: Mapping[str, Any]
    signature: Check
    method: str | None = None
    document: DidDocument | None = None
    controller: str | None = None


def _verify_one_proof(
    credential: Mapping[str, Any], proof: Mapping[str, Any], resolver: DidResolver
) -> _ProofOutcome:
    sig = CheckName.PROOF_SIGNATURE
    suite = suites.suite_for(proof)
    if suite is None:
        unsupported = suites.unsupported(proof)
        return _ProofOutcome(proof, errored(sig, str(unsupported.code), unsupported.message))
    method = proof.get("verificationMethod")
    if isinstance(method, str) and method.startswith("https://"):
        # A controller document on the web (Controlled Identifiers 1.0): a legitimate URL
        # that this verifier does not dereference, so the proof cannot be checked.
        reason = (
            f"could not resolve the verification method {method}: only DID URLs (did:key, "
            "did:web) are resolved, not HTTPS controller documents"
        )
        return _ProofOutcome(proof, errored(sig, "unresolvable-key", reason))
    if not isinstance(method, str) or not method.startswith("did:"):
        return _ProofOutcome(
            proof, failed(sig, "malformed-proof", "proof.verificationMethod must be a DID URL")
        )
    try:
        method_did, fragment = split_did_url(method)
        if not fragment and method_did.startswith("did:key:"):
            # A bare did:key names its only key (did:key v0.7 §3.1.2): use that key's URL.
            method = did_key_verification_method(method_did)
        document = resolver.resolve(method_did)
        vm = document.verification_method(method)
        if vm is None:
            raise DidResolutionError(f"{method_did} has no verification method {method}")
        public_key = vm.public_key()
    except Error as exc:
        reason = f"could not resolve the verification method {method}: {exc.message}"
        return _ProofOutcome(proof, errored(sig, "unresolvable-key", reason))
    result = suites.verify_proof(credential, proof, public_key)
    if result.verified:
        check = passed(sig, "verified", f"the {suite.name} signature is valid")
    elif result.code in _INDETERMINATE_PROOF_CODES:
        check = errored(sig, str(result.code), result.message)
    else:
        check = failed(sig, str(result.code), result.message)
    return _ProofOutcome(proof, check, method, document, vm.controller)


#: Proof results that mean "could not check" (indeterminate), not "forged".
_INDETERMINATE_PROOF_CODES = frozenset({"unsupported-cryptosuite", "unknown-context"})


def _proof_checks(
    credential: Mapping[str, Any], issuer: str | None, resolver: DidResolver
) -> list[Check]:
    """``proof.signature`` and ``proof.key-binding`` of a credential with one or more proofs.

    A proof set or chain (VC Data Integrity §2.1.1/§2.1.2) is accepted: ``proof.signature``
    passes only if *every* proof verifies (a failed proof fails it; otherwise a proof that
    could not be checked - unsupported cryptosuite, unbundled context, unresolvable key -
    makes it ``error``). ``proof.key-binding`` passes if *at least one* proof was made, for
    ``assertionMethod``, by a key the issuer controls and lists as an assertion method;
    other proofs (an endorser's, a notary's chained proof) may use other keys, since they
    must verify too. With no such proof the first proof's binding failure is reported
    (``error`` instead if some proof's key could not be resolved).
    """
    sig, bind = CheckName.PROOF_SIGNATURE, CheckName.PROOF_KEY_BINDING
    try:
        proofs = data_integrity.all_proofs(credential)
    except Error as exc:
        return [
            failed(sig, "malformed-proof", exc.message),
            failed(bind, "malformed-proof", "no usable proof to bind to the issuer"),
        ]
    if not proofs:
        return [
            failed(sig, "missing-proof", "the credential carries no proof"),
            failed(bind, "missing-proof", "the credential carries no proof"),
        ]
    outcomes = [_verify_one_proof(credential, proof, resolver) for proof in proofs]
    if len(outcomes) == 1:
        sig_check = outcomes[0].signature
    else:
        sig_check = _proof_set_signature(outcomes)
    bindings = [
        _binding_check(
            o.proof, o.method, o.method.partition("#")[0], o.document, o.controller, issuer
        )
        for o in outcomes
        if o.method is not None and o.document is not None and o.controller is not None
    ]
    bound = next((b for b in bindings if b.status is CheckStatus.PASSED), None)
    if bound is not None:
        return [sig_check, bound]
    unresolved = next((o.signature for o in outcomes if o.document is None), None)
    if unresolved is not None and (not bindings or unresolved.status is CheckStatus.ERROR):
        status_check = errored if unresolved.status is CheckStatus.ERROR else failed
        return [sig_check, status_check(bind, unresolved.code, unresolved.message)]
    return [sig_check, bindings[0]]


def _proof_set_signature(outcomes: Sequence[_ProofOutcome]) -> Check:
    """Combine the signature checks of a proof set: all must pass."""
    sig = CheckName.PROOF_SIGNATURE
    summary = [
        {
            "index": index,
            "cryptosuite": o.proof.get("cryptosuite"),
            "verificationMethod": o.proof.get("verificationMethod"),
            "status": o.signature.status.value,
            "code": o.signature.code,
        }
        for index, o in enumerate(outcomes)
    ]
    total = len(outcomes)
    for status, make in ((CheckStatus.FAILED, failed), (CheckStatus.ERROR, errored)):
        for index, o in enumerate(outcomes):
            if o.signature.status is status:
                return make(
                    sig,
                    o.signature.code,
                    f"proof {index + 1} of {total}: {o.signature.message}",
                    proofs=summary,
                )
    names = sorted({str(o.proof.get("cryptosuite")) for o in outcomes})
    return passed(
        sig, "verified", f"all {total} proofs ({', '.join(names)}) are valid", proofs=summary
    )


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
