"""Support for tests/interop: a test CA, the running service's handle and the Node harness.

See tests/interop/conftest.py for the fixtures. A running diploma-exchange over https on localhost, for the outbound interoperability test.

The service runs as it does in production (uvicorn, its own process, a file database) behind
TLS with a certificate from a test CA made here with ``cryptography``; its public base URL is
``https://localhost:PORT``, so its institutions are ``did:web:localhost%3APORT:...`` and their
DID documents, contexts and status lists resolve over https from that host. Node learns the
test CA through ``NODE_EXTRA_CA_CERTS``.

The Node harness (``tests/interop/node``: package.json and package-lock.json) is installed
with ``npm ci`` when its ``node_modules`` is missing or older than the lock. Without Node or
npm the tests skip on a developer's machine and fail under ``CI=true``.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import shutil
import socket
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from vector_files import in_ci

HARNESS = Path(__file__).resolve().parent / "interop" / "node"
PASSPHRASE = "interop-test-passphrase"


def _need(message: str) -> None:
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_test_ca(directory: Path) -> tuple[Path, Path, Path]:
    """A test CA and a server certificate for ``localhost``/127.0.0.1 signed by it; returns
    the paths of the CA certificate, the server certificate and the server's key (PEM)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("diploma-exchange interop test CA")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_path, cert_path, key_path = (
        directory / "test-ca.pem",
        directory / "server.pem",
        directory / "server-key.pem",
    )
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_path, cert_path, key_path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class RunningService:
    base: str
    ca: Path
    did: str
    headers: dict[str, str]

    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.base, verify=ssl.create_default_context(cafile=self.ca), timeout=30
        )


def run_node_verifiers(
    harness: Path, service: RunningService, credentials: dict[str, Any], work: Path
) -> dict[str, Any]:
    """Run ``verify.mjs`` on ``credentials`` (name -> credential); returns its JSON output."""
    request = work / "interop-input.json"
    request.write_text(json.dumps({"service": service.base, "credentials": credentials}))
    answer = work / "interop-output.json"
    done = subprocess.run(
        [shutil.which("node") or "node", str(harness / "verify.mjs"), str(request), str(answer)],
        cwd=harness,
        env={**os.environ, "NODE_EXTRA_CA_CERTS": str(service.ca)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    result: dict[str, Any] = json.loads(answer.read_text())
    result["stdout"] = done.stdout
    return result
