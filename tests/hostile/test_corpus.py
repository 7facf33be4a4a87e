"""Hostile-input corpus against the HTTP API, on SQLite and on PostgreSQL.

Every case is refused with a 4xx ``application/problem+json`` carrying its stable ``code``,
and nothing is written: the row count of every table in ``SQLModel.metadata`` is the same
before and after (abuse counters excepted, see ``world.COUNTER_TABLES``). Issuance cases put
the hostile part in the *last* diploma of a batch, so a batch that wrote its first diplomas
before noticing would fail the count.

The categories and where each is tested (here or elsewhere): ``README.md`` in this folder.
"""

from __future__ import annotations

import csv
import io
import json
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy.engine import Engine

from conftest import Tenant
from diploma_exchange.dids.remote import SafeFetcher
from diploma_exchange.services.verification import RemoteLookups
from diploma_exchange.verification.remote_status import RemoteStatusLists
from documents.test_extract import _pdf_with
from helpers import diploma_payload
from hostile.world import PROBLEM, row_counts

SEED_IDEMPOTENCY_KEY = "seed-batch-1"


@dataclass
class Ctx:
    """What a case may aim at: the seeded diploma, headers per role, the limits."""

    credential: dict[str, Any]
    headers: dict[str, dict[str, str]]
    max_body_bytes: int
    max_batch_size: int


@pytest.fixture
def ctx(client: TestClient, kaznu: Tenant, admin_key: str, settings: Any) -> Ctx:
    issued = client.post(
        "/v1/diplomas/batch",
        json={"diplomas": [diploma_payload(0)]},
        headers={**kaznu.headers, "Idempotency-Key": SEED_IDEMPOTENCY_KEY},
    )
    assert issued.status_code == 201, issued.text
    return Ctx(
        credential=issued.json()["credentials"][0]["verifiableCredential"],
        headers={
            "institution": kaznu.headers,
            "admin": {"Authorization": f"Bearer {admin_key}"},
            "anonymous": {},
        },
        max_body_bytes=settings.max_body_bytes,
        max_batch_size=settings.max_batch_size,
    )


# --- building hostile bodies -----------------------------------------------------------------


def text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def spliced(document: Any, marker: str, raw: str) -> bytes:
    """``document`` as JSON text with the string ``marker`` replaced by ``raw`` JSON text
    (what a serializer cannot produce: duplicate keys, lone surrogates, 1e400)."""
    serialized = text(document)
    assert text(marker) in serialized
    return serialized.replace(text(marker), raw, 1).encode("utf-8", "surrogatepass")


def batch_with_last(raw_last: str) -> bytes:
    """A batch of three diplomas whose last one is ``raw_last`` (JSON text)."""
    return spliced({"diplomas": [diploma_payload(1), diploma_payload(2), "LAST"]}, "LAST", raw_last)


def diploma_with(field_name: str, raw_value: str, i: int = 3) -> str:
    """One diploma as JSON text with ``field_name`` set to ``raw_value`` (JSON text)."""
    return spliced({**diploma_payload(i), field_name: "VALUE"}, "VALUE", raw_value).decode(
        "utf-8", "surrogatepass"
    )


def duplicated(field_name: str, i: int = 3) -> str:
    """One diploma as JSON text with ``field_name`` given twice (different values)."""
    payload = diploma_payload(i)
    head = text(payload)[:-1]
    return f"{head}, {text(field_name)}: {text(payload[field_name] + 'x')}}}"


def credential_with(ctx: Ctx, raw: str) -> str:
    """The seeded credential as JSON text with one more member ``"extra": raw``."""
    return text(ctx.credential)[:-1] + f', "extra": {raw}}}'


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def oversized(ctx: Ctx) -> bytes:
    return b'{"diplomas": [' + b'"x",' * (ctx.max_body_bytes // 4) + b'"x"]}'


def in_chunks(data: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    """A body without Content-Length (chunked), so the limit is enforced while streaming."""
    for start in range(0, len(data), size):
        yield data[start : start + size]


def png_pixel_bomb() -> bytes:
    """A PNG that claims 60,000 x 60,000 pixels (3.6 gigapixels) in a few hundred bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data).to_bytes(4, "big")
        return len(data).to_bytes(4, "big") + kind + data + crc

    header = (60000).to_bytes(4, "big") * 2 + bytes([8, 0, 0, 0, 0])
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1000))
        + chunk(b"IEND", b"")
    )


def png_text_bomb() -> bytes:
    """A PNG whose "openbadges" zTXt chunk (a baked badge) inflates from ~20 KB to 20 MB."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data).to_bytes(4, "big")
        return len(data).to_bytes(4, "big") + kind + data + crc

    deflate = zlib.compressobj(9)
    megabyte = b"{" * (1024 * 1024)
    inflating = b"".join(deflate.compress(megabyte) for _ in range(20)) + deflate.flush()
    header = (1).to_bytes(4, "big") * 2 + bytes([8, 0, 0, 0, 0])
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"zTXt", b"openbadges\x00\x00" + inflating)
        + chunk(b"IDAT", zlib.compress(b"\0\0"))
        + chunk(b"IEND", b"")
    )


def pdf_zlib_bomb() -> bytes:
    """A PDF whose attached credential inflates from ~200 KB to 200 MB."""
    deflate = zlib.compressobj(9)
    megabyte = bytes(1024 * 1024)
    bomb = b"".join(deflate.compress(megabyte) for _ in range(200)) + deflate.flush()
    return _pdf_with(bomb, flate=True)


def gzip_bomb(megabytes: int = 100) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    megabyte = bytes(1024 * 1024)
    return b"".join(compressor.compress(megabyte) for _ in range(megabytes)) + compressor.flush()


def small_png() -> bytes:
    out = io.BytesIO()
    Image.new("L", (32, 32), 255).save(out, "PNG")
    return out.getvalue()


# --- the corpus ------------------------------------------------------------------------------

JSON = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class Hostile:
    """One hostile request: ``request`` builds the keyword arguments of ``client.request``."""

    method: str
    path: str | Callable[[Ctx], str]
    request: Callable[[Ctx], dict[str, Any]]
    status: int
    code: str
    role: str = "institution"
    note: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)


def body(data: bytes | str | Callable[[Ctx], bytes | str], **headers: str) -> Any:
    def build(ctx: Ctx) -> dict[str, Any]:
        content = data(ctx) if callable(data) else data
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogatepass")
        return {"content": content, "headers": {**JSON, **headers}}

    return build


def upload(filename: str, data: bytes | Callable[[], bytes], ctype: str, **headers: str) -> Any:
    def build(ctx: Ctx) -> dict[str, Any]:
        content = data() if callable(data) else data
        return {"files": {"file": (filename, content, ctype)}, "headers": headers}

    return build


def raw(content: bytes | Callable[[Ctx], Any], **headers: str) -> Any:
    def build(ctx: Ctx) -> dict[str, Any]:
        return {"content": content(ctx) if callable(content) else content, "headers": headers}

    return build


def no_body(**headers: str) -> Any:
    return lambda ctx: {"headers": headers}


def vc_api(raw_credential: Callable[[Ctx], str]) -> Callable[[Ctx], str]:
    return lambda ctx: '{"verifiableCredential": ' + raw_credential(ctx) + "}"


def vc_issue(raw_credential: Callable[[Ctx], str]) -> Callable[[Ctx], str]:
    return lambda ctx: '{"credential": ' + raw_credential(ctx) + "}"


def an_assessment(raw_credits: str) -> str:
    return '{"receivingCountry": "JP", "qualification": {"country": "KZ", "credits": ' + (
        raw_credits + "}}"
    )


CORPUS: dict[str, Hostile] = {
    # -- oversized bodies (413) ------------------------------------------------------------------
    "oversized-body-with-content-length": Hostile(
        "POST", "/credentials/issue", body(oversized), 413, "limit-exceeded"
    ),
    "oversized-body-streamed-without-content-length": Hostile(
        "POST",
        "/v1/diplomas/batch",
        raw(lambda ctx: in_chunks(oversized(ctx)), **JSON),
        413,
        "limit-exceeded",
    ),
    "oversized-upload-to-the-api": Hostile(
        "POST",
        "/v1/verifications",
        upload("big.json", lambda: b"[" + b"0," * (1_100_000) + b"0]", "application/json"),
        413,
        "limit-exceeded",
        role="anonymous",
    ),
    "csv-larger-than-the-body-limit": Hostile(
        "POST",
        "/v1/diplomas/batch/csv",
        raw(
            lambda ctx: b"student_id\n" + b"x\n" * (ctx.max_body_bytes // 2),
            **{"Content-Type": "text/csv"},
        ),
        413,
        "limit-exceeded",
    ),
    # -- deep nesting (413) ----------------------------------------------------------------------
    "deep-nesting-in-the-last-diploma": Hostile(
        "POST",
        "/v1/diplomas/batch",
        body(batch_with_last(diploma_with("description", nested(40)))),
        413,
        "limit-exceeded",
    ),
    "deep-nesting-beyond-the-recursion-limit": Hostile(
        "POST", "/credentials/issue", body(nested(200_000)), 413, "limit-exceeded"
    ),
    "deep-nesting-in-an-uploaded-file": Hostile(
        "POST",
        "/v1/verifications",
        upload("deep.json", nested(1000).encode(), "application/json"),
        413,
        "limit-exceeded",
        role="anonymous",
    ),
    # -- duplicate keys (400) --------------------------------------------------------------------
    "duplicate-key-in-the-last-diploma": Hostile(
        "POST",
        "/v1/diplomas/batch",
        body(batch_with_last(duplicated("student_id"))),
        400,
        "duplicate-key",
    ),
    "duplicate-key-with-an-upper-case-content-type": Hostile(
        "POST",
        "/v1/diplomas",
        body(duplicated("student_id"), **{"Content-Type": "APPLICATION/JSON; charset=UTF-8"}),
        400,
        "duplicate-key",
        note="before: FastAPI parsed it leniently (last key won), the strict parser never ran",
    ),
    "duplicate-key-with-a-plus-json-content-type": Hostile(
        "POST",
        "/credentials/verify",
        body(
            vc_api(lambda ctx: credential_with(ctx, '{"id": "a", "id": "b"}')),
            **{"Content-Type": "application/ld+json"},
        ),
        400,
        "duplicate-key",
        role="anonymous",
    ),
    "duplicate-key-in-an-uploaded-file": Hostile(
        "POST",
        "/v1/verifications",
        upload("dup.json", b'{"@context": [], "id": "urn:a", "id": "urn:b"}', "application/json"),
        400,
        "duplicate-key",
        role="anonymous",
    ),
    "duplicate-key-in-a-partner-trust-list": Hostile(
        "POST",
        "/v1/partners/no-such-partner/trust-list",
        body('{"type": ["VerifiableCredential"], "type": []}'),
        400,
        "duplicate-key",
        role="admin",
    ),
    # -- empty JSON bodies (400) -----------------------------------------------------------------
    "empty-json-body-to-verify": Hostile(
        "POST",
        "/v1/verifications",
        body(b""),
        400,
        "upload-empty",
        role="anonymous",
        note="before: a 500 (the README's `curl --data @diploma.json` with an empty file)",
    ),
    "empty-json-body-as-a-partner-trust-list": Hostile(
        "POST",
        "/v1/partners/no-such-partner/trust-list",
        body(b""),
        400,
        "invalid-input",
        role="admin",
        note="before: a 500 (request.json() on an empty body)",
    ),
    # -- not UTF-8 (400) -------------------------------------------------------------------------
    "latin-1-json": Hostile(
        "POST",
        "/v1/diplomas",
        body(
            lambda ctx: (json.dumps(diploma_payload(3))[:-1] + ', "description": "Élève"}').encode(
                "latin-1"
            )
        ),
        400,
        "invalid-input",
    ),
    "utf-16-json": Hostile(
        "POST",
        "/v1/diplomas/batch",
        body(lambda ctx: text({"diplomas": [diploma_payload(1)]}).encode("utf-16")),
        400,
        "invalid-input",
    ),
    "latin-1-csv": Hostile(
        "POST",
        "/v1/diplomas/batch/csv",
        raw("student_id,full_name_en\n1,Élève\n".encode("latin-1"), **{"Content-Type": "text/csv"}),
        400,
        "invalid-input",
    ),
    "binary-uploaded-as-json": Hostile(
        "POST",
        "/v1/verifications",
        upload("credential.json", b"\xff\xd8\xff\xe0" + bytes(range(256)), "application/json"),
        400,
        "image-unreadable",
        role="anonymous",
        note="the content decides, not the name: a JPEG header is read as an image (of a QR code)",
    ),
    # -- lone surrogates and NUL (400) -----------------------------------------------------------
    "lone-surrogate-in-the-last-diploma": Hostile(
        "POST",
        "/v1/diplomas/batch",
        body(batch_with_last(diploma_with("description", '"a\\ud800b"'))),
        400,
        "invalid-unicode",
    ),
    "lone-surrogate-in-a-credential-to-sign": Hostile(
        "POST",
        "/credentials/issue",
        body(vc_issue(lambda ctx: credential_with(ctx, '"\\udfff"'))),
        400,
        "invalid-unicode",
        note="before: a 500 (UnicodeEncodeError while hashing the request)",
    ),
    "lone-surrogate-in-a-key": Hostile(
        "POST",
        "/credentials/verify",
        body(vc_api(lambda ctx: credential_with(ctx, '{"\\ud800": 1}'))),
        400,
        "invalid-unicode",
        role="anonymous",
    ),
    "lone-surrogate-in-an-uploaded-file": Hostile(
        "POST",
        "/v1/verifications",
        upload("s.json", b'{"@context": ["\\udc00"]}', "application/json"),
        400,
        "invalid-unicode",
        role="anonymous",
    ),
    "nul-in-the-last-diploma": Hostile(
        "POST",
        "/v1/diplomas/batch",
        body(batch_with_last(diploma_with("description", '"a\\u0000b"'))),
        400,
        "nul-character",
        note="before: a 500 on PostgreSQL (text cannot hold NUL)",
    ),
    "nul-in-an-institution-name": Hostile(
        "POST",
        "/v1/institutions",
        body('{"slug": "nul-university", "name": "Nul\\u0000 University"}'),
        400,
        "nul-character",
        role="admin",
    ),
    "nul-in-a-path-parameter": Hostile(
        "GET", "/v1/diplomas/urn%3Auuid%3Aa%00b", no_body(), 400, "nul-character"
    ),
    "nul-in-a-query-parameter": Hostile(
        "GET",
        "/v1/recognition/assessments?diplomaId=a%00b",
        no_body(),
        400,
        "nul-character",
        role="anonymous",
    ),
    "nul-in-a-header": Hostile(
        "POST",
        "/v1/diplomas",
        body(lambda ctx: text(diploma_payload(3)), **{"Idempotency-Key": "key\x00one"}),
        400,
        "nul-character",
    ),
    # -- numbers outside the I-JSON range (400) --------------------------------------------------
    "1e400-in-the-last-diploma": Hostile(
        "POST",
        "/v1/diplomas/batch",
        body(batch_with_last(diploma_with("credits", "1e400"))),
        400,
        "number-out-of-range",
    ),
    "2**53+1-in-a-diploma": Hostile(
        "POST",
        "/v1/diplomas",
        body(diploma_with("credits", str(2**53 + 1))),
        400,
        "number-out-of-range",
    ),
    "2**64-in-a-credential-to-verify": Hostile(
        "POST",
        "/credentials/verify",
        body(vc_api(lambda ctx: credential_with(ctx, str(2**64)))),
        400,
        "number-out-of-range",
        role="anonymous",
        note="before: verified (a verdict), though another JSON parser reads another number",
    ),
    "-1e400-in-an-assessment": Hostile(
        "POST",
        "/v1/recognition/assessments",
        body(an_assessment("-1e400")),
        400,
        "number-out-of-range",
        role="anonymous",
    ),
    "5000-digit-integer-in-an-uploaded-file": Hostile(
        "POST",
        "/v1/verifications",
        upload("n.json", b'{"n": ' + b"9" * 5000 + b"}", "application/json"),
        400,
        "number-out-of-range",
        role="anonymous",
    ),
    # -- huge arrays -----------------------------------------------------------------------------
    "batch-one-over-the-batch-limit": Hostile(
        "POST",
        "/v1/diplomas/batch",
        body(lambda ctx: text({"diplomas": [diploma_payload(1)] * (ctx.max_batch_size + 1)})),
        413,
        "limit-exceeded",
    ),
    "a-diploma-with-1001-courses": Hostile(
        "POST",
        "/v1/diplomas",
        body(
            lambda ctx: text(
                diploma_payload(1)
                | {"transcript": (diploma_payload(1)["transcript"] * 1001)[:1001]}
            )
        ),
        422,
        "request-validation",
        note="before: issued (only the 2 MiB body limit bounded a diploma's lists)",
    ),
    "a-diploma-taught-in-21-languages": Hostile(
        "POST",
        "/v1/diplomas",
        body(lambda ctx: text(diploma_payload(1) | {"language_of_instruction": ["en"] * 21})),
        422,
        "request-validation",
    ),
    "two-megabyte-array": Hostile(
        "POST",
        "/v1/verifications",
        body(lambda ctx: "[" + "0," * (ctx.max_body_bytes // 2) + "0]"),
        413,
        "limit-exceeded",
        role="anonymous",
    ),
    # -- wrong content types (415) ---------------------------------------------------------------
    "json-sent-as-text-plain": Hostile(
        "POST",
        "/v1/diplomas",
        body(lambda ctx: text(diploma_payload(3)), **{"Content-Type": "text/plain"}),
        415,
        "unsupported-media-type",
        note="before: 422 'Input should be a valid dictionary'",
    ),
    "json-without-a-content-type": Hostile(
        "POST",
        "/v1/diplomas",
        raw(lambda ctx: text(diploma_payload(3)).encode()),
        415,
        "unsupported-media-type",
    ),
    "a-form-instead-of-json": Hostile(
        "POST",
        "/v1/institutions",
        lambda ctx: {"data": {"slug": "form-university", "name": "Form University"}},
        415,
        "unsupported-media-type",
        role="admin",
    ),
    "a-multipart-upload-to-a-json-route": Hostile(
        "POST",
        "/v1/diplomas/batch",
        upload("batch.json", b'{"diplomas": []}', "application/json"),
        415,
        "unsupported-media-type",
    ),
    "json-to-the-csv-route": Hostile(
        "POST",
        "/v1/diplomas/batch/csv",
        body(lambda ctx: text({"diplomas": [diploma_payload(1)]})),
        415,
        "unsupported-media-type",
    ),
    "text-json-is-not-json": Hostile(
        "POST",
        "/credentials/verify",
        body(vc_api(lambda ctx: text(ctx.credential)), **{"Content-Type": "text/json"}),
        415,
        "unsupported-media-type",
        role="anonymous",
    ),
    "xml-to-the-verification-api": Hostile(
        "POST",
        "/v1/verifications",
        raw(b"<credential/>", **{"Content-Type": "application/xml"}),
        400,
        "unsupported-upload",
        role="anonymous",
        note="XML is accepted (XAdES-sealed Europass credentials); unsigned XML of no known "
        "kind is not a credential",
    ),
    "xml-with-an-entity-declaration": Hostile(
        "POST",
        "/v1/verifications",
        raw(
            b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "bb">]><a>&b;&b;</a>',
            **{"Content-Type": "application/xml"},
        ),
        400,
        "unsupported-upload",
        role="anonymous",
        note="a DTD is never read (no entity expansion): the document is unreadable",
    ),
    "text-that-is-no-credential": Hostile(
        "POST",
        "/v1/verifications",
        raw(b"hello, this is not a credential", **{"Content-Type": "text/plain"}),
        400,
        "invalid-input",
        role="anonymous",
    ),
    # -- compressed request bodies (415; never inflated) -----------------------------------------
    "gzip-bomb-request-body": Hostile(
        "POST",
        "/v1/diplomas/batch",
        raw(lambda ctx: gzip_bomb(20), **JSON, **{"Content-Encoding": "gzip"}),
        415,
        "unsupported-content-encoding",
    ),
    "deflate-request-body": Hostile(
        "POST",
        "/v1/verifications",
        raw(zlib.compress(b'{"@context": []}'), **JSON, **{"Content-Encoding": "deflate"}),
        415,
        "unsupported-content-encoding",
        role="anonymous",
    ),
    # -- decompression bombs in uploads ----------------------------------------------------------
    "pdf-zlib-bomb-on-the-verification-page": Hostile(
        "POST",
        "/verify",
        upload("diploma.pdf", pdf_zlib_bomb, "application/pdf", Accept="application/json"),
        413,
        "pdf-attachment-too-large",
        role="anonymous",
    ),
    "pdf-zlib-bomb-to-the-api": Hostile(
        "POST",
        "/v1/verifications",
        upload("diploma.pdf", pdf_zlib_bomb, "application/pdf"),
        413,
        "pdf-attachment-too-large",
        role="anonymous",
        note="the API reads PDF diplomas like the verification page: inflation stops at the limit",
    ),
    "png-pixel-bomb-to-the-api": Hostile(
        "POST",
        "/v1/verifications",
        upload("qr.png", png_pixel_bomb, "image/png"),
        413,
        "image-too-large",
        role="anonymous",
    ),
    "png-text-chunk-bomb-to-the-api": Hostile(
        "POST",
        "/v1/verifications",
        raw(lambda ctx: png_text_bomb(), **{"Content-Type": "image/png"}),
        413,
        "png-text-too-large",
        role="anonymous",
        note="a baked badge's zTXt chunk inflates only up to the limit",
    ),
    "cbor-that-is-no-cose-to-the-api": Hostile(
        "POST",
        "/v1/verifications",
        raw(b"\xd2\x84" + b"\xff" * 64, **{"Content-Type": "application/cbor"}),
        400,
        "malformed-cose",
        role="anonymous",
    ),
    # -- issuance that must write nothing ---------------------------------------------------------
    "last-diploma-valid-until-before-issuance": Hostile(
        "POST",
        "/v1/diplomas/batch",
        body(batch_with_last(diploma_with("valid_until", '"2001-01-01T00:00:00Z"'))),
        422,
        "invalid-credential",
        note="before: a 500 (the built credential failed validation after DiplomaData passed)",
    ),
    "last-diploma-fails-the-schema": Hostile(
        "POST",
        "/v1/diplomas/batch",
        body(batch_with_last(diploma_with("birth_date", '"2999-01-01"'))),
        422,
        "request-validation",
    ),
    "idempotency-key-reused-for-another-batch": Hostile(
        "POST",
        "/v1/diplomas/batch",
        body(
            lambda ctx: text({"diplomas": [diploma_payload(5)]}),
            **{"Idempotency-Key": SEED_IDEMPOTENCY_KEY},
        ),
        409,
        "idempotency-key-reused",
    ),
    # -- found by Schemathesis or this corpus: each was a 500 ------------------------------------
    "offset-beyond-the-database-integer": Hostile(
        "GET", f"/v1/diplomas?offset={2**63}", no_body(), 422, "request-validation"
    ),
    "audit-page-beyond-the-column": Hostile(
        "GET", f"/v1/audit-log?after={2**31}", no_body(), 422, "request-validation", role="admin"
    ),
    "audit-anchor-with-a-superscript-digit": Hostile(
        "GET",
        "/v1/audit-log/verification?anchor=%C2%B2:" + "0" * 64,
        no_body(),
        400,
        "invalid-input",
        role="admin",
    ),
    "partner-key-that-is-not-a-multikey": Hostile(
        "POST",
        "/v1/partners",
        body(
            '{"did": "did:web:nic.example.jp", "name": "Partner", "countryCode": "JP", '
            '"publicKeyMultibase": "zzz"}'
        ),
        400,
        "invalid-input",
        role="admin",
    ),
    "csv-whose-last-row-is-invalid": Hostile(
        "POST",
        "/v1/diplomas/batch/csv",
        raw(
            lambda ctx: csv_with_bad_last_row(),
            **{"Content-Type": "text/csv"},
        ),
        422,
        "invalid-credential",
    ),
}


def csv_with_bad_last_row() -> bytes:
    """The example graduating class with a ``valid_until`` before today on its last row: it
    parses, and fails only when its credential is built, after the rows before it."""
    path = Path(__file__).resolve().parents[2] / "examples" / "graduating-class.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert len(rows) >= 2
    for row in rows:
        row["valid_until"] = ""
    rows[-1]["valid_until"] = "2001-01-01T00:00:00Z"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


# --- the tests -------------------------------------------------------------------------------


def assert_refused(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """A 4xx problem+json with the expected status and stable code."""
    assert response.status_code == status, response.text[:2000]
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"].startswith(PROBLEM), response.headers
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status
    assert problem["code"] == code, problem
    assert problem["type"].endswith("/" + code)
    assert problem["detail"]
    return problem


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_hostile_input_is_refused_and_writes_nothing(
    name: str, client: TestClient, engine: Engine, ctx: Ctx
) -> None:
    case = CORPUS[name]
    request = case.request(ctx)
    headers = {**ctx.headers[case.role], **request.pop("headers", {})}
    path = case.path(ctx) if callable(case.path) else case.path
    before = row_counts(engine)
    response = client.request(case.method, path, headers=headers, **request)
    assert_refused(response, case.status, case.code)
    assert row_counts(engine) == before, "a refused request wrote rows"


def test_the_corpus_covers_every_issuance_route() -> None:
    """The issuance routes matter most for "never a partial write"."""
    paths = {case.path for case in CORPUS.values()}
    for route in ("/v1/diplomas", "/v1/diplomas/batch", "/v1/diplomas/batch/csv"):
        assert route in paths
    assert "/credentials/issue" in paths


def test_a_gzip_bomb_served_as_a_status_list_is_not_inflated(
    client: TestClient, engine: Engine, ctx: Ctx
) -> None:
    """A status list URL served as a gzip Content-Encoding bomb (100 MB of zeros in ~100 KB):
    the safe fetcher inflates at most its size limit and the status check reports an error.

    A *signed* list whose ``encodedList`` is a gzip bomb is refused by the bitstring decoder:
    ``tests/status/test_bitstring.py::test_gzip_bomb_is_refused_quickly_without_expanding_it``.
    """
    bomb = gzip_bomb(100)
    served: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        served.append(str(request.url))
        return httpx.Response(
            200,
            stream=httpx.ByteStream(bomb),
            headers={"Content-Type": "application/vc", "Content-Encoding": "gzip"},
        )

    fetcher = SafeFetcher(
        transport=httpx.MockTransport(handler), resolve_host=lambda host: ["93.184.216.34"]
    )
    app: Any = client.app
    app.state.remote = RemoteLookups(None, RemoteStatusLists(fetcher), fetcher)
    # A correctly signed credential (the status entries are read only from signed data) whose
    # status list lives at the bomb's URL.
    from datetime import UTC, datetime

    from adversarial.support import alumni, did_key_signer, resign

    did, signer = did_key_signer()
    credential = resign(
        alumni(
            did,
            credentialStatus={
                "id": "https://status.example.org/lists/1#7",
                "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation",
                "statusListIndex": "7",
                "statusListCredential": "https://status.example.org/lists/1",
            },
        ),
        signer,
        datetime.now(UTC),
    )
    before = row_counts(engine)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        response = client.post("/credentials/verify", json={"verifiableCredential": credential})
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    problem = assert_refused(response, 400, "credential-indeterminate")
    assert served and set(served) == {"https://status.example.org/lists/1"}
    checks = {check["name"]: check for check in problem["report"]["checks"]}
    revocation = checks["status.revocation"]
    assert revocation["status"] == "error", revocation
    assert "larger than" in revocation["message"], revocation
    assert peak < 40 * 1024 * 1024, f"{peak / 1e6:.0f} MB allocated: the bomb was inflated"
    assert elapsed < 10
    assert row_counts(engine) == before


#: Free-text fields of the issuance input, each with its own marker.
TEXT_FIELDS = (
    "student_id",
    "description",
    "criteria_narrative",
    "field_of_study",
    "specialization",
    "programme_code",
    "nqf_framework",
    "diploma_number",
)
LANGUAGE_MAPS = (
    "full_name",
    "given_name",
    "family_name",
    "patronymic_name",
    "qualification_name",
    "access_requirements",
    "access_to_further_study",
    "professional_status",
    "honours",
)


def markup(name: str) -> str:
    return f"<script>x_{name}</script><img src=x onerror=alert(1)>"


def escaped(name: str) -> str:
    return f"&lt;script&gt;x_{name}&lt;/script&gt;"


def _max_length(name: str) -> int | None:
    """The request schema's ``maxLength`` of a diploma field (the server refuses longer)."""
    from diploma_exchange.credentials.models import DiplomaData

    prop = DiplomaData.model_json_schema()["properties"][name]
    limits = [s.get("maxLength") for s in (prop, *prop.get("anyOf", ())) if s.get("maxLength")]
    return min(limits) if limits else None


def hostile_diploma() -> dict[str, Any]:
    payload = diploma_payload(8)
    for name in TEXT_FIELDS:
        text, limit = markup(name), _max_length(name)
        if limit is not None and len(text) > limit:
            text = f"<script>x_{name}</script>"  # the part the pages are checked for
            assert len(text) <= limit, f"no markup fits {name} ({limit} characters)"
        payload[name] = text
    for name in LANGUAGE_MAPS:
        payload[name] = {tag: markup(name) for tag in ("en", "kk", "ru")}
    course = payload["transcript"][0]
    # (grading scales and grades have formats, so no markup fits them)
    course.update(code=markup("course_code"), title={"en": markup("course_title")})
    course["term"] = "<b onclick=x>t</b>"
    return payload


def test_markup_in_every_credential_text_field_is_shown_as_text(
    settings: Any, engine: Engine, ctx: Ctx
) -> None:
    """Extends ``tests/web/test_graduate_and_links.py::test_markup_in_credential_text_is_shown_as_text``
    (the graduate's name and a link label) to every free-text input field and the
    institution's name, on every page that shows a diploma: the share link, the graduate's
    page, the verification result of an upload, and the recognition statement."""
    from conftest import PUBLIC_BASE_URL
    from diploma_exchange.api.app import create_app
    from web.test_graduate_and_links import claim, make_link

    with TestClient(
        create_app(settings, engine), base_url=PUBLIC_BASE_URL, follow_redirects=False
    ) as web:
        registered = web.post(
            "/v1/institutions",
            json={"slug": "markup-university", "name": markup("institution")},
            headers=ctx.headers["admin"],
        )
        assert registered.status_code == 201, registered.text
        key = registered.json()["apiKey"]["apiKey"]
        accredited = web.post(
            "/v1/institutions/markup-university/accreditations",
            json={"validFrom": "2015-01-01T00:00:00Z", "accreditingBody": markup("body")},
            headers=ctx.headers["admin"],
        )
        assert accredited.status_code == 201, accredited.text
        issued = web.post(
            "/v1/diplomas", json=hostile_diploma(), headers={"Authorization": f"Bearer {key}"}
        )
        assert issued.status_code == 201, issued.text
        credential = issued.json()["verifiableCredential"]
        claim(web, issued.json()["claim"]["code"])
        link = make_link(web)
        statement = web.post(
            "/v1/recognition/assessments", json={"receivingCountry": "JP", "credential": credential}
        )
        assert statement.status_code == 201, statement.text
        pages = {
            "share link": web.get(link).text,
            "graduate page": web.get("/me").text,
            "verification of an upload": web.post(
                "/verify",
                files={"file": ("d.json", json.dumps(credential).encode(), "application/json")},
            ).text,
            "recognition statement": web.get(
                f"/v1/recognition/assessments/{statement.json()['id']}",
                headers={"Accept": "text/html"},
            ).text,
        }
    for page_name, page in pages.items():
        assert "<script" not in page.lower(), page_name
        assert "<img src=x" not in page and "onerror=alert" not in page.replace(
            "onerror=alert(1)&gt;", ""
        ), page_name
        assert "<b onclick" not in page, page_name
    shown = {
        name
        for name in (*TEXT_FIELDS, *LANGUAGE_MAPS, "institution", "course_title", "course_code")
        if any(escaped(name) in page for page in pages.values())
    }
    # Every marked field is shown (as text) somewhere, so none of them is checked vacuously.
    expected = {*TEXT_FIELDS, *LANGUAGE_MAPS, "institution", "course_title", "course_code"}
    assert shown == expected, f"not shown on any page (drop them here?): {expected - shown}"


def test_years_before_1000_keep_four_digits(client: TestClient, ctx: Ctx) -> None:
    """``strftime("%Y")`` does not pad on glibc: an award in year 999 built "999-01-01T...",
    which failed the credential's own validation (a 500)."""
    payload = {**diploma_payload(9), "birth_date": "0980-01-01", "award_date": "0999-06-30"}
    payload.pop("study_start", None)
    payload.pop("study_end", None)
    response = client.post("/v1/diplomas", json=payload, headers=ctx.headers["institution"])
    assert response.status_code == 201, response.text
    credential = response.json()["verifiableCredential"]
    assert credential["awardedDate"] == "0999-06-30T00:00:00Z"


def test_an_accreditation_time_with_an_offset_is_signed_in_utc(
    client: TestClient, ctx: Ctx, kaznu: Tenant
) -> None:
    """A ``validFrom`` given as +06:00 was written as its local time with a "Z": six hours
    late in the signed accreditation."""
    response = client.post(
        f"/v1/institutions/{kaznu.slug}/accreditations",
        json={"accreditingBody": "IAAR", "validFrom": "2020-01-01T00:00:00+06:00"},
        headers=ctx.headers["admin"],
    )
    assert response.status_code == 201, response.text
    assert response.json()["validFrom"] == "2019-12-31T18:00:00Z"
