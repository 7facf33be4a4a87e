"""Database-backed look-ups for the verifier: DID resolution, key history, and the register of
what was issued here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session, select

from diploma_exchange.db.models import (
    CredentialRecord,
    SignedDocumentRecord,
    as_utc,
    utcnow,
)
from diploma_exchange.dids.did_key import resolve_did_key
from diploma_exchange.dids.document import DidDocument, DidResolver
from diploma_exchange.dids.key_log import KeyWindow
from diploma_exchange.errors import DidResolutionError
from diploma_exchange.proofs.secured import secured_digest
from diploma_exchange.services import institutions
from diploma_exchange.verification.lookups import IssuanceEvidence


class RegistryResolver:
    """Resolves did:key locally, this service's own institutions from the database, and
    (when given) any other DID through ``fallback`` (e.g. the safe did:web fetcher)."""

    def __init__(self, session: Session, fallback: DidResolver | None = None) -> None:
        self._session = session
        self._fallback = fallback
        self._cache: dict[str, DidDocument] = {}

    def resolve(self, did: str) -> DidDocument:
        if did in self._cache:
            return self._cache[did]
        if did.startswith("did:key:"):
            doc = resolve_did_key(did)
        else:
            record = institutions.find_institution_by_did(self._session, did)
            if record is not None:
                doc = DidDocument.from_json(institutions.did_document(self._session, record))
            elif self._fallback is not None:
                doc = self._fallback.resolve(did)
            else:
                raise DidResolutionError(
                    f"{did} is not an institution hosted by this service and remote DID "
                    "resolution is not enabled"
                )
        self._cache[did] = doc
        return doc


class RegistryKeyHistory:
    """Key signing windows of this service's own institutions, from their key event logs.

    One instance serves one verification (one request's session), which asks for the same
    issuer's windows several times (the proof's key, each status list's signing key): the
    log is read and replayed once per instance, as :class:`RegistryResolver` resolves a DID
    once. A new verification builds a new instance and sees every change."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._cache: dict[str, Mapping[str, KeyWindow] | None] = {}

    def windows(self, did: str) -> Mapping[str, KeyWindow] | None:
        if did in self._cache:
            return self._cache[did]
        record = institutions.find_institution_by_did(self._session, did)
        found = None if record is None else institutions.key_windows(self._session, record)
        self._cache[did] = found
        return found


def record_signed(
    session: Session, document: Mapping[str, Any], *, kind: str, reference: str
) -> str:
    """Record a document other than a diploma that this service just signed (status list,
    accreditation, trust list, recognition statement) as issued here; returns its digest.
    In the caller's transaction, like the signature itself."""
    digest = secured_digest(document)
    issuer = document.get("issuer")
    issuer_did = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if session.get(SignedDocumentRecord, digest) is None:
        session.add(
            SignedDocumentRecord(
                digest=digest,
                issuer_did=str(issuer_did),
                kind=kind,
                reference=reference[:255],
                signed_at=utcnow(),
            )
        )
    return digest


class RegistryIssuanceRecords:
    """IssuanceRecords: everything this service issued for its own institutions and its NIC
    (diplomas in the credential table, other signed documents in ``signed_document``)."""

    def __init__(self, session: Session, source: str = "this service's issuance register") -> None:
        self._session = session
        self._source = source

    def covers(self, issuer_did: str) -> bool:
        return institutions.find_institution_by_did(self._session, issuer_did) is not None

    def find(self, issuer_did: str, digest: str) -> IssuanceEvidence | None:
        row = self._session.exec(
            select(CredentialRecord.id, CredentialRecord.issued_at).where(
                CredentialRecord.secured_digest == digest,
                CredentialRecord.issuer_did == issuer_did,
            )
        ).first()
        if row is not None:
            return IssuanceEvidence(issuer_did, as_utc(row[1]), self._source, row[0])
        other = self._session.get(SignedDocumentRecord, digest)
        if other is not None and other.issuer_did == issuer_did:
            return IssuanceEvidence(
                issuer_did,
                as_utc(other.signed_at),
                self._source,
                f"{other.kind} {other.reference}".strip(),
            )
        return None
