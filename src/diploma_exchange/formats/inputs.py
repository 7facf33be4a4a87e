"""Bounded decoding of the raw inputs the envelope formats arrive in.

Every decoder here has a limit on what it will read or produce: bytes in, JSON depth,
base64 segment sizes, PNG chunks and their decompression, XML (no DTD at all, so no entity
expansion, no external fetch). A malformed input raises :class:`InvalidInput` (or
:class:`LimitExceeded`) with a stable code; nothing here verifies anything.
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from lxml import etree  # type: ignore[import-untyped,unused-ignore]

from diploma_exchange import strict_json
from diploma_exchange.errors import InvalidInput, LimitExceeded

DEFAULT_MAX_BYTES: Final = 2 * 1024 * 1024
MAX_JSON_DEPTH: Final = 32
#: SD-JWT: at most this many disclosures (a diploma discloses tens of claims).
MAX_DISCLOSURES: Final = 1000
#: PNG: chunks walked and bytes an ``iTXt``/``zTXt`` may inflate to.
MAX_PNG_CHUNKS: Final = 10_000
MAX_PNG_TEXT_BYTES: Final = 1024 * 1024
MAX_XML_ELEMENTS: Final = 200_000

_B64URL: Final = re.compile(r"[A-Za-z0-9_-]*")
PNG_MAGIC: Final = b"\x89PNG\r\n\x1a\n"


def b64url_decode(text: str | bytes, *, what: str) -> bytes:
    """Decode unpadded base64url (RFC 7515 §2), strictly.

    Raises:
        InvalidInput: other characters, padding, or an impossible length (``bad-base64url``).
    """
    value = text.decode("ascii", "replace") if isinstance(text, bytes) else text
    if not _B64URL.fullmatch(value) or len(value) % 4 == 1:
        raise InvalidInput(f"{what} is not base64url without padding", code="bad-base64url")
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as exc:  # pragma: no cover - regex guards
        raise InvalidInput(f"{what} is not base64url", code="bad-base64url") from exc


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def json_object(
    data: bytes | str, *, what: str, max_bytes: int = DEFAULT_MAX_BYTES
) -> dict[str, Any]:
    """Parse strict JSON (no duplicate keys, bounded depth and size) that must be an object.

    Raises:
        InvalidInput: not JSON, or not an object (``not-a-json-object``).
        LimitExceeded: over the size or depth limit.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        value = strict_json.loads(raw, max_bytes=max_bytes, max_depth=MAX_JSON_DEPTH)
    except InvalidInput as exc:
        raise type(exc)(
            f"{what} is not acceptable JSON: {exc.message}", code=exc.code, extra=exc.extra
        ) from exc
    except ValueError as exc:  # the stdlib's own, e.g. for absurdly long numbers
        raise InvalidInput(f"{what} is not valid JSON", code="invalid-json") from exc
    if not isinstance(value, dict):
        raise InvalidInput(f"{what} is JSON but not an object", code="not-a-json-object")
    return value


@dataclass(frozen=True, slots=True)
class CompactJws:
    """A JWS in compact serialization (RFC 7515 §7.1), parsed but not verified."""

    header: dict[str, Any]
    payload: bytes
    signing_input: bytes
    signature: bytes
    text: str

    def payload_json(self, what: str = "the JWT payload") -> dict[str, Any]:
        return json_object(self.payload, what=what)


_COMPACT: Final = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*")


def looks_like_compact_jws(text: str) -> bool:
    return _COMPACT.fullmatch(text) is not None


def parse_compact_jws(text: str, *, what: str = "the JWS") -> CompactJws:
    """Split and decode a compact JWS; the header must be a JSON object with ``alg``.

    Raises:
        InvalidInput: not three base64url parts, a header that is not a JSON object or has
            no string ``alg`` (``malformed-jws``).
    """
    if not looks_like_compact_jws(text):
        raise InvalidInput(
            f"{what} is not a compact JWS (three base64url parts)", code="malformed-jws"
        )
    head, body, sig = text.split(".")
    header = json_object(b64url_decode(head, what=f"{what} header"), what=f"{what} header")
    if not isinstance(header.get("alg"), str):
        raise InvalidInput(f"{what} header has no alg", code="malformed-jws")
    payload = b64url_decode(body, what=f"{what} payload")
    if header.get("b64") is False:
        raise InvalidInput(
            f"{what} uses an unencoded payload (b64=false) in compact form", code="malformed-jws"
        )
    return CompactJws(
        header=header,
        payload=payload,
        signing_input=f"{head}.{body}".encode("ascii"),
        signature=b64url_decode(sig, what=f"{what} signature"),
        text=text,
    )


@dataclass(frozen=True, slots=True)
class SdJwtParts:
    """An SD-JWT (RFC 9901 §4): ``<issuer-jwt>~<disclosure>~...~[<kb-jwt>]``."""

    issuer_jwt: str
    disclosures: tuple[str, ...]
    key_binding_jwt: str | None


def split_sd_jwt(text: str) -> SdJwtParts:
    """Split the compact SD-JWT serialization (RFC 9901 §4).

    Raises:
        InvalidInput: no ``~`` separator, an empty disclosure, a part that is not base64url
            or a key-binding JWT that is not a compact JWS (``malformed-sd-jwt``).
        LimitExceeded: more than :data:`MAX_DISCLOSURES` disclosures.
    """
    if "~" not in text:
        raise InvalidInput("an SD-JWT has ~-separated parts", code="malformed-sd-jwt")
    parts = text.split("~")
    issuer_jwt, *middle, last = parts
    legacy = bool(last) and "." not in last and _B64URL.fullmatch(last) is not None
    if legacy:
        # Serialized without the final "~" (early drafts; walt.id's W3C SD-JWT): the last
        # part is a disclosure, checked against the signed digests like the others.
        middle, last = [*middle, last], ""
    if len(middle) > MAX_DISCLOSURES:
        raise LimitExceeded(
            f"the SD-JWT has more than {MAX_DISCLOSURES} disclosures", code="too-many-disclosures"
        )
    for disclosure in middle:
        if not disclosure or not _B64URL.fullmatch(disclosure):
            raise InvalidInput(
                "an SD-JWT disclosure is empty or not base64url", code="malformed-sd-jwt"
            )
    if last and not looks_like_compact_jws(last):
        raise InvalidInput(
            "the part after the last ~ of an SD-JWT must be empty or a key-binding JWT",
            code="malformed-sd-jwt",
        )
    return SdJwtParts(issuer_jwt, tuple(middle), last or None)


def text_of(data: bytes) -> str | None:
    """The input as text without BOM and surrounding white space, if it is UTF-8."""
    try:
        return data.removeprefix(b"\xef\xbb\xbf").decode("utf-8").strip()
    except UnicodeDecodeError:
        return None


# --- PNG (ISO/IEC 15948 §11.3.4: tEXt, zTXt, iTXt) ------------------------------------------


def png_text_chunks(data: bytes) -> Iterator[tuple[str, str]]:
    """``(keyword, text)`` of every tEXt, zTXt and iTXt chunk of a PNG, bounded.

    Raises:
        InvalidInput: not a PNG or a truncated one (``png-unreadable``).
        LimitExceeded: too many chunks, or a compressed text over the limit.
    """
    if not data.startswith(PNG_MAGIC):
        raise InvalidInput("not a PNG image", code="png-unreadable")
    offset = len(PNG_MAGIC)
    for _ in range(MAX_PNG_CHUNKS):
        if offset + 8 > len(data):
            raise InvalidInput("the PNG image is truncated", code="png-unreadable")
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        body = data[offset + 8 : offset + 8 + length]
        if len(body) != length:
            raise InvalidInput("the PNG image is truncated", code="png-unreadable")
        offset += 12 + length
        if kind == b"IEND":
            return
        if kind == b"tEXt":
            keyword, _, text = body.partition(b"\x00")
            yield keyword.decode("latin-1"), text.decode("latin-1")
        elif kind == b"zTXt":
            keyword, _, rest = body.partition(b"\x00")
            yield keyword.decode("latin-1"), _inflate(rest[1:]).decode("latin-1")
        elif kind == b"iTXt":
            keyword, _, rest = body.partition(b"\x00")
            if len(rest) < 2:
                raise InvalidInput("a PNG iTXt chunk is truncated", code="png-unreadable")
            compressed = rest[0] == 1
            rest = rest[2:]
            _language, _, rest = rest.partition(b"\x00")
            _translated, _, text = rest.partition(b"\x00")
            raw = _inflate(text) if compressed else text
            try:
                yield keyword.decode("latin-1"), raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InvalidInput("a PNG iTXt chunk is not UTF-8", code="png-unreadable") from exc
    raise LimitExceeded(
        f"the PNG has more than {MAX_PNG_CHUNKS} chunks", code="png-too-many-chunks"
    )


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, MAX_PNG_TEXT_BYTES + 1)
    except zlib.error as exc:
        raise InvalidInput("a compressed PNG text chunk is corrupt", code="png-unreadable") from exc
    if len(out) > MAX_PNG_TEXT_BYTES:
        raise LimitExceeded(
            f"a PNG text chunk inflates beyond {MAX_PNG_TEXT_BYTES} bytes",
            code="png-text-too-large",
        )
    return out


# --- XML ------------------------------------------------------------------------------------


def parse_xml(data: bytes) -> etree._Element:
    """Parse XML with every expansion switched off: a document with a DTD (the carrier of
    entity expansion and external entities) is refused outright, entities are not resolved,
    nothing is fetched, libxml2's own size limits stay on (no ``huge_tree``).

    Raises:
        InvalidInput: not well-formed, or a DTD (``xml-dtd-refused``).
        LimitExceeded: more than :data:`MAX_XML_ELEMENTS` elements.
    """
    if b"<!DOCTYPE" in data[:4096].upper() or b"<!ENTITY" in data.upper():
        raise InvalidInput(
            "XML with a DTD or entity declarations is not accepted", code="xml-dtd-refused"
        )
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise InvalidInput(f"the XML is not well-formed: {exc.msg}", code="xml-unreadable") from exc
    if root is None:  # pragma: no cover - fromstring raises instead
        raise InvalidInput("the XML is empty", code="xml-unreadable")
    for count, _ in enumerate(root.iter(), 1):
        if count > MAX_XML_ELEMENTS:
            raise LimitExceeded(
                f"the XML has more than {MAX_XML_ELEMENTS} elements", code="xml-too-large"
            )
    return root


def local_name(element: etree._Element) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


__all__ = [
    "CompactJws",
    "SdJwtParts",
    "b64url_decode",
    "b64url_encode",
    "json_object",
    "local_name",
    "looks_like_compact_jws",
    "parse_compact_jws",
    "parse_xml",
    "png_text_chunks",
    "split_sd_jwt",
    "text_of",
]
