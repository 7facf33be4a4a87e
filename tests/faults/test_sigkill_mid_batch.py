"""SIGKILL of the server in the middle of a batch issuance: nothing of the batch survives,
and a retry with the same Idempotency-Key issues it whole, once.

The kill comes while the issuing transaction is provably open (PostgreSQL: the server's
backend holds a transaction id; SQLite: the write lock is taken), i.e. after the batch row
and the status-index reservations were written and while the diplomas are being signed,
and before the client got any answer (the test checks both).

"No index lost" means: every status index recorded as used (``status_allocation``) belongs
to a stored diploma, and every index a stored diploma carries is recorded as used. The
indexes the killed transaction had reserved are rolled back with it; they are free again
and may be picked by the retry (indexes are random, so reuse by the retry is unlikely but
harmless: the killed batch's diplomas were never published).
"""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from diploma_exchange.db.engine import make_engine
from e2e.test_served import _free_port
from faults.support import (
    accredited_institution,
    database_name,
    fresh_postgres_database,
    server_env,
    start_server,
)
from helpers import diploma_payload

#: Half the batch limit (``max_batch_size`` is 2000; the body limit is raised to let it
#: through): about 1 s of validation, then about 1 s in the transaction (reserve, sign,
#: store), which is when the kill comes.
BATCH = 1000


@contextmanager
def _database(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path}/faults.db"
    else:
        with fresh_postgres_database() as url:
            yield url


@contextmanager
def _transaction_probe(url: str) -> Iterator[Callable[[], bool]]:
    """A probe: is a write transaction open on the database right now?"""
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")

        def sqlite_locked() -> bool:
            conn = sqlite3.connect(path, timeout=0, isolation_level=None)
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("ROLLBACK")
                return False
            except sqlite3.OperationalError:  # "database is locked": a writer is mid-transaction
                return True
            finally:
                conn.close()

        yield sqlite_locked
        return
    engine = make_engine(url)

    def postgres_writing() -> bool:
        with engine.connect() as conn:
            return bool(
                conn.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = :db "
                        "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
                    ),
                    {"db": database_name(url)},
                ).scalar_one()
            )

    try:
        yield postgres_writing
    finally:
        engine.dispose()


def _counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table: int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
                for table in ("credential", "issuance_batch", "status_allocation")
            }
    finally:
        engine.dispose()


def _allocations(url: str) -> set[tuple[str, int, str]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text('SELECT list_id, "index", credential_id FROM status_allocation')
            )
            return {(str(r[0]), int(r[1]), str(r[2])) for r in rows}
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_sigkill_mid_batch_leaves_nothing_and_the_retry_issues_once(
    backend: str, tmp_path: Path
) -> None:
    with _database(backend, tmp_path) as url:
        port = _free_port()
        env = server_env(url, port)
        api_key = accredited_institution(env)
        headers = {"Authorization": f"Bearer {api_key}", "Idempotency-Key": str(uuid.uuid4())}
        body = {"diplomas": [diploma_payload(i) for i in range(BATCH)]}
        log = tmp_path / "server.log"
        server = start_server(env, port, log)
        try:
            outcome: dict[str, Any] = {}

            def send() -> None:
                try:
                    outcome["response"] = httpx.post(
                        f"{server.base}/v1/diplomas/batch", json=body, headers=headers, timeout=300
                    )
                except httpx.HTTPError as exc:
                    outcome["error"] = exc

            client = threading.Thread(target=send)
            started = time.monotonic()
            with _transaction_probe(url) as transaction_open:
                client.start()
                while not transaction_open():
                    assert client.is_alive(), f"the batch ended before the kill: {outcome}"
                    time.sleep(0.02)
                in_transaction_after = time.monotonic() - started
                server.kill()
            client.join(timeout=60)
            assert "response" not in outcome, (
                f"the client got an answer before the kill: {outcome['response'].status_code}"
            )
            assert isinstance(outcome["error"], httpx.TransportError)
            print(f"\n{backend}: killed {in_transaction_after:.2f}s after sending {BATCH} diplomas")

            # Nothing of the killed batch exists: no diploma, no batch row (which would make
            # the retry "replay" an empty batch), no status index reserved for it.
            assert _counts(url) == {"credential": 0, "issuance_batch": 0, "status_allocation": 0}

            server = start_server(env, port, log)
            retried = time.monotonic()
            first = httpx.post(
                f"{server.base}/v1/diplomas/batch", json=body, headers=headers, timeout=300
            )
            assert first.status_code == 201, first.text
            issued = first.json()
            assert issued["count"] == BATCH and issued["replayed"] is False
            print(f"{backend}: the retry issued {BATCH} in {time.monotonic() - retried:.2f}s")
            again = httpx.post(
                f"{server.base}/v1/diplomas/batch", json=body, headers=headers, timeout=300
            )
            assert again.status_code in (200, 201), again.text
            replay = again.json()
            assert replay["replayed"] is True and again.headers["Idempotent-Replayed"] == "true"
            ids = [c["id"] for c in issued["credentials"]]
            assert [c["id"] for c in replay["credentials"]] == ids
            assert [c["verifiableCredential"] for c in replay["credentials"]] == [
                c["verifiableCredential"] for c in issued["credentials"]
            ]
        finally:
            server.stop()

        assert _counts(url) == {
            "credential": BATCH,
            "issuance_batch": 1,
            "status_allocation": 2 * BATCH,
        }
        carried = {
            (
                entry["statusListCredential"].rsplit("/", 1)[-1],
                int(entry["statusListIndex"]),
                c["id"],
            )
            for c in issued["credentials"]
            for entry in c["verifiableCredential"]["credentialStatus"]
        }
        # Unique indexes, each diploma's indexes recorded as used and nothing else recorded.
        assert len(carried) == 2 * BATCH
        assert len({(list_id, index) for list_id, index, _ in carried}) == 2 * BATCH
        assert carried == _allocations(url)
        assert set(ids) == {credential for _, _, credential in carried}
