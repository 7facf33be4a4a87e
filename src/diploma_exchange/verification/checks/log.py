"""``issuance.log``: is the credential in its issuer's NIC's transparency log, and did it enter
the log while its key was valid? (issue 17, docs/transparency.md)

The issuance record (``issuance.record``) is this service's own register; the log is the
evidence a verifier anywhere can check: a NIC logs every diploma its institutions issue
(append-only, witnessed by partner NICs). A correctly signed credential the log does not have
was never issued through the NIC (``log.not-included``), and one that first appears after its
key's retirement or compromise was not issued while the key was valid
(``log.after-key-event``), whatever date its proof claims: both ``failed``. A log that cannot be
reached, or evidence that does not verify, gives ``error`` (indeterminate). Skipped when no log
this verifier trusts covers the issuer.
"""

from __future__ import annotations

from diploma_exchange.errors import Error
from diploma_exchange.transparency.bundle import LogStatus
from diploma_exchange.transparency.entries import UNLOGGED_TYPES
from diploma_exchange.verification.lookups import IssuanceLog
from diploma_exchange.verification.report import (
    Check,
    CheckName,
    errored,
    failed,
    passed,
    skipped,
)
from diploma_exchange.verification.state import Examined


def run(examined: Examined, log: IssuanceLog | None, *, signed_by: str | None = None) -> Check:
    """Ask the trusted logs about the issuer's proof's secured digest.

    ``signed_by``: for an enveloped credential (no embedded proof), the verification method
    whose verified signature covers ``examined.secured`` (the JWS ``kid``)."""
    name = CheckName.ISSUANCE_LOG
    outcome = examined.issuer_proof
    method = outcome.method if outcome is not None else signed_by
    if (
        examined.secured is None
        or examined.issuer is None
        or method is None
        or examined.secured_digest is None
    ):
        return skipped(name, "proof-not-verified", "not checked: no proof of the issuer verified")
    if log is None:
        return skipped(name, "no-transparency-log", "this verifier consults no transparency log")
    types = examined.secured.get("type")
    kinds = set(types) if isinstance(types, list) else {types}
    if kinds & UNLOGGED_TYPES:
        return skipped(
            name,
            "not-a-logged-credential",
            "status lists, trust lists, accreditation records and recognition statements are "
            "not issuances and are not in the transparency log",
        )
    try:
        verdict = log.check(
            issuer=examined.issuer,
            verification_method=method,
            digest=examined.secured_digest,
        )
    except Error as exc:
        return errored(
            name, "log.unavailable", f"the transparency log could not be read: {exc.message}"
        )
    if verdict is None:
        return skipped(
            name,
            "issuer-publishes-no-log",
            f"no transparency log this verifier trusts covers {examined.issuer}",
        )
    if verdict.status is LogStatus.PASSED:
        return passed(name, verdict.code, verdict.message, **verdict.details)
    if verdict.status is LogStatus.FAILED:
        return failed(name, verdict.code, verdict.message, **verdict.details)
    return errored(name, verdict.code, verdict.message, **verdict.details)


__all__ = ["run"]
