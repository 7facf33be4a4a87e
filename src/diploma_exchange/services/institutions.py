"""Institutions, their keys and API keys; authentication of API callers."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlmodel import Session, col, select

from diploma_exchange.config import Settings
from diploma_exchange.db.models import (
    ApiKeyRecord,
    InstitutionKeyRecord,
    InstitutionRecord,
    KeyEventRecord,
    as_utc,
)
from diploma_exchange.dids import key_log
from diploma_exchange.dids.did_web import VerificationKey, build_did_document, did_web_from_url
from diploma_exchange.documents.signatories import MAX_SIGNATORIES, Signatory, parse_signatories
from diploma_exchange.errors import (
    ConfigurationError,
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
)
from diploma_exchange.proofs import keys
from diploma_exchange.services import audit, transparency

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
API_KEY_RE = re.compile(r"^dx_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$")
ROLE_ADMIN = "admin"
ROLE_INSTITUTION = "institution"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the NIC administrator or one institution."""

    role: str
    api_key_id: str
    institution: InstitutionRecord | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == ROLE_ADMIN


def institution_did(settings: Settings, slug: str) -> str:
    """The did:web of an institution hosted by this service."""
    return did_web_from_url(settings.public_base_url, ["institutions", slug])


def nic_did(settings: Settings) -> str:
    """The did:web of the NIC operating this service (the host itself)."""
    return did_web_from_url(settings.public_base_url, [])


def _passphrase(settings: Settings) -> bytes:
    phrase = settings.passphrase_bytes()
    if phrase is None:
        raise ConfigurationError(
            "no key passphrase configured: set DIPLOMA_EXCHANGE_KEY_PASSPHRASE or "
            "DIPLOMA_EXCHANGE_KEY_PASSPHRASE_FILE"
        )
    return phrase


def register_institution(
    session: Session,
    settings: Settings,
    *,
    slug: str,
    name: str,
    name_translations: dict[str, str] | None = None,
    country_code: str = "KZ",
    url: str | None = None,
    kind: str = "university",
    private_key: Ed25519PrivateKey | None = None,
    signatories: Sequence[Signatory] = (),
    key_type: keys.KeyType = keys.KeyType.ED25519,
) -> tuple[InstitutionRecord, InstitutionKeyRecord]:
    """Create an institution with a did:web under this service and its first signing key.

    Every institution has an Ed25519 key (``key-1``: it signs the service's own documents such
    as PAdES signatures and OpenID4VP request objects). With ``key_type`` P-256 or P-384 a second key
    of that type (``key-2``) is added and made the issuing key type (:func:`issuing_key`), so
    the institution issues ECDSA by default. Returns the issuing key.

    Raises:
        InvalidInput: bad slug or country code.
        Conflict: the slug is taken.
    """
    if not SLUG_RE.fullmatch(slug):
        raise InvalidInput(
            "slug must be 1-64 lowercase letters, digits or hyphens, not starting or ending "
            "with a hyphen",
            pointer="/slug",
        )
    if not re.fullmatch(r"[A-Z]{2}", country_code):
        raise InvalidInput("countryCode must be an ISO 3166-1 alpha-2 code", pointer="/countryCode")
    if session.exec(select(InstitutionRecord).where(InstitutionRecord.slug == slug)).first():
        raise Conflict(f"an institution with slug {slug!r} already exists", pointer="/slug")
    did = nic_did(settings) if kind == "nic" else institution_did(settings, slug)
    record = InstitutionRecord(
        slug=slug,
        did=did,
        kind=kind,
        name=name,
        name_translations=json.dumps(name_translations or {}, ensure_ascii=False),
        signatories=_signatories_json(signatories),
        country_code=country_code,
        url=url,
        issuing_key_type=key_type.value,
    )
    session.add(record)
    session.flush()
    audit.record(
        session,
        "institution.register",
        "institution",
        record.did,
        {"slug": slug, "kind": kind, "countryCode": country_code, "keyType": key_type.value},
    )
    key = add_signing_key(session, settings, record, private_key=private_key)
    if key_type is not keys.KeyType.ED25519:
        key = add_signing_key(session, settings, record, key_type=key_type)
    return record, key


def add_signing_key(
    session: Session,
    settings: Settings,
    institution: InstitutionRecord,
    *,
    private_key: keys.SigningKey | None = None,
    key_type: keys.KeyType = keys.KeyType.ED25519,
) -> InstitutionKeyRecord:
    """Add a signing key of ``key_type`` (Ed25519, P-256 or P-384; generated unless
    ``private_key`` is given, whose own type then counts), stored encrypted (passphrase-
    encrypted PKCS#8, as every key); returns its record. The other keys stay as they are;
    it is the issuing key when its type is the institution's issuing key type."""
    private_key = private_key or keys.generate_signing_key(key_type)
    existing = session.exec(
        select(InstitutionKeyRecord).where(InstitutionKeyRecord.institution_id == institution.id)
    ).all()
    record = InstitutionKeyRecord(
        institution_id=institution.id,
        key_id=f"key-{len(existing) + 1}",
        public_key_multibase=keys.public_key_multibase(private_key.public_key()),
        encrypted_private_key=keys.encrypt_private_key(private_key, _passphrase(settings)),
    )
    session.add(record)
    session.flush()
    _record_key_event(
        session, settings, institution, "added", record, effective_at=record.created_at
    )
    return record


def get_institution(session: Session, slug: str) -> InstitutionRecord:
    """The institution with that slug. Raises NotFound."""
    record = session.exec(select(InstitutionRecord).where(InstitutionRecord.slug == slug)).first()
    if record is None:
        raise NotFound(f"no institution with slug {slug!r}")
    return record


def find_institution_by_did(session: Session, did: str) -> InstitutionRecord | None:
    """The institution with this DID, if hosted here.

    A verification asks this up to four times (resolver, key history, trust, accreditation).
    An institution's DID never changes, so the DID -> id mapping is remembered for the
    session and the record is then taken from the session's identity map (no query, and
    still the session's own view of the row). The session also holds the record: its
    identity map only keeps objects someone references, and a verification drops the
    record between its look-ups (each of which then queried the row again).
    """
    known: dict[str, str] = session.info.setdefault("dx.institution_id_by_did", {})
    institution_id = known.get(did)
    if institution_id is not None:
        cached = session.get(InstitutionRecord, institution_id)
        if cached is not None:
            return cached
    record = session.exec(select(InstitutionRecord).where(InstitutionRecord.did == did)).first()
    if record is not None:
        known[did] = record.id
        session.info.setdefault("dx.institutions_held", {})[record.id] = record
    return record


def list_institutions(session: Session) -> list[InstitutionRecord]:
    return list(session.exec(select(InstitutionRecord).order_by(InstitutionRecord.slug)).all())


def institution_keys(
    session: Session, institution: InstitutionRecord
) -> list[InstitutionKeyRecord]:
    return list(
        session.exec(
            select(InstitutionKeyRecord)
            .where(InstitutionKeyRecord.institution_id == institution.id)
            .order_by(col(InstitutionKeyRecord.created_at))
        ).all()
    )


def key_type_of(key: InstitutionKeyRecord) -> keys.KeyType:
    """The type of one of the institution's keys (Ed25519, P-256 or P-384), read from its
    Multikey (``z6Mk...``, ``zDn...``, ``z82...``)."""
    return keys.multikey_type(key.public_key_multibase)


def active_key(
    session: Session,
    institution: InstitutionRecord,
    key_type: keys.KeyType | None = keys.KeyType.ED25519,
) -> InstitutionKeyRecord:
    """The newest active key of ``key_type`` (any type with ``None``).

    Raises:
        NotFound: the institution has no such key.
    """
    active = [
        k
        for k in institution_keys(session, institution)
        if k.status == "active" and (key_type is None or key_type_of(k) is key_type)
    ]
    if not active:
        what = f"{key_type} " if key_type is not None else ""
        raise NotFound(f"institution {institution.slug!r} has no active {what}signing key")
    return active[-1]


def issuing_key_type(institution: InstitutionRecord) -> keys.KeyType:
    """The institution's issuing key type (``Ed25519`` unless chosen otherwise)."""
    try:
        return keys.parse_key_type(institution.issuing_key_type or "Ed25519")
    except InvalidInput:  # pragma: no cover - only set_issuing_key_type writes it
        return keys.KeyType.ED25519


def set_issuing_key_type(
    session: Session, institution: InstitutionRecord, key_type: keys.KeyType
) -> InstitutionRecord:
    """Make ``key_type`` the institution's issuing key type (audited): its newest active key of
    that type signs credentials and status lists from now on, with the type's default
    cryptosuites. Status lists are re-signed with it at their next change.

    Raises:
        InvalidInput: the institution has no active key of that type (``no-key-of-type``).
    """
    if not any(
        k.status == "active" and key_type_of(k) is key_type
        for k in institution_keys(session, institution)
    ):
        raise InvalidInput(
            f"institution {institution.slug!r} has no active {key_type} key; add one first "
            "(diploma-exchange keys add --type ...)",
            pointer="/keyType",
            code="no-key-of-type",
        )
    institution.issuing_key_type = key_type.value
    session.add(institution)
    session.flush()
    audit.record(
        session,
        "institution.issuing-key-type",
        "institution",
        institution.did,
        {"slug": institution.slug, "keyType": key_type.value},
    )
    return institution


def issuing_key(
    session: Session, institution: InstitutionRecord, cryptosuite: str | None = None
) -> InstitutionKeyRecord:
    """The key credentials and status lists are signed with: the newest active key of the
    institution's issuing key type (:func:`issuing_key_type`; its type decides the default
    cryptosuites, services/signing.py ``DEFAULT_SUITES``), or the newest active key of any
    type when none of that type is left; with ``cryptosuite``, the newest active key whose
    type can sign it, preferring the issuing key type.

    Raises:
        InvalidInput: an unsupported cryptosuite, or no active key can sign it
            (``unsupported-cryptosuite``, pointer ``/options/cryptosuite``).
        NotFound: the institution has no active key.
    """
    from diploma_exchange.services import signing  # signing imports nothing from here

    preferred = issuing_key_type(institution)
    if cryptosuite is None:
        try:
            return active_key(session, institution, preferred)
        except NotFound:
            return active_key(session, institution, None)
    kinds = signing.check_issuance_suite(cryptosuite)
    fitting = [
        k
        for k in institution_keys(session, institution)
        if k.status == "active" and key_type_of(k) in kinds
    ]
    fitting.sort(key=lambda k: key_type_of(k) is preferred)  # stable: newest last
    if not fitting:
        raise InvalidInput(
            f"institution {institution.slug!r} has no active "
            f"{' or '.join(sorted(kinds))} key for {cryptosuite}; add one "
            "(diploma-exchange keys add --type ...) or choose another cryptosuite",
            pointer="/options/cryptosuite",
            code="unsupported-cryptosuite",
        )
    return fitting[-1]


def signer_for(session: Session, settings: Settings, institution: InstitutionRecord) -> keys.Signer:
    """A signer for the institution's newest active Ed25519 key (decrypted in memory only):
    the key of the service's own signatures (key event log, trust lists, OpenID4VP request
    objects, PAdES). Credentials (wallet copies and SD-JWT VCs included) and status lists
    (Bitstring and Token Status Lists) are signed with :func:`issuing_signer`."""
    key = active_key(session, institution)
    if key.encrypted_private_key is None:
        raise NotFound(f"the private half of {institution.did}#{key.key_id} is not held here")
    return keys.Signer.from_pem(
        key.encrypted_private_key, _passphrase(settings), f"{institution.did}#{key.key_id}"
    )


def _signer_of(
    settings: Settings, institution: InstitutionRecord, key: InstitutionKeyRecord, *, did_key: bool
) -> keys.Signer | keys.EcdsaSigner:
    if key.encrypted_private_key is None:
        raise NotFound(f"the private half of {institution.did}#{key.key_id} is not held here")
    multibase = key.public_key_multibase
    method = f"did:key:{multibase}#{multibase}" if did_key else f"{institution.did}#{key.key_id}"
    return keys.signer_from_pem(key.encrypted_private_key, _passphrase(settings), method)


def issuing_signer(
    session: Session,
    settings: Settings,
    institution: InstitutionRecord,
    cryptosuite: str | None = None,
) -> keys.Signer | keys.EcdsaSigner:
    """A signer (as its did:web verification method) for :func:`issuing_key`.

    Raises:
        InvalidInput: no active key can sign ``cryptosuite``. NotFound: no active key, or its
            private half is not held here.
    """
    key = issuing_key(session, institution, cryptosuite)
    return _signer_of(settings, institution, key, did_key=False)


def allow_any_vc(session: Session, institution: InstitutionRecord, allowed: bool = True) -> None:
    """The NIC allows (or no longer allows) ``institution`` to issue any VC 2.0 credential
    through the VC-API, besides diplomas (audited)."""
    institution.may_issue_any_vc = allowed
    session.add(institution)
    audit.record(
        session,
        "institution.allow-any-vc" if allowed else "institution.disallow-any-vc",
        "institution",
        institution.id,
        {"slug": institution.slug},
    )


def did_key_of(
    session: Session, institution: InstitutionRecord, cryptosuite: str | None = None
) -> str:
    """The ``did:key`` of the institution's issuing key (:func:`issuing_key`; with
    ``cryptosuite``, the newest active key that can sign it): an identifier that resolves
    without the network (the W3C Data Integrity suites resolve only did:key). It names one
    key: after a rotation the institution's did:key is another one."""
    return "did:key:" + issuing_key(session, institution, cryptosuite).public_key_multibase


def did_keys_of(session: Session, institution: InstitutionRecord) -> dict[str, str]:
    """The ``did:key`` of every active key of the institution, by its key id."""
    return {
        "did:key:" + k.public_key_multibase: k.key_id
        for k in institution_keys(session, institution)
        if k.status == "active"
    }


def did_key_signer_for(
    session: Session,
    settings: Settings,
    institution: InstitutionRecord,
    *,
    did: str | None = None,
    cryptosuite: str | None = None,
) -> keys.Signer | keys.EcdsaSigner:
    """A signer as the verification method of a did:key of the institution: ``did`` (one of
    :func:`did_keys_of`), or else the issuing key's (:func:`did_key_of`).

    Raises:
        InvalidInput: ``did`` is not the did:key of an active key of the institution
            (``issuer-mismatch``), or no active key can sign ``cryptosuite``.
        NotFound: the private half is not held here.
    """
    key: InstitutionKeyRecord | None
    if did is None:
        key = issuing_key(session, institution, cryptosuite)
    else:
        key_id = did_keys_of(session, institution).get(did)
        key = next((k for k in institution_keys(session, institution) if k.key_id == key_id), None)
        if key is None:
            raise InvalidInput(
                f"{did} is not the did:key of an active key of {institution.slug!r}",
                pointer="/credential/issuer",
                code="issuer-mismatch",
            )
    return _signer_of(settings, institution, key, did_key=True)


def private_key_of(
    settings: Settings, institution: InstitutionRecord, key: InstitutionKeyRecord
) -> Ed25519PrivateKey:
    """The private half of one of the institution's keys (decrypted in memory only).

    Raises:
        NotFound: it is not held here.
    """
    if key.encrypted_private_key is None:
        raise NotFound(f"the private half of {institution.did}#{key.key_id} is not held here")
    return keys.load_private_key(key.encrypted_private_key, _passphrase(settings))


def key_events_url(settings: Settings, institution: InstitutionRecord) -> str:
    base = settings.public_base_url.rstrip("/")
    if institution.kind == "nic":
        return f"{base}/.well-known/key-events"
    return f"{base}/institutions/{institution.slug}/key-events"


def did_document(
    session: Session, institution: InstitutionRecord, settings: Settings | None = None
) -> dict[str, object]:
    """The DID document of a hosted institution: every key that still verifies something
    (active, retired, and compromised ones with ``revoked`` = the compromise time), and, when
    ``settings`` are given, a service entry pointing at the signed key event log."""
    vks = [
        VerificationKey(
            fragment=k.key_id,
            public_key_multibase=k.public_key_multibase,
            revoked=_xsd(k.compromised_at) if k.compromised_at else None,
            active=k.status == "active",
        )
        for k in institution_keys(session, institution)
    ]
    services = []
    if settings is not None:
        services.append(
            {
                "id": f"{institution.did}#key-events",
                "type": "KeyEventLog",
                "serviceEndpoint": key_events_url(settings, institution),
            }
        )
    return build_did_document(institution.did, vks, services)


# --- key lifecycle and the key event log -----------------------------------------------------


def _xsd(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    # isoformat, not strftime: glibc's %Y does not pad years before 1000 to four digits.
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def key_event_log(session: Session, institution: InstitutionRecord) -> list[dict[str, Any]]:
    """The institution's signed, hash-chained key event log, oldest first."""
    rows = session.exec(
        select(KeyEventRecord)
        .where(KeyEventRecord.institution_id == institution.id)
        .order_by(col(KeyEventRecord.sequence))
    ).all()
    return [json.loads(r.entry) for r in rows]


def _log_signer(
    session: Session, settings: Settings, institution: InstitutionRecord
) -> keys.Signer:
    """Key events are signed by the NIC (the trust anchor that registered the institution),
    so a stolen institution key cannot rewrite its own history. Before a NIC identity exists,
    the institution's own newest active key signs."""
    nic = find_institution_by_did(session, nic_did(settings))
    return signer_for(session, settings, nic if nic is not None else institution)


def _record_key_event(
    session: Session,
    settings: Settings,
    institution: InstitutionRecord,
    event: str,
    key: InstitutionKeyRecord,
    *,
    effective_at: datetime,
    note: str | None = None,
) -> None:
    log = key_event_log(session, institution)
    now = datetime.now(UTC)
    last = log[-1]["recordedAt"] if log else None
    if last is not None:
        now = max(now, datetime.fromisoformat(last))
    entry = key_log.append_event(
        log,
        controller=institution.did,
        event=event,  # type: ignore[arg-type]
        key_id=f"{institution.did}#{key.key_id}",
        public_key_multibase=key.public_key_multibase,
        effective_at=as_utc(effective_at),
        recorded_at=now,
        signer=_log_signer(session, settings, institution),
        note=note,
    )
    text = json.dumps(entry, separators=(",", ":"), ensure_ascii=False)
    entry_sha256 = key_log.entry_hash(entry)
    session.add(
        KeyEventRecord(
            institution_id=institution.id,
            sequence=len(log),
            entry=text,
            entry_sha256=entry_sha256,
        )
    )
    session.flush()
    transparency.log_key_event(
        session,
        issuer=institution.did,
        verification_method=f"{institution.did}#{key.key_id}",
        event_name=event,
        effective_at=as_utc(effective_at),
        public_key_multibase=key.public_key_multibase,
        key_log_entry_sha256=entry_sha256,
    )
    audit.record(
        session,
        f"key.{event}",
        "key",
        f"{institution.did}#{key.key_id}",
        {
            "institution": institution.slug,
            "publicKeyMultibase": key.public_key_multibase,
            "effectiveAt": entry.get("effectiveAt"),
        },
    )


def rotate_key(
    session: Session,
    settings: Settings,
    institution: InstitutionRecord,
    *,
    note: str | None = None,
    key_type: keys.KeyType | None = None,
) -> InstitutionKeyRecord:
    """Add a new signing key of ``key_type`` (default: the institution's issuing key type) and
    retire the active keys of that type (they keep verifying what they signed while active);
    keys of other types stay active. Returns the new key."""
    now = datetime.now(UTC)
    # Proof times have whole seconds (issuance truncates them); retire at the next whole
    # second so that a diploma signed in the same second as the rotation stays valid.
    if now.microsecond:
        now = now.replace(microsecond=0) + timedelta(seconds=1)
    if key_type is None:
        key_type = issuing_key_type(institution)
    previous = [
        k
        for k in institution_keys(session, institution)
        if k.status == "active" and key_type_of(k) is key_type
    ]
    new_key = add_signing_key(session, settings, institution, key_type=key_type)
    for key in previous:
        key.status = "retired"
        key.retired_at = now
        session.add(key)
        _record_key_event(
            session, settings, institution, "retired", key, effective_at=now, note=note
        )
    _resign_status_lists(session, settings, institution)
    return new_key


def _resign_status_lists(
    session: Session, settings: Settings, institution: InstitutionRecord
) -> None:
    """Re-sign every status list with the active key: verifiers refuse a list signed by a
    retired or compromised key (whoever holds an old key could sign one that hides a
    revocation)."""
    from diploma_exchange.services import status  # status builds on this module

    session.flush()
    status.refresh_institution_lists(session, settings, institution, force=True)


def compromise_key(
    session: Session,
    settings: Settings,
    institution: InstitutionRecord,
    key_id: str,
    *,
    compromised_at: datetime,
    note: str | None = None,
) -> InstitutionKeyRecord:
    """Mark a key compromised from ``compromised_at``: what it signed from then on is invalid,
    what it signed before stays valid. A compromised active key is replaced at once.

    Raises:
        NotFound: no such key. Conflict: already compromised. InvalidInput: time in the future.
    """
    if compromised_at.tzinfo is None:
        raise InvalidInput("compromisedAt needs a time zone", pointer="/compromisedAt")
    if compromised_at > datetime.now(UTC) + timedelta(minutes=5):
        raise InvalidInput("compromisedAt cannot be in the future", pointer="/compromisedAt")
    key = next((k for k in institution_keys(session, institution) if k.key_id == key_id), None)
    if key is None:
        raise NotFound(f"institution {institution.slug!r} has no key {key_id!r}")
    if key.compromised_at is not None:
        raise Conflict(f"key {key_id} is already marked compromised", code="already-compromised")
    was_active = key.status == "active"
    kind = key_type_of(key)
    key.status = "compromised"
    key.compromised_at = compromised_at
    session.add(key)
    session.flush()
    if was_active and not any(
        k.status == "active" and key_type_of(k) is kind
        for k in institution_keys(session, institution)
    ):
        # so the compromised key signs nothing more, and a key of its type is still there
        add_signing_key(session, settings, institution, key_type=kind)
    _record_key_event(
        session, settings, institution, "compromised", key, effective_at=compromised_at, note=note
    )
    if any(k.status == "active" for k in institution_keys(session, institution)):
        _resign_status_lists(session, settings, institution)
    return key


def key_windows(session: Session, institution: InstitutionRecord) -> dict[str, key_log.KeyWindow]:
    """Signing windows of the institution's keys, keyed by verification method id."""
    return dict(key_log.key_windows(key_event_log(session, institution)))


# --- API keys --------------------------------------------------------------------------------


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(
    session: Session,
    *,
    role: str,
    institution: InstitutionRecord | None = None,
    label: str = "",
) -> tuple[ApiKeyRecord, str]:
    """Create an API key; returns the record and the plaintext token (shown once, never stored)."""
    if role not in (ROLE_ADMIN, ROLE_INSTITUTION):
        raise InvalidInput(f"unknown role {role!r}")
    if role == ROLE_INSTITUTION and institution is None:
        raise InvalidInput("an institution API key needs an institution")
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
    prefix = "".join(secrets.choice(alphabet) for _ in range(12))
    secret = secrets.token_urlsafe(32)  # 256 bits
    record = ApiKeyRecord(
        prefix=prefix,
        secret_sha256=_digest(secret),
        role=role,
        institution_id=institution.id if institution else None,
        label=label,
    )
    session.add(record)
    session.flush()
    audit.record(
        session,
        "apikey.create",
        "api-key",
        record.id,
        {"role": role, "institution": institution.slug if institution else None, "label": label},
    )
    return record, f"dx_{prefix}_{secret}"


def authenticate(session: Session, token: str) -> Principal:
    """Resolve an API key to its principal, comparing digests in constant time.

    Raises:
        NotAuthenticated: malformed, unknown or revoked key (one message for all three).
    """
    failure = NotAuthenticated("the API key is missing, malformed, unknown or revoked")
    match = API_KEY_RE.fullmatch(token or "")
    if match is None:
        raise failure
    prefix, secret = match.groups()
    record = session.exec(select(ApiKeyRecord).where(ApiKeyRecord.prefix == prefix)).first()
    expected = record.secret_sha256 if record else _digest("x" * 43)
    if not hmac.compare_digest(_digest(secret), expected) or record is None:
        raise failure
    if record.revoked_at is not None:
        raise failure
    institution = None
    if record.institution_id is not None:
        institution = session.get(InstitutionRecord, record.institution_id)
        if institution is None or not institution.active:
            raise failure
    principal = Principal(role=record.role, api_key_id=record.id, institution=institution)
    audit.act_as(session, actor_for(principal))
    return principal


def actor_for(principal: Principal) -> str:
    """How the audit log names the holder of an API key (never the key itself)."""
    if principal.institution is not None:
        return f"institution:{principal.institution.slug}/api-key:{principal.api_key_id}"
    return f"{principal.role}/api-key:{principal.api_key_id}"


def revoke_api_key(session: Session, record: ApiKeyRecord) -> None:
    record.revoked_at = datetime.now(UTC)
    session.add(record)
    audit.record(session, "apikey.revoke", "api-key", record.id, {"role": record.role})


def _signatories_json(signatories: Sequence[Signatory]) -> str:
    if len(signatories) > MAX_SIGNATORIES:
        raise InvalidInput(
            f"at most {MAX_SIGNATORIES} signatories are printed on a diploma",
            code="too-many-signatories",
            pointer="/signatories",
        )
    return json.dumps([s.model_dump() for s in signatories], ensure_ascii=False)


def signatories_of(record: InstitutionRecord) -> tuple[Signatory, ...]:
    """The institution's signatories as its profile names them."""
    return parse_signatories(json.loads(record.signatories or "[]"))


def set_signatories(
    session: Session, record: InstitutionRecord, signatories: Sequence[Signatory]
) -> InstitutionRecord:
    """Replace the institution's signatories (printed on the PDF diplomas made from now on).

    Raises:
        InvalidInput: more than ``MAX_SIGNATORIES`` (``too-many-signatories``).
    """
    record.signatories = _signatories_json(signatories)
    session.add(record)
    session.flush()
    audit.record(
        session,
        "institution.signatories",
        "institution",
        record.did,
        {"signatories": [s.model_dump() for s in signatories]},
    )
    return record
