"""``proof.signature`` and ``proof.key-binding``: is the credential signed, and by its issuer?

Runs first. When a proof made for ``assertionMethod`` by a key the issuer controls has
verified (and every other proof of a set verified too), it fixes :attr:`Examined.secured`:
the document as that proof secures it. Every later check reads only that.

A proof set or chain (VC Data Integrity §2.1.1/§2.1.2, verified per §4.5) is accepted:
``proof.signature`` passes only if *every* proof verifies (a failed proof fails it; otherwise
a proof that could not be checked - unsupported proof type or cryptosuite, unbundled context,
unresolvable key, a work limit - makes it ``error``, never ``failed``). ``proof.key-binding``
passes if at least one proof was made by a key the issuer controls and lists as an
assertion method; other proofs (an endorser's, a notary's chained proof) may use other keys,
since they must verify too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from diploma_exchange.dids.did_key import did_key_verification_method
from diploma_exchange.dids.document import DidResolver, split_did_url
from diploma_exchange.errors import DidResolutionError, Error, LimitExceeded
from diploma_exchange.proofs import data_integrity, suites
from diploma_exchange.proofs.secured import secured_digest, secured_document
from diploma_exchange.verification.report import (
    Check,
    CheckName,
    CheckStatus,
    errored,
    failed,
    passed,
)
from diploma_exchange.verification.state import Examined, ProofOutcome

#: Proof results that mean "could not check" (indeterminate), not "forged".
INDETERMINATE_PROOF_CODES: Final = frozenset(
    {"unsupported-cryptosuite", "unknown-context", "work-limit-exceeded", "limit-exceeded"}
)


def verify_one_proof(
    credential: Mapping[str, Any],
    proof: Mapping[str, Any],
    resolver: DidResolver,
    proof_set: data_integrity.ProofSet | None = None,
) -> ProofOutcome:
    """Resolve ``proof``'s verification method and verify it with the any-suite verifier."""
    sig = CheckName.PROOF_SIGNATURE
    suite = suites.suite_for(proof)
    if suite is None:
        unsupported = suites.unsupported(proof)
        return ProofOutcome(proof, errored(sig, str(unsupported.code), unsupported.message))
    method = proof.get("verificationMethod")
    if isinstance(method, str) and method.startswith("https://"):
        # A controller document on the web (Controlled Identifiers 1.0): a legitimate URL
        # that this verifier does not dereference, so the proof cannot be checked.
        reason = (
            f"could not resolve the verification method {method}: only DID URLs are resolved, "
            "not HTTPS controller documents"
        )
        return ProofOutcome(proof, errored(sig, "unresolvable-key", reason))
    if not isinstance(method, str) or not method.startswith("did:"):
        return ProofOutcome(
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
        return ProofOutcome(proof, errored(sig, "unresolvable-key", reason))
    try:
        result = suites.verify_proof(credential, proof, public_key, proof_set=proof_set)
    except LimitExceeded as exc:
        return ProofOutcome(proof, errored(sig, "work-limit-exceeded", exc.message))
    if result.verified:
        check = passed(sig, "verified", f"the {suite.name} signature is valid")
    elif str(result.code) in INDETERMINATE_PROOF_CODES:
        check = errored(sig, str(result.code), result.message)
    else:
        check = failed(sig, str(result.code), result.message)
    return ProofOutcome(proof, check, method, document, vm.controller)


def _proof_set_signature(outcomes: Sequence[ProofOutcome]) -> Check:
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


def _binding_check(outcome: ProofOutcome, issuer: str | None) -> Check:
    bind = CheckName.PROOF_KEY_BINDING
    method = str(outcome.method)
    method_did = method.partition("#")[0]
    document = outcome.document
    assert document is not None  # only called for resolved proofs
    if issuer is None:
        return failed(bind, "missing-issuer", "the credential names no issuer")
    if method_did != issuer or outcome.controller != issuer:
        return failed(
            bind,
            "key-not-controlled-by-issuer",
            f"the credential names issuer {issuer} but was signed with {method}, "
            f"a key controlled by {outcome.controller}",
        )
    if outcome.proof.get("proofPurpose") != "assertionMethod":
        return failed(bind, "wrong-proof-purpose", "proof.proofPurpose must be assertionMethod")
    if not document.is_assertion_method(method):
        return failed(
            bind,
            "not-an-assertion-method",
            f"{method} is not listed as an assertionMethod of {issuer}",
        )
    return passed(bind, "bound", f"the signing key {method} belongs to the issuer {issuer}")


def run(examined: Examined, resolver: DidResolver) -> list[Check]:
    """The two proof checks; sets ``examined.proofs``, ``issuer_proof``, ``secured`` and
    ``secured_digest`` when the issuer's proof verified."""
    sig, bind = CheckName.PROOF_SIGNATURE, CheckName.PROOF_KEY_BINDING
    credential = examined.received
    try:
        proof_set = data_integrity.ProofSet.of(credential)  # read and indexed once
        proofs = proof_set.proofs
    except LimitExceeded as exc:
        return [
            errored(sig, "too-many-proofs", exc.message),
            errored(bind, "too-many-proofs", "the proofs were not checked"),
        ]
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
    outcomes = [verify_one_proof(credential, proof, resolver, proof_set) for proof in proofs]
    examined.proofs = outcomes
    sig_check = outcomes[0].signature if len(outcomes) == 1 else _proof_set_signature(outcomes)
    resolved = [o for o in outcomes if o.document is not None and o.method is not None]
    bindings = [(o, _binding_check(o, examined.issuer)) for o in resolved]
    bound = next(((o, b) for o, b in bindings if b.status is CheckStatus.PASSED), None)
    if bound is not None:
        outcome, binding = bound
        if sig_check.status is CheckStatus.PASSED:
            examined.issuer_proof = outcome
            examined.secured = secured_document(credential, outcome.proof)
            try:
                examined.secured_digest = secured_digest(credential, outcome.proof)
            except Error:
                examined.secured_digest = None
        return [sig_check, binding]
    unresolved = next((o.signature for o in outcomes if o.document is None), None)
    if unresolved is not None and (not bindings or unresolved.status is CheckStatus.ERROR):
        make = errored if unresolved.status is CheckStatus.ERROR else failed
        return [sig_check, make(bind, unresolved.code, unresolved.message)]
    return [sig_check, bindings[0][1]]


__all__ = ["INDETERMINATE_PROOF_CODES", "run", "verify_one_proof"]
