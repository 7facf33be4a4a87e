"""The verifier the format tests use: did:key and did:jwk resolved offline, issuers trusted by
name (the operator vouching, so accreditation is waived), stored documents instead of the
network."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from diploma_exchange.dids import CompositeResolver, DidKeyResolver
from diploma_exchange.dids.did_jwk import DidJwkResolver
from diploma_exchange.formats import StaticFetcher
from diploma_exchange.verification import Lookups, StaticTrustPolicy, Verifier
from diploma_exchange.verification.report import (
    DEFAULT_POLICY,
    VerificationPolicy,
    VerificationReport,
)
from diploma_exchange.verification.verifier import Expectations

NOW = datetime(2026, 6, 1, tzinfo=UTC)
RESOLVER = CompositeResolver({"key": DidKeyResolver(), "jwk": DidJwkResolver()})


def verifier(
    trusted: Sequence[str] = (), documents: Mapping[str, bytes] | None = None, **extra: Any
) -> Verifier:
    return Verifier(
        Lookups(
            resolver=RESOLVER,
            trust=StaticTrustPolicy(trusted),
            documents=StaticFetcher(documents) if documents else None,
            **extra,
        )
    )


def verify(
    data: bytes | str | Mapping[str, Any],
    *,
    trusted: Sequence[str] = (),
    documents: Mapping[str, bytes] | None = None,
    audience: str | None = None,
    nonce: str | None = None,
    policy: VerificationPolicy = DEFAULT_POLICY,
    now: datetime = NOW,
    **extra: Any,
) -> VerificationReport:
    return verifier(trusted, documents, **extra).verify(
        data, policy=policy, now=now, expect=Expectations(audience=audience, nonce=nonce)
    )


def codes(report: VerificationReport) -> dict[str, tuple[str, str]]:
    """name -> (status, code), the first check of each name."""
    out: dict[str, tuple[str, str]] = {}
    for check in report.checks:
        out.setdefault(check.name.value, (check.status.value, check.code))
    return out
