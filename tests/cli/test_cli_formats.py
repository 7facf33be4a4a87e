"""``diploma-exchange verify FILE`` for any format, offline: the files beside the corpus stand
in for the network (--document URL=FILE), the operator vouches with --trust-issuer; the exit
code is the verdict (0 valid, 1 invalid, 2 indeterminate, 65 not a credential)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_support import run_cli

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "foreign" / "envelopes"
SD_JWT = CORPUS / "sd-jwt-vc" / "ietf-sd-jwt-vc-fig07-issued.txt"
METADATA = (
    "https://example.com/.well-known/jwt-vc-issuer/issuer="
    f"{CORPUS / 'sd-jwt-vc' / 'issuer-metadata-example-com-issuer.json'}"
)


@pytest.fixture
def offline_env(tmp_path: Path) -> dict[str, str]:
    return {"DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp_path}/absent/none.db"}


def test_an_sd_jwt_vc_with_its_issuer_metadata(offline_env: dict[str, str]) -> None:
    unknown = run_cli(
        "verify", str(SD_JWT), "--offline", "--document", METADATA, "--json", env=offline_env
    )
    assert unknown.returncode == 2, unknown.stderr
    report = json.loads(unknown.stdout)
    assert report["format"]["name"] == "sd-jwt-vc"
    checks = {c["name"]: c["code"] for c in report["checks"]}
    assert checks["proof.signature"] == "verified" and checks["issuer.trust"] == "unknown-issuer"
    vouched = run_cli(
        "verify",
        str(SD_JWT),
        "--offline",
        "--document",
        METADATA,
        "--trust-issuer",
        "https://example.com/issuer",
        env=offline_env,
    )
    assert vouched.returncode == 0, vouched.stdout + vouched.stderr
    assert "VALID" in vouched.stdout and "IETF SD-JWT" in vouched.stdout


def test_without_the_issuer_metadata_offline(offline_env: dict[str, str]) -> None:
    result = run_cli("verify", str(SD_JWT), "--offline", "--json", env=offline_env)
    assert result.returncode == 2
    checks = {c["name"]: c["code"] for c in json.loads(result.stdout)["checks"]}
    assert checks["proof.signature"] == "unresolvable-key"


def test_a_tampered_token_and_standard_input(offline_env: dict[str, str]) -> None:
    tampered = (CORPUS / "tbd-ssi-service" / "tbd-integration-credential.tampered.jwt").read_bytes()
    result = run_cli("verify", "-", "--offline", "--json", env=offline_env, stdin=tampered)
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["format"]["name"] == "vc-jwt"


def test_a_blockcerts_certificate_names_what_was_not_checked(offline_env: dict[str, str]) -> None:
    certificate = CORPUS / "blockcerts" / "mainnet-valid-2.0.json"
    result = run_cli("verify", str(certificate), "--offline", "--json", env=offline_env)
    assert result.returncode == 2
    checks = {c["name"]: c["code"] for c in json.loads(result.stdout)["checks"]}
    assert checks["proof.integrity"] == "merkle-proof-consistent"
    assert checks["proof.anchor"] == "anchor-not-checked"


def test_not_a_credential(offline_env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("shopping list: milk, bread")
    result = run_cli("verify", str(path), "--offline", env=offline_env)
    assert result.returncode == 65 and "not a credential" in result.stderr


def test_a_bad_document_option(offline_env: dict[str, str]) -> None:
    result = run_cli("verify", str(SD_JWT), "--document", "no-equals-sign", env=offline_env)
    assert result.returncode == 64
