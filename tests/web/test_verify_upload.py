"""The verifier's upload page: JSON file, pasted JSON, PDF, QR image, link; all through the same
verification pipeline, with bounded work on hostile files."""

from __future__ import annotations

import copy
import io
import json
import re
import zlib

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from conftest import Tenant
from diploma_exchange.documents.extract import extract_credential_from_pdf
from diploma_exchange.documents.qr import qr_png
from web.conftest import Issued, issue
from web.test_graduate_and_links import claim, csrf_of, make_link

VERDICT = re.compile(r'data-verdict="(\w+)"')


def verdict(page: str) -> str:
    match = VERDICT.search(page)
    assert match, page[:2000]
    return match.group(1)


def check_status(page: str, name: str) -> str:
    match = re.search(rf'data-check="{re.escape(name)}" data-status="(\w+)"', page)
    assert match
    return match.group(1)


def upload(web: TestClient, data: bytes, filename: str, ctype: str, **form: str) -> object:
    return web.post("/verify", files={"file": (filename, data, ctype)}, data=form)


def test_upload_page_is_a_labelled_form(web: TestClient) -> None:
    page = web.get("/verify")
    assert page.status_code == 200
    for field in ("file", "json", "link", "country"):
        assert f'for="{field}"' in page.text and f'id="{field}"' in page.text
    assert 'enctype="multipart/form-data"' in page.text
    assert "<script" not in page.text


def test_json_file_upload_valid(web: TestClient, issued: Issued) -> None:
    data = json.dumps(issued.credential).encode()
    response = upload(web, data, "diploma.json", "application/json")
    assert response.status_code == 200
    assert verdict(response.text) == "valid"
    assert "Aigerim Abenova" in response.text


def test_tampered_json_upload_is_invalid_with_the_failing_check(
    web: TestClient, issued: Issued
) -> None:
    forged = copy.deepcopy(issued.credential)
    forged["credentialSubject"]["graduate"]["fullName"]["en"] = "Someone Else"
    response = upload(web, json.dumps(forged).encode(), "diploma.json", "application/json")
    assert verdict(response.text) == "invalid"
    assert check_status(response.text, "proof.signature") == "failed"
    assert "Someone Else" in response.text  # what the document says, clearly marked invalid


def test_pasted_json_and_json_negotiation(web: TestClient, issued: Issued) -> None:
    pasted = web.post("/verify", data={"json": json.dumps(issued.credential)})
    assert verdict(pasted.text) == "valid"
    as_json = web.post(
        "/verify",
        data={"json": json.dumps({"verifiableCredential": issued.credential})},
        headers={"Accept": "application/json"},
    )
    assert as_json.status_code == 200
    assert as_json.json()["verification"]["verdict"] == "valid"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ('{"a": 1, "a": 2}', "duplicate-key"),
        ("[" * 100 + "]" * 100, "limit-exceeded"),
        ("not json", "invalid-input"),
        ("[1, 2]", "not-a-credential"),
    ],
)
def test_bad_pasted_json_is_a_clear_error(web: TestClient, body: str, code: str) -> None:
    response = web.post("/verify", data={"json": body}, headers={"Accept": "application/json"})
    assert response.status_code in (400, 413)
    assert response.json()["code"] == code
    page = web.post("/verify", data={"json": body})
    assert page.status_code in (400, 413) and 'role="alert"' in page.text


def test_nothing_submitted(web: TestClient) -> None:
    response = web.post("/verify", data={})
    assert response.status_code == 400
    assert "Choose a file" in response.text


def test_pdf_from_the_graduate_page_verifies(web: TestClient, issued: Issued) -> None:
    claim(web, issued.claim_code)
    pdf = web.post("/me/diploma.pdf", data={"csrf": csrf_of(web)})
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    embedded = extract_credential_from_pdf(pdf.content).credential
    assert embedded == issued.credential
    response = upload(web, pdf.content, "diploma.pdf", "application/pdf", country="JP")
    assert verdict(response.text) == "valid"
    assert 'data-outcome="comparable"' in response.text
    # The PDF got its own revocable link, labelled as such, on the graduate's page.
    assert "Diploma link" in web.get("/me").text


def test_pdf_with_edited_visible_text_shows_the_credentials_content(
    web: TestClient, issued: Issued
) -> None:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    claim(web, issued.claim_code)
    original = web.post("/me/diploma.pdf", data={"csrf": csrf_of(web)}).content
    reader = PdfReader(io.BytesIO(original))
    writer = PdfWriter(clone_from=reader)
    stream = DecodedStreamObject()
    stream.set_data(b"BT /F1 24 Tf 72 700 Td (FORGED NAME Mallory) Tj ET")
    page = writer.pages[0]
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    response = upload(web, out.getvalue(), "diploma.pdf", "application/pdf")
    assert verdict(response.text) == "valid"
    assert "Mallory" not in response.text
    assert "Aigerim Abenova" in response.text


def test_pdf_without_a_credential(web: TestClient) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    out = io.BytesIO()
    writer.write(out)
    response = upload(web, out.getvalue(), "scan.pdf", "application/pdf")
    assert response.status_code == 400
    assert "no signed diploma inside" in response.text


def test_qr_image_of_a_share_link_redirects_to_it(web: TestClient, issued: Issued) -> None:
    claim(web, issued.claim_code)
    path = make_link(web)
    png = qr_png("https://diplomas.example.kz" + path)
    # A phone photo: bigger canvas, slightly rotated, JPEG.
    image = Image.open(io.BytesIO(png)).convert("L").rotate(5, expand=True, fillcolor=255)
    canvas = Image.new("L", (image.width + 400, image.height + 300), 230)
    canvas.paste(image, (180, 120))
    photo = io.BytesIO()
    canvas.save(photo, "JPEG", quality=70)
    response = upload(web, photo.getvalue(), "photo.jpg", "image/jpeg", country="JP")
    assert response.status_code == 303
    assert response.headers["location"] == path + "?country=JP"


def test_image_without_qr_and_image_bombs(web: TestClient) -> None:
    blank = io.BytesIO()
    Image.new("L", (300, 300), 255).save(blank, "PNG")
    response = upload(web, blank.getvalue(), "blank.png", "image/png")
    assert response.status_code == 400 and "No QR code" in response.text

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
        )

    header = (60000).to_bytes(4, "big") * 2 + bytes([8, 0, 0, 0, 0])
    bomb = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1000))
        + chunk(b"IEND", b"")
    )
    response = upload(web, bomb, "bomb.png", "image/png")
    assert response.status_code == 413
    problem = web.post(
        "/verify",
        files={"file": ("bomb.png", bomb, "image/png")},
        headers={"Accept": "application/json"},
    )
    assert problem.json()["code"] == "image-too-large"


def test_upload_size_limit(web: TestClient, settings: object) -> None:
    huge = b"%PDF-1.7\n" + b"0" * (11 * 1024 * 1024)
    response = upload(web, huge, "big.pdf", "application/pdf")
    assert response.status_code == 413


def test_links_to_private_addresses_are_not_fetched(web: TestClient) -> None:
    for url in ("http://127.0.0.1:5432/", "https://169.254.169.254/latest", "https://[::1]/x"):
        response = web.post("/verify", data={"link": url}, headers={"Accept": "application/json"})
        assert response.status_code == 400, url
        assert response.json()["code"] in ("link-unreachable", "link-malformed")


def test_own_share_link_entered_as_text_redirects(web: TestClient, issued: Issued) -> None:
    claim(web, issued.claim_code)
    path = make_link(web)
    response = web.post("/verify", data={"link": "https://diplomas.example.kz" + path})
    assert response.status_code == 303 and response.headers["location"] == path


def test_downloads_after_an_upload(web: TestClient, issued: Issued) -> None:
    text = json.dumps(issued.credential)
    report = web.post("/verify/download", data={"credential": text, "what": "report"})
    assert report.status_code == 200 and report.json()["verdict"] == "valid"
    assert "attachment" in report.headers["content-disposition"]
    original = web.post("/verify/download", data={"credential": text, "what": "credential"})
    assert original.json() == issued.credential


def test_different_universities_diplomas_on_one_page(web: TestClient, enu: Tenant) -> None:
    other = issue(web, enu, 3)
    response = web.post("/verify", data={"json": json.dumps(other.credential)})
    assert verdict(response.text) == "valid"


def test_pdf_qr_code_from_a_rendered_page_leads_to_the_verification_page(
    web: TestClient, issued: Issued
) -> None:
    import pypdfium2 as pdfium

    from diploma_exchange.documents.qr import read_qr_codes

    claim(web, issued.claim_code)
    pdf = web.post("/me/diploma.pdf", data={"csrf": csrf_of(web)}).content
    document = pdfium.PdfDocument(pdf)
    text = document[0].get_textpage().get_text_range()
    assert "Әбенова Әйгерім Серікқызы" in text and "Абенова Айгерим Сериковна" in text
    image = io.BytesIO()
    document[0].render(scale=150 / 72).to_pil().save(image, "PNG")
    [url] = read_qr_codes(image.getvalue())
    assert url.startswith("https://diplomas.example.kz/s/")
    page = web.get(url.removeprefix("https://diplomas.example.kz"))
    assert page.status_code == 200
    assert verdict(page.text) == "valid"


def test_nul_characters_in_forms_and_uploads_are_refused(web: TestClient, issued: Issued) -> None:
    """PostgreSQL text cannot hold NUL: every page refuses it up front (400, not a 500 at a
    query), in pasted JSON, an uploaded file and any form field."""
    credential = dict(issued.credential)
    credential["name"] = "Bachelor\u0000"
    pasted = web.post(
        "/verify", data={"json": json.dumps(credential)}, headers={"Accept": "application/json"}
    )
    assert pasted.status_code == 400 and pasted.json()["code"] == "nul-character"
    uploaded = web.post(
        "/verify",
        files={"file": ("d.json", json.dumps(credential).encode(), "application/json")},
        headers={"Accept": "application/json"},
    )
    assert uploaded.status_code == 400 and uploaded.json()["code"] == "nul-character"
    claim = web.post("/claim", data={"code": "ABCDE\x00FGHJK"})
    assert claim.status_code == 400 and "nul-character" in claim.text  # problem details
