"""Format detection: what an input is, before anything is verified.

The content decides (file signatures, the JOSE/COSE header's ``typ``/``cty``, the
payload's members and ``@context``), never a file name. Detection reads at most what the
bounded decoders in :mod:`~diploma_exchange.formats.inputs` allow and never raises for a
malformed input: that is ``unknown`` with the reason in the label.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from diploma_exchange.errors import InvalidInput, LimitExceeded
from diploma_exchange.formats.claims import contexts, vc_version
from diploma_exchange.formats.inputs import (
    PNG_MAGIC,
    b64url_decode,
    json_object,
    local_name,
    looks_like_compact_jws,
    parse_compact_jws,
    parse_xml,
    png_text_chunks,
    text_of,
)
from diploma_exchange.formats.model import FormatInfo, FormatName

OB2_CONTEXTS: Final = frozenset(
    {"https://w3id.org/openbadges/v2", "https://openbadgespec.org/v2/context.json"}
)
OB3_CONTEXT_PREFIX: Final = "https://purl.imsglobal.org/spec/ob/v3p0/context"
BLOCKCERTS_CONTEXT_MARKERS: Final = ("w3id.org/blockcerts/", "blockcerts.org/schema/")
EDC_CONTEXT_MARKER: Final = "data.europa.eu/snb/model/context"
_IMAGE_MAGIC: Final = (b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*", b"BM")
#: PNG text keywords of baked badges: OB 2.0 ("openbadges") and OB 3.0 ("openbadgecredential").
PNG_BADGE_KEYWORDS: Final = ("openbadges", "openbadgecredential")

_PDF = FormatInfo(
    FormatName.DIPLOMA_PDF, None, "application/pdf", "PDF diploma of this service", "pdf"
)


def _unknown(reason: str, media_type: str = "application/octet-stream") -> FormatInfo:
    return FormatInfo(FormatName.UNKNOWN, None, media_type, reason)


def _types(document: Mapping[str, Any]) -> list[str]:
    value = document.get("type")
    items = value if isinstance(value, list) else [value]
    return [t for t in items if isinstance(t, str)]


def _has_context(document: Mapping[str, Any], test: Any) -> bool:
    return any(isinstance(c, str) and test(c) for c in contexts(document))


def _type_has(value: Any, wanted: str) -> bool:
    return value == wanted or (isinstance(value, list) and wanted in value)


def is_blockcerts_v2(document: Mapping[str, Any]) -> bool:
    signature = document.get("signature")
    return isinstance(signature, Mapping) and _type_has(signature.get("type"), "MerkleProof2017")


def is_blockcerts(document: Mapping[str, Any]) -> bool:
    proof = document.get("proof")
    proofs = proof if isinstance(proof, list) else [proof]
    return (
        _has_context(document, lambda c: any(m in c for m in BLOCKCERTS_CONTEXT_MARKERS))
        or any(isinstance(p, Mapping) and p.get("type") == "MerkleProof2019" for p in proofs)
        or is_blockcerts_v2(document)
    )


def is_open_badges_2(document: Mapping[str, Any]) -> bool:
    return _has_context(document, lambda c: c in OB2_CONTEXTS)


def is_open_badges_3(document: Mapping[str, Any]) -> bool:
    return _has_context(document, lambda c: c.startswith(OB3_CONTEXT_PREFIX))


def is_edc(document: Mapping[str, Any]) -> bool:
    return _has_context(document, lambda c: EDC_CONTEXT_MARKER in c)


def detect_json(document: Mapping[str, Any], container: str | None = None) -> FormatInfo:
    """The format of a JSON object input."""
    if "payload" in document and ("signatures" in document or "signature" in document):
        return _detect_jws_json(document, container)
    if is_blockcerts(document):
        v2 = is_blockcerts_v2(document)
        return FormatInfo(
            FormatName.BLOCKCERTS,
            "2.0" if v2 else "3.0",
            "application/json",
            "Blockcerts certificate",
            container,
            "merkle-proof-2017" if v2 else "merkle-proof-2019",
        )
    if is_open_badges_2(document) and "Assertion" in _types(document):
        verification = document.get("verification")
        kind = verification.get("type") if isinstance(verification, Mapping) else None
        securing: str | None = (
            "hosted" if kind in ("hosted", "HostedBadge") else str(kind or "hosted").lower()
        )
        return FormatInfo(
            FormatName.OPEN_BADGES_2,
            "2.0",
            "application/json",
            "Open Badges assertion",
            container,
            securing,
        )
    types = _types(document)
    version = vc_version(document)
    if "VerifiablePresentation" in types:
        return FormatInfo(
            FormatName.VP_DATA_INTEGRITY,
            version,
            "application/vp",
            "Verifiable Presentation",
            container,
            "data-integrity" if "proof" in document else None,
        )
    if "VerifiableCredential" in types or version is not None:
        securing = "data-integrity" if "proof" in document else None
        if is_open_badges_3(document):
            return FormatInfo(
                FormatName.OPEN_BADGES_3,
                "3.0",
                "application/vc",
                "Open Badges 3.0 credential",
                container,
                securing,
            )
        if is_edc(document):
            return FormatInfo(
                FormatName.EUROPASS_EDC,
                version,
                "application/vc",
                "Europass Digital Credential",
                container,
                securing,
            )
        return FormatInfo(
            FormatName.VC_DATA_INTEGRITY,
            version,
            "application/vc",
            "W3C Verifiable Credential",
            container,
            securing,
        )
    return _unknown(
        "a JSON object that is no credential format this verifier knows", "application/json"
    )


def _detect_jws_json(document: Mapping[str, Any], container: str | None) -> FormatInfo:
    signatures = document.get("signatures")
    first = signatures[0] if isinstance(signatures, list) and signatures else document
    header: dict[str, Any] = {}
    try:
        if isinstance(first, Mapping) and isinstance(first.get("protected"), str):
            header = json_object(
                b64url_decode(first["protected"], what="the JWS header"), what="the JWS header"
            )
    except InvalidInput:
        header = {}
    payload = document.get("payload")
    inner: dict[str, Any] | None = None
    if isinstance(payload, str):
        try:
            raw = (
                payload.encode("utf-8")
                if header.get("b64") is False
                else b64url_decode(payload, what="payload")
            )
            inner = json_object(raw, what="the JWS payload")
        except InvalidInput:
            inner = None
    jades = (
        "sigT" in header or "x5t#S256" in header or "etsiU" in (first.get("header") or {})
        if isinstance(first, Mapping)
        else False
    )
    if inner is not None and is_edc(inner):
        return FormatInfo(
            FormatName.EUROPASS_EDC,
            vc_version(inner),
            "application/jose+json",
            "Europass Digital Credential (JAdES seal)",
            container or "jws-json",
            "jades",
        )
    if inner is not None and jades:
        return FormatInfo(
            FormatName.VC_DATA_INTEGRITY if vc_version(inner) else FormatName.UNKNOWN,
            vc_version(inner),
            "application/jose+json",
            "JAdES-sealed JSON document",
            container or "jws-json",
            "jades",
        )
    return _unknown(
        "a JWS in JSON serialization whose payload is no known credential", "application/jose+json"
    )


def detect_compact(text: str, container: str | None = None) -> FormatInfo:
    """The format of a compact JWT/JWS or SD-JWT string."""
    issuer_jwt = text.split("~", 1)[0]
    try:
        token = parse_compact_jws(issuer_jwt)
        claims = token.payload_json()
    except InvalidInput as exc:
        if container in ("png", "svg"):
            # A badge baked into an image whose JWS cannot be read: a signed badge that is
            # broken, reported as such (the signature check fails), not as an image.
            return FormatInfo(
                FormatName.OPEN_BADGES_2,
                None,
                "application/jws",
                "baked Open Badge (unreadable signed assertion)",
                container,
                "signed",
            )
        return _unknown(f"a JWS-like string that cannot be read ({exc.message})", "application/jwt")
    typ = str(token.header.get("typ") or "").lower().removeprefix("application/")
    if "~" in text:
        if typ in ("vp+sd-jwt", "vp+ld+json+sd-jwt") and "@context" in claims:
            return FormatInfo(
                FormatName.VC_SD_JWT,
                vc_version(claims) or "2.0",
                "application/vp+sd-jwt",
                "Verifiable Presentation secured with SD-JWT (VC-JOSE-COSE)",
                container,
                "sd-jwt",
            )
        if typ in ("vc+sd-jwt", "vc+ld+json+sd-jwt") and "@context" in claims:
            return FormatInfo(
                FormatName.VC_SD_JWT,
                vc_version(claims) or "2.0",
                "application/vc+sd-jwt",
                "Verifiable Credential secured with SD-JWT (VC-JOSE-COSE)",
                container,
                "sd-jwt",
            )
        if isinstance(claims.get("vc"), Mapping):
            # A VC-JWT 1.1 whose claims are selectively disclosable (walt.id "SD-JWT" W3C).
            ob3 = is_open_badges_3(claims["vc"])
            return FormatInfo(
                FormatName.OPEN_BADGES_3 if ob3 else FormatName.VC_JWT,
                "3.0" if ob3 else vc_version(claims["vc"]) or "1.1",
                "application/jwt",
                ("Open Badges 3.0 credential" if ob3 else "Verifiable Credential")
                + " as a JWT with selective disclosure (VC Data Model 1.1 vc claim, SD-JWT)",
                container,
                "sd-jwt",
            )
        if "@context" in claims and "VerifiableCredential" in _types(claims):
            # A W3C credential as the SD-JWT payload under another typ (walt.id's
            # "jwt_vc_json" SD-JWTs): secured as VC-JOSE-COSE vc+sd-jwt secures it.
            return FormatInfo(
                FormatName.VC_SD_JWT,
                vc_version(claims) or "1.1",
                "application/vc+sd-jwt",
                "Verifiable Credential secured with SD-JWT",
                container,
                "sd-jwt",
            )
        media = "application/dc+sd-jwt" if typ != "vc+sd-jwt" else "application/vc+sd-jwt"
        return FormatInfo(
            FormatName.SD_JWT_VC,
            typ or None,
            media,
            "IETF SD-JWT Verifiable Credential",
            container,
            "sd-jwt",
        )
    if typ == "statuslist+jwt":
        return FormatInfo(
            FormatName.STATUS_LIST_TOKEN,
            None,
            "application/statuslist+jwt",
            "IETF Token Status List (JWT)",
            container,
            "jws",
        )
    if typ in ("vc+jwt", "vc+ld+json+jwt", "vc+ld+jwt") and "vc" not in claims:
        if is_open_badges_3(claims):
            return FormatInfo(
                FormatName.OPEN_BADGES_3,
                "3.0",
                "application/vc+jwt",
                "Open Badges 3.0 credential (JWT)",
                container,
                "jws",
            )
        return FormatInfo(
            FormatName.VC_JOSE,
            vc_version(claims) or "2.0",
            "application/vc+jwt",
            "Verifiable Credential secured with JOSE (VC-JOSE-COSE)",
            container,
            "jws",
        )
    if typ in ("vp+jwt", "vp+ld+json+jwt", "vp+ld+jwt") and "vp" not in claims:
        return FormatInfo(
            FormatName.VP_JOSE,
            vc_version(claims) or "2.0",
            "application/vp+jwt",
            "Verifiable Presentation secured with JOSE (VC-JOSE-COSE)",
            container,
            "jws",
        )
    if isinstance(claims.get("vc"), Mapping):
        vc = claims["vc"]
        if is_open_badges_3(vc):
            return FormatInfo(
                FormatName.OPEN_BADGES_3,
                "3.0",
                "application/jwt",
                "Open Badges 3.0 credential (VC-JWT)",
                container,
                "vc-jwt",
            )
        return FormatInfo(
            FormatName.VC_JWT,
            vc_version(vc) or "1.1",
            "application/jwt",
            "Verifiable Credential as a JWT (VC Data Model 1.1, vc claim)",
            container,
            "vc-jwt",
        )
    if isinstance(claims.get("vp"), Mapping):
        return FormatInfo(
            FormatName.VP_JWT,
            vc_version(claims["vp"]) or "1.1",
            "application/jwt",
            "Verifiable Presentation as a JWT (vp claim)",
            container,
            "vc-jwt",
        )
    if is_open_badges_2(claims) or ("badge" in claims and "recipient" in claims):
        return FormatInfo(
            FormatName.OPEN_BADGES_2,
            "2.0",
            "application/jws",
            "Open Badges assertion",
            container,
            "signed",
        )
    if "@context" in claims and "VerifiablePresentation" in _types(claims):
        return FormatInfo(
            FormatName.VP_JOSE,
            vc_version(claims),
            "application/vp+jwt",
            "Verifiable Presentation secured with JOSE",
            container,
            "jws",
        )
    if "@context" in claims and "VerifiableCredential" in _types(claims):
        return FormatInfo(
            FormatName.VC_JOSE,
            vc_version(claims),
            "application/vc+jwt",
            "Verifiable Credential secured with JOSE",
            container,
            "jws",
        )
    return _unknown("a JWT that carries no credential this verifier knows", "application/jwt")


def detect_cose(data: bytes, container: str | None = None) -> FormatInfo:
    from diploma_exchange.formats import cose

    try:
        message = cose.parse_cose_sign1(data)
    except InvalidInput as exc:
        return _unknown(
            f"CBOR that is not a readable COSE_Sign1 ({exc.message})", "application/cbor"
        )
    typ = message.header(cose.TYP)
    cty = message.header(cose.CONTENT_TYPE)
    names = {str(typ).lower(), str(cty).lower()}
    if names & {"application/statuslist+cwt", "statuslist+cwt"}:
        return FormatInfo(
            FormatName.STATUS_LIST_TOKEN,
            None,
            "application/statuslist+cwt",
            "IETF Token Status List (CWT)",
            container,
            "cose",
        )
    if names & {"application/vp+cose", "vp+cose"}:
        return FormatInfo(
            FormatName.VC_COSE,
            "2.0",
            "application/vp+cose",
            "Verifiable Presentation secured with COSE (VC-JOSE-COSE)",
            container,
            "cose",
        )
    return FormatInfo(
        FormatName.VC_COSE,
        "2.0",
        "application/vc+cose",
        "Verifiable Credential secured with COSE (VC-JOSE-COSE)",
        container,
        "cose",
    )


def _svg_badge(data: bytes) -> tuple[str, str] | None:
    """(kind, content) of an Open Badges element in an SVG: ``assertion`` (OB 2.0, its
    ``verify`` attribute holding a JWS, or JSON text) or ``credential`` (OB 3.0)."""
    root = parse_xml(data)
    if local_name(root) != "svg":
        return None
    for element in root.iter():
        name = local_name(element)
        if name in ("assertion", "credential") and "openbadges" in str(element.tag).lower() + str(
            element.prefix or ""
        ):
            verify = element.get("verify")
            text = (element.text or "").strip()
            return name, verify or text
    return None


def detect(data: bytes) -> FormatInfo:
    """Detect the format of an input (see the module docstring). A malformed input is
    ``unknown`` with the reason.

    Raises:
        LimitExceeded: a bounded decoder reached its limit (a decompression bomb in a PNG
            text chunk, too many chunks or XML elements): the input is refused, not reported.
    """
    try:
        return _detect(data)
    except LimitExceeded:
        raise
    except InvalidInput as exc:
        return _unknown(f"unreadable input: {exc.message}")


def _detect(data: bytes) -> FormatInfo:
    head = data[:1024]
    if head.startswith(b"%PDF-"):
        return _PDF
    if head.startswith(PNG_MAGIC):
        for keyword, text in png_text_chunks(data):
            if keyword in PNG_BADGE_KEYWORDS:
                inner = _detect_text(text.strip(), container="png")
                if inner.name is not FormatName.UNKNOWN:
                    return inner
        return FormatInfo(
            FormatName.DIPLOMA_QR, None, "image/png", "image (a QR code is looked for)", "image"
        )
    if head.startswith(_IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return FormatInfo(
            FormatName.DIPLOMA_QR, None, "image/*", "image (a QR code is looked for)", "image"
        )
    if head[:1] in (b"\xd2", b"\x84") or head[:2] == b"\xd8\x3d":
        return detect_cose(data)
    decoded = text_of(data)
    if decoded is None:
        return _unknown("binary data that is no known credential format")
    text = decoded
    if b"%PDF-" in head and not text.startswith(("{", "<")):
        return _PDF
    return _detect_text(text)


def _detect_text(text: str, container: str | None = None) -> FormatInfo:
    if text.startswith("{"):
        return detect_json(json_object(text, what="the input"), container)
    if text.startswith("<"):
        data = text.encode("utf-8")
        badge = _svg_badge(data)
        if badge is not None:
            inner = _detect_text(badge[1], container="svg")
            return inner
        return _detect_xml(data, container)
    if looks_like_compact_jws(text.split("~", 1)[0]):
        return detect_compact(text, container)
    if text.startswith("https://") and len(text) < 2048 and not any(c.isspace() for c in text):
        return FormatInfo(
            FormatName.UNKNOWN,
            None,
            "text/uri-list",
            "a URL (a hosted Open Badges assertion is fetched when fetching is allowed)",
            "url",
        )
    return _unknown("text that is no known credential format", "text/plain")


def _detect_xml(data: bytes, container: str | None) -> FormatInfo:
    root = parse_xml(data)
    has_signature = any(
        local_name(e) == "Signature" and "xmldsig" in str(e.tag) for e in root.iter()
    )
    namespace = str(root.tag)
    if "europa.eu" in namespace or "europass" in namespace.lower() or "elm" in namespace.lower():
        return FormatInfo(
            FormatName.EUROPASS_EDC,
            None,
            "application/xml",
            "Europass Digital Credential (XML" + (", XAdES seal)" if has_signature else ")"),
            container or "xml",
            "xades" if has_signature else None,
        )
    if has_signature:
        return FormatInfo(
            FormatName.UNKNOWN,
            None,
            "application/xml",
            "an XML-signed document of unknown kind",
            container or "xml",
            "xades",
        )
    return _unknown("XML that is no known credential format", "application/xml")


__all__ = ["detect", "detect_compact", "detect_cose", "detect_json", "is_blockcerts", "is_edc"]
