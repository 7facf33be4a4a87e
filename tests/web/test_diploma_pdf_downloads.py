"""The graduate's PDF: its QR code is the diploma link (one per diploma, as long-lived as the
diploma, withdrawable), and downloading a PDF does not make a new link each time."""

from __future__ import annotations

import io
import re
from datetime import datetime

from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy.engine import Engine

from conftest import Tenant
from diploma_exchange.services.sharing import DIPLOMA_LINK, NO_EXPIRY
from diploma_exchange.sharing import codes
from web.conftest import Issued, issue
from web.test_graduate_and_links import claim, csrf_of, link_rows

LINK = re.compile(r"https://diplomas\.example\.kz/s/([A-Za-z0-9_-]{43})")


def printed_link(pdf: bytes) -> str:
    """The verification link printed under the QR code on the diploma page (the text is
    wrapped character by character, so the lines are joined first)."""
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    match = LINK.search("".join(text.split()))
    assert match, text
    return match.group(1)


def download(web: TestClient) -> bytes:
    response = web.post("/me/diploma.pdf", data={"csrf": csrf_of(web)})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    return response.content


def test_every_pdf_carries_the_same_diploma_link(
    web: TestClient, issued: Issued, engine: Engine
) -> None:
    claim(web, issued.claim_code)
    first = printed_link(download(web))
    second = printed_link(download(web))
    assert first == second
    rows = link_rows(engine)
    assert len(rows) == 1  # two downloads, one link
    (row,) = rows
    assert row.purpose == DIPLOMA_LINK
    assert row.pin_hash is None
    assert row.expires_at.replace(tzinfo=NO_EXPIRY.tzinfo) == NO_EXPIRY  # no validUntil
    assert row.token_sha256 == codes.digest(first)  # stored as a digest like any link
    assert first not in repr(row.model_dump())
    page = web.get(f"/s/{first}")
    assert page.status_code == 200
    assert 'data-verdict="valid"' in page.text
    me = web.get("/me").text
    assert "Diploma link" in me and "while the diploma is valid" in me
    (listed,) = web.get("/me", headers={"Accept": "application/json"}).json()["links"]
    assert listed["purpose"] == "diploma" and listed["pin"] is False


def test_the_diploma_link_lasts_as_long_as_the_diploma(
    web: TestClient, kaznu: Tenant, engine: Engine
) -> None:
    issued = issue(web, kaznu, valid_until="2099-06-30T00:00:00Z")
    assert issued.credential["validUntil"] == "2099-06-30T00:00:00Z"
    claim(web, issued.claim_code)
    download(web)
    (row,) = link_rows(engine)
    assert row.expires_at.replace(tzinfo=None) == datetime(2099, 6, 30)


def test_withdrawing_the_diploma_link_stops_printed_qr_codes(
    web: TestClient, issued: Issued, engine: Engine
) -> None:
    claim(web, issued.claim_code)
    old = printed_link(download(web))
    (row,) = link_rows(engine)
    revoked = web.post(f"/me/links/{row.id}/revoke", data={"csrf": csrf_of(web)})
    assert revoked.status_code == 303
    assert web.get(f"/s/{old}").status_code == 410
    new = printed_link(download(web))
    assert new != old
    assert web.get(f"/s/{new}").status_code == 200
    assert web.get(f"/s/{old}").status_code == 410
    assert len(link_rows(engine)) == 2


def test_the_pdf_and_the_graduates_download_carry_the_log_bundle(
    web: TestClient, issued: Issued
) -> None:
    from diploma_exchange.documents.extract import extract_credential_from_pdf
    from diploma_exchange.proofs.secured import secured_digest
    from diploma_exchange.transparency.bundle import LogBundle

    claim(web, issued.claim_code)
    extracted = extract_credential_from_pdf(download(web))
    assert extracted.credential == issued.credential
    assert extracted.log_bundle is not None
    bundle = LogBundle.from_json(extracted.log_bundle)
    digest = secured_digest(issued.credential).encode()
    assert any(digest in entry.data for entry in bundle.entries)
    response = web.get("/me/diploma.log.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["content-disposition"].endswith('.log.json"')
    own = LogBundle.from_json(response.json())
    assert [e.data for e in own.entries] == [e.data for e in bundle.entries]
    # The credential download is untouched: byte for byte as signed, no bundle in it.
    assert web.get("/me/credential.json").json() == issued.credential
    # Uploaded to the verifier, the PDF verifies (the bundle is offline evidence).
    result = web.post(
        "/verify",
        files={"file": ("diploma.pdf", download(web), "application/pdf")},
        headers={"Accept": "application/json"},
    )
    assert result.json()["verification"]["verdict"] == "valid"


def test_the_log_bundle_download_needs_the_graduate(web: TestClient, issued: Issued) -> None:
    response = web.get("/me/diploma.log.json")
    assert response.status_code in (303, 401)


def test_the_graduates_pdf_names_the_university_and_its_signatories(
    web: TestClient, kaznu: Tenant
) -> None:
    rector = {
        "name": {"kk": "Айбек Сейітов", "ru": "Айбек Сеитов", "en": "Aibek Seitov"},
        "title": {"kk": "Ректор", "ru": "Ректор", "en": "Rector"},
    }
    named = web.put(
        "/v1/institutions/kaznu/signatories", json={"signatories": [rector]}, headers=kaznu.headers
    )
    assert named.status_code == 200, named.text
    issued = issue(web, kaznu)
    claim(web, issued.claim_code)
    pages = PdfReader(io.BytesIO(download(web))).pages
    diploma = " ".join(pages[0].extract_text().split())
    assert "Айбек Сейітов / Айбек Сеитов / Aibek Seitov" in diploma
    assert "Al-Farabi Kazakh National University" in diploma


def test_the_graduates_pdf_is_sealed_and_a_changed_one_is_reported(
    web: TestClient, issued: Issued
) -> None:
    from pypdf import PdfWriter

    claim(web, issued.claim_code)
    pdf = download(web)

    def verify(data: bytes) -> dict[str, object]:
        response = web.post(
            "/verify",
            files={"file": ("diploma.pdf", data, "application/pdf")},
            headers={"Accept": "application/json"},
        )
        assert response.status_code == 200, response.text
        body: dict[str, object] = response.json()["verification"]
        return body

    def seal_of(report: dict[str, object]) -> dict[str, object]:
        checks = report["checks"]
        assert isinstance(checks, list)
        (seal,) = [c for c in checks if c["name"] == "document.seal"]
        return seal  # type: ignore[no-any-return]

    report = verify(pdf)
    assert report["verdict"] == "valid"
    seal = seal_of(report)
    assert seal["status"] == "passed" and seal["code"] == "seal.valid"
    # Rewritten (pages edited): the seal no longer holds; the credential inside still does.
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.add_metadata({"/Title": "Edited"})
    out = io.BytesIO()
    writer.write(out)
    report = verify(out.getvalue())
    assert report["verdict"] == "valid"
    assert seal_of(report)["status"] == "failed"
    assert seal_of(report)["code"] == "seal.modified"
