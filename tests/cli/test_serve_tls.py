"""`diploma-exchange serve --ssl-certfile/--ssl-keyfile` serves https (what the W3C suites
need: they dereference only https URLs)."""

from __future__ import annotations

import datetime as dt
import os
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from cli_support import run_cli

EXIT_USAGE = 64


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_ca_and_cert(folder: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a localhost certificate it signed: (ca.pem, cert.pem, key.pem)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("test CA"))
        .issuer_name(_name("test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    return make_ca_and_cert(tmp_path_factory.mktemp("tls"))


def test_serve_passes_the_certificate_to_uvicorn(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tls_files: tuple[Path, Path, Path]
) -> None:
    import uvicorn

    from diploma_exchange import cli
    from diploma_exchange.config import get_settings

    _, cert, key = tls_files
    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: seen.update(k))
    monkeypatch.setenv("DIPLOMA_EXCHANGE_DATABASE_URL", f"sqlite:///{tmp_path}/s.db")
    get_settings.cache_clear()
    try:
        cli.serve(host="127.0.0.1", port=8443, workers=1, ssl_certfile=cert, ssl_keyfile=key)
        assert (seen["ssl_certfile"], seen["ssl_keyfile"]) == (str(cert), str(key))
        seen.clear()
        cli.serve(host="127.0.0.1", port=8000, workers=1, ssl_certfile=None, ssl_keyfile=None)
        assert seen["ssl_certfile"] is None and seen["ssl_keyfile"] is None
    finally:
        get_settings.cache_clear()


@pytest.mark.parametrize(
    "case", ["cert-only", "key-only", "missing-file", "key-of-another-cert", "not-pem"]
)
def test_bad_tls_options_are_usage_errors(
    tmp_path: Path, tls_files: tuple[Path, Path, Path], case: str
) -> None:
    _, cert, key = tls_files
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate")
    other_key = make_ca_and_cert(tmp_path)[2]
    args = {
        "cert-only": ["--ssl-certfile", str(cert)],
        "key-only": ["--ssl-keyfile", str(key)],
        "missing-file": ["--ssl-certfile", str(tmp_path / "nope.pem"), "--ssl-keyfile", str(key)],
        "key-of-another-cert": ["--ssl-certfile", str(cert), "--ssl-keyfile", str(other_key)],
        "not-pem": ["--ssl-certfile", str(garbage), "--ssl-keyfile", str(key)],
    }[case]
    env = {"DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp_path}/u.db"}
    result = run_cli("serve", "--port", "1", *args, env=env)
    assert result.returncode == EXIT_USAGE, result.stdout + result.stderr
    assert "--ssl-" in " ".join((result.stdout + result.stderr).split())
    assert not (tmp_path / "u.db").exists()  # refused before touching the database


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_answers_over_https(tmp_path: Path, tls_files: tuple[Path, Path, Path]) -> None:
    ca, cert, key = tls_files
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIPLOMA_EXCHANGE_")}
    env["DIPLOMA_EXCHANGE_DATABASE_URL"] = f"sqlite:///{tmp_path}/h.db"
    server = subprocess.Popen(
        [sys.executable, "-m", "diploma_exchange", "serve", "--port", str(port)]
        + ["--ssl-certfile", str(cert), "--ssl-keyfile", str(key)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        verify = ssl.create_default_context(cafile=str(ca))
        response = None
        for _ in range(600):  # wait for startup (migrations), not a timing assertion
            if server.poll() is not None:
                break
            try:
                response = httpx.get(f"https://localhost:{port}/healthz", verify=verify)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert response is not None, server.stderr.read().decode() if server.stderr else ""
        assert response.status_code == 200
        assert response.url.scheme == "https"
        with pytest.raises(httpx.TransportError):
            httpx.get(f"http://localhost:{port}/healthz")  # plain http is not spoken
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_allow_any_vc_and_did_key_commands(tmp_path: Path) -> None:
    env = {"DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp_path}/c.db"}
    created = run_cli("institutions", "create", "uni", "A University", env=env)
    assert created.returncode == 0, created.stdout + created.stderr
    allowed = run_cli("institutions", "allow-any-vc", "uni", env=env)
    assert allowed.returncode == 0 and "may issue" in allowed.stderr, allowed.stdout
    withdrawn = run_cli("institutions", "allow-any-vc", "uni", "--revoke", env=env)
    assert withdrawn.returncode == 0 and "may not" in withdrawn.stderr
    did = run_cli("institutions", "did-key", "uni", env=env)
    assert did.returncode == 0 and did.stdout.strip().startswith("did:key:z6Mk"), did.stderr
    missing = run_cli("institutions", "did-key", "nobody", env=env)
    assert missing.returncode == EXIT_USAGE
