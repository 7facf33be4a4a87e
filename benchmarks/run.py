"""Throughput benchmark of signing, verifying and issuing diplomas, with in-run baselines.

Run from the repository root::

    .venv/bin/python benchmarks/run.py [--quick] [--json-out PATH] [--batch-size N]

Every rate is the median of several rounds (each at least ``--min-time`` seconds long) and is
compared with a baseline measured in the same run, so that the ratios stay meaningful on a
loaded or slower machine even when the absolute figures do not. Rounds of the micro
benchmarks are interleaved (round 1 of every figure, then round 2 of every figure, ...) so
that a change in machine load hits the figures and their baselines alike.

Timings are reported, never asserted: see ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any, Final

import cryptography
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from rich.console import Console
from rich.table import Table
from sqlmodel import Session

from diploma_exchange.config import Settings
from diploma_exchange.credentials import (
    DiplomaData,
    IdentifierEntry,
    IssuerProfile,
    build_diploma_credential,
    find_undefined_terms,
    sample_diploma_data,
    validate_credential,
)
from diploma_exchange.credentials import contexts as bundled_contexts
from diploma_exchange.db.engine import make_engine, upgrade
from diploma_exchange.dids.did_web import VerificationKey, build_did_document
from diploma_exchange.dids.document import DidDocument
from diploma_exchange.proofs import eddsa_jcs_2022, suites
from diploma_exchange.proofs.keys import Signer
from diploma_exchange.proofs.multibase import decode_base58btc
from diploma_exchange.services.institutions import (
    ROLE_INSTITUTION,
    Principal,
    register_institution,
    signer_for,
)
from diploma_exchange.services.issuance import issue_diplomas, issuer_profile
from diploma_exchange.services.signing import rdfc_proof_limits, secure_document
from diploma_exchange.status import (
    MIN_BITSTRING_LENGTH,
    Bitstring,
    build_status_list_credential,
    make_status_entry,
)
from diploma_exchange.trust.accreditation import AccreditationRecord, Scope
from diploma_exchange.verification import StaticTrustPolicy, verify_credential
from diploma_exchange.verification.checks.status import status_checks

ROUNDS: Final = 7
MIN_TIME: Final = 0.3
BATCH_SIZE: Final = 10_000
QUICK_ROUNDS: Final = 5
QUICK_MIN_TIME: Final = 0.1
QUICK_BATCH_SIZE: Final = 1_000
#: Distinct diplomas the per-component breakdown cycles through.
BREAKDOWN_SAMPLE: Final = 50
DEFAULT_JSON_OUT: Final = Path(__file__).resolve().parent / "results" / "latest.json"
#: Digital Bazaar's verifiers (``npm ci`` there, or ``--node-setup``).
NODE_DIR: Final = Path(__file__).resolve().parent / "node"
#: Seconds a ``node verify.mjs`` or ``npm ci`` run may take before it is given up.
NODE_TIMEOUT: Final = 900

ISSUER_DID: Final = "did:web:alatau-tech.edu.kz"
KEY_FRAGMENT: Final = "key-1"
VALID_FROM: Final = datetime(2026, 6, 25, 9, 0, tzinfo=UTC)
CREATED: Final = VALID_FROM
VERIFIED_AT: Final = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)

SETTINGS_BASE: Final[Mapping[str, Any]] = {
    "max_batch_size": 2000,
    "environment": "test",
    "public_base_url": "https://diplomas.example.kz",
    "key_passphrase": "bench",
}


# --- measurement -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rates:
    """Per-round rates (operations per second) by wall-clock time and by this process's CPU
    time, and the seconds behind them.

    CPU time leaves out the time other processes of this machine held the core (and I/O
    waits); it does not leave out a slower or oversubscribed host (VM steal).
    """

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    wall_seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)

    def add(self, operations: int, wall_seconds: float, cpu_seconds: float) -> None:
        self.wall_seconds.append(wall_seconds)
        self.cpu_seconds.append(cpu_seconds)
        self.wall.append(operations / wall_seconds)
        # process_time ticks finely on Linux; the guard is for coarse clocks elsewhere.
        self.cpu.append(operations / max(cpu_seconds, 1e-9))


def _run(fn: Callable[[], object], number: int) -> tuple[float, float]:
    """Wall-clock and CPU seconds taken by ``number`` calls of ``fn``."""
    loop = range(number)
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in loop:
        fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def calibrate(fn: Callable[[], object], min_time: float) -> int:
    """The number of calls of ``fn`` that takes at least ``min_time`` seconds (warms it up)."""
    number = 1
    while True:
        elapsed, _ = _run(fn, number)
        if elapsed >= min_time:
            return number
        if elapsed < min_time / 10:
            number *= 10
        else:
            number = int(number * min_time * 1.1 / elapsed) + 1


def run_round(fn: Callable[[], object], number: int, rates: Rates) -> None:
    """Time one round of ``number`` calls of ``fn`` (after a full collection) into ``rates``."""
    gc.collect()
    rates.add(number, *_run(fn, number))


def measure_interleaved(
    fns: Mapping[str, Callable[[], object]], rounds: int, min_time: float
) -> dict[str, Rates]:
    """Per-round rates of each function, the rounds of all functions interleaved."""
    numbers = {name: calibrate(fn, min_time) for name, fn in fns.items()}
    rates = {name: Rates() for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            run_round(fn, numbers[name], rates[name])
    return rates


def measure(fn: Callable[[], object], rounds: int, min_time: float) -> Rates:
    """Per-round rates of ``fn``: ``rounds`` rounds of at least ``min_time`` seconds each."""
    return measure_interleaved({"fn": fn}, rounds, min_time)["fn"]


@dataclass(frozen=True, slots=True)
class Figure:
    """One reported figure: its per-round rates and, optionally, the figure it is compared to."""

    key: str
    label: str
    rates: Rates
    baseline: str | None = None

    @property
    def median(self) -> float:
        """Median wall-clock rate (operations per second)."""
        return statistics.median(self.rates.wall)

    @property
    def cpu_median(self) -> float:
        """Median CPU-time rate (operations per CPU second)."""
        return statistics.median(self.rates.cpu)

    @property
    def spread(self) -> float:
        """(max - min) / median of the wall-clock rounds, as a fraction."""
        return (max(self.rates.wall) - min(self.rates.wall)) / self.median


@dataclass(slots=True)
class Results:
    environment: dict[str, Any]
    parameters: dict[str, Any]
    figures: dict[str, Figure] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def add(self, figure: Figure) -> None:
        self.figures[figure.key] = figure

    def ratio(self, figure: Figure, *, cpu: bool = False) -> float | None:
        """Time per operation relative to the baseline's (baseline rate / figure rate)."""
        if figure.baseline is None:
            return None
        baseline = self.figures[figure.baseline]
        if cpu:
            return baseline.cpu_median / figure.cpu_median
        return baseline.median / figure.median

    def to_json(self) -> dict[str, Any]:
        return {
            "environment": self.environment,
            "parameters": self.parameters,
            "figures": {
                key: {
                    "label": f.label,
                    "unit": "operations per second",
                    "rounds_wall": f.rates.wall,
                    "rounds_cpu": f.rates.cpu,
                    "median": f.median,
                    "median_us_per_op": 1e6 / f.median,
                    "min": min(f.rates.wall),
                    "max": max(f.rates.wall),
                    "cpu_median": f.cpu_median,
                    "cpu_median_us_per_op": 1e6 / f.cpu_median,
                    "baseline": f.baseline,
                    "ratio_to_baseline": self.ratio(f),
                    "cpu_ratio_to_baseline": self.ratio(f, cpu=True),
                }
                for key, f in self.figures.items()
            },
            **self.extra,
        }


# --- environment -------------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parent,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip() or None


def environment() -> dict[str, Any]:
    from cryptography.hazmat.backends.openssl.backend import backend

    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cryptography": cryptography.__version__,
        "openssl": backend.openssl_version_text(),
        "rfc8785": version("rfc8785"),
        "sqlalchemy": version("sqlalchemy"),
        "git_commit": _git_commit(),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average_at_start": list(os.getloadavg()),
    }


# --- fixtures ------------------------------------------------------------------------------------


class StaticResolver:
    """A DID resolver that returns one pre-built DID document (no I/O, no cache look-up)."""

    def __init__(self, document: DidDocument) -> None:
        self._document = document

    def resolve(self, did: str) -> DidDocument:
        return self._document


def bench_issuer() -> IssuerProfile:
    return IssuerProfile(
        id=ISSUER_DID,
        name="Alatau Technical University",
        url="https://alatau-tech.edu.kz",
        country="Kazakhstan",
        locality="Almaty",
        email="registrar@alatau-tech.edu.kz",
        other_identifiers=(
            IdentifierEntry(identifier="990140000123", identifier_type="ext:KZ-BIN"),
        ),
    )


def bench_diploma() -> dict[str, Any]:
    return build_diploma_credential(
        sample_diploma_data(0),
        issuer=bench_issuer(),
        credential_id=f"urn:uuid:{uuid.UUID(int=0)}",
        valid_from=VALID_FROM,
    )


def hash_data(document: Mapping[str, Any], signer: Signer) -> bytes:
    """The 64 bytes eddsa-jcs-2022 signs for ``document`` (§3.3.1 steps 1-5)."""
    options = {
        "type": eddsa_jcs_2022.PROOF_TYPE,
        "cryptosuite": eddsa_jcs_2022.CRYPTOSUITE,
        "created": eddsa_jcs_2022.format_created(CREATED),
        "verificationMethod": signer.verification_method,
        "proofPurpose": "assertionMethod",
        "@context": document["@context"],
    }
    return eddsa_jcs_2022.hashing(
        eddsa_jcs_2022.transformation(document, options),
        eddsa_jcs_2022.proof_configuration(options),
    )


# --- benchmarks ----------------------------------------------------------------------------------


def bench_crypto(results: Results, rounds: int, min_time: float) -> None:
    """Bare Ed25519, eddsa-jcs-2022 sign/verify, full verification and JCS, interleaved."""
    private_key = Ed25519PrivateKey.generate()
    public_key = private_key.public_key()
    signer = Signer(private_key, f"{ISSUER_DID}#{KEY_FRAGMENT}")
    diploma = bench_diploma()
    message = hash_data(diploma, signer)
    if len(message) != 64:
        raise RuntimeError(f"expected 64 bytes of hash data, got {len(message)}")
    signature = private_key.sign(message)

    signed = eddsa_jcs_2022.add_proof(diploma, signer, created=CREATED)
    # Ed25519 is deterministic: equal signatures prove the baseline signs the suite's bytes.
    if decode_base58btc(signed["proof"]["proofValue"]) != signature:
        raise RuntimeError("the bare baseline does not sign the bytes eddsa-jcs-2022 signs")
    check = eddsa_jcs_2022.verify_proof(signed, public_key)
    if not check:
        raise RuntimeError(f"the benchmark diploma does not verify: {check.code}: {check.message}")
    did_document = DidDocument.from_json(
        build_did_document(ISSUER_DID, [VerificationKey(KEY_FRAGMENT, signer.public_key_multibase)])
    )
    resolver = StaticResolver(did_document)
    trust = StaticTrustPolicy([ISSUER_DID])
    accredited = StaticAccreditations(ISSUER_DID)
    report = verify_credential(
        signed, resolver=resolver, trust=trust, now=VERIFIED_AT, accreditations=accredited
    )
    if not report:
        raise RuntimeError(f"full verification is not valid: {json.dumps(report.to_json())}")

    # The diploma as the service issues it by default (issue_rdfc_proof): a proof set of
    # eddsa-jcs-2022 and eddsa-rdfc-2022 by the same key; every proof is verified.
    proof_set = secure_document(
        diploma, signer, CREATED, rdfc_proof_limits(Settings(**SETTINGS_BASE))
    )
    if not isinstance(proof_set.get("proof"), list) or len(proof_set["proof"]) != 2:
        raise RuntimeError("the proof-set diploma does not carry two proofs")
    report = verify_credential(
        proof_set, resolver=resolver, trust=trust, now=VERIFIED_AT, accreditations=accredited
    )
    if not report:
        raise RuntimeError(f"the proof-set diploma is not valid: {json.dumps(report.to_json())}")

    results.extra["diploma"] = {
        "unsigned_json_bytes": len(json.dumps(diploma, ensure_ascii=False).encode()),
        "signed_json_bytes": len(json.dumps(signed, ensure_ascii=False).encode()),
        "jcs_bytes": len(rfc8785.dumps(diploma)),
        "sample_index": 0,
    }

    fns: dict[str, Callable[[], object]] = {
        "ed25519.sign": lambda: private_key.sign(message),
        "ed25519.verify": lambda: public_key.verify(signature, message),
        "eddsa_jcs_2022.sign": lambda: eddsa_jcs_2022.add_proof(diploma, signer, created=CREATED),
        "eddsa_jcs_2022.verify": lambda: eddsa_jcs_2022.verify_proof(signed, public_key),
        "rfc8785.dumps": lambda: rfc8785.dumps(diploma),
        "verify_credential": lambda: verify_credential(
            signed, resolver=resolver, trust=trust, now=VERIFIED_AT, accreditations=accredited
        ),
        "verify_credential.proof_set": lambda: verify_credential(
            proof_set, resolver=resolver, trust=trust, now=VERIFIED_AT, accreditations=accredited
        ),
    }
    rates = measure_interleaved(fns, rounds, min_time)
    labels_and_baselines: dict[str, tuple[str, str | None]] = {
        "ed25519.sign": ("Ed25519 sign of 64 B (cryptography)", None),
        "ed25519.verify": ("Ed25519 verify of 64 B (cryptography)", None),
        "eddsa_jcs_2022.sign": ("eddsa-jcs-2022 add_proof(diploma)", "ed25519.sign"),
        "eddsa_jcs_2022.verify": ("eddsa-jcs-2022 verify_proof(diploma)", "ed25519.verify"),
        "rfc8785.dumps": ("rfc8785.dumps(diploma), for context", None),
        "verify_credential": ("verify_credential, full, in-process", "ed25519.verify"),
        "verify_credential.proof_set": (
            "the same, proof set as issued (jcs + rdfc proofs)",
            "ed25519.verify",
        ),
    }
    for key, (label, baseline) in labels_and_baselines.items():
        results.add(Figure(key, label, rates[key], baseline))


# --- Digital Bazaar (Node) -----------------------------------------------------------------------

NODE_SUITES: Final = ("eddsa-jcs-2022", "eddsa-rdfc-2022")
#: Contexts Digital Bazaar's verifiers load besides the credential's own.
NODE_EXTRA_CONTEXTS: Final = (
    "https://w3id.org/security/data-integrity/v2",
    "https://w3id.org/security/multikey/v1",
    "https://www.w3.org/ns/did/v1",
)
#: rdf-canonize ``maxWorkFactor`` for DB's eddsa-rdfc-2022 when its default (1) rejects the
#: diploma: n² deep iterations for n blank nodes with equal first-degree hashes.
NODE_RDFC_MAX_WORK_FACTOR: Final = 2
#: Ours / theirs: (label, our figure, their figure).
NODE_COMPARISONS: Final = (
    ("eddsa-jcs-2022 proof verify", "eddsa_jcs_2022.verify", "node.eddsa-jcs-2022.verify"),
    ("eddsa-jcs-2022 full verify_credential", "verify_credential", "node.eddsa-jcs-2022.verify"),
    ("eddsa-rdfc-2022 proof verify", "eddsa_rdfc_2022.verify", "node.eddsa-rdfc-2022.verify"),
)


def node_setup(console: Console) -> str | None:
    """``npm ci`` in ``benchmarks/node``; the reason it could not run, or None."""
    npm = shutil.which("npm")
    if npm is None:
        return "npm is not on PATH"
    console.print(f"npm ci in {NODE_DIR} ...")
    try:
        done = subprocess.run(
            [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
            cwd=NODE_DIR,
            capture_output=True,
            text=True,
            timeout=NODE_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"npm ci failed: {exc}"
    if done.returncode != 0:
        return f"npm ci failed ({done.returncode}): {done.stderr.strip()[-2000:]}"
    return None


def node_missing() -> str | None:
    """Why the Node section cannot run, or None."""
    if shutil.which("node") is None:
        return "node is not on PATH"
    if not (NODE_DIR / "node_modules").is_dir():
        return f"{NODE_DIR / 'node_modules'} is missing (run with --node-setup, or npm ci there)"
    return None


def node_contexts(credential: Mapping[str, Any], did_document: Mapping[str, Any]) -> dict[str, Any]:
    """The bundled contexts of the credential and DID document, plus what DB's suites load."""
    urls: list[str] = []
    for document in (credential, did_document):
        context = document["@context"]
        urls.extend(
            u for u in ([context] if isinstance(context, str) else context) if isinstance(u, str)
        )
    urls.extend(NODE_EXTRA_CONTEXTS)
    return {url: bundled_contexts.load_context(url) for url in dict.fromkeys(urls)}


def run_node_verify(payload: Mapping[str, Any]) -> dict[str, Any]:
    """``node verify.mjs`` on ``payload``; its JSON output. Raises RuntimeError on failure."""
    node = shutil.which("node")
    if node is None:  # pragma: no cover - checked by node_missing
        raise RuntimeError("node is not on PATH")
    with tempfile.TemporaryDirectory(prefix="diploma-bench-node-") as tmp:
        path = Path(tmp) / "input.json"
        path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        try:
            done = subprocess.run(
                [node, "--expose-gc", str(NODE_DIR / "verify.mjs"), str(path)],
                cwd=NODE_DIR,
                capture_output=True,
                text=True,
                timeout=NODE_TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise RuntimeError(f"node verify.mjs ({payload['suite']}): {exc}") from exc
    if done.returncode != 0:
        raise RuntimeError(
            f"node verify.mjs ({payload['suite']}) exited {done.returncode}: "
            f"{done.stderr.strip()[-3000:]}"
        )
    output = json.loads(done.stdout)
    if (
        not isinstance(output, dict)
        or output.get("verified") is not True
        or not output.get("rates")
    ):
        raise RuntimeError(f"node verify.mjs ({payload['suite']}): unexpected output {output}")
    return output


def bench_node(results: Results, rounds: int, min_time: float) -> str | None:
    """The benchmark diploma verified by Digital Bazaar's libraries in Node, and by ours.

    Signs the diploma with eddsa-jcs-2022 and eddsa-rdfc-2022, times our eddsa-rdfc-2022
    verify_proof, then runs ``benchmarks/node/verify.mjs`` (``vc.verifyCredential`` with a
    static, offline document loader) for each suite. Returns the reason the Node part was
    skipped, or None.
    """
    private_key = Ed25519PrivateKey.generate()
    public_key = private_key.public_key()
    signer = Signer(private_key, f"{ISSUER_DID}#{KEY_FRAGMENT}")
    diploma = bench_diploma()
    signed = {
        "eddsa-jcs-2022": eddsa_jcs_2022.add_proof(diploma, signer, created=CREATED),
        "eddsa-rdfc-2022": suites.add_proof(diploma, "eddsa-rdfc-2022", signer, created=CREATED),
    }
    rdfc = signed["eddsa-rdfc-2022"]
    check = suites.verify_proof(rdfc, rdfc["proof"], public_key)
    if not check:
        raise RuntimeError(
            f"our eddsa-rdfc-2022 diploma does not verify: {check.code}: {check.message}"
        )
    rates = measure(lambda: suites.verify_proof(rdfc, rdfc["proof"], public_key), rounds, min_time)
    results.add(
        Figure(
            "eddsa_rdfc_2022.verify",
            "ours: eddsa-rdfc-2022 verify_proof(diploma)",
            rates,
            "ed25519.verify",
        )
    )

    reason = node_missing()
    if reason is not None:
        results.extra["node"] = {"skipped": reason}
        return reason
    did_document = build_did_document(
        ISSUER_DID, [VerificationKey(KEY_FRAGMENT, signer.public_key_multibase)]
    )
    contexts = node_contexts(diploma, did_document)
    outputs: dict[str, Any] = {}
    notes: dict[str, str] = {}
    for suite in NODE_SUITES:
        payload: dict[str, Any] = {
            "credential": signed[suite],
            "didDocument": did_document,
            "contexts": contexts,
            "suite": suite,
            "seconds": min_time,
            "rounds": rounds,
            "now": VERIFIED_AT.isoformat().replace("+00:00", "Z"),
        }
        try:
            try:
                output = run_node_verify(payload)
            except RuntimeError as exc:
                # rdf-canonize's poison-graph guard (maxWorkFactor 1) rejects the diploma's
                # transcript; rerun with the limit DB's libraries let callers raise.
                if suite != "eddsa-rdfc-2022" or "Maximum deep iterations" not in str(exc):
                    raise
                notes[suite] = (
                    "rejected with DB's defaults (rdf-canonize maxWorkFactor 1: "
                    "'Maximum deep iterations exceeded'); timed with "
                    f"maxWorkFactor {NODE_RDFC_MAX_WORK_FACTOR}"
                )
                output = run_node_verify({**payload, "maxWorkFactor": NODE_RDFC_MAX_WORK_FACTOR})
        except RuntimeError as exc:
            reason = f"Digital Bazaar's {suite} verification failed: {exc}"
            results.extra["node"] = {"skipped": reason, "notes": notes}
            return reason
        outputs[suite] = output
        node_rates = Rates()
        for wall, cpu in zip(output["wall_seconds"], output["cpu_seconds"], strict=True):
            node_rates.add(output["calls_per_round"], wall, cpu)
        results.add(
            Figure(
                f"node.{suite}.verify",
                f"theirs: vc.verifyCredential, {suite} (Node)",
                node_rates,
                "ed25519.verify",
            )
        )
    results.extra["node"] = {
        "versions": outputs[NODE_SUITES[0]]["versions"],
        "calls_per_round": {suite: out["calls_per_round"] for suite, out in outputs.items()},
        "contexts": sorted(contexts),
        "what": "vc.verifyCredential with DataIntegrityProof and a static document loader",
        "notes": notes,
        "max_work_factor": {suite: out.get("maxWorkFactor") for suite, out in outputs.items()},
        "ours_over_theirs": ours_over_theirs(results),
    }
    return None


def ours_over_theirs(results: Results) -> dict[str, dict[str, Any]]:
    """Ours per second / theirs per second (wall and CPU medians) for each comparison."""
    ratios: dict[str, dict[str, Any]] = {}
    for label, ours_key, theirs_key in NODE_COMPARISONS:
        ours, theirs = results.figures.get(ours_key), results.figures.get(theirs_key)
        if ours is None or theirs is None:
            continue
        ratios[label] = {
            "ours": ours_key,
            "theirs": theirs_key,
            "ratio": ours.median / theirs.median,
            "cpu_ratio": ours.cpu_median / theirs.cpu_median,
        }
    return ratios


class StaticAccreditations:
    """The issuer accredited (any level or field) since 2000, as a NIC's record would say."""

    def __init__(self, issuer: str) -> None:
        self._records = [
            AccreditationRecord(
                id="urn:uuid:00000000-0000-0000-0000-00000000acc1",
                nic="did:web:nic.example.kz",
                institution=issuer,
                status="accredited",
                scope=Scope(),
                valid_from=datetime(2000, 1, 1, tzinfo=UTC),
                valid_until=None,
                accrediting_body="benchmark",
            )
        ]

    def accreditations(self, did: str) -> list[AccreditationRecord] | None:
        return self._records


class MemoryStatusLists:
    """Status list credentials already fetched (the "from cache" case of a verifier)."""

    def __init__(self, lists: Mapping[str, Mapping[str, Any]]) -> None:
        self._lists = lists

    def get(self, url: str) -> Mapping[str, Any]:
        return self._lists[url.split("#", 1)[0]]


def bench_status(results: Results, rounds: int, min_time: float) -> None:
    """Publishing a 131,072-entry list, and status checks of a diploma from cached lists."""
    private_key = Ed25519PrivateKey.generate()
    signer = Signer(private_key, f"{ISSUER_DID}#{KEY_FRAGMENT}")
    rng = random.Random(7)
    bits = Bitstring(MIN_BITSTRING_LENGTH)
    for index in rng.sample(range(MIN_BITSTRING_LENGTH), 2000):  # ~1.5% revoked: realistic
        bits.set(index, 1)
    urls = {
        p: f"https://diplomas.example.kz/status-lists/{p}" for p in ("revocation", "suspension")
    }

    def publish(purpose: str = "revocation") -> dict[str, Any]:
        unsigned = build_status_list_credential(
            list_url=urls[purpose],
            issuer=ISSUER_DID,
            purpose=purpose,
            bitstring=bits,
            valid_from=CREATED,
        )
        return eddsa_jcs_2022.add_proof(unsigned, signer, created=CREATED)

    lists = {urls[p]: publish(p) for p in urls}
    diploma = bench_diploma()
    diploma["credentialStatus"] = [make_status_entry(urls[p], 94567, p) for p in urls]
    signed = eddsa_jcs_2022.add_proof(diploma, signer, created=CREATED)
    did_document = DidDocument.from_json(
        build_did_document(ISSUER_DID, [VerificationKey(KEY_FRAGMENT, signer.public_key_multibase)])
    )
    resolver = StaticResolver(did_document)
    provider = MemoryStatusLists(lists)
    trust = StaticTrustPolicy([ISSUER_DID])
    accredited = StaticAccreditations(ISSUER_DID)
    report = verify_credential(
        signed,
        resolver=resolver,
        trust=trust,
        now=VERIFIED_AT,
        status_lists=provider,
        accreditations=accredited,
    )
    if not report:
        raise RuntimeError(f"status benchmark diploma is not valid: {json.dumps(report.to_json())}")
    results.extra["status_list"] = {
        "entries": MIN_BITSTRING_LENGTH,
        "set_bits": bits.count_set(),
        "encoded_list_chars": len(lists[urls["revocation"]]["credentialSubject"]["encodedList"]),
    }
    fns: dict[str, Callable[[], object]] = {
        "status.publish": publish,
        "status.check": lambda: status_checks(
            signed, ISSUER_DID, resolver=resolver, provider=provider
        ),
        "verify_credential.status": lambda: verify_credential(
            signed,
            resolver=resolver,
            trust=trust,
            now=VERIFIED_AT,
            status_lists=provider,
            accreditations=accredited,
        ),
    }
    rates = measure_interleaved(fns, rounds, min_time)
    results.add(
        Figure(
            "status.publish",
            "publish a signed 131,072-entry list (gzip, sign)",
            rates["status.publish"],
            "ed25519.sign",
        )
    )
    results.add(
        Figure(
            "status.check",
            "status checks of a diploma (2 cached lists)",
            rates["status.check"],
            "ed25519.verify",
        )
    )
    results.add(
        Figure(
            "verify_credential.status",
            "verify_credential with status, in-process",
            rates["verify_credential.status"],
            "ed25519.verify",
        )
    )


STEP_LABELS: Final[Mapping[str, str]] = {
    "step.build": "build_diploma_credential",
    "step.validate": "validate_credential (JSON Schema)",
    "step.terms": "find_undefined_terms (JSON-LD)",
    "step.sign": "add_proof (eddsa-jcs-2022)",
}


def step_functions(signer: Signer, profile: IssuerProfile) -> dict[str, Callable[[], object]]:
    """One call of each issuance step, cycling through a sample of distinct diplomas."""
    data = [sample_diploma_data(i) for i in range(BREAKDOWN_SAMPLE)]
    now = datetime.now(UTC).replace(microsecond=0)
    documents = [
        build_diploma_credential(
            d, issuer=profile, credential_id=f"urn:uuid:{uuid.uuid4()}", valid_from=now
        )
        for d in data
    ]
    for document in documents:
        problems = validate_credential(document) or find_undefined_terms(document)
        if problems:
            raise RuntimeError(f"a sample diploma is not issuable: {problems[0]}")

    data_it, doc_it = itertools.cycle(data), itertools.cycle(documents)
    return {
        "step.build": lambda: build_diploma_credential(
            next(data_it), issuer=profile, credential_id=f"urn:uuid:{uuid.uuid4()}", valid_from=now
        ),
        "step.validate": lambda: validate_credential(next(doc_it)),
        "step.terms": lambda: find_undefined_terms(next(doc_it)),
        "step.sign": lambda: eddsa_jcs_2022.add_proof(next(doc_it), signer, created=now),
    }


def chunks(items: Sequence[DiplomaData], size: int) -> list[Sequence[DiplomaData]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def bench_batch(results: Results, batch_size: int, rounds: int, min_time: float) -> None:
    """Issue ``batch_size`` diplomas into a fresh SQLite file, one chunk per round.

    After each chunk, rounds of the separately timed issuance steps run, so that the steps
    and the batch are measured at nearly the same moments and a drift in machine speed
    skews the residual of the breakdown less.
    """
    with tempfile.TemporaryDirectory(prefix="diploma-bench-") as tmp:
        settings = Settings(
            **SETTINGS_BASE, database_url=f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        )
        setup_start = time.perf_counter()
        engine = make_engine(settings.database_url)
        upgrade(engine)
        with Session(engine, expire_on_commit=False) as session:
            institution, _key = register_institution(
                session, settings, slug="bench-university", name="Bench University"
            )
            session.commit()
            signer = signer_for(session, settings, institution)
            setup_seconds = time.perf_counter() - setup_start
            principal = Principal(
                role=ROLE_INSTITUTION, api_key_id="benchmark", institution=institution
            )

            steps = step_functions(signer, issuer_profile(institution))
            numbers = {key: calibrate(fn, min_time) for key, fn in steps.items()}
            step_rates = {key: Rates() for key in steps}
            batches = chunks(
                [sample_diploma_data(i) for i in range(batch_size)], settings.max_batch_size
            )
            step_rounds_per_chunk = -(-rounds // len(batches))  # ceil: at least ``rounds`` in all
            chunk_rates = Rates()
            total_seconds = total_cpu_seconds = 0.0
            for chunk in batches:
                gc.collect()
                wall, cpu = time.perf_counter(), time.process_time()
                issued = issue_diplomas(session, settings, principal, chunk, signer=signer)
                session.commit()
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                if len(issued.credentials) != len(chunk):
                    raise RuntimeError("issue_diplomas returned fewer credentials than asked")
                del issued
                chunk_rates.add(len(chunk), wall, cpu)
                total_seconds += wall
                total_cpu_seconds += cpu
                for _ in range(step_rounds_per_chunk):
                    for key, fn in steps.items():
                        run_round(fn, numbers[key], step_rates[key])
        engine.dispose()
        database_bytes = sum(p.stat().st_size for p in Path(tmp).iterdir())

    for key, label in STEP_LABELS.items():
        results.add(Figure(key, label, step_rates[key], "ed25519.sign"))
    label = f"issue_diplomas + commit, per chunk of {settings.max_batch_size:,}"
    results.add(Figure("batch", label, chunk_rates, "ed25519.sign"))
    results.extra["batch"] = {
        "diplomas": batch_size,
        "chunk_size": settings.max_batch_size,
        "chunk_sizes": [len(chunk) for chunk in batches],
        "setup_seconds": setup_seconds,
        "total_seconds": total_seconds,
        "total_cpu_seconds": total_cpu_seconds,
        "overall_per_second": batch_size / total_seconds,
        "database_bytes": database_bytes,
    }


def breakdown(results: Results) -> dict[str, Any]:
    """Split the per-diploma batch CPU time into the separately timed steps and a residual.

    CPU time, not wall time: the steps and the batch run at different moments, and on a
    shared machine other processes inflate their wall times by different amounts.
    """
    per_diploma_us = 1e6 / results.figures["batch"].cpu_median
    steps = {
        key.removeprefix("step."): 1e6 / results.figures[key].cpu_median for key in STEP_LABELS
    }
    steps["store+other (residual)"] = per_diploma_us - sum(steps.values())
    return {
        "basis": "median CPU time of this process",
        "per_diploma_cpu_us": per_diploma_us,
        "steps_cpu_us": steps,
        "steps_share": {name: us / per_diploma_us for name, us in steps.items()},
    }


# --- output --------------------------------------------------------------------------------------


def _rate(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"


def _us(rate: float) -> str:
    us = 1e6 / rate
    return f"{us:,.1f}" if us < 1000 else f"{us:,.0f}"


BASELINE_NAMES: Final[Mapping[str, str]] = {
    "ed25519.sign": "bare Ed25519 sign",
    "ed25519.verify": "bare Ed25519 verify",
}


def _times(ratio: float | None) -> str:
    return "" if ratio is None else f"{ratio:,.1f}×"


def cpu_share(results: Results) -> float:
    """This process's CPU time as a share of the wall time of all timed rounds and chunks."""
    rates = [figure.rates for figure in results.figures.values()]
    return sum(sum(r.cpu_seconds) for r in rates) / sum(sum(r.wall_seconds) for r in rates)


def render_node(results: Results, console: Console) -> None:
    """The ours/theirs rows of the Digital Bazaar (Node) section, if it ran."""
    node = results.extra.get("node") or {}
    ratios = node.get("ours_over_theirs")
    if not ratios:
        return
    versions = node["versions"]
    names = ("@digitalbazaar/vc", "@digitalbazaar/data-integrity", "jsonld", "rdf-canonize")
    console.print(
        f"Digital Bazaar: Node {versions.get('node')}, "
        + ", ".join(f"{name} {versions[name]}" for name in names if name in versions)
        + "; theirs = vc.verifyCredential (proof, verification method, purpose, dates)"
    )
    table = Table(show_lines=False, title="ours / theirs (per second; above 1 = ours faster)")
    table.add_column("comparison")
    table.add_column("ours / s", justify="right")
    table.add_column("theirs / s", justify="right")
    table.add_column("ours/theirs", justify="right")
    table.add_column("CPU-time ratio", justify="right")
    for label, ratio in ratios.items():
        table.add_row(
            f"{label} ({ratio['ours']} vs {ratio['theirs']})",
            _rate(results.figures[ratio["ours"]].median),
            _rate(results.figures[ratio["theirs"]].median),
            f"{ratio['ratio']:,.2f}",
            f"{ratio['cpu_ratio']:,.2f}",
        )
    console.print(table)
    for suite, note in (node.get("notes") or {}).items():
        console.print(f"[yellow]{suite}:[/yellow] {note}")


#: The figures of issue 18: label and target (a ratio to reach or pass; None: reported only).
TARGETS: Final[Mapping[str, tuple[str, float | None]]] = {
    "in_process": ("full in-process verification / bare Ed25519 verify", 0.70),
    "in_process.proof_set": ("the same, proof-set diploma as issued", None),
    "http": ("HTTP POST /credentials/verify / GET /healthz, 1 worker", 0.35),
    "http.proof_set": ("the same, proof-set diploma as issued", None),
    "node.jcs_full": ("our eddsa-jcs-2022 full verification / DB vc.verifyCredential", 2.5),
}


def target_figures(results: Results) -> dict[str, dict[str, Any]]:
    """The issue-18 ratios of this run (rate over baseline rate; above 1 = faster), each
    with its target when it has one: the JCS-only diploma (comparable with the earlier
    runs) and the proof-set diploma the service issues by default."""
    found: list[tuple[str, str | None, float]] = []
    verify = results.figures["ed25519.verify"].median
    found.append(("in_process", None, results.figures["verify_credential"].median / verify))
    if "verify_credential.proof_set" in results.figures:
        rate = results.figures["verify_credential.proof_set"].median
        found.append(("in_process.proof_set", None, rate / verify))
    http = results.extra.get("http") or {}
    for backend, result in (http.get("backends") or {}).items():
        endpoints = ((result.get("workers") or {}).get("1") or {}).get("endpoints") or {}
        for key, name in (("vcapi_jcs", "http"), ("vcapi", "http.proof_set")):
            ratio = (endpoints.get(key) or {}).get("healthz_rps_over_rps")
            if ratio:
                found.append((name, backend, 1 / ratio))
    node = (results.extra.get("node") or {}).get("ours_over_theirs") or {}
    full = node.get("eddsa-jcs-2022 full verify_credential")
    if full:
        found.append(("node.jcs_full", None, full["ratio"]))
    out: dict[str, dict[str, Any]] = {}
    for name, backend, value in found:
        label, target = TARGETS[name]
        out[name if backend is None else f"{name}.{backend}"] = {
            "label": label + (f" ({backend})" if backend else ""),
            "ratio": value,
            "target": target,
            "met": None if target is None else value >= target,
        }
    return out


def render_targets(results: Results, console: Console) -> None:
    table = Table(title="issue 18 figures (ratios of this run; above the target = met)")
    table.add_column("figure")
    table.add_column("this run", justify="right")
    table.add_column("target", justify="right")
    table.add_column("")
    for figure in results.extra.get("targets", {}).values():
        ratio, target = figure["ratio"], figure["target"]
        shown = f"{ratio:.0%}" if ratio < 1.5 else f"{ratio:.2f}×"
        wanted = "" if target is None else (f"≥ {target:.0%}" if target < 1.5 else f"≥ {target}×")
        met = "" if figure["met"] is None else ("met" if figure["met"] else "missed")
        table.add_row(figure["label"], shown, wanted, met)
    console.print(table)


def render(results: Results, console: Console) -> None:
    env = results.environment
    params = results.parameters
    diploma = results.extra["diploma"]
    console.print(
        f"[bold]diploma-exchange benchmark[/bold]  {env['cpu']}, {env['cores']} cores "
        f"({env['usable_cores']} usable), Python {env['python']}, cryptography "
        f"{env['cryptography']} ({env['openssl']}), rfc8785 {env['rfc8785']}"
    )
    console.print(
        f"median of {params['rounds']} rounds of >= {params['min_time']} s; diploma "
        f"{diploma['unsigned_json_bytes']:,} B unsigned / {diploma['signed_json_bytes']:,} B "
        f"signed JSON; load average {env['load_average_at_start'][0]:.2f} at start, "
        f"{results.extra['load_average_at_end'][0]:.2f} at end"
    )
    table = Table(show_lines=False)
    table.add_column("figure")
    table.add_column("per second", justify="right")
    table.add_column("µs / op", justify="right")
    table.add_column("spread", justify="right")
    table.add_column("× baseline time", justify="right")
    table.add_column("baseline")
    sections = {
        "ed25519.sign": "Baselines",
        "eddsa_jcs_2022.sign": "eddsa-jcs-2022",
        "verify_credential": "Verification",
        "eddsa_rdfc_2022.verify": "Digital Bazaar (Node), same diploma",
        "status.publish": "Bitstring Status List",
        "step.build": "Issuance steps (per diploma, timed between batch chunks)",
        "batch": f"Batch issuance of {results.extra['batch']['diplomas']:,} into SQLite",
    }
    for key, figure in results.figures.items():
        if key in sections:
            table.add_section()
            table.add_row(f"[bold]{sections[key]}[/bold]")
        table.add_row(
            figure.label,
            _rate(figure.median),
            _us(figure.median),
            f"±{figure.spread / 2:.0%}",
            _times(results.ratio(figure)),
            BASELINE_NAMES.get(figure.baseline or "", ""),
        )
    batch = results.extra["batch"]
    sign = results.figures["ed25519.sign"]
    table.add_row(
        f"whole batch: {len(batch['chunk_sizes'])} chunk(s), total time",
        _rate(batch["overall_per_second"]),
        _us(batch["overall_per_second"]),
        "",
        _times(sign.median / batch["overall_per_second"]),
        BASELINE_NAMES["ed25519.sign"],
    )
    console.print(table)
    render_node(results, console)
    console.print(
        f"CPU time / wall time over all timed rounds: {results.extra['cpu_share']:.1%} "
        "(well below 100% means other processes took the cores; rerun)"
    )

    split = results.extra["breakdown"]
    parts = ", ".join(
        f"{name} {us:,.0f} µs ({split['steps_share'][name]:.0%})"
        for name, us in split["steps_cpu_us"].items()
    )
    console.print(
        f"CPU time per diploma in the batch {split['per_diploma_cpu_us']:,.0f} µs = {parts}"
    )
    console.print(
        f"batch: {batch['diplomas']:,} diplomas in {batch['total_seconds']:.1f} s "
        f"({batch['total_cpu_seconds']:.1f} s CPU; +{batch['setup_seconds']:.2f} s schema and "
        f"institution setup); SQLite file {batch['database_bytes'] / 1e6:,.1f} MB"
    )


# --- main ----------------------------------------------------------------------------------------


def extra_sections(
    args: argparse.Namespace, backends: Sequence[str], results: Results, console: Console
) -> None:
    """The slower benchmarks, each with its own table, embedded in the same JSON."""
    import bulk_bench
    import http_bench
    import storage_scale

    if args.all or args.http:
        http = http_bench.run_http_benchmark(
            args.quick, backends=backends, nodelay_shim=False, console=console
        )
        results.extra["http"] = http
        http_bench.render(http, console)
    if args.all or args.scale:
        scale = storage_scale.run_storage_scale(args.quick, backends, console=console)
        results.extra["storage_scale"] = scale
        storage_scale.render(scale, console)
    if args.all or args.bulk:
        count = 15_000 if args.quick else 150_000
        bulk = bulk_bench.run_bulk_benchmark(count, backends, None, console)
        results.extra["bulk"] = bulk
        bulk_bench.render(bulk, console)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK_BATCH_SIZE:,} diplomas, {QUICK_ROUNDS} rounds of {QUICK_MIN_TIME} s",
    )
    parser.add_argument("--json-out", type=Path, default=DEFAULT_JSON_OUT)
    parser.add_argument(
        "--batch-size", type=int, help=f"diplomas to issue (default {BATCH_SIZE:,})"
    )
    parser.add_argument("--rounds", type=int, help=f"rounds per figure (default {ROUNDS})")
    parser.add_argument("--min-time", type=float, help=f"seconds per round (default {MIN_TIME})")
    parser.add_argument(
        "--all",
        action="store_true",
        help="also the HTTP, storage-scale and 150,000-diploma bulk benchmarks (tens of minutes)",
    )
    parser.add_argument("--http", action="store_true", help="also the HTTP benchmark")
    parser.add_argument("--scale", action="store_true", help="also latency at 10^3 vs 10^6 stored")
    parser.add_argument("--bulk", action="store_true", help="also 150,000 diplomas from CSV")
    parser.add_argument(
        "--backend",
        choices=("sqlite", "postgres", "both"),
        default="both",
        help="database(s) for --http, --scale and --bulk",
    )
    parser.add_argument(
        "--node-setup",
        action="store_true",
        help="run `npm ci` in benchmarks/node first (Digital Bazaar's verifiers, Node section)",
    )
    args = parser.parse_args(argv)
    if args.batch_size is None:
        args.batch_size = QUICK_BATCH_SIZE if args.quick else BATCH_SIZE
    if args.rounds is None:
        args.rounds = QUICK_ROUNDS if args.quick else ROUNDS
    if args.min_time is None:
        args.min_time = QUICK_MIN_TIME if args.quick else MIN_TIME
    if args.batch_size < 1 or args.rounds < 1 or args.min_time <= 0:
        parser.error("--batch-size and --rounds must be positive, --min-time above zero")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    # A table of ~110 columns; when piped (make bench | tee), rich would wrap it at 80.
    console = Console(width=None if sys.stdout.isatty() else 120)
    results = Results(
        environment=environment(),
        parameters={
            "rounds": args.rounds,
            "min_time": args.min_time,
            "batch_size": args.batch_size,
            "quick": args.quick,
            "breakdown_sample": BREAKDOWN_SAMPLE,
            "node_setup": args.node_setup,
        },
    )
    with console.status("Ed25519, eddsa-jcs-2022 and verification ..."):
        bench_crypto(results, args.rounds, args.min_time)
    node_skipped = node_setup(console) if args.node_setup else None
    if node_skipped is None:
        with console.status("eddsa-rdfc-2022, ours and Digital Bazaar's (Node) ..."):
            node_skipped = bench_node(results, args.rounds, args.min_time)
    else:
        results.extra["node"] = {"skipped": node_skipped}
    if node_skipped is not None:
        console.print(f"[yellow]Digital Bazaar (Node) section skipped:[/yellow] {node_skipped}")
    with console.status("status lists ..."):
        bench_status(results, args.rounds, args.min_time)
    with console.status(f"issuance steps, then a batch of {args.batch_size:,} diplomas ..."):
        bench_batch(results, args.batch_size, args.rounds, args.min_time)
    results.extra["breakdown"] = breakdown(results)
    backends = ("sqlite", "postgres") if args.backend == "both" else (args.backend,)
    extra_sections(args, backends, results, console)
    results.extra["targets"] = target_figures(results)
    results.extra["cpu_share"] = cpu_share(results)
    results.extra["load_average_at_end"] = list(os.getloadavg())
    results.extra["runtime_seconds"] = time.perf_counter() - started
    render(results, console)
    render_targets(results, console)
    console.print(f"whole script: {results.extra['runtime_seconds']:.1f} s")

    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps(results.to_json(), indent=2, ensure_ascii=False) + "\n")
    console.print(f"raw rounds, medians and ratios written to {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
