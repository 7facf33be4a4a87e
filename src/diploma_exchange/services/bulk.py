"""A national graduating year from one CSV file: streamed, signed on every core, resumable.

The file is read twice and never held in memory:

1. **Validate** every row (the same rules as a CSV batch). Any problem: nothing is written.
2. **Issue** in chunks. Each chunk is one transaction: its batch record, its status-list
   indexes, its signed diplomas and their claim codes commit together or not at all, so a
   crash leaves whole diplomas only. The main process reserves the indexes and writes the
   rows; worker processes (one per core) validate, build, check and sign.

Every chunk's batch record carries the idempotency key ``<job key>:<chunk number>``, and the
job key defaults to the file's SHA-256: running the same file again, after a crash or by
mistake, skips the chunks already issued instead of issuing them twice.

Why chunks commit separately rather than all 150,000 at once: a single transaction would
hold SQLite's write lock (or PostgreSQL's locks on the status lists) for the whole run, so
no revocation could happen meanwhile, and a failure at row 149,999 would throw away an hour.
"""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import orjson
from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from diploma_exchange.config import Settings
from diploma_exchange.credentials import DiplomaData, build_diploma_credential
from diploma_exchange.credentials.csv_import import (
    check_graduating_class,
    iter_row_payloads,
    validate_row,
)
from diploma_exchange.db.models import BatchRecord, CredentialRecord, InstitutionRecord
from diploma_exchange.errors import ErrorDetail, InvalidCredential
from diploma_exchange.proofs import eddsa_jcs_2022
from diploma_exchange.proofs.keys import Signer
from diploma_exchange.services import institutions, issuance, sharing, status

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
    credential_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _SignerSpec:
    """What a worker needs to rebuild the signer and the issuer (the key stays encrypted)."""

    encrypted_pem: bytes
    passphrase: bytes
    verification_method: str
    institution: dict[str, Any]


# --- worker side -------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(spec: _SignerSpec) -> None:
    _WORKER["signer"] = Signer.from_pem(
        spec.encrypted_pem, spec.passphrase, spec.verification_method
    )
    _WORKER["institution"] = InstitutionRecord(**spec.institution)


def _sign_rows(
    rows: list[tuple[int, dict[str, Any]]],
    ids: list[str],
    entries: list[list[dict[str, Any]]],
    now: datetime,
    signer: Signer | None = None,
    institution: InstitutionRecord | None = None,
) -> list[tuple[str, str]] | list[ErrorDetail]:
    """Build, check and sign one slice: ``(id, signed JSON text)`` per row, or the problems."""
    signer = signer or _WORKER["signer"]
    institution = institution or _WORKER["institution"]
    profile = issuance.issuer_profile(institution)
    out: list[tuple[str, str]] = []
    problems: list[ErrorDetail] = []
    for (number, payload), credential_id, status_entries in zip(rows, ids, entries, strict=True):
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
        signed = eddsa_jcs_2022.add_proof(credential, signer, created=now, share_nested=True)
        out.append((credential_id, orjson.dumps(signed).decode()))
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


def _chunks(path: Path, size: int) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    problems: list[ErrorDetail] = []
    with _text(path) as stream:
        chunk: list[tuple[int, dict[str, Any]]] = []
        for item in iter_row_payloads(stream, problems, max_rows=MAX_ROWS):
            chunk.append(item)
            if len(chunk) == size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk
    if problems:  # the file changed between the two passes
        raise InvalidCredential("the CSV file changed while it was being issued", details=problems)


def _split(items: list[Any], parts: int) -> list[list[Any]]:
    step = -(-len(items) // parts)
    return [items[i : i + step] for i in range(0, len(items), step)]


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
) -> BulkResult:
    """Issue every diploma of a CSV graduating class (see the module docstring).

    ``workers`` processes sign (default: one per core; 0 signs in this process).
    ``on_chunk(number, [(id, signed JSON text)], claim_codes)`` is called after each chunk
    commits (to write the credentials and claim codes out as the run goes).

    Raises:
        InvalidInput: any problem in the file (all of them, up to 500); nothing is issued.
        LimitExceeded: more than a million rows.
        NotFound: no such institution, or its key is not held here.
    """
    import time

    started = time.perf_counter()
    job_key = job_key or f"csv-sha256:{_file_digest(path)}"
    result = BulkResult(job_key=job_key)
    with _text(path) as stream:
        result.total = check_graduating_class(stream, max_rows=MAX_ROWS)
    result.validate_seconds = time.perf_counter() - started
    if workers is None:
        workers = os.cpu_count() or 1
    if result.total < chunk_size:
        workers = 0  # a pool costs more than it saves on one chunk
    result.workers = workers

    with Session(engine, expire_on_commit=False) as session:
        institution = institutions.get_institution(session, institution_slug)
        principal = institutions.Principal("institution", "bulk", institution)
        issuance.require_institution(principal)
        key = institutions.active_key(session, institution)
        signer = institutions.signer_for(session, settings, institution)
        spec = _SignerSpec(
            encrypted_pem=key.encrypted_private_key or b"",
            passphrase=settings.passphrase_bytes() or b"",
            verification_method=signer.verification_method,
            institution=institution.model_dump(),
        )
        session.commit()
        pool: Executor | None = None
        if workers:
            # spawn, not fork: workers must not inherit database connections or locks.
            pool = ProcessPoolExecutor(
                workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
                initargs=(spec,),
            )
        try:
            for number, rows in enumerate(_chunks(path, chunk_size)):
                result.chunks += 1
                chunk_key = f"{job_key}:{number}"
                done = session.exec(
                    select(BatchRecord.id).where(
                        BatchRecord.institution_id == institution.id,
                        BatchRecord.idempotency_key == chunk_key,
                    )
                ).first()
                if done is not None:
                    result.skipped_chunks += 1
                    continue
                now = (clock or _now)()
                ids = [f"urn:uuid:{uuid.uuid4()}" for _ in rows]
                batch = BatchRecord(
                    institution_id=institution.id,
                    idempotency_key=chunk_key,
                    request_sha256=hashlib.sha256(orjson.dumps([p for _, p in rows])).hexdigest(),
                    count=len(rows),
                    created_at=now,
                )
                session.add(batch)
                session.flush()
                reservation = status.reserve_indexes(
                    session, settings, institution, ids, signer, now
                )
                signed = _sign(
                    pool, workers, rows, ids, reservation.entries, now, signer, institution
                )
                session.execute(
                    insert(CredentialRecord),
                    [
                        _row(credential_id, text, institution, batch.id, position, now)
                        for position, (credential_id, text) in enumerate(signed)
                    ],
                )
                claims = sharing.mint_claim_codes(session, settings, ids, now=now)
                session.commit()
                result.issued += len(ids)
                if on_chunk is not None:
                    on_chunk(number, signed, claims)
        except BaseException:
            session.rollback()
            raise
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
    result.seconds = time.perf_counter() - started
    return result


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _sign(
    pool: Executor | None,
    workers: int,
    rows: list[tuple[int, dict[str, Any]]],
    ids: list[str],
    entries: list[list[dict[str, Any]]],
    now: datetime,
    signer: Signer,
    institution: InstitutionRecord,
) -> list[tuple[str, str]]:
    if pool is None:
        outcome = _sign_rows(rows, ids, entries, now, signer, institution)
        parts: list[list[tuple[str, str]] | list[ErrorDetail]] = [outcome]
    else:
        futures = [
            pool.submit(_sign_rows, r, i, e, now)
            for r, i, e in zip(
                _split(rows, workers), _split(ids, workers), _split(entries, workers), strict=True
            )
        ]
        parts = [f.result() for f in futures]
    problems = [p for part in parts for p in part if isinstance(p, ErrorDetail)]
    if problems:
        raise InvalidCredential(
            f"{len(problems)} problem(s) found while issuing; this chunk was not issued",
            details=problems,
        )
    return [item for part in parts for item in part if isinstance(item, tuple)]


def _row(
    credential_id: str,
    text: str,
    institution: InstitutionRecord,
    batch_id: str,
    position: int,
    now: datetime,
) -> dict[str, Any]:
    row = issuance.credential_row(orjson.loads(text), institution, batch_id, position, now)
    row["document"] = text
    row["document_sha256"] = hashlib.sha256(text.encode()).hexdigest()
    return row
