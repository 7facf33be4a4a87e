"""Verifying a credential with this service's registry as resolver and trust anchor."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from diploma_exchange.config import Settings
from diploma_exchange.dids.remote import DidWebResolver, SafeFetcher
from diploma_exchange.services.lookups import ChainResolver, LayeredStatusLists
from diploma_exchange.services.registry import RegistryKeyHistory, RegistryResolver
from diploma_exchange.services.status import LocalStatusLists
from diploma_exchange.services.trust import TrustRegistry
from diploma_exchange.verification import VerificationReport, verify_credential
from diploma_exchange.verification.remote_status import RemoteStatusLists
from diploma_exchange.verification.report import DEFAULT_POLICY, VerificationPolicy


@dataclass(frozen=True)
class RemoteLookups:
    """Process-wide remote resolvers (they cache); None members disable remote look-ups."""

    dids: DidWebResolver | None
    status_lists: RemoteStatusLists | None
    #: For links that verifiers paste in (same SSRF rules as DIDs and status lists).
    fetcher: SafeFetcher | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> RemoteLookups:
        fetcher = SafeFetcher(
            allow_hosts=settings.effective_fetch_allow_hosts,
            timeout=settings.fetch_timeout_seconds,
            max_bytes=settings.fetch_max_bytes,
        )
        return cls(DidWebResolver(fetcher), RemoteStatusLists(fetcher), fetcher)

    @classmethod
    def disabled(cls) -> RemoteLookups:
        return cls(None, None)


def verify(
    session: Session,
    settings: Settings,
    credential: Mapping[str, Any],
    *,
    now: datetime | None = None,
    remote: RemoteLookups | None = None,
    policy: VerificationPolicy = DEFAULT_POLICY,
) -> VerificationReport:
    """Verify ``credential`` against this NIC's registry, accreditations and status lists,
    the imported partner trust lists (which carry their institutions' DID documents and
    accreditations), and, when ``remote`` is given, other services' DIDs and status lists
    through the safe fetcher."""
    remote = remote or RemoteLookups.disabled()
    registry = TrustRegistry(session, settings)
    resolver = RegistryResolver(session, fallback=ChainResolver(registry, remote.dids))
    status_lists = LayeredStatusLists((), LocalStatusLists(session, settings), remote.status_lists)
    return verify_credential(
        credential,
        resolver=resolver,
        trust=registry,
        now=now,
        status_lists=status_lists,
        key_history=RegistryKeyHistory(session),
        accreditations=registry,
        policy=policy,
    )
