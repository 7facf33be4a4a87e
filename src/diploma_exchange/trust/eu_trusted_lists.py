"""EU trusted lists (ETSI TS 119 612 v2) as trust anchors for qualified electronic seals.

Europass EDC credentials (and other JAdES/XAdES-sealed documents) are sealed by their issuers
with qualified electronic seals. Whether a seal certificate is qualified is decided by the EU
trusted lists: the Commission's *list of the lists* (LOTL) names, per Member State, where its
national trusted list is and which certificates may sign it; each national list names its
qualified trust service providers and, per service, the CA certificates that issue qualified
certificates and whether they issue them *for electronic seals*.

:func:`read_trusted_list` reads one list: bounded DTD-free XML parse, the enveloped XAdES
signature verified (``signxml``) with a certificate the caller trusts for that list (the LOTL's
signing certificates are pinned by the operator from the Official Journal; a national list's are
the ones the verified LOTL points to), freshness (``NextUpdate``: a list past it is stale, a list
without it is closed) and the services it declares. :func:`import_trusted_lists` walks LOTL →
national lists and returns the anchors: the certificates of ``CA/QC`` services whose current
status is *granted* and which issue qualified certificates for electronic seals (``ForeSeals``).

Fail closed: a list whose signature does not verify, that is signed by another certificate,
that is stale or that the LOTL does not point to is refused with a stable code, never partly
used. A service withdrawn since is not an anchor (a seal made while it was granted becomes
``indeterminate`` rather than trusted; the status history is not replayed). Hand-written because
no maintained Python library reads ETSI TS 119 612 lists (the signature itself is ``signxml``'s).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from lxml import etree  # type: ignore[import-untyped,unused-ignore]

from diploma_exchange.errors import InvalidInput
from diploma_exchange.formats.inputs import parse_xml

TSL = "http://uri.etsi.org/02231/v2#"
DS = "http://www.w3.org/2000/09/xmldsig#"
LOTL_TYPE = "http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUlistofthelists"
CA_QC = "http://uri.etsi.org/TrstSvc/Svctype/CA/QC"
GRANTED = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted"
FOR_ESEALS = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/ForeSeals"
FOR_ESIGNATURES = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/ForeSignatures"
XML_MIME = "application/vnd.etsi.tsl+xml"
#: A national list of a large Member State is a few MB; the cap leaves room and bounds work.
MAX_LIST_BYTES = 16 * 1024 * 1024


class TrustedListError(InvalidInput):
    """A trusted list cannot be used (bad signature, wrong signer, stale, unknown territory)."""

    code = "invalid-trusted-list"


def _q(name: str) -> str:
    return f"{{{TSL}}}{name}"


def _text(element: etree._Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    value = element.text.strip()
    return value or None


def _name(parent: etree._Element | None, tag: str) -> str | None:
    """The English name under ``parent/tag`` (else the first one)."""
    if parent is None:
        return None
    holder = parent.find(_q(tag))
    if holder is None:
        return None
    names = holder.findall(_q("Name"))
    for name in names:
        if name.get("{http://www.w3.org/XML/1998/namespace}lang") == "en":
            return _text(name)
    return _text(names[0]) if names else None


def _datetime(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _certificates(parent: etree._Element) -> tuple[x509.Certificate, ...]:
    """Every ``X509Certificate`` of the ``DigitalId``s below ``parent`` (unreadable ones are
    skipped: they can never be an anchor)."""
    found: list[x509.Certificate] = []
    for element in parent.iter(_q("X509Certificate")):
        raw = _text(element)
        if raw is None:
            continue
        try:
            found.append(x509.load_der_x509_certificate(base64.b64decode("".join(raw.split()))))
        except (ValueError, binascii.Error):
            continue
    return tuple(found)


def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 of the certificate's DER, hex (how certificates are named here)."""
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


@dataclass(frozen=True)
class Pointer:
    """A LOTL entry: where a Member State's list is and which certificates may sign it."""

    territory: str
    location: str
    mime_type: str | None
    signers: tuple[x509.Certificate, ...]


@dataclass(frozen=True)
class TrustService:
    """A service of a national list (only what anchoring needs)."""

    territory: str
    provider: str | None
    name: str | None
    service_type: str
    status: str
    status_since: datetime | None
    qualifiers: frozenset[str]
    certificates: tuple[x509.Certificate, ...]

    @property
    def anchors_seals(self) -> bool:
        """A qualified CA, currently granted, issuing qualified certificates for e-seals."""
        return (
            self.service_type == CA_QC and self.status == GRANTED and FOR_ESEALS in self.qualifiers
        )


@dataclass(frozen=True)
class TrustedList:
    """A verified trusted list (the LOTL or a national list)."""

    territory: str
    list_type: str | None
    sequence: int | None
    issued: datetime | None
    next_update: datetime
    operator: str | None
    signer: x509.Certificate
    pointers: tuple[Pointer, ...] = ()
    services: tuple[TrustService, ...] = ()

    @property
    def is_lotl(self) -> bool:
        return self.list_type == LOTL_TYPE


def _verify_signature(
    data: bytes, root: etree._Element, signers: Sequence[x509.Certificate]
) -> x509.Certificate:
    """The enveloped XAdES signature over the whole list, by one of ``signers``."""
    from signxml.exceptions import InvalidInput as SignXmlInvalidInput
    from signxml.exceptions import InvalidSignature as SignXmlInvalidSignature
    from signxml.xades.xades import XAdESVerifier

    signature = root.find(f"{{{DS}}}Signature")
    if signature is None:
        raise TrustedListError("the trusted list is not signed", code="trusted-list-unsigned")
    carried = {fingerprint(c): c for c in _ds_certificates(signature)}
    allowed = {fingerprint(c): c for c in signers}
    chosen = next((allowed[f] for f in carried if f in allowed), None)
    if chosen is None:
        raise TrustedListError(
            "the trusted list is signed by a certificate that is not authorised to sign it "
            f"(carried: {', '.join(sorted(carried)) or 'none'})",
            code="trusted-list-wrong-signer",
        )
    pem = chosen.public_bytes(serialization.Encoding.PEM).decode("ascii")
    try:
        results = XAdESVerifier().verify(data, x509_cert=pem, expect_references=True)
    except SignXmlInvalidSignature as exc:
        raise TrustedListError(
            f"the trusted list's signature does not verify: {exc}",
            code="trusted-list-bad-signature",
        ) from exc
    except (SignXmlInvalidInput, ValueError) as exc:
        raise TrustedListError(
            f"the trusted list's signature cannot be verified: {exc}",
            code="trusted-list-bad-signature",
        ) from exc
    verified = results if isinstance(results, list) else [results]
    if not any(
        r.signed_xml is not None and str(r.signed_xml.tag) == _q("TrustServiceStatusList")
        for r in verified
    ):
        raise TrustedListError(
            "the trusted list's signature does not cover the whole list",
            code="trusted-list-bad-signature",
        )
    return chosen


def _ds_certificates(signature: etree._Element) -> list[x509.Certificate]:
    found = []
    for element in signature.iter(f"{{{DS}}}X509Certificate"):
        raw = _text(element)
        if raw is None:
            continue
        try:
            found.append(x509.load_der_x509_certificate(base64.b64decode("".join(raw.split()))))
        except (ValueError, binascii.Error):
            continue
    return found


def _pointers(scheme: etree._Element) -> tuple[Pointer, ...]:
    out: list[Pointer] = []
    holder = scheme.find(_q("PointersToOtherTSL"))
    if holder is None:
        return ()
    for pointer in holder.findall(_q("OtherTSLPointer")):
        territory = mime = None
        for info in pointer.iter(_q("OtherInformation")):
            for child in info:
                tag = etree.QName(child).localname
                if tag == "SchemeTerritory":
                    territory = _text(child)
                elif tag == "MimeType":
                    mime = _text(child)
        location = _text(pointer.find(_q("TSLLocation")))
        identities = pointer.find(_q("ServiceDigitalIdentities"))
        if territory is None or location is None or identities is None:
            continue
        out.append(Pointer(territory, location, mime, _certificates(identities)))
    return tuple(out)


def _services(root: etree._Element, territory: str) -> tuple[TrustService, ...]:
    out: list[TrustService] = []
    providers = root.find(_q("TrustServiceProviderList"))
    if providers is None:
        return ()
    for provider in providers.findall(_q("TrustServiceProvider")):
        provider_name = _name(provider.find(_q("TSPInformation")), "TSPName")
        services = provider.find(_q("TSPServices"))
        if services is None:
            continue
        for service in services.findall(_q("TSPService")):
            info = service.find(_q("ServiceInformation"))
            if info is None:
                continue
            qualifiers = frozenset(
                uri
                for element in info.iter(_q("AdditionalServiceInformation"))
                if (uri := _text(element.find(_q("URI")))) is not None
            )
            identity = info.find(_q("ServiceDigitalIdentity"))
            out.append(
                TrustService(
                    territory=territory,
                    provider=provider_name,
                    name=_name(info, "ServiceName"),
                    service_type=_text(info.find(_q("ServiceTypeIdentifier"))) or "",
                    status=_text(info.find(_q("ServiceStatus"))) or "",
                    status_since=_datetime(_text(info.find(_q("StatusStartingTime")))),
                    qualifiers=qualifiers,
                    certificates=_certificates(identity) if identity is not None else (),
                )
            )
    return tuple(out)


def read_trusted_list(
    data: bytes, *, signers: Sequence[x509.Certificate], now: datetime
) -> TrustedList:
    """Read and verify one trusted list (see the module docstring).

    Raises:
        TrustedListError: unsigned, signed by a certificate not in ``signers``, a signature
            that does not verify or does not cover the list, stale or closed, no territory.
        InvalidInput / LimitExceeded: not a bounded, DTD-free XML document.
    """
    if len(data) > MAX_LIST_BYTES:
        raise TrustedListError(
            f"a trusted list is at most {MAX_LIST_BYTES} bytes", code="trusted-list-too-large"
        )
    root = parse_xml(data)
    if root.tag != _q("TrustServiceStatusList"):
        raise TrustedListError(
            "not an ETSI TS 119 612 trusted list (TrustServiceStatusList)",
            code="not-a-trusted-list",
        )
    signer = _verify_signature(data, root, signers)
    scheme = root.find(_q("SchemeInformation"))
    if scheme is None:
        raise TrustedListError(
            "the trusted list has no SchemeInformation", code="not-a-trusted-list"
        )
    territory = _text(scheme.find(_q("SchemeTerritory")))
    if territory is None:
        raise TrustedListError("the trusted list names no territory", code="not-a-trusted-list")
    next_update = _datetime(_text(scheme.find(f"{_q('NextUpdate')}/{_q('dateTime')}")))
    if next_update is None:
        raise TrustedListError(
            f"the trusted list of {territory} has no NextUpdate: it is closed",
            code="trusted-list-closed",
        )
    if now > next_update:
        raise TrustedListError(
            f"the trusted list of {territory} was to be replaced by {next_update.isoformat()}: it "
            "is stale; import the current one",
            code="trusted-list-stale",
        )
    sequence = _text(scheme.find(_q("TSLSequenceNumber")))
    return TrustedList(
        territory=territory,
        list_type=_text(scheme.find(_q("TSLType"))),
        sequence=int(sequence) if sequence is not None and sequence.isdigit() else None,
        issued=_datetime(_text(scheme.find(_q("ListIssueDateTime")))),
        next_update=next_update,
        operator=_name(scheme, "SchemeOperatorName"),
        signer=signer,
        pointers=_pointers(scheme),
        services=_services(root, territory),
    )


@dataclass(frozen=True)
class Anchor:
    """A certificate trusted for qualified e-seals, with where it comes from."""

    certificate: x509.Certificate
    territory: str
    provider: str | None
    service: str | None

    @property
    def subject(self) -> str:
        return self.certificate.subject.rfc4514_string()


@dataclass(frozen=True)
class ImportResult:
    """The LOTL, the national lists read through it, and the seal anchors they give."""

    lotl: TrustedList
    lists: tuple[TrustedList, ...]
    anchors: tuple[Anchor, ...]
    skipped: tuple[str, ...] = field(default=())

    @property
    def name(self) -> str:
        territories = ", ".join(sorted(t.territory for t in self.lists))
        return (
            f"the EU trusted lists (LOTL #{self.lotl.sequence}, "
            f"{self.lotl.issued.date().isoformat() if self.lotl.issued else 'undated'}; {territories})"
        )

    @property
    def next_update(self) -> datetime:
        """When the first of these lists is to be replaced: the anchors are stale after it."""
        return min(t.next_update for t in (self.lotl, *self.lists))

    def pem(self) -> bytes:
        """The anchors as a PEM bundle (the ``seal_trust_anchors_file`` format): a header
        that :func:`parse_anchor_header` reads back (name, next update), then each
        certificate preceded by comments naming its source."""
        parts: list[bytes] = [
            f"{HEADER_MAGIC}\n# name: {self.name}\n"
            f"# next-update: {self.next_update.isoformat()}\n".encode()
        ]
        for anchor in self.anchors:
            parts.append(
                f"# {anchor.territory} / {anchor.provider} / {anchor.service}\n"
                f"# subject: {anchor.subject}\n".encode("utf-8", "replace")
            )
            parts.append(anchor.certificate.public_bytes(serialization.Encoding.PEM))
        return b"".join(parts)


HEADER_MAGIC = "# dx-seal-anchors/v1"


@dataclass(frozen=True)
class AnchorHeader:
    """What an anchors file written by an import says about itself."""

    name: str | None = None
    next_update: datetime | None = None


def parse_anchor_header(data: bytes) -> AnchorHeader:
    """The header of an anchors file written by :meth:`ImportResult.pem`; an empty header
    for any other PEM file (a hand-made list of CA certificates has no expiry here)."""
    lines = data[:4096].decode("utf-8", "replace").splitlines()
    if not lines or lines[0].strip() != HEADER_MAGIC:
        return AnchorHeader()
    name = next_update = None
    for line in lines[1:3]:
        if line.startswith("# name: "):
            name = line[len("# name: ") :].strip() or None
        elif line.startswith("# next-update: "):
            next_update = _datetime(line[len("# next-update: ") :].strip())
    if next_update is None:
        # an import's header always has it: a damaged header is treated as stale
        next_update = datetime.min.replace(tzinfo=UTC)
    return AnchorHeader(name, next_update)


def import_trusted_lists(
    lotl: bytes,
    national: Iterable[bytes],
    *,
    lotl_signers: Sequence[x509.Certificate],
    now: datetime,
) -> ImportResult:
    """Verify the LOTL with the pinned ``lotl_signers``, then each national list with the
    certificates the LOTL authorises for its territory, and collect the seal anchors.

    Raises:
        TrustedListError: the LOTL or any national list is refused (nothing is imported).
    """
    top = read_trusted_list(lotl, signers=lotl_signers, now=now)
    if not top.is_lotl:
        raise TrustedListError(
            f"the first list must be the EU list of the lists (TSLType {LOTL_TYPE}); this one "
            f"is {top.list_type}",
            code="not-the-lotl",
        )
    by_territory: dict[str, list[x509.Certificate]] = {}
    for pointer in top.pointers:
        if pointer.mime_type in (None, XML_MIME) or pointer.location.endswith(".xml"):
            by_territory.setdefault(pointer.territory, []).extend(pointer.signers)
    lists: list[TrustedList] = []
    for data in national:
        root_territory = _peek_territory(data)
        signers = by_territory.get(root_territory or "")
        if not signers:
            raise TrustedListError(
                f"the EU list of the lists does not point to a trusted list of "
                f"{root_territory or 'an unnamed territory'}",
                code="trusted-list-not-in-lotl",
            )
        lists.append(read_trusted_list(data, signers=signers, now=now))
    anchors: dict[str, Anchor] = {}
    for national_list in lists:
        for service in national_list.services:
            if not service.anchors_seals:
                continue
            for certificate in service.certificates:
                anchors.setdefault(
                    fingerprint(certificate),
                    Anchor(certificate, service.territory, service.provider, service.name),
                )
    return ImportResult(top, tuple(lists), tuple(anchors.values()))


def _peek_territory(data: bytes) -> str | None:
    """The territory a list claims (read before its signature is checked, only to choose the
    certificates that must have signed it)."""
    root = parse_xml(data[:MAX_LIST_BYTES])
    return _text(root.find(f"{_q('SchemeInformation')}/{_q('SchemeTerritory')}"))


__all__ = [
    "CA_QC",
    "FOR_ESEALS",
    "GRANTED",
    "Anchor",
    "AnchorHeader",
    "ImportResult",
    "Pointer",
    "TrustService",
    "TrustedList",
    "TrustedListError",
    "fingerprint",
    "import_trusted_lists",
    "parse_anchor_header",
    "read_trusted_list",
]
