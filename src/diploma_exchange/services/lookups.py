"""Layered look-ups for verifying outside the server (the CLI): files given on the command
line first, then the local registry (when a database is configured and exists), then the
network through the safe fetcher (unless offline)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from diploma_exchange.dids.did_key import resolve_did_key
from diploma_exchange.dids.document import DidDocument, DidResolver
from diploma_exchange.errors import DidResolutionError, Error
from diploma_exchange.trust.accreditation import AccreditationRecord
from diploma_exchange.verification.dates import parse_datetime
from diploma_exchange.verification.lookups import (
    AccreditationSource,
    StaticTrustPolicy,
    TrustDecision,
    TrustPolicy,
)


class LayeredResolver:
    """Given DID documents, then did:key, then the registry, then the network."""

    def __init__(
        self,
        given: Sequence[DidDocument] = (),
        registry: DidResolver | None = None,
        remote: DidResolver | None = None,
    ) -> None:
        self._given = {d.id: d for d in given}
        self._registry = registry
        self._remote = remote

    def resolve(self, did: str) -> DidDocument:
        if did in self._given:
            return self._given[did]
        if did.startswith("did:key:"):
            return resolve_did_key(did)
        if self._registry is not None:
            try:
                return self._registry.resolve(did)
            except DidResolutionError:
                if self._remote is None:
                    raise
        if self._remote is None:
            raise DidResolutionError(f"{did} cannot be resolved offline; pass its --did-document")
        return self._remote.resolve(did)


class LayeredTrust:
    """Issuers trusted on the command line, then the local registry's institutions."""

    def __init__(self, trusted: Sequence[str], registry: TrustPolicy | None = None) -> None:
        self._static = StaticTrustPolicy(trusted)
        self._registry = registry

    def evaluate(self, issuer_did: str, credential: Mapping[str, Any]) -> TrustDecision:
        decision = self._static.evaluate(issuer_did, credential)
        if decision.trusted is True or self._registry is None:
            return decision
        return self._registry.evaluate(issuer_did, credential)


class LayeredStatusLists:
    """Status list credentials given as files, the local registry's, and remote ones.

    A file given by the operator is matched by the URL the credential names: the URL it was
    given for (``--status-list URL=FILE``, or a stored document of that URL), else the list's
    ``id`` or its subject's. (A list whose own ``id`` is not that URL is then refused by the
    status check, which names both.) It is used only when no fresher copy can be read: when
    the local registry or the network also has the list, the newer of the two (by
    ``validFrom``, else the proof's ``created``) wins, so an old pre-revocation copy cannot
    override the live list.
    """

    def __init__(
        self,
        given: Sequence[Mapping[str, Any]] = (),
        local: Any = None,
        remote: Any = None,
        *,
        given_by_url: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self._given: dict[str, Mapping[str, Any]] = {
            url.split("#", 1)[0]: document for url, document in (given_by_url or {}).items()
        }
        for document in given:
            for key in (document.get("id"), _subject_id(document)):
                if isinstance(key, str) and key:
                    self._given.setdefault(key.split("#", 1)[0], document)
        self._local = local
        self._remote = remote

    def _live(self, base: str) -> Mapping[str, Any] | None:
        if self._local is not None and self._local.owns(base):
            found: Mapping[str, Any] = self._local.get(base)
            return found
        if self._remote is None:
            return None
        fetched: Mapping[str, Any] = self._remote.get(base)
        return fetched

    def get(self, url: str) -> Mapping[str, Any]:
        base = url.split("#", 1)[0]
        given = self._given.get(base)
        if given is None:
            live = self._live(base)
            if live is None:
                raise Error(
                    f"the status list {base} is not available offline; pass it with --status-list",
                    code="status-list-unavailable",
                )
            return live
        try:
            live = self._live(base)
        except Error:
            live = None  # unreachable: the operator's copy is all there is (its age is reported)
        if live is None:
            return given
        return given if _issued(given) > _issued(live) else live


def _subject_id(document: Mapping[str, Any]) -> Any:
    subject = document.get("credentialSubject")
    return subject.get("id") if isinstance(subject, Mapping) else None


def _issued(document: Mapping[str, Any]) -> datetime:
    """When a status list was issued: ``validFrom``, else its proof's ``created``."""
    moment = parse_datetime(document.get("validFrom"))
    if moment is None:
        proof = document.get("proof")
        moment = parse_datetime(proof.get("created")) if isinstance(proof, Mapping) else None
    return moment or datetime.min.replace(tzinfo=UTC)


class ChainResolver:
    """Try resolvers in order; the last one's error is the answer."""

    def __init__(self, *resolvers: DidResolver | None) -> None:
        self._resolvers = [r for r in resolvers if r is not None]

    def resolve(self, did: str) -> DidDocument:
        error: DidResolutionError | None = None
        for resolver in self._resolvers:
            try:
                return resolver.resolve(did)
            except DidResolutionError as exc:
                error = exc
        raise error or DidResolutionError(f"{did} cannot be resolved")


class FirstTrust:
    """The first policy with an opinion (trusted or not) decides; otherwise the last answer."""

    def __init__(self, *policies: TrustPolicy | None) -> None:
        self._policies = [p for p in policies if p is not None]

    def evaluate(self, issuer_did: str, credential: Mapping[str, Any]) -> TrustDecision:
        decision = TrustDecision(
            None, "unknown-issuer", f"nobody this verifier trusts vouches for {issuer_did}"
        )
        for policy in self._policies:
            decision = policy.evaluate(issuer_did, credential)
            if decision.trusted is not None:
                return decision
        return decision


class FirstAccreditations:
    """The first source that has records for the institution answers."""

    def __init__(self, *sources: AccreditationSource | None) -> None:
        self._sources = [s for s in sources if s is not None]

    def accreditations(self, did: str) -> list[AccreditationRecord] | None:
        for source in self._sources:
            found = source.accreditations(did)
            if found is not None:
                return found
        return None
