"""The institution's PDF of a diploma it issued: sealed by the university under the NIC's
published CA certificate (checked with pyHanko against /.well-known/diploma-seal-ca.pem),
with the credential and its log bundle attached, and no QR code (the link is the graduate's)."""

from __future__ import annotations

import io

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from fastapi.testclient import TestClient
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from conftest import Tenant
from diploma_exchange.documents.extract import extract_credential_from_pdf
from helpers import diploma_payload


def test_the_institution_downloads_a_sealed_pdf_readers_can_trust(
    client: TestClient, kaznu: Tenant, enu: Tenant
) -> None:
    issued = client.post("/v1/diplomas", json=diploma_payload(0), headers=kaznu.headers)
    assert issued.status_code == 201, issued.text
    credential = issued.json()["verifiableCredential"]
    url = f"/v1/diplomas/{credential['id']}/diploma.pdf"
    assert client.get(url, headers=enu.headers).status_code == 404  # not theirs
    response = client.get(url, headers=kaznu.headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    pdf = response.content

    extracted = extract_credential_from_pdf(pdf)
    assert extracted.credential == credential
    assert extracted.log_bundle is not None and extracted.log_bundle["format"] == "dx-log-bundle/v1"
    assert "/s/" not in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()  # no share link

    published = client.get("/.well-known/diploma-seal-ca.pem")
    assert published.status_code == 200
    roots = [
        asn1_x509.Certificate.load(der)
        for _, _, der in pem.unarmor(published.content, multiple=True)
    ]
    assert roots
    (signature,) = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    status = validate_pdf_signature(
        signature, ValidationContext(trust_roots=roots, allow_fetching=False)
    )
    assert status.intact and status.valid and status.trusted
    subject = status.signing_cert.subject.native
    assert subject["common_name"] == "Al-Farabi Kazakh National University"
    assert subject["serial_number"] == kaznu.did
    assert subject["organizational_unit_name"] == "DEMO - not for production"

    verified = client.post(
        "/v1/verifications", content=pdf, headers={"Content-Type": "application/pdf"}
    )
    assert verified.status_code == 200, verified.text
    report = verified.json()
    assert report["verdict"] == "valid"
    (seal,) = [c for c in report["checks"] if c["name"] == "document.seal"]
    assert seal["status"] == "passed"
