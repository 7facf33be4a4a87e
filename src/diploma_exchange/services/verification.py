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
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography import x509
from sqlalchemy.engine import Engine
from sqlmodel import Session

from diploma_exchange import strict_json
from diploma_exchange.config import Settings
from diploma_exchange.dids.document import DidDocument
from diploma_exchange.dids.remote import DidWebResolver, SafeFetcher
from diploma_exchange.errors import ConfigurationError, Error, InvalidInput, LimitExceeded
from diploma_exchange.formats.explorers import BlockchainExplorers
from diploma_exchange.formats.model import DocumentFetcher, LayeredFetcher, StaticFetcher
from diploma_exchange.proofs.rdfc import RdfcLimits
from diploma_exchange.services import status as status_service
from diploma_exchange.services.log_evidence import LogEvidenceSource, OfflineBundleLog
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
from diploma_exchange.services.wallets import LocalStatusTokens
from diploma_exchange.transparency.bundle import TrustedLog, WitnessPolicy
from diploma_exchange.trust.eu_trusted_lists import parse_anchor_header
from diploma_exchange.trust.view import TrustListView
from diploma_exchange.verification import Lookups, VerificationReport, Verifier
from diploma_exchange.verification.lookups import IssuanceLog
from diploma_exchange.verification.remote_status import RemoteStatusLists
from diploma_exchange.verification.report import (
    DEFAULT_POLICY,
    Check,
    CheckName,
    VerificationPolicy,
    errored,
    failed,
    passed,
    skipped,
)
from diploma_exchange.verification.verifier import Expectations

if TYPE_CHECKING:
    from diploma_exchange.documents.pades import SealCheck

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


def blockchain_explorers(
    settings: Settings, fetcher: DocumentFetcher | None
) -> BlockchainExplorers | None:
    """The Blockcerts anchor look-ups of the settings (``blockcerts_explorers``), through
    ``fetcher`` (the safe fetcher, or stored answers offline); None when none is configured."""
    if not settings.blockcerts_explorers or fetcher is None:
        return None
    return BlockchainExplorers(fetcher, settings.blockcerts_explorers)


def seal_trust_anchors(settings: Settings) -> tuple[x509.Certificate, ...]:
    """The CA certificates of the configured EU trust list export (PEM), cached per file
    and modification time; none when unset, and none when the file is an import of the EU
    trusted lists (``trust import-eu-lists``) whose lists are past their ``NextUpdate``: a
    stale list is not used (fail closed; :func:`seal_trust_list_name` says so in reports).

    Raises:
        ConfigurationError: the file cannot be read or holds no certificate.
    """
    anchors, _, stale = _anchors_file(settings)
    return () if stale else anchors


def seal_trust_list_name(settings: Settings) -> str:
    """How reports name the seal trust anchors: the import's own description (LOTL sequence
    and territories) when the file is an EU trusted lists import, else the setting; a stale
    import is named as such."""
    _, header_name, stale = _anchors_file(settings)
    name = header_name or settings.seal_trust_list_name
    if stale is not None:
        return f"{name}, stale since {stale.isoformat()} and not used until re-imported"
    return name


def _anchors_file(
    settings: Settings,
) -> tuple[tuple[x509.Certificate, ...], str | None, datetime | None]:
    path = settings.seal_trust_anchors_file
    if path is None:
        return (), None, None
    try:
        stat = path.stat()
    except OSError as exc:
        raise ConfigurationError(
            f"seal_trust_anchors_file {path} cannot be read: {exc.strerror}"
        ) from exc
    anchors, name, next_update = _load_anchors(str(path), stat.st_mtime_ns)
    stale = next_update if next_update is not None and datetime.now(UTC) > next_update else None
    return anchors, name, stale


@lru_cache(maxsize=4)
def _load_anchors(
    path: str, mtime_ns: int
) -> tuple[tuple[x509.Certificate, ...], str | None, datetime | None]:
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
    header = parse_anchor_header(data)
    return certificates, header.name, header.next_update


class PdfCredential(dict[str, Any]):
    """The credential embedded in a PDF diploma: the JSON object exactly as embedded (it is
    a ``dict``, and everything that takes a credential takes it), with what the PDF carried
    beside it: ``log_bundle``, the transparency log evidence (``diploma.log.json``), which
    :func:`verify` and :func:`for_cli` use as offline evidence for ``issuance.log``."""

    def __init__(
        self,
        credential: Mapping[str, Any],
        *,
        log_bundle: Mapping[str, Any] | None = None,
        pdf: bytes | None = None,
    ) -> None:
        super().__init__(credential)
        self.log_bundle = log_bundle
        #: The PDF itself, for its PAdES seal (``document.seal``).
        self.pdf = pdf


def attached_log_bundle(received: object) -> Mapping[str, Any] | None:
    """The log bundle that came with ``received`` (a PDF's attachment), if any."""
    return received.log_bundle if isinstance(received, PdfCredential) else None


def for_service(
    session: Session,
    settings: Settings,
    *,
    remote: RemoteLookups | None = None,
    primary: Engine | None = None,
    log_bundle: Mapping[str, Any] | None = None,
) -> Verifier:
    """The server's verifier for one request's ``session`` (see the module docstring).

    ``primary`` is the engine stale status lists are re-signed on (the session's own when
    None; pass the primary when ``session`` reads a replica). ``log_bundle`` is transparency
    log evidence that came with the credential (checked first, offline; see
    :class:`~diploma_exchange.services.log_evidence.BundleFirst`).
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
    log = LogEvidenceSource(session, settings, fetcher=remote.fetcher)
    return Verifier(
        Lookups(
            resolver=resolver,
            trust=registry,
            status_lists=LayeredStatusLists((), local_lists, remote.status_lists),
            key_history=RegistryKeyHistory(session),
            accreditations=registry,
            issuance=RegistryIssuanceRecords(session),
            transparency=log if log_bundle is None else log.with_bundle(log_bundle),
            # This service's own IETF status list tokens (SD-JWT VCs sent to wallets) are
            # read from the database; every other document through the safe fetcher.
            documents=LocalStatusTokens(session, settings, remote.fetcher)
            if remote.fetcher is not None
            else None,
            blockchain_explorer=blockchain_explorers(settings, remote.fetcher),
            trusted_certificates=seal_trust_anchors(settings),
            trust_list_name=seal_trust_list_name(settings),
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
    with :func:`for_service`'s verifier (and, for a :class:`PdfCredential`, the log
    evidence the PDF carried)."""
    verifier = for_service(
        session,
        settings,
        remote=remote,
        primary=primary,
        log_bundle=attached_log_bundle(credential),
    )
    report = verifier.verify(credential, policy=policy, now=now, expect=expect)
    return with_pdf_seal(session, settings, credential, report)


def with_pdf_seal(
    session: Session | None,
    settings: Settings,
    received: object,
    report: VerificationReport,
) -> VerificationReport:
    """``report`` with the ``document.seal`` check when ``received`` came in a PDF: its
    PAdES seal checked against this NIC's seal CA certificates (none without a database:
    a changed PDF is still told apart, a trusted one is not)."""
    if not isinstance(received, PdfCredential) or received.pdf is None:
        return report
    from diploma_exchange.documents.pades import check_seal
    from diploma_exchange.services.documents import nic_ca_certificates

    roots = nic_ca_certificates(session, settings) if session is not None else []
    check = seal_check(check_seal(received.pdf, roots))
    return replace(report, checks=(*report.checks, check))


def seal_check(seal: SealCheck) -> Check:
    """A PDF's seal as a report check (for information: the credential inside decides the
    verdict, whatever was done to the pages around it)."""
    from diploma_exchange.documents.pades import SealStatus

    name = CheckName.DOCUMENT_SEAL
    details = {"signer": seal.signer} if seal.signer else {}
    if seal.status is SealStatus.VALID:
        return passed(name, "seal.valid", seal.message, **details)
    if seal.status is SealStatus.MODIFIED:
        return failed(name, "seal.modified", seal.message, **details)
    if seal.status is SealStatus.UNSEALED:
        return skipped(name, "seal.none", seal.message)
    return errored(name, f"seal.{seal.status.value}", seal.message, **details)


# --- what arrives at the doors ----------------------------------------------------------


@dataclass(frozen=True)
class QrLink:
    """A QR code that holds a link, not a credential: the door decides (the web page opens
    this service's own share links; others are fetched through the safe fetcher)."""

    url: str


#: What :func:`read_input` hands to ``Verifier.verify``: a parsed JSON object, or the bytes
#: of any other format (compact JWT/SD-JWT, CBOR, XML, a baked badge image).
Readable = dict[str, Any] | bytes


#: Inputs of these kinds whose format is unknown are not credentials of an unsupported format
#: but no credential at all (refused with 400 rather than reported).
_NOT_A_CREDENTIAL = {
    "text/plain": "invalid-input",
    "application/octet-stream": "unsupported-upload",
    "application/xml": "unsupported-upload",
    "application/cbor": "malformed-cose",
}


def read_input(settings: Settings, data: bytes) -> Readable | QrLink:
    """What an upload or a posted body holds, ready for ``Verifier.verify``, under the same
    bounded-work rules everywhere (API, VC-API, upload page, CLI): the content decides, never
    a file name or media type.

    - JSON (after an optional BOM): parsed strictly (size, depth, duplicate keys, NUL);
    - a PDF diploma of this service: its embedded credential (bounded pages, attachments,
      decompression);
    - an image: a badge baked into a PNG (or an SVG) is verified as is; any other image is
      searched for a QR code (bounded bytes and pixels), whose text is the credential (a
      JWT, SD-JWT or JSON) or a :class:`QrLink`;
    - anything else (a compact JWT or SD-JWT, CBOR, XML): the bytes.

    Raises:
        InvalidInput, LimitExceeded: empty, over the size limits, unreadable PDF or image, no
            QR code (stable codes from :mod:`diploma_exchange.documents`).
    """
    from diploma_exchange.documents.extract import extract_credential_from_pdf
    from diploma_exchange.documents.qr import read_qr_codes
    from diploma_exchange.formats.detection import detect
    from diploma_exchange.formats.model import FormatName

    if not data.strip():
        raise InvalidInput("the credential is empty", code="upload-empty")
    if len(data) > max(settings.max_upload_bytes, settings.max_body_bytes):
        raise LimitExceeded(
            f"the input is {len(data)} bytes; the limit is {settings.max_upload_bytes}",
            code="upload-too-large",
        )
    head = data.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    if head.startswith(b"{"):
        return _json_object(settings, head)
    if head.startswith(b'"'):
        # A JSON string holding a compact JWT/SD-JWT (VC-API style).
        value = strict_json.loads_storable(
            head, max_bytes=settings.max_body_bytes, max_depth=settings.max_json_depth
        )
        if isinstance(value, str):
            return value.encode("utf-8")
    if head.startswith(b"["):
        # JSON, but not an object: parsed (so that size, depth and syntax give their own
        # errors), then refused.
        _json_object(settings, head)
    info = detect(data)
    if (
        info.name is FormatName.UNKNOWN
        and info.securing is None
        and info.media_type in _NOT_A_CREDENTIAL
    ):
        # Neither JSON, a token, CBOR, XML, a PDF nor an image: nothing to report on.
        raise InvalidInput(
            "this is not a credential in any supported format: send JSON, a compact JWT or "
            "SD-JWT, CBOR (COSE), XML, a baked badge image, a PDF diploma or an image of its "
            f"QR code ({info.label})",
            code=_NOT_A_CREDENTIAL[info.media_type],
        )
    if info.name is FormatName.DIPLOMA_PDF:
        extracted = extract_credential_from_pdf(
            data,
            max_bytes=settings.max_upload_bytes,
            max_pages=settings.max_pdf_pages,
            max_json_depth=settings.max_json_depth,
            max_stream_bytes=settings.max_pdf_stream_bytes,
            max_inflate_bytes=settings.max_pdf_inflate_bytes,
            max_objects=settings.max_pdf_objects,
        )
        return PdfCredential(extracted.credential, log_bundle=extracted.log_bundle, pdf=data)
    if info.name is FormatName.DIPLOMA_QR:
        texts = read_qr_codes(
            data, max_bytes=settings.max_upload_bytes, max_pixels=settings.max_image_pixels
        )
        for text in texts:
            found = text.strip()
            if found.startswith("{"):
                return _json_object(settings, found.encode("utf-8"))
            if detect(found.encode("utf-8")).name not in (
                FormatName.UNKNOWN,
                FormatName.DIPLOMA_QR,
                FormatName.DIPLOMA_PDF,
            ):
                return found.encode("utf-8")
        for text in texts:
            if text.strip().lower().startswith(("http://", "https://", "/s/")):
                return QrLink(text.strip())
        raise InvalidInput(
            "the QR code holds neither a credential nor a verification link",
            code="qr-not-a-link",
        )
    return data


def fetch_link(settings: Settings, remote: RemoteLookups, url: str) -> Readable:
    """The credential behind a link of another service (from a QR code or pasted), fetched
    through the safe fetcher (https, public addresses, size and time limits).

    Raises:
        InvalidInput: not an http(s) URL (``link-malformed``), fetching disabled
            (``link-fetch-disabled``), unreachable or not JSON (``link-unreachable``).
    """
    from urllib.parse import urlsplit

    from diploma_exchange.errors import DidResolutionError

    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInput(
            "the link must be an https:// address", code="link-malformed", pointer="/link"
        )
    if remote.fetcher is None:
        raise InvalidInput(
            f"the QR code or link points to {url.strip()[:200]}; this service does not fetch "
            "links from other sites, so send the credential itself",
            code="link-fetch-disabled",
        )
    try:
        body = remote.fetcher.get_bytes(
            url.strip(),
            accept="application/vc+ld+json, application/json, application/vc+jwt, "
            "application/dc+sd-jwt, text/plain",
        )
    except DidResolutionError as exc:
        raise InvalidInput(
            f"could not fetch the link: {exc.message}", code="link-unreachable"
        ) from exc
    head = body.removeprefix(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"{"):
        return _json_object(settings, head)
    return body


def _json_object(settings: Settings, data: bytes) -> dict[str, Any]:
    value = strict_json.loads_storable(
        data, max_bytes=settings.max_body_bytes, max_depth=settings.max_json_depth
    )
    return unwrap(value)


def unwrap(document: object) -> dict[str, Any]:
    """The credential of a JSON body: the object itself, or its ``verifiableCredential`` /
    ``credential`` member when it is only a wrapper (no ``@context``).

    Raises:
        InvalidInput: not a JSON object (``not-a-credential``).
    """
    if isinstance(document, dict):
        for key in ("verifiableCredential", "credential"):
            inner = document.get(key)
            if "@context" not in document and isinstance(inner, dict):
                return inner
        return document
    raise InvalidInput("the credential must be a JSON object", code="not-a-credential")


def resubmittable(received: Readable) -> dict[str, Any]:
    """The credential as a JSON object a page can post back to be verified again: a JSON
    input as it came; any other format as a VC-JOSE-COSE ``EnvelopedVerifiableCredential``
    (§3.3; ``EnvelopedVerifiablePresentation`` for a presentation) whose ``data:`` URL holds it (for a baked image, the badge inside, not the image).

    Raises:
        InvalidInput: a baked badge whose JSON is not a strict JSON object.
    """
    import base64

    from diploma_exchange.formats.detection import detect
    from diploma_exchange.formats.envelope import inner_text
    from diploma_exchange.formats.inputs import json_object

    if isinstance(received, dict):
        return received
    info = detect(received)
    text: str | None = None
    if info.container in ("png", "svg"):
        text = inner_text(received, info)
        if text.startswith("{"):
            return json_object(text, what="the baked badge")
        media = "application/jwt"
    else:
        media = info.media_type if "/" in info.media_type else "application/octet-stream"
        if received.isascii():
            text = received.decode("ascii").strip()
    if text is not None and text.isascii() and not any(c in text for c in ", \t\r\n"):
        url = f"data:{media},{text}"
    else:
        url = f"data:{media};base64,{base64.b64encode(received).decode('ascii')}"
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        # a presentation token goes in a presentation's envelope (VC Data Model 2.0 §4.13.2)
        "type": "EnvelopedVerifiablePresentation"
        if media.startswith(("application/vp+", "application/vp-"))
        else "EnvelopedVerifiableCredential",
        "id": url,
    }


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
    #: Transparency log evidence that came with the credential (a PDF's attachment, or
    #: ``verify --log-bundle``).
    log_bundle: Mapping[str, Any] | None = None
    #: Logs trusted by hand (``verify --log-key``) and the witness policy for their
    #: checkpoints: how a bundle is checked without a local database.
    trusted_logs: Sequence[TrustedLog] = ()
    log_policy: WitnessPolicy | None = None


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
    local_lists = key_history = issuance = None
    log: IssuanceLog | None = None
    if local_session is not None:
        local = TrustRegistry(local_session, settings)
        registry = RegistryResolver(local_session)
        registry_trust = FirstTrust(local, trust_view)
        accreditations = FirstAccreditations(local, trust_view)
        local_lists = LocalStatusLists(local_session, settings)
        key_history = RegistryKeyHistory(local_session)
        issuance = RegistryIssuanceRecords(local_session, "the local issuance register")
        source = LogEvidenceSource(
            local_session, settings, fetcher=None if inputs.offline else fetcher
        )
        log = source if inputs.log_bundle is None else source.with_bundle(inputs.log_bundle)
    if inputs.trusted_logs:
        # logs trusted by hand decide (a bundle from another log proves nothing here); with
        # none and no database, no log is consulted and the check does not apply
        log = OfflineBundleLog(inputs.log_bundle, inputs.trusted_logs, policy=inputs.log_policy)
    if trust_view is not None:
        registry = ChainResolver(registry, trust_view)
    return Verifier(
        Lookups(
            resolver=LayeredResolver(inputs.did_documents, registry, remote_dids),
            trust=LayeredTrust(inputs.trusted_issuers, registry_trust),
            status_lists=LayeredStatusLists(
                inputs.status_lists,
                local_lists,
                remote_lists,
                given_by_url=_json_documents(inputs.documents, settings),
            ),
            key_history=key_history,
            accreditations=accreditations,
            issuance=issuance,
            transparency=log,
            documents=documents,
            blockchain_explorer=blockchain_explorers(settings, documents),
            trusted_certificates=(*inputs.seal_anchors, *seal_trust_anchors(settings)),
            trust_list_name=seal_trust_list_name(settings),
            max_bytes=max(settings.max_upload_bytes, settings.max_body_bytes),
        ),
        rdfc_limits=rdfc_limits(settings),
    )


def _json_documents(documents: Mapping[str, bytes], settings: Settings) -> dict[str, Any]:
    """The documents given by URL that are JSON objects (status lists among them)."""
    found: dict[str, Any] = {}
    for url, data in documents.items():
        if data.lstrip()[:1] != b"{":
            continue
        try:
            parsed = strict_json.loads(
                data, max_bytes=settings.max_body_bytes, max_depth=settings.max_json_depth
            )
        except (Error, ValueError):
            continue  # not JSON after all: left to the format that asked for it
        if isinstance(parsed, dict):
            found[url] = parsed
    return found


__all__ = [
    "PRIMARY_ENGINE_KEY",
    "CliInputs",
    "Expectations",
    "PdfCredential",
    "QrLink",
    "Readable",
    "RemoteLookups",
    "attached_log_bundle",
    "blockchain_explorers",
    "fetch_link",
    "for_cli",
    "for_service",
    "read_input",
    "resubmittable",
    "seal_trust_anchors",
    "seal_trust_list_name",
    "unwrap",
    "verify",
    "with_pdf_seal",
]
