"""The secrets-in-logs scanner (tests/log_scan.py) finds what it must, and only that; the
session really records the suite's secrets and logs at DEBUG; the service's own logging keeps
share-link tokens and claim codes out."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

import log_scan
from diploma_exchange.api.serving import LOG_CONFIG, RedactSecretPaths, redact_path
from diploma_exchange.proofs import keys
from diploma_exchange.services import institutions
from diploma_exchange.services import sharing as sharing_service
from diploma_exchange.sharing import codes
from log_scan import SecretRegistry, ed25519_forms, scan_text

API_KEY = "dx_ABCDEFGHJKLM_" + secrets.token_urlsafe(32)


def sample_log(*lines: str) -> str:
    """A realistic log around ``lines``: SQL with digests, UUIDs, base64, long words."""
    sql = "SELECT api_keys.id FROM api_keys WHERE api_keys.prefix = %(prefix_1)s::VARCHAR"
    digest = hashlib.sha256(b"x").hexdigest()
    params = f"{{'digest': '{digest}', 'id': '0f8fad5b-d9cb-469f-a165-70867728950e'}}"
    blob = base64.b64encode(secrets.token_bytes(300)).decode()
    words = "internationalization responsibilities counterrevolutionaries"
    noise = [
        f"2026-07-01 12:00:00,001 INFO sqlalchemy.engine.Engine [1]: {sql}",
        f"2026-07-01 12:00:00,002 INFO sqlalchemy.engine.Engine [1]: [generated] {params}",
        f"2026-07-01 12:00:00,003 DEBUG diploma_exchange.x [1]: {blob}",
        f"2026-07-01 12:00:00,004 WARNING uvicorn.error [1]: {words}",
    ]
    return "\n".join([*noise[:2], *lines, *noise[2:]]) + "\n"


@pytest.fixture
def registry() -> SecretRegistry:
    return SecretRegistry()


def test_every_form_of_a_fresh_private_key_is_found(registry: SecretRegistry) -> None:
    key = keys.generate_private_key()
    registry.add_private_key(key)
    forms = ed25519_forms(key)
    assert {"hex", "HEX", "base64", "base64url", "base58btc", "multibase"} <= set(forms)
    assert forms["multibase"].startswith("z3u2")  # the project's secretKeyMultibase form
    for form, value in forms.items():
        log = sample_log(f"2026-07-01 12:00:00,005 DEBUG app [1]: key={value}!")
        findings = scan_text(log, registry, "sample.log")
        # (A seed without "+" or "/" has one literal for base64 and base64url: one finding.)
        assert [(f.secret.kind, f.secret.value, f.line_number) for f in findings] == [
            ("ed25519-private-key", value, 3)
        ], form
        assert value not in findings[0].redacted()
        assert "<ed25519-private-key:" in findings[0].redacted()


def test_a_padded_or_embedded_secret_is_found(registry: SecretRegistry) -> None:
    key = keys.generate_private_key()
    registry.add_private_key(key)
    seed_b64 = base64.b64encode(
        bytes.fromhex(ed25519_forms(key)["hex"])
    ).decode()  # with its "=" padding
    for line in (f"x{seed_b64}y", f'"d": "{seed_b64}"', seed_b64):
        assert len(scan_text(sample_log(line), registry)) == 1, line
    # At the very start and the very end of the text (sampling edges).
    hexed = ed25519_forms(key)["hex"]
    assert len(scan_text(hexed, registry)) == 1
    assert len(scan_text("a" * 7 + hexed, registry)) == 1


def test_api_keys_claim_codes_and_tokens_are_found(registry: SecretRegistry) -> None:
    registry.add_api_key(API_KEY)
    code = codes.new_claim_code()
    registry.add_claim_code(code)
    token = secrets.token_urlsafe(32)
    registry.add_token(token, "share-link-token")
    cases = {
        f"Authorization: Bearer {API_KEY}": ("api-key", "token"),
        f"secret={API_KEY[16:]}": ("api-key", "secret"),
        f"GET /claim/{code} 200": ("claim-code", "grouped"),
        f"typed {code.replace('-', '')}": ("claim-code", "ungrouped"),
        f"GET /s/{token}/report.json": ("share-link-token", "token"),
    }
    for line, (kind, form) in cases.items():
        found = {(f.secret.kind, f.secret.form) for f in scan_text(sample_log(line), registry)}
        assert (kind, form) in found, line


def test_a_log_without_secrets_is_clean(registry: SecretRegistry) -> None:
    key = keys.generate_private_key()
    registry.add_private_key(key)
    registry.add_api_key(API_KEY)
    token = secrets.token_urlsafe(32)
    registry.add_token(token, "session-token")
    # What the service may log about them: digests, prefixes, the public key, a redaction.
    harmless = [
        f"token_sha256={codes.digest(token)}",
        f"api key prefix {API_KEY[3:15]}",
        f"public key {keys.public_key_multibase(key.public_key())}",
        "GET /s/<redacted>/credential.json",
        f"almost: {token[:-1]}",  # one character short is not the secret
    ]
    assert scan_text(sample_log(*harmless), registry) == []
    assert scan_text("", registry) == []
    assert scan_text(sample_log(token), SecretRegistry()) == []


def test_short_secrets_are_refused_not_skipped(registry: SecretRegistry) -> None:
    with pytest.raises(ValueError, match="too short"):
        registry.add("pin", "digits", "123456")


def test_scanning_is_one_pass_over_many_secrets(registry: SecretRegistry) -> None:
    planted = []
    for _ in range(2000):
        token = secrets.token_urlsafe(32)
        registry.add_token(token, "session-token")
        planted.append(token)
    text = sample_log(*(f"line {i}" for i in range(20_000))) * 20  # ~6 MB
    text += f"\nleak {planted[1234]}\n"
    import time

    started = time.perf_counter()
    findings = scan_text(text, registry)
    assert time.perf_counter() - started < 5
    assert [f.secret.value for f in findings] == [planted[1234]]


# --- the session really records and logs ---------------------------------------------------------


def test_the_suite_s_secrets_are_recorded(engine: Engine) -> None:
    key = keys.generate_private_key()
    assert ed25519_forms(key)["multibase"] in log_scan.REGISTRY
    token = codes.new_token()
    assert token in log_scan.REGISTRY
    code = codes.new_claim_code()
    assert code.replace("-", "") in log_scan.REGISTRY
    with Session(engine) as session:
        _, api_key = institutions.create_api_key(session, role=institutions.ROLE_ADMIN)
    assert api_key in log_scan.REGISTRY
    assert api_key[16:] in log_scan.REGISTRY  # the secret part alone
    # The demo keys (keys/demo) are recorded from the start.
    demo = json.loads((log_scan.DEMO_KEYS / "api-keys.json").read_text("utf-8"))
    assert all(demo[name] in log_scan.REGISTRY for name in ("nic", "kaznu", "enu"))
    for name in ("nic", "kaznu", "enu"):
        pem = (log_scan.DEMO_KEYS / f"{name}.pem").read_bytes()
        loaded = keys.load_private_key(pem, b"demo-only-not-a-secret")
        assert ed25519_forms(loaded)["hex"] in log_scan.REGISTRY


def test_share_link_and_session_tokens_are_recorded_by_kind() -> None:
    def open_session() -> str:  # named like the service's function that asks for a token
        return codes.new_token()

    def create_link() -> str:
        return codes.new_token()

    assert log_scan.REGISTRY.kind_of(open_session()) == "session-token"
    assert log_scan.REGISTRY.kind_of(create_link()) == "share-link-token (create_link)"
    # Claim codes made in bulk-issuance workers are recorded when the parent stores them.
    for wrapped in (sharing_service.store_new_claim_codes, institutions.create_api_key):
        assert getattr(wrapped, "__log_scan__", False), wrapped


@pytest.fixture
def session_log_tail() -> Iterator[Path]:
    path = log_scan.session_log()
    yield path


def test_records_of_every_level_reach_the_session_log(session_log_tail: Path) -> None:
    marker = secrets.token_hex(8)
    logging.getLogger("diploma_exchange.test").debug("debug marker %s", marker)
    logging.getLogger("sqlalchemy.engine.Engine").info("sql marker %s", marker)
    logging.getLogger("uvicorn.access").info("access marker %s", marker)
    try:
        raise RuntimeError(f"traceback marker {marker}")
    except RuntimeError:
        logging.getLogger("diploma_exchange.test").exception("failed")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = session_log_tail.read_text("utf-8")
    for what in ("debug marker", "sql marker", "access marker", "traceback marker"):
        assert f"{what} {marker}" in text, what


# --- the service's own logging --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/s/AbC_d-123xyz", "/s/<redacted>"),
        ("/s/AbC_d-123xyz/credential.json?country=KZ", "/s/<redacted>/credential.json?country=KZ"),
        ("/claim/ABCDE-FGHJK-MNPQR-STVWX-YZ012", "/claim/<redacted>"),
        ("/claim", "/claim"),
        ("/v1/diplomas/urn:uuid:1", "/v1/diplomas/urn:uuid:1"),
        ("/static/s/x.css", "/static/s/x.css"),
        ("/verify/wallet/h4nDl3-xyz", "/verify/wallet/<redacted>"),
        ("/v1/presentation-requests/h4nDl3-xyz", "/v1/presentation-requests/<redacted>"),
        ("/v1/presentation-requests", "/v1/presentation-requests"),
        ("/verify/wallet/lcw/h4nDl3-xyz", "/verify/wallet/lcw/<redacted>"),
        ("/verify/wallet/lcw", "/verify/wallet/lcw"),
        ("/verify/wallet", "/verify/wallet"),
        ("/workflows/diploma-issuance/exchanges", "/workflows/diploma-issuance/exchanges"),
        (
            "/workflows/diploma-issuance/exchanges/z19x-abc/protocols?iuv=1",
            "/workflows/diploma-issuance/exchanges/<redacted>/protocols?iuv=1",
        ),
    ],
)
def test_access_log_redacts_share_and_claim_paths(path: str, logged: str) -> None:
    assert redact_path(path) == logged
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", path, "1.1", 200),
        None,
    )
    assert RedactSecretPaths().filter(record)
    assert record.getMessage() == f'127.0.0.1:5000 - "GET {logged} HTTP/1.1" 200'
    assert LOG_CONFIG["handlers"]["access"]["filters"] == ["redact_secret_paths"]


#: Path parameters that carry a secret (a bearer credential in the URL). Every route naming
#: one must have its access-log line redacted (``SECRET_PATH_PREFIXES``).
SECRET_PARAMETERS = ("token", "handle", "code", "exchange_id")
#: Routes whose parameter has a secret's name but is public.
PUBLIC_ROUTES = {"/v1/recognition/countries/{code}"}


def test_every_secret_path_parameter_is_redacted(settings: object) -> None:
    import re

    from diploma_exchange.config import Settings
    from test_authorization_matrix import application_routes

    assert isinstance(settings, Settings)
    marker = "S3cr3t-Value_0123456789abcdef"
    checked = 0
    for _, path in sorted(application_routes(settings)):
        names = re.findall(r"{([^}:]+)", path)
        secret = [n for n in names if n in SECRET_PARAMETERS]
        if not secret or path in PUBLIC_ROUTES:
            continue
        fill = dict.fromkeys(names, "x-1") | dict.fromkeys(secret, marker)
        concrete = re.sub(r"{([^}:]+)[^}]*}", lambda m, fill=fill: fill[m[1]], path)
        logged = redact_path(concrete + "?lang=kk")
        assert marker not in logged, f"{path}: its secret segment is logged ({logged})"
        checked += 1
    assert checked >= 10, "the route table should have share links, claims and exchanges"


def test_an_unhandled_error_on_a_share_link_does_not_log_the_token(
    settings: object, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    from diploma_exchange.api.app import create_app
    from diploma_exchange.config import Settings

    assert isinstance(settings, Settings)
    app = create_app(settings, engine)
    token = secrets.token_urlsafe(32)

    @app.get("/s/{token}/explode")
    def explode(token: str) -> None:
        raise RuntimeError("boom")

    with (
        TestClient(app, raise_server_exceptions=False) as client,
        caplog.at_level(logging.ERROR),
    ):
        response = client.get(f"/s/{token}/explode")
    assert response.status_code == 500
    messages = [r.getMessage() for r in caplog.records]
    assert "unhandled error on GET /s/{token}/explode" in messages
    assert not any(token in m for m in messages)
