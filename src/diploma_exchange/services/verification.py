"""Verifying a credential with this service's registry as resolver and trust anchor."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session

from diploma_exchange.config import Settings
from diploma_exchange.dids.document import DidResolver
from diploma_exchange.services.registry import RegistryResolver, RegistryTrustPolicy
from diploma_exchange.verification import VerificationReport, verify_credential


def verify(
    session: Session,
    settings: Settings,
    credential: Mapping[str, Any],
    *,
    now: datetime | None = None,
    remote_resolver: DidResolver | None = None,
) -> VerificationReport:
    """Verify ``credential`` against this service's registry (and remote DIDs if enabled)."""
    resolver = RegistryResolver(session, fallback=remote_resolver)
    trust = RegistryTrustPolicy(session, source=f"the diploma-exchange registry at {settings.public_base_url}")
    return verify_credential(credential, resolver=resolver, trust=trust, now=now)
