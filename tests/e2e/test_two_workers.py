"""Scale-out: two uvicorn worker processes on one PostgreSQL database issue, verify and revoke
concurrently, and every answer is right (no lost or duplicated diplomas or status indexes; a
revocation made through one worker is seen at once through the other)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

import log_scan
from cli_support import create_accredited
from conftest import _drop_postgres, _make_postgres, _postgres_url
from diploma_exchange.db.engine import make_engine
from e2e.test_served import _free_port
from helpers import diploma_payload
from vector_files import in_ci


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, str]]:
    base_url = _postgres_url()
    if base_url is None:
        if in_ci():
            pytest.fail("PostgreSQL is not reachable; CI needs it for the scale-out test")
        pytest.skip("PostgreSQL is not reachable")
    database, engine, name = _make_postgres(base_url)
    engine.dispose()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIPLOMA_EXCHANGE_")}
    env |= {
        "DIPLOMA_EXCHANGE_DATABASE_URL": database,
        "DIPLOMA_EXCHANGE_PUBLIC_BASE_URL": f"http://localhost:{port}",
        "DIPLOMA_EXCHANGE_RATE_LIMIT_EXEMPT": '["127.0.0.1/32"]',  # load from this host
    }
    tmp = tmp_path_factory.mktemp("workers")
    log = (tmp / "server.log").open("wb")
    server: subprocess.Popen[bytes] | None = None
    try:
        created = create_accredited(env, "kaznu", "Al-Farabi Kazakh National University")
        assert created.returncode == 0, created.stderr
        api_key = json.loads(created.stdout)["apiKey"]
        log_scan.record("api-key", api_key)
        log_scan.watch(tmp / "server.log")  # scanned for secrets at the end of the session
        server = subprocess.Popen(
            [sys.executable, "-m", "diploma_exchange", "serve", "--port", str(port),
             "--workers", "2"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("server did not start: " + (tmp / "server.log").read_text())
            time.sleep(0.2)
        yield base, api_key, database
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        log.close()
        _drop_postgres(base_url, name)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            if f"\nPPid:\t{pid}\n" in status:
                found.append(int(entry.name))
    return found


def test_two_workers_issue_verify_and_revoke_concurrently(
    two_workers: tuple[str, str, str],
) -> None:
    base, api_key, database = two_workers
    headers = {"Authorization": f"Bearer {api_key}"}

    def issue_batch(start: int) -> list[dict[str, object]]:
        with httpx.Client(base_url=base, timeout=60) as client:
            body = {"diplomas": [diploma_payload(start + i) for i in range(5)]}
            response = client.post("/v1/diplomas/batch", json=body, headers=headers)
            assert response.status_code == 201, response.text
            return [c["verifiableCredential"] for c in response.json()["credentials"]]

    def verify(credential: dict[str, object]) -> str:
        with httpx.Client(base_url=base, timeout=60) as client:
            response = client.post("/v1/verifications", json=credential)
            assert response.status_code == 200, response.text
            return str(response.json()["verdict"])

    with ThreadPoolExecutor(8) as pool:
        batches = list(pool.map(issue_batch, range(0, 80, 5)))
        issued = [c for batch in batches for c in batch]
        verdicts = list(pool.map(verify, issued))
    assert len(issued) == 80
    assert set(verdicts) == {"valid"}
    assert len({c["id"] for c in issued}) == 80
    pairs = [
        (entry["statusListCredential"], entry["statusListIndex"])
        for c in issued
        for entry in c["credentialStatus"]  # type: ignore[union-attr]
    ]
    assert len(pairs) == len(set(pairs)) == 160

    # Revoke some diplomas while verifications of them run on both workers; afterwards every
    # worker must answer "invalid" for them (lists are re-signed in the revoking transaction
    # and caches are keyed by content, so no worker can serve a stale list).
    revoked = issued[:10]
    with ThreadPoolExecutor(8) as pool:

        def revoke(credential: dict[str, object]) -> int:
            with httpx.Client(base_url=base, timeout=60) as client:
                return client.post(
                    f"/v1/diplomas/{credential['id']}/status-changes",
                    json={"action": "revoke", "reasonCode": "fraud"},
                    headers=headers,
                ).status_code

        noise = pool.map(verify, issued[10:30])
        codes = list(pool.map(revoke, revoked))
        assert set(noise) == {"valid"}
    assert set(codes) == {201}, codes
    with ThreadPoolExecutor(8) as pool:
        after = list(pool.map(verify, revoked * 3))  # many requests: both workers answer
    assert set(after) == {"invalid"}

    engine = make_engine(database)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM credential")).scalar_one()
        allocations = conn.execute(text("SELECT count(*) FROM status_allocation")).scalar_one()
    engine.dispose()
    assert (stored, allocations) == (80, 160)


def test_the_server_really_runs_two_worker_processes(two_workers: tuple[str, str, str]) -> None:
    base, _, _ = two_workers
    port = int(base.rsplit(":", 1)[1])
    servers = [
        int(p.name)
        for p in Path("/proc").iterdir()
        if p.name.isdigit() and f"--port\x00{port}\x00".encode() in _cmdline(p)
    ]
    assert servers
    workers = [c for s in servers for c in _children(s)]
    assert len([w for w in workers if b"multiprocessing" in _cmdline(Path(f"/proc/{w}"))]) >= 2


def _cmdline(path: Path) -> bytes:
    try:
        return (path / "cmdline").read_bytes()
    except OSError:
        return b""
