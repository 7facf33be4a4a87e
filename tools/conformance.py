"""Run the four W3C Verifiable Credentials conformance suites against this service.

    make conformance            (or: .venv/bin/python tools/conformance.py [suite ...])

What it does, all under ``var/conformance/`` (git-ignored):

1. makes a throwaway test CA and a ``localhost`` certificate it signed (``cryptography``);
2. seeds a fresh SQLite database with the demo NIC and universities (``diploma-exchange demo
   --no-serve``) and starts ``diploma-exchange serve`` over https on ``PORT`` (default 40443)
   with ``public_base_url`` ``https://localhost:PORT``, so that status list URLs and did:web
   documents resolve to this server;
3. writes the suites' ``localConfig`` settings (``BASE_URL``, ``ISSUER_DID``, ``API_KEY`` and a
   ``CONFIG_DIR`` with one ``<suite>.cjs`` each) for the demo university and runs
   ``../shared/w3c-suites/run.sh`` (override with ``W3C_SUITES``) with ``WORK_DIR``
   ``var/w3c`` (the npm install is reused across runs);
4. prints the four suites' passing / failing / pending counts and stops the server.

Environment: ``PORT``, ``W3C_SUITES`` (the suites' folder), ``WORK_DIR``, ``ISSUER_SLUG``
(default ``kaznu``), ``ISSUER_DID_METHOD`` (``key`` or ``web``: which identifier the issuer
tests get; ``key`` when the institution has one, as the Data Integrity suites resolve only
did:key), ``ECDSA_VECTORS`` / ``DATA_MODEL_SUITE_GIT`` (a git directory or checkout of w3c/vc-di-ecdsa /
w3c/vc-data-model-2.0-test-suite: the shared copies leave out the ecdsa suite's key pairs and
the data model suite's input credentials; otherwise they are cloned from GitHub). Exit status: 0 when no
suite has a failing test.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "conformance"
SUITES = (
    "vc-di-eddsa-test-suite",
    "vc-di-ecdsa-test-suite",
    "vc-data-model-2.0-test-suite",
    "vc-bitstring-status-list-test-suite",
)


def make_tls(folder: Path) -> tuple[Path, Path, Path]:
    """A test CA and a localhost certificate it signed: (ca.pem, cert.pem, key.pem)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("diploma-exchange conformance test CA"))
        .issuer_name(name("diploma-exchange conformance test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=7))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name("localhost"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=7))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(__import__("ipaddress").ip_address("127.0.0.1")),
                ]
            ),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
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


def service_env(port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIPLOMA_EXCHANGE_")}
    env.update(
        {
            "DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{VAR}/conformance.db",
            "DIPLOMA_EXCHANGE_PUBLIC_BASE_URL": f"https://localhost:{port}",
            # the suites send bursts from one address
            "DIPLOMA_EXCHANGE_VERIFY_PER_CLIENT_PER_MINUTE": "100000",
            "DIPLOMA_EXCHANGE_VERIFY_GLOBAL_PER_MINUTE": "1000000",
        }
    )
    return env


def cli() -> list[str]:
    return [sys.executable, "-m", "diploma_exchange"]


def seed(env: dict[str, str], slug: str, method: str) -> tuple[str, str, str]:
    """Seed the demo data; the (did:key or did:web, did:web, API key) of the demo university
    ``slug``."""
    (VAR / "conformance.db").unlink(missing_ok=True)
    out = subprocess.run(
        [*cli(), "demo", "--no-serve", "--keys-dir", str(ROOT / "keys" / "demo")],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    api_keys = json.loads((ROOT / "keys" / "demo" / "api-keys.json").read_text())
    dids = re.findall(r"DID:\s+(\S+)", out)
    web = next(d for d in dids if d.endswith(":" + slug))
    # the suites issue plain VC 2.0 credentials: the NIC allows the demo university to
    subprocess.run(
        [*cli(), "institutions", "allow-any-vc", slug],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    if method == "key":
        found = subprocess.run(
            [*cli(), "institutions", "did-key", slug],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if found.returncode == 0 and found.stdout.strip().startswith("did:key:"):
            return found.stdout.strip(), web, str(api_keys[slug])
        print(f"no did:key for {slug} ({found.stderr.strip()[:200]}); using {web}")
    return web, web, str(api_keys[slug])


def start(
    env: dict[str, str], port: int, cert: Path, key: Path, ca: Path
) -> subprocess.Popen[bytes]:
    log = (VAR / "server.log").open("wb")
    server = subprocess.Popen(
        [
            *cli(),
            "serve",
            "--port",
            str(port),
            "--ssl-certfile",
            str(cert),
            "--ssl-keyfile",
            str(key),
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    context = ssl.create_default_context(cafile=str(ca))
    for _ in range(600):
        if server.poll() is not None:
            raise SystemExit(f"the server exited; see {VAR / 'server.log'}")
        try:
            with urllib.request.urlopen(f"https://localhost:{port}/healthz", context=context) as r:
                if r.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"the server did not answer; see {VAR / 'server.log'}")


#: Inputs the shared copies of the suites leave out: (suite, folder under the suite, the
#: environment variable naming a local git directory or checkout, the repository to clone
#: otherwise, the commit, the path inside it).
MISSING_INPUTS = (
    (
        "vc-di-ecdsa-test-suite",
        "tests/input/vc-di-ecdsa",
        "ECDSA_VECTORS",
        "https://github.com/w3c/vc-di-ecdsa.git",
        "HEAD",
        "",
    ),
    (
        "vc-data-model-2.0-test-suite",
        "tests/input",
        "DATA_MODEL_SUITE_GIT",
        "https://github.com/w3c/vc-data-model-2.0-test-suite.git",
        "6e07524",
        "tests/input",
    ),
)


def add_missing_inputs(work: Path, suite: str) -> None:
    """The ecdsa suite's key pairs (tests/input/vc-di-ecdsa, a clone its own postinstall makes)
    and the data model suite's input credentials (tests/input) are not in the shared copies;
    add them from a local git directory (environment) or from GitHub."""
    for name, folder, variable, url, commit, inner in MISSING_INPUTS:
        target = work / "suites" / name / folder
        if name != suite or not (work / "suites" / name).is_dir():
            continue
        if target.is_dir() and any(target.iterdir()):
            continue
        source = os.environ.get(variable)
        if source and Path(source, "HEAD").is_file():
            git_dir = source
        elif source and Path(source, ".git").exists():
            git_dir = str(Path(source, ".git"))
        else:
            clone = work / "clones" / name
            if not clone.is_dir():
                subprocess.run(["git", "clone", "--quiet", url, str(clone)], check=False)
            git_dir = str(clone / ".git")
        archive = subprocess.run(
            ["git", f"--git-dir={git_dir}", "archive", commit, *([inner] if inner else [])],
            capture_output=True,
            check=False,
        )
        if archive.returncode != 0:
            print(f"{suite}: could not get {folder} ({archive.stderr.decode()[:200]})")
            continue
        target.mkdir(parents=True, exist_ok=True)
        strip = ["--strip-components", str(inner.count("/") + 1)] if inner else []
        subprocess.run(["tar", "-x", "-C", str(target), *strip], input=archive.stdout, check=True)


def write_configs(folder: Path, shared: Path, ecdsa_issuer: bool) -> Path:
    """The suites' configs: the shared ones, with ECDSA issuers when the service issues ECDSA."""
    folder.mkdir(parents=True, exist_ok=True)
    for source in (shared / "configs").glob("*.cjs"):
        shutil.copyfile(source, folder / source.name)
    if ecdsa_issuer:
        (folder / "vc-di-ecdsa-test-suite.cjs").write_text(ECDSA_CONFIG)
    (folder / "vc-di-eddsa-test-suite.cjs").write_text(EDDSA_CONFIG)
    return folder


EDDSA_CONFIG = """const {baseUrl, issuerId, verifierOptions, authHeaders} = require('../common.cjs');
// Written by tools/conformance.py: issuers for both EdDSA cryptosuites (options.cryptosuite),
// VC 2.0 only (the service does not issue VC 1.1).
module.exports = {
  settings: {enableInteropTests: false, testAllImplementations: false},
  implementations: [{
    name: 'diploma-exchange',
    implementation: 'diploma-exchange',
    issuers: [{
      id: issuerId,
      endpoint: `${baseUrl}/credentials/issue`,
      headers: authHeaders,
      supports: {vc: ['2.0']},
      tags: ['eddsa-jcs-2022']
    }, {
      id: issuerId,
      endpoint: `${baseUrl}/credentials/issue`,
      headers: authHeaders,
      supports: {vc: ['2.0']},
      options: {cryptosuite: 'eddsa-rdfc-2022'},
      tags: ['eddsa-rdfc-2022']
    }],
    verifiers: [{
      id: 'urn:uuid:diploma-exchange-verifier',
      endpoint: `${baseUrl}/credentials/verify`,
      ...verifierOptions,
      tags: ['eddsa-rdfc-2022', 'eddsa-jcs-2022']
    }]
  }]
};
"""


ECDSA_CONFIG = """const {baseUrl, issuerId, verifierOptions, authHeaders} = require('../common.cjs');
// Written by tools/conformance.py: the service issues ecdsa-rdfc-2019 and ecdsa-jcs-2019
// (options.cryptosuite) with the institution's P-256 key.
module.exports = {
  settings: {enableInteropTests: false, testAllImplementations: false},
  implementations: [{
    name: 'diploma-exchange',
    implementation: 'diploma-exchange',
    issuers: [{
      id: process.env.ECDSA_ISSUER_DID || issuerId,
      endpoint: `${baseUrl}/credentials/issue`,
      headers: authHeaders,
      supportedEcdsaKeyTypes: ['P-256'],
      supports: {vc: ['1.1', '2.0']},
      options: {cryptosuite: 'ecdsa-rdfc-2019'},
      tags: ['ecdsa-rdfc-2019']
    }, {
      id: process.env.ECDSA_ISSUER_DID || issuerId,
      endpoint: `${baseUrl}/credentials/issue`,
      headers: authHeaders,
      supportedEcdsaKeyTypes: ['P-256'],
      supports: {vc: ['1.1', '2.0']},
      options: {cryptosuite: 'ecdsa-jcs-2019'},
      tags: ['ecdsa-jcs-2019']
    }],
    verifiers: [{
      id: 'urn:uuid:diploma-exchange-verifier',
      endpoint: `${baseUrl}/credentials/verify`,
      supportedEcdsaKeyTypes: ['P-256', 'P-384'],
      supports: {vc: ['1.1', '2.0']},
      ...verifierOptions,
      tags: ['ecdsa-rdfc-2019', 'ecdsa-jcs-2019']
    }]
  }]
};
"""


def main(argv: list[str]) -> int:
    port = int(os.environ.get("PORT", "40443"))
    shared = Path(os.environ.get("W3C_SUITES", ROOT.parent / "shared" / "w3c-suites")).resolve()
    if not (shared / "run.sh").is_file():
        print(f"the W3C suites are not at {shared} (set W3C_SUITES)", file=sys.stderr)
        return 2
    work = Path(os.environ.get("WORK_DIR", ROOT / "var" / "w3c")).resolve()
    slug = os.environ.get("ISSUER_SLUG", "kaznu")
    method = os.environ.get("ISSUER_DID_METHOD", "key")
    suites = argv or list(SUITES)
    VAR.mkdir(parents=True, exist_ok=True)
    ca, cert, key = make_tls(VAR / "tls")
    env = service_env(port)
    # The Data Integrity suites resolve only did:key; the others get the did:web (whose
    # credentials carry status entries: status lists are issued by the did:web).
    key_did, web_did, api_key = seed(env, slug, method)
    issuer_for = {
        "vc-di-eddsa-test-suite": key_did,
        "vc-di-ecdsa-test-suite": key_did,
    }
    ecdsa_did = os.environ.get("ECDSA_ISSUER_DID", "")
    configs = write_configs(VAR / "configs", shared, ecdsa_issuer=bool(ecdsa_did))
    print(f"issuer {key_did} / {web_did} at https://localhost:{port} (test CA {ca})")
    server = start(env, port, cert, key, ca)
    try:
        run_env = {
            **os.environ,
            "BASE_URL": f"https://localhost:{port}",
            "API_KEY": api_key,
            "CONFIG_DIR": str(configs),
            "WORK_DIR": str(work),
        }
        if ecdsa_did:
            run_env["ECDSA_ISSUER_DID"] = ecdsa_did
        results: list[str] = []
        for suite in suites:
            if not (work / "suites" / suite / "node_modules").is_dir():
                # install first (run.sh copies the suite), then add its inputs, then run
                subprocess.run(
                    [str(shared / "run.sh"), suite],
                    env={**run_env, "ISSUER_DID": key_did},
                    check=False,
                    capture_output=True,
                )
            add_missing_inputs(work, suite)
            done = subprocess.run(
                [str(shared / "run.sh"), suite],
                env={**run_env, "ISSUER_DID": issuer_for.get(suite, web_did)},
                check=False,
                capture_output=True,
                text=True,
            )
            line = (done.stdout.strip().splitlines() or [f"{suite}: no result"])[-1]
            results.append(line)
            print(line, flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    (VAR / "results.txt").write_text("\n".join(results) + "\n")
    print("\n".join(["", "W3C conformance suites:", *results]))
    return 0 if all(" 0 failing" in r for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
