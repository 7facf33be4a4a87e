"""Getting a credential out of an upload: sniffing the kind of file, and reading the signed
credential embedded in a PDF diploma.

A PDF's visible text proves nothing (anyone can edit it); what a verifier checks is the JSON
credential the issuer embedded as an associated file (``credential.json``). Uploads are
hostile, so every step is bounded: the file size and the page count, the walk over the
embedded-files name tree (entries, nodes, depth, cycles), and the attachment's size after
decompression, which this module does itself with a capped ``zlib`` call rather than through
pypdf, so a zip bomb stops at the limit instead of filling memory.
"""

from __future__ import annotations

import contextvars
import hashlib
import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import pypdf.filters
from pypdf import PdfReader, apply_configuration
from pypdf.errors import LimitReachedError as PdfLimitReached
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    StreamObject,
)

from diploma_exchange import strict_json
from diploma_exchange.errors import InvalidInput, LimitExceeded

UploadKind = Literal["json", "pdf", "image", "unknown"]

#: How far into a file the ``%PDF-`` header may start (readers tolerate leading junk).
PDF_HEADER_WINDOW = 1024
#: Bounds on the embedded-files name tree walk.
MAX_EMBEDDED_FILES = 64
MAX_NAME_TREE_NODES = 256
MAX_NAME_TREE_DEPTH = 16
#: Defaults of the inflate budgets and the object cap (settings ``max_pdf_*`` in ``config``).
DEFAULT_MAX_STREAM_BYTES: Final = 1024 * 1024
DEFAULT_MAX_INFLATE_BYTES: Final = 4 * 1024 * 1024
DEFAULT_MAX_OBJECTS: Final = 50_000
#: Elements of one PDF array or dictionary (pypdf's default is 100,000).
MAX_COLLECTION_ELEMENTS: Final = 10_000

_IMAGE_MAGIC: tuple[bytes, ...] = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",  # JPEG
    b"GIF87a",
    b"GIF89a",
    b"II*\x00",  # TIFF, little-endian
    b"MM\x00*",  # TIFF, big-endian
    b"BM",  # BMP
)
_JSON_TYPES = frozenset(
    {"application/json", "application/ld+json", "application/vc", "application/vc+ld+json"}
)
_IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff")
#: The attachment holding the diploma's transparency log evidence (never the credential).
LOG_BUNDLE_FILENAME: Final = "diploma.log.json"


@dataclass(frozen=True, slots=True)
class ExtractedCredential:
    """A credential found in a PDF: the parsed object, its exact bytes and its file name
    (as the PDF names it, reduced to a printable base name), and the transparency log
    evidence attached beside it (``diploma.log.json``) when there is one that is a JSON
    object. The evidence is not checked here: a verifier checks it against the logs it
    trusts, and evidence for another diploma proves nothing about this one."""

    credential: dict[str, Any]
    raw: bytes
    filename: str
    log_bundle: dict[str, Any] | None = None


def sniff_upload(data: bytes, filename: str | None, content_type: str | None) -> UploadKind:
    """Guess what an upload is: a JSON credential, a PDF, an image, or unknown.

    The content decides first (file signatures; a ``{`` after an optional BOM and
    whitespace means JSON; a ``%PDF-`` header within the first 1024 bytes); the file name's
    extension and then the declared content type are only used when the content is not
    recognised. Never raises.
    """
    head = data[:PDF_HEADER_WINDOW]
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(_IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "image"
    if head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n").startswith(b"{"):
        return "json"
    if b"%PDF-" in head:  # PDF readers accept junk before the header; checked after JSON
        return "pdf"
    name = (filename or "").strip().lower()
    if name.endswith((".json", ".jsonld")):
        return "json"
    if name.endswith(".pdf"):
        return "pdf"
    if name.endswith(_IMAGE_EXTENSIONS):
        return "image"
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    if mime in _JSON_TYPES or mime.endswith("+json"):
        return "json"
    if mime == "application/pdf":
        return "pdf"
    if mime.startswith("image/"):
        return "image"
    return "unknown"


@dataclass(slots=True)
class InflateBudget:
    """Bytes pypdf may inflate from one document, all streams together."""

    limit: int
    used: int = 0
    streams: int = field(default=0)

    def charge(self, size: int) -> None:
        """Count ``size`` inflated bytes.

        Raises:
            LimitExceeded: the document has inflated more than ``limit`` bytes in all
                (code ``pdf-inflate-limit``).
        """
        self.used += size
        self.streams += 1
        if self.used > self.limit:
            raise LimitExceeded(
                f"the PDF's internal streams inflate to more than {self.limit} bytes in all; a "
                "diploma PDF needs far less to be read",
                code="pdf-inflate-limit",
                extra={"limit": self.limit},
            )


_BUDGET: contextvars.ContextVar[InflateBudget | None] = contextvars.ContextVar(
    "pdf_inflate_budget", default=None
)
_decode_stream_data = pypdf.filters.decode_stream_data


def _budgeted_decode_stream_data(stream: Any) -> bytes:
    """pypdf's decoder, charging the budget of the extraction under way (if any).

    pypdf has per-stream limits but no per-document one, and it decodes cross-reference
    streams while its reader is being constructed, before a caller could count them. Its
    only caller of this function (``EncodedStreamObject.get_data``) looks it up in
    ``pypdf.filters`` at each call, so wrapping that name is the one place that sees every
    stream pypdf inflates. Outside an extraction (no budget set) it changes nothing.
    """
    data: bytes = _decode_stream_data(stream)
    budget = _BUDGET.get()
    if budget is not None:
        budget.charge(len(data))
    return data


pypdf.filters.decode_stream_data = _budgeted_decode_stream_data


def _unreadable(detail: str) -> InvalidInput:
    return InvalidInput(
        f"the PDF cannot be read ({detail}); upload the PDF diploma as issued, the credential "
        "JSON, or a photo of the QR code",
        code="pdf-unreadable",
    )


def _resolve(obj: Any) -> tuple[Any, Any]:
    """``(identity, object)``: the identity tells repeated visits of one object apart."""
    if isinstance(obj, IndirectObject):
        return (obj.idnum, obj.generation), obj.get_object()
    return id(obj), obj


def _get(obj: Any, key: str) -> Any:
    """``obj[key]`` resolved when ``obj`` is a PDF dictionary that has it, else None."""
    if isinstance(obj, DictionaryObject) and key in obj:
        return _resolve(obj.raw_get(key))[1]
    return None


def _text(value: Any) -> str:
    return str(value) if isinstance(value, str) else ""


def _name_tree_values(root: Any) -> Iterator[Any]:
    """The values of a PDF name tree (ISO 32000 7.9.6), walked iteratively with bounds."""
    stack: list[tuple[Any, int]] = [(root, 0)]
    seen: set[Any] = set()
    found = 0
    while stack:
        node_ref, depth = stack.pop()
        identity, node = _resolve(node_ref)
        if identity in seen or not isinstance(node, DictionaryObject):
            continue
        seen.add(identity)
        if len(seen) > MAX_NAME_TREE_NODES:
            raise LimitExceeded(
                f"the PDF's list of attachments has more than {MAX_NAME_TREE_NODES} nodes",
                code="pdf-too-many-attachments",
            )
        names = _get(node, "/Names")
        if isinstance(names, ArrayObject):
            for index in range(1, len(names), 2):
                found += 1
                if found > MAX_EMBEDDED_FILES:
                    raise LimitExceeded(
                        f"the PDF has more than {MAX_EMBEDDED_FILES} attachments",
                        code="pdf-too-many-attachments",
                    )
                yield names[index]
        kids = _get(node, "/Kids")
        if isinstance(kids, ArrayObject) and depth < MAX_NAME_TREE_DEPTH:
            # Reversed so that the leftmost kid is visited first (name order).
            stack.extend((kid, depth + 1) for kid in reversed(kids[:MAX_NAME_TREE_NODES]))


def _safe_filename(name: str) -> str:
    """The last path component, without control characters, at most 255 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(char for char in base if char.isprintable())[:255]


@dataclass(frozen=True, slots=True)
class _Candidate:
    rank: int
    filename: str
    stream: StreamObject


def _candidate(filespec_ref: Any) -> _Candidate | None:
    """A JSON attachment described by a file specification, ranked; None if not JSON."""
    _, spec = _resolve(filespec_ref)
    if not isinstance(spec, DictionaryObject):
        return None
    ef = _get(spec, "/EF")
    stream = _get(ef, "/UF")
    if not isinstance(stream, StreamObject):
        stream = _get(ef, "/F")
    if not isinstance(stream, StreamObject):
        return None
    filename = _safe_filename(_text(_get(spec, "/UF")) or _text(_get(spec, "/F")))
    subtype = _get(stream, "/Subtype")
    mime = str(subtype).lstrip("/").lower() if isinstance(subtype, NameObject) else ""
    is_json = filename.lower().endswith((".json", ".jsonld")) or mime.endswith("json")
    if not is_json:
        return None
    if filename == LOG_BUNDLE_FILENAME:
        return _Candidate(rank=_BUNDLE_RANK, filename=filename, stream=stream)
    relationship = _get(spec, "/AFRelationship")
    rank = 0 if isinstance(relationship, NameObject) and relationship == "/Source" else 1
    return _Candidate(rank=rank, filename=filename or "credential.json", stream=stream)


_BUNDLE_RANK: Final = 99


def _find_attachments(reader: PdfReader) -> tuple[_Candidate | None, _Candidate | None]:
    """The credential's attachment (the source, else the first JSON one) and the log
    bundle's (``diploma.log.json``), each None when absent."""
    catalog = _get(reader.trailer, "/Root")
    if not isinstance(catalog, DictionaryObject):
        raise _unreadable("it has no document catalog")
    specs: list[Any] = []
    associated = _get(catalog, "/AF")
    if isinstance(associated, ArrayObject):
        specs.extend(associated[:MAX_EMBEDDED_FILES])
    names = _get(catalog, "/Names")
    if isinstance(names, DictionaryObject) and "/EmbeddedFiles" in names:
        specs.extend(_name_tree_values(names.raw_get("/EmbeddedFiles")))
    best: _Candidate | None = None
    bundle: _Candidate | None = None
    seen: set[Any] = set()
    for spec in specs:
        identity, _ = _resolve(spec)
        if identity in seen:
            continue
        seen.add(identity)
        candidate = _candidate(spec)
        if candidate is None:
            continue
        if candidate.rank == _BUNDLE_RANK:
            bundle = bundle or candidate
        elif best is None or candidate.rank < best.rank:
            best = candidate
    return best, bundle


def _filters(stream: StreamObject) -> list[str]:
    value = _get(stream, "/Filter")
    if value is None:
        return []
    if isinstance(value, NameObject):
        return [str(value)]
    if isinstance(value, ArrayObject):
        return [str(_resolve(item)[1]) for item in value[:8]]
    return ["?"]


def _stream_bytes(stream: StreamObject, max_bytes: int) -> bytes:
    """The decoded content of an attachment stream, decompressed with a hard output cap."""
    filters = _filters(stream)
    if filters not in ([], ["/FlateDecode"], ["/Fl"]):
        raise InvalidInput(
            f"the embedded credential is encoded with {', '.join(filters)}; only uncompressed "
            "or Flate-compressed attachments are accepted",
            code="pdf-unsupported-attachment",
        )
    parms = _get(stream, "/DecodeParms")
    if isinstance(parms, ArrayObject) and parms:
        parms = _resolve(parms[0])[1]
    if _get(parms, "/Predictor") not in (1, None):
        raise InvalidInput(
            "the embedded credential uses a PNG/TIFF predictor; only plain Flate compression "
            "is accepted",
            code="pdf-unsupported-attachment",
        )
    # The stored (still encoded) bytes: StreamObject.get_data is the undecoded buffer, while
    # the subclass pypdf returns for filtered streams would decompress without our cap.
    raw = StreamObject.get_data(stream)
    too_large = LimitExceeded(
        f"the embedded credential is larger than {max_bytes} bytes; a diploma credential is "
        "a few kilobytes",
        code="pdf-attachment-too-large",
        extra={"limit": max_bytes},
    )
    if not filters:
        if len(raw) > max_bytes:
            raise too_large
        return raw
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(raw, max_bytes + 1)
    except zlib.error as exc:
        raise _unreadable("the embedded credential's compressed data is corrupt") from exc
    if len(out) > max_bytes:
        raise too_large
    return out


def _check_checksum(stream: StreamObject, content: bytes) -> None:
    """Compare with the optional MD5 ``/CheckSum`` of the attachment (a corruption check).

    ISO 32000 defines it over the file's own bytes; some writers (fpdf2 with compression)
    hash the stored, compressed bytes instead, which is accepted too.
    """
    checksum = _get(_get(stream, "/Params"), "/CheckSum")
    expected = getattr(checksum, "original_bytes", None)
    if not (isinstance(expected, bytes) and len(expected) == 16):
        return
    for data in (content, StreamObject.get_data(stream)):
        if hashlib.md5(data, usedforsecurity=False).digest() == expected:
            return
    raise _unreadable("the embedded credential does not match its checksum")


def _object_count(reader: PdfReader) -> int:
    """Objects the cross-reference data declares (in the file and in object streams)."""
    return sum(len(table) for table in reader.xref.values()) + len(reader.xref_objStm)


def _open(data: bytes, max_pages: int, max_objects: int) -> PdfReader:
    reader = PdfReader(io.BytesIO(data), strict=False, xref_stream_maximum_entries=max_objects)
    count = _object_count(reader)
    if count > max_objects:
        raise LimitExceeded(
            f"the PDF declares {count} objects; a diploma PDF has far fewer than {max_objects}",
            code="pdf-too-many-objects",
            extra={"limit": max_objects},
        )
    if reader.is_encrypted:
        raise InvalidInput(
            "the PDF is encrypted or password-protected; upload the PDF diploma as issued, "
            "or the credential JSON",
            code="pdf-encrypted",
        )
    # /Count first: a cheap refusal of a huge page tree before pypdf walks it.
    declared = _get(_get(_get(reader.trailer, "/Root"), "/Pages"), "/Count")
    count = declared if isinstance(declared, int) and declared > max_pages else len(reader.pages)
    if count > max_pages:
        raise LimitExceeded(
            f"the PDF has {count} pages; a diploma PDF has at most {max_pages}",
            code="pdf-too-many-pages",
            extra={"limit": max_pages},
        )
    return reader


def _pypdf_limits(max_stream_bytes: int, file_size: int) -> dict[str, int]:
    """pypdf's own limits (``pypdf.Configuration``), tightened for one upload."""
    return {
        "maximum_declared_stream_length": file_size,
        "array_based_stream_maximum_output_length": max_stream_bytes,
        "jbig2_maximum_output_length": max_stream_bytes,
        "lzw_maximum_output_length": max_stream_bytes,
        "run_length_maximum_output_length": max_stream_bytes,
        "zlib_maximum_output_length": max_stream_bytes,
        "zlib_maximum_recovery_input_length": min(file_size, max_stream_bytes),
        "brotli_maximum_output_length": max_stream_bytes,
        "image_maximum_buffer_size": max_stream_bytes,
        "stream_decoding_work_maximum_length": 2 * max_stream_bytes,
        "array_maximum_element_count": MAX_COLLECTION_ELEMENTS,
        "dictionary_maximum_element_count": MAX_COLLECTION_ELEMENTS,
    }


def extract_credential_from_pdf(
    data: bytes,
    *,
    max_bytes: int = 10 * 1024 * 1024,
    max_pages: int = 50,
    max_attachment_bytes: int = 1024 * 1024,
    max_json_depth: int = 32,
    max_stream_bytes: int = DEFAULT_MAX_STREAM_BYTES,
    max_inflate_bytes: int = DEFAULT_MAX_INFLATE_BYTES,
    max_objects: int = DEFAULT_MAX_OBJECTS,
) -> ExtractedCredential:
    """Read the signed credential embedded in a PDF diploma.

    The credential is the JSON attachment the PDF declares as its source (a PDF/A-3
    associated file with ``/AFRelationship /Source``), else any ``.json`` attachment
    (``/AF`` first, then the ``/EmbeddedFiles`` name tree). The visible pages are ignored:
    the result is exactly what the issuer embedded, whoever edited the page content since.
    The credential is only parsed here, not verified.

    Raises:
        LimitExceeded: the file is over ``max_bytes`` (code ``pdf-too-large``), has more than
            ``max_pages`` pages (``pdf-too-many-pages``) or too many attachments
            (``pdf-too-many-attachments``), the attachment inflates beyond
            ``max_attachment_bytes`` (``pdf-attachment-too-large``), or its JSON is nested
            deeper than ``max_json_depth`` (``pdf-not-a-credential``), a stream pypdf decodes
            inflates beyond ``max_stream_bytes`` or all of them together beyond
            ``max_inflate_bytes`` (``pdf-inflate-limit``), or the file declares more than
            ``max_objects`` objects (``pdf-too-many-objects``).
        InvalidInput: not a PDF or a broken one (``pdf-unreadable``), encrypted
            (``pdf-encrypted``), no embedded credential (``pdf-no-credential``), an
            attachment encoding other than none or Flate (``pdf-unsupported-attachment``),
            or an attachment that is not a single strict JSON object (``pdf-not-a-credential``).
    """
    if len(data) > max_bytes:
        raise LimitExceeded(
            f"the PDF is {len(data)} bytes; the limit is {max_bytes} bytes",
            code="pdf-too-large",
            extra={"limit": max_bytes},
        )
    if b"%PDF-" not in data[:PDF_HEADER_WINDOW]:
        raise _unreadable("it does not start with a PDF header")
    budget = InflateBudget(max_inflate_bytes)
    token = _BUDGET.set(budget)
    try:
        with apply_configuration(None, **_pypdf_limits(max_stream_bytes, len(data))):
            reader = _open(data, max_pages, max_objects)
            candidate, bundle_candidate = _find_attachments(reader)
            if candidate is None:
                raise InvalidInput(
                    "the PDF has no embedded credential (credential.json); it may be a scan "
                    "or a re-saved copy. Upload the credential JSON file instead, or scan the "
                    "QR code on the diploma",
                    code="pdf-no-credential",
                )
            raw = _stream_bytes(candidate.stream, max_attachment_bytes)
            _check_checksum(candidate.stream, raw)
            bundle_raw = _optional_attachment(bundle_candidate, max_attachment_bytes)
    except InvalidInput:
        raise
    except PdfLimitReached as exc:
        raise LimitExceeded(
            f"the PDF is over a reading limit ({exc}); a diploma PDF is well within them",
            code="pdf-inflate-limit",
            extra={"limit": max_stream_bytes},
        ) from exc
    except Exception as exc:
        # pypdf signals malformed files with many exception types (PdfReadError, KeyError,
        # ValueError, TypeError, RecursionError, ...); all mean "this PDF cannot be read".
        raise _unreadable(type(exc).__name__) from exc
    finally:
        _BUDGET.reset(token)
    try:
        credential = strict_json.loads_storable(
            raw, max_bytes=max_attachment_bytes, max_depth=max_json_depth
        )
    except LimitExceeded as exc:
        raise LimitExceeded(
            f"the embedded credential is not acceptable JSON: {exc.message}",
            code="pdf-not-a-credential",
            extra=exc.extra,
        ) from exc
    except ValueError as exc:
        # InvalidInput, and also the stdlib's own ValueError for absurdly long numbers.
        message = exc.message if isinstance(exc, InvalidInput) else str(exc)
        raise InvalidInput(
            f"the embedded file {candidate.filename!r} is not valid JSON: {message}",
            code="pdf-not-a-credential",
            extra={"cause": exc.code} if isinstance(exc, InvalidInput) else None,
        ) from exc
    if not isinstance(credential, dict):
        raise InvalidInput(
            f"the embedded file {candidate.filename!r} is JSON but not a JSON object, so it "
            "is not a credential",
            code="pdf-not-a-credential",
        )
    return ExtractedCredential(
        credential=credential,
        raw=raw,
        filename=candidate.filename,
        log_bundle=_json_object_or_none(bundle_raw, max_attachment_bytes, max_json_depth),
    )


def _optional_attachment(candidate: _Candidate | None, max_bytes: int) -> bytes | None:
    """The bytes of an attachment that is evidence, not the credential: a damaged one is
    treated as absent (the credential still verifies, online), never as a broken PDF."""
    if candidate is None:
        return None
    try:
        content = _stream_bytes(candidate.stream, max_bytes)
        _check_checksum(candidate.stream, content)
    except InvalidInput:
        return None
    return content


def _json_object_or_none(
    raw: bytes | None, max_bytes: int, max_depth: int
) -> dict[str, Any] | None:
    if raw is None:
        return None
    try:
        value = strict_json.loads_storable(raw, max_bytes=max_bytes, max_depth=max_depth)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


__all__ = [
    "DEFAULT_MAX_INFLATE_BYTES",
    "DEFAULT_MAX_OBJECTS",
    "DEFAULT_MAX_STREAM_BYTES",
    "LOG_BUNDLE_FILENAME",
    "ExtractedCredential",
    "InflateBudget",
    "UploadKind",
    "extract_credential_from_pdf",
    "sniff_upload",
]
