"""The issuance transparency log, stored: appends, tiles, checkpoints, proofs and bundles.

**Appending.** A service calls :func:`log_issued`, :func:`log_status` or :func:`log_key_event`
while it changes state; the leaves wait in the session and are numbered and inserted when the
session commits (a ``before_commit`` listener, as the audit trail does), so a leaf exists
exactly when its change does. Numbering first *updates* the one-row ``log_head``, which takes
its row lock (PostgreSQL) or the write lock (SQLite) until the commit: appenders in any number
of workers get consecutive numbers, no gaps, no forks. The listener is registered after the
audit trail's (this module imports it first), so every writer takes the audit head, then the
log head, the same order everywhere.

**Integrating.** :func:`publish_checkpoint` (every few seconds under load, from the
:class:`Publisher` thread, or on demand) locks ``log_tree`` (never the head, so appends go on),
hashes the leaves numbered since, grows the C2SP tiles, signs a checkpoint with the log key
and stores it, all in one transaction. Proofs and tiles are served only for integrated sizes.

**Witnessing.** :func:`request_cosignatures` sends the latest checkpoint with a consistency
proof to each witness of this log (c2sp.org/tlog-witness), outside any transaction, and stores
the cosignatures it gets back; :func:`witness_add_checkpoint` is this service acting as a
witness for partners' logs.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import and_, event, insert, or_, update
from sqlalchemy import select as core_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, col, select

from diploma_exchange.config import Settings
from diploma_exchange.db.bulk_insert import insert_rows
from diploma_exchange.db.models import (
    LogCheckpointRecord,
    LogCosignatureRecord,
    LogHeadRecord,
    LogKeyRecord,
    LogLeafRecord,
    LogTileRecord,
    LogTreeRecord,
    LogWitnessRecord,
    WitnessedLogRecord,
    core_table,
    utcnow,
    utcnow_seconds,
)
from diploma_exchange.dids.remote import SafeFetcher
from diploma_exchange.errors import (
    ConfigurationError,
    Conflict,
    DidResolutionError,
    Error,
    InvalidInput,
    NotFound,
    ServiceUnavailable,
)
from diploma_exchange.proofs import keys
from diploma_exchange.services import audit
from diploma_exchange.transparency import merkle, tiles
from diploma_exchange.transparency.bundle import (
    BundleEntry,
    LogBundle,
    LogVerdict,
    TrustedLog,
    WitnessPolicy,
    verify_bundle,
)
from diploma_exchange.transparency.checkpoint import (
    Checkpoint,
    SignedCheckpoint,
    open_checkpoint,
    sign_checkpoint,
)
from diploma_exchange.transparency.entries import (
    Entry,
    IssuanceEntry,
    KeyEntry,
    StatusEntry,
    encode_entry,
)
from diploma_exchange.transparency.monitor import MonitorProblem, MonitorReport, scan
from diploma_exchange.transparency.note import (
    COSIGNATURE_V1,
    ED25519,
    NoteError,
    NoteSigner,
    NoteVerifier,
    parse_note,
    parse_signature_line,
    parse_vkey,
    verify_cosignatures,
)
from diploma_exchange.transparency.witness import (
    Outcome,
    WitnessedState,
    WitnessResult,
    add_checkpoint,
    encode_request,
)

log = logging.getLogger(__name__)

HEAD_ID = 1
TREE_ID = 1
_HEX64 = re.compile(r"[0-9a-f]{64}")
_PENDING = "dx.transparency.pending"
#: Leaves integrated per checkpoint at most (a backlog is worked off over several).
MAX_INTEGRATE = 500_000
TILE_WIDTH = tiles.TILE_WIDTH
HASH = merkle.HASH_SIZE


# --- appending -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Pending:
    data: bytes
    kind: str
    issuer: str
    digest: str | None
    key_ref: str | None
    at: datetime


def _queue(session: Session, entries: Iterable[tuple[Entry, str | None]]) -> None:
    session.connection()  # belong to the current transaction: its rollback drops the leaves
    pending: list[_Pending] = session.info.setdefault(_PENDING, [])
    for entry, key_ref in entries:
        pending.append(
            _Pending(
                encode_entry(entry),
                entry.type,
                entry.issuer,
                getattr(entry, "digest", None),
                key_ref,
                entry.time,
            )
        )


def log_issued(
    session: Session,
    issuer: str,
    verification_method: str,
    digests: Sequence[str],
) -> None:
    """Queue one issuance leaf per secured digest (appended when ``session`` commits)."""
    if not digests:
        return
    now = utcnow_seconds()
    # The first entry goes through the full encoder (which checks every field); the rest
    # differ only in the digest, checked here: 150,000 entries cost ~0.2 s, not ~3 s.
    first = encode_entry(IssuanceEntry(now, issuer, verification_method, digests[0]))
    head = first[: -(len(digests[0]) + 1)]
    session.connection()
    pending: list[_Pending] = session.info.setdefault(_PENDING, [])
    for digest in digests:
        if not _HEX64.fullmatch(digest):
            raise InvalidInput(f"{digest!r} is not a hex SHA-256 digest")
        pending.append(
            _Pending(head + digest.encode() + b"\n", "issuance", issuer, digest, None, now)
        )


def log_status(session: Session, issuer: str, digest: str, action: str) -> None:
    """Queue a status-change leaf (revoke, suspend, reinstate) of the diploma ``digest``."""
    _queue(session, [(StatusEntry(utcnow_seconds(), issuer, digest, action), None)])


def log_key_event(
    session: Session,
    *,
    issuer: str,
    verification_method: str,
    event_name: str,
    effective_at: datetime,
    public_key_multibase: str,
    key_log_entry_sha256: str,
) -> None:
    """Queue a key event leaf (added, retired, compromised), bound to the signed key event
    log entry by its hash."""
    entry = KeyEntry(
        utcnow_seconds(),
        issuer,
        verification_method,
        event_name,
        effective_at,
        public_key_multibase,
        key_log_entry_sha256,
    )
    _queue(session, [(entry, verification_method)])


def _upsert_ignore(session: Session, table: Any, values: dict[str, Any]) -> None:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(postgresql.insert(table).values(values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        session.execute(sqlite.insert(table).values(values).on_conflict_do_nothing())
    else:  # pragma: no cover - only the two supported backends
        session.execute(insert(table).values(values))


def _append(session: Session, pending: list[_Pending]) -> None:
    head = core_table(LogHeadRecord)
    claim = update(head).where(head.c.id == HEAD_ID).values(size=head.c.size + len(pending))
    if session.execute(claim).rowcount == 0:  # type: ignore[attr-defined]
        _upsert_ignore(session, head, {"id": HEAD_ID, "size": 0})
        session.execute(claim)
    size = session.execute(core_select(head.c.size).where(head.c.id == HEAD_ID)).scalar_one()
    first = size - len(pending)
    insert_rows(
        session,
        core_table(LogLeafRecord),
        [
            {
                "idx": first + offset,
                "data": item.data,
                "kind": item.kind,
                "issuer": item.issuer,
                "digest": item.digest,
                "key_ref": item.key_ref,
                "logged_at": item.at,
            }
            for offset, item in enumerate(pending)
        ],
    )


@event.listens_for(OrmSession, "before_commit")
def _flush_log(session: OrmSession) -> None:
    pending: list[_Pending] | None = session.info.pop(_PENDING, None)
    if pending:
        session.flush()
        _append(session, pending)  # type: ignore[arg-type]


@event.listens_for(OrmSession, "after_transaction_end")
def _drop_pending(session: OrmSession, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


# --- keys ----------------------------------------------------------------------------------

_signers: dict[tuple[str, str], NoteSigner] = {}
_signers_lock = threading.Lock()


def _note_signer(session: Session, settings: Settings, purpose: str) -> NoteSigner:
    """The log's (``log``) or the witness's (``witness``) note key, made on first use."""
    name = settings.effective_log_origin if purpose == "log" else settings.effective_witness_name
    signature_type = ED25519 if purpose == "log" else COSIGNATURE_V1
    passphrase = settings.passphrase_bytes()
    if passphrase is None:
        raise ConfigurationError("no key passphrase configured for the transparency log keys")
    record = session.get(LogKeyRecord, purpose)
    if record is None:
        private_key = keys.generate_private_key()
        fresh = NoteSigner(name, private_key, signature_type)
        _upsert_ignore(
            session,
            core_table(LogKeyRecord),
            {
                "purpose": purpose,
                "name": name,
                "vkey": fresh.verifier.vkey,
                "encrypted_private_key": keys.encrypt_private_key(private_key, passphrase),
                "created_at": utcnow(),
            },
        )
        record = session.get(LogKeyRecord, purpose, populate_existing=True)
        if record is None:  # pragma: no cover - the row was just written
            raise ConfigurationError("the transparency log key could not be stored")
    if record.name != name:
        raise ConfigurationError(
            f"the {purpose} key is named {record.name!r} but the configured name is {name!r}; "
            "a log's origin never changes"
        )
    cache_key = (purpose, record.vkey)
    with _signers_lock:
        signer = _signers.get(cache_key)
        if signer is None:
            private = keys.load_private_key(record.encrypted_private_key, passphrase)
            signer = NoteSigner(name, private, signature_type)
            if signer.verifier.vkey != record.vkey:
                raise ConfigurationError(f"the stored {purpose} key does not match its vkey")
            _signers[cache_key] = signer
    return signer


def log_verifier(session: Session, settings: Settings) -> NoteVerifier:
    """The log's checkpoint key (its vkey is what verifiers and witnesses configure)."""
    return _note_signer(session, settings, "log").verifier


def witness_verifier(session: Session, settings: Settings) -> NoteVerifier:
    return _note_signer(session, settings, "witness").verifier


# --- tiles, integration, checkpoints ----------------------------------------------------------


def _tile_source(session: Session) -> Callable[[int, int], bytes]:
    table = core_table(LogTileRecord)

    def read(level: int, index: int) -> bytes:
        data = session.execute(
            core_select(table.c.hashes).where(table.c.level == level, table.c.idx == index)
        ).scalar_one_or_none()
        if data is None:
            raise NotFound(f"tile {level}/{index} does not exist")
        return bytes(data)

    return read


def _write_tiles(session: Session, changed: dict[tuple[int, int], bytes]) -> None:
    table = core_table(LogTileRecord)
    rows = [{"level": k[0], "idx": k[1], "hashes": v} for k, v in changed.items()]
    dialect = session.get_bind().dialect.name
    stmt: Any
    if dialect == "postgresql":
        stmt = postgresql.insert(table)
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.level, table.c.idx], set_={"hashes": stmt.excluded.hashes}
        )
    else:
        stmt = sqlite.insert(table)
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.level, table.c.idx], set_={"hashes": stmt.excluded.hashes}
        )
    for start in range(0, len(rows), 1000):
        session.execute(stmt, rows[start : start + 1000])


def _lock_tree(session: Session) -> tuple[int, bytes]:
    tree = core_table(LogTreeRecord)
    lock = update(tree).where(tree.c.id == TREE_ID).values(size=tree.c.size)
    if session.execute(lock).rowcount == 0:  # type: ignore[attr-defined]
        _upsert_ignore(
            session,
            tree,
            {
                "id": TREE_ID,
                "size": 0,
                "root_sha256": merkle.EMPTY_ROOT.hex(),
                "updated_at": utcnow(),
            },
        )
        session.execute(lock)
    size, root = session.execute(
        core_select(tree.c.size, tree.c.root_sha256).where(tree.c.id == TREE_ID)
    ).one()
    return int(size), bytes.fromhex(root)


def publish_checkpoint(
    session: Session, settings: Settings, *, max_leaves: int = MAX_INTEGRATE
) -> LogCheckpointRecord:
    """Integrate the leaves numbered since the last checkpoint and sign a new checkpoint (or
    return the latest when nothing is new). The caller commits.

    Raises:
        Conflict: the numbered leaves have a gap (the log's tables were tampered with).
    """
    size, root = _lock_tree(session)
    leaves = core_table(LogLeafRecord)
    rows = session.execute(
        core_select(leaves.c.idx, leaves.c.data)
        .where(leaves.c.idx >= size)
        .order_by(leaves.c.idx)
        .limit(max_leaves)
    ).all()
    latest = latest_checkpoint(session)
    if not rows and latest is not None and latest.size == size:
        return latest
    hashes = []
    for offset, (index, data) in enumerate(rows):
        if index != size + offset:
            raise Conflict(
                f"log leaf {size + offset} is missing (found {index}): the log's tables were "
                "altered; no checkpoint is signed",
                code="log-gap",
            )
        hashes.append(merkle.leaf_hash(bytes(data)))
    if hashes:
        integration = tiles.integrate(size, hashes, _tile_source(session))
        _write_tiles(session, integration.tiles)
        size, root = integration.size, integration.root
    signer = _note_signer(session, settings, "log")
    checkpoint = Checkpoint(settings.effective_log_origin, size, root)
    record = LogCheckpointRecord(
        size=size,
        root_sha256=root.hex(),
        note=sign_checkpoint(checkpoint, signer),
        created_at=utcnow(),
    )
    tree = core_table(LogTreeRecord)
    session.execute(
        update(tree)
        .where(tree.c.id == TREE_ID)
        .values(size=size, root_sha256=root.hex(), updated_at=utcnow())
    )
    if session.get(LogCheckpointRecord, size) is None:
        session.add(record)
        session.flush()
        return record
    existing = session.get(LogCheckpointRecord, size)
    if existing is None:  # pragma: no cover
        raise NotFound("checkpoint vanished")
    return existing


def latest_checkpoint(session: Session) -> LogCheckpointRecord | None:
    return session.exec(
        select(LogCheckpointRecord).order_by(col(LogCheckpointRecord.size).desc()).limit(1)
    ).first()


def sequenced_size(session: Session) -> int:
    head = session.get(LogHeadRecord, HEAD_ID)
    return head.size if head is not None else 0


def checkpoint_with_cosignatures(session: Session, record: LogCheckpointRecord) -> str:
    """The checkpoint note with the log's signature and the newest cosignature of each
    witness on it."""
    rows = session.exec(
        select(LogCosignatureRecord)
        .where(LogCosignatureRecord.size == record.size)
        .order_by(col(LogCosignatureRecord.timestamp).desc())
    ).all()
    newest: dict[str, str] = {}
    for row in rows:
        newest.setdefault(row.witness_vkey, row.line)
    return record.note + "".join(newest[v] for v in sorted(newest))


def current_checkpoint(session: Session, settings: Settings) -> str:
    """The signed checkpoint to serve at ``<prefix>/checkpoint`` (one is made if none
    exists yet)."""
    record = latest_checkpoint(session)
    if record is None:
        record = publish_checkpoint(session, settings)
    return checkpoint_with_cosignatures(session, record)


def _integrated_size(session: Session) -> int:
    record = latest_checkpoint(session)
    return record.size if record is not None else 0


def read_tile(session: Session, ref: tiles.TileRef) -> bytes:
    """A tile's bytes at the width asked for (a partial tile is a prefix of the stored one).

    Raises:
        NotFound: the tree has no such tile (yet).
    """
    size = _integrated_size(session)
    if ref.level is None or not tiles.tile_exists(ref, size):
        raise NotFound(f"this log has no {ref.path()} at size {size}")
    data = _tile_source(session)(ref.level, ref.index)
    if len(data) < ref.width * HASH:
        raise NotFound(f"this log has no {ref.path()}")
    return data[: ref.width * HASH]


def read_entries(session: Session, start: int, end: int) -> list[bytes]:
    leaves = core_table(LogLeafRecord)
    rows = session.execute(
        core_select(leaves.c.data)
        .where(leaves.c.idx >= start, leaves.c.idx < end)
        .order_by(leaves.c.idx)
    ).all()
    return [bytes(r[0]) for r in rows]


def read_entry_bundle(session: Session, ref: tiles.TileRef) -> bytes:
    """An entry bundle (c2sp.org/tlog-tiles §Log entries).

    Raises:
        NotFound: not within the integrated tree.
    """
    size = _integrated_size(session)
    if ref.level is not None or not tiles.tile_exists(ref, size):
        raise NotFound(f"this log has no {ref.path()} at size {size}")
    start = ref.index * TILE_WIDTH
    entries = read_entries(session, start, start + ref.width)
    if len(entries) != ref.width:
        raise NotFound(f"this log is missing entries of {ref.path()}")
    return tiles.encode_bundle(entries)


# --- proofs --------------------------------------------------------------------------------


def _reader(session: Session) -> tiles.TileHashReader:
    return tiles.TileHashReader(_tile_source(session))


class _NodeRecorder:
    """A hash reader that only notes which stored hashes a proof needs (a dry run)."""

    def __init__(self) -> None:
        self.tiles: set[tuple[int, int]] = set()

    def node(self, height: int, index: int) -> bytes:
        level, rest = divmod(height, tiles.TILE_HEIGHT)
        self.tiles.add((level, (index << rest) // TILE_WIDTH))
        return bytes(HASH)


def _prefetched_reader(
    session: Session, plan: Callable[[merkle.HashReader], object]
) -> tiles.TileHashReader:
    """A reader holding every tile ``plan`` will read, fetched in one query: a proof in a
    tree of 10**7 entries is one round trip instead of six."""
    recorder = _NodeRecorder()
    plan(recorder)
    table = core_table(LogTileRecord)
    fetched: dict[tuple[int, int], bytes] = {}
    if recorder.tiles:
        wanted = or_(*(and_(table.c.level == lv, table.c.idx == ix) for lv, ix in recorder.tiles))
        for level, index, data in session.execute(
            core_select(table.c.level, table.c.idx, table.c.hashes).where(wanted)
        ):
            fetched[(int(level), int(index))] = bytes(data)
    return tiles.TileHashReader(_tile_source(session), overlay=fetched)


#: The integrated size, per database, for a second: tiles of sizes up to it never change, so a
#: stale value only refuses a size that has just become available.
_SIZE_TTL = 1.0
_sizes: dict[str, tuple[float, int]] = {}


def _check_size(session: Session, size: int) -> None:
    key = str(session.get_bind().engine.url)
    cached = _sizes.get(key)
    now = time.monotonic()
    if cached is not None and now - cached[0] < _SIZE_TTL and 0 < size <= cached[1]:
        return
    current = _integrated_size(session)
    _sizes[key] = (now, current)
    if not 0 < size <= current:
        raise NotFound(f"no checkpoint covers tree size {size} (the log has {current} entries)")


def inclusion_proof(session: Session, index: int, size: int) -> list[bytes]:
    """RFC 9162 inclusion proof of leaf ``index`` in the tree of ``size`` leaves.

    Raises:
        NotFound: ``size`` is beyond the integrated tree. InvalidInput: index >= size.
    """
    _check_size(session, size)

    def plan(reader: merkle.HashReader) -> object:
        return merkle.inclusion_proof(reader, index, size)

    return merkle.inclusion_proof(_prefetched_reader(session, plan), index, size)


def consistency_proof(session: Session, first: int, second: int) -> list[bytes]:
    """RFC 9162 consistency proof between two tree sizes.

    Raises:
        NotFound: ``second`` is beyond the integrated tree. InvalidInput: first > second.
    """
    _check_size(session, second)

    def plan(reader: merkle.HashReader) -> object:
        return merkle.consistency_proof(reader, first, second)

    return merkle.consistency_proof(_prefetched_reader(session, plan), first, second)


def find_leaves(session: Session, digest: str) -> list[LogLeafRecord]:
    return list(
        session.exec(
            select(LogLeafRecord)
            .where(LogLeafRecord.digest == digest)
            .order_by(col(LogLeafRecord.idx))
        ).all()
    )


def _key_events(session: Session, key_ref: str) -> list[LogLeafRecord]:
    return list(
        session.exec(
            select(LogLeafRecord)
            .where(LogLeafRecord.key_ref == key_ref, LogLeafRecord.kind == "key")
            .order_by(col(LogLeafRecord.idx))
        ).all()
    )


def _key_of(leaf: LogLeafRecord) -> str | None:
    for line in bytes(leaf.data).decode("ascii", "replace").split("\n"):
        if line.startswith("key "):
            return line[4:]
    return None


def bundle_for_digest(
    session: Session, settings: Settings, digest: str, *, publish: bool = True
) -> LogBundle:
    """The evidence for one diploma (by secured digest): its issuance and status entries and
    its key's events, with inclusion proofs in a checkpoint that covers them all (one is
    signed now if needed and ``publish``, so call this with a session that commits).

    Raises:
        NotFound: the log has no issuance entry with this digest.
        ServiceUnavailable: not ``publish`` and no checkpoint covers the entries yet.
    """
    leaves = find_leaves(session, digest)
    issuance = next((leaf for leaf in leaves if leaf.kind == "issuance"), None)
    if issuance is None:
        raise NotFound("no diploma with this digest is in the transparency log")
    key = _key_of(issuance)
    chosen = {leaf.idx: leaf for leaf in leaves}
    if key is not None:
        chosen.update({leaf.idx: leaf for leaf in _key_events(session, key)})
    needed = max(chosen) + 1
    record = latest_checkpoint(session)
    if (record is None or record.size < needed) and not publish:
        raise ServiceUnavailable(
            "the diploma is being added to a checkpoint; retry in a second",
            retry_after=1,
            code="log-checkpoint-pending",
        )
    if record is None or record.size < needed:
        record = publish_checkpoint(session, settings)
    if record.size < needed:
        raise NotFound("the diploma's entries are not yet in a checkpoint; retry shortly")
    reader = _reader(session)
    entries = tuple(
        BundleEntry(
            index,
            bytes(leaf.data),
            tuple(merkle.inclusion_proof(reader, index, record.size)),
        )
        for index, leaf in sorted(chosen.items())
    )
    return LogBundle(
        settings.effective_log_origin, checkpoint_with_cosignatures(session, record), entries
    )


# --- witnesses of this log ----------------------------------------------------------------

#: ``(url, body) -> (status, response body)``; injectable for tests (two apps in one process).
Poster = Callable[[str, bytes], tuple[int, bytes]]


def http_poster(settings: Settings) -> Poster:
    """POST with the safe fetcher's URL policy (https, public addresses, unless the host is in
    ``fetch_allow_hosts``), bounded in time and size."""
    fetcher = SafeFetcher(allow_hosts=settings.effective_fetch_allow_hosts)

    def post(url: str, body: bytes) -> tuple[int, bytes]:
        fetcher.check_url(url)
        with (
            httpx.Client(
                timeout=settings.log_witness_timeout_seconds, follow_redirects=False
            ) as client,
            client.stream(
                "POST", url, content=body, headers={"Content-Type": "text/plain"}
            ) as response,
        ):
            data = b""
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) > 64 * 1024:
                    raise DidResolutionError(f"{url} answered with more than 64 KiB")
            return response.status_code, data

    return post


def add_witness(
    session: Session, *, vkey: str, url: str, partner_did: str | None = None
) -> LogWitnessRecord:
    """Register a witness of this log (a partner NIC's cosigning key and submission prefix).

    Raises:
        InvalidInput: not a cosignature/v1 vkey or not an http(s) URL. Conflict: known.
    """
    verifier = parse_vkey(vkey, expected_type=COSIGNATURE_V1)
    if not url.startswith(("https://", "http://")):
        raise InvalidInput("the witness URL is its http(s) submission prefix", pointer="/url")
    if session.exec(select(LogWitnessRecord).where(LogWitnessRecord.vkey == vkey)).first():
        raise Conflict("this witness is already configured")
    record = LogWitnessRecord(vkey=verifier.vkey, url=url.rstrip("/"), partner_did=partner_did)
    session.add(record)
    session.flush()
    audit.record(session, "log.witness.add", "log-witness", verifier.name, {"url": url})
    return record


def list_witnesses(session: Session) -> list[LogWitnessRecord]:
    return list(session.exec(select(LogWitnessRecord).order_by(col(LogWitnessRecord.vkey))).all())


@dataclass(frozen=True, slots=True)
class WitnessRound:
    size: int
    cosigned: list[str]
    failed: dict[str, str]


def request_cosignatures(engine: Engine, settings: Settings, poster: Poster) -> WitnessRound:
    """Send the latest checkpoint to every witness of this log with a consistency proof from
    the size each last cosigned; store the cosignatures that verify. No transaction is open
    while a witness is asked."""
    with Session(engine, expire_on_commit=False) as session:
        record = latest_checkpoint(session)
        if record is None:
            record = publish_checkpoint(session, settings)
            session.commit()
        witnesses = list_witnesses(session)
        plans: list[tuple[LogWitnessRecord, int, list[bytes]]] = []
        for witness in witnesses:
            old = witness.last_size if witness.last_size <= record.size else 0
            plans.append((witness, old, consistency_proof(session, old, record.size)))
        note = record.note
        size = record.size
    cosigned: list[str] = []
    failed: dict[str, str] = {}
    results: list[tuple[LogWitnessRecord, int, str | None, str | None]] = []
    for witness, old, proof in plans:
        verifier = parse_vkey(witness.vkey, expected_type=COSIGNATURE_V1)
        try:
            cosignature, known = _ask_witness(
                poster, witness.url, old, proof, note, verifier, engine
            )
            results.append((witness, known, cosignature, None))
            cosigned.append(verifier.name)
        except Error as exc:
            failed[verifier.name] = exc.message
            results.append((witness, witness.last_size, None, exc.message))
        except httpx.HTTPError as exc:
            failed[verifier.name] = f"{type(exc).__name__}"
            results.append((witness, witness.last_size, None, type(exc).__name__))
    with Session(engine, expire_on_commit=False) as session:
        for witness, known, line, error in results:
            table = core_table(LogWitnessRecord)
            session.execute(
                update(table)
                .where(table.c.id == witness.id)
                .values(last_size=known, last_error=error, updated_at=utcnow())
            )
            if line is not None:
                timestamp = int.from_bytes(
                    parse_signature_line(line.rstrip("\n")).payload[:8], "big"
                )
                _upsert_ignore(
                    session,
                    core_table(LogCosignatureRecord),
                    {
                        "id": hashlib.sha256(line.encode()).hexdigest()[:32],
                        "size": size,
                        "witness_vkey": witness.vkey,
                        "timestamp": timestamp,
                        "line": line,
                    },
                )
        session.commit()
    return WitnessRound(size, cosigned, failed)


def _ask_witness(
    poster: Poster,
    url: str,
    old: int,
    proof: list[bytes],
    note: str,
    verifier: NoteVerifier,
    engine: Engine,
) -> tuple[str, int]:
    """One add-checkpoint exchange; after a 409 (the witness knows another size), once more
    from the size it names. Returns the cosignature line and the size it now holds."""
    checkpoint_size = int(note.split("\n")[1])
    for _attempt in range(2):
        status, body = poster(f"{url}/add-checkpoint", encode_request(old, proof, note))
        if status == 409:
            text = body.decode("ascii", "replace").strip()
            if not text.isdigit() or int(text) > checkpoint_size or int(text) == old:
                raise Conflict(f"the witness answered 409 with size {text!r}")
            old = int(text)
            with Session(engine) as session:
                proof = consistency_proof(session, old, checkpoint_size)
            continue
        if status != 200:
            raise Conflict(
                f"the witness answered HTTP {status}: {body.decode('utf-8', 'replace')[:200]}",
                code="witness-refused",
            )
        lines = body.decode("utf-8", "replace")
        cosigned = parse_note(note + "".join(lines.splitlines(keepends=True)))
        found = verify_cosignatures(cosigned, [verifier])
        if not found:
            raise Conflict("the witness answered without a cosignature by its key")
        line = next(
            s.line()
            for s in cosigned.signatures
            if (s.name, s.key_id) == (verifier.name, verifier.key_id)
        )
        return line, checkpoint_size
    raise Conflict("the witness keeps answering 409")


# --- this service as a witness -------------------------------------------------------------


def add_witnessed_log(
    session: Session,
    *,
    origin: str,
    vkey: str,
    url: str | None = None,
    partner_did: str | None = None,
) -> WitnessedLogRecord:
    """Witness (and trust for verification) a partner's log: its origin and checkpoint key.

    Raises:
        InvalidInput: not an Ed25519 note vkey. Conflict: the origin is known.
    """
    verifier = parse_vkey(vkey, expected_type=ED25519)
    if not origin or any(c.isspace() for c in origin) or len(origin) > 255:
        raise InvalidInput("the origin is a non-empty string without spaces", pointer="/origin")
    if session.get(WitnessedLogRecord, origin) is not None:
        raise Conflict(f"the log {origin!r} is already witnessed here")
    record = WitnessedLogRecord(
        origin=origin, vkey=verifier.vkey, url=url, partner_did=partner_did, size=0
    )
    session.add(record)
    session.flush()
    audit.record(session, "log.witnessed.add", "witnessed-log", origin, {"vkey": verifier.vkey})
    return record


def witnessed_logs(session: Session) -> list[WitnessedLogRecord]:
    return list(
        session.exec(select(WitnessedLogRecord).order_by(col(WitnessedLogRecord.origin))).all()
    )


def witness_add_checkpoint(session: Session, settings: Settings, body: bytes) -> WitnessResult:
    """c2sp.org/tlog-witness add-checkpoint, atomically: the origin's row is locked while the
    request is checked against it and until the new state is committed."""
    logs: dict[str, list[NoteVerifier]] = {}
    for record in witnessed_logs(session):
        logs[record.origin] = [parse_vkey(record.vkey, expected_type=ED25519)]
    origin = _origin_of(body)
    stored: dict[str, WitnessedState] = {}
    if origin in logs:
        table = core_table(WitnessedLogRecord)
        session.execute(update(table).where(table.c.origin == origin).values(origin=origin))
        row = session.get(WitnessedLogRecord, origin, populate_existing=True)
        if row is not None and row.root_sha256 is not None and row.note is not None:
            stored[origin] = WitnessedState(row.size, bytes.fromhex(row.root_sha256), row.note)
    signer = _note_signer(session, settings, "witness")
    result = add_checkpoint(
        body, logs=logs, stored=stored, signer=signer, timestamp=int(time.time())
    )
    if result.outcome is Outcome.COSIGNED and result.state is not None:
        table = core_table(WitnessedLogRecord)
        cp = result.checkpoint
        session.execute(
            update(table)
            .where(table.c.origin == (cp.origin if cp else origin))
            .values(
                size=result.state.size,
                root_sha256=result.state.root.hex(),
                note=result.state.note,
                updated_at=utcnow(),
            )
        )
    elif result.outcome in (Outcome.UNPROCESSABLE, Outcome.CONFLICT):
        log.warning("witness refused a checkpoint of %s: %s", origin, result.message)
    return result


def _origin_of(body: bytes) -> str | None:
    _, sep, rest = body.partition(b"\n\n")
    if not sep:
        return None
    first = rest.split(b"\n", 1)[0]
    try:
        return first.decode("utf-8")
    except UnicodeDecodeError:
        return None


def witnessed_checkpoint(session: Session, origin_hash: str) -> str:
    """The latest checkpoint cosigned here for the log whose origin hashes to
    ``origin_hash`` (c2sp.org/tlog-witness §Monitor Retrieval Mechanism).

    Raises:
        NotFound: never cosigned here.
    """
    for record in witnessed_logs(session):
        if hashlib.sha256(record.origin.encode()).hexdigest() == origin_hash:
            if record.note is None:
                break
            return record.note
    raise NotFound("this witness has not cosigned a checkpoint of that log")


# --- verification against this log ----------------------------------------------------------


def trusted_logs(session: Session, settings: Settings) -> list[TrustedLog]:
    """This service's own log (once it has a key) and the partners' logs it witnesses. Only
    reads: safe on a read replica."""
    logs = []
    own = session.get(LogKeyRecord, "log")
    if own is not None and own.name == settings.effective_log_origin:
        logs.append(TrustedLog(own.name, (parse_vkey(own.vkey, expected_type=ED25519),)))
    for record in witnessed_logs(session):
        logs.append(TrustedLog(record.origin, (parse_vkey(record.vkey, expected_type=ED25519),)))
    return logs


def witness_policy(session: Session, threshold: int = 0) -> WitnessPolicy:
    """k of the configured witnesses of this log (0: none required)."""
    return WitnessPolicy(
        tuple(parse_vkey(w.vkey, expected_type=COSIGNATURE_V1) for w in list_witnesses(session)),
        threshold,
    )


def verify_local(
    session: Session,
    settings: Settings,
    *,
    credential_digest: str,
    issuer: str,
    verification_method: str,
    policy: WitnessPolicy | None = None,
) -> LogVerdict:
    """Check a credential of one of this service's institutions against this log: not in the
    log is ``failed`` (``log.not-included``) — this service logs every diploma it issues."""
    from diploma_exchange.transparency.bundle import LogStatus

    try:
        bundle = bundle_for_digest(session, settings, credential_digest)
    except NotFound:
        return LogVerdict(
            LogStatus.FAILED,
            "log.not-included",
            "the credential is not in this NIC's issuance transparency log: it was not issued "
            "through this service (a signature made with a stolen or misused key)",
        )
    except (SQLAlchemyError, Error) as exc:
        return LogVerdict(
            LogStatus.INDETERMINATE,
            "log.unavailable",
            f"the transparency log could not be read: {type(exc).__name__}",
        )
    return verify_bundle(
        bundle,
        credential_digest=credential_digest,
        issuer=issuer,
        verification_method=verification_method,
        trusted_logs=trusted_logs(session, settings),
        policy=policy or WitnessPolicy(),
        now=datetime.now(UTC),
    )


def local_verdict(
    session: Session,
    settings: Settings,
    *,
    issuer: str,
    verification_method: str,
    digest: str,
) -> LogVerdict:
    """What this service's own log says about a credential of one of its institutions, read
    straight from the database (one indexed query; no checkpoint is signed, so this works on
    a read replica). The log is this service's own: no proof is needed to trust it here; the
    bundle (:func:`bundle_for_digest`) is the evidence for everyone else.

    Raises:
        SQLAlchemyError: the database cannot be read (the verifier reports it as an error).
    """
    from diploma_exchange.transparency.bundle import LogStatus, judge_entries
    from diploma_exchange.transparency.entries import EntryError, parse_entry

    leaves = core_table(LogLeafRecord)
    rows = session.execute(
        core_select(leaves.c.idx, leaves.c.data)
        .where(
            or_(
                leaves.c.digest == digest,
                and_(leaves.c.key_ref == verification_method, leaves.c.kind == "key"),
            )
        )
        .order_by(leaves.c.idx)
    ).all()
    entries = []
    for index, data in rows:
        try:
            entries.append((int(index), parse_entry(bytes(data))))
        except EntryError:
            continue  # an altered row: the monitor reports it; it proves nothing here
    return judge_entries(
        entries,
        credential_digest=digest,
        issuer=issuer,
        verification_method=verification_method,
        where=f"this NIC's log {settings.effective_log_origin}",
        details={"origin": settings.effective_log_origin},
        missing=LogVerdict(
            LogStatus.FAILED,
            "log.not-included",
            "the credential is not in this NIC's issuance transparency log: it was never "
            "issued through this service (a signature made with a stolen or misused key)",
            {"origin": settings.effective_log_origin},
        ),
    )


# --- monitoring ----------------------------------------------------------------------------


def parse_since(session: Session, settings: Settings, since: str | None) -> Checkpoint | None:
    """A checkpoint given to start a scan from: a signed note of this log, or a bare size.

    Raises:
        InvalidInput: neither.
    """
    if since is None:
        return None
    text = since.strip()
    if text.isdigit():
        size = int(text)
        _check_size(session, size) if size else None
        root = merkle.mth(_reader(session), 0, size) if size else merkle.EMPTY_ROOT
        return Checkpoint(settings.effective_log_origin, size, root)
    try:
        signed: SignedCheckpoint = open_checkpoint(
            since.replace("\r\n", "\n"),
            [log_verifier(session, settings)],
            origin=settings.effective_log_origin,
        )
    except NoteError as exc:
        raise InvalidInput(
            f"--since is a checkpoint of this log or a tree size: {exc.message}", pointer="/since"
        ) from exc
    return signed.checkpoint


def monitor(
    session: Session,
    settings: Settings,
    issuers: Sequence[str],
    since: Checkpoint | None,
) -> tuple[MonitorReport, str]:
    """Scan the log from ``since`` to the latest checkpoint for ``issuers``' entries, verifying
    tiles, entries and consistency. Returns the report and the checkpoint scanned to (pass it
    as ``since`` next time)."""
    record = latest_checkpoint(session)
    gap: Conflict | None = None
    if record is None or record.size < sequenced_size(session):
        try:  # scan up to the newest entry
            with session.begin_nested():
                record = publish_checkpoint(session, settings)
        except Conflict as exc:  # a gap: nothing new can be signed; scan what was
            gap, record = exc, latest_checkpoint(session)
            if record is None:
                raise
    signed = open_checkpoint(
        record.note, [log_verifier(session, settings)], origin=settings.effective_log_origin
    )
    source = _tile_source(session)

    def bundle(index: int, width: int) -> list[bytes]:
        return read_entries(session, index * TILE_WIDTH, index * TILE_WIDTH + width)

    report = scan(
        signed.checkpoint, read_tile=source, read_bundle=bundle, issuers=issuers, since=since
    )
    if gap is not None:
        report.problems.insert(0, MonitorProblem("log-gap", gap.message))
    return report, checkpoint_with_cosignatures(session, record)


# --- the publisher thread ---------------------------------------------------------------------


class Publisher:
    """Signs a checkpoint every ``log_checkpoint_interval_seconds`` while leaves arrive and
    asks the witnesses to cosign it (again after ``log_witness_refresh_seconds`` on a quiet
    log). Every worker may run one: the tree row lock makes them take turns."""

    def __init__(self, engine: Engine, settings: Settings, poster: Poster | None = None):
        self._engine = engine
        self._settings = settings
        self._poster = poster or http_poster(settings)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._witnessed: tuple[int, float] = (-1, 0.0)

    def start(self) -> None:
        if self._settings.log_checkpoint_interval_seconds <= 0 or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="log-publisher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def run_once(self) -> None:
        with Session(self._engine, expire_on_commit=False) as session:
            record = publish_checkpoint(session, self._settings)
            has_witnesses = bool(list_witnesses(session))
            session.commit()
        size, at = self._witnessed
        now = time.monotonic()
        if has_witnesses and (
            record.size != size or now - at >= self._settings.log_witness_refresh_seconds
        ):
            request_cosignatures(self._engine, self._settings, self._poster)
            self._witnessed = (record.size, now)

    def _run(self) -> None:
        while not self._stop.wait(self._settings.log_checkpoint_interval_seconds):
            try:
                self.run_once()
            except (SQLAlchemyError, Error) as exc:  # an outage: said each round, no trace
                log.warning("the transparency log publisher will retry: %s", type(exc).__name__)
            except Exception:  # the thread must outlive anything
                log.exception("the transparency log publisher failed; retrying")
