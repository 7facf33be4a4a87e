"""``issuance.record``: did the issuer's service record this exact credential as issued?

A correct signature proves that the issuer's key signed; it does not prove that the issuer
issued. A stolen API key aside, a key that leaked can sign "diplomas" that were never issued,
with any ``created`` (back-dated before a compromise). Where the issuer's service keeps a record
of everything it issued (this service for its own institutions; a partner's published log),
the credential's secured digest (:func:`~diploma_exchange.proofs.secured.secured_digest`) must
be in it: a correctly signed credential that was never issued is ``invalid``
(``not-issued-here``).

The check is part of every policy and counts whenever a source covers the issuer; it is
``skipped`` for issuers no source covers (their key's validity then rests on ``created``, which
``key.validity`` refuses to believe after a compromise). A source that cannot be read gives
``error``.
"""

from __future__ import annotations

from diploma_exchange.errors import Error
from diploma_exchange.verification.lookups import IssuanceRecords
from diploma_exchange.verification.report import (
    Check,
    CheckName,
    errored,
    failed,
    passed,
    skipped,
)
from diploma_exchange.verification.state import Examined


def run(examined: Examined, records: IssuanceRecords | None) -> Check:
    """Look the secured digest up; sets ``examined.issuance`` when found."""
    name = CheckName.ISSUANCE_RECORD
    if examined.secured is None or examined.issuer is None:
        return skipped(name, "proof-not-verified", "not checked: no proof of the issuer verified")
    if records is None:
        return skipped(
            name, "no-issuance-records", "this verifier has no issuance records to consult"
        )
    try:
        covered = records.covers(examined.issuer)
    except Error as exc:
        return errored(
            name,
            "issuance-records-unavailable",
            f"the issuance records could not be read: {exc.message}",
        )
    if not covered:
        return skipped(
            name,
            "issuer-keeps-no-records-here",
            f"no issuance records of {examined.issuer} are available to this verifier",
        )
    if examined.secured_digest is None:
        return failed(
            name,
            "not-issued-here",
            "the credential cannot be put in the canonical form its issuer records",
        )
    try:
        evidence = records.find(examined.issuer, examined.secured_digest)
    except Error as exc:
        return errored(
            name,
            "issuance-records-unavailable",
            f"the issuance records could not be read: {exc.message}",
        )
    if evidence is None:
        return failed(
            name,
            "not-issued-here",
            f"{examined.issuer} keeps a record of every credential it issues, and this one is not "
            "in it: it carries the issuer's signature but was never issued (a misused or "
            "compromised key, or an altered copy re-signed)",
            digest=examined.secured_digest,
        )
    examined.issuance = evidence
    reference = f" as {evidence.reference}" if evidence.reference else ""
    return passed(
        name,
        "issued",
        f"{evidence.source} recorded this credential{reference} as issued at "
        f"{evidence.issued_at.isoformat()}",
        digest=examined.secured_digest,
        issuedAt=evidence.issued_at.isoformat(),
    )


__all__ = ["run"]
