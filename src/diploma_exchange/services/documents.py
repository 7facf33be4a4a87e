"""The diploma as files for people: the PDF (with the signed credential and its transparency
log evidence inside) and the log bundle on its own (``diploma.log.json``).

The credential itself is never changed: the log bundle travels *beside* it (a second PDF
attachment, a second download), as evidence a verifier without network access checks
against the logs it trusts (issue 17, docs/transparency.md).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cryptography import x509
from sqlmodel import Session, col, select

from diploma_exchange.config import DEMO_KEY_PASSPHRASE, Settings
from diploma_exchange.db.models import (
    CredentialRecord,
    InstitutionKeyRecord,
    InstitutionRecord,
    as_utc,
)
from diploma_exchange.errors import Error
from diploma_exchange.proofs import keys
from diploma_exchange.services import institutions, transparency
from diploma_exchange.services.enveloped_issuance import issued_credential

if TYPE_CHECKING:
    from diploma_exchange.documents.pades import SealCheck, SealingKey
    from diploma_exchange.documents.pdf import IssuerDetails

logger = logging.getLogger(__name__)

#: The file name of the log bundle, in a PDF and as a download.
LOG_BUNDLE_FILENAME = "diploma.log.json"


def log_bundle(session: Session, settings: Settings, record: CredentialRecord) -> dict[str, Any]:
    """The diploma's ``dx-log-bundle/v1``: its log entries with inclusion proofs in a signed
    checkpoint (one is signed now if none covers them yet: call with a committing session).

    Raises:
        NotFound: the diploma is not in the log.
        ServiceUnavailable: its entries are not in a checkpoint yet.
    """
    return transparency.bundle_for_digest(session, settings, record.secured_digest).to_json()


def optional_log_bundle(
    session: Session, settings: Settings, record: CredentialRecord
) -> dict[str, Any] | None:
    """:func:`log_bundle`, or None when there is none to give (the PDF is still made; its
    verifier then asks the log online)."""
    try:
        return log_bundle(session, settings, record)
    except Error as exc:
        logger.warning("no log bundle for %s: %s", record.id, exc.message)
        return None


def issuer_details(session: Session, record: CredentialRecord) -> IssuerDetails | None:
    """The issuing university's names and signatories from its profile here (for a
    diploma it issued: the credential's issuer is the profile's DID)."""
    from diploma_exchange.documents.pdf import IssuerDetails

    institution = session.get(InstitutionRecord, record.institution_id)
    if institution is None:
        return None
    try:
        issuer = issued_credential(json.loads(record.document)).get("issuer")
    except (ValueError, AttributeError):
        return None
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if issuer_id != institution.did:
        return None
    names = {"en": institution.name, **json.loads(institution.name_translations or "{}")}
    return IssuerDetails(names=names, signatories=institutions.signatories_of(institution))


def _demo(settings: Settings) -> bool:
    """Certificates made here are marked demo unless in production with a real passphrase."""
    return (
        settings.environment != "production"
        or settings.passphrase_bytes() == DEMO_KEY_PASSPHRASE.encode()
    )


def _nic(session: Session) -> InstitutionRecord | None:
    return session.exec(
        select(InstitutionRecord)
        .where(InstitutionRecord.kind == "nic")
        .order_by(col(InstitutionRecord.created_at))
    ).first()


def _ca(
    settings: Settings, nic: InstitutionRecord, key: InstitutionKeyRecord
) -> tuple[Any, x509.Certificate]:
    from diploma_exchange.documents.pades import nic_ca_certificate

    private = institutions.private_key_of(settings, nic, key)
    certificate = nic_ca_certificate(
        private,
        name=nic.name,
        did=nic.did,
        not_before=as_utc(key.created_at),
        country=nic.country_code,
        demo=_demo(settings),
    )
    return private, certificate


def nic_ca_certificates(session: Session, settings: Settings) -> list[x509.Certificate]:
    """The NIC's seal CA certificates, one per NIC key held here (rotated keys keep
    vouching for the PDFs sealed under them): the trust roots of PDF seals."""
    nic = _nic(session)
    if nic is None:
        return []
    out = []
    for key in institutions.institution_keys(session, nic):
        if key.status == "compromised" or key.encrypted_private_key is None:
            continue
        if institutions.key_type_of(key) is not keys.KeyType.ED25519:
            continue  # the seal CA is Ed25519; ECDSA keys sign credentials only
        # Cached: the certificate is a function of these, and deriving it decrypts the key
        # (a public verification must not cost a key decryption).
        cache_key = (
            nic.did,
            nic.name,
            nic.country_code,
            key.public_key_multibase,
            as_utc(key.created_at).isoformat(),
            _demo(settings),
        )
        certificate = _CA_CACHE.get(cache_key)
        if certificate is None:
            try:
                certificate = _ca(settings, nic, key)[1]
            except Error as exc:
                logger.warning("no seal CA certificate for %s#%s: %s", nic.did, key.key_id, exc)
                continue
            if len(_CA_CACHE) > 64:
                _CA_CACHE.clear()
            _CA_CACHE[cache_key] = certificate
        out.append(certificate)
    return out


_CA_CACHE: dict[tuple[str, str, str, str, str, bool], x509.Certificate] = {}


def sealing_key(
    session: Session, settings: Settings, record: CredentialRecord
) -> SealingKey | None:
    """The issuing university's sealing key for the PDF of ``record``: its active key with a
    certificate from the NIC's CA (its active key); None when either is not held here."""
    from diploma_exchange.documents.pades import SealingKey, seal_certificate

    institution = session.get(InstitutionRecord, record.institution_id)
    nic = _nic(session)
    if institution is None or nic is None:
        return None
    try:
        key = institutions.active_key(session, institution)
        private = institutions.private_key_of(settings, institution, key)
        ca_key, ca = _ca(settings, nic, institutions.active_key(session, nic))
    except Error as exc:
        logger.warning("the PDF of %s is not sealed: %s", record.id, exc.message)
        return None
    certificate = seal_certificate(
        private.public_key(),
        name=institution.name,
        did=institution.did,
        not_before=as_utc(key.created_at),
        ca_key=ca_key,
        ca_certificate=ca,
        country=institution.country_code,
        demo=_demo(settings),
    )
    return SealingKey(private, certificate, (ca,))


def check_pdf_seal(session: Session, settings: Settings, pdf: bytes) -> SealCheck:
    """The PDF's PAdES seal checked against this NIC's seal CA certificates."""
    from diploma_exchange.documents.pades import check_seal

    return check_seal(pdf, nic_ca_certificates(session, settings))


def diploma_pdf(
    session: Session,
    settings: Settings,
    record: CredentialRecord,
    *,
    verification_url: str | None,
    now: datetime | None = None,
) -> bytes:
    """The PDF diploma of a stored credential, byte for byte as signed inside, with its log
    bundle beside it and a QR code to ``verification_url`` (none: the credential id)."""
    from diploma_exchange.documents.pades import seal_pdf
    from diploma_exchange.documents.pdf import render_diploma_pdf

    pdf = render_diploma_pdf(
        # an enveloped diploma is shown from its payload; the envelope is what is attached
        issued_credential(json.loads(record.document)),
        verification_url=verification_url,
        generated_at=(now or datetime.now(UTC)).replace(microsecond=0),
        credential_bytes=record.document.encode("utf-8"),
        log_bundle=optional_log_bundle(session, settings, record),
        issuer=issuer_details(session, record),
    )
    sealing = sealing_key(session, settings, record)
    if sealing is None:
        return pdf
    return seal_pdf(pdf, sealing, reason="Diploma and Diploma Supplement issued by the university")


__all__ = [
    "LOG_BUNDLE_FILENAME",
    "check_pdf_seal",
    "diploma_pdf",
    "issuer_details",
    "log_bundle",
    "nic_ca_certificates",
    "optional_log_bundle",
    "sealing_key",
]
