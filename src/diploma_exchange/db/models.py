"""Database tables. Only this package defines tables; every table class ends in ``Record``.

Private keys are stored only as encrypted PKCS#8 PEM; API keys only as SHA-256 digests
(they are 256-bit random tokens, so a slow password hash adds nothing against guessing).
Issued credentials are stored exactly as signed (the JSON text that was returned).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlmodel import Field, SQLModel


def _uuid() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime:
    """Timezone-aware now in UTC (the only clock the db layer uses by default)."""
    return datetime.now(UTC)


def utcnow_seconds() -> datetime:
    """Now in UTC, whole seconds: the precision of proofs' ``created`` and of xsd:dateTime
    values in credentials, so stored times and signed times agree."""
    return datetime.now(UTC).replace(microsecond=0)


def as_utc(moment: datetime) -> datetime:
    """A stored time as an aware UTC datetime: SQLite hands back naive datetimes for
    timezone-aware columns, and every time stored here is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def core_table(model: type[SQLModel]) -> Table:
    """The Core table of a model: an ``insert`` through it is one plain executemany, several
    times cheaper per row than SQLAlchemy's ORM bulk path (bulk issuance writes 150,000)."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def _ts(nullable: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(DateTime(timezone=True), nullable=nullable)


class InstitutionRecord(SQLModel, table=True):
    """A university (or the NIC itself) known to this service."""

    __tablename__ = "institution"

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=36)
    slug: str = Field(index=True, unique=True, max_length=64)
    did: str = Field(index=True, unique=True, max_length=255)
    kind: str = Field(default="university", max_length=16)  # university | nic
    name: str = Field(max_length=255)
    name_translations: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    #: JSON list of ``documents.signatories.Signatory`` (printed on PDF diplomas).
    signatories: str = Field(
        default="[]", sa_column=Column(Text, nullable=False, server_default="[]")
    )
    country_code: str = Field(default="KZ", max_length=2)
    url: str | None = Field(default=None, max_length=255)
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    #: Granted by the NIC: besides diplomas, the institution may issue any VC 2.0 credential
    #: whose terms its bundled contexts define (VC-API ``POST /credentials/issue``).
    may_issue_any_vc: bool = Field(
        default=False,
        sa_column=Column(Boolean, nullable=False, server_default=false()),
    )
    #: The type of the key credentials and status lists are signed with by default
    #: (``Ed25519``, ``P-256`` or ``P-384``); its default cryptosuites follow from it.
    issuing_key_type: str = Field(
        default="Ed25519",
        sa_column=Column(String(16), nullable=False, server_default="Ed25519"),
    )


class InstitutionKeyRecord(SQLModel, table=True):
    """One key of an institution (Ed25519, P-256 or P-384: its Multikey says which); the
    private half only encrypted (PKCS#8)."""

    __tablename__ = "institution_key"
    __table_args__ = (UniqueConstraint("institution_id", "key_id"),)

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=36)
    institution_id: str = Field(foreign_key="institution.id", index=True, max_length=36)
    key_id: str = Field(max_length=64)  # DID URL fragment, e.g. "key-1"
    public_key_multibase: str = Field(max_length=128)
    encrypted_private_key: bytes | None = Field(
        default=None, sa_column=Column(LargeBinary, nullable=True)
    )
    status: str = Field(default="active", max_length=16)  # active | retired | compromised
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    retired_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    #: Signatures made at or after this moment are invalid (the key leaked then or earlier).
    compromised_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class ApiKeyRecord(SQLModel, table=True):
    """An API key: ``dx_<prefix>_<secret>``; stored as its prefix and SHA-256 digest."""

    __tablename__ = "api_key"

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=36)
    prefix: str = Field(index=True, unique=True, max_length=16)
    secret_sha256: str = Field(max_length=64)
    role: str = Field(max_length=16)  # admin | institution
    institution_id: str | None = Field(
        default=None, foreign_key="institution.id", index=True, max_length=36
    )
    label: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    revoked_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


#: The rows the unique indexes of ``credential`` cover (also written by migration 0014).
ACTIVE_HOLDER_PROGRAMME = "state <> 'revoked' AND holder_programme_sha256 <> ''"
ACTIVE_DIPLOMA_NUMBER = "state <> 'revoked' AND diploma_number <> ''"


class CredentialRecord(SQLModel, table=True):
    """An issued diploma, stored exactly as signed."""

    __tablename__ = "credential"
    #: The database itself refuses a second active diploma (services.issuance.find_duplicates
    #: says why, first): two requests that both passed that check, in any number of worker
    #: processes, cannot both insert. Revoked diplomas and non-diplomas ("") are not counted.
    __table_args__ = (
        Index(
            "uq_credential_active_holder_programme",
            "institution_id",
            "holder_programme_sha256",
            unique=True,
            sqlite_where=text(ACTIVE_HOLDER_PROGRAMME),
            postgresql_where=text(ACTIVE_HOLDER_PROGRAMME),
        ),
        Index(
            "uq_credential_active_diploma_number",
            "institution_id",
            "diploma_number",
            unique=True,
            sqlite_where=text(ACTIVE_DIPLOMA_NUMBER),
            postgresql_where=text(ACTIVE_DIPLOMA_NUMBER),
        ),
    )

    id: str = Field(primary_key=True, max_length=255)  # the credential's own id (urn:uuid:...)
    institution_id: str = Field(foreign_key="institution.id", index=True, max_length=36)
    issuer_did: str = Field(index=True, max_length=255)
    batch_id: str | None = Field(default=None, index=True, max_length=36)
    batch_position: int | None = None
    achievement_type: str = Field(default="", max_length=64)
    subject_name: str = Field(default="", max_length=255)
    student_id_sha256: str = Field(default="", index=True, max_length=64)
    document: str = Field(sa_column=Column(Text, nullable=False))
    document_sha256: str = Field(max_length=64)
    #: SHA-256 of the secured document (proofs.secured.secured_digest): what a verifier
    #: recomputes to ask "was this credential issued here?"
    secured_digest: str = Field(index=True, max_length=64)
    issued_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    #: active | suspended | revoked (mirrors the status list bits; the bits are published)
    state: str = Field(default="active", max_length=16)
    #: credentials.identity: the same graduate's same programme at this institution; a second
    #: active diploma with the same digest (or the same diploma number) is refused unless it
    #: is asked for as a re-issuance
    holder_programme_sha256: str = Field(default="", index=True, max_length=64)
    diploma_number: str = Field(default="", index=True, max_length=64)
    #: a re-issuance names the diploma it replaces (revoked as superseded) and why
    reissue_of: str | None = Field(default=None, max_length=255)
    reissue_reason: str | None = Field(default=None, max_length=500)


class SignedDocumentRecord(SQLModel, table=True):
    """A document other than a diploma that this service signed for one of its institutions or
    its NIC (status lists, accreditation credentials, trust lists, recognition statements), by
    its secured digest: with the credential table, the complete record of what was issued
    here, so that a correctly signed document that is in neither was never issued."""

    __tablename__ = "signed_document"

    digest: str = Field(primary_key=True, max_length=64)
    issuer_did: str = Field(index=True, max_length=255)
    kind: str = Field(max_length=32)
    reference: str = Field(default="", max_length=255)
    signed_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class BatchRecord(SQLModel, table=True):
    """A batch issuance; with an idempotency key its response is replayed on retry."""

    __tablename__ = "issuance_batch"
    __table_args__ = (UniqueConstraint("institution_id", "idempotency_key"),)

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=36)
    institution_id: str = Field(foreign_key="institution.id", index=True, max_length=36)
    idempotency_key: str | None = Field(default=None, max_length=255)
    request_sha256: str = Field(max_length=64)
    count: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class StatusListRecord(SQLModel, table=True):
    """One Bitstring Status List of an institution for one purpose (revocation / suspension).

    ``bitstring`` is the raw (uncompressed) list; ``version`` grows with every change and the
    signed list credential is re-signed in the same transaction, so what is published always
    matches the bits.
    """

    __tablename__ = "status_list"
    __table_args__ = (UniqueConstraint("institution_id", "purpose", "sequence"),)

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=36)
    institution_id: str = Field(foreign_key="institution.id", index=True, max_length=36)
    purpose: str = Field(max_length=16)
    sequence: int = 0
    size: int = 131072
    bitstring: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    version: int = 1
    signed_credential: str = Field(default="", sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class StatusAllocationRecord(SQLModel, table=True):
    """A used index of a status list. The primary key makes reuse impossible, whatever the
    number of concurrent workers: a colliding insert fails and the allocator picks again."""

    __tablename__ = "status_allocation"

    list_id: str = Field(foreign_key="status_list.id", primary_key=True, max_length=36)
    index: int = Field(primary_key=True)
    #: No foreign key on purpose: indexes are reserved before the credential row is written
    #: (in the same transaction), so that the signed credential already carries them.
    credential_id: str = Field(index=True, max_length=255)


class StatusEventRecord(SQLModel, table=True):
    """Append-only history of revocations, suspensions and reinstatements."""

    __tablename__ = "status_event"

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=36)
    credential_id: str = Field(foreign_key="credential.id", index=True, max_length=255)
    institution_id: str = Field(foreign_key="institution.id", index=True, max_length=36)
    action: str = Field(max_length=16)  # revoke | suspend | reinstate
    reason_code: str = Field(max_length=64)
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    actor: str = Field(default="", max_length=64)  # API key id, "cli", ...
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class KeyEventRecord(SQLModel, table=True):
    """The hash-chained, signed key event log of an institution (one signed entry per row)."""

    __tablename__ = "key_event"
    __table_args__ = (UniqueConstraint("institution_id", "sequence"),)

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=36)
    institution_id: str = Field(foreign_key="institution.id", index=True, max_length=36)
    sequence: int
    entry: str = Field(sa_column=Column(Text, nullable=False))
    entry_sha256: str = Field(max_length=64)


class AccreditationRecordRow(SQLModel, table=True):
    """A signed accreditation record issued by this service's NIC (never edited: a withdrawal
    is a new row that supersedes the earlier one)."""

    __tablename__ = "accreditation"

    id: str = Field(primary_key=True, max_length=255)  # the credential id (urn:uuid:...)
    institution_id: str = Field(foreign_key="institution.id", index=True, max_length=36)
    status: str = Field(max_length=16)
    valid_from: datetime = Field(sa_column=_ts())
    valid_until: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    supersedes: str | None = Field(default=None, max_length=255)
    document: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class PartnerNicRecord(SQLModel, table=True):
    """A partner country's NIC, configured out of band: its DID and the key its trust list
    must be signed with, and where to fetch the list."""

    __tablename__ = "partner_nic"

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=36)
    did: str = Field(unique=True, index=True, max_length=255)
    name: str = Field(max_length=255)
    country_code: str = Field(max_length=2)
    public_key_multibase: str = Field(max_length=128)
    trust_list_url: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class TrustListSnapshotRecord(SQLModel, table=True):
    """One imported (and verified) trust list of a partner NIC, with where and when it came from."""

    __tablename__ = "trust_list_snapshot"

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=36)
    partner_id: str = Field(foreign_key="partner_nic.id", index=True, max_length=36)
    sequence_number: int
    fetched_from: str = Field(max_length=500)
    fetched_at: datetime = Field(sa_column=_ts())
    next_update: datetime = Field(sa_column=_ts())
    document: str = Field(sa_column=Column(Text, nullable=False))
    document_sha256: str = Field(max_length=64)
    current: bool = Field(default=True, index=True)


class PublishedTrustListRecord(SQLModel, table=True):
    """Each version of this NIC's own trust list, as signed and served."""

    __tablename__ = "published_trust_list"

    sequence_number: int = Field(primary_key=True)
    content_sha256: str = Field(max_length=64)
    document: str = Field(sa_column=Column(Text, nullable=False))
    issued_at: datetime = Field(sa_column=_ts())


class RecognitionStatementRecord(SQLModel, table=True):
    """A recognition statement issued (signed) by this NIC, stored as signed."""

    __tablename__ = "recognition_statement"

    id: str = Field(primary_key=True, max_length=255)  # the statement credential's id
    diploma_id: str | None = Field(default=None, index=True, max_length=255)
    diploma_digest: str | None = Field(default=None, max_length=128)
    receiving_country: str = Field(max_length=2)
    outcome: str = Field(max_length=64)
    document: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class RecognitionDecisionRecord(SQLModel, table=True):
    """An officer's decision on a statement (accepted / amended with reasons) and appeal
    notes: append-only, so the history of a case is kept."""

    __tablename__ = "recognition_decision"

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=36)
    statement_id: str = Field(foreign_key="recognition_statement.id", index=True, max_length=255)
    decision: str = Field(max_length=16)  # accepted | amended | appeal
    reasons: str = Field(default="", sa_column=Column(Text, nullable=False))
    appeal_note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    officer: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class ClaimCodeRecord(SQLModel, table=True):
    """A one-time code the university hands to a graduate to claim a diploma's private page.

    Only the SHA-256 digest of the code is stored (the code carries 125 random bits, so a slow
    hash adds nothing against guessing; attempts are rate-limited as well). Single use: the
    claim sets ``claimed_at`` with a conditional update. A newer code for the same diploma
    supersedes the older, unclaimed ones.
    """

    __tablename__ = "claim_code"

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=36)
    credential_id: str = Field(foreign_key="credential.id", index=True, max_length=255)
    code_sha256: str = Field(index=True, unique=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    expires_at: datetime = Field(sa_column=_ts())
    claimed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    superseded_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class WebSessionRecord(SQLModel, table=True):
    """A browser session: a graduate's (bound to one diploma) or a verifier's after entering a
    share link's PIN (bound to that link). Stored as the SHA-256 of its 256-bit token."""

    __tablename__ = "web_session"

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=36)
    token_sha256: str = Field(index=True, unique=True, max_length=64)
    kind: str = Field(max_length=16)  # graduate | link
    credential_id: str = Field(foreign_key="credential.id", index=True, max_length=255)
    share_link_id: str | None = Field(
        default=None, foreign_key="share_link.id", index=True, max_length=36
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    expires_at: datetime = Field(sa_column=_ts())
    revoked_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class ShareLinkRecord(SQLModel, table=True):
    """A verification link a graduate made for someone (SHA-256 of its 256-bit token stored)."""

    __tablename__ = "share_link"

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=36)
    credential_id: str = Field(foreign_key="credential.id", index=True, max_length=255)
    token_sha256: str = Field(index=True, unique=True, max_length=64)
    label: str = Field(default="", max_length=120)
    purpose: str = Field(default="share", max_length=16)  # share | pdf
    #: scrypt hash of the optional PIN (``scrypt$n$r$p$salt$hash``)
    pin_hash: str | None = Field(default=None, max_length=255)
    failed_pin_attempts: int = Field(default=0)
    locked_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    expires_at: datetime = Field(sa_column=_ts())
    revoked_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class ShareLinkEventRecord(SQLModel, table=True):
    """One access to a share link, for the graduate's access log (no IP address is kept)."""

    __tablename__ = "share_link_event"

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=36)
    share_link_id: str = Field(foreign_key="share_link.id", index=True, max_length=36)
    #: opened | pin-failed | pin-accepted | locked | downloaded-json | downloaded-pdf |
    #: downloaded-report | refused
    event: str = Field(max_length=32)
    country: str | None = Field(default=None, max_length=2)
    at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class RateLimitRecord(SQLModel, table=True):
    """A fixed-window request counter shared by every worker (``bucket`` names the limit, the
    client and the window)."""

    __tablename__ = "rate_limit"

    bucket: str = Field(primary_key=True, max_length=255)
    count: int = Field(default=0)
    window_ends_at: datetime = Field(sa_column=_ts())


class AuditEntryRecord(SQLModel, table=True):
    """One entry of the append-only, hash-chained audit log (see ``services.audit``).

    ``entry_sha256`` is SHA-256 over the RFC 8785 form of the entry (sequence number, time,
    actor, action, object, details and ``prev_sha256``), so editing, reordering or deleting
    any entry breaks the chain from that point on."""

    __tablename__ = "audit_log"

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: datetime = Field(sa_column=_ts())
    actor: str = Field(max_length=255)
    action: str = Field(index=True, max_length=64)
    object_type: str = Field(max_length=32)
    object_id: str = Field(index=True, max_length=255)
    details: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    prev_sha256: str = Field(max_length=64)
    entry_sha256: str = Field(max_length=64)


class AuditHeadRecord(SQLModel, table=True):
    """The chain's head (one row, ``id`` 1): the last entry's number and hash. Appending
    updates it first, which serialises appenders across workers on its row lock, and it makes
    deleting entries from the end of the log detectable."""

    __tablename__ = "audit_head"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    seq: int = 0
    entry_sha256: str = Field(max_length=64)


# --- issuance transparency log (services.transparency) ---------------------------------------


class LogLeafRecord(SQLModel, table=True):
    """One entry of the transparency log (``transparency.entries``), numbered from 0 without
    gaps. ``data`` is the leaf exactly as hashed; the other columns are look-up keys copied
    from it (no personal data: diplomas appear only as their secured digest)."""

    __tablename__ = "log_leaf"

    idx: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    kind: str = Field(max_length=16)  # issuance | status | key
    issuer: str = Field(max_length=255)
    #: The secured digest (issuance, status) or None.
    digest: str | None = Field(default=None, index=True, max_length=64)
    #: The verification method of a key event, else None (issuance rows leave it empty so
    #: that the index stays small).
    key_ref: str | None = Field(default=None, index=True, max_length=255)
    logged_at: datetime = Field(sa_column=_ts())


class LogHeadRecord(SQLModel, table=True):
    """The sequencer (one row, ``id`` 1): how many leaves have numbers. Appenders update it
    first, which serialises them on its row lock, so numbers are consecutive across workers."""

    __tablename__ = "log_head"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    size: int = Field(sa_column=Column(BigInteger, nullable=False))


class LogTreeRecord(SQLModel, table=True):
    """The integrated tree (one row, ``id`` 1): the size covered by the stored tiles and its
    root hash (hex). Integration locks this row, never the head, so appends go on meanwhile."""

    __tablename__ = "log_tree"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    root_sha256: str = Field(max_length=64)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class LogTileRecord(SQLModel, table=True):
    """A C2SP tile: up to 256 consecutive hashes of height 8 x ``level``; a partial tile is
    stored at its current width and grows (a narrower partial tile is a prefix of it)."""

    __tablename__ = "log_tile"

    level: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    idx: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    hashes: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class LogCheckpointRecord(SQLModel, table=True):
    """A signed checkpoint (the note with the log's signature only)."""

    __tablename__ = "log_checkpoint"

    size: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    root_sha256: str = Field(max_length=64)
    note: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class LogCosignatureRecord(SQLModel, table=True):
    """A witness's cosignature line on one of this log's checkpoints."""

    __tablename__ = "log_cosignature"
    __table_args__ = (UniqueConstraint("size", "witness_vkey", "timestamp"),)

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=36)
    size: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    witness_vkey: str = Field(max_length=500)
    timestamp: int = Field(sa_column=Column(BigInteger, nullable=False))
    line: str = Field(sa_column=Column(Text, nullable=False))


class LogKeyRecord(SQLModel, table=True):
    """This service's note keys: ``log`` signs checkpoints, ``witness`` cosigns partners'
    checkpoints. Distinct keys (c2sp.org/signed-note: one key, one signature type), stored
    only encrypted (PKCS#8 with the key passphrase)."""

    __tablename__ = "log_key"

    purpose: str = Field(primary_key=True, max_length=16)  # log | witness
    name: str = Field(max_length=255)
    vkey: str = Field(max_length=500)
    encrypted_private_key: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class LogWitnessRecord(SQLModel, table=True):
    """A witness of this log (a partner NIC): its cosignature vkey, its submission prefix,
    and the size of the last checkpoint it cosigned for us."""

    __tablename__ = "log_witness"

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=36)
    vkey: str = Field(unique=True, max_length=500)
    url: str = Field(max_length=500)
    partner_did: str | None = Field(default=None, max_length=255)
    last_size: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class WitnessedLogRecord(SQLModel, table=True):
    """A partner's log this service witnesses (and trusts for verification): its origin, key,
    tiles prefix, and the latest checkpoint cosigned for it here (c2sp.org/tlog-witness)."""

    __tablename__ = "witnessed_log"

    origin: str = Field(primary_key=True, max_length=255)
    vkey: str = Field(max_length=500)
    url: str | None = Field(default=None, max_length=500)
    partner_did: str | None = Field(default=None, max_length=255)
    size: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    root_sha256: str | None = Field(default=None, max_length=64)
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class WalletOfferRecord(SQLModel, table=True):
    """An OpenID4VCI credential offer of one claimed diploma (pre-authorized code flow).

    The pre-authorized code (also the path of the offer's ``credential_offer_uri``: whoever
    can fetch the offer holds the code anyway) and the access token it is exchanged for are
    256-bit random tokens, the optional transaction code a few digits; all stored as SHA-256
    digests (the transaction code's guesses are limited per offer). The code is
    single use: the exchange sets ``redeemed_at`` with a conditional update.
    """

    __tablename__ = "wallet_offer"

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=36)
    credential_id: str = Field(foreign_key="credential.id", index=True, max_length=255)
    code_sha256: str = Field(index=True, unique=True, max_length=64)
    tx_code_sha256: str | None = Field(default=None, max_length=64)
    failed_tx_attempts: int = Field(default=0)
    #: JSON array of credential configuration ids
    configuration_ids: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    expires_at: datetime = Field(sa_column=_ts())
    redeemed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    token_sha256: str | None = Field(default=None, index=True, unique=True, max_length=64)
    token_expires_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class WalletNonceRecord(SQLModel, table=True):
    """A ``c_nonce`` handed out by the OpenID4VCI nonce endpoint (SHA-256 stored); used once."""

    __tablename__ = "wallet_nonce"

    nonce_sha256: str = Field(primary_key=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    expires_at: datetime = Field(sa_column=_ts())
    used_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class WalletIssuanceRecord(SQLModel, table=True):
    """A diploma sent to a wallet: which format, bound to which key, and the digest of what
    was signed (the graduate's page lists these)."""

    __tablename__ = "wallet_issuance"

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=36)
    credential_id: str = Field(foreign_key="credential.id", index=True, max_length=255)
    offer_id: str = Field(foreign_key="wallet_offer.id", index=True, max_length=36)
    configuration_id: str = Field(max_length=64)
    format: str = Field(max_length=32)
    #: the wallet key's DID (did:key, or did:jwk of the proof's JWK)
    holder: str = Field(sa_column=Column(Text, nullable=False))
    digest: str = Field(max_length=64)
    issued_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class VcApiExchangeRecord(SQLModel, table=True):
    """A VC-API exchange (W3C CCG VC-API, "Exchanges"): the diploma issued to the wallet
    that authenticates with its DID (workflow ``diploma-issuance``), or a diploma asked of a
    wallet and verified (``diploma-verification``). The local exchange id is a bearer
    capability (whoever holds the URL may take part), so only its digest is stored; the
    owner reads the state with a secret handle, also stored by digest."""

    __tablename__ = "vcapi_exchange"

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=36)
    exchange_sha256: str = Field(index=True, unique=True, max_length=64)
    handle_sha256: str = Field(index=True, unique=True, max_length=64)
    workflow: str = Field(max_length=32)
    #: the diploma to issue (issuance exchanges only)
    credential_id: str | None = Field(
        default=None, foreign_key="credential.id", index=True, max_length=255
    )
    challenge: str = Field(max_length=64)
    domain: str = Field(max_length=255)
    label: str = Field(default="", max_length=120)
    #: pending | active | complete | invalid (VC-API GetExchangeResponse ``state``)
    state: str = Field(default="pending", max_length=16)
    sequence: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    expires_at: datetime = Field(sa_column=_ts())
    completed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    #: the wallet's DID (the presentation's holder), once it answered
    holder: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    #: SHA-256 of the holder-bound diploma issued (issuance exchanges)
    digest: str | None = Field(default=None, max_length=64)
    #: JSON: the verification report, or why the exchange became invalid
    result: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class PresentationRequestRecord(SQLModel, table=True):
    """An OpenID4VP 1.0 request this service made as a verifier (DCQL query, nonce), and the
    verification report of the wallet's answer once it came (one answer per request)."""

    __tablename__ = "presentation_request"

    id: str = Field(default_factory=_uuid, primary_key=True, max_length=36)
    nonce: str = Field(max_length=64)
    #: the verifier's secret handle to read the result (SHA-256 stored)
    handle_sha256: str = Field(index=True, unique=True, max_length=64)
    dcql_query: str = Field(sa_column=Column(Text, nullable=False))
    label: str = Field(default="", max_length=120)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    expires_at: datetime = Field(sa_column=_ts())
    #: pending | answered | refused
    state: str = Field(default="pending", max_length=16)
    answered_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    report: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
