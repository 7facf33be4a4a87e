"""Value objects of the envelope formats: what was detected, what was opened, with which
options, and the one door through which documents named by a credential are obtained."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from cryptography import x509

from diploma_exchange.errors import DidResolutionError
from diploma_exchange.verification.report import Check


class FormatName(StrEnum):
    """Stable names of the formats (part of the API: ``format.name`` in reports)."""

    VC_DATA_INTEGRITY = "vc-data-integrity"  # W3C VC (1.1/2.0) JSON-LD, embedded proof
    VP_DATA_INTEGRITY = "vp-data-integrity"  # W3C VP JSON-LD, embedded proof
    VC_JWT = "vc-jwt"  # VC Data Model 1.1 JWT (``vc`` claim): EBSI, OB 3.0 JWT
    VP_JWT = "vp-jwt"  # VC Data Model 1.1 JWT (``vp`` claim)
    VC_JOSE = "vc-jose"  # VC-JOSE-COSE application/vc+jwt (VC 2.0 as the JWT claims set)
    VP_JOSE = "vp-jose"  # VC-JOSE-COSE application/vp+jwt
    VC_SD_JWT = "vc-sd-jwt"  # VC-JOSE-COSE application/vc+sd-jwt
    VC_COSE = "vc-cose"  # VC-JOSE-COSE application/vc+cose (COSE_Sign1)
    SD_JWT_VC = "sd-jwt-vc"  # IETF SD-JWT VC (dc+sd-jwt, older vc+sd-jwt typ)
    OPEN_BADGES_2 = "open-badges-2"  # OB 2.0 assertion (hosted or signed)
    OPEN_BADGES_3 = "open-badges-3"  # OB 3.0 AchievementCredential (embedded proof or JWT)
    BLOCKCERTS = "blockcerts"  # Blockcerts v2 (MerkleProof2017) and v3 (MerkleProof2019)
    EUROPASS_EDC = "europass-edc"  # JAdES-sealed JSON-LD or XAdES-sealed XML
    DIPLOMA_PDF = "diploma-pdf"  # this service's PDF with the embedded credential
    DIPLOMA_QR = "diploma-qr"  # a photo or scan of this service's QR code
    STATUS_LIST_TOKEN = "status-list-token"  # an IETF Token Status List JWT/CWT itself
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class FormatInfo:
    """What an input is: ``name`` (a :class:`FormatName`), ``version`` (of the format or the
    data model inside), the media type, how it was packaged (``container``: ``png``,
    ``svg``, ``pdf``, ``image``, ``jws-json``...), and a human ``label``."""

    name: FormatName
    version: str | None
    media_type: str
    label: str
    container: str | None = None
    #: The securing mechanism inside (``jws``, ``sd-jwt``, ``cose``, ``data-integrity``,
    #: ``merkle-proof-2017``, ``jades``, ``xades``, ``hosted``...).
    securing: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name.value,
            "version": self.version,
            "mediaType": self.media_type,
            "label": self.label,
        }
        if self.container:
            out["container"] = self.container
        if self.securing:
            out["securing"] = self.securing
        return out


@runtime_checkable
class DocumentFetcher(Protocol):
    """Obtains documents a credential names (issuer profiles, keys, status lists, issuer
    metadata). :class:`~diploma_exchange.dids.remote.SafeFetcher` is the network
    implementation (the only one); :class:`StaticFetcher` serves stored copies."""

    def get_json(self, url: str) -> object: ...

    def get_bytes(self, url: str, *, accept: str) -> bytes: ...


class ChainExplorer(Protocol):
    """Looks up Blockcerts anchors (:class:`~diploma_exchange.formats.explorers.BlockchainExplorers`)."""

    def serves(self, anchor: Any) -> bool: ...

    def lookup(self, anchor: Any) -> Any: ...


class StaticFetcher:
    """A :class:`DocumentFetcher` over stored documents (tests, the CLI's files, imported
    copies): URL -> bytes. Any other URL raises, like an unreachable host."""

    def __init__(self, documents: Mapping[str, bytes]) -> None:
        self._documents = dict(documents)

    def get_bytes(self, url: str, *, accept: str) -> bytes:
        del accept
        try:
            return self._documents[url]
        except KeyError:
            raise DidResolutionError(f"{url} is not among the stored documents") from None

    def get_json(self, url: str) -> object:
        from diploma_exchange import strict_json

        return strict_json.loads(self.get_bytes(url, accept="application/json"))


class LayeredFetcher:
    """The first of several fetchers that has a document (stored copies before the
    network): a fetcher that cannot answer raises, and the next one is asked."""

    def __init__(self, *fetchers: DocumentFetcher | None) -> None:
        self._fetchers = [f for f in fetchers if f is not None]

    def get_bytes(self, url: str, *, accept: str) -> bytes:
        last: Exception | None = None
        for fetcher in self._fetchers:
            try:
                return fetcher.get_bytes(url, accept=accept)
            except DidResolutionError as exc:
                last = exc
        raise DidResolutionError(
            f"{url} is not available" + (f": {last}" if last else " (nothing may be fetched)")
        )

    def get_json(self, url: str) -> object:
        last: Exception | None = None
        for fetcher in self._fetchers:
            try:
                return fetcher.get_json(url)
            except DidResolutionError as exc:
                last = exc
        raise DidResolutionError(
            f"{url} is not available" + (f": {last}" if last else " (nothing may be fetched)")
        )


@dataclass(frozen=True, slots=True)
class EnvelopeOptions:
    """How to open an envelope.

    ``audience``/``nonce``: what a key-binding JWT (or a presentation's proof) must name;
    when either is given, holder binding becomes mandatory. ``max_key_binding_age``: how
    old a key-binding JWT's ``iat`` may be. ``trusted_certificates``: trust anchors for
    ``x5c`` chains and sealing certificates (e.g. imported from an EU trust list); empty
    means "no trust list", which gives an indeterminate key binding, never a failure.
    ``leeway``: clock skew allowed on ``iat``/``nbf``/``exp``.
    """

    audience: str | None = None
    nonce: str | None = None
    require_holder_binding: bool = False
    max_key_binding_age: timedelta = timedelta(minutes=5)
    leeway: timedelta = timedelta(seconds=60)
    trusted_certificates: Sequence[x509.Certificate] = ()
    trust_list_name: str | None = None
    #: Blockcerts anchors are looked up with it (formats/explorers.py); none: not checked.
    blockchain_explorer: ChainExplorer | None = None
    max_bytes: int = 2 * 1024 * 1024


class StatusKind(StrEnum):
    TOKEN_STATUS_LIST = "token-status-list"  # IETF OAuth Token Status List
    BLOCKCERTS_REVOCATION_LIST = "blockcerts-revocation-list"
    OPEN_BADGES_REVOCATION_LIST = "open-badges-revocation-list"


@dataclass(frozen=True, slots=True)
class StatusReference:
    """A status the credential declares through its format's own mechanism."""

    kind: StatusKind
    uri: str
    index: int | None = None
    #: The identifier looked for in a revocation list (an assertion or certificate id).
    credential_id: str | None = None


#: ``check_status(fetcher)``: the status checks of a format's own mechanism.
StatusCheck = Callable[[DocumentFetcher | None], list[Check]]


@dataclass(frozen=True, slots=True)
class Signer:
    """Who signed an envelope, as far as the signature tells: where the key came from
    (``did``, ``x5c``, ``jwt-vc-issuer``, ``header-jwk``, ``ob2-key``, ``hosted``), the DID URL
    of a DID key, the certificate chain of an ``x5c`` key, and the signing time the envelope
    claims (``iat``/``nbf``, JAdES ``sigT``, XAdES ``SigningTime``), for ``key.validity``."""

    source: str
    method_id: str | None = None
    signed_at: datetime | None = None
    chain: tuple[x509.Certificate, ...] = ()
    #: A key document's own statement (OB 2.0 CryptographicKey ``revoked``...).
    key_details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Envelope:
    """What :func:`~diploma_exchange.formats.open_envelope` found.

    ``credential`` is the secured payload as a W3C VC JSON object (or the OB 2.0 assertion,
    the Blockcerts certificate), taken only from what the signature covers; ``None`` when
    nothing could be read. ``checks`` are the format's own checks (detection, signature,
    disclosures, holder binding, integrity, anchor...). When ``data_integrity`` is True the
    credential carries an embedded Data Integrity proof that the caller's DI pipeline must
    verify (this module did not). ``status_entries``/``check_status`` cover the format's own
    status mechanism; a ``credentialStatus`` inside ``credential`` is the caller's, as for
    any VC. ``presentation`` holds the envelopes of the credentials inside a presentation.
    """

    format: FormatInfo
    credential: dict[str, Any] | None
    issuer: str | None
    checks: list[Check]
    status_entries: tuple[StatusReference, ...] = ()
    check_status: StatusCheck | None = None
    data_integrity: bool = False
    presentation: tuple[Envelope, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)
    #: The key that made the verified signature (None: no signature verified, or a format
    #: without a signing key, such as a Blockcerts certificate whose key is the sender of
    #: its blockchain transaction).
    signer: Signer | None = None
    #: How the issuer's register names this exact signed token (hex SHA-256 of the
    #: issuer-signed JWT of an SD-JWT); None: the payload's own secured digest is used.
    secured_digest: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "format": self.format.to_json(),
            "issuer": self.issuer,
            "checks": [c.to_json() for c in self.checks],
        }
        if self.status_entries:
            out["statusEntries"] = [
                {"kind": s.kind.value, "uri": s.uri, "index": s.index} for s in self.status_entries
            ]
        if self.presentation:
            out["credentials"] = [e.to_json() for e in self.presentation]
        if self.details:
            out["details"] = dict(self.details)
        return out


__all__ = [
    "DocumentFetcher",
    "Envelope",
    "EnvelopeOptions",
    "FormatInfo",
    "FormatName",
    "LayeredFetcher",
    "Signer",
    "StaticFetcher",
    "StatusCheck",
    "StatusKind",
    "StatusReference",
]
