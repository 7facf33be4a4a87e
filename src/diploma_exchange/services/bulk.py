"""A national graduating year from one CSV file: streamed, signed on every core, resumable.

The file is read twice and never held in memory:

1. **Survey** every row: valid (the same rules as a CSV batch) and not a diploma issued
   already (the same graduate's same programme, or its number). The worker processes
   validate and name each chunk's diplomas; this process asks the database about them.
   Any problem: nothing is written.
2. **Issue** in chunks, pipelined: while worker processes (one per core) validate, build,
   check and sign chunk k+1, the main process stores chunk k. Each commit holds chunk k's
   diplomas and claim codes together with chunk k+1's batch record and reserved status
   indexes, so a diploma is never half-issued: after a crash, a chunk is either issued
   whole, or reserved (and a rerun signs it with exactly those indexes, since diploma ids
   are derived from the job and the position), or absent.

Every chunk's batch record carries the idempotency key ``<job key>:<chunk number>``, and the
job key defaults to the file's SHA-256: running the same file again, after a crash or by
mistake, skips the chunks already issued instead of issuing them twice.

On PostgreSQL each chunk's rows (diplomas, status allocations, claim codes, audit entries,
log leaves) go in by ``COPY`` (:func:`diploma_exchange.db.bulk_insert.insert_rows`), in the
chunk's transaction like any insert.

Why chunks commit separately rather than all 150,000 at once: a single transaction would
hold SQLite's write lock (or PostgreSQL's locks on the status lists) for the whole run, so
no revocation could happen meanwhile, and a failure at row 149,999 would throw away an hour.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import multiprocessing
import os
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import orjson
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from diploma_exchange.config import Settings
from diploma_exchange.credentials import DiplomaData, build_diploma_credential
from diploma_exchange.credentials.csv_import import iter_row_payloads, validate_row
from diploma_exchange.credentials.identity import DiplomaIdentity, diploma_identity
from diploma_exchange.db.models import (
    BatchRecord,
    CredentialRecord,
    InstitutionRecord,
    StatusAllocationRecord,
    StatusListRecord,
    as_utc,
    utcnow_seconds,
)
from diploma_exchange.errors import Conflict, ErrorDetail, InvalidCredential, InvalidInput
from diploma_exchange.proofs.keys import signer_from_pem
from diploma_exchange.proofs.rdfc import RdfcLimits
from diploma_exchange.services import institutions, issuance, sharing, signing, status
from diploma_exchange.services.signing import AnySigner
from diploma_exchange.sharing import codes
from diploma_exchange.status import make_status_entry

#: Rows per transaction. Large enough that per-transaction costs vanish, small enough that a
#: chunk's results (a few MB) and a lost chunk on a crash stay small.
DEFAULT_CHUNK = 2000
MAX_ROWS = 1_000_000


@dataclass
class BulkResult:
    """What a bulk run did."""

    job_key: str
    total: int = 0
    issued: int = 0
    skipped_chunks: int = 0
    chunks: int = 0
    workers: int = 0
    seconds: float = 0.0
    validate_seconds: float = 0.0
    #: Wall time by phase (the main process waits for the signing workers in ``sign``).
    phases: dict[str, float] = field(default_factory=dict)

    def add(self, phase: str, since: float) -> float:
        now = time.perf_counter()
        self.phases[phase] = self.phases.get(phase, 0.0) + now - since
        return now


@dataclass(frozen=True, slots=True)
class _SignerSpec:
    """What a worker needs to rebuild the signer and the issuer (the key stays encrypted)."""

    encrypted_pem: bytes
    passphrase: bytes
    verification_method: str
    institution: dict[str, Any]
    #: Bounds for the RDFC proof of the key's type; None: the JCS proof alone.
    rdfc_limits: RdfcLimits | None = None


# --- worker side -------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(spec: _SignerSpec) -> None:
    _WORKER["signer"] = signer_from_pem(
        spec.encrypted_pem, spec.passphrase, spec.verification_method
    )
    _WORKER["institution"] = InstitutionRecord(**spec.institution)
    _WORKER["rdfc_limits"] = spec.rdfc_limits


def _sign_rows(
    rows: list[tuple[int, dict[str, Any]]],
    ids: list[str],
    entries: list[list[dict[str, Any]]],
    now: datetime,
    batch_id: str,
    first_position: int,
    signer: AnySigner | None = None,
    institution: InstitutionRecord | None = None,
    rdfc_limits: RdfcLimits | None = None,
) -> list[tuple[dict[str, Any], str]] | list[ErrorDetail]:
    """Build, check and sign one slice: per row its ``credential`` table row and a fresh
    claim code (generated here to keep the main process free for the database), or the
    problems."""
    if signer is None:  # in a worker: what _init_worker set up
        signer = _WORKER["signer"]
        rdfc_limits = _WORKER["rdfc_limits"]
    institution = institution or _WORKER["institution"]
    profile = issuance.issuer_profile(institution)
    out: list[tuple[dict[str, Any], str]] = []
    problems: list[ErrorDetail] = []
    for offset, ((number, payload), credential_id, status_entries) in enumerate(
        zip(rows, ids, entries, strict=True)
    ):
        data = validate_row(number, payload)
        if not isinstance(data, DiplomaData):  # the file changed since it was validated
            problems.extend(data)
            continue
        credential = build_diploma_credential(
            data,
            issuer=profile,
            credential_id=credential_id,
            valid_from=now,
        )
        credential["credentialStatus"] = status_entries
        problems.extend(issuance.check_issuable(credential, institution, f"/rows/{number}"))
        signed = signing.secure_document(credential, signer, now, rdfc_limits)
        row = issuance.credential_row(signed, institution, batch_id, first_position + offset, now)
        out.append((row, codes.new_claim_code()))
    return problems or out


# --- main side ---------------------------------------------------------------------------


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _text(path: Path) -> IO[str]:
    return io.open(path, encoding="utf-8-sig", newline="")  # noqa: UP020 (explicit newline="")


def _row_chunks(
    path: Path, size: int, problems: list[ErrorDetail]
) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    """The file's ``(row number, payload)`` in chunks of ``size``; rows that cannot become a
    payload are added to ``problems`` instead."""
    with _text(path) as stream:
        chunk: list[tuple[int, dict[str, Any]]] = []
        for item in iter_row_payloads(stream, problems, max_rows=MAX_ROWS):
            chunk.append(item)
            if len(chunk) == size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


def _chunks(path: Path, size: int) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    problems: list[ErrorDetail] = []
    yield from _row_chunks(path, size, problems)
    if problems:  # the file changed between the two passes
        raise InvalidCredential("the CSV file changed while it was being issued", details=problems)


def issue_csv_file(
    engine: Engine,
    settings: Settings,
    institution_slug: str,
    path: Path,
    *,
    job_key: str | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    workers: int | None = None,
    on_chunk: Callable[[int, list[tuple[str, str]], dict[str, sharing.ClaimCode]], None]
    | None = None,
    clock: Callable[[], datetime] | None = None,
    reissue: issuance.Reissue | None = None,
) -> BulkResult:
    """Issue every diploma of a CSV graduating class (see the module docstring).

    A diploma already issued (the same graduate's same programme, or the same diploma
    number, see :func:`issuance.find_duplicates`) refuses the whole file before anything is
    issued, unless ``reissue`` asks for it to be replaced.

    ``workers`` processes sign (default: one per core; 0 signs in this process).
    ``on_chunk(number, [(id, signed JSON text)], claim_codes)`` is called after each chunk
    commits (to write the credentials and claim codes out as the run goes).

    Raises:
        InvalidInput: any problem in the file (all of them, up to 500); nothing is issued.
        LimitExceeded: more than a million rows.
        NotFound: no such institution, or its key is not held here.
        Conflict: a diploma is already issued (every one found, as details).
    """
    started = time.perf_counter()
    job_key = job_key or f"csv-sha256:{_file_digest(path)}"
    result = BulkResult(job_key=job_key)
    if workers is None:
        workers = os.cpu_count() or 1

    with Session(engine, expire_on_commit=False) as session:
        institution = institutions.get_institution(session, institution_slug)
        principal = institutions.Principal("institution", "bulk", institution)
        issuance.require_institution(principal)
        key = institutions.issuing_key(session, institution)
        signer = institutions.issuing_signer(session, settings, institution)
        spec = _SignerSpec(
            encrypted_pem=key.encrypted_private_key or b"",
            passphrase=settings.passphrase_bytes() or b"",
            verification_method=signer.verification_method,
            institution=institution.model_dump(),
            rdfc_limits=signing.rdfc_proof_limits(settings),
        )
        session.commit()
        pool: Executor | None = None
        try:
            survey = _Survey(session, institution, job_key, reissue)
            chunks = iter(_row_chunks(path, chunk_size, survey.parse_problems))
            first = next(chunks, None)
            if first is None or len(first) < chunk_size:
                workers = 0  # one chunk at most: a pool costs more than it saves
            result.workers = workers
            if workers:
                # spawn, not fork: workers must not inherit database connections or locks.
                pool = ProcessPoolExecutor(
                    workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_init_worker,
                    initargs=(spec,),
                )
            replaces = survey.run(first, chunks, pool, workers, institution)
            result.total = survey.valid
            result.validate_seconds = time.perf_counter() - started
            session.commit()

            def replace(chunk: _Chunk, rows: list[dict[str, Any]]) -> None:
                _supersede(session, settings, principal, chunk, rows, replaces, reissue)

            inflight: _Chunk | None = None
            used: dict[str, set[int]] = {}  # status list -> used indexes, kept across chunks
            for number, rows in enumerate(_chunks(path, chunk_size)):
                result.chunks += 1
                mark = time.perf_counter()
                chunk = _prepare(
                    session, settings, institution, signer, job_key, number, rows, clock, used
                )
                mark = result.add("reserve", mark)
                if chunk is None:
                    result.skipped_chunks += 1
                    continue
                # Workers sign this chunk while this process stores the previous one; the
                # commit below holds the previous chunk's diplomas and this chunk's indexes.
                chunk.signing = _submit(pool, workers, chunk, spec, signer, institution)
                if inflight is not None:
                    _store(session, settings, institution, inflight, result, on_chunk, replace)
                mark = time.perf_counter()
                session.commit()
                result.add("commit", mark)
                inflight = chunk
            if inflight is not None:
                _store(session, settings, institution, inflight, result, on_chunk, replace)
        except BaseException:
            session.rollback()
            raise
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
    result.seconds = time.perf_counter() - started
    return result


#: Problems reported at most (as a CSV batch does).
MAX_PROBLEMS = 500


def _survey_rows(
    rows: list[tuple[int, dict[str, Any]]],
    ids: list[str],
    institution: InstitutionRecord | None = None,
) -> tuple[list[ErrorDetail], list[tuple[str, str, str, str]]]:
    """Validate one chunk's rows and name each diploma: ``(problems, [(id, identity digest,
    diploma number, pointer)])`` (in a worker, so that the survey of a whole graduating year
    runs on every core)."""
    institution = institution or _WORKER["institution"]
    profile = issuance.issuer_profile(institution)
    problems: list[ErrorDetail] = []
    named: list[tuple[str, str, str, str]] = []
    for (number, payload), credential_id in zip(rows, ids, strict=True):
        data = validate_row(number, payload)
        if not isinstance(data, DiplomaData):
            problems.extend(data)
            continue
        if problems:
            continue  # the file is refused: its identities no longer matter
        credential = build_diploma_credential(data, issuer=profile, credential_id=credential_id)
        identity = diploma_identity(institution.id, credential)
        named.append(
            (
                credential_id,
                identity.holder_programme_sha256,
                identity.diploma_number,
                f"/rows/{number}",
            )
        )
    return problems, named


def _row_of(problem: ErrorDetail) -> int:
    parts = (problem.pointer or "").split("/")
    return int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 0


class _Survey:
    """The pass before anything is issued: every row valid (else ``InvalidInput`` with every
    problem, up to 500) and no diploma already issued here (else ``Conflict``); for a
    re-issuance ``{new id: the id it replaces}``. Workers validate and name the diplomas,
    this process asks the database about their identities chunk by chunk."""

    def __init__(
        self,
        session: Session,
        institution: InstitutionRecord,
        job_key: str,
        reissue: issuance.Reissue | None,
    ) -> None:
        self.session = session
        self.institution = institution
        self.job_key = job_key
        self.reissue = reissue
        self.parse_problems: list[ErrorDetail] = []
        self.problems: list[ErrorDetail] = []
        self.conflicts: list[ErrorDetail] = []
        self.replaces: dict[str, str] = {}
        self.valid = 0
        # by identity digest and by diploma number: what earlier chunks held
        self._seen: tuple[dict[str, str], dict[str, str]] = ({}, {})

    def run(
        self,
        first: list[tuple[int, dict[str, Any]]] | None,
        rest: Iterator[list[tuple[int, dict[str, Any]]]],
        pool: Executor | None,
        workers: int,
        institution: InstitutionRecord,
    ) -> dict[str, str]:
        """Raises: see the class docstring."""
        pending: deque[tuple[list[str], Future[Any]]] = deque()
        chunks = itertools.chain([first] if first is not None else [], rest)
        for number, rows in enumerate(chunks):
            ids = credential_ids(self.institution.id, self.job_key, number, len(rows))
            if pool is None:
                done: Future[Any] = Future()
                done.set_result(_survey_rows(rows, ids, institution))
                pending.append((ids, done))
            else:
                pending.append((ids, pool.submit(_survey_rows, rows, ids)))
            while len(pending) > 2 * workers:  # bounded: rows in flight, not the whole file
                self._settle(*pending.popleft())
            if len(self.problems) + len(self.parse_problems) >= MAX_PROBLEMS:
                break
        while pending:
            self._settle(*pending.popleft())
        problems = sorted(self.parse_problems + self.problems, key=_row_of)[:MAX_PROBLEMS]
        if problems:
            raise InvalidInput(
                f"{len(problems)} problem(s) in the CSV file; nothing was imported",
                pointer=problems[0].pointer,
                details=problems,
            )
        if not self.valid:
            raise InvalidInput("the CSV file has no data rows", pointer="/rows")
        if self.conflicts:
            found = self.conflicts[:MAX_PROBLEMS]
            raise Conflict(
                f"{len(found)} diploma(s) already issued or repeated; nothing was issued: "
                f"{found[0].message}",
                code=found[0].code,
                details=found,
            )
        return self.replaces

    def _settle(self, ids: list[str], future: Future[Any]) -> None:
        problems, named = future.result()
        self.problems.extend(problems)
        self.valid += len(named)
        if self.problems or self.parse_problems or len(self.conflicts) >= MAX_PROBLEMS:
            return
        found, linked = issuance.find_duplicate_identities(
            self.session,
            self.institution,
            [(cid, DiplomaIdentity(key, number), pointer) for cid, key, number, pointer in named],
            reissue=self.reissue,
            own_ids=frozenset(ids),
            seen=self._seen,
        )
        self.conflicts.extend(found)
        self.replaces.update(linked)


def _supersede(
    session: Session,
    settings: Settings,
    principal: institutions.Principal,
    chunk: _Chunk,
    rows: list[dict[str, Any]],
    replaces: dict[str, str],
    reissue: issuance.Reissue | None,
) -> None:
    mine = {new: old for new, old in replaces.items() if new in set(chunk.ids)}
    if mine and reissue is not None:
        issuance.link_reissues(rows, mine, reissue)
        issuance.supersede(session, settings, principal, mine, reissue)


@dataclass
class _Chunk:
    number: int
    rows: list[tuple[int, dict[str, Any]]]
    ids: list[str]
    entries: list[list[dict[str, Any]]]
    batch_id: str
    now: datetime
    verification_method: str = ""
    signing: list[Future[Any]] = field(default_factory=list)


def credential_ids(institution_id: str, job_key: str, number: int, count: int) -> list[str]:
    """The ids of a chunk's diplomas: derived from the institution, the job and the position,
    so that a resumed run signs exactly the diplomas whose indexes it had reserved."""
    return [
        f"urn:uuid:{uuid.uuid5(_ID_NAMESPACE, f'{institution_id}|{job_key}|{number}|{i}')}"
        for i in range(count)
    ]


_ID_NAMESPACE = uuid.UUID("6f1c5a7e-3b0e-4d55-9a57-3c2a1f0e9b11")


def _prepare(
    session: Session,
    settings: Settings,
    institution: InstitutionRecord,
    signer: AnySigner,
    job_key: str,
    number: int,
    rows: list[tuple[int, dict[str, Any]]],
    clock: Callable[[], datetime] | None,
    used_cache: dict[str, set[int]],
) -> _Chunk | None:
    """Reserve a chunk's indexes (or find the reservation of an interrupted run); None when
    the chunk was issued already.

    Raises:
        Conflict: the job key was used for a different file.
    """
    chunk_key = f"{job_key}:{number}"
    digest = hashlib.sha256(orjson.dumps([p for _, p in rows])).hexdigest()
    ids = credential_ids(institution.id, job_key, number, len(rows))
    batch = session.exec(
        select(BatchRecord).where(
            BatchRecord.institution_id == institution.id,
            BatchRecord.idempotency_key == chunk_key,
        )
    ).first()
    if batch is not None:
        if batch.request_sha256 != digest:
            raise Conflict(
                f"job key {job_key!r} was used for a different file; use a new one",
                code="idempotency-key-reused",
            )
        stored = session.exec(
            select(func.count())
            .select_from(CredentialRecord)
            .where(CredentialRecord.batch_id == batch.id)
        ).one()
        if stored:
            return None
        # Reserved by an interrupted run: sign with the indexes it reserved.
        return _Chunk(
            number,
            rows,
            ids,
            _reserved_entries(session, settings, ids),
            batch.id,
            as_utc(batch.created_at),
            signer.verification_method,
        )
    now = (clock or utcnow_seconds)()
    batch = BatchRecord(
        institution_id=institution.id,
        idempotency_key=chunk_key,
        request_sha256=digest,
        count=len(rows),
        created_at=now,
    )
    session.add(batch)
    try:
        session.flush()
    except IntegrityError as exc:  # another process runs the same job at the same moment
        raise Conflict(
            f"job key {job_key!r} is being issued by another run; wait for it, then run "
            "again to resume",
            code="idempotency-key-in-use",
        ) from exc
    reservation = status.reserve_indexes(
        session, settings, institution, ids, signer, now, used_cache=used_cache
    )
    return _Chunk(number, rows, ids, reservation.entries, batch.id, now, signer.verification_method)


def _reserved_entries(
    session: Session, settings: Settings, ids: list[str]
) -> list[list[dict[str, Any]]]:
    rows = session.exec(
        select(StatusAllocationRecord, StatusListRecord)
        .join(StatusListRecord, col(StatusListRecord.id) == StatusAllocationRecord.list_id)
        .where(col(StatusAllocationRecord.credential_id).in_(ids))
    ).all()
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for allocation, status_list in rows:
        found[(allocation.credential_id, status_list.purpose)] = make_status_entry(
            status.list_url(settings, status_list), allocation.index, status_list.purpose
        )
    try:
        return [[found[(i, purpose)] for purpose in status.PURPOSES] for i in ids]
    except KeyError as exc:
        raise Conflict("an interrupted run left an incomplete reservation") from exc


def _submit(
    pool: Executor | None,
    workers: int,
    chunk: _Chunk,
    spec: _SignerSpec,
    signer: AnySigner,
    institution: InstitutionRecord,
) -> list[Future[Any]]:
    if pool is None:
        done: Future[Any] = Future()
        try:
            done.set_result(
                _sign_rows(
                    chunk.rows,
                    chunk.ids,
                    chunk.entries,
                    chunk.now,
                    chunk.batch_id,
                    0,
                    signer,
                    institution,
                    spec.rdfc_limits,
                )
            )
        except Exception as exc:  # noqa: BLE001 (re-raised by _store, like a worker's failure)
            done.set_exception(exc)
        return [done]
    step = -(-len(chunk.rows) // workers)
    return [
        pool.submit(
            _sign_rows,
            chunk.rows[start : start + step],
            chunk.ids[start : start + step],
            chunk.entries[start : start + step],
            chunk.now,
            chunk.batch_id,
            start,
        )
        for start in range(0, len(chunk.rows), step)
    ]


def _store(
    session: Session,
    settings: Settings,
    institution: InstitutionRecord,
    chunk: _Chunk,
    result: BulkResult,
    on_chunk: Callable[[int, list[tuple[str, str]], dict[str, sharing.ClaimCode]], None] | None,
    before_store: Callable[[_Chunk, list[dict[str, Any]]], None] | None = None,
) -> None:
    """Wait for a chunk's signatures, store its diplomas and claim codes, and commit (with
    what ``before_store`` does first, e.g. revoke the diplomas a re-issuance replaces).

    Raises:
        Conflict: a diploma of the chunk was issued meanwhile by another request (the
            database's unique indexes; see :func:`issuance.store_rows`): this chunk is not
            issued, the ones before it stay.
    """
    mark = time.perf_counter()
    parts = [future.result() for future in chunk.signing]
    mark = result.add("sign-wait", mark)
    problems = [p for part in parts for p in part if isinstance(p, ErrorDetail)]
    if problems:
        raise InvalidCredential(
            f"{len(problems)} problem(s) found while issuing; this chunk was not issued",
            details=problems,
        )
    made = [item for part in parts for item in part if isinstance(item, tuple)]
    rows = [row for row, _ in made]
    if before_store is not None:
        before_store(chunk, rows)
    issuance.store_rows(
        session,
        institution,
        rows,
        [f"/rows/{number}" for number, _ in chunk.rows],
        own_ids=frozenset(chunk.ids),
    )
    issuance.audit_issued(session, institution, [row for row, _ in made])
    # One batch of log leaves per chunk, appended by the chunk's commit.
    issuance.log_issued(session, institution, chunk.verification_method, [r for r, _ in made])
    mark = result.add("store", mark)
    claims = sharing.store_new_claim_codes(
        session, settings, [(row["id"], code) for row, code in made], now=chunk.now
    )
    mark = result.add("claims", mark)
    session.commit()
    result.add("commit", mark)
    signed = [(row["id"], row["document"]) for row, _ in made]
    result.issued += len(signed)
    if on_chunk is not None:
        on_chunk(chunk.number, signed, claims)
