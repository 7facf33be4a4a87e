"""``issuer.accreditation``: was the issuer accredited for this qualification when it issued it?

Asked for the diploma's issue date (``validFrom``, or ``issuanceDate`` for VC 1.1), not for
today: a diploma issued while the institution was accredited stays valid after the
accreditation ends; one issued after a withdrawal is invalid.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from diploma_exchange.trust.accreditation import (
    AccreditationRecord,
    accreditation_at,
    qualification_of,
)
from diploma_exchange.verification.report import Check, CheckName, errored, failed, passed


class AccreditationSource(Protocol):
    """Verified accreditation records of an institution, or None when nobody this verifier
    trusts has published any for it."""

    def accreditations(self, did: str) -> list[AccreditationRecord] | None: ...


def accreditation_check(
    credential: Mapping[str, Any], issuer: str | None, source: AccreditationSource | None
) -> Check:
    name = CheckName.ISSUER_ACCREDITATION
    if issuer is None:
        return failed(name, "missing-issuer", "the credential names no issuer")
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
    level, field_code, programme, issued = qualification_of(credential)
    if issued is None:
        return failed(
            name,
            "missing-issue-date",
            "the credential has no issue date (validFrom) to check the accreditation at",
        )
    decision = accreditation_at(
        records,
        institution=issuer,
        moment=issued,
        level=level,
        field_code=field_code,
        programme=programme,
    )
    details = {"record": decision.record_id} if decision.record_id else {}
    if decision.accredited is True:
        return passed(name, decision.code, decision.message, **details)
    if decision.accredited is None:
        return errored(name, decision.code, decision.message, **details)
    return failed(name, decision.code, decision.message, **details)
