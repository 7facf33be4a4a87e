"""Answering verification's questions from a set of verified trust lists."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from diploma_exchange.dids.document import DidDocument
from diploma_exchange.errors import DidResolutionError, Error
from diploma_exchange.trust.accreditation import AccreditationRecord, parse_accreditation_credential
from diploma_exchange.trust.trust_list import TrustList
from diploma_exchange.verification.lookups import TrustDecision


class TrustListView:
    """Trust, DID documents and accreditation records of the entities on verified trust lists.

    ``describe`` names a list's provenance for the report (which list, which snapshot, when
    and where it was fetched)."""

    def __init__(
        self,
        lists: Sequence[TrustList],
        describe: Callable[[TrustList], str] = lambda t: (
            f"trust list {t.id} of {t.operator_name or t.operator}, sequence {t.sequence_number}"
        ),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._by_did: dict[str, TrustList] = {}
        for trust_list in lists:
            for entity in trust_list.entities:
                self._by_did.setdefault(entity.did, trust_list)
        self._describe = describe
        self._clock = clock

    def evaluate(self, issuer_did: str, credential: Mapping[str, Any]) -> TrustDecision:
        trust_list = self._by_did.get(issuer_did)
        if trust_list is None:
            return TrustDecision(
                None, "unknown-issuer", f"{issuer_did} is on no trust list this verifier trusts"
            )
        source = self._describe(trust_list)
        entity = trust_list.entity(issuer_did)
        if trust_list.next_update < self._clock():
            return TrustDecision(
                None, "trust-list-stale", f"the {source} is past its nextUpdate; refresh it", source
            )
        if entity is None or entity.status != "granted":
            return TrustDecision(
                False,
                "listed-as-withdrawn",
                f"{issuer_did} is listed as withdrawn in the {source}",
                source,
            )
        return TrustDecision(
            True,
            "listed-by-partner",
            f"{entity.name or issuer_did} is vouched for by the {source}",
            source,
        )

    def resolve(self, did: str) -> DidDocument:
        trust_list = self._by_did.get(did)
        entity = trust_list.entity(did) if trust_list else None
        if entity is None or entity.did_document is None:
            raise DidResolutionError(f"{did} is not on any trusted list with a DID document")
        return DidDocument.from_json(entity.did_document)

    def accreditations(self, did: str) -> list[AccreditationRecord] | None:
        trust_list = self._by_did.get(did)
        entity = trust_list.entity(did) if trust_list else None
        if entity is None or trust_list is None:
            return None
        records: list[AccreditationRecord] = []
        for document in entity.accreditations:
            try:
                record = parse_accreditation_credential(document)
            except Error:
                continue
            if (
                record.nic == trust_list.operator and record.institution == did
            ):  # only the list's own NIC may accredit
                records.append(record)
        return records

    def knows(self, did: str) -> bool:
        return did in self._by_did
