"""Accreditation by this service's NIC, its published trust list, and partner NICs' lists."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from diploma_exchange.config import Settings
from diploma_exchange.db.models import (
    AccreditationRecordRow,
    InstitutionRecord,
    PartnerNicRecord,
    PublishedTrustListRecord,
    TrustListSnapshotRecord,
    as_utc,
    utcnow_seconds,
)
from diploma_exchange.dids.document import DidDocument
from diploma_exchange.dids.remote import SafeFetcher
from diploma_exchange.errors import (
    ConfigurationError,
    Conflict,
    Error,
    InvalidInput,
    KeyLoadError,
    NotFound,
)
from diploma_exchange.proofs import eddsa_jcs_2022, keys
from diploma_exchange.services import audit, institutions, registry, transparency
from diploma_exchange.trust.accreditation import (
    AccreditationRecord,
    Scope,
    build_accreditation_credential,
    parse_accreditation_credential,
)
from diploma_exchange.trust.trust_list import (
    LogDeclaration,
    TrustList,
    build_trust_list,
    verify_trust_list,
)
from diploma_exchange.trust.view import TrustListView
from diploma_exchange.verification.lookups import TrustDecision

TRUST_LIST_VALIDITY = timedelta(days=7)


def _nic(session: Session, settings: Settings) -> InstitutionRecord:
    nic = institutions.find_institution_by_did(session, institutions.nic_did(settings))
    if nic is None:
        raise ConfigurationError(
            "this service has no NIC identity yet: create it with "
            '`diploma-exchange institutions create nic "<name>" --nic`'
        )
    return nic


# --- accreditation ---------------------------------------------------------------------------


def _current_accreditation(
    session: Session, institution: InstitutionRecord
) -> AccreditationRecordRow | None:
    return session.exec(
        select(AccreditationRecordRow)
        .where(AccreditationRecordRow.institution_id == institution.id)
        .order_by(
            col(AccreditationRecordRow.valid_from).desc(),
            col(AccreditationRecordRow.created_at).desc(),
        )
    ).first()


def is_accredited(session: Session, institution: InstitutionRecord, at: datetime) -> bool:
    """Whether ``institution`` holds an accreditation (``accredited`` or ``conditional``)
    of this service's NIC at ``at``: the newest record in force then is not a withdrawal and
    has not expired. (An institution has a handful of records: they are compared here, in
    UTC, rather than in SQL, where SQLite stores naive times.)"""
    records = session.exec(
        select(AccreditationRecordRow)
        .where(AccreditationRecordRow.institution_id == institution.id)
        .order_by(
            col(AccreditationRecordRow.valid_from).desc(),
            col(AccreditationRecordRow.created_at).desc(),
        )
    ).all()
    in_force = next((r for r in records if as_utc(r.valid_from) <= at), None)
    if in_force is None or in_force.status not in ("accredited", "conditional"):
        return False
    return in_force.valid_until is None or as_utc(in_force.valid_until) > at


def _issue_record(
    session: Session,
    settings: Settings,
    institution: InstitutionRecord,
    record: AccreditationRecord,
) -> AccreditationRecordRow:
    nic = _nic(session, settings)
    signer = institutions.signer_for(session, settings, nic)
    signed = eddsa_jcs_2022.add_proof(
        build_accreditation_credential(record), signer, created=utcnow_seconds()
    )
    registry.record_signed(session, signed, kind="accreditation", reference=record.id)
    row = AccreditationRecordRow(
        id=record.id,
        institution_id=institution.id,
        status=record.status,
        valid_from=record.valid_from,
        valid_until=record.valid_until,
        supersedes=record.supersedes,
        document=json.dumps(signed, ensure_ascii=False, separators=(",", ":")),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        "accreditation.withdraw" if record.status == "withdrawn" else "accreditation.grant",
        "institution",
        institution.did,
        {
            "record": record.id,
            "status": record.status,
            "validFrom": record.valid_from.isoformat(),
            "supersedes": record.supersedes,
        },
    )
    return row


def accredit(
    session: Session,
    settings: Settings,
    institution: InstitutionRecord,
    *,
    scope: Scope,
    accrediting_body: str,
    valid_from: datetime,
    valid_until: datetime | None = None,
    status: str = "accredited",
) -> AccreditationRecordRow:
    """Issue a signed accreditation record for ``institution`` (superseding the current one)."""
    if status not in ("accredited", "conditional"):
        raise InvalidInput("status must be accredited or conditional", pointer="/status")
    if valid_from.tzinfo is None or (valid_until is not None and valid_until.tzinfo is None):
        raise InvalidInput("validFrom and validUntil need a time zone", pointer="/validFrom")
    current = _current_accreditation(session, institution)
    record = AccreditationRecord(
        id=f"urn:uuid:{uuid.uuid4()}",
        nic=institutions.nic_did(settings),
        institution=institution.did,
        status=status,
        scope=scope,
        valid_from=valid_from,
        valid_until=valid_until,
        accrediting_body=accrediting_body,
        legal_names={"en": institution.name, **json.loads(institution.name_translations)},
        country=institution.country_code,
        supersedes=current.id if current is not None else None,
    )
    return _issue_record(session, settings, institution, record)


def withdraw(
    session: Session,
    settings: Settings,
    institution: InstitutionRecord,
    *,
    at: datetime,
    reason: str,
) -> AccreditationRecordRow:
    """Withdraw the institution's accreditation from ``at`` on (a new, superseding record)."""
    if at.tzinfo is None:
        raise InvalidInput("the withdrawal time needs a time zone", pointer="/withdrawnAt")
    current = _current_accreditation(session, institution)
    if current is None:
        raise NotFound(f"{institution.slug!r} has no accreditation to withdraw")
    if current.status == "withdrawn":
        raise Conflict("the accreditation is already withdrawn", code="already-withdrawn")
    previous = parse_accreditation_credential(json.loads(current.document))
    if at < previous.valid_from:
        raise InvalidInput(
            "the withdrawal cannot precede the accreditation it ends", pointer="/withdrawnAt"
        )
    record = AccreditationRecord(
        id=f"urn:uuid:{uuid.uuid4()}",
        nic=previous.nic,
        institution=institution.did,
        status="withdrawn",
        scope=previous.scope,
        valid_from=at,
        valid_until=None,
        accrediting_body=f"{previous.accrediting_body} (withdrawn: {reason})"
        if reason
        else previous.accrediting_body,
        legal_names=previous.legal_names,
        country=previous.country,
        supersedes=current.id,
    )
    return _issue_record(session, settings, institution, record)


def accreditation_documents(
    session: Session, institution: InstitutionRecord
) -> list[dict[str, Any]]:
    """All signed accreditation records of an institution, oldest first (its history)."""
    rows = session.exec(
        select(AccreditationRecordRow)
        .where(AccreditationRecordRow.institution_id == institution.id)
        .order_by(col(AccreditationRecordRow.valid_from), col(AccreditationRecordRow.created_at))
    ).all()
    return [json.loads(r.document) for r in rows]


# --- this NIC's trust list -------------------------------------------------------------------


def trust_list_url(settings: Settings) -> str:
    return f"{settings.public_base_url.rstrip('/')}/trust-list"


def _entities(session: Session, settings: Settings) -> list[dict[str, Any]]:
    entities = []
    for record in institutions.list_institutions(session):
        if record.kind == "nic":
            continue
        entities.append(
            {
                "id": record.did,
                "type": "TrustedInstitution",
                "name": record.name,
                "addressCountryCode": record.country_code,
                "status": "granted" if record.active else "withdrawn",
                "didDocument": institutions.did_document(session, record, settings),
                "accreditations": accreditation_documents(session, record),
            }
        )
    return entities


def publish_trust_list(session: Session, settings: Settings) -> dict[str, Any]:
    """This NIC's current signed trust list; a new version (sequence + 1) whenever the
    vouched-for content changed, otherwise the latest version as it was signed."""
    nic = _nic(session, settings)
    entities = _entities(session, settings)
    content_sha = hashlib.sha256(
        json.dumps(entities, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    latest = session.exec(
        select(PublishedTrustListRecord).order_by(
            col(PublishedTrustListRecord.sequence_number).desc()
        )
    ).first()
    now = utcnow_seconds()
    if (
        latest is not None
        and latest.content_sha256 == content_sha
        and as_utc(latest.issued_at) + TRUST_LIST_VALIDITY / 2 > now
    ):
        loaded: dict[str, Any] = json.loads(latest.document)
        return loaded
    sequence = (latest.sequence_number + 1) if latest is not None else 1
    unsigned = build_trust_list(
        list_id=trust_list_url(settings),
        operator=nic.did,
        operator_name=nic.name,
        country=nic.country_code,
        sequence_number=sequence,
        issued_at=now,
        next_update=now + TRUST_LIST_VALIDITY,
        entities=entities,
        transparency_log=_log_declaration(session, settings),
    )
    signed = eddsa_jcs_2022.add_proof(
        unsigned, institutions.signer_for(session, settings, nic), created=now
    )
    registry.record_signed(session, signed, kind="trust-list", reference=str(sequence))
    session.add(
        PublishedTrustListRecord(
            sequence_number=sequence,
            content_sha256=content_sha,
            document=json.dumps(signed, ensure_ascii=False, separators=(",", ":")),
            issued_at=now,
        )
    )
    session.flush()
    audit.record(
        session,
        "trustlist.publish",
        "trust-list",
        trust_list_url(settings),
        {"sequenceNumber": sequence, "contentSha256": content_sha},
    )
    return signed


def _log_declaration(session: Session, settings: Settings) -> LogDeclaration:
    base = settings.public_base_url.rstrip("/")
    return LogDeclaration(
        origin=settings.effective_log_origin,
        vkey=transparency.log_verifier(session, settings).vkey,
        url=f"{base}/log",
        witness_vkey=transparency.witness_verifier(session, settings).vkey,
        witness_url=f"{base}/witness",
    )


# --- partner NICs ----------------------------------------------------------------------------


def add_partner(
    session: Session,
    *,
    did: str,
    name: str,
    country_code: str,
    public_key_multibase: str,
    trust_list_url: str | None = None,
) -> PartnerNicRecord:
    """Configure a partner NIC (its DID and key come from an out-of-band exchange)."""
    if not did.startswith("did:"):
        raise InvalidInput("did must be a DID", pointer="/did")
    if not re.fullmatch(r"[A-Z]{2}", country_code):
        raise InvalidInput("countryCode must be ISO 3166-1 alpha-2", pointer="/countryCode")
    try:
        keys.public_key_from_multibase(public_key_multibase)
    except KeyLoadError as exc:
        # The administrator's input, not this service's key store: a 400, not a 500.
        raise InvalidInput(
            f"publicKeyMultibase is not an Ed25519 Multikey: {exc.message}",
            pointer="/publicKeyMultibase",
        ) from exc
    if session.exec(select(PartnerNicRecord).where(PartnerNicRecord.did == did)).first():
        raise Conflict(f"partner {did} is already configured")
    record = PartnerNicRecord(
        did=did,
        name=name,
        country_code=country_code,
        public_key_multibase=public_key_multibase,
        trust_list_url=trust_list_url,
    )
    session.add(record)
    session.flush()
    audit.record(
        session,
        "partner.add",
        "partner-nic",
        did,
        {"countryCode": country_code, "publicKeyMultibase": public_key_multibase},
    )
    return record


def get_partner(session: Session, partner_id: str) -> PartnerNicRecord:
    record = session.get(PartnerNicRecord, partner_id)
    if record is None:
        raise NotFound(f"no partner NIC {partner_id!r}")
    return record


def list_partners(session: Session) -> list[PartnerNicRecord]:
    return list(
        session.exec(select(PartnerNicRecord).order_by(col(PartnerNicRecord.created_at))).all()
    )


def remove_partner(session: Session, partner: PartnerNicRecord) -> None:
    """Forget a partner and all its imported snapshots (its institutions stop being trusted)."""
    for snapshot in session.exec(
        select(TrustListSnapshotRecord).where(TrustListSnapshotRecord.partner_id == partner.id)
    ).all():
        session.delete(snapshot)
    session.flush()  # no ORM relationship orders these deletes: children first, explicitly
    session.delete(partner)
    session.flush()
    audit.record(session, "partner.remove", "partner-nic", partner.did)


def import_trust_list(
    session: Session, partner: PartnerNicRecord, document: Mapping[str, Any], *, fetched_from: str
) -> TrustListSnapshotRecord:
    """Verify a partner's trust list with the configured key and record it as the current
    snapshot. A list older than the current one (lower sequence number) is refused.

    Raises:
        InvalidInput: bad signature, wrong issuer, malformed list.
        Conflict: a rollback to an older sequence number.
    """
    verified = verify_trust_list(
        document,
        operator=partner.did,
        public_key=keys.public_key_from_multibase(partner.public_key_multibase),
    )
    current = session.exec(
        select(TrustListSnapshotRecord).where(
            TrustListSnapshotRecord.partner_id == partner.id,
            col(TrustListSnapshotRecord.current).is_(True),
        )
    ).first()
    if current is not None and verified.sequence_number < current.sequence_number:
        raise Conflict(
            f"refusing trust list sequence {verified.sequence_number}: sequence "
            f"{current.sequence_number} was already imported (a rollback)",
            code="trust-list-rollback",
        )
    if current is not None:
        current.current = False
        session.add(current)
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    snapshot = TrustListSnapshotRecord(
        partner_id=partner.id,
        sequence_number=verified.sequence_number,
        fetched_from=fetched_from,
        fetched_at=utcnow_seconds(),
        next_update=verified.next_update,
        document=text,
        document_sha256=hashlib.sha256(text.encode()).hexdigest(),
        current=True,
    )
    session.add(snapshot)
    session.flush()
    declared = verified.transparency_log
    if declared is not None and not any(
        log.origin == declared.origin for log in transparency.witnessed_logs(session)
    ):
        # The partner's log, as its signed list declares it: witnessed and trusted from now on
        # (a later list cannot swap the key silently; the administrator changes it).
        transparency.add_witnessed_log(
            session,
            origin=declared.origin,
            vkey=declared.vkey,
            url=declared.url,
            partner_did=partner.did,
        )
    audit.record(
        session,
        "trustlist.import",
        "partner-nic",
        partner.did,
        {
            "sequenceNumber": verified.sequence_number,
            "documentSha256": snapshot.document_sha256,
            "fetchedFrom": fetched_from,
        },
    )
    return snapshot


def refresh_trust_list(
    session: Session, partner: PartnerNicRecord, fetcher: SafeFetcher
) -> TrustListSnapshotRecord:
    """Fetch the partner's list from its configured URL (safe fetcher) and import it."""
    if not partner.trust_list_url:
        raise InvalidInput("this partner has no trust list URL; upload the list instead")
    data = fetcher.get_json(partner.trust_list_url)
    if not isinstance(data, dict):
        raise InvalidInput("the partner's trust list is not a JSON object")
    return import_trust_list(session, partner, data, fetched_from=partner.trust_list_url)


def snapshots(session: Session, partner: PartnerNicRecord) -> list[TrustListSnapshotRecord]:
    return list(
        session.exec(
            select(TrustListSnapshotRecord)
            .where(TrustListSnapshotRecord.partner_id == partner.id)
            .order_by(col(TrustListSnapshotRecord.fetched_at))
        ).all()
    )


# --- what verification asks ------------------------------------------------------------------


#: Verified trust lists by (digest of the stored text, partner DID, partner key): content-
#: addressed, so never stale, and a tampered row has another digest and is verified afresh.
#: Saves parsing and re-verifying every partner list on every verification request.
_VERIFIED_SNAPSHOTS: dict[tuple[str, str, str], TrustList | None] = {}
_VERIFIED_SNAPSHOTS_MAX = 64


def _verified_snapshot(document: str, partner: PartnerNicRecord) -> TrustList | None:
    key = (hashlib.sha256(document.encode()).hexdigest(), partner.did, partner.public_key_multibase)
    if key in _VERIFIED_SNAPSHOTS:
        return _VERIFIED_SNAPSHOTS[key]
    try:
        parsed: TrustList | None = verify_trust_list(
            json.loads(document),
            operator=partner.did,
            public_key=keys.public_key_from_multibase(partner.public_key_multibase),
        )
    except Error:
        parsed = None
    if len(_VERIFIED_SNAPSHOTS) >= _VERIFIED_SNAPSHOTS_MAX:
        _VERIFIED_SNAPSHOTS.clear()
    _VERIFIED_SNAPSHOTS[key] = parsed
    return parsed


class TrustRegistry:
    """Everything verification needs to know about trust, loaded once per request: this NIC's
    own institutions and accreditations first, then the current snapshots of partners' lists
    (re-verified against the configured keys when loaded, so a tampered database row is not
    trusted)."""

    def __init__(self, session: Session, settings: Settings) -> None:
        self._session = session
        self._source = f"this NIC's registry ({settings.public_base_url})"
        self._view: TrustListView | None = None

    def _lists(self) -> TrustListView:
        if self._view is None:
            verified: list[TrustList] = []
            provenance: dict[int, str] = {}
            rows = self._session.exec(
                select(TrustListSnapshotRecord, PartnerNicRecord)
                .join(
                    PartnerNicRecord,
                    col(PartnerNicRecord.id) == col(TrustListSnapshotRecord.partner_id),
                )
                .where(col(TrustListSnapshotRecord.current).is_(True))
            ).all()
            for snapshot, partner in rows:
                parsed = _verified_snapshot(snapshot.document, partner)
                if parsed is None:
                    continue  # never trust what no longer verifies
                verified.append(parsed)
                provenance[id(parsed)] = (
                    f"trust list of {partner.name} ({partner.did}), sequence "
                    f"{snapshot.sequence_number}, snapshot {snapshot.id} fetched from "
                    f"{snapshot.fetched_from} at {as_utc(snapshot.fetched_at).isoformat()}"
                )
            self._view = TrustListView(verified, describe=lambda t: provenance[id(t)])
        return self._view

    def evaluate(self, issuer_did: str, credential: Mapping[str, Any]) -> TrustDecision:
        """TrustPolicy: registered here, else vouched for by an imported partner list."""
        record = institutions.find_institution_by_did(self._session, issuer_did)
        if record is not None:
            if not record.active:
                return TrustDecision(
                    False, "issuer-deactivated", f"{record.name} has been deactivated", self._source
                )
            return TrustDecision(
                True,
                "registered-institution",
                f"{record.name} is registered with {self._source}",
                self._source,
            )
        decision = self._lists().evaluate(issuer_did, credential)
        if decision.code == "unknown-issuer":
            return TrustDecision(
                None,
                "unknown-issuer",
                f"{issuer_did} is neither registered here nor on any imported partner trust list",
            )
        return decision

    def resolve(self, did: str) -> DidDocument:
        """DidResolver fallback: DID documents carried by partners' lists."""
        return self._lists().resolve(did)

    def accreditations(self, did: str) -> list[AccreditationRecord] | None:
        """AccreditationSource: this NIC's records, else the partner list's."""
        record = institutions.find_institution_by_did(self._session, did)
        if record is None:
            return self._lists().accreditations(did)
        if record.kind == "nic":
            # The NIC is the national authority itself (it issues recognition statements and
            # accreditations); it is not accredited by anyone, and needs not be.
            return [
                AccreditationRecord(
                    id=f"{record.did}#national-authority",
                    nic=record.did,
                    institution=record.did,
                    status="accredited",
                    scope=Scope(),
                    valid_from=datetime(1970, 1, 1, tzinfo=UTC),
                    valid_until=None,
                    accrediting_body="national information centre (the authority itself)",
                )
            ]
        parsed: list[AccreditationRecord] = []
        for document in accreditation_documents(self._session, record):
            try:
                parsed.append(parse_accreditation_credential(document))
            except Error:
                continue
        return parsed
