"""Fixtures of the outbound interoperability test: the Node harness and a running service
over https (see ``tests/interop_support.py``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from interop_support import (
    HARNESS,
    PASSPHRASE,
    RunningService,
    _free_port,
    _need,
    make_test_ca,
)


@pytest.fixture(scope="session")
def node_harness() -> Path:
    """``tests/interop/node`` with its locked dependencies installed (``npm ci``)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        _need("Node.js and npm are needed for the interoperability test (.ci/run installs them)")
    lock = HARNESS / "package-lock.json"
    installed = HARNESS / "node_modules" / ".package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
        done = subprocess.run(
            [str(npm), "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
            cwd=HARNESS,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode != 0:
            _need(f"npm ci failed in {HARNESS}:\n{done.stderr[-4000:]}")
    return HARNESS


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningService]:
    """The service over https on localhost, with its NIC and one university (``kaznu``,
    accredited by that NIC) and the university's API key."""
    work = tmp_path_factory.mktemp("interop-service")
    ca, cert, key = make_test_ca(work)
    port = _free_port()
    base = f"https://localhost:{port}"
    env = {
        **os.environ,
        "DIPLOMA_EXCHANGE_ENVIRONMENT": "test",
        "DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{work / 'service.db'}",
        "DIPLOMA_EXCHANGE_PUBLIC_BASE_URL": base,
        "DIPLOMA_EXCHANGE_KEY_PASSPHRASE": PASSPHRASE,
        "DIPLOMA_EXCHANGE_LOG_CHECKPOINT_INTERVAL_SECONDS": "0",
    }

    def create(*args: str) -> dict[str, Any]:
        created = subprocess.run(
            [sys.executable, "-m", "diploma_exchange", "institutions", "create", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert created.returncode == 0, created.stderr
        made: dict[str, Any] = json.loads(created.stdout)
        return made

    # The NIC operating the service (the host's did:web): it signs, among others, the
    # OpenID4VP Request Objects of the verifier (tests/interop/test_oid4vc_clients.py).
    create("nic", "National Centre (interop test NIC)", "--nic")
    identity = create("kaznu", "Al-Farabi Kazakh National University")
    # Accredited by that NIC, so that a diploma presented through an independent wallet can
    # come out ``valid`` under the default policy: every check, not "all but one".
    accredited = subprocess.run(
        [
            sys.executable,
            "-m",
            "diploma_exchange",
            "institutions",
            "accredit",
            "kaznu",
            "--body",
            "IAAR (interop test)",
            "--from",
            "2015-01-01T00:00:00Z",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert accredited.returncode == 0, accredited.stderr
    log = (work / "uvicorn.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "diploma_exchange.api.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--ssl-certfile",
            str(cert),
            "--ssl-keyfile",
            str(key),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        running = RunningService(
            base, ca, identity["did"], {"Authorization": f"Bearer {identity['apiKey']}"}
        )
        with running.client() as client:
            for _ in range(300):  # bounded: at most ~30 s for the server to start
                if server.poll() is not None:
                    break
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
            else:
                pytest.fail("the test service did not start in time")
        if server.poll() is not None:
            log.close()
            pytest.fail(f"the test service exited:\n{(work / 'uvicorn.log').read_text()[-4000:]}")
        yield running
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=20)
        log.close()
