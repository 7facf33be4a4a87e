"""verify --status-list URL=FILE: the list is found by the URL the credential names (a DCC
credential and the list the DCC publishes for it, from tests/corpus/foreign/data-integrity)."""

from __future__ import annotations

import json
from pathlib import Path

from cli_support import run_cli

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "foreign" / "data-integrity"
CREDENTIAL = CORPUS / "dcc-vc-test-fixtures" / "v2-ed25519-didKey-oidf-revokedStatus-noExpiry.json"
LIST = CORPUS / "support" / "status-lists" / "verifier-core-e5WK8CbZ1GjycuPombrj.json"
URL = (
    "https://raw.githubusercontent.com/digitalcredentials/verifier-core/refs/heads/main/"
    "src/test-fixtures/status/e5WK8CbZ1GjycuPombrj"
)


def revocation(tmp_path: Path, *extra: str) -> dict[str, str]:
    env = {"DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp_path}/absent/none.db"}
    result = run_cli("verify", str(CREDENTIAL), "--offline", "--json", *extra, env=env)
    assert result.returncode == 2, result.stdout + result.stderr  # indeterminate
    report = json.loads(result.stdout)
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["proof.signature"]["code"] == "verified"
    assert report["format"]["cryptosuites"] == ["Ed25519Signature2020"]
    return checks["status.revocation"]  # type: ignore[no-any-return]


def test_a_status_list_file_is_matched_by_the_url_the_credential_names(tmp_path: Path) -> None:
    # As a plain file it is matched by its own id, another URL: not found.
    assert revocation(tmp_path, "--status-list", str(LIST))["code"] == "status-list-unavailable"
    # Given for the URL the credential names, it is found, and then refused for what it is:
    # a list that calls itself another list cannot speak for this entry.
    found = revocation(tmp_path, "--status-list", f"{URL}={LIST}")
    assert found["code"] == "status-list-unverifiable"
    assert "testing.dcconsortium.org" in found["message"]
