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

from sqlmodel import Session

from diploma_exchange.config import Settings
from diploma_exchange.db.models import CredentialRecord, InstitutionRecord
from diploma_exchange.errors import Error
from diploma_exchange.services import institutions, transparency

if TYPE_CHECKING:
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
        issuer = json.loads(record.document).get("issuer")
    except (ValueError, AttributeError):
        return None
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if issuer_id != institution.did:
        return None
    names = {"en": institution.name, **json.loads(institution.name_translations or "{}")}
    return IssuerDetails(names=names, signatories=institutions.signatories_of(institution))


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
    from diploma_exchange.documents.pdf import render_diploma_pdf

    return render_diploma_pdf(
        json.loads(record.document),
        verification_url=verification_url,
        generated_at=(now or datetime.now(UTC)).replace(microsecond=0),
        credential_bytes=record.document.encode("utf-8"),
        log_bundle=optional_log_bundle(session, settings, record),
        issuer=issuer_details(session, record),
    )


__all__ = [
    "LOG_BUNDLE_FILENAME",
    "diploma_pdf",
    "issuer_details",
    "log_bundle",
    "optional_log_bundle",
]
