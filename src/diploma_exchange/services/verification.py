"""The verifier, assembled: the one place where look-ups are wired into a
:class:`~diploma_exchange.verification.Verifier`.

Two named constructors, like sigstore-python's ``Verifier.production()``:

- :func:`for_service` - the server: this NIC's registry (institutions' DID documents, key event
  logs, accreditations, status lists and the register of what was issued here), the imported
  partner trust lists, and, when enabled, other services' DIDs and status lists through the
  safe fetcher;
- :func:`for_cli` - ``diploma-exchange verify``: files given on the command line first (DID
  documents, status lists, trust lists with their NIC keys, issuers the operator vouches for),
  then the local registry when a database is configured and exists, then the network unless
  offline.

The server and the CLI therefore run the same checks in the same order; only where the answers
come from differs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography import x509
from sqlalchemy.engine import Engine
from sqlmodel import Session

from diploma_exchange.config import Settings
from diploma_exchange.dids.document import DidDocument
from diploma_exchange.dids.remote import DidWebResolver, SafeFetcher
from diploma_exchange.proofs.rdfc import RdfcLimits
from diploma_exchange.errors import ConfigurationError
from diploma_exchange.formats.model import LayeredFetcher, StaticFetcher
from diploma_exchange.services import status as status_service
from diploma_exchange.services.log_evidence import LogEvidenceSource
from diploma_exchange.services.lookups import (
    ChainResolver,
    FirstAccreditations,
    FirstTrust,
    LayeredResolver,
    LayeredStatusLists,
    LayeredTrust,
)
from diploma_exchange.services.registry import (
    RegistryIssuanceRecords,
    RegistryKeyHistory,
    RegistryResolver,
)
from diploma_exchange.services.status import LocalStatusLists
from diploma_exchange.services.trust import TrustRegistry
from diploma_exchange.trust.view import TrustListView
from diploma_exchange.verification import Lookups, VerificationReport, Verifier
from diploma_exchange.verification.remote_status import RemoteStatusLists
from diploma_exchange.verification.report import DEFAULT_POLICY, VerificationPolicy
from diploma_exchange.verification.verifier import Expectations

#: ``session.info`` key of the primary engine, set on read-only sessions (which may read a
#: replica) for the rare write a read does: re-signing a stale status list.
PRIMARY_ENGINE_KEY = "dx.primary_engine"


@dataclass(frozen=True)
class RemoteLookups:
    """Process-wide remote resolvers (they cache); None members disable remote look-ups."""

    dids: DidWebResolver | None
    status_lists: RemoteStatusLists | None
    #: For links that verifiers paste in (same SSRF rules as DIDs and status lists).
    fetcher: SafeFetcher | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> RemoteLookups:
        fetcher = safe_fetcher(settings)
        return cls(DidWebResolver(fetcher), RemoteStatusLists(fetcher), fetcher)

    @classmethod
    def disabled(cls) -> RemoteLookups:
        return cls(None, None)


def safe_fetcher(
    settings: Settings,
    *,
    allow_hosts: Sequence[str] | None = None,
    max_bytes: int | None = None,
) -> SafeFetcher:
    """The one door to the network, with every bound from the settings: per-read timeout,
    total deadline, size, process-wide concurrency slots, SSRF rules."""
    return SafeFetcher(
        allow_hosts=settings.effective_fetch_allow_hosts if allow_hosts is None else allow_hosts,
        timeout=settings.fetch_timeout_seconds,
        max_bytes=max_bytes or settings.fetch_max_bytes,
        deadline=settings.fetch_deadline_seconds,
        max_concurrent=settings.fetch_max_concurrent,
        queue_wait=settings.fetch_queue_wait_seconds,
    )


def rdfc_limits(settings: Settings) -> RdfcLimits:
    """The RDF canonicalisation work bounds of the settings."""
    return RdfcLimits(
        max_quads=settings.rdfc_max_quads,
        max_node_map_comparisons=settings.rdfc_max_node_map_comparisons,
        max_work=settings.rdfc_max_work,
    )


def seal_trust_anchors(settings: Settings) -> tuple[x509.Certificate, ...]:
    """The CA certificates of the configured EU trust list export (PEM), cached per file
    and modification time; none when unset.

    Raises:
        ConfigurationError: the file cannot be read or holds no certificate.
    """
    path = settings.seal_trust_anchors_file
    if path is None:
        return ()
    try:
        stat = path.stat()
    except OSError as exc:
        raise ConfigurationError(
            f"seal_trust_anchors_file {path} cannot be read: {exc.strerror}"
        ) from exc
    return _load_anchors(str(path), stat.st_mtime_ns)


@lru_cache(maxsize=4)
def _load_anchors(path: str, mtime_ns: int) -> tuple[x509.Certificate, ...]:
    del mtime_ns  # part of the cache key only
    try:
        data = Path(path).read_bytes()
        certificates = tuple(x509.load_pem_x509_certificates(data))
    except (OSError, ValueError) as exc:
        raise ConfigurationError(
            f"seal_trust_anchors_file {path} is not a PEM file of certificates: {exc}"
        ) from exc
    if not certificates:
        raise ConfigurationError(f"seal_trust_anchors_file {path} holds no certificate")
    return certificates


def for_service(
    session: Session,
    settings: Settings,
    *,
    remote: RemoteLookups | None = None,
    primary: Engine | None = None,
) -> Verifier:
    """The server's verifier for one request's ``session`` (see the module docstring).

    ``primary`` is the engine stale status lists are re-signed on (the session's own when
    None; pass the primary when ``session`` reads a replica).
    """
    remote = remote or RemoteLookups.disabled()
    registry = TrustRegistry(session, settings)
    resolver = RegistryResolver(session, fallback=ChainResolver(registry, remote.dids))
    engine = primary or session.info.get(PRIMARY_ENGINE_KEY) or session.get_bind()
    local_lists = LocalStatusLists(
        session,
        settings,
        refresh=status_service.refresher(engine, settings) if isinstance(engine, Engine) else None,
    )
    return Verifier(
        Lookups(
            resolver=resolver,
            trust=registry,
            status_lists=LayeredStatusLists((), local_lists, remote.status_lists),
            key_history=RegistryKeyHistory(session),
            accreditations=registry,
            issuance=RegistryIssuanceRecords(session),
            transparency=LogEvidenceSource(session, settings, fetcher=remote.fetcher),
            documents=remote.fetcher,
            trusted_certificates=seal_trust_anchors(settings),
            trust_list_name=settings.seal_trust_list_name,
            max_bytes=max(settings.max_upload_bytes, settings.max_body_bytes),
        ),
        rdfc_limits=rdfc_limits(settings),
    )


def verify(
    session: Session,
    settings: Settings,
    credential: Mapping[str, Any] | bytes | str,
    *,
    now: datetime | None = None,
    remote: RemoteLookups | None = None,
    policy: VerificationPolicy = DEFAULT_POLICY,
    primary: Engine | None = None,
    expect: Expectations | None = None,
) -> VerificationReport:
    """Verify ``credential`` (a JSON object, or the bytes or text of any supported format)
    with :func:`for_service`'s verifier."""
    verifier = for_service(session, settings, remote=remote, primary=primary)
    return verifier.verify(credential, policy=policy, now=now, expect=expect)


@dataclass
class CliInputs:
    """What the operator gave ``diploma-exchange verify`` besides the credential."""

    did_documents: Sequence[DidDocument] = ()
    status_lists: Sequence[Mapping[str, Any]] = ()
    trust_lists: TrustListView | None = None
    trusted_issuers: Sequence[str] = ()
    offline: bool = False
    allow_hosts: Sequence[str] = field(default_factory=list)
    #: Stored copies of what a credential names (URL -> bytes): issuer profiles and keys,
    #: JWT VC issuer metadata, token status lists, revocation lists, hosted assertions.
    documents: Mapping[str, bytes] = field(default_factory=dict)
    #: Trust anchors for seals and x5c chains (CA certificates from an EU trust list).
    seal_anchors: Sequence[x509.Certificate] = ()


def for_cli(settings: Settings, inputs: CliInputs, local_session: Session | None) -> Verifier:
    """The CLI's verifier (see the module docstring); ``local_session`` is a session on the
    configured database when it exists (the local registry), else None. The session stays
    the caller's to close."""
    fetcher = safe_fetcher(settings, allow_hosts=[*inputs.allow_hosts, *settings.fetch_allow_hosts])
    remote_dids = None if inputs.offline else DidWebResolver(fetcher)
    remote_lists = None if inputs.offline else RemoteStatusLists(fetcher)
    documents = LayeredFetcher(
        StaticFetcher(inputs.documents) if inputs.documents else None,
        None if inputs.offline else fetcher,
    )
    trust_view = inputs.trust_lists
    registry: Any = None
    registry_trust: Any = trust_view
    accreditations: Any = trust_view
    local_lists = key_history = issuance = log = None
    if local_session is not None:
        local = TrustRegistry(local_session, settings)
        registry = RegistryResolver(local_session)
        registry_trust = FirstTrust(local, trust_view)
        accreditations = FirstAccreditations(local, trust_view)
        local_lists = LocalStatusLists(local_session, settings)
        key_history = RegistryKeyHistory(local_session)
        issuance = RegistryIssuanceRecords(local_session, "the local issuance register")
        log = LogEvidenceSource(
            local_session, settings, fetcher=None if inputs.offline else fetcher
        )
    if trust_view is not None:
        registry = ChainResolver(registry, trust_view)
    return Verifier(
        Lookups(
            resolver=LayeredResolver(inputs.did_documents, registry, remote_dids),
            trust=LayeredTrust(inputs.trusted_issuers, registry_trust),
            status_lists=LayeredStatusLists(inputs.status_lists, local_lists, remote_lists),
            key_history=key_history,
            accreditations=accreditations,
            issuance=issuance,
            transparency=log,
            documents=documents,
            trusted_certificates=(*inputs.seal_anchors, *seal_trust_anchors(settings)),
            trust_list_name=settings.seal_trust_list_name,
            max_bytes=max(settings.max_upload_bytes, settings.max_body_bytes),
        ),
        rdfc_limits=rdfc_limits(settings),
    )


__all__ = [
    "PRIMARY_ENGINE_KEY",
    "CliInputs",
    "Expectations",
    "RemoteLookups",
    "for_cli",
    "for_service",
    "seal_trust_anchors",
    "verify",
]
