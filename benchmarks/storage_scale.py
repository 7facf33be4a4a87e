"""Verification latency against the number of stored diplomas (SQLite and PostgreSQL).

Run from the repository root::

    .venv/bin/python benchmarks/storage_scale.py [--quick] [--sizes 1000,1000000]
        [--backend sqlite|postgres|both] [--verifications 300] [--json-out PATH]

A fresh database per backend (a temporary SQLite file; a fresh PostgreSQL database created
through the ``postgres`` database and dropped at the end) gets the schema (``make_engine`` +
``upgrade``), this service's NIC, one accredited university and a few **real** diplomas
issued by ``services.issuance.issue_diplomas``: those are the ones verified. Synthetic rows
then grow the database to each size in turn (``credential`` rows copied from a real signed
document with fresh ids, one ``issuance_batch`` row per 2,000 of them, two
``status_allocation`` rows per diploma at random free indexes, and as many ``status_list``
rows as the service's allocator would have opened: 131,072 entries, filled to 75%).

At each size the script times ``services.verification.verify(session, settings, credential)``
(a new session per call, as one HTTP request has) interleaved with a baseline measured at
the same moments (``eddsa_jcs_2022.verify_proof`` of the same diploma, no database), the
status-list lookup (``LocalStatusLists.get`` of the diploma's two lists) and the status
checks (``status_checks`` with the local lists), and explains every query a verification
issues (``EXPLAIN QUERY PLAN`` / ``EXPLAIN``): a full scan of a table that grows with the
number of diplomas is the finding that matters. A cProfile of the verifications at the
largest size goes to ``benchmarks/results/storage_scale_profile.txt``.

Timings are reported, never asserted: see ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import itertools
import json
import os
import pstats
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from rich.console import Console
from rich.table import Table
from sqlalchemy import Table as SATable
from sqlalchemy import event, func, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, col, select

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import SETTINGS_BASE, environment

from diploma_exchange.config import Settings
from diploma_exchange.credentials import sample_diploma_data
from diploma_exchange.db.bulk_insert import insert_rows
from diploma_exchange.db.engine import make_engine, upgrade
from diploma_exchange.db.models import (
    BatchRecord,
    CredentialRecord,
    InstitutionRecord,
    StatusAllocationRecord,
    StatusListRecord,
    core_table,
)
from diploma_exchange.proofs import eddsa_jcs_2022
from diploma_exchange.proofs.keys import Signer, public_key_from_multibase
from diploma_exchange.services import institutions, status, trust
from diploma_exchange.services.institutions import ROLE_INSTITUTION, Principal
from diploma_exchange.services.issuance import issue_diplomas
from diploma_exchange.services.registry import RegistryResolver
from diploma_exchange.services.status import LocalStatusLists
from diploma_exchange.services.verification import verify
from diploma_exchange.status import Bitstring, build_status_list_credential
from diploma_exchange.trust.accreditation import Scope
from diploma_exchange.verification.checks.status import status_checks

SIZES: Final = (1_000, 1_000_000)
QUICK_SIZES: Final = (1_000, 100_000)
BACKENDS: Final = ("sqlite", "postgres")
VERIFICATIONS: Final = 300
QUICK_VERIFICATIONS: Final = 100
WARMUP: Final = 30
#: Real diplomas, issued through the service, that the verifications cycle through.
REAL_DIPLOMAS: Final = 20
#: One-diploma issuances timed at each size (they are real diplomas too).
ISSUE_PROBES: Final = 3
#: Suspend + reinstate pairs timed at each size (status-list publication).
PUBLICATION_PROBES: Final = 5
CHUNK: Final = 10_000
#: The scratch table of ``Filler.grow_in_database`` (diploma number -> id), dropped after.
SYNTHETIC: Final = "bench_synthetic"
#: The target of the ratio largest / smallest size of the median verification time.
TARGET_RATIO: Final = 1.2
#: Indexes the service puts on one list before it opens the next (services/status.py).
LIST_CAPACITY: Final = int(status.LIST_SIZE * status.MAX_FILL)
RESULTS_DIR: Final = Path(__file__).resolve().parent / "results"
DEFAULT_JSON_OUT: Final = RESULTS_DIR / "storage_scale.json"
DEFAULT_PROFILE_OUT: Final = RESULTS_DIR / "storage_scale_profile.txt"
#: The maintenance database through which the benchmark's database is created and dropped.
DEFAULT_PG_ADMIN_URL: Final = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_ADMIN_ENV: Final = "DIPLOMA_EXCHANGE_BENCH_POSTGRES_URL"
ACCREDITED_SINCE: Final = datetime(2015, 1, 1, tzinfo=UTC)
#: Tables whose row count grows with the number of diplomas issued (or with their use).
GROWING_TABLES: Final = frozenset(
    {
        "credential",
        "status_allocation",
        "status_list",
        "status_event",
        "issuance_batch",
        "claim_code",
        "share_link",
        "share_link_event",
        "web_session",
        "recognition_statement",
        "recognition_decision",
    }
)
#: A full scan of a growing table holding at least this many rows is a finding; below it the
#: planner may rightly prefer a scan (PostgreSQL does for tables of a few pages).
LARGE_SCAN_ROWS: Final = 10_000


# --- databases -------------------------------------------------------------------------------


@dataclass(slots=True)
class Store:
    """A fresh, migrated database of one backend."""

    backend: str
    url: str
    engine: Engine
    drop: Callable[[], None]

    def size_bytes(self) -> int:
        if self.backend == "sqlite":
            path = Path(make_url(self.url).database or "")
            return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
        with self.engine.connect() as conn:
            return int(
                conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
            )


def _pg_admin_url() -> str:
    url = make_url(os.environ.get(PG_ADMIN_ENV, DEFAULT_PG_ADMIN_URL))
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


@contextmanager
def open_store(backend: str, tmp: Path) -> Iterator[Store]:
    """A fresh database (SQLite file in ``tmp``, or a new PostgreSQL database), dropped after."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp / 'storage-scale.sqlite3'}"
        engine = make_engine(url)
        upgrade(engine)
        try:
            yield Store(backend, url, engine, engine.dispose)
        finally:
            engine.dispose()
        return
    admin_url = _pg_admin_url()
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"dx_bench_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    try:
        upgrade(engine)
        yield Store(backend, url, engine, engine.dispose)
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# --- seeding ---------------------------------------------------------------------------------


@dataclass(slots=True)
class Seeded:
    """The accredited university, its signer and the real diplomas it issued."""

    settings: Settings
    institution: InstitutionRecord
    signer: Signer
    credentials: list[dict[str, Any]]
    #: A stored signed document (the JSON text of a real diploma) and its id, to copy.
    template_text: str
    template_id: str
    achievement_type: str


def seed(store: Store, real: int) -> Seeded:
    """The NIC, an accredited university and ``real`` diplomas issued through the service."""
    settings = Settings(**SETTINGS_BASE, database_url=store.url)
    with Session(store.engine, expire_on_commit=False) as session:
        institutions.register_institution(
            session, settings, slug="nic", name="Benchmark NIC", kind="nic"
        )
        institution, _ = institutions.register_institution(
            session, settings, slug="bench-university", name="Bench University"
        )
        trust.accredit(
            session,
            settings,
            institution,
            scope=Scope(),
            accrediting_body="IAAR (benchmark)",
            valid_from=ACCREDITED_SINCE,
        )
        session.commit()
        signer = institutions.signer_for(session, settings, institution)
        principal = Principal(
            role=ROLE_INSTITUTION, api_key_id="benchmark", institution=institution
        )
        issued = issue_diplomas(
            session,
            settings,
            principal,
            [sample_diploma_data(i) for i in range(real)],
            signer=signer,
        )
        session.commit()
        record = session.get(CredentialRecord, str(issued.credentials[0]["id"]))
        if record is None:  # pragma: no cover - issue_diplomas stores what it returns
            raise RuntimeError("the issued diploma is not in the database")
        return Seeded(
            settings,
            institution,
            signer,
            issued.credentials,
            record.document,
            record.id,
            record.achievement_type,
        )


@dataclass(slots=True)
class OpenList:
    """The list of one purpose that new indexes go to, and its free indexes in random order."""

    id: str
    sequence: int
    picks: list[int]


class Filler:
    """Grows the database with synthetic diplomas, consistent with what the service writes:
    each gets a revocation and a suspension index on the current list of its purpose, and a
    list is closed once 75% of it is used (then the next ``sequence`` is opened, signed)."""

    def __init__(self, store: Store, seeded: Seeded, rng: random.Random) -> None:
        self._store = store
        self._seeded = seeded
        self._rng = rng
        self._lists: dict[str, OpenList] = {}
        self._count = 0
        self.lists_created = 0

    @property
    def count(self) -> int:
        return self._count

    def refresh(self) -> None:
        """Read the diploma count and the current lists back (the service may have written)."""
        with Session(self._store.engine) as session:
            self._count = session.exec(select(func.count()).select_from(CredentialRecord)).one()
            for purpose in status.PURPOSES:
                current = session.exec(
                    select(StatusListRecord)
                    .where(
                        StatusListRecord.institution_id == self._seeded.institution.id,
                        StatusListRecord.purpose == purpose,
                    )
                    .order_by(col(StatusListRecord.sequence).desc())
                ).first()
                if current is None:
                    raise RuntimeError(f"the real diplomas left no {purpose} list")
                used = set(
                    session.exec(
                        select(StatusAllocationRecord.index).where(
                            StatusAllocationRecord.list_id == current.id
                        )
                    ).all()
                )
                self._lists[purpose] = self._open(current.id, current.sequence, used)

    def _open(self, list_id: str, sequence: int, used: set[int]) -> OpenList:
        free = [i for i in range(status.LIST_SIZE) if i not in used]
        room = max(0, LIST_CAPACITY - len(used))
        return OpenList(list_id, sequence, self._rng.sample(free, min(room, len(free))))

    def _new_list(self, purpose: str, sequence: int) -> OpenList:
        """A new, empty, signed list, written at once (its allocations refer to it)."""
        settings, institution = self._seeded.settings, self._seeded.institution
        now = datetime.now(UTC).replace(microsecond=0)
        bits = Bitstring(status.LIST_SIZE)
        record = StatusListRecord(
            institution_id=institution.id,
            purpose=purpose,
            sequence=sequence,
            size=status.LIST_SIZE,
            bitstring=bits.to_bytes(),
            updated_at=now,
        )
        unsigned = build_status_list_credential(
            list_url=status.list_url(settings, record),
            issuer=institution.did,
            purpose=purpose,
            bitstring=bits,
            valid_from=now,
        )
        signed = eddsa_jcs_2022.add_proof(unsigned, self._seeded.signer, created=now)
        record.signed_credential = json.dumps(signed, separators=(",", ":"))
        list_id = record.id
        with Session(self._store.engine) as session:
            session.add(record)
            session.commit()
        self.lists_created += 1
        return self._open(list_id, sequence, set())

    def _allocate(self, purpose: str, credential_ids: Sequence[str]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for cid in credential_ids:
            current = self._lists[purpose]
            if not current.picks:
                current = self._lists[purpose] = self._new_list(purpose, current.sequence + 1)
            rows.append({"list_id": current.id, "index": current.picks.pop(), "credential_id": cid})
        return rows

    def grow_to(self, total: int, progress: Callable[[int, int, float], None]) -> float:
        """Insert synthetic diplomas until ``total`` are stored; the seconds it took."""
        self.refresh()
        started = time.perf_counter()
        last_report = self._count
        while self._count < total:
            n = min(CHUNK, total - self._count)
            self._insert_chunk(n)
            self._count += n
            if self._count - last_report >= 100_000 or self._count == total:
                progress(self._count, total, time.perf_counter() - started)
                last_report = self._count
        return time.perf_counter() - started

    def grow_in_database(self, total: int, progress: Callable[[int, int, float], None]) -> float:
        """Like :meth:`grow_to`, with the rows generated by the database itself (a national
        archive of 10^7 diplomas in minutes rather than hours): ``generate_series`` on
        PostgreSQL, a recursive CTE on SQLite, random ids and digests from the database's own
        generator, and the secondary indexes of ``credential`` and ``status_allocation``
        dropped during the load and rebuilt after it (a sort each instead of 10^7 random
        B-tree insertions).

        One difference from the service's rows, on purpose: a synthetic diploma's
        ``document`` is a stub (its id), not a 6 KB signed diploma, since 10^7 of those would
        be 60 GB (the verification path never reads another diploma's document; the lookups
        it makes go through the indexes, which are full size). Status lists are opened as the
        allocator would, each filled to 75 % at indexes in random order.
        """
        self.refresh()
        if self._count >= total:
            return 0.0
        started = time.perf_counter()
        engine = self._store.engine
        postgres = self._store.backend == "postgres"
        seeded = self._seeded
        first, count = self._count, total - self._count
        with engine.begin() as conn:
            indexes = _secondary_indexes(conn, postgres, ("credential", "status_allocation"))
            for name, _sql in indexes:
                conn.exec_driver_sql(f'DROP INDEX "{name}"')
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {SYNTHETIC}")
            numbers = (
                f"generate_series({first}, {total - 1}) AS n"
                if postgres
                else f"(WITH RECURSIVE g(n) AS (SELECT {first} UNION ALL SELECT n + 1 FROM g "
                f"WHERE n < {total - 1}) SELECT n FROM g)"
            )
            hex16 = "md5(random()::text)" if postgres else "lower(hex(randomblob(16)))"
            hex32 = f"{hex16} || {hex16}" if postgres else "lower(hex(randomblob(32)))"
            uuid_text = "gen_random_uuid()::text" if postgres else hex16
            # A plain table, not a temporary one: the steps below may use other pooled
            # connections.
            conn.exec_driver_sql(
                f"CREATE {'UNLOGGED ' if postgres else ''}TABLE {SYNTHETIC} AS "
                f"SELECT n, 'urn:uuid:' || {uuid_text} AS id FROM {numbers}"
            )
            conn.exec_driver_sql(f"CREATE INDEX {SYNTHETIC}_n ON {SYNTHETIC} (n)")
            batch = seeded.settings.max_batch_size
            batch_id = f"'syn-batch-{first}-' || (n / {batch})"
            now = datetime.now(UTC).replace(microsecond=0)
            params = {
                "institution": seeded.institution.id,
                "did": seeded.institution.did,
                "achievement": seeded.achievement_type,
                # SQLAlchemy's SQLite DateTime format (UTC, no offset), as the service stores
                "now": now if postgres else now.strftime("%Y-%m-%d %H:%M:%S.%f"),
            }
            conn.execute(
                text(
                    "INSERT INTO issuance_batch (id, institution_id, idempotency_key, "
                    "request_sha256, count, created_at) "
                    f"SELECT b, :institution, NULL, {hex32}, {batch}, :now FROM "
                    f"(SELECT DISTINCT {batch_id} AS b FROM {SYNTHETIC}) AS batches"
                ),
                params,
            )
            conn.execute(
                text(
                    "INSERT INTO credential (id, institution_id, issuer_did, batch_id, "
                    "batch_position, achievement_type, subject_name, student_id_sha256, "
                    "document, document_sha256, secured_digest, issued_at, state, "
                    "holder_programme_sha256, diploma_number) "
                    f"SELECT id, :institution, :did, {batch_id}, n % {batch}, :achievement, "
                    f"'Synthetic Graduate ' || n, {hex32}, '{{\"id\":\"' || id || '\"}}', "
                    f"{hex32}, {hex32}, :now, 'active', {hex32}, 'SYN-' || n FROM {SYNTHETIC}"
                ),
                params,
            )
            rows_done = first + count
            progress(rows_done, total, time.perf_counter() - started)
        for purpose in status.PURPOSES:
            self._allocate_in_database(purpose, first, total, postgres)
        progress(total, total, time.perf_counter() - started)
        with engine.begin() as conn:
            for _name, sql in indexes:
                conn.exec_driver_sql(sql)
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {SYNTHETIC}")
        self.refresh()
        return time.perf_counter() - started

    def _allocate_in_database(self, purpose: str, first: int, end: int, postgres: bool) -> None:
        """Two allocations per synthetic diploma: the open list's free indexes first (in the
        order :meth:`refresh` shuffled them), then new lists of 131,072, 75 % used each."""
        current = self._lists[purpose]
        position = first
        with self._store.engine.begin() as conn:
            take = min(len(current.picks), end - position)
            if take:
                picks = [current.picks.pop() for _ in range(take)]
                conn.execute(
                    text(
                        'INSERT INTO status_allocation (list_id, "index", credential_id) '
                        f"SELECT :list, :index, id FROM {SYNTHETIC} WHERE n = :n"
                    ),
                    [
                        {"list": current.id, "index": index, "n": position + i}
                        for i, index in enumerate(picks)
                    ],
                )
                position += take
        sequence = current.sequence
        while position < end:
            sequence += 1
            opened = self._new_list(purpose, sequence)
            take = min(LIST_CAPACITY, end - position)
            indexes = (
                f"generate_series(0, {status.LIST_SIZE - 1}) AS i"
                if postgres
                else f"(WITH RECURSIVE g(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM g "
                f"WHERE i < {status.LIST_SIZE - 1}) SELECT i FROM g)"
            )
            with self._store.engine.begin() as conn:
                conn.execute(
                    text(
                        'INSERT INTO status_allocation (list_id, "index", credential_id) '
                        "SELECT :list, p.i, s.id FROM (SELECT i, row_number() OVER "
                        f"(ORDER BY random()) AS k FROM {indexes}) AS p "
                        f"JOIN {SYNTHETIC} AS s ON s.n = p.k - 1 + :start "
                        "WHERE p.k <= :take"
                    ),
                    {"list": opened.id, "start": position, "take": take},
                )
            position += take

    def _insert_chunk(self, n: int) -> None:
        seeded = self._seeded
        institution = seeded.institution
        now = datetime.now(UTC).replace(microsecond=0)
        ids = [f"urn:uuid:{uuid.uuid4()}" for _ in range(n)]
        batch_size = seeded.settings.max_batch_size
        batches: list[dict[str, Any]] = []
        credentials: list[dict[str, Any]] = []
        for position, cid in enumerate(ids):
            if position % batch_size == 0:
                batches.append(
                    {
                        "id": str(uuid.uuid4()),
                        "institution_id": institution.id,
                        "idempotency_key": None,
                        "request_sha256": hashlib.sha256(cid.encode()).hexdigest(),
                        "count": min(batch_size, n - position),
                        "created_at": now,
                    }
                )
            document = seeded.template_text.replace(seeded.template_id, cid)
            credentials.append(
                {
                    "id": cid,
                    "institution_id": institution.id,
                    "issuer_did": institution.did,
                    "batch_id": batches[-1]["id"],
                    "batch_position": position % batch_size,
                    "achievement_type": seeded.achievement_type,
                    "subject_name": f"Synthetic Graduate {self._count + position}",
                    "student_id_sha256": hashlib.sha256(f"student-{cid}".encode()).hexdigest(),
                    "document": document,
                    "document_sha256": hashlib.sha256(document.encode()).hexdigest(),
                    # Unique per row, like the real column (indexed; what a verifier looks
                    # up), and the two identity columns filled like the database fill does.
                    "secured_digest": hashlib.sha256(f"secured-{cid}".encode()).hexdigest(),
                    "issued_at": now,
                    "state": "active",
                    "holder_programme_sha256": hashlib.sha256(f"holder-{cid}".encode()).hexdigest(),
                    "diploma_number": f"SYN-{self._count + position}",
                }
            )
        allocations = [row for p in status.PURPOSES for row in self._allocate(p, ids)]
        tables: list[tuple[SATable, list[dict[str, Any]]]] = [
            (core_table(BatchRecord), batches),
            (core_table(CredentialRecord), credentials),
            (core_table(StatusAllocationRecord), allocations),
        ]
        # The service's own bulk path (COPY on PostgreSQL, executemany on SQLite): the columns
        # a row leaves out take their database defaults, as in issuance.
        with Session(self._store.engine) as session:
            for table, rows in tables:
                insert_rows(session, table, rows)
            session.commit()


def _secondary_indexes(conn: Any, postgres: bool, tables: Sequence[str]) -> list[tuple[str, str]]:
    """``(name, CREATE statement)`` of every index of ``tables`` that no constraint owns."""
    if postgres:
        rows = conn.execute(
            text(
                "SELECT i.indexname, i.indexdef FROM pg_indexes AS i WHERE i.schemaname = "
                "current_schema() AND i.tablename = ANY(:tables) AND NOT EXISTS (SELECT 1 FROM "
                "pg_constraint AS c WHERE c.conname = i.indexname)"
            ),
            {"tables": list(tables)},
        ).all()
    else:
        rows = conn.execute(
            text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({', '.join(repr(t) for t in tables)})"
            )
        ).all()
    return [(str(name), str(sql)) for name, sql in rows]


# --- queries and their plans -----------------------------------------------------------------


@contextmanager
def captured_queries(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """Every statement (and its parameters) the engine sends while the block runs."""
    queries: list[tuple[str, Any]] = []

    def before(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        queries.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield queries
    finally:
        event.remove(engine, "before_cursor_execute", before)


SQLITE_SCAN: Final = re.compile(r"^SCAN (\w+)(.*)$")
PG_SCAN: Final = re.compile(r"Seq Scan on (\w+)")


def _normalise(statement: str) -> str:
    return " ".join(statement.split())


def explain(store: Store, queries: Sequence[tuple[str, Any]]) -> list[dict[str, Any]]:
    """The plan of each distinct query, and the tables it reads in full."""
    seen: dict[str, Any] = {}
    for statement, parameters in queries:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.setdefault(_normalise(statement), (statement, parameters))
    plans: list[dict[str, Any]] = []
    rows_of: dict[str, int] = {}
    with store.engine.connect() as conn:
        for normalised, (statement, parameters) in seen.items():
            prefix = "EXPLAIN QUERY PLAN " if store.backend == "sqlite" else "EXPLAIN "
            rows = conn.exec_driver_sql(prefix + statement, parameters).all()
            if store.backend == "sqlite":
                lines = [str(row[-1]) for row in rows]
                scans = [
                    {"table": m.group(1), "detail": line}
                    for line in lines
                    if (m := SQLITE_SCAN.match(line))
                ]
            else:
                lines = [str(row[0]) for row in rows]
                scans = [
                    {"table": m.group(1), "detail": line.strip()}
                    for line in lines
                    if (m := PG_SCAN.search(line))
                ]
            for scan in scans:
                table = scan["table"]
                if table not in rows_of:
                    rows_of[table] = int(
                        conn.exec_driver_sql(f'SELECT count(*) FROM "{table}"').scalar_one()
                    )
                scan["table_rows"] = rows_of[table]
                scan["grows_with_diplomas"] = table in GROWING_TABLES
                scan["matters"] = scan["grows_with_diplomas"] and rows_of[table] >= LARGE_SCAN_ROWS
            plans.append({"query": normalised, "plan": lines, "full_scans": scans})
        conn.rollback()
    return plans


# --- measurement -----------------------------------------------------------------------------


def _quantile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0..1) by linear interpolation between closest ranks."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(seconds: Sequence[float]) -> dict[str, Any]:
    return {
        "n": len(seconds),
        "median_ms": statistics.median(seconds) * 1e3,
        "p99_ms": _quantile(seconds, 0.99) * 1e3,
        "mean_ms": statistics.fmean(seconds) * 1e3,
        "min_ms": min(seconds) * 1e3,
        "max_ms": max(seconds) * 1e3,
    }


@dataclass(slots=True)
class Timings:
    verify: list[float] = field(default_factory=list)
    proof: list[float] = field(default_factory=list)
    lookup: list[float] = field(default_factory=list)
    checks: list[float] = field(default_factory=list)


def _status_urls(credential: Mapping[str, Any]) -> list[str]:
    return [str(entry["statusListCredential"]) for entry in credential["credentialStatus"]]


def measure_size(store: Store, seeded: Seeded, verifications: int) -> dict[str, Any]:
    """Interleaved timings of verification, its baseline and its status part at this size."""
    engine, settings = store.engine, seeded.settings
    with Session(engine) as session:
        key = institutions.active_key(session, seeded.institution)
        public_key = public_key_from_multibase(key.public_key_multibase)
    credentials = seeded.credentials
    issuer = seeded.institution.did

    def one_verify(credential: Mapping[str, Any]) -> bool:
        with Session(engine) as session:
            return verify(session, settings, credential).valid

    def one_lookup(credential: Mapping[str, Any]) -> None:
        with Session(engine) as session:
            lists = LocalStatusLists(session, settings)
            for url in _status_urls(credential):
                lists.get(url)

    def one_checks(credential: Mapping[str, Any]) -> None:
        with Session(engine) as session:
            checks = status_checks(
                credential,
                issuer,
                resolver=RegistryResolver(session),
                provider=LocalStatusLists(session, settings),
            )
        if not all(check.status.value == "passed" for check in checks):
            raise RuntimeError(f"status checks did not pass: {checks}")

    for i in range(WARMUP):
        credential = credentials[i % len(credentials)]
        if not one_verify(credential):
            with Session(engine) as session:
                report = verify(session, settings, credential)
            raise RuntimeError(f"a real diploma does not verify: {json.dumps(report.to_json())}")
        one_lookup(credential)
        one_checks(credential)

    timings = Timings()
    invalid = 0
    load_start = os.getloadavg()[0]
    cpu_start, wall_start = time.process_time(), time.perf_counter()
    for i in range(verifications):
        credential = credentials[i % len(credentials)]
        start = time.perf_counter()
        invalid += not one_verify(credential)
        timings.verify.append(time.perf_counter() - start)
        start = time.perf_counter()
        eddsa_jcs_2022.verify_proof(credential, public_key)
        timings.proof.append(time.perf_counter() - start)
        start = time.perf_counter()
        one_lookup(credential)
        timings.lookup.append(time.perf_counter() - start)
        start = time.perf_counter()
        one_checks(credential)
        timings.checks.append(time.perf_counter() - start)
    cpu_share = (time.process_time() - cpu_start) / (time.perf_counter() - wall_start)
    if invalid:
        raise RuntimeError(f"{invalid} of {verifications} verifications were not valid")

    with captured_queries(engine) as queries:
        one_verify(credentials[0])
    plans = explain(store, queries)

    verify_ms = summary(timings.verify)
    proof_ms = summary(timings.proof)
    return {
        "verify": verify_ms,
        "proof_verify_baseline": proof_ms,
        "verify_over_proof": verify_ms["median_ms"] / proof_ms["median_ms"],
        "status_lookup": summary(timings.lookup),
        "status_checks": summary(timings.checks),
        "queries_per_verification": len(queries),
        "plans": plans,
        "cpu_share": cpu_share,
        "load_average_at_start": load_start,
    }


_PROBE_NUMBERS = itertools.count()


def probe_issuance(store: Store, seeded: Seeded) -> dict[str, Any]:
    """Issue ``ISSUE_PROBES`` single diplomas through the service (each committed), timed;
    the plans of the queries of the first. They stay in the database as real diplomas."""
    settings, institution = seeded.settings, seeded.institution
    principal = Principal(role=ROLE_INSTITUTION, api_key_id="benchmark", institution=institution)
    seconds: list[float] = []
    plans: list[dict[str, Any]] = []
    for i in range(ISSUE_PROBES):
        # A different graduate at every size: the same one again would be refused as a
        # duplicate of the diploma issued at the previous size.
        data = [sample_diploma_data(1000 + next(_PROBE_NUMBERS))]
        with Session(store.engine, expire_on_commit=False) as session:
            if i == 0:
                with captured_queries(store.engine) as queries:
                    start = time.perf_counter()
                    issue_diplomas(session, settings, principal, data, signer=seeded.signer)
                    session.commit()
                    seconds.append(time.perf_counter() - start)
                plans = explain(store, queries)
            else:
                start = time.perf_counter()
                issue_diplomas(session, settings, principal, data, signer=seeded.signer)
                session.commit()
                seconds.append(time.perf_counter() - start)
    with Session(store.engine) as session:
        fill = {
            purpose: session.exec(
                select(func.count())
                .select_from(StatusAllocationRecord)
                .join(
                    StatusListRecord,
                    col(StatusListRecord.id) == col(StatusAllocationRecord.list_id),
                )
                .where(
                    StatusListRecord.purpose == purpose,
                    StatusListRecord.sequence
                    == select(func.max(StatusListRecord.sequence))
                    .where(StatusListRecord.purpose == purpose)
                    .scalar_subquery(),
                )
            ).one()
            for purpose in status.PURPOSES
        }
    return {"issue_one": summary(seconds), "current_list_used": fill, "plans": plans}


def probe_publication(store: Store, seeded: Seeded) -> dict[str, Any]:
    """Status-list publication: ``PUBLICATION_PROBES`` suspensions and reinstatements of real
    diplomas through the service, each committed (the bit is set and the 131,072-entry list
    re-signed in the same transaction, as a registrar's change is published)."""
    principal = Principal(
        role=ROLE_INSTITUTION, api_key_id="benchmark", institution=seeded.institution
    )
    seconds: list[float] = []
    for i in range(PUBLICATION_PROBES):
        credential_id = str(seeded.credentials[i % len(seeded.credentials)]["id"])
        for action, reason in (("suspend", "investigation"), ("reinstate", "hold-lifted")):
            with Session(store.engine, expire_on_commit=False) as session:
                start = time.perf_counter()
                status.change_status(
                    session,
                    seeded.settings,
                    principal,
                    credential_id,
                    action,
                    reason_code=reason,
                )
                session.commit()
                seconds.append(time.perf_counter() - start)
    return summary(seconds)


def profile_verifications(store: Store, seeded: Seeded, n: int) -> str:
    """cProfile of ``n`` verifications (a session each), top 15 by cumulative time."""
    profiler = cProfile.Profile()
    engine, settings = store.engine, seeded.settings
    profiler.enable()
    for i in range(n):
        with Session(engine) as session:
            verify(session, settings, seeded.credentials[i % len(seeded.credentials)])
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(15)
    out.write("--- the same profile, top 15 by own (tottime) time ---\n")
    stats.sort_stats("tottime").print_stats(15)
    return out.getvalue()


# --- one backend -----------------------------------------------------------------------------


def grow_and_measure(
    store: Store,
    seeded: Seeded,
    filler: Filler,
    size: int,
    verifications: int,
    console: Console,
    fill: str = "rows",
) -> dict[str, Any]:
    """Fill the database up to ``size`` diplomas (``fill`` "database": generated by the
    database, see :meth:`Filler.grow_in_database`), then measure there."""
    backend = store.backend

    def progress(done: int, total: int, seconds: float) -> None:
        console.print(f"  {backend}: {done:,} / {total:,} diplomas stored ({seconds:,.1f} s)")

    grow = filler.grow_in_database if fill == "database" else filler.grow_to
    fill_seconds = grow(size, progress)
    if backend == "postgres":  # what autovacuum would do after such a load, before measuring
        with store.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    console.print(f"  {backend}: {verifications} verifications at {filler.count:,} diplomas")
    measured = measure_size(store, seeded, verifications)
    with Session(store.engine) as session:
        allocations = session.exec(select(func.count()).select_from(StatusAllocationRecord)).one()
        lists = session.exec(select(func.count()).select_from(StatusListRecord)).one()
    return {
        "diplomas": filler.count,
        "status_allocations": allocations,
        "status_lists": lists,
        "fill_seconds": fill_seconds,
        "database_bytes": store.size_bytes(),
        **measured,
        "issuance_probe": probe_issuance(store, seeded),
        "status_publication": probe_publication(store, seeded),
    }


def run_backend(
    backend: str,
    sizes: Sequence[int],
    verifications: int,
    real: int,
    console: Console,
    fill: str = "rows",
) -> tuple[dict[str, Any], str]:
    """All sizes on one backend: the results and the profile text at the largest size."""
    started = time.perf_counter()
    result: dict[str, Any] = {"sizes": {}}
    with (
        tempfile.TemporaryDirectory(prefix="diploma-storage-scale-") as tmp,
        open_store(backend, Path(tmp)) as store,
    ):
        seed_start = time.perf_counter()
        seeded = seed(store, real)
        result["seed_seconds"] = time.perf_counter() - seed_start
        filler = Filler(store, seeded, random.Random(7))
        for size in sizes:
            result["sizes"][str(size)] = grow_and_measure(
                store, seeded, filler, size, verifications, console, fill
            )
        console.print(f"  {backend}: profiling {verifications} verifications")
        stats = profile_verifications(store, seeded, verifications)
        profile_text = (
            f"=== {backend}, {result['sizes'][str(sizes[-1])]['diplomas']:,} diplomas: cProfile "
            f"of {verifications} verifications (services.verification.verify, a session each), "
            f"top 15 by cumulative time ===\n{stats}\n"
        )
        result["lists_created_by_filler"] = filler.lists_created
    first, last = result["sizes"][str(sizes[0])], result["sizes"][str(sizes[-1])]
    result["ratio"] = {
        "sizes": [sizes[0], sizes[-1]],
        "verify_median": last["verify"]["median_ms"] / first["verify"]["median_ms"],
        "verify_p99": last["verify"]["p99_ms"] / first["verify"]["p99_ms"],
        "verify_over_proof": last["verify_over_proof"] / first["verify_over_proof"],
        "status_lookup_median": last["status_lookup"]["median_ms"]
        / first["status_lookup"]["median_ms"],
        "status_checks_median": last["status_checks"]["median_ms"]
        / first["status_checks"]["median_ms"],
        "status_publication_median": last["status_publication"]["median_ms"]
        / first["status_publication"]["median_ms"],
        "target": TARGET_RATIO,
    }
    result["runtime_seconds"] = time.perf_counter() - started
    return result, profile_text


def findings(results: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every full scan in a plan, the ones on tables that grow with diplomas first."""
    found: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for backend, result in results.items():
        for size, measured in result["sizes"].items():
            for path, plans in (
                ("verification", measured["plans"]),
                ("issuance of one diploma", measured["issuance_probe"]["plans"]),
            ):
                for plan in plans:
                    for scan in plan["full_scans"]:
                        key = (backend, path, scan["table"], plan["query"])
                        entry = found.setdefault(
                            key,
                            {
                                "backend": backend,
                                "path": path,
                                "table": scan["table"],
                                "grows_with_diplomas": scan["grows_with_diplomas"],
                                "matters": False,
                                "detail": scan["detail"],
                                "query": plan["query"],
                                "table_rows_at_size": {},
                            },
                        )
                        entry["table_rows_at_size"][size] = scan["table_rows"]
                        entry["matters"] = entry["matters"] or scan["matters"]
    return sorted(
        found.values(),
        key=lambda f: (not f["matters"], not f["grows_with_diplomas"], f["backend"], f["path"]),
    )


def run_storage_scale(
    quick: bool,
    backends: Sequence[str],
    *,
    sizes: Sequence[int] | None = None,
    verifications: int | None = None,
    real: int = REAL_DIPLOMAS,
    profile_out: Path | None = DEFAULT_PROFILE_OUT,
    console: Console | None = None,
    fill: str = "rows",
) -> dict[str, Any]:
    """Run the benchmark on ``backends`` and return the results (JSON-ready)."""
    console = console or Console(stderr=True)
    sizes = sorted(sizes or (QUICK_SIZES if quick else SIZES))
    verifications = verifications or (QUICK_VERIFICATIONS if quick else VERIFICATIONS)
    if sizes[0] < real + 1:
        raise ValueError(f"the smallest size must exceed the {real} real diplomas")
    started = time.perf_counter()
    env = environment()
    per_backend: dict[str, Any] = {}
    profiles: list[str] = []
    for backend in backends:
        console.print(f"[bold]{backend}[/bold]: sizes {', '.join(f'{s:,}' for s in sizes)}")
        per_backend[backend], profile_text = run_backend(
            backend, sizes, verifications, real, console, fill
        )
        profiles.append(profile_text)
    if profile_out is not None:
        profile_out.parent.mkdir(parents=True, exist_ok=True)
        profile_out.write_text("\n".join(profiles))
    return {
        "environment": env,
        "parameters": {
            "quick": quick,
            "sizes": list(sizes),
            "backends": list(backends),
            "verifications": verifications,
            "warmup": WARMUP,
            "real_diplomas": real,
            "chunk": CHUNK,
            "fill": fill,
            "list_size": status.LIST_SIZE,
            "list_capacity": LIST_CAPACITY,
            "target_ratio": TARGET_RATIO,
            "profile_out": str(profile_out) if profile_out else None,
        },
        "backends": per_backend,
        "findings": findings(per_backend),
        "load_average_at_end": list(os.getloadavg()),
        "runtime_seconds": time.perf_counter() - started,
    }


# --- output ----------------------------------------------------------------------------------


def _ms(value: float) -> str:
    return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"


def render(results: Mapping[str, Any], console: Console) -> None:
    env, params = results["environment"], results["parameters"]
    console.print(
        f"[bold]storage scale[/bold]  {env['cpu']}, {env['cores']} cores, Python "
        f"{env['python']}, SQLAlchemy {env['sqlalchemy']}; {params['verifications']} "
        f"verifications per size after {params['warmup']} warm-up, cycling through "
        f"{params['real_diplomas']} real diplomas; load average "
        f"{env['load_average_at_start'][0]:.2f} at start, {results['load_average_at_end'][0]:.2f} "
        "at end"
    )
    table = Table(title="services.verification.verify vs. diplomas stored (ms)")
    for name, justify in (
        ("backend", "left"),
        ("diplomas", "right"),
        ("fill s", "right"),
        ("verify p50", "right"),
        ("verify p99", "right"),
        ("× proof verify", "right"),
        ("status lookup p50", "right"),
        ("status checks p50", "right"),
        ("issue 1 p50", "right"),
        ("publish p50", "right"),
        ("queries", "right"),
        ("full scans of growing tables", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for backend, result in results["backends"].items():
        table.add_section()
        for measured in result["sizes"].values():
            growing = sorted(
                {
                    f"{scan['table']} ({scan['table_rows']:,} rows)"
                    for plan in measured["plans"]
                    for scan in plan["full_scans"]
                    if scan["grows_with_diplomas"]
                }
            )
            table.add_row(
                backend,
                f"{measured['diplomas']:,}",
                f"{measured['fill_seconds']:,.1f}",
                _ms(measured["verify"]["median_ms"]),
                _ms(measured["verify"]["p99_ms"]),
                f"{measured['verify_over_proof']:,.1f}×",
                _ms(measured["status_lookup"]["median_ms"]),
                _ms(measured["status_checks"]["median_ms"]),
                _ms(measured["issuance_probe"]["issue_one"]["median_ms"]),
                _ms(measured["status_publication"]["median_ms"]),
                str(measured["queries_per_verification"]),
                ", ".join(growing) or "none",
            )
        ratio = result["ratio"]
        verdict = "within" if ratio["verify_median"] <= ratio["target"] else "OVER"
        table.add_row(
            f"[bold]{backend} ratio[/bold]",
            f"{ratio['sizes'][1]:,} / {ratio['sizes'][0]:,}",
            "",
            f"{ratio['verify_median']:.2f}",
            f"{ratio['verify_p99']:.2f}",
            f"{ratio['verify_over_proof']:.2f}",
            f"{ratio['status_lookup_median']:.2f}",
            f"{ratio['status_checks_median']:.2f}",
            "",
            f"{ratio['status_publication_median']:.2f}",
            "",
            f"p50 ratio {verdict} the target ≤ {ratio['target']}",
        )
    console.print(table)
    console.print(
        "× proof verify: median verify / median eddsa_jcs_2022.verify_proof of the same diploma "
        "(no database), timed interleaved at the same size: its ratio between sizes discounts "
        "a change of machine speed. status lookup: LocalStatusLists.get of the 2 lists; status "
        "checks: status_checks with the local lists (list proofs cached by content digest). "
        "issue 1: issue_diplomas of one diploma + commit. publish: a suspension or "
        "reinstatement of a real diploma + commit (sets the bit and re-signs its list)."
    )
    for backend, result in results["backends"].items():
        sizes = ", ".join(
            f"{int(size):,}: {m['database_bytes'] / 1e6:,.0f} MB, {m['status_lists']} lists, "
            f"CPU/wall {m['cpu_share']:.0%}"
            for size, m in result["sizes"].items()
        )
        console.print(f"{backend}: {sizes}; whole backend {result['runtime_seconds']:,.0f} s")
    found = results["findings"]
    if not any(f["matters"] for f in found):
        console.print(
            f"[green]no full scan of a growing table of >= {LARGE_SCAN_ROWS:,} rows[/green] in "
            "the plans of verification and of issuing one diploma"
        )
    for finding in found:
        if finding["matters"]:
            mark = "[bold red]FULL SCAN OF A LARGE GROWING TABLE[/bold red]"
        elif finding["grows_with_diplomas"]:
            mark = "scan of a growing table, still small here"
        else:
            mark = "scan of a small table (planner's choice)"
        rows = ", ".join(
            f"{int(size):,} diplomas: {n:,} rows"
            for size, n in finding["table_rows_at_size"].items()
        )
        console.print(
            f"{mark}: {finding['backend']}, {finding['path']}: {finding['detail']} ({rows}) "
            f"in: {finding['query'][:140]}"
        )
    console.print(f"whole script: {results['runtime_seconds']:,.0f} s")


# --- main ------------------------------------------------------------------------------------


def _sizes(value: str) -> list[int]:
    try:
        sizes = sorted({int(part.replace("_", "")) for part in value.split(",") if part.strip()})
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"--sizes {value!r}: comma-separated integers") from exc
    if len(sizes) < 2:
        raise argparse.ArgumentTypeError("--sizes needs at least two sizes")
    return sizes


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"sizes {','.join(map(str, QUICK_SIZES))}, {QUICK_VERIFICATIONS} verifications",
    )
    parser.add_argument(
        "--sizes", type=_sizes, help=f"diplomas stored (default {','.join(map(str, SIZES))})"
    )
    parser.add_argument("--backend", choices=[*BACKENDS, "both"], default="both")
    parser.add_argument(
        "--verifications", type=int, help=f"timed verifications per size (default {VERIFICATIONS})"
    )
    parser.add_argument(
        "--fill",
        choices=("rows", "database"),
        default="rows",
        help="synthetic diplomas as full rows written from Python (default), or generated by "
        "the database with stub documents (fast enough for 10^7)",
    )
    parser.add_argument("--real", type=int, default=REAL_DIPLOMAS, help="real diplomas issued")
    parser.add_argument("--json-out", type=Path, default=DEFAULT_JSON_OUT)
    parser.add_argument("--profile-out", type=Path, default=DEFAULT_PROFILE_OUT)
    args = parser.parse_args(argv)
    if args.verifications is not None and args.verifications < 1:
        parser.error("--verifications must be positive")
    if args.real < 1:
        parser.error("--real must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    console = Console(width=None if sys.stdout.isatty() else 160)
    backends = BACKENDS if args.backend == "both" else (args.backend,)
    results = run_storage_scale(
        args.quick,
        backends,
        sizes=args.sizes,
        verifications=args.verifications,
        real=args.real,
        profile_out=args.profile_out,
        console=console,
        fill=args.fill,
    )
    render(results, console)
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    console.print(f"results written to {args.json_out}; profile to {args.profile_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
