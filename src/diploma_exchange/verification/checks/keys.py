"""``key.validity``: was each signing key allowed to sign when the proof was made?

A key is valid for signing from when it was added until it is retired or compromised. A retired
key keeps verifying what it signed while active; a compromised key invalidates what it signed at
or after the compromise. The windows come from the issuer's key event log (a
:class:`~diploma_exchange.verification.lookups.KeyHistory`); the DID document's ``revoked``
property is honoured even without one.

When was the proof made? ``created`` is optional in Data Integrity, and whoever holds a key can
write any ``created``. So:

- an issuance record (``issuance.record``: the issuer's service recorded this credential) gives
  the time, and it wins over ``created``;
- ``created`` without an offset is read as UTC (XML Schema dateTime allows no offset); a
  ``created`` in the future is a failure;
- a proof by a key that was **compromised** and that claims a time before the compromise is
  only believed with an issuance record: without one it may be back-dated, and the answer is
  ``error`` (indeterminate), never ``passed``;
- without any time, a key that was never retired nor compromised passes (it is valid now and
  always was); otherwise the answer is ``error``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from diploma_exchange.dids.document import DidResolver, split_did_url
from diploma_exchange.dids.key_log import KeyWindow
from diploma_exchange.errors import Error
from diploma_exchange.proofs.eddsa_jcs_2022 import is_xsd_datetime
from diploma_exchange.verification.lookups import IssuanceEvidence, KeyHistory
from diploma_exchange.verification.report import (
    Check,
    CheckName,
    CheckStatus,
    errored,
    failed,
    passed,
    skipped,
)
from diploma_exchange.verification.state import Examined

CLOCK_SKEW = timedelta(minutes=5)


def parse_proof_time(value: object) -> datetime | None:
    """A proof's ``created``: an XML Schema dateTime, read as UTC when it has no offset."""
    if not is_xsd_datetime(value):
        return None
    text = str(value)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def proof_key_validity(
    proof: Mapping[str, Any],
    *,
    resolver: DidResolver,
    history: KeyHistory | None,
    evidence: IssuanceEvidence | None,
    now: datetime,
) -> Check:
    name = CheckName.KEY_VALIDITY
    method = str(proof["verificationMethod"])
    raw_created = proof.get("created")
    created = parse_proof_time(raw_created) if raw_created is not None else None
    if raw_created is not None and created is None:
        return failed(
            name, "malformed-created", f"the proof's created {raw_created!r} is not a date-time"
        )
    if created is not None and created > now + CLOCK_SKEW:
        return failed(
            name,
            "created-in-future",
            f"the proof claims to be created at {raw_created}, after the moment of verification",
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
    windows = history.windows(did) if history is not None else None
    window: KeyWindow | None = None
    if windows is not None:
        window = windows.get(method)
        if window is None:
            return errored(
                name, "key-not-in-history", f"{method} is not in the issuer's key event log"
            )
    compromised_at = vm.revoked
    if window is not None and window.compromised_at is not None:
        compromised_at = (
            window.compromised_at
            if compromised_at is None
            else min(compromised_at, window.compromised_at)
        )
    retired = window is not None and window.retired_at is not None
    # When was it signed? An issuance record beats the proof's own claim.
    if evidence is not None:
        when, said = (
            evidence.issued_at,
            f"issued at {evidence.issued_at.isoformat()} ({evidence.source})",
        )
    elif created is not None:
        when, said = created, f"created {raw_created}"
    else:
        if compromised_at is not None or retired:
            return errored(
                name,
                "unknown-signing-time",
                f"{method} was {'compromised' if compromised_at else 'retired'}, and the proof "
                "states no creation time and no issuance record gives one, so it cannot be told "
                "whether the key was still allowed to sign",
            )
        return passed(
            name,
            "no-signing-time",
            f"the proof states no creation time; {method} is valid now and was never retired "
            "or revoked",
        )
    if compromised_at is not None and when >= compromised_at:
        return failed(
            name,
            "after-compromise",
            f"{method} was compromised at {compromised_at.isoformat()}; this proof was made "
            f"after that ({said})",
        )
    if compromised_at is not None and evidence is None:
        return errored(
            name,
            "signing-time-unprovable",
            f"{method} was compromised at {compromised_at.isoformat()}; the proof claims an "
            f"earlier time ({raw_created}), but whoever holds a compromised key can back-date "
            "a proof, and no issuance record shows that this credential was issued before the "
            "compromise",
        )
    if window is None:
        detail = " and is not revoked" if did.startswith("did:web:") else ""
        return passed(
            name,
            "no-key-history",
            f"no key event log is known for {did}; the key is in its DID document{detail}",
        )
    allowed, code = window.allows_signature_at(when)
    if not allowed:
        messages = {
            "before-key-existed": "the proof claims a time before the key existed",
            "after-retirement": "the key had been retired before this proof was made",
            "after-compromise": "the key had been compromised before this proof was made",
        }
        return failed(name, str(code), f"{method}: {messages.get(str(code), str(code))} ({said})")
    return passed(name, "valid-at-signing", f"{method} was valid for signing when it was {said}")


def _dated_by_record(examined: Examined, proof: Mapping[str, Any]) -> bool:
    issuer = examined.issuer_proof
    if issuer is None:
        return False
    if proof is issuer.proof:
        return True
    return (
        "previousProof" not in proof
        and proof.get("verificationMethod") == issuer.proof.get("verificationMethod")
        and proof.get("created") is not None
        and proof.get("created") == issuer.proof.get("created")
    )


def run(examined: Examined, *, resolver: DidResolver, history: KeyHistory | None) -> Check:
    """Every verified proof's key was valid when the proof was made."""
    name = CheckName.KEY_VALIDITY
    if examined.secured is None:
        return skipped(name, "proof-not-verified", "not checked: no proof of the issuer verified")
    proofs = [
        o.proof for o in examined.proofs if isinstance(o.proof.get("verificationMethod"), str)
    ]
    results = []
    for proof in proofs:
        # The issuance record dates the issuer's proof, and its twin: an independent proof of
        # the same set (no previousProof) by the same key stating the same time, as this
        # service issues eddsa-rdfc-2022 beside eddsa-jcs-2022. Both sign the recorded
        # credential's data, so a twin added later by a key thief asserts nothing new.
        evidence = examined.issuance if _dated_by_record(examined, proof) else None
        results.append(
            proof_key_validity(
                proof, resolver=resolver, history=history, evidence=evidence, now=examined.now
            )
        )
    for status in (CheckStatus.FAILED, CheckStatus.ERROR):
        for result in results:
            if result.status is status:
                return result
    if len(results) == 1:
        return results[0]
    return passed(
        name,
        results[0].code,
        f"the keys of all {len(results)} proofs were valid at signing; the first: "
        f"{results[0].message}",
    )


__all__ = ["CLOCK_SKEW", "parse_proof_time", "proof_key_validity", "run"]
