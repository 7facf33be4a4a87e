"""``issuer.accreditation``: was the issuer accredited for this qualification when it issued it?

Asked for the diploma's issue date (``validFrom``, or ``issuanceDate`` for VC 1.1), not for
today: a diploma issued while the institution was accredited stays valid after the accreditation
ends; one issued after a withdrawal is invalid. When the operator vouches for the issuer
(``--trust-issuer``), the question is theirs to answer: the check is waived with that reason.
"""

from __future__ import annotations

from diploma_exchange.trust.accreditation import accreditation_at, qualification_of
from diploma_exchange.verification.lookups import AccreditationSource
from diploma_exchange.verification.report import (
    Check,
    CheckName,
    errored,
    failed,
    passed,
    skipped,
    waived,
)
from diploma_exchange.verification.state import Examined


def run(examined: Examined, source: AccreditationSource | None) -> Check:
    name = CheckName.ISSUER_ACCREDITATION
    if examined.secured is None:
        return skipped(name, "proof-not-verified", "not checked: no proof of the issuer verified")
    issuer = examined.issuer
    if issuer is None:
        return failed(name, "missing-issuer", "the credential names no issuer")
    decision = examined.trust
    if decision is not None and decision.trusted is True and decision.vouches_for_accreditation:
        return waived(
            name,
            "vouched-by-operator",
            f"not looked up: {decision.source or 'the operator'} vouches for this issuer",
        )
    if source is None:
        return errored(
            name,
            "accreditation-unavailable",
            "this verifier has no accreditation records to consult",
        )
    records = source.accreditations(issuer)
    if records is None:
        return errored(
            name,
            "no-accreditation-source",
            f"no trusted NIC has published accreditation records for {issuer}",
        )
    level, field_code, programme, issued = qualification_of(examined.secured)
    if issued is None:
        return failed(
            name,
            "missing-issue-date",
            "the credential has no issue date (validFrom) to check the accreditation at",
        )
    decision_at = accreditation_at(
        records,
        institution=issuer,
        moment=issued,
        level=level,
        field_code=field_code,
        programme=programme,
    )
    details = {"record": decision_at.record_id} if decision_at.record_id else {}
    if decision_at.accredited is True:
        return passed(name, decision_at.code, decision_at.message, **details)
    if decision_at.accredited is None:
        return errored(name, decision_at.code, decision_at.message, **details)
    return failed(name, decision_at.code, decision_at.message, **details)


__all__ = ["run"]
