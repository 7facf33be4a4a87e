"""Run the four W3C Verifiable Credentials conformance suites against this service and check
the results against a committed baseline.

    make conformance            (or: .venv/bin/python tools/conformance.py [suite ...])

What it does, all under ``var/`` (git-ignored):

1. checks the suites' inputs that the shared copies leave out (``tests/conformance/inputs``)
   against the sha256 in ``tests/conformance/SOURCES.md``;
2. copies each suite from ``../shared/w3c-suites`` (override with ``W3C_SUITES``) to
   ``WORK_DIR`` (default ``var/w3c``; reused, so ``npm install`` runs once), installs it from
   the npm registry (the only network it needs; with the lockfile of
   ``tests/conformance/locks/<suite>`` when there is one) and lays the inputs over it;
3. makes a throwaway test CA and a ``localhost`` certificate it signed (``cryptography``);
4. seeds a fresh SQLite database with the demo NIC and universities (``diploma-exchange demo
   --no-serve``) and starts ``diploma-exchange serve`` over https on ``PORT`` (default 40443)
   with ``public_base_url`` ``https://localhost:PORT``, so that status list URLs and did:web
   documents resolve to this server;
5. writes the suites' ``localConfig`` settings (``BASE_URL``, ``ISSUER_DID``, ``API_KEY`` and a
   ``CONFIG_DIR`` with one ``<suite>.cjs`` each) for the demo university and runs
   ``../shared/w3c-suites/run.sh`` once per suite (for the ecdsa suite, with a local VC-API
   holder made of Digital Bazaar's ecdsa-sd-2023 library on 127.0.0.1, which its sd interop
   test derives with: ``tools/conformance_sd_holder.mjs``);
6. prints the suites' passing / failing / pending counts as a table, next to the baseline
   (``tools/conformance-baseline.json``, or ``--baseline`` / ``CONFORMANCE_BASELINE``).

Exit status: 0 when every suite ran and passed at least its baseline's number of tests; 1 when
one is below it or did not run (npm install failed or timed out, no test ran, run timed out);
2 when the suites or the inputs are not there. Nothing hangs: every npm install and every suite
run has a timeout (``CONFORMANCE_INSTALL_TIMEOUT``, ``CONFORMANCE_SUITE_TIMEOUT``, seconds,
900 each) and the whole tool one (``CONFORMANCE_TOTAL_TIMEOUT``, 2400), after which the process
group is killed; npm's registry requests time out and are retried twice.

Environment: ``PORT``, ``W3C_SUITES``, ``WORK_DIR``, ``ISSUER_SLUG`` (default ``kaznu``),
``ISSUER_DID_METHOD`` (``key`` or ``web``: which identifier the issuer tests get; ``key`` when
the institution has one, as the Data Integrity suites resolve only did:key),
``ECDSA_VECTORS`` / ``DATA_MODEL_SUITE_GIT`` (a local git directory or checkout of
w3c/vc-di-ecdsa / w3c/vc-data-model-2.0-test-suite to take the inputs from instead of the
repository's copy).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import threading
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
        timeout=300,
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
        timeout=120,
    )
    if method == "key":
        found = subprocess.run(
            [*cli(), "institutions", "did-key", slug],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        if found.returncode == 0 and found.stdout.strip().startswith("did:key:"):
            return found.stdout.strip(), web, str(api_keys[slug])
        print(f"no did:key for {slug} ({found.stderr.strip()[:200]}); using {web}")
    return web, web, str(api_keys[slug])


def add_ecdsa_keys(env: dict[str, str], slug: str) -> dict[str, str]:
    """Give the demo university a P-256 and a P-384 key beside its Ed25519 one (which stays its
    issuing key type); the did:key of each, by curve (the ECDSA issuers of the ecdsa suite)."""
    dids: dict[str, str] = {}
    for curve in ("P-256", "P-384"):
        added = subprocess.run(
            [*cli(), "keys", "add", "--institution", slug, "--type", curve],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        dids[curve] = str(json.loads(added.stdout)["didKey"])
    return dids


def start_sd_holder(work: Path) -> tuple[subprocess.Popen[str] | None, str]:
    """Start the ecdsa suite's local VC-API holder (``tools/conformance_sd_holder.mjs``, Digital
    Bazaar's ecdsa-sd-2023 library; see ECDSA_CONFIG) on a free 127.0.0.1 port, from the
    installed suite (whose node_modules it imports): (the process, its base URL), or (None, "")
    when the suite is not installed or the holder does not start within 30 s (the sd interop
    test then fails, nothing else changes)."""
    suite_dir = work / "suites" / "vc-di-ecdsa-test-suite"
    if not (suite_dir / "node_modules").is_dir():
        return None, ""
    shutil.copyfile(ROOT / "tools" / "conformance_sd_holder.mjs", suite_dir / "sd-holder.mjs")
    holder = subprocess.Popen(
        ["node", "sd-holder.mjs"],
        cwd=suite_dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    ready: list[str] = []
    reader = threading.Thread(
        target=lambda: ready.append(holder.stdout.readline() if holder.stdout else ""),
        daemon=True,
    )
    reader.start()
    reader.join(timeout=30)
    found = re.fullmatch(r"listening (\d+)\s*", ready[0]) if ready else None
    if found is None:
        stop_group(holder)
        print("the ecdsa-sd-2023 holder did not start (the sd interop test will fail)")
        return None, ""
    return holder, f"http://127.0.0.1:{found.group(1)}"


def stop_group(process: subprocess.Popen[str]) -> None:
    """Stop ``process`` and its process group."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


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
    until = time.monotonic() + 120
    while time.monotonic() < until:
        if server.poll() is not None:
            raise SystemExit(f"the server exited; see {VAR / 'server.log'}")
        try:
            with urllib.request.urlopen(
                f"https://localhost:{port}/healthz", context=context, timeout=5
            ) as r:
                if r.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"the server did not answer; see {VAR / 'server.log'}")


#: The inputs the shared copies of the suites leave out, copied into this repository
#: (tests/conformance/SOURCES.md): (suite, folder under the suite, the environment variable
#: that may name a local git directory or checkout to take them from instead, the commit and
#: the path inside that repository).
INPUTS = ROOT / "tests" / "conformance" / "inputs"
SOURCES = ROOT / "tests" / "conformance" / "SOURCES.md"
MISSING_INPUTS = (
    (
        "vc-di-ecdsa-test-suite",
        "tests/input/vc-di-ecdsa",
        "ECDSA_VECTORS",
        "HEAD",
        "",
    ),
    (
        "vc-data-model-2.0-test-suite",
        "tests/input",
        "DATA_MODEL_SUITE_GIT",
        "6e07524",
        "tests/input",
    ),
)


def check_inputs() -> list[str]:
    """Problems with the copied inputs: a file of SOURCES.md missing or with another sha256, or a
    file under inputs/ that SOURCES.md does not list."""
    listed: dict[str, str] = {}
    for line in SOURCES.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and re.fullmatch(r"[0-9a-f]{64}", cells[5]):
            listed[cells[0]] = cells[5]
    problems = []
    present = {p.relative_to(INPUTS).as_posix() for p in INPUTS.rglob("*") if p.is_file()}
    for name, digest in sorted(listed.items()):
        path = INPUTS / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            problems.append(f"{name}: sha256 differs from SOURCES.md")
    problems += [f"{name}: not listed in SOURCES.md" for name in sorted(present - set(listed))]
    if not listed:
        problems.append(f"{SOURCES}: no file listed")
    return problems


def add_missing_inputs(work: Path, suite: str) -> None:
    """Lay the inputs the shared copies leave out (the ecdsa suite's key pairs, the data model
    suite's input credentials) over the suite's scratch copy: from this repository's copy
    (tests/conformance/inputs), or from the local git directory or checkout the environment
    names (``ECDSA_VECTORS``, ``DATA_MODEL_SUITE_GIT``). Nothing is fetched from the network."""
    suite_dir = work / "suites" / suite
    for name, folder, variable, commit, inner in MISSING_INPUTS:
        if name != suite or not suite_dir.is_dir():
            continue
        target = suite_dir / folder
        source = os.environ.get(variable)
        if not source:
            shutil.copytree(INPUTS / name, suite_dir, dirs_exist_ok=True)
            continue
        if Path(source, "HEAD").is_file():
            git_dir = source
        elif Path(source, ".git").exists():
            git_dir = str(Path(source, ".git"))
        else:
            raise SystemExit(f"{variable}={source} is not a git directory or checkout")
        archive = subprocess.run(
            ["git", f"--git-dir={git_dir}", "archive", commit, *([inner] if inner else [])],
            capture_output=True,
            check=False,
            timeout=120,
        )
        if archive.returncode != 0:
            raise SystemExit(
                f"{suite}: could not read {folder} from {source}: {archive.stderr.decode()[:200]}"
            )
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
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
    (folder / "vc-data-model-2.0-test-suite.cjs").write_text(DATA_MODEL_CONFIG)
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


DATA_MODEL_CONFIG = """const {baseUrl, issuerId, authHeaders} = require('../common.cjs');
// Written by tools/conformance.py: the shared config, with the EnvelopingProof tag (VC Data
// Model 2.0 §4.13, tests/4.13.2-envelopes.js) on a second issuer entry, which asks the VC-API
// for a VC-JOSE-COSE enveloped credential (options.envelope, copied into every request), and
// on the verifier and the presentation verifier, which verify EnvelopedVerifiableCredential /
// EnvelopedVerifiablePresentation objects (the token in the data: URL of id) and refuse
// malformed ones. The data-model issuer (vc2.0) stays the embedded-proof one.
module.exports = {
  settings: {enableInteropTests: false, testAllImplementations: false},
  implementations: [{
    name: 'diploma-exchange',
    implementation: 'diploma-exchange',
    issuers: [{
      id: issuerId,
      endpoint: `${baseUrl}/credentials/issue`,
      headers: authHeaders,
      tags: ['vc2.0']
    }, {
      id: issuerId,
      endpoint: `${baseUrl}/credentials/issue`,
      headers: authHeaders,
      options: {envelope: 'application/vc+jwt'},
      tags: ['EnvelopingProof']
    }],
    verifiers: [{
      id: 'urn:uuid:diploma-exchange-verifier',
      endpoint: `${baseUrl}/credentials/verify`,
      tags: ['vc2.0', 'EnvelopingProof']
    }],
    vpVerifiers: [{
      id: 'urn:uuid:diploma-exchange-verifier',
      endpoint: `${baseUrl}/presentations/verify`,
      tags: ['vc2.0', 'EnvelopingProof']
    }]
  }]
};
"""


ECDSA_CONFIG = """const {baseUrl, issuerId, verifierOptions, authHeaders} = require('../common.cjs');
// Written by tools/conformance.py: the service issues ecdsa-rdfc-2019 and ecdsa-jcs-2019
// (options.cryptosuite) with the institution's P-256 key (as its did:key), and, as a second
// implementation entry (the suite tests the first issuer of each implementation and tag),
// with its P-384 key. ecdsa-sd-2023: base proofs by the P-256 key (options.cryptosuite; the
// suite sends options.mandatoryPointers) and this verifier for the derived proofs the suite
// makes; the sd suite uses P-256 only (config/vectors.json keyTypes).
const p384 = process.env.ECDSA_P384_ISSUER_DID;
const p384Issuers = p384 ? [{
  name: 'diploma-exchange (P-384)',
  implementation: 'diploma-exchange (P-384)',
  issuers: ['ecdsa-rdfc-2019', 'ecdsa-jcs-2019'].map(cryptosuite => ({
    id: p384,
    endpoint: `${baseUrl}/credentials/issue`,
    headers: authHeaders,
    supportedEcdsaKeyTypes: ['P-384'],
    supports: {vc: ['1.1', '2.0']},
    options: {cryptosuite},
    tags: [cryptosuite]
  })),
  verifiers: []
}] : [];
// The ecdsa-sd-2023 interop test derives what the sd issuer issued with the holder named in
// the suite's config/runner.json ('Digital Bazaar', tag 'vcHolder'): a local one made of
// Digital Bazaar's library (tools/conformance_sd_holder.mjs), then this verifier verifies it.
const sdHolder = process.env.SD_HOLDER_URL ? [{
  name: 'Digital Bazaar',
  implementation: 'Digital Bazaar ecdsa-sd-2023 library (local holder, derive only)',
  vcHolders: [{
    id: process.env.SD_HOLDER_URL,
    endpoint: `${process.env.SD_HOLDER_URL}/credentials/derive`,
    tags: ['vcHolder']
  }]
}] : [];
module.exports = {
  // interop: this verifier verifies what these issuers issue (local implementations only)
  settings: {enableInteropTests: true, testAllImplementations: false},
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
    }, {
      id: process.env.ECDSA_ISSUER_DID || issuerId,
      endpoint: `${baseUrl}/credentials/issue`,
      headers: authHeaders,
      supportedEcdsaKeyTypes: ['P-256'],
      supports: {vc: ['1.1', '2.0']},
      options: {cryptosuite: 'ecdsa-sd-2023'},
      tags: ['ecdsa-sd-2023']
    }],
    verifiers: [{
      id: 'urn:uuid:diploma-exchange-verifier',
      endpoint: `${baseUrl}/credentials/verify`,
      supportedEcdsaKeyTypes: ['P-256', 'P-384'],
      supports: {vc: ['1.1', '2.0']},
      ...verifierOptions,
      tags: ['ecdsa-rdfc-2019', 'ecdsa-jcs-2019', 'ecdsa-sd-2023']
    }]
  }, ...p384Issuers, ...sdHolder]
};
"""


BASELINE = ROOT / "tools" / "conformance-baseline.json"
#: Seconds: one suite's npm install, one suite's mocha run (run.sh), the whole tool.
INSTALL_TIMEOUT = int(os.environ.get("CONFORMANCE_INSTALL_TIMEOUT", "900"))
SUITE_TIMEOUT = int(os.environ.get("CONFORMANCE_SUITE_TIMEOUT", "900"))
TOTAL_TIMEOUT = int(os.environ.get("CONFORMANCE_TOTAL_TIMEOUT", "2400"))
DEADLINE = time.monotonic() + TOTAL_TIMEOUT
#: npm gives up on an unanswered registry request instead of waiting (ms), and retries twice.
NPM_ENV = {
    "npm_config_fetch_timeout": "60000",
    "npm_config_fetch_retries": "2",
    "npm_config_fetch_retry_maxtimeout": "30000",
    "npm_config_audit": "false",
    "npm_config_fund": "false",
    "npm_config_update_notifier": "false",
    # npx must run the suite's own mocha, never download one
    "npm_config_yes": "false",
}
RESULT = re.compile(
    r"^(?P<suite>[\w.-]+): (?P<passing>\d+) passing, (?P<failing>\d+) failing, "
    r"(?P<pending>\d+) pending"
)


def run_group(
    command: list[str], env: dict[str, str], cwd: Path, timeout: int, log: Path
) -> tuple[int | None, str]:
    """Run ``command`` in a process group of its own, its output to ``log``; on ``timeout``
    kill the whole group (npm, node and mocha included). (exit status or None, output)."""
    timeout = max(1, min(timeout, int(DEADLINE - time.monotonic())))
    with log.open("w") as out:
        process = subprocess.Popen(
            command,
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            code: int | None = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            code = None
        finally:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()
    return code, log.read_text(errors="replace")


def install(shared: Path, work: Path, suite: str, env: dict[str, str]) -> str | None:
    """Copy the suite and install its dependencies from the npm registry as run.sh does (with
    the lockfile kept in tests/conformance/locks when there is one); None, or why it failed."""
    target = work / "suites" / suite
    if (target / "node_modules").is_dir():
        return None
    (work / "packs").mkdir(parents=True, exist_ok=True)
    for pack in (shared / "packs").glob("*.tgz"):
        if not (work / "packs" / pack.name).exists():
            shutil.copy(pack, work / "packs" / pack.name)
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(shared / "suites" / suite, target)
    for path in [target, *target.rglob("*")]:
        path.chmod(path.stat().st_mode | 0o200)
    # With the committed lockfile: `npm ci`, exactly the versions (and integrity hashes) the
    # baseline was measured with; without one, `npm install` as run.sh does.
    lock = ROOT / "tests" / "conformance" / "locks" / suite / "package-lock.json"
    command = "install"
    if lock.is_file():
        shutil.copy(lock, target / "package-lock.json")
        command = "ci"
    log = work / f"{suite}.install.log"
    started = time.monotonic()
    code, _ = run_group(
        ["npm", command, "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
        env,
        target,
        INSTALL_TIMEOUT,
        log,
    )
    if code == 0:
        print(f"{suite}: npm {command} {time.monotonic() - started:.0f} s", flush=True)
        return None
    shutil.rmtree(target / "node_modules", ignore_errors=True)
    why = "timed out" if code is None else f"exit status {code}"
    return f"npm {command} {why} (see {log})"


def load_baseline(path: Path) -> dict[str, dict[str, int]]:
    data = json.loads(path.read_text())
    return {k: v for k, v in data.items() if k in SUITES}


Row = tuple[str, str, str, str, str, str]


def compare(
    suites: list[str],
    counts: dict[str, tuple[int, int, int]],
    failed: dict[str, str],
    baseline: dict[str, dict[str, int]],
) -> tuple[list[Row], list[str]]:
    """The table's rows (suite, passing, failing, pending, baseline, verdict) and the reasons
    the run fails: a suite that did not run, has no baseline, or passes fewer tests than it."""
    rows: list[Row] = []
    below: list[str] = []
    for suite in suites:
        expected = baseline.get(suite, {}).get("passing")
        if suite in failed or suite not in counts:
            rows.append((suite, "-", "-", "-", str(expected), "DID NOT RUN"))
            below.append(f"{suite}: {failed.get(suite, 'no result')}")
            continue
        passing, failing, pending = counts[suite]
        if expected is None:
            verdict = "NO BASELINE"
            below.append(f"{suite}: not in the baseline")
        elif passing < expected:
            verdict = "BELOW BASELINE"
            below.append(f"{suite}: {passing} passing, the baseline is {expected}")
        elif passing > expected:
            verdict = "ok (above: raise the baseline)"
        else:
            verdict = "ok"
        rows.append((suite, str(passing), str(failing), str(pending), str(expected), verdict))
    return rows, below


def table(rows: list[Row]) -> str:
    head = ("suite", "passing", "failing", "pending", "baseline", "result")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(6)]

    def line(r: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"

    return "\n".join([line(head), line(tuple("-" * w for w in widths)), *map(line, rows)])


def serve_and_run(
    shared: Path, work: Path, suites: list[str], failed: dict[str, str], node_env: dict[str, str]
) -> dict[str, tuple[int, int, int]]:
    """Serve the demo data over https and run each suite not in ``failed`` (where a suite that
    timed out or ran no test is added); the (passing, failing, pending) of each that ran."""
    port = int(os.environ.get("PORT", "40443"))
    slug = os.environ.get("ISSUER_SLUG", "kaznu")
    method = os.environ.get("ISSUER_DID_METHOD", "key")
    counts: dict[str, tuple[int, int, int]] = {}
    ca, cert, key = make_tls(VAR / "tls")
    env = service_env(port)
    # The Data Integrity suites resolve only did:key; the others get the did:web (whose
    # credentials carry status entries: status lists are issued by the did:web).
    key_did, web_did, api_key = seed(env, slug, method)
    issuer_for = {
        "vc-di-eddsa-test-suite": key_did,
        "vc-di-ecdsa-test-suite": key_did,
    }
    ecdsa_dids = add_ecdsa_keys(env, slug)
    ecdsa_did = os.environ.get("ECDSA_ISSUER_DID", "") or ecdsa_dids["P-256"]
    configs = write_configs(VAR / "configs", shared, ecdsa_issuer=bool(ecdsa_did))
    print(f"issuer {key_did} / {web_did} at https://localhost:{port} (test CA {ca})")
    server = start(env, port, cert, key, ca)
    holder: subprocess.Popen[str] | None = None
    try:
        run_env = {
            **node_env,
            "BASE_URL": f"https://localhost:{port}",
            "API_KEY": api_key,
            "CONFIG_DIR": str(configs),
            "WORK_DIR": str(work),
        }
        if ecdsa_did:
            run_env["ECDSA_ISSUER_DID"] = ecdsa_did
            run_env["ECDSA_P384_ISSUER_DID"] = ecdsa_dids["P-384"]
        if "vc-di-ecdsa-test-suite" in suites and "vc-di-ecdsa-test-suite" not in failed:
            holder, holder_url = start_sd_holder(work)
            if holder_url:
                run_env["SD_HOLDER_URL"] = holder_url
        for suite in suites:
            if suite in failed:
                continue
            if time.monotonic() >= DEADLINE:
                failed[suite] = f"not run: over CONFORMANCE_TOTAL_TIMEOUT ({TOTAL_TIMEOUT} s)"
                print(f"{suite}: {failed[suite]}", flush=True)
                continue
            started = time.monotonic()
            code, output = run_group(
                [str(shared / "run.sh"), suite],
                {**run_env, "ISSUER_DID": issuer_for.get(suite, web_did)},
                ROOT,
                SUITE_TIMEOUT,
                work / f"{suite}.run.log",
            )
            found = [m for m in map(RESULT.match, output.splitlines()) if m]
            elapsed = time.monotonic() - started
            if code is None:
                failed[suite] = f"timed out after {elapsed:.0f} s (see {work / suite}.txt)"
            elif not found or int(found[-1]["passing"]) + int(found[-1]["failing"]) == 0:
                failed[suite] = f"no test ran (see {work / suite}.txt)"
            else:
                m = found[-1]
                counts[suite] = (int(m["passing"]), int(m["failing"]), int(m["pending"]))
            print(
                f"{suite}: "
                + (
                    "{} passing, {} failing, {} pending".format(*counts[suite])
                    if suite in counts
                    else failed[suite]
                )
                + f" ({elapsed:.0f} s)",
                flush=True,
            )
    finally:
        if holder is not None:
            stop_group(holder)
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    return counts


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("suites", nargs="*", metavar="suite", help=", ".join(SUITES))
    parser.add_argument(
        "--baseline",
        type=Path,
        default=Path(os.environ.get("CONFORMANCE_BASELINE", BASELINE)),
        help="the committed passing counts (default tools/conformance-baseline.json)",
    )
    args = parser.parse_args(argv)
    # a CI job cancelled with SIGTERM still stops the server and the suites' processes
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    unknown = sorted(set(args.suites) - set(SUITES))
    if unknown:
        parser.error(f"unknown suite {', '.join(unknown)}; the suites: {', '.join(SUITES)}")
    wall = time.monotonic()
    shared = Path(os.environ.get("W3C_SUITES", ROOT.parent / "shared" / "w3c-suites")).resolve()
    if not (shared / "run.sh").is_file():
        print(f"the W3C suites are not at {shared} (set W3C_SUITES)", file=sys.stderr)
        return 2
    problems = check_inputs()
    if problems:
        print(
            "tests/conformance/inputs does not match SOURCES.md:",
            *problems,
            sep="\n  ",
            file=sys.stderr,
        )
        return 2
    baseline = load_baseline(args.baseline)
    work = Path(os.environ.get("WORK_DIR", ROOT / "var" / "w3c")).resolve()
    suites = args.suites or list(SUITES)
    VAR.mkdir(parents=True, exist_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    node_env = {**os.environ, **NPM_ENV}
    # Install first (before the server starts): a failed install is that suite's result.
    failed: dict[str, str] = {}
    for suite in suites:
        why = install(shared, work, suite, node_env)
        if why:
            failed[suite] = why
            print(f"{suite}: {why}", flush=True)
        else:
            add_missing_inputs(work, suite)
    counts = {}
    if any(suite not in failed for suite in suites):
        counts = serve_and_run(shared, work, suites, failed, node_env)
    rows, below = compare(suites, counts, failed, baseline)
    report = table(rows)
    (VAR / "results.txt").write_text(report + "\n")
    print(f"\nW3C conformance suites ({time.monotonic() - wall:.0f} s; reports in {work}):")
    print(report)
    if below:
        print("\nFAILED:", *below, sep="\n  ")
        return 1
    print(f"\nevery suite at or above its baseline ({args.baseline})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
