"""Whole-database backup to one archive, its integrity check, and restore into an empty database.

The archive (format ``diploma-exchange-backup``, version 1) is an uncompressed POSIX tar that
holds, in this order and nothing else:

``tables/<table>.jsonl.gz``
    One per table, in foreign-key dependency order: gzip-compressed JSON Lines, one object per
    row (column name -> value), rows in primary-key order.
``manifest.json``
    Format and version, creation time, source backend, Alembic revision, and for every table
    its member name, row count, SHA-256 and size of the member, uncompressed size, and its
    columns with their value kinds.
``manifest.json.sha256``
    SHA-256 of ``manifest.json`` in ``sha256sum`` format.

Values are encoded by column kind, so that a restore into another backend gives back the same
values: ``str`` / ``int`` / ``bool`` as JSON, ``bytes`` as base64, ``datetime`` as ISO 8601
(time-zone-aware columns in UTC with ``+00:00``), ``date`` / ``time`` as ISO 8601, ``decimal``
as a string, ``float`` as a number (``"NaN"`` / ``"Infinity"`` / ``"-Infinity"`` as strings),
``json`` as the JSON value itself, ``uuid`` as a string; SQL NULL as ``null``.

The tables are read as they are in the database (reflected, not taken from this release's
models), so a database can be backed up *before* it is upgraded; the archive records the
schema revision and a restore first creates exactly that schema with Alembic.

Private signing keys are copied as the database holds them: encrypted PKCS#8 PEM (see
``db.models``). Nothing here decrypts or re-encodes them, and no passphrase is read.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import math
import os
import re
import tarfile
import tempfile
import uuid
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, Self

from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util.exc import CommandError
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Time,
    Uuid,
    exists,
    inspect,
    null,
    select,
    text,
)
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from diploma_exchange import errors, strict_json
from diploma_exchange.db import models  # noqa: F401  (registers the tables)
from diploma_exchange.db.engine import MIGRATIONS_DIR, upgrade

FORMAT = "diploma-exchange-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MANIFEST_DIGEST = "manifest.json.sha256"
TABLES_DIR = "tables/"
TABLE_SUFFIX = ".jsonl.gz"
ALEMBIC_TABLE = "alembic_version"
#: Rows fetched (backup) and inserted (restore) per round trip.
CHUNK_ROWS = 1000
KINDS = frozenset(
    {"str", "int", "bool", "float", "decimal", "bytes", "datetime", "date", "time", "json", "uuid"}
)
_TABLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_COLUMN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_READ_BLOCK = 1 << 16
_NON_FINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


class InvalidBackup(errors.InvalidInput):
    """The archive is not an intact backup: damaged, tampered with, incomplete, of an unknown
    format, or over a size limit. Nothing was written."""

    code = "invalid-backup"


class RestoreRefused(errors.Conflict):
    """The archive is intact but cannot go into this database (it holds data already, or a
    schema revision this release does not know)."""

    code = "restore-refused"


class BackupRefused(errors.Conflict):
    """The database cannot be backed up as it is (no schema, an unsupported column type)."""

    code = "backup-refused"


@dataclass(frozen=True, slots=True)
class Limits:
    """What a restore or verification accepts from an archive (guards against archive bombs)."""

    #: Total uncompressed size of all table files.
    max_uncompressed_bytes: int = 64 * 1024**3
    #: One row (one JSON line) uncompressed; rows are parsed one at a time.
    max_row_bytes: int = 64 * 1024**2
    max_manifest_bytes: int = 16 * 1024**2
    #: Tar members read before giving up (a legitimate archive has tables + 2).
    max_members: int = 1000


DEFAULT_LIMITS = Limits()


# --- manifest --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TableEntry:
    """One table file as the manifest describes it."""

    name: str
    rows: int
    sha256: str
    size: int
    uncompressed_size: int
    columns: tuple[tuple[str, str], ...]  # (name, kind), in table order

    @property
    def member(self) -> str:
        return f"{TABLES_DIR}{self.name}{TABLE_SUFFIX}"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "file": self.member,
            "rows": self.rows,
            "sha256": self.sha256,
            "bytes": self.size,
            "uncompressedBytes": self.uncompressed_size,
            "columns": [{"name": n, "kind": k} for n, k in self.columns],
        }


@dataclass(frozen=True, slots=True)
class Manifest:
    """The archive's table of contents; parsed and validated by ``from_json``."""

    created_at: datetime
    backend: str
    revision: str
    tables: tuple[TableEntry, ...]

    def table(self, name: str) -> TableEntry:
        for entry in self.tables:
            if entry.name == name:
                return entry
        raise KeyError(name)

    @property
    def rows(self) -> dict[str, int]:
        return {t.name: t.rows for t in self.tables}

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "formatVersion": FORMAT_VERSION,
            "createdAt": self.created_at.isoformat(),
            "sourceBackend": self.backend,
            "alembicRevision": self.revision,
            "tables": [t.to_json() for t in self.tables],
        }

    def to_bytes(self) -> bytes:
        return (json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n").encode()

    @classmethod
    def from_json(cls, data: Any) -> Manifest:
        """Validate a parsed ``manifest.json``.

        Raises:
            InvalidBackup: any field missing, of the wrong type or out of range.
        """
        if not isinstance(data, dict):
            raise InvalidBackup("manifest.json is not a JSON object")
        if data.get("format") != FORMAT:
            raise InvalidBackup(f"this is not a {FORMAT} archive (manifest format is wrong)")
        if data.get("formatVersion") != FORMAT_VERSION:
            raise InvalidBackup(
                f"archive format version {data.get('formatVersion')!r} is not supported "
                f"(this release reads version {FORMAT_VERSION})"
            )
        created = _parse_datetime(data.get("createdAt"), "/createdAt")
        backend = data.get("sourceBackend")
        revision = data.get("alembicRevision")
        if not isinstance(backend, str) or not isinstance(revision, str) or not revision:
            raise InvalidBackup("manifest.json lacks sourceBackend or alembicRevision")
        raw_tables = data.get("tables")
        if not isinstance(raw_tables, list):
            raise InvalidBackup("manifest.json lacks the list of tables")
        tables = tuple(_table_entry(t, f"/tables/{i}") for i, t in enumerate(raw_tables))
        names = [t.name for t in tables]
        if len(set(names)) != len(names):
            raise InvalidBackup("manifest.json lists a table more than once")
        return cls(created, backend, revision, tables)


def _table_entry(data: Any, where: str) -> TableEntry:
    if not isinstance(data, dict):
        raise InvalidBackup(f"manifest.json: {where} is not an object")
    name = data.get("name")
    if not isinstance(name, str) or not _TABLE_NAME.fullmatch(name):
        raise InvalidBackup(f"manifest.json: {where}/name is not a table name")
    if data.get("file") != f"{TABLES_DIR}{name}{TABLE_SUFFIX}":
        raise InvalidBackup(f"manifest.json: {where}/file must be {TABLES_DIR}{name}{TABLE_SUFFIX}")
    numbers = {k: data.get(k) for k in ("rows", "bytes", "uncompressedBytes")}
    for key, value in numbers.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise InvalidBackup(f"manifest.json: {where}/{key} is not a count")
    digest = data.get("sha256")
    if not isinstance(digest, str) or not _HEX64.fullmatch(digest):
        raise InvalidBackup(f"manifest.json: {where}/sha256 is not a SHA-256 in hex")
    raw_columns = data.get("columns")
    if not isinstance(raw_columns, list) or not raw_columns:
        raise InvalidBackup(f"manifest.json: {where}/columns is missing")
    columns: list[tuple[str, str]] = []
    for i, col in enumerate(raw_columns):
        col_name = col.get("name") if isinstance(col, dict) else None
        kind = col.get("kind") if isinstance(col, dict) else None
        if not isinstance(col_name, str) or not _COLUMN_NAME.fullmatch(col_name):
            raise InvalidBackup(f"manifest.json: {where}/columns/{i}/name is not a column name")
        if kind not in KINDS:
            raise InvalidBackup(f"manifest.json: {where}/columns/{i}/kind {kind!r} is unknown")
        columns.append((col_name, str(kind)))
    if len({n for n, _ in columns}) != len(columns):
        raise InvalidBackup(f"manifest.json: {where}/columns names a column twice")
    return TableEntry(
        name=name,
        rows=int(numbers["rows"]),  # type: ignore[arg-type]
        sha256=digest,
        size=int(numbers["bytes"]),  # type: ignore[arg-type]
        uncompressed_size=int(numbers["uncompressedBytes"]),  # type: ignore[arg-type]
        columns=tuple(columns),
    )


def _parse_datetime(value: Any, where: str) -> datetime:
    if not isinstance(value, str):
        raise InvalidBackup(f"manifest.json: {where} is not a date-time")
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise InvalidBackup(f"manifest.json: {where} is not an ISO 8601 date-time") from exc


# --- value encoding --------------------------------------------------------------------------


def kind_of(column: Column[Any]) -> str:
    """The archive's value kind for a (reflected or declared) column.

    Raises:
        BackupRefused: a column type this format cannot carry faithfully.
    """
    type_ = column.type
    for sa_type, kind in (
        (Boolean, "bool"),
        (DateTime, "datetime"),
        (Date, "date"),
        (Time, "time"),
        (LargeBinary, "bytes"),
        (JSON, "json"),
        (Float, "float"),
        (Numeric, "decimal"),
        (Integer, "int"),
        (Uuid, "uuid"),
        (String, "str"),
    ):
        if isinstance(type_, sa_type):
            return kind
    raise BackupRefused(
        f"column {column.table.name}.{column.name} has type {type_!r}, which backups do not "
        "support yet; add it to services/backup.py (kind_of, encode and decode)",
        code="unsupported-column-type",
    )


def _timezone_aware(column: Column[Any]) -> bool:
    """Whether a datetime column holds UTC moments: PostgreSQL says so in the reflected type;
    SQLite does not keep the flag, so this release's declaration of the column decides."""
    if getattr(column.type, "timezone", False):
        return True
    declared = SQLModel.metadata.tables.get(column.table.name)
    if declared is not None and column.name in declared.columns:
        return bool(getattr(declared.columns[column.name].type, "timezone", False))
    return False


def _encoder(column: Column[Any]) -> Callable[[Any], Any]:
    kind = kind_of(column)
    if kind == "bytes":
        return lambda v: base64.b64encode(bytes(v)).decode("ascii")
    if kind == "datetime":
        aware = _timezone_aware(column)

        def encode_datetime(v: datetime) -> str:
            if v.tzinfo is not None:
                return v.astimezone(UTC).isoformat()
            # SQLite hands back naive values for aware columns; everything stored is UTC.
            return (v.replace(tzinfo=UTC) if aware else v).isoformat()

        return encode_datetime
    if kind in ("date", "time"):
        return lambda v: v.isoformat()
    if kind in ("decimal", "uuid"):
        return str
    if kind == "float":
        return lambda v: float(v) if math.isfinite(v) else _NON_FINITE[repr(float(v))]
    if kind == "bool":
        return bool
    if kind == "int":
        return int
    return lambda v: v  # str, json


def _decode(kind: str, value: Any, where: str) -> Any:
    """An archive value as the Python value to insert.

    Raises:
        InvalidBackup: the value does not fit the column's kind.
    """
    if value is None:
        return null() if kind == "json" else None
    try:
        if kind == "str" and isinstance(value, str):
            return value
        if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
            return value
        if kind == "bool" and isinstance(value, bool):
            return value
        if kind == "bytes" and isinstance(value, str):
            return base64.b64decode(value, validate=True)
        if kind == "datetime" and isinstance(value, str):
            return datetime.fromisoformat(value)
        if kind == "date" and isinstance(value, str):
            return date.fromisoformat(value)
        if kind == "time" and isinstance(value, str):
            return time.fromisoformat(value)
        if kind == "decimal" and isinstance(value, str):
            return Decimal(value)
        if kind == "uuid" and isinstance(value, str):
            return uuid.UUID(value)
        if kind == "float":
            if isinstance(value, str) and value in ("NaN", "Infinity", "-Infinity"):
                return float(value)
            if isinstance(value, int | float) and not isinstance(value, bool):
                return float(value)
        if kind == "json":
            return value
    except (ValueError, InvalidOperation) as exc:
        raise InvalidBackup(f"{where}: {exc}") from exc
    raise InvalidBackup(f"{where}: a {type(value).__name__} is not a valid {kind} value")


# --- backup ----------------------------------------------------------------------------------


class _HashingWriter:
    """A write-only file that hashes and counts what passes through it."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.count = 0

    def write(self, data: bytes) -> int:
        self.sha256.update(data)
        self.count += len(data)
        return self.raw.write(data)

    def flush(self) -> None:
        self.raw.flush()

    def tell(self) -> int:
        return self.count  # written from the start of a new file


@dataclass(frozen=True, slots=True)
class BackupSummary:
    path: Path
    sha256: str
    size: int
    manifest: Manifest

    def to_json(self) -> dict[str, Any]:
        return {
            "archive": str(self.path),
            "sha256": self.sha256,
            "bytes": self.size,
            "sourceBackend": self.manifest.backend,
            "alembicRevision": self.manifest.revision,
            "rows": self.manifest.rows,
        }


def _begin_snapshot(conn: Connection) -> None:
    """One consistent, read-only view of the whole database for the rest of the transaction."""
    if conn.dialect.name == "postgresql":
        conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        conn.begin()
    elif conn.dialect.name == "sqlite":
        # pysqlite begins transactions only before writes; without this every SELECT would
        # see the database as it is at that moment. With WAL, writers are not blocked.
        conn.begin()
        conn.exec_driver_sql("BEGIN")
    else:
        conn.execution_options(isolation_level="SERIALIZABLE")
        conn.begin()


def _revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table(ALEMBIC_TABLE):
        return None
    versions = conn.execute(text(f"SELECT version_num FROM {ALEMBIC_TABLE}")).scalars().all()
    if len(versions) > 1:
        raise BackupRefused(
            f"the database has several Alembic heads ({', '.join(versions)}); merge them first",
            code="several-heads",
        )
    return versions[0] if versions else None


def _reflect(conn: Connection) -> list[Table]:
    metadata = MetaData()
    metadata.reflect(bind=conn)
    return [t for t in metadata.sorted_tables if t.name != ALEMBIC_TABLE]


def _order_by(table: Table) -> list[Column[Any]]:
    return list(table.primary_key.columns) or list(table.columns)


def _dump_table(
    conn: Connection, table: Table, out: IO[bytes], chunk_rows: int
) -> tuple[int, int, int, str]:
    """Write one table as gzip'd JSON Lines; returns (rows, uncompressed, size, sha256)."""
    encoders = [(c.name, _encoder(c)) for c in table.columns]
    sink = _HashingWriter(out)
    rows = uncompressed = 0
    with gzip.GzipFile(filename="", fileobj=sink, mode="wb", mtime=0, compresslevel=6) as gz:
        result = conn.execute(
            select(table).order_by(*_order_by(table)).execution_options(yield_per=chunk_rows)
        )
        for partition in result.partitions():
            lines = []
            for row in partition:
                values = {
                    name: (None if value is None else encode(value))
                    for (name, encode), value in zip(encoders, row, strict=True)
                }
                lines.append(
                    json.dumps(values, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
                )
            chunk = ("\n".join(lines) + "\n").encode()
            gz.write(chunk)
            rows += len(partition)
            uncompressed += len(chunk)
    return rows, uncompressed, sink.count, sink.sha256.hexdigest()


def _member(name: str, size: int, mtime: datetime) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(mtime.timestamp())
    info.mode = 0o600
    return info


def backup(
    engine: Engine,
    out: Path,
    *,
    now: datetime | None = None,
    chunk_rows: int = CHUNK_ROWS,
    on_table: Callable[[str, int], None] | None = None,
) -> BackupSummary:
    """Write every table of the database, read in one consistent snapshot, to ``out``.

    The archive is written next to ``out`` under a temporary name with mode 0600 and renamed
    over ``out`` once complete; ``out.sha256`` receives its digest. ``on_table`` is told each
    table's name and row count as it is written (inside the snapshot).

    Raises:
        BackupRefused: the database has no schema, several heads or an unsupported column.
    """
    created = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    out = out.absolute()
    partial = out.with_name(f".{out.name}.{uuid.uuid4().hex}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)  # whatever the umask: the archive holds personal data
        with os.fdopen(fd, "wb") as raw:
            archive = _HashingWriter(raw)
            manifest = _write_archive(engine, archive, out.parent, created, chunk_rows, on_table)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    digest = archive.sha256.hexdigest()
    out.with_name(out.name + ".sha256").write_text(f"{digest}  {out.name}\n")
    return BackupSummary(out, digest, archive.count, manifest)


def _write_archive(
    engine: Engine,
    archive: _HashingWriter,
    scratch: Path,
    created: datetime,
    chunk_rows: int,
    on_table: Callable[[str, int], None] | None,
) -> Manifest:
    entries: list[TableEntry] = []
    with (
        engine.connect() as conn,
        tarfile.open(fileobj=archive, mode="w", format=tarfile.PAX_FORMAT) as tar,  # type: ignore[call-overload]
    ):
        _begin_snapshot(conn)
        revision = _revision(conn)
        if revision is None:
            raise BackupRefused(
                "the database has no schema (no Alembic revision); nothing to back up",
                code="no-schema",
            )
        tables = _reflect(conn)
        _require_models_covered(revision, tables)
        for table in tables:
            columns = tuple((c.name, kind_of(c)) for c in table.columns)
            with tempfile.TemporaryFile(dir=scratch) as tmp:
                rows, uncompressed, size, sha = _dump_table(conn, table, tmp, chunk_rows)
                entry = TableEntry(table.name, rows, sha, size, uncompressed, columns)
                tmp.seek(0)
                tar.addfile(_member(entry.member, size, created), tmp)
            entries.append(entry)
            if on_table is not None:
                on_table(table.name, rows)
        conn.rollback()
        manifest = Manifest(created, engine.dialect.name, revision, tuple(entries))
        body = manifest.to_bytes()
        digest = f"{hashlib.sha256(body).hexdigest()}  {MANIFEST}\n".encode()
        tar.addfile(_member(MANIFEST, len(body), created), _BytesReader(body))
        tar.addfile(_member(MANIFEST_DIGEST, len(digest), created), _BytesReader(digest))
    return manifest


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)

    def read(self, size: int = -1) -> bytes:
        size = len(self._data) if size < 0 else size
        chunk, self._data = self._data[:size], self._data[size:]
        return bytes(chunk)


def _require_models_covered(revision: str, tables: Sequence[Table]) -> None:
    """At this release's head, every table the models declare must be in the backup."""
    if revision != _scripts().get_current_head():
        return
    missing = sorted(set(SQLModel.metadata.tables) - {t.name for t in tables})
    if missing:
        raise BackupRefused(
            f"the database lacks the tables {', '.join(missing)} although it is at revision "
            f"{revision}; it was changed outside the migrations",
            code="schema-drift",
        )


# --- reading and verifying -------------------------------------------------------------------


def _scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config)


class _Archive:
    """An opened archive whose members are exactly the expected ones, in the expected order,
    and whose manifest matches its digest. Table rows are read with ``rows``."""

    def __init__(self, path: Path, limits: Limits) -> None:
        self.limits = limits
        try:
            self._tar = tarfile.open(path, mode="r:")  # noqa: SIM115 - closed by close()
        except (tarfile.TarError, OSError) as exc:
            raise InvalidBackup(f"{path} is not a readable backup archive: {exc}") from exc
        try:
            self._members = self._list_members()
            self.manifest_bytes, self.manifest = self._read_manifest()
            self._check_layout()
        except BaseException:
            self._tar.close()
            raise

    def close(self) -> None:
        self._tar.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _list_members(self) -> list[tarfile.TarInfo]:
        members: list[tarfile.TarInfo] = []
        try:
            while (info := self._tar.next()) is not None:
                if len(members) >= self.limits.max_members:
                    raise InvalidBackup(
                        f"the archive has more than {self.limits.max_members} members"
                    )
                if info.type not in (tarfile.REGTYPE, tarfile.AREGTYPE) or info.issparse():
                    raise InvalidBackup(
                        f"archive member {info.name!r} is not a regular file; a backup holds "
                        "only regular files"
                    )
                members.append(info)
        except tarfile.TarError as exc:
            raise InvalidBackup(f"the archive is damaged: {exc}") from exc
        return members

    def _read_small(self, info: tarfile.TarInfo, limit: int) -> bytes:
        if info.size > limit:
            raise InvalidBackup(f"{info.name} is {info.size} bytes; the limit is {limit}")
        handle = self._tar.extractfile(info)
        if handle is None:  # pragma: no cover - regular files always have a handle
            raise InvalidBackup(f"{info.name} cannot be read")
        with handle:
            data = handle.read(limit + 1)
        if len(data) != info.size:
            raise InvalidBackup(f"{info.name} is truncated")
        return data

    def _read_manifest(self) -> tuple[bytes, Manifest]:
        by_name = {m.name: m for m in self._members}
        for required in (MANIFEST, MANIFEST_DIGEST):
            if required not in by_name:
                raise InvalidBackup(f"the archive has no {required}; it is incomplete")
        body = self._read_small(by_name[MANIFEST], self.limits.max_manifest_bytes)
        recorded = self._read_small(by_name[MANIFEST_DIGEST], 256).decode("ascii", "replace")
        expected = f"{hashlib.sha256(body).hexdigest()}  {MANIFEST}\n"
        if recorded != expected:
            raise InvalidBackup(
                f"{MANIFEST} does not match {MANIFEST_DIGEST} (the manifest was changed or "
                "damaged)",
                code="manifest-digest-mismatch",
            )
        try:
            data = strict_json.loads(body, max_bytes=self.limits.max_manifest_bytes, max_depth=8)
        except errors.InvalidInput as exc:
            raise InvalidBackup(f"{MANIFEST} is not valid JSON: {exc}") from exc
        return body, Manifest.from_json(data)

    def _check_layout(self) -> None:
        expected = [t.member for t in self.manifest.tables] + [MANIFEST, MANIFEST_DIGEST]
        actual = [m.name for m in self._members]
        if actual == expected:
            return
        unexpected = [n for n in actual if n not in expected]
        if unexpected:
            raise InvalidBackup(
                f"the archive holds unexpected members: {', '.join(map(repr, unexpected))}",
                code="unexpected-member",
            )
        missing = [n for n in expected if n not in actual]
        if missing:
            raise InvalidBackup(
                f"the archive lacks members the manifest lists: {', '.join(missing)}",
                code="missing-member",
            )
        raise InvalidBackup(
            "the archive's members are duplicated or out of order", code="unexpected-member"
        )

    def _member_of(self, entry: TableEntry) -> tarfile.TarInfo:
        return next(m for m in self._members if m.name == entry.member)

    def check_digest(self, entry: TableEntry) -> None:
        """Compare a table file's size and SHA-256 (as stored, compressed) with the manifest."""
        info = self._member_of(entry)
        handle = self._tar.extractfile(info)
        if handle is None:  # pragma: no cover - regular files always have a handle
            raise InvalidBackup(f"{entry.member} cannot be read")
        digest = hashlib.sha256()
        with handle:
            while block := handle.read(_READ_BLOCK):
                digest.update(block)
        if info.size != entry.size or digest.hexdigest() != entry.sha256:
            raise _digest_mismatch(entry)

    def rows(self, entry: TableEntry) -> Iterator[dict[str, Any]]:
        """The table's rows, decoded. After the last row the member's SHA-256, sizes and row
        count have been checked against the manifest (a mismatch raises ``InvalidBackup``)."""
        kinds = dict(entry.columns)
        names = set(kinds)
        count = 0
        for line in self._lines(entry):
            count += 1
            where = f"{entry.member} row {count}"
            if count > entry.rows:
                raise _count_mismatch(entry, f"more than {entry.rows}")
            try:
                row = strict_json.loads(line, max_bytes=self.limits.max_row_bytes, max_depth=64)
            except errors.InvalidInput as exc:
                raise InvalidBackup(f"{where}: {exc}") from exc
            if not isinstance(row, dict) or set(row) != names:
                raise InvalidBackup(f"{where}: the row does not have the manifest's columns")
            yield {k: _decode(kinds[k], v, f"{where} column {k}") for k, v in row.items()}
        if count != entry.rows:
            raise _count_mismatch(entry, str(count))

    def _lines(self, entry: TableEntry) -> Iterator[bytes]:
        info = self._member_of(entry)
        if info.size != entry.size:
            raise _digest_mismatch(entry)
        handle = self._tar.extractfile(info)
        if handle is None:  # pragma: no cover
            raise InvalidBackup(f"{entry.member} cannot be read")
        digest = hashlib.sha256()
        inflater = zlib.decompressobj(wbits=31)  # exactly one gzip member
        limit = min(entry.uncompressed_size, self.limits.max_uncompressed_bytes)
        produced = 0
        parts: list[bytes] = []  # the row read so far (no newline yet)
        partial = 0
        with handle:
            while block := handle.read(_READ_BLOCK):
                digest.update(block)
                if inflater.eof:
                    raise InvalidBackup(f"{entry.member} has data after its gzip stream")
                data = block
                while True:
                    try:
                        # Bounded output per call: a bomb cannot expand in one step.
                        out = inflater.decompress(data, _READ_BLOCK)
                    except zlib.error as exc:
                        raise InvalidBackup(f"{entry.member} is not valid gzip: {exc}") from exc
                    data = inflater.unconsumed_tail
                    produced += len(out)
                    if produced > limit:
                        raise InvalidBackup(
                            f"{entry.member} expands beyond {limit} bytes (the manifest says "
                            f"{entry.uncompressed_size}; the limit is "
                            f"{self.limits.max_uncompressed_bytes})",
                            code="limit-exceeded",
                        )
                    start = 0
                    while (newline := out.find(b"\n", start)) != -1:
                        parts.append(out[start:newline])
                        yield b"".join(parts)
                        parts, partial = [], 0
                        start = newline + 1
                    if start < len(out):
                        parts.append(out[start:])
                        partial += len(out) - start
                        if partial > self.limits.max_row_bytes:
                            raise InvalidBackup(
                                f"{entry.member} has a row over {self.limits.max_row_bytes} bytes",
                                code="limit-exceeded",
                            )
                    if inflater.eof:
                        if data or inflater.unused_data:
                            raise InvalidBackup(f"{entry.member} has data after its gzip stream")
                        break
                    if not data and len(out) < _READ_BLOCK:
                        break
        if digest.hexdigest() != entry.sha256:
            raise _digest_mismatch(entry)
        if not inflater.eof:
            raise InvalidBackup(f"{entry.member} is truncated (its gzip stream does not end)")
        if parts:
            raise InvalidBackup(f"{entry.member} does not end with a newline")
        if produced != entry.uncompressed_size:
            raise InvalidBackup(
                f"{entry.member} expands to {produced} bytes; the manifest says "
                f"{entry.uncompressed_size}"
            )


def _digest_mismatch(entry: TableEntry) -> InvalidBackup:
    return InvalidBackup(
        f"{entry.member} does not match its size and SHA-256 in the manifest (it was damaged "
        "or changed)",
        code="table-digest-mismatch",
    )


def _count_mismatch(entry: TableEntry, found: str) -> InvalidBackup:
    return InvalidBackup(
        f"{entry.member} holds {found} rows; the manifest says {entry.rows}",
        code="row-count-mismatch",
    )


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def verify_archive(
    path: Path, *, limits: Limits = DEFAULT_LIMITS, expected_sha256: str | None = None
) -> Manifest:
    """Check an archive completely without touching any database: the whole file's SHA-256
    (when ``expected_sha256`` is given), the manifest against its digest, the member list,
    and every table file's SHA-256, size, row count and values.

    Raises:
        InvalidBackup: the first problem found.
    """
    if expected_sha256 is not None:
        actual = file_sha256(path)
        if actual != expected_sha256.strip().lower():
            raise InvalidBackup(
                f"the archive's SHA-256 is {actual}, not the expected {expected_sha256}",
                code="archive-digest-mismatch",
            )
    with _Archive(path, limits) as archive:
        total = sum(t.uncompressed_size for t in archive.manifest.tables)
        if total > limits.max_uncompressed_bytes:
            raise InvalidBackup(
                f"the archive expands to {total} bytes; the limit is "
                f"{limits.max_uncompressed_bytes}",
                code="limit-exceeded",
            )
        # Digests first, so that a changed file is reported as such rather than as whatever
        # its changed content happens to break; then every row is decoded and counted.
        for entry in archive.manifest.tables:
            archive.check_digest(entry)
        for entry in archive.manifest.tables:
            for _ in archive.rows(entry):
                pass
        return archive.manifest


# --- restore ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RestoreSummary:
    manifest: Manifest
    migrated_from: str | None
    sequences_reset: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "alembicRevision": self.manifest.revision,
            "sourceBackend": self.manifest.backend,
            "createdAt": self.manifest.created_at.isoformat(),
            "rows": self.manifest.rows,
            "sequencesReset": self.sequences_reset,
        }


def _require_known_revision(revision: str) -> list[str]:
    """The revisions from ``revision`` down to the base (this release must know it)."""
    scripts = _scripts()
    try:
        return [r.revision for r in scripts.iterate_revisions(revision, "base")]
    except (CommandError, RevisionError) as exc:
        raise RestoreRefused(
            f"the archive is at schema revision {revision!r}, which this release does not know "
            f"(its newest is {scripts.get_current_head()}); restore it with the release that "
            "made it, or a newer one",
            code="unknown-revision",
        ) from exc


def _nonempty_tables(conn: Connection) -> list[str]:
    tables = [t for t in inspect(conn).get_table_names() if t != ALEMBIC_TABLE]
    metadata = MetaData()
    metadata.reflect(bind=conn, only=tables)
    return [
        t.name
        for t in metadata.sorted_tables
        if conn.execute(select(exists().select_from(t))).scalar()
    ]


def _require_empty(conn: Connection) -> None:
    full = _nonempty_tables(conn)
    if full:
        raise RestoreRefused(
            f"the target database is not empty (rows in {', '.join(full)}); restore only into a "
            "new, empty database so that nothing is mixed or overwritten",
            code="target-not-empty",
        )


def _prepare_schema(engine: Engine, revision: str, lineage: Sequence[str]) -> str | None:
    """Bring an empty target to the archive's revision; returns the revision it was at."""
    with engine.connect() as conn:
        _require_empty(conn)
        current = _revision(conn)
        if current is None and [t for t in inspect(conn).get_table_names() if t != ALEMBIC_TABLE]:
            raise RestoreRefused(
                "the target database has tables but no Alembic revision; restore into a new, "
                "empty database",
                code="target-not-empty",
            )
    if current != revision:
        if current is not None and current not in lineage:
            raise RestoreRefused(
                f"the target database's schema is at revision {current}, newer than the "
                f"archive's {revision}; restore into a new, empty database (it is created at "
                f"{revision}) and run `diploma-exchange db upgrade` afterwards",
                code="target-schema-newer",
            )
        upgrade(engine, revision)
    return current


def _require_same_columns(tables: Sequence[Table], manifest: Manifest) -> None:
    target = {t.name for t in tables}
    archived = {t.name for t in manifest.tables}
    if target != archived:
        raise RestoreRefused(
            f"the archive's tables differ from the schema at revision {manifest.revision} "
            f"(only in the archive: {sorted(archived - target)}, only in the database: "
            f"{sorted(target - archived)})",
            code="schema-mismatch",
        )
    for table in tables:
        entry = manifest.table(table.name)
        want = {c.name: kind_of(c) for c in table.columns}
        if want != dict(entry.columns):
            raise RestoreRefused(
                f"the archive's columns of {table.name} differ from the schema at revision "
                f"{manifest.revision}: archive {dict(entry.columns)}, database {want}",
                code="schema-mismatch",
            )


def _for_target(table: Table) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Adjust decoded values to the target's columns: naive UTC for columns without a zone
    (SQLite keeps no zone; PostgreSQL ``timestamp without time zone``)."""
    naive = [
        c.name
        for c in table.columns
        if isinstance(c.type, DateTime) and not getattr(c.type, "timezone", False)
    ]

    def adjust(row: dict[str, Any]) -> dict[str, Any]:
        for name in naive:
            value = row[name]
            if isinstance(value, datetime) and value.tzinfo is not None:
                row[name] = value.astimezone(UTC).replace(tzinfo=None)
        return row

    return adjust


def _reset_sequences(conn: Connection, tables: Sequence[Table]) -> list[str]:
    """After explicit ids were inserted, make PostgreSQL's serial / identity sequences continue
    after the largest id, so the next generated id does not collide."""
    if conn.dialect.name != "postgresql":
        return []
    quote = conn.dialect.identifier_preparer.quote
    reset = []
    for table in tables:
        for column in table.columns:
            if not isinstance(column.type, Integer):
                continue
            sequence = conn.execute(
                text("SELECT pg_get_serial_sequence(:t, :c)"),
                {"t": quote(table.name), "c": column.name},
            ).scalar()
            if sequence is None:
                continue
            conn.execute(
                text(
                    f"SELECT setval(:s, COALESCE((SELECT MAX({quote(column.name)}) FROM "
                    f"{quote(table.name)}), 0) + 1, false)"
                ),
                {"s": sequence},
            )
            reset.append(str(sequence))
    return reset


def restore(
    engine: Engine,
    path: Path,
    *,
    limits: Limits = DEFAULT_LIMITS,
    expected_sha256: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
    on_table: Callable[[str, int], None] | None = None,
) -> RestoreSummary:
    """Restore an archive into an empty database.

    Order: verify the whole archive (nothing is written if anything is wrong); refuse a
    revision this release does not know and a target with data; create the archive's schema
    revision with Alembic; insert every table in dependency order in one transaction, checking
    each table file's digest and row count again as it is read (a file changed since the
    verification rolls everything back); on PostgreSQL continue sequences after the ids.

    Raises:
        InvalidBackup: the archive is not intact.
        RestoreRefused: the target holds data, or the revision is unknown or older than the
            target's.
    """
    manifest = verify_archive(path, limits=limits, expected_sha256=expected_sha256)
    lineage = _require_known_revision(manifest.revision)
    migrated_from = _prepare_schema(engine, manifest.revision, lineage)
    with engine.connect() as conn, _Archive(path, limits) as archive:
        if archive.manifest != manifest:
            raise InvalidBackup("the archive changed while it was being restored")
        with conn.begin():
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")  # no other writer until the commit
            _require_empty(conn)
            if _revision(conn) != manifest.revision:
                raise RestoreRefused("the target's schema changed during the restore")
            tables = _reflect(conn)
            _require_same_columns(tables, manifest)
            for table in tables:
                entry = manifest.table(table.name)
                adjust = _for_target(table)
                batch: list[dict[str, Any]] = []
                for row in archive.rows(entry):
                    batch.append(adjust(row))
                    if len(batch) >= chunk_rows:
                        conn.execute(table.insert(), batch)
                        batch = []
                if batch:
                    conn.execute(table.insert(), batch)
                if on_table is not None:
                    on_table(table.name, entry.rows)
            sequences = _reset_sequences(conn, tables)
    return RestoreSummary(manifest, migrated_from, sequences)


def describe(manifest: Manifest) -> Mapping[str, Any]:
    """What ``verify-backup`` prints about an intact archive."""
    return {
        "intact": True,
        "createdAt": manifest.created_at.isoformat(),
        "sourceBackend": manifest.backend,
        "alembicRevision": manifest.revision,
        "rows": manifest.rows,
    }


__all__ = [
    "DEFAULT_LIMITS",
    "FORMAT",
    "FORMAT_VERSION",
    "BackupRefused",
    "BackupSummary",
    "InvalidBackup",
    "Limits",
    "Manifest",
    "RestoreRefused",
    "RestoreSummary",
    "TableEntry",
    "backup",
    "describe",
    "file_sha256",
    "kind_of",
    "restore",
    "verify_archive",
]
