"""Database-backed look-ups for the verification pipeline: DID resolution and issuer trust."""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel import Session

from diploma_exchange.dids.did_key import resolve_did_key
from diploma_exchange.dids.document import DidDocument, DidResolver
from diploma_exchange.dids.key_log import KeyWindow
from diploma_exchange.errors import DidResolutionError
from diploma_exchange.services import institutions


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
    """Key signing windows of this service's own institutions, from their key event logs."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def windows(self, did: str) -> Mapping[str, KeyWindow] | None:
        record = institutions.find_institution_by_did(self._session, did)
        if record is None:
            return None
        return institutions.key_windows(self._session, record)
