"""Layered look-ups for verifying outside the server (the CLI): files given on the command
line first, then the local registry (when a database is configured and exists), then the
network through the safe fetcher (unless offline)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from diploma_exchange.dids.did_key import resolve_did_key
from diploma_exchange.dids.document import DidDocument, DidResolver
from diploma_exchange.errors import DidResolutionError, Error
from diploma_exchange.trust.accreditation import AccreditationRecord
from diploma_exchange.verification.accreditation_checks import AccreditationSource
from diploma_exchange.verification.pipeline import StaticTrustPolicy, TrustDecision, TrustPolicy


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
    """Status list credentials given as files, then local lists, then remote ones."""

    def __init__(
        self, given: Sequence[Mapping[str, Any]] = (), local: Any = None, remote: Any = None
    ) -> None:
        self._given = {str(c.get("id")): c for c in given}
        self._local = local
        self._remote = remote

    def get(self, url: str) -> Mapping[str, Any]:
        base = url.split("#", 1)[0]
        if base in self._given:
            return self._given[base]
        if self._local is not None and self._local.owns(base):
            found: Mapping[str, Any] = self._local.get(base)
            return found
        if self._remote is None:
            raise Error(
                f"the status list {base} is not available offline; pass it with --status-list",
                code="status-list-unavailable",
            )
        fetched: Mapping[str, Any] = self._remote.get(base)
        return fetched


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
