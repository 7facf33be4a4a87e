"""`backup`, `verify-backup` and `restore` from the command line.

A database seeded with real data (the demo NIC and universities, their encrypted keys, a batch
of diplomas, a revocation, a suspension, a claimed code, a share link with a PIN and its
access log, a published trust list, the audit chain) goes through an archive into a fresh
database, SQLite and PostgreSQL in every direction; every table's rows come back identical and
the restored service still verifies, revokes and issues. A damaged or forged archive, a
non-empty target, or an archive from a newer release is refused, and nothing is written.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from fastapi.testclient import TestClient
from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel
from sqlmodel import select as orm_select

from cli_support import run_cli
from conftest import PUBLIC_BASE_URL, Backend, _drop_postgres, _make_postgres, _postgres_url
from diploma_exchange.api.app import create_app
from diploma_exchange.config import DEMO_KEY_PASSPHRASE, Settings
from diploma_exchange.db.engine import make_engine, upgrade
from diploma_exchange.db.models import CredentialRecord, InstitutionRecord, as_utc
from diploma_exchange.proofs import keys
from diploma_exchange.services import audit, demo, institutions, sharing, trust
from diploma_exchange.services import backup as backups
from diploma_exchange.services import status as status_service
from helpers import diploma_payload
from vector_files import in_ci

KEYS_DIR = Path(__file__).resolve().parents[2] / "keys" / "demo"
SHARE_PIN = "482913"


def demo_settings(url: str) -> Settings:
    """Settings that read the demo keys (demo passphrase) and do not rate-limit the tests."""
    return Settings(
        environment="test",
        database_url=url,
        public_base_url=PUBLIC_BASE_URL,
        verify_per_client_per_minute=1_000_000,
        verify_global_per_minute=1_000_000,
    )


@dataclass
class Seeded:
    revoked: str
    suspended: str
    active: list[str]
    share_token: str


def seed(engine: Engine, url: str) -> Seeded:
    """Real data through the services: what a running service accumulates."""
    settings = demo_settings(url)
    with Session(engine, expire_on_commit=False) as session:
        summary = demo.seed(session, settings, KEYS_DIR, diplomas_per_university=4)
        kaznu = institutions.get_institution(session, "kaznu")
        principal = institutions.Principal(role="institution", api_key_id="test", institution=kaznu)
        ids = session.exec(
            orm_select(CredentialRecord.id).where(CredentialRecord.institution_id == kaznu.id)
        ).all()
        revoked, suspended, *active = sorted(ids)
        status_service.change_status(
            session, settings, principal, revoked, "revoke", reason_code="fraud", note="ünïcode"
        )
        status_service.change_status(
            session, settings, principal, suspended, "suspend", reason_code="investigation"
        )
        code = next(c for c in summary.claim_codes if c.credential_id == active[0])
        _, graduate = sharing.claim(session, settings, code.code)
        token, link = sharing.create_link(
            session, settings, graduate, label="Employer — HR", days=30, pin=SHARE_PIN
        )
        sharing.record_event(session, link, "opened", country="KZ")
        trust.publish_trust_list(session, settings)
        session.commit()
    return Seeded(revoked, suspended, active, token)


def dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of the models, rows sorted, times as aware UTC (SQLite keeps no zone)."""

    def normal(value: Any) -> Any:
        return as_utc(value).astimezone(UTC) if isinstance(value, datetime) else value

    with engine.connect() as conn:
        return {
            table.name: sorted(
                (tuple(normal(v) for v in row) for row in conn.execute(select(table))), key=repr
            )
            for table in SQLModel.metadata.sorted_tables
        }


def row_count(url: str) -> int:
    """Rows in all tables of a database (0 when it does not even exist yet)."""
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return 0
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            names = [n for n in inspect(conn).get_table_names() if n != "alembic_version"]
            return sum(
                conn.execute(text(f'SELECT COUNT(*) FROM "{n}"')).scalar_one() for n in names
            )
    finally:
        engine.dispose()


def said(result: Any) -> str:
    """stderr with the console's line wrapping undone."""
    return " ".join(str(result.stderr).split())


@dataclass
class Target:
    name: str
    url: str
    engine: Engine


@pytest.fixture(params=["sqlite", "postgres"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    """A new database that does not even have a schema yet."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/restored.db"
        engine = make_engine(url)
        yield Target("sqlite", url, engine)
        engine.dispose()
        return
    base = _postgres_url()
    if base is None:
        if in_ci():
            pytest.fail("PostgreSQL is not reachable")
        pytest.skip("PostgreSQL is not reachable (set DIPLOMA_EXCHANGE_TEST_POSTGRES_URL)")
    url, engine, name = _make_postgres(base)
    yield Target("postgres", url, engine)
    engine.dispose()
    _drop_postgres(base, name)


# --- the round trip --------------------------------------------------------------------------


def test_round_trip_gives_back_every_row_and_a_working_service(
    backend: Backend, engine: Engine, target: Target, tmp_path: Path
) -> None:
    seeded = seed(engine, backend.url)
    before = dump(engine)
    archive = tmp_path / "nightly.dxbackup"
    old_umask = os.umask(0)  # the archive must be private whatever the operator's umask
    try:
        made = run_cli("backup", str(archive), env={"DIPLOMA_EXCHANGE_DATABASE_URL": backend.url})
    finally:
        os.umask(old_umask)
    assert made.returncode == 0, made.stderr
    summary = json.loads(made.stdout)
    assert archive.stat().st_mode & 0o777 == 0o600
    assert summary["sha256"] == hashlib.sha256(archive.read_bytes()).hexdigest()
    assert (tmp_path / "nightly.dxbackup.sha256").read_text().split()[0] == summary["sha256"]
    # Generic: every table of the models is in it (a new table needs no change here).
    assert set(summary["rows"]) == set(SQLModel.metadata.tables)
    assert summary["rows"] == {name: len(rows) for name, rows in before.items()}
    for name in ("credential", "status_event", "share_link", "share_link_event", "audit_log"):
        assert summary["rows"][name] > 0, name
    assert summary["sourceBackend"] == ("sqlite" if backend.name == "sqlite" else "postgresql")

    checked = run_cli("verify-backup", str(archive), "--sha256", summary["sha256"])
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout)["intact"] is True

    restored = run_cli(
        "restore", str(archive), "--database-url", target.url, "--sha256", summary["sha256"]
    )
    assert restored.returncode == 0, restored.stderr
    assert dump(target.engine) == before
    with target.engine.connect() as conn:
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    assert revision == summary["alembicRevision"]
    if target.name == "postgres":
        # Explicit ids were inserted: the serial sequence must continue after them.
        with target.engine.begin() as conn:
            nxt = conn.execute(
                text(
                    "SELECT nextval(pg_get_serial_sequence('published_trust_list', "
                    "'sequence_number'))"
                )
            ).scalar_one()
            top = conn.execute(text("SELECT MAX(sequence_number) FROM published_trust_list"))
            assert nxt > top.scalar_one()

    assert_service_works(target, seeded)


def assert_service_works(target: Target, seeded: Seeded) -> None:
    """The restored database serves: signatures, status lists, keys, links and the audit log."""
    settings = demo_settings(target.url)
    kaznu_key = json.loads((KEYS_DIR / "api-keys.json").read_text())["kaznu"]
    headers = {"Authorization": f"Bearer {kaznu_key}"}
    with Session(target.engine) as session:
        documents = {
            r.id: json.loads(r.document) for r in session.exec(orm_select(CredentialRecord))
        }
        assert audit.verify_chain(session).intact  # times and hashes came back exactly
        assert sharing.find_link(session, seeded.share_token).pin_hash is not None
    with TestClient(create_app(settings, target.engine)) as client:

        def verdict(credential: dict[str, Any]) -> tuple[str, dict[str, str]]:
            response = client.post("/v1/verifications", json=credential)
            assert response.status_code == 200, response.text
            report = response.json()
            return report["verdict"], {c["name"]: c["status"] for c in report["checks"]}

        assert verdict(documents[seeded.active[0]])[0] == "valid"
        result, checks = verdict(documents[seeded.revoked])
        assert (result, checks["status.revocation"]) == ("invalid", "failed")
        assert verdict(documents[seeded.suspended])[1]["status.suspension"] == "failed"

        # Revoking re-signs the status list: the encrypted key still decrypts after restore.
        changed = client.post(
            f"/v1/diplomas/{seeded.active[1]}/status-changes",
            json={"action": "revoke", "reasonCode": "issued-in-error"},
            headers=headers,
        )
        assert changed.status_code in (200, 201), changed.text
        result, checks = verdict(documents[seeded.active[1]])
        assert (result, checks["status.revocation"]) == ("invalid", "failed")

        # Issuing allocates new status indexes next to the restored ones.
        issued = client.post("/v1/diplomas", json=diploma_payload(7), headers=headers)
        assert issued.status_code == 201, issued.text
        assert verdict(issued.json()["verifiableCredential"])[0] == "valid"


def test_the_backup_is_one_consistent_snapshot(
    engine: Engine, backend: Backend, tmp_path: Path
) -> None:
    seed(engine, backend.url)
    written: list[str] = []

    def write_meanwhile(name: str, rows: int) -> None:
        if not written:  # after the first table, another client changes a later one
            with engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO rate_limit (bucket, count, window_ends_at) VALUES (:b, 1, :t)"
                    ),
                    {"b": "during-backup", "t": datetime(2030, 1, 1, tzinfo=UTC)},
                )
        written.append(name)

    summary = backups.backup(engine, tmp_path / "a.dxbackup", on_table=write_meanwhile)
    assert written.index("rate_limit") > 0
    assert summary.manifest.rows["rate_limit"] == 0
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM rate_limit")).scalar_one() == 1


def test_private_keys_stay_encrypted_in_the_archive(
    engine: Engine, backend: Backend, tmp_path: Path
) -> None:
    seed(engine, backend.url)
    archive = tmp_path / "a.dxbackup"
    backups.backup(engine, archive)
    with tarfile.open(archive) as tar:
        member = tar.extractfile("tables/institution_key.jsonl.gz")
        assert member is not None
        rows = [json.loads(line) for line in gzip.decompress(member.read()).splitlines()]
        everything = b"".join(
            gzip.decompress(f.read())
            for m in tar.getmembers()
            if m.name.endswith(".gz") and (f := tar.extractfile(m)) is not None
        )
    assert len(rows) == 3
    for row in rows:
        assert base64.b64decode(row["encrypted_private_key"]).startswith(
            b"-----BEGIN ENCRYPTED PRIVATE KEY-----"
        )
    for pem in KEYS_DIR.glob("*.pem"):
        private = keys.load_private_key(pem.read_bytes(), DEMO_KEY_PASSPHRASE.encode())
        seed_bytes = private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        for form in (
            seed_bytes,
            seed_bytes.hex().encode(),
            base64.b64encode(seed_bytes).rstrip(b"="),
            base64.urlsafe_b64encode(seed_bytes).rstrip(b"="),
        ):
            assert form not in everything, pem.name
    assert b"BEGIN PRIVATE KEY" not in everything


def test_restore_refuses_a_database_with_data(
    engine: Engine, backend: Backend, tmp_path: Path
) -> None:
    seed(engine, backend.url)
    archive = tmp_path / "a.dxbackup"
    backups.backup(engine, archive)
    before = dump(engine)
    refused = run_cli("restore", str(archive), "--database-url", backend.url)
    assert refused.returncode == 65, refused.stderr
    assert "the target database is not empty" in said(refused)
    assert dump(engine) == before


def test_a_failure_midway_rolls_the_whole_restore_back(
    engine: Engine, backend: Backend, target: Target, tmp_path: Path
) -> None:
    seed(engine, backend.url)
    archive = tmp_path / "a.dxbackup"
    backups.backup(engine, archive)
    seen: list[str] = []

    def fail_after_some_tables(name: str, rows: int) -> None:
        seen.append(name)
        if name == "credential":
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        backups.restore(target.engine, archive, on_table=fail_after_some_tables)
    assert "institution" in seen
    assert row_count(target.url) == 0
    # The schema is in place and still empty: the restore can simply be run again.
    backups.restore(target.engine, archive)
    assert dump(target.engine) == dump(engine)


def test_a_database_is_backed_up_as_it_is_before_an_upgrade(tmp_path: Path) -> None:
    old = make_engine(f"sqlite:///{tmp_path}/old.db")
    upgrade(old, "0005")
    with old.begin() as conn:
        conn.execute(
            InstitutionRecord.__table__.insert(),  # type: ignore[attr-defined]
            {
                "id": "i-1",
                "slug": "old",
                "did": "did:web:old.example",
                "kind": "university",
                "name": "Old University",
                "name_translations": "{}",
                "country_code": "KZ",
                "active": False,
                "created_at": datetime(2020, 2, 29, 12, 0, 0, 123456, tzinfo=UTC),
            },
        )
    archive = tmp_path / "old.dxbackup"
    summary = backups.backup(old, archive)
    assert summary.manifest.revision == "0005"
    assert "audit_log" not in summary.manifest.rows  # the tables it had, not this release's

    at_head = make_engine(f"sqlite:///{tmp_path}/head.db")
    upgrade(at_head)
    with pytest.raises(backups.RestoreRefused) as refused:
        backups.restore(at_head, archive)
    assert refused.value.code == "target-schema-newer"

    fresh = make_engine(f"sqlite:///{tmp_path}/fresh.db")
    backups.restore(fresh, archive)
    upgrade(fresh)  # what `diploma-exchange db upgrade` does next
    with Session(fresh) as session:
        record = session.get(InstitutionRecord, "i-1")
        assert record is not None
        assert record.active is False
        assert as_utc(record.created_at) == datetime(2020, 2, 29, 12, 0, 0, 123456, tzinfo=UTC)
    for e in (old, at_head, fresh):
        e.dispose()


# --- damaged and forged archives -------------------------------------------------------------


@pytest.fixture(scope="module")
def good_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("backup")
    url = f"sqlite:///{folder}/source.db"
    engine = make_engine(url)
    upgrade(engine)
    seed(engine, url)
    archive = folder / "good.dxbackup"
    backups.backup(engine, archive)
    engine.dispose()
    return archive


def members(path: Path) -> list[tuple[tarfile.TarInfo, bytes]]:
    with tarfile.open(path) as tar:
        out = []
        for info in tar.getmembers():
            handle = tar.extractfile(info)
            out.append((info, handle.read() if handle else b""))
        return out


def rebuild(path: Path, entries: list[tuple[tarfile.TarInfo, bytes]]) -> None:
    with tarfile.open(path, "w") as tar:
        for info, data in entries:
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)


def edit_manifest(
    entries: list[tuple[tarfile.TarInfo, bytes]],
    change: Callable[[dict[str, Any]], None],
    *,
    fix_digest: bool,
) -> list[tuple[tarfile.TarInfo, bytes]]:
    out = []
    manifest = json.loads({i.name: d for i, d in entries}["manifest.json"])
    change(manifest)
    body = json.dumps(manifest, indent=2).encode()
    for info, data in entries:
        if info.name == "manifest.json":
            data = body
        elif info.name == "manifest.json.sha256" and fix_digest:
            data = f"{hashlib.sha256(body).hexdigest()}  manifest.json\n".encode()
        out.append((info, data))
    return out


def table(manifest: dict[str, Any], name: str) -> dict[str, Any]:
    return next(t for t in manifest["tables"] if t["name"] == name)


def flip_one_byte(source: Path, dest: Path) -> None:
    shutil.copy(source, dest)
    with tarfile.open(source) as tar:
        info = tar.getmember("tables/credential.jsonl.gz")
    with dest.open("r+b") as handle:
        handle.seek(info.offset_data + info.size // 2)
        byte = handle.read(1)
        handle.seek(-1, os.SEEK_CUR)
        handle.write(bytes([byte[0] ^ 0x01]))


def count_plus_one(source: Path, dest: Path, *, fix_digest: bool) -> None:
    def more(manifest: dict[str, Any]) -> None:
        table(manifest, "credential")["rows"] += 1

    rebuild(dest, edit_manifest(members(source), more, fix_digest=fix_digest))


def without(source: Path, dest: Path, name: str) -> None:
    rebuild(dest, [(i, d) for i, d in members(source) if i.name != name])


def with_extra(source: Path, dest: Path, name: str) -> None:
    entries = members(source)
    rebuild(dest, [(tarfile.TarInfo(name), b"#!/bin/sh\n"), *entries])


def with_symlink(source: Path, dest: Path) -> None:
    link = tarfile.TarInfo("tables/share_link.jsonl.gz")
    link.type = tarfile.SYMTYPE
    link.linkname = "/etc/passwd"
    rebuild(dest, [(link, b""), *members(source)])


def bomb(source: Path, dest: Path) -> None:
    """A consistent forgery (digests and manifest digest recomputed) whose small table file
    expands to 64 MiB of one endless row."""
    payload = gzip.compress(b"x" * (64 * 1024 * 1024), compresslevel=9, mtime=0)
    entries = [
        (i, payload if i.name == "tables/rate_limit.jsonl.gz" else d) for i, d in members(source)
    ]

    def declare(manifest: dict[str, Any]) -> None:
        entry = table(manifest, "rate_limit")
        entry.update(sha256=hashlib.sha256(payload).hexdigest(), bytes=len(payload))

    rebuild(dest, edit_manifest(entries, declare, fix_digest=True))


def newer_release(source: Path, dest: Path) -> None:
    def future(manifest: dict[str, Any]) -> None:
        manifest["alembicRevision"] = "9999_from_the_future"

    rebuild(dest, edit_manifest(members(source), future, fix_digest=True))


def not_a_tar(source: Path, dest: Path) -> None:
    dest.write_bytes(gzip.compress(source.read_bytes()))


TAMPERING: dict[str, tuple[Callable[[Path, Path], None], str]] = {
    "one-byte-of-a-table-file": (
        flip_one_byte,
        "tables/credential.jsonl.gz does not match its size and SHA-256",
    ),
    "row-count-changed": (
        lambda s, d: count_plus_one(s, d, fix_digest=False),
        "manifest.json does not match manifest.json.sha256",
    ),
    "row-count-changed-and-manifest-digest-forged": (
        lambda s, d: count_plus_one(s, d, fix_digest=True),
        "tables/credential.jsonl.gz holds 8 rows; the manifest says 9",
    ),
    "member-removed": (
        lambda s, d: without(s, d, "tables/status_event.jsonl.gz"),
        "lacks members the manifest lists: tables/status_event.jsonl.gz",
    ),
    "manifest-removed": (
        lambda s, d: without(s, d, "manifest.json"),
        "the archive has no manifest.json",
    ),
    "unexpected-member": (
        lambda s, d: with_extra(s, d, "tables/backdoor.jsonl.gz"),
        "unexpected members: 'tables/backdoor.jsonl.gz'",
    ),
    "path-traversal": (
        lambda s, d: with_extra(s, d, "../../home/op/.bashrc"),
        "unexpected members: '../../home/op/.bashrc'",
    ),
    "symlink-member": (with_symlink, "is not a regular file"),
    "decompression-bomb": (bomb, "expands beyond"),
    "not-a-tar": (not_a_tar, "is not a readable backup archive"),
}


@pytest.mark.parametrize("case", list(TAMPERING))
def test_a_damaged_archive_is_refused_and_nothing_is_written(
    case: str, good_archive: Path, tmp_path: Path
) -> None:
    make, message = TAMPERING[case]
    archive = tmp_path / "tampered.dxbackup"
    make(good_archive, archive)
    target_url = f"sqlite:///{tmp_path}/target.db"

    checked = run_cli("verify-backup", str(archive))
    assert checked.returncode == 1, checked.stdout
    assert message in said(checked)

    refused = run_cli("restore", str(archive), "--database-url", target_url)
    assert refused.returncode == 1, refused.stderr
    assert "the archive is not intact, nothing was restored" in said(refused)
    assert message in said(refused)
    assert not (tmp_path / "target.db").exists()  # not even a schema was created


def test_the_untampered_archive_passes(good_archive: Path) -> None:
    """The control for the tampering cases: the same archive, unchanged, is intact."""
    checked = run_cli("verify-backup", str(good_archive))
    assert checked.returncode == 0, checked.stderr
    manifest = backups.verify_archive(good_archive)
    assert manifest.rows["credential"] == 8


def test_an_archive_with_another_digest_than_the_recorded_one_is_refused(
    good_archive: Path, tmp_path: Path
) -> None:
    other = "0" * 64
    refused = run_cli(
        "restore",
        str(good_archive),
        "--database-url",
        f"sqlite:///{tmp_path}/t.db",
        "--sha256",
        other,
    )
    assert refused.returncode == 1
    assert f"not the expected {other}" in said(refused)
    assert not (tmp_path / "t.db").exists()


def test_an_archive_from_a_newer_release_is_refused(good_archive: Path, tmp_path: Path) -> None:
    archive = tmp_path / "future.dxbackup"
    newer_release(good_archive, archive)
    assert run_cli("verify-backup", str(archive)).returncode == 0  # intact, just too new
    refused = run_cli("restore", str(archive), "--database-url", f"sqlite:///{tmp_path}/t.db")
    assert refused.returncode == 65
    assert "'9999_from_the_future', which this release does not know" in said(refused)
    assert row_count(f"sqlite:///{tmp_path}/t.db") == 0


def test_backup_will_not_overwrite_an_archive(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/db.sqlite"
    upgrade(make_engine(url))
    (tmp_path / "a.dxbackup").write_text("precious")
    refused = run_cli(
        "backup", str(tmp_path / "a.dxbackup"), env={"DIPLOMA_EXCHANGE_DATABASE_URL": url}
    )
    assert refused.returncode == 64
    assert (tmp_path / "a.dxbackup").read_text() == "precious"
    missing = run_cli(
        "backup", str(tmp_path / "b.dxbackup"), "--database-url", f"sqlite:///{tmp_path}/nope.db"
    )
    assert missing.returncode == 64
    assert not (tmp_path / "nope.db").exists()


def test_counts_in_the_manifest_match_the_database(good_archive: Path) -> None:
    manifest = backups.verify_archive(good_archive)
    source = make_engine(f"sqlite:///{good_archive.parent}/source.db")
    with source.connect() as conn:
        for entry in manifest.tables:
            t = SQLModel.metadata.tables[entry.name]
            assert conn.execute(select(func.count()).select_from(t)).scalar_one() == entry.rows
    source.dispose()
