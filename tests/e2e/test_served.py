"""End to end over real HTTP: a served instance issues; the CLI, with only the file, resolves
the issuer's did:web from the running service and verifies."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import log_scan
from cli_support import create_accredited
from helpers import diploma_payload


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIPLOMA_EXCHANGE_")}
    env.update(extra)
    return env


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "diploma_exchange", *args],
        capture_output=True,
        check=False,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, str, str, dict[str, str]]]:
    tmp = tmp_path_factory.mktemp("served")
    port = _free_port()
    env = _env(
        {
            "DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp}/served.db",
            "DIPLOMA_EXCHANGE_PUBLIC_BASE_URL": f"http://localhost:{port}",
            # these tests load the server from this host (the limits have their own tests)
            "DIPLOMA_EXCHANGE_RATE_LIMIT_EXEMPT": '["127.0.0.1/32"]',
        }
    )
    created = create_accredited(env, "kaznu", "Al-Farabi Kazakh National University")
    assert created.returncode == 0, created.stderr
    info = json.loads(created.stdout)
    log_scan.record("api-key", info["apiKey"])
    log_path = log_scan.server_log("served")  # scanned for secrets at the end of the session
    log = log_path.open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "diploma_exchange", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("server did not start: " + log_path.read_text(errors="replace"))
            time.sleep(0.2)
        yield base, info["did"], info["apiKey"], {"port": str(port), "tmp": str(tmp)}
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def test_issue_over_http_then_verify_with_only_the_file(
    served: tuple[str, str, str, dict[str, str]],
) -> None:
    base, did, api_key, meta = served
    response = httpx.post(
        f"{base}/v1/diplomas",
        json=diploma_payload(0),
        headers={"Authorization": f"Bearer {api_key}"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    credential = response.json()["verifiableCredential"]
    assert (
        credential["issuer"]["id"]
        == did
        == f"did:web:localhost%3A{meta['port']}:institutions:kaznu"
    )
    path = Path(meta["tmp"]) / "diploma.json"
    path.write_text(json.dumps(credential))
    elsewhere = _env(
        {"DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{meta['tmp']}/nothing-here/none.db"}
    )

    # Loopback over plain http is refused unless explicitly allowed (SSRF protection) ...
    refused = _cli("verify", str(path), "--trust-issuer", did, "--json", env=elsewhere)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    signature = next(
        c for c in json.loads(refused.stdout)["checks"] if c["name"] == "proof.signature"
    )
    assert signature["status"] == "error" and "refusing" in signature["message"]

    # ... and with the host allowed, the did:web and the status lists are fetched from the
    # running service; the NIC's trust list (checked with the NIC's key, exchanged out of
    # band) vouches for the issuer and its accreditation.
    nic_document = httpx.get(f"{base}/.well-known/did.json", timeout=10).json()
    nic_key = nic_document["verificationMethod"][0]["publicKeyMultibase"]
    trust_list = Path(meta["tmp"]) / "trust-list.json"
    trust_list.write_text(httpx.get(f"{base}/trust-list", timeout=10).text)
    allowed = _cli(
        "verify",
        str(path),
        "--allow-host",
        f"localhost:{meta['port']}",
        "--trust-list",
        str(trust_list),
        "--trusted-nic",
        f"{nic_document['id']}={nic_key}",
        "--json",
        env=elsewhere,
    )
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    checks = {c["name"]: c["status"] for c in json.loads(allowed.stdout)["checks"]}
    assert checks["status.revocation"] == checks["status.suspension"] == "passed"

    # the service itself says valid too
    report = httpx.post(f"{base}/v1/verifications", json=credential, timeout=30).json()
    assert report["verdict"] == "valid"
