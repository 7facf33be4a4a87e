"""Verifying a credential with this service's registry as resolver and trust anchor."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from diploma_exchange.config import Settings
from diploma_exchange.dids.remote import DidWebResolver, SafeFetcher
from diploma_exchange.services.registry import (
    RegistryKeyHistory,
    RegistryResolver,
    RegistryTrustPolicy,
)
from diploma_exchange.services.status import LocalStatusLists
from diploma_exchange.verification import VerificationReport, verify_credential
from diploma_exchange.verification.remote_status import ChainedStatusLists, RemoteStatusLists


@dataclass(frozen=True)
class RemoteLookups:
    """Process-wide remote resolvers (they cache); None members disable remote look-ups."""

    dids: DidWebResolver | None
    status_lists: RemoteStatusLists | None

    @classmethod
    def from_settings(cls, settings: Settings) -> RemoteLookups:
        fetcher = SafeFetcher(
            allow_hosts=settings.effective_fetch_allow_hosts,
            timeout=settings.fetch_timeout_seconds,
            max_bytes=settings.fetch_max_bytes,
        )
        return cls(DidWebResolver(fetcher), RemoteStatusLists(fetcher))

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
) -> VerificationReport:
    """Verify ``credential`` against this service's registry and status lists (and, when
    ``remote`` is given, other services' DIDs and status lists through the safe fetcher)."""
    remote = remote or RemoteLookups.disabled()
    resolver = RegistryResolver(session, fallback=remote.dids)
    trust = RegistryTrustPolicy(
        session, source=f"the diploma-exchange registry at {settings.public_base_url}"
    )
    status_lists = ChainedStatusLists(LocalStatusLists(session, settings), remote.status_lists)
    return verify_credential(
        credential,
        resolver=resolver,
        trust=trust,
        now=now,
        status_lists=status_lists,
        key_history=RegistryKeyHistory(session),
    )
