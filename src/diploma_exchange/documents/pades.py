"""The university's PAdES seal on the PDF diploma, and its check.

A PDF reader (Acrobat, Foxit, Okular, pyHanko) shows who sealed a signed PDF and whether a
single byte changed since; the embedded credential is what a verifier of this service trusts,
but an officer abroad opens the PDF first. So the PDF is sealed (PAdES baseline B-B, ETSI EN
319 142-1: ``ETSI.CAdES.detached``, signing certificate attribute, no signing time in the
signed attributes) with the university's own Ed25519 key (ISO 32002: EdDSA in PDF, SHA-512),
under an X.509 certificate the NIC issues for that key from its CA certificate (the NIC's own
Ed25519 key). A verifier that trusts the NIC's CA sees the chain; a changed PDF fails.

The certificates are a pure function of the keys, names and dates, so every PDF of one key
carries the same certificate without any of it being stored: the serial number is derived from
the public keys and DIDs, the validity starts when the key was created. ``demo`` certificates
(the demo NIC and universities) say so in their subject (``OU=DEMO - not for production``).

Caveat: Ed25519 in PDF signatures (ISO 32002, 2022) is recent; readers without it show the
signature as of an unknown algorithm (not as forged). The credential inside is verified
independently of this seal.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.x509.oid import NameOID

from diploma_exchange.errors import InvalidInput

#: The signature field's name in the PDF.
SEAL_FIELD: Final = "UniversitySeal"
CA_YEARS: Final = 20
SIGNER_YEARS: Final = 10
_DEMO_UNIT: Final = "DEMO - not for production"


def _serial(*parts: str) -> int:
    """A positive serial number of at most 20 octets (RFC 5280 §4.1.2.2) from ``parts``."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:16], "big") >> 1 or 1


def _public_hex(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def _name(common_name: str, country: str, did: str, demo: bool) -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, country),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, common_name[:64]),
    ]
    if demo:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, _DEMO_UNIT))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]))
    # The DID that the credentials name, so the seal and the credential name one issuer.
    attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, did[:64]))
    return x509.Name(attributes)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise InvalidInput("certificate times must be timezone-aware")
    return moment.replace(microsecond=0)


def nic_ca_certificate(
    key: Ed25519PrivateKey,
    *,
    name: str,
    did: str,
    not_before: datetime,
    country: str = "KZ",
    demo: bool = False,
) -> x509.Certificate:
    """The NIC's self-signed CA certificate for its key (may issue university seals only)."""
    start = _aware(not_before)
    subject = _name(name, country, did, demo)
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public)
        .serial_number(_serial("ca", did, _public_hex(public)))
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, algorithm=None)
    )


def seal_certificate(
    public_key: Ed25519PublicKey,
    *,
    name: str,
    did: str,
    not_before: datetime,
    ca_key: Ed25519PrivateKey,
    ca_certificate: x509.Certificate,
    country: str = "KZ",
    demo: bool = False,
) -> x509.Certificate:
    """The certificate the NIC issues for a university's key, for sealing its documents."""
    start = max(_aware(not_before), ca_certificate.not_valid_before_utc)
    end = min(start + timedelta(days=365 * SIGNER_YEARS), ca_certificate.not_valid_after_utc)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(name, country, did, demo))
        .issuer_name(ca_certificate.subject)
        .public_key(public_key)
        .serial_number(_serial("seal", did, _public_hex(public_key)))
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_certificate.public_key()  # type: ignore[arg-type]
            ),
            critical=False,
        )
        .sign(ca_key, algorithm=None)
    )


@dataclass(frozen=True, slots=True)
class SealingKey:
    """A university's key with its seal certificate and the chain up to the NIC's CA."""

    key: Ed25519PrivateKey
    certificate: x509.Certificate
    chain: Sequence[x509.Certificate] = ()

    def __repr__(self) -> str:
        return f"SealingKey({self.certificate.subject.rfc4514_string()!r})"


def seal_pdf(pdf: bytes, sealing: SealingKey, *, reason: str, location: str | None = None) -> bytes:
    """``pdf`` with the university's PAdES B-B seal over all of it (an incremental update)."""
    from asn1crypto import keys as asn1_keys  # type: ignore[import-untyped,unused-ignore]
    from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped,unused-ignore]
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    der_key = sealing.key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(
            sealing.certificate.public_bytes(serialization.Encoding.DER)
        ),
        signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
        cert_registry=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
            [
                asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
                for c in sealing.chain
            ]
        ),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        md_algorithm="sha512",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    out = signers.PdfSigner(meta, signer=signer).sign_pdf(writer)
    return bytes(out.getbuffer())


class SealStatus(StrEnum):
    """What a PDF's seal says about the file."""

    #: Sealed by a key whose certificate chains to a trusted NIC CA; nothing changed since.
    VALID = "valid"
    #: The sealed bytes changed, or content was added after the seal.
    MODIFIED = "modified"
    #: Unchanged, but the certificate does not chain to a CA trusted here (or expired).
    UNTRUSTED = "untrusted"
    #: The PDF has no seal.
    UNSEALED = "unsealed"
    #: The seal could not be read or checked (unsupported algorithm, broken structure).
    UNCHECKED = "unchecked"


@dataclass(frozen=True, slots=True)
class SealCheck:
    status: SealStatus
    message: str
    signer: str | None = None


def check_seal(
    pdf: bytes, trust_roots: Sequence[x509.Certificate], *, at: datetime | None = None
) -> SealCheck:
    """Check the PDF's PAdES seal against ``trust_roots`` (offline: no fetching, no
    revocation look-up). Never raises for a bad PDF."""
    from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped,unused-ignore]
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:  # noqa: BLE001 - any parse failure means "cannot be checked"
        return SealCheck(SealStatus.UNCHECKED, f"the PDF's signatures cannot be read ({exc})")
    if not signatures:
        return SealCheck(SealStatus.UNSEALED, "the PDF carries no seal")
    seal = signatures[0]
    context = ValidationContext(
        trust_roots=[
            asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
            for c in trust_roots
        ],
        allow_fetching=False,
        revocation_mode="soft-fail",
        moment=at,
    )
    try:
        status = validate_pdf_signature(seal, context)
    except SignatureValidationError as exc:
        return SealCheck(SealStatus.UNCHECKED, f"the seal cannot be checked ({exc})")
    except Exception as exc:  # noqa: BLE001 - a hostile PDF may break pyHanko anywhere
        return SealCheck(SealStatus.UNCHECKED, f"the seal cannot be checked ({type(exc).__name__})")
    signer = status.signing_cert.subject.human_friendly if status.signing_cert else None
    if not status.intact or not status.valid:
        return SealCheck(SealStatus.MODIFIED, "the sealed content of the PDF was changed", signer)
    if status.coverage is not SignatureCoverageLevel.ENTIRE_FILE:
        return SealCheck(
            SealStatus.MODIFIED,
            "content was added to the PDF after it was sealed",
            signer,
        )
    if not status.trusted:
        return SealCheck(
            SealStatus.UNTRUSTED,
            "the PDF is unchanged since it was sealed, but the seal's certificate does not "
            "chain to a NIC certificate trusted here",
            signer,
        )
    return SealCheck(SealStatus.VALID, "sealed by the university; unchanged since", signer)


__all__ = [
    "SEAL_FIELD",
    "SealCheck",
    "SealStatus",
    "SealingKey",
    "check_seal",
    "nic_ca_certificate",
    "seal_certificate",
    "seal_pdf",
]
