"""Reading the embedded credential back out of PDFs, including edited and hostile ones."""

from __future__ import annotations

import io
import json
import time
import tracemalloc
import zlib
from datetime import UTC, datetime
from typing import Any

import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from diploma_exchange.credentials.samples import sample_diploma_credential
from diploma_exchange.documents.extract import (
    ExtractedCredential,
    extract_credential_from_pdf,
    sniff_upload,
)
from diploma_exchange.documents.pdf import render_diploma_pdf
from diploma_exchange.errors import InvalidInput, LimitExceeded

URL = "http://localhost:8000/s/abc123def456ghi789jkl012mno345pqr678"


@pytest.fixture(scope="module")
def credential() -> dict[str, Any]:
    return sample_diploma_credential(0)


@pytest.fixture(scope="module")
def rendered(credential: dict[str, Any]) -> bytes:
    return render_diploma_pdf(
        credential, verification_url=URL, generated_at=datetime(2026, 6, 21, tzinfo=UTC)
    )


def _write(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _attach(
    writer: PdfWriter,
    stored: bytes,
    *,
    name: str = "credential.json",
    flate: bool = False,
    filters: list[str] | None = None,
    mime: str | None = "application/json",
    relationship: str | None = "Source",
    in_af: bool = True,
    in_names: bool = True,
) -> None:
    """Attach ``stored`` as-is (already compressed when ``flate``), bypassing pypdf's encoder."""
    stream = DecodedStreamObject()
    stream.set_data(stored)  # raw bytes, written verbatim with their /Length
    stream[NameObject("/Type")] = NameObject("/EmbeddedFile")
    chosen = filters or (["/FlateDecode"] if flate else [])
    if chosen:
        stream[NameObject("/Filter")] = ArrayObject(NameObject(f) for f in chosen)
    if mime:
        stream[NameObject("/Subtype")] = NameObject("/" + mime)
    stream[NameObject("/Params")] = DictionaryObject({NameObject("/Size"): NumberObject(1)})
    spec = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Filespec"),
            NameObject("/F"): TextStringObject(name),
            NameObject("/UF"): TextStringObject(name),
            NameObject("/EF"): DictionaryObject({NameObject("/F"): writer._add_object(stream)}),
        }
    )
    if relationship:
        spec[NameObject("/AFRelationship")] = NameObject("/" + relationship)
    spec_ref = writer._add_object(spec)
    root = writer.root_object
    if in_af:
        existing = root.get("/AF")
        af = existing.get_object() if existing is not None else ArrayObject()
        af.append(spec_ref)
        root[NameObject("/AF")] = af
    if in_names:
        names = root.setdefault(NameObject("/Names"), DictionaryObject()).get_object()
        tree = names.setdefault(
            NameObject("/EmbeddedFiles"),
            DictionaryObject({NameObject("/Names"): ArrayObject()}),
        ).get_object()
        tree["/Names"].extend([TextStringObject(name), spec_ref])


def _pdf_with(stored: bytes, **kwargs: Any) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    _attach(writer, stored, **kwargs)
    return _write(writer)


def _fails(data: bytes, code: str, **limits: Any) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        extract_credential_from_pdf(data, **limits)
    assert caught.value.code == code, caught.value
    return caught.value


# ---- round trips ------------------------------------------------------------------------------


def test_round_trip(rendered: bytes, credential: dict[str, Any]) -> None:
    extracted = extract_credential_from_pdf(rendered)
    assert isinstance(extracted, ExtractedCredential)
    assert extracted.credential == credential
    assert extracted.raw == json.dumps(credential, ensure_ascii=False, indent=2).encode()
    assert extracted.filename == "credential.json"


def test_flate_compressed_attachment(credential: dict[str, Any]) -> None:
    raw = json.dumps(credential).encode()
    extracted = extract_credential_from_pdf(_pdf_with(zlib.compress(raw), flate=True))
    assert extracted.raw == raw
    assert extracted.credential == credential


def test_attachment_only_in_the_name_tree(credential: dict[str, Any]) -> None:
    raw = json.dumps(credential).encode()
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_attachment("diploma.json", raw)  # pypdf's own writer: no /AF, compressed
    extracted = extract_credential_from_pdf(_write(writer))
    assert extracted.credential == credential
    assert extracted.filename == "diploma.json"


def test_the_source_attachment_wins_over_other_json(credential: dict[str, Any]) -> None:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    _attach(writer, b'{"decoy": true}', name="a-decoy.json", relationship="Data")
    _attach(writer, json.dumps(credential).encode(), name="z-credential.json")
    extracted = extract_credential_from_pdf(_write(writer))
    assert extracted.filename == "z-credential.json"
    assert extracted.credential == credential


def test_json_recognised_by_mime_type(credential: dict[str, Any]) -> None:
    pdf = _pdf_with(json.dumps(credential).encode(), name="credential", relationship=None)
    assert extract_credential_from_pdf(pdf).credential == credential


def test_the_attachment_name_is_reduced_to_a_base_name(credential: dict[str, Any]) -> None:
    pdf = _pdf_with(json.dumps(credential).encode(), name="..\\../etc/\x07cred.json")
    assert extract_credential_from_pdf(pdf).filename == "cred.json"


# ---- edited visible content -------------------------------------------------------------------


def _forged_overlay() -> PdfReader:
    overlay = FPDF(format="A4")
    overlay.add_page()
    overlay.set_font("helvetica", "B", 40)
    overlay.set_fill_color(255, 255, 255)
    overlay.rect(20, 100, 170, 60, style="F")
    overlay.set_xy(20, 110)
    overlay.cell(text="FORGED John Doe")
    return PdfReader(io.BytesIO(bytes(overlay.output())))


def test_visible_edits_do_not_change_the_embedded_credential(
    rendered: bytes, credential: dict[str, Any]
) -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(rendered)))
    writer.pages[0].merge_page(_forged_overlay().pages[0])
    forged = _write(writer)
    assert "FORGED John Doe" in PdfReader(io.BytesIO(forged)).pages[0].extract_text()
    assert extract_credential_from_pdf(forged).credential == credential


def test_replaced_page_content_does_not_change_the_embedded_credential(
    rendered: bytes, credential: dict[str, Any]
) -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(rendered)))
    page = writer.pages[0]
    content = DecodedStreamObject()
    content.set_data(b"BT /F1 48 Tf 72 400 Td (FORGED) Tj ET")
    page[NameObject("/Contents")] = writer._add_object(content)
    page[NameObject("/Resources")] = DictionaryObject(
        {
            NameObject("/Font"): DictionaryObject(
                {
                    NameObject("/F1"): DictionaryObject(
                        {
                            NameObject("/Type"): NameObject("/Font"),
                            NameObject("/Subtype"): NameObject("/Type1"),
                            NameObject("/BaseFont"): NameObject("/Helvetica"),
                        }
                    )
                }
            )
        }
    )
    forged = _write(writer)
    text = PdfReader(io.BytesIO(forged)).pages[0].extract_text()
    assert "FORGED" in text and "Aigerim" not in text
    assert extract_credential_from_pdf(forged).credential == credential


def test_an_attachment_that_does_not_match_its_checksum(rendered: bytes) -> None:
    needle = b'"diplomaNumber": "JB-B 0012345"'
    assert rendered.count(needle) == 1  # stored uncompressed, so editable in place
    tampered = rendered.replace(needle, b'"diplomaNumber": "JB-B 0012346"')
    error = _fails(tampered, "pdf-unreadable")
    assert "checksum" in error.message


# ---- hostile files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [b"", b"hello world", b"{}", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, b"%PDF-1.7\n garbage"],
    ids=["empty", "text", "json", "png", "broken-pdf"],
)
def test_not_a_pdf(data: bytes) -> None:
    _fails(data, "pdf-unreadable")


def test_larger_than_allowed(rendered: bytes) -> None:
    error = _fails(rendered, "pdf-too-large", max_bytes=1000)
    assert isinstance(error, LimitExceeded)


def test_too_many_pages(credential: dict[str, Any]) -> None:
    writer = PdfWriter()
    for _ in range(60):
        writer.add_blank_page(595, 842)
    _attach(writer, json.dumps(credential).encode())
    data = _write(writer)
    error = _fails(data, "pdf-too-many-pages")
    assert isinstance(error, LimitExceeded)
    assert extract_credential_from_pdf(data, max_pages=60).credential == credential


def test_encrypted(rendered: bytes) -> None:
    for user_password in ("", "secret"):
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(rendered)))
        writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-256")
        _fails(_write(writer), "pdf-encrypted")


def test_no_attachment() -> None:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    error = _fails(_write(writer), "pdf-no-credential")
    assert "QR code" in error.message and "JSON" in error.message


def test_only_a_non_json_attachment() -> None:
    _fails(_pdf_with(b"\x89PNG...", name="photo.png", mime="image/png"), "pdf-no-credential")


def test_a_zlib_bomb_stops_at_the_limit() -> None:
    """200 MB of zeros compress to ~200 KB; inflation must stop just past 1 MB."""
    deflate = zlib.compressobj(9)
    chunk = bytes(1024 * 1024)
    bomb = b"".join(deflate.compress(chunk) for _ in range(200)) + deflate.flush()
    assert len(bomb) < 400_000
    data = _pdf_with(bomb, flate=True)
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(LimitExceeded) as caught:
            extract_credential_from_pdf(data)
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.code == "pdf-attachment-too-large"
    assert elapsed < 2
    assert peak < 20 * 1024 * 1024


def test_an_uncompressed_attachment_over_the_limit() -> None:
    _fails(
        _pdf_with(b"{" + b" " * 5000 + b"}"), "pdf-attachment-too-large", max_attachment_bytes=1000
    )


def test_corrupt_compressed_data() -> None:
    _fails(_pdf_with(b"this is not zlib", flate=True), "pdf-unreadable")


@pytest.mark.parametrize(
    "filters", [["/LZWDecode"], ["/ASCIIHexDecode"], ["/FlateDecode", "/DCTDecode"]]
)
def test_unsupported_attachment_encodings(filters: list[str]) -> None:
    _fails(_pdf_with(b"{}", filters=filters), "pdf-unsupported-attachment")


@pytest.mark.parametrize(
    ("stored", "cause"),
    [
        (b'{"id": "urn:uuid:1", "id": "urn:uuid:2"}', "duplicate-key"),
        (b"not json at all", "invalid-input"),
        (b"\xff\xfe{}", "invalid-input"),
        (b'{"n": ' + b"9" * 5000 + b"}", None),
    ],
    ids=["duplicate-keys", "text", "not-utf8", "huge-number"],
)
def test_attachments_that_are_not_strict_json(stored: bytes, cause: str | None) -> None:
    error = _fails(_pdf_with(stored), "pdf-not-a-credential")
    if cause:
        assert error.extra.get("cause") == cause


def test_json_that_is_not_an_object() -> None:
    _fails(_pdf_with(b'["a", "list"]'), "pdf-not-a-credential")


def test_json_nested_too_deeply() -> None:
    error = _fails(_pdf_with(b'{"a": ' * 40 + b"1" + b"}" * 40), "pdf-not-a-credential")
    assert isinstance(error, LimitExceeded)


def test_a_cyclic_name_tree_ends(credential: dict[str, Any]) -> None:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    node = DictionaryObject()
    node_ref = writer._add_object(node)
    node[NameObject("/Kids")] = ArrayObject([node_ref, node_ref])
    writer.root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/EmbeddedFiles"): node_ref}
    )
    _fails(_write(writer), "pdf-no-credential")


def test_too_many_attachments() -> None:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    for index in range(70):
        _attach(writer, b"x", name=f"file{index}.txt", mime="text/plain", in_af=False)
    _fails(_write(writer), "pdf-too-many-attachments")


def test_a_header_after_junk_is_accepted_within_1024_bytes(rendered: bytes) -> None:
    assert extract_credential_from_pdf(b"\x00" * 500 + rendered).filename == "credential.json"
    _fails(b"\x00" * 2000 + rendered, "pdf-unreadable")


# ---- sniffing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "filename", "content_type", "kind"),
    [
        (b"%PDF-1.7\n...", None, None, "pdf"),
        (b"%PDF-1.4", "diploma.png", "image/png", "pdf"),  # content beats the name
        (b"\x00" * 100 + b"%PDF-1.4", None, None, "pdf"),
        (b'{"description": "%PDF-1.4"}', "x.pdf", None, "json"),
        (b"\x89PNG\r\n\x1a\n....", None, None, "image"),
        (b"\xff\xd8\xff\xe0....JFIF", None, None, "image"),
        (b"GIF89a....", None, None, "image"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", None, None, "image"),
        (b"BM\x36\x00\x00\x00", None, None, "image"),
        (b"II*\x00\x08\x00", None, None, "image"),
        (b"MM\x00*\x00\x08", None, None, "image"),
        (b'{"@context": []}', None, None, "json"),
        (b'\xef\xbb\xbf \n\t {"id": 1}', None, None, "json"),
        (b"[1, 2]", "credential.json", None, "json"),
        (b"...", "CREDENTIAL.JSONLD", None, "json"),
        (b"...", None, "application/vc+ld+json; charset=utf-8", "json"),
        (b"...", None, "application/json", "json"),
        (b"...", "scan.PDF", None, "pdf"),
        (b"...", None, "application/pdf", "pdf"),
        (b"...", "photo.jpeg", None, "image"),
        (b"...", None, "image/heic", "image"),
        (b"hello", "notes.txt", "text/plain", "unknown"),
        (b"", None, None, "unknown"),
    ],
)
def test_sniff_upload(
    data: bytes, filename: str | None, content_type: str | None, kind: str
) -> None:
    assert sniff_upload(data, filename, content_type) == kind


# ---- the log bundle beside the credential -------------------------------------------------


def test_the_log_bundle_is_read_beside_the_credential(credential: dict[str, Any]) -> None:
    bundle = {"format": "dx-log-bundle/v1", "origin": "x/log", "checkpoint": "", "entries": []}
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    # First in the list and marked as the source: still never the credential.
    _attach(writer, json.dumps(bundle).encode(), name="diploma.log.json", relationship="Source")
    _attach(writer, json.dumps(credential).encode(), name="credential.json", relationship="Data")
    extracted = extract_credential_from_pdf(_write(writer))
    assert extracted.credential == credential
    assert extracted.log_bundle == bundle


def test_a_log_bundle_alone_is_not_a_credential() -> None:
    bundle = {"format": "dx-log-bundle/v1", "origin": "x/log", "checkpoint": "", "entries": []}
    pdf = _pdf_with(json.dumps(bundle).encode(), name="diploma.log.json")
    _fails(pdf, "pdf-no-credential")


def test_a_log_bundle_that_is_not_a_json_object_is_ignored(credential: dict[str, Any]) -> None:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    _attach(writer, json.dumps(credential).encode(), name="credential.json")
    _attach(writer, b"[1, 2", name="diploma.log.json", relationship="Supplement")
    extracted = extract_credential_from_pdf(_write(writer))
    assert extracted.credential == credential
    assert extracted.log_bundle is None
