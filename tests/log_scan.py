"""Pytest plugin: no secret the test session creates may appear in any log.

For the whole session it

1. sends every log record, at DEBUG, to ``test-artifacts/log-scan/<run>/session.log`` (the
   message and any traceback): the root logger and the app's and libraries' loggers
   (``diploma_exchange``, ``sqlalchemy``, ``uvicorn``, ``httpx``, ``alembic``...);
2. records every secret the suite creates, in every form it could be logged in: API keys
   (``institutions.create_api_key``: the token and its secret part), Ed25519 and ECDSA
   private keys (generated, decoded or loaded, in ``proofs.keys`` and, underneath,
   ``cryptography``: raw seed as hex, base64, base64url, base58btc, the ``z3u2...``
   secret-key multibase, and the lines of the unencrypted PKCS#8 PEM), claim codes,
   share-link and session tokens (``sharing.codes``), and the demo keys in ``keys/demo``
   (PINs are four to twelve digits: far too short to tell apart from other numbers);
3. at the end scans the session log and the output of the servers that ``tests/e2e`` and
   ``tests/browser`` start (see :func:`server_log` and :func:`watch`), and fails the
   session (exit status 1), naming the secret's kind and the log line (redacted), if any
   secret appears.

Scanning is one pass over the text whatever the number of secrets: every secret form is at
least ``MIN_SECRET`` characters long, so an occurrence always covers a text position that is
a multiple of ``STRIDE``, and the ``GRAM``-character window there is one of the first
``STRIDE`` windows of the secret. Those windows go into a dict; the text is sampled every
``STRIDE`` characters, and only a window hit is compared in full.

``DIPLOMA_EXCHANGE_TEST_LOG_SCAN=0`` turns the plugin off (e.g. to profile the suite).
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from diploma_exchange.config import DEMO_KEY_PASSPHRASE
from diploma_exchange.proofs import keys
from diploma_exchange.proofs.multibase import ED25519_PRIV_MULTICODEC, encode_base58btc
from diploma_exchange.services import institutions, sharing
from diploma_exchange.sharing import codes

ROOT: Final = Path(__file__).resolve().parents[1]
ARTIFACTS: Final = ROOT / "test-artifacts" / "log-scan"
DEMO_KEYS: Final = ROOT / "keys" / "demo"

MIN_SECRET: Final = 24
GRAM: Final = 12
STRIDE: Final = MIN_SECRET - GRAM + 1

#: Loggers that may not log to the root by default, or log only above DEBUG.
LOGGERS: Final = (
    "diploma_exchange",
    "sqlalchemy",
    "alembic",
    "uvicorn",
    "uvicorn.error",
    "uvicorn.access",
    "httpx",
    "httpcore",
    "starlette",
    "fastapi",
    "multipart",
    "asyncio",
)
#: SQLAlchemy at DEBUG writes every result row and pool checkout: 90 % of the log and twice
#: the suite's run time. INFO keeps every statement with its parameters (what the service
#: sends to the database), which is where a plaintext secret would show.
QUIETER: Final = {
    "sqlalchemy": int(os.environ.get("DIPLOMA_EXCHANGE_TEST_SQL_LOG_LEVEL", logging.INFO)),
    "sqlalchemy.pool": logging.INFO,
    "sqlalchemy.orm": logging.INFO,
}


# --- secrets and their forms -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Secret:
    kind: str  # what it is: "api-key", "ed25519-private-key", ...
    form: str  # how it is written: "token", "hex", "multibase", ...
    value: str


def _pem_lines(private_key: Any) -> list[str]:
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return [line for line in pem.splitlines() if not line.startswith("-----")]


def _byte_forms(raw: bytes) -> dict[str, str]:
    return {
        "hex": raw.hex(),
        "HEX": raw.hex().upper(),
        "base64": base64.b64encode(raw).decode().rstrip("="),
        "base64url": base64.urlsafe_b64encode(raw).decode().rstrip("="),
        "base58btc": encode_base58btc(raw)[1:],
    }


def ed25519_forms(private_key: Ed25519PrivateKey) -> dict[str, str]:
    """Every form of an Ed25519 private key that this project (or a careless log) writes."""
    seed = private_key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    forms = _byte_forms(seed)
    forms["multibase"] = encode_base58btc(ED25519_PRIV_MULTICODEC + seed)
    forms.update({f"pkcs8-pem-line-{i}": line for i, line in enumerate(_pem_lines(private_key))})
    return forms


def ec_forms(private_key: ec.EllipticCurvePrivateKey) -> dict[str, str]:
    kind = keys.key_type(private_key.public_key())
    size = {keys.KeyType.P256: 32, keys.KeyType.P384: 48}[kind]
    scalar = private_key.private_numbers().private_value.to_bytes(size, "big")
    codec = keys.P256_PRIV_MULTICODEC if kind is keys.KeyType.P256 else keys.P384_PRIV_MULTICODEC
    forms = _byte_forms(scalar)
    forms["multibase"] = encode_base58btc(codec + scalar)
    forms.update({f"pkcs8-pem-line-{i}": line for i, line in enumerate(_pem_lines(private_key))})
    return forms


class SecretRegistry:
    """The secrets of a session, each in all its forms (literal -> :class:`Secret`)."""

    def __init__(self) -> None:
        self._secrets: dict[str, Secret] = {}
        self._index: dict[str, list[tuple[int, Secret]]] | None = None

    def __len__(self) -> int:
        return len(self._secrets)

    def __contains__(self, value: object) -> bool:
        return value in self._secrets

    def kind_of(self, value: str) -> str | None:
        secret = self._secrets.get(value)
        return secret.kind if secret else None

    def add(self, kind: str, form: str, value: str) -> None:
        """Record one literal; shorter than ``MIN_SECRET`` is an error (it cannot be scanned
        for without false alarms, so it must not be silently skipped)."""
        if len(value) < MIN_SECRET:
            raise ValueError(f"a {kind} ({form}) of {len(value)} characters is too short to scan")
        if value not in self._secrets:
            self._secrets[value] = Secret(kind, form, value)
            self._index = None

    def add_forms(self, kind: str, forms: dict[str, str]) -> None:
        for form, value in forms.items():
            if len(value) >= MIN_SECRET:  # e.g. the short last line of a PEM
                self.add(kind, form, value)

    def add_private_key(self, private_key: Any) -> None:
        if isinstance(private_key, Ed25519PrivateKey):
            self.add_forms("ed25519-private-key", ed25519_forms(private_key))
        elif isinstance(private_key, ec.EllipticCurvePrivateKey):
            self.add_forms("ec-private-key", ec_forms(private_key))

    def add_api_key(self, token: str, kind: str = "api-key") -> None:
        match = institutions.API_KEY_RE.fullmatch(token)
        if match is None:
            raise ValueError("not an API key (dx_<prefix>_<secret>)")
        self.add(kind, "token", token)
        self.add(kind, "secret", match.group(2))

    def add_claim_code(self, code: str) -> None:
        self.add("claim-code", "grouped", code)
        self.add("claim-code", "ungrouped", code.replace("-", ""))

    def add_token(self, token: str, kind: str) -> None:
        self.add(kind, "token", token)

    # The scan index: the first STRIDE GRAM-windows of every secret.
    def index(self) -> dict[str, list[tuple[int, Secret]]]:
        if self._index is None:
            index: dict[str, list[tuple[int, Secret]]] = {}
            for secret in self._secrets.values():
                for offset in range(STRIDE):
                    gram = secret.value[offset : offset + GRAM]
                    index.setdefault(gram, []).append((offset, secret))
            self._index = index
        return self._index


@dataclass(frozen=True, slots=True)
class Finding:
    secret: Secret
    source: str
    line_number: int
    line: str

    def redacted(self, limit: int = 300) -> str:
        text = self.line.replace(self.secret.value, f"<{self.secret.kind}:{self.secret.form}>")
        return text if len(text) <= limit else text[:limit] + "..."

    def __str__(self) -> str:
        return (
            f"{self.secret.kind} ({self.secret.form}) in {self.source}:{self.line_number}: "
            f"{self.redacted()}"
        )


def scan_text(text: str, registry: SecretRegistry, source: str = "<text>") -> list[Finding]:
    """Every occurrence of a recorded secret in ``text`` (one pass, see the module docstring)."""
    index = registry.index()
    if not index:
        return []
    found: dict[tuple[str, int], Finding] = {}
    get = index.get
    for position in range(0, max(len(text) - GRAM + 1, 0), STRIDE):
        candidates = get(text[position : position + GRAM])
        if candidates is None:
            continue
        for offset, secret in candidates:
            start = position - offset
            if start >= 0 and text.startswith(secret.value, start):
                line_start = text.rfind("\n", 0, start) + 1
                line_end = text.find("\n", start)
                line = text[line_start : line_end if line_end >= 0 else len(text)]
                number = text.count("\n", 0, start) + 1
                found.setdefault((secret.value, number), Finding(secret, source, number, line))
    return list(found.values())


def scan_files(paths: Iterable[Path], registry: SecretRegistry) -> list[Finding]:
    findings: list[Finding] = []
    for path in paths:
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            findings.extend(scan_text(text, registry, str(path)))
    return findings


# --- the session -------------------------------------------------------------------------------

REGISTRY = SecretRegistry()
_run_dir: Path | None = None
_watched: list[Path] = []
_handler: logging.Handler | None = None


def enabled() -> bool:
    return os.environ.get("DIPLOMA_EXCHANGE_TEST_LOG_SCAN", "1") != "0"


def run_dir() -> Path:
    """This session's artifact folder (one per run: agents and CI jobs may run in parallel)."""
    global _run_dir
    if _run_dir is None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        _run_dir = ARTIFACTS / f"{stamp}-{os.getpid()}"
        _run_dir.mkdir(parents=True, exist_ok=True)
    return _run_dir


def session_log() -> Path:
    return run_dir() / "session.log"


def server_log(name: str) -> Path:
    """A file for a server subprocess's stdout and stderr; it is scanned at the end."""
    folder = run_dir() / "servers"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}-{time.monotonic_ns()}.log"
    _watched.append(path)
    return path


def watch(path: Path) -> None:
    """Scan ``path`` (e.g. a server log kept elsewhere) at the end of the session too."""
    _watched.append(path)


def record(kind: str, value: str) -> None:
    """Record a secret created outside this process (e.g. an API key printed by the CLI)."""
    if kind == "api-key":
        REGISTRY.add_api_key(value)
    else:
        REGISTRY.add(kind, "literal", value)


_harness = threading.local()


def _mark_test_client_requests() -> None:
    """Flag the thread while a ``TestClient`` sends: its own ``HTTP Request: GET .../s/<token>``
    lines are the test (the graduate's browser) talking, not the service logging. The app
    runs in other threads, so nothing it logs meanwhile is dropped."""
    from starlette.testclient import TestClient

    original = TestClient.send
    if getattr(original, "__log_scan__", False):
        return

    @functools.wraps(original)
    def send(self: TestClient, *args: Any, **kwargs: Any) -> Any:
        _harness.active = True
        try:
            return original(self, *args, **kwargs)
        finally:
            _harness.active = False

    send.__log_scan__ = True  # type: ignore[attr-defined]
    TestClient.send = send  # type: ignore[method-assign]


class _DropTestClientRequests(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        harness = record.name.startswith(("httpx", "httpcore"))
        return not (harness and getattr(_harness, "active", False))


def _install_logging(path: Path) -> logging.Handler:
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(process)d]: %(message)s")
    )
    handler.addFilter(_DropTestClientRequests())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(logging.DEBUG)
        logger.propagate = True
    for name, level in QUIETER.items():
        logging.getLogger(name).setLevel(level)
    return handler


# --- recording: wrap every function that makes a secret -----------------------------------------


def _rebind(original: Any, replacement: Any) -> None:
    """Point every already imported alias of ``original`` (``from x import f``) at
    ``replacement``; later imports see the replaced module attribute."""
    for module in list(sys.modules.values()):
        namespace = getattr(module, "__dict__", None)
        if not isinstance(namespace, dict):
            continue
        for name, value in list(namespace.items()):
            if value is original:
                namespace[name] = replacement


def _wrap(owner: Any, name: str, after: Callable[[Any, tuple[Any, ...]], None]) -> None:
    original = getattr(owner, name)
    if getattr(original, "__log_scan__", False):
        return

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        after(result, args)
        return result

    wrapper.__log_scan__ = True  # type: ignore[attr-defined]
    setattr(owner, name, wrapper)
    _rebind(original, wrapper)


def _wrap_classmethod(cls: type, name: str, after: Callable[[Any], None]) -> None:
    original = getattr(cls, name)  # bound to cls
    if getattr(original, "__log_scan__", False):
        return

    def wrapper(klass: type, *args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        after(result)
        return result

    wrapper.__log_scan__ = True  # type: ignore[attr-defined]
    setattr(cls, name, classmethod(wrapper))


def _install_recorders(registry: SecretRegistry) -> None:
    add_key = registry.add_private_key
    # Underneath everything: cryptography's own constructors (tests make keys directly too).
    _wrap_classmethod(Ed25519PrivateKey, "generate", add_key)
    _wrap_classmethod(Ed25519PrivateKey, "from_private_bytes", add_key)
    _wrap(ec, "generate_private_key", lambda key, _: add_key(key))
    _wrap(ec, "derive_private_key", lambda key, _: add_key(key))
    _wrap(serialization, "load_pem_private_key", lambda key, _: add_key(key))
    _wrap(serialization, "load_der_private_key", lambda key, _: add_key(key))
    # The project's narrow door (proofs.keys), in case it ever stops using the above.
    for name in ("generate_private_key", "load_private_key", "private_key_from_multibase"):
        _wrap(keys, name, lambda key, _: add_key(key))
    for name in ("generate_ec_private_key", "ec_private_key_from_multibase"):
        _wrap(keys, name, lambda key, _: add_key(key))
    _wrap(institutions, "create_api_key", lambda result, _: registry.add_api_key(result[1]))
    _wrap(codes, "new_claim_code", lambda code, _: registry.add_claim_code(code))
    _wrap(codes, "new_token", lambda token, _: registry.add_token(token, _token_kind()))
    # Claim codes minted in bulk-issuance worker processes come back through here.
    _wrap(
        sharing,
        "store_new_claim_codes",
        lambda _, args: [registry.add_claim_code(code) for _, code in args[2]],
    )


def _token_kind() -> str:
    """Share-link or session token, from the function that asked for it."""
    caller = sys._getframe(3).f_code.co_name  # wrapper <- lambda <- _token_kind
    return {"open_session": "session-token"}.get(caller, f"share-link-token ({caller})")


def _record_demo_keys(registry: SecretRegistry) -> None:
    for pem in sorted(DEMO_KEYS.glob("*.pem")):
        registry.add_private_key(
            keys.load_private_key(pem.read_bytes(), DEMO_KEY_PASSPHRASE.encode())
        )
    api_keys = DEMO_KEYS / "api-keys.json"
    if api_keys.is_file():
        for name, token in json.loads(api_keys.read_text("utf-8")).items():
            if not name.startswith("_"):
                registry.add_api_key(token, kind="demo-api-key")


# --- hooks -------------------------------------------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    global _handler
    if not enabled() or _handler is not None:
        return
    _handler = _install_logging(session_log())
    _mark_test_client_requests()
    _install_recorders(REGISTRY)
    _record_demo_keys(REGISTRY)


def pytest_runtest_setup(item: pytest.Item) -> None:
    # Something (a test's logging.config call) may have dropped the handler: put it back.
    root = logging.getLogger()
    if _handler is not None and _handler not in root.handlers:
        root.addHandler(_handler)
        root.setLevel(logging.DEBUG)


def _scanned_files() -> Iterator[Path]:
    yield session_log()
    yield from _watched


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _handler is None:
        return
    _handler.flush()
    started = time.perf_counter()
    files = list(dict.fromkeys(_scanned_files()))
    kept = run_dir() / "servers"
    for path in files[1:]:  # keep a copy of logs that live in temporary folders
        if path.is_file() and kept not in path.parents:
            kept.mkdir(exist_ok=True)
            shutil.copy(path, kept / f"{path.parent.name}-{path.name}")
    findings = scan_files(files, REGISTRY)
    size = sum(p.stat().st_size for p in files if p.is_file())
    elapsed = time.perf_counter() - started
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    write: Callable[[str], None] = (
        reporter.write_line if reporter is not None else lambda s: print(s)
    )
    summary = (
        f"log scan: {len(REGISTRY)} secret forms, {len(files)} log file(s), "
        f"{size / 1e6:.1f} MB in {elapsed:.2f} s ({run_dir()})"
    )
    write("")
    if not findings:
        write(summary + ": no secrets")
        return
    write(f"{summary}: {len(findings)} SECRET(S) IN LOGS")
    for finding in findings[:25]:
        write(f"  {finding}")
    # Also as a file beside the logs: CI keeps test-artifacts/, and a long run's terminal
    # output may be cut before these lines.
    (run_dir() / "findings.txt").write_text(
        "".join(f"{finding}\n" for finding in findings), encoding="utf-8"
    )
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
