"""The university's PAdES seal on the PDF diploma, checked with pyHanko's own validation: who
sealed it (a certificate of the university's key from the NIC's CA), and that nothing changed."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from diploma_exchange.credentials.samples import sample_diploma_credential
from diploma_exchange.documents import pades
from diploma_exchange.documents.extract import extract_credential_from_pdf
from diploma_exchange.documents.pdf import render_diploma_pdf

SINCE = datetime(2025, 1, 1, tzinfo=UTC)
NIC_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
UNI_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))


def _ca(demo: bool = True) -> x509.Certificate:
    return pades.nic_ca_certificate(
        NIC_KEY, name="Test NIC", did="did:web:nic.example.kz", not_before=SINCE, demo=demo
    )


def _sealing(demo: bool = True) -> pades.SealingKey:
    ca = _ca(demo)
    certificate = pades.seal_certificate(
        UNI_KEY.public_key(),
        name="Alatau Technical University",
        did="did:web:alatau-tech.edu.kz",
        not_before=SINCE,
        ca_key=NIC_KEY,
        ca_certificate=ca,
        demo=demo,
    )
    return pades.SealingKey(UNI_KEY, certificate, (ca,))


@pytest.fixture(scope="module")
def plain() -> bytes:
    return render_diploma_pdf(
        sample_diploma_credential(0), verification_url=None, generated_at=SINCE
    )


@pytest.fixture(scope="module")
def sealed(plain: bytes) -> bytes:
    return pades.seal_pdf(plain, _sealing(), reason="Diploma")


def _asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def test_pyhanko_validates_the_seal_entire_file_and_trusted(sealed: bytes) -> None:
    (signature,) = PdfFileReader(io.BytesIO(sealed)).embedded_signatures
    assert signature.field_name == pades.SEAL_FIELD
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    status = validate_pdf_signature(
        signature, ValidationContext(trust_roots=[_asn1(_ca())], allow_fetching=False)
    )
    assert status.intact and status.valid and status.trusted
    assert status.coverage is SignatureCoverageLevel.ENTIRE_FILE
    subject = status.signing_cert.subject.native
    assert subject["common_name"] == "Alatau Technical University"
    assert subject["organizational_unit_name"] == "DEMO - not for production"
    assert subject["serial_number"] == "did:web:alatau-tech.edu.kz"


def test_the_seal_keeps_the_credential_readable(sealed: bytes) -> None:
    assert extract_credential_from_pdf(sealed).credential == sample_diploma_credential(0)


def test_check_seal_valid_untrusted_unsealed(sealed: bytes, plain: bytes) -> None:
    valid = pades.check_seal(sealed, [_ca()])
    assert valid.status is pades.SealStatus.VALID
    assert valid.signer and "Alatau Technical University" in valid.signer
    other_nic = pades.nic_ca_certificate(
        Ed25519PrivateKey.generate(), name="Other NIC", did="did:web:other", not_before=SINCE
    )
    assert pades.check_seal(sealed, [other_nic]).status is pades.SealStatus.UNTRUSTED
    assert pades.check_seal(plain, [_ca()]).status is pades.SealStatus.UNSEALED
    assert pades.check_seal(b"%PDF-1.7 garbage", [_ca()]).status in (
        pades.SealStatus.UNCHECKED,
        pades.SealStatus.UNSEALED,
    )


def test_a_changed_byte_is_reported(sealed: bytes) -> None:
    # A byte inside the signed range: the text of the attached credential's description.
    at = sealed.index(b"authoritative")
    changed = sealed[:at] + b"Authoritative" + sealed[at + len(b"authoritative") :]
    assert pades.check_seal(changed, [_ca()]).status is pades.SealStatus.MODIFIED


def test_an_update_after_the_seal_is_reported(sealed: bytes) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(sealed))
    writer.document_meta.title = "Forged title"
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    check = pades.check_seal(out.getvalue(), [_ca()])
    assert check.status is pades.SealStatus.MODIFIED


def test_certificates_are_a_function_of_keys_names_and_dates() -> None:
    first, second = _sealing(), _sealing()
    assert first.certificate == second.certificate
    assert first.chain == second.chain
    ca = first.chain[0]
    assert first.certificate.issuer == ca.subject
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert not first.certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    ca.public_key().verify(  # type: ignore[call-arg]
        first.certificate.signature, first.certificate.tbs_certificate_bytes
    )
    production = _sealing(demo=False).certificate
    assert "DEMO" not in production.subject.rfc4514_string()
    assert "DEMO" in first.certificate.subject.rfc4514_string()
    assert repr(first).startswith("SealingKey(") and "PRIVATE" not in repr(first)
