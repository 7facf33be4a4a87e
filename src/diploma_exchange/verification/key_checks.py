"""``key.validity``: was the signing key allowed to sign at the proof's ``created`` time?

A key is valid for signing from when it was added until it is retired or compromised. A
retired key keeps verifying what it signed while active; a compromised key invalidates what
it signed at or after the compromise. The windows come from the issuer's key event log (a
:class:`KeyHistory`), and the DID document's ``revoked`` property is honoured even without
one. ``created`` must not be after the moment of verification (clock skew allowed).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol

from diploma_exchange.dids.document import DidResolver, split_did_url
from diploma_exchange.dids.key_log import KeyWindow
from diploma_exchange.errors import Error
from diploma_exchange.proofs.data_integrity import all_proofs
from diploma_exchange.verification.dates import parse_datetime
from diploma_exchange.verification.report import (
    Check,
    CheckName,
    CheckStatus,
    errored,
    failed,
    passed,
    skipped,
)

CLOCK_SKEW = timedelta(minutes=5)


class KeyHistory(Protocol):
    """Signing windows of a DID's keys, or None when no history is known for that DID."""

    def windows(self, did: str) -> Mapping[str, KeyWindow] | None: ...


def key_validity_check(
    credential: Mapping[str, Any],
    *,
    resolver: DidResolver,
    history: KeyHistory | None,
    now: datetime,
) -> Check:
    """The ``key.validity`` check: every proof's key was valid for signing at its ``created``."""
    name = CheckName.KEY_VALIDITY
    try:
        proofs = [p for p in all_proofs(credential) if isinstance(p.get("verificationMethod"), str)]
    except Error:
        proofs = []
    if not proofs:
        return skipped(name, "no-proof", "there is no usable proof whose key could be checked")
    results = [_one_proof(proof, resolver=resolver, history=history, now=now) for proof in proofs]
    for status in (CheckStatus.FAILED, CheckStatus.ERROR):
        for result in results:
            if result.status is status:
                return result
    if len(results) == 1:
        return results[0]
    return passed(
        name, results[0].code, f"the keys of all {len(results)} proofs were valid at signing"
    )


def _one_proof(
    proof: Mapping[str, Any], *, resolver: DidResolver, history: KeyHistory | None, now: datetime
) -> Check:
    name = CheckName.KEY_VALIDITY
    method = str(proof["verificationMethod"])
    created = parse_datetime(proof.get("created"))
    if created is None:
        return failed(
            name,
            "missing-created",
            "the proof has no valid `created` time, so the key's validity at signing cannot be checked",
        )
    if created > now + CLOCK_SKEW:
        return failed(
            name,
            "created-in-future",
            f"the proof claims to be created at {proof['created']}, after the moment of verification",
        )
    if not method.startswith("did:"):
        return errored(
            name, "unresolvable-key", f"{method} is not a DID URL this verifier resolves"
        )
    try:
        did, _ = split_did_url(method)
        vm = resolver.resolve(did).verification_method(method)
    except Error as exc:
        return errored(name, "unresolvable-key", f"could not resolve {method}: {exc.message}")
    if vm is None:
        return errored(name, "unresolvable-key", f"{method} is not in its DID document")
    if vm.revoked is not None and created >= vm.revoked:
        return failed(
            name,
            "after-compromise",
            f"{method} was revoked (compromised) at {vm.revoked.isoformat()}; this proof was created after that",
        )
    windows = history.windows(did) if history is not None else None
    if windows is None:
        detail = " and is not revoked" if did.startswith("did:web:") else ""
        return passed(
            name,
            "no-key-history",
            f"no key event log is known for {did}; the key is in its DID document{detail}",
        )
    window = windows.get(method)
    if window is None:
        return errored(name, "key-not-in-history", f"{method} is not in the issuer's key event log")
    allowed, code = window.allows_signature_at(created)
    if not allowed:
        messages = {
            "before-key-existed": "the proof claims a time before the key existed",
            "after-retirement": "the key had been retired before this proof was created",
            "after-compromise": "the key had been compromised before this proof was created",
        }
        return failed(name, str(code), f"{method}: {messages.get(str(code), str(code))}")
    return passed(name, "valid-at-signing", f"{method} was valid for signing at {proof['created']}")
