"""The command line: verify exit codes, offline verification, local issuance, key generation."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cli_support import create_accredited, run_cli, write
from conftest import Tenant
from helpers import diploma_payload, set_at

EXIT_VALID, EXIT_INVALID, EXIT_INDETERMINATE, EXIT_USAGE = 0, 1, 2, 64


@pytest.fixture
def signed(client: TestClient, kaznu: Tenant) -> dict[str, Any]:
    response = client.post("/v1/diplomas", json=diploma_payload(2), headers=kaznu.headers)
    assert response.status_code == 201
    return response.json()["verifiableCredential"]  # type: ignore[no-any-return]


@pytest.fixture
def offline_env(tmp_path: Path) -> dict[str, str]:
    """A machine with nothing but the file: an empty, nonexistent database."""
    return {"DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp_path}/absent/none.db"}


def status_list_files(client: TestClient, credential: dict[str, Any], tmp_path: Path) -> list[str]:
    """The issuer's published status lists, saved as files (what --status-list takes)."""
    args: list[str] = []
    for n, entry in enumerate(credential["credentialStatus"]):
        path = "/" + entry["statusListCredential"].split("/", 3)[3]
        response = client.get(path)
        assert response.status_code == 200
        args += ["--status-list", str(write(tmp_path, f"list{n}.json", response.json()))]
    return args


def test_verify_with_only_the_file(
    client: TestClient,
    kaznu: Tenant,
    signed: dict[str, Any],
    tmp_path: Path,
    offline_env: dict[str, str],
) -> None:
    """Issued by the API; verified by the CLI on a 'machine' with the file and the DID document."""
    diploma = write(tmp_path, "diploma.json", signed)
    did_doc = write(tmp_path, "did.json", client.get("/institutions/kaznu/did.json").json())
    args = ["verify", str(diploma), "--offline", "--did-document", str(did_doc)]
    without_lists = run_cli(*args, "--trust-issuer", kaznu.did, "--json", env=offline_env)
    assert without_lists.returncode == EXIT_INDETERMINATE, without_lists.stdout  # fail closed
    checks = {c["name"]: c["code"] for c in json.loads(without_lists.stdout)["checks"]}
    assert checks["status.revocation"] == "status-list-unavailable"
    args += status_list_files(client, signed, tmp_path)
    # --trust-issuer is the operator vouching for the issuer, its accreditation included: the
    # accreditation check is waived with that reason and the default policy can conclude.
    trusted = run_cli(*args, "--trust-issuer", kaznu.did, "--json", env=offline_env)
    assert trusted.returncode == EXIT_VALID, trusted.stdout + trusted.stderr
    checks = {c["name"]: c["code"] for c in json.loads(trusted.stdout)["checks"]}
    assert checks["issuer.accreditation"] == "vouched-by-operator"
    authentic = run_cli(
        *args, "--trust-issuer", kaznu.did, "--policy", "authenticity", env=offline_env
    )
    assert authentic.returncode == EXIT_VALID, authentic.stdout + authentic.stderr
    assert "VALID" in authentic.stdout
    unknown = run_cli(*args, "--json", env=offline_env)
    assert unknown.returncode == EXIT_INDETERMINATE, unknown.stdout + unknown.stderr
    report = json.loads(unknown.stdout)
    assert report["verdict"] == "indeterminate"


def test_verify_with_the_nics_trust_list(
    client: TestClient,
    kaznu: Tenant,
    nic: str,
    signed: dict[str, Any],
    tmp_path: Path,
    offline_env: dict[str, str],
) -> None:
    """A foreign verifier with the file, the issuing NIC's trust list and the NIC's key
    (exchanged out of band): valid, with the list as provenance, and no DID fetch needed."""
    diploma = write(tmp_path, "diploma.json", signed)
    trust_list = write(tmp_path, "trust-list.json", client.get("/trust-list").json())
    nic_key = client.get("/.well-known/did.json").json()["verificationMethod"][0][
        "publicKeyMultibase"
    ]
    lists = status_list_files(client, signed, tmp_path)
    args = ["verify", str(diploma), "--offline", *lists, "--trust-list", str(trust_list)]
    result = run_cli(*args, "--trusted-nic", f"{nic}={nic_key}", "--json", env=offline_env)
    assert result.returncode == EXIT_VALID, result.stdout + result.stderr
    checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    assert checks["issuer.trust"]["code"] == "listed-by-partner"
    assert "sequence" in checks["issuer.trust"]["message"]
    assert checks["issuer.accreditation"]["status"] == "passed"
    # the wrong key for the NIC: the list is refused outright
    other_key = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    refused = run_cli(*args, "--trusted-nic", f"{nic}={other_key}", env=offline_env)
    assert refused.returncode == 65, refused.stdout + refused.stderr
    # no key for the list's NIC at all
    missing = run_cli(*args, env=offline_env)
    assert missing.returncode == 65
    assert not (tmp_path / "absent").exists()  # verify never creates a database


def test_verify_tampered_file_exits_1(
    client: TestClient,
    kaznu: Tenant,
    signed: dict[str, Any],
    tmp_path: Path,
    offline_env: dict[str, str],
) -> None:
    forged = write(
        tmp_path,
        "forged.json",
        set_at(signed, "/credentialSubject/graduate/fullName/en", "Someone Else"),
    )
    did_doc = write(tmp_path, "did.json", client.get("/institutions/kaznu/did.json").json())
    lists = status_list_files(client, signed, tmp_path)
    result = run_cli(
        "verify",
        str(forged),
        "--policy",
        "authenticity",
        "--offline",
        "--did-document",
        str(did_doc),
        *lists,
        "--trust-issuer",
        kaznu.did,
        "--json",
        env=offline_env,
    )
    assert result.returncode == EXIT_INVALID, result.stdout + result.stderr
    checks = {c["name"]: c["status"] for c in json.loads(result.stdout)["checks"]}
    assert checks["proof.signature"] == "failed"


def test_verify_offline_without_the_did_document_is_indeterminate(
    signed: dict[str, Any], tmp_path: Path, offline_env: dict[str, str], kaznu: Tenant
) -> None:
    diploma = write(tmp_path, "diploma.json", signed)
    result = run_cli(
        "verify", str(diploma), "--offline", "--trust-issuer", kaznu.did, env=offline_env
    )
    assert result.returncode == EXIT_INDETERMINATE, result.stdout + result.stderr


def test_usage_errors_are_not_verdict_codes(tmp_path: Path, offline_env: dict[str, str]) -> None:
    assert run_cli("verify", env=offline_env).returncode == EXIT_USAGE
    assert run_cli("verify", "--no-such-flag", "x", env=offline_env).returncode == EXIT_USAGE
    assert (
        run_cli("verify", str(tmp_path / "missing.json"), env=offline_env).returncode == EXIT_USAGE
    )
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert run_cli("verify", str(bad), env=offline_env).returncode == 65


def test_keys_generate(tmp_path: Path) -> None:
    out = tmp_path / "k.pem"
    result = run_cli(
        "keys",
        "generate",
        "--out",
        str(out),
        env={"DIPLOMA_EXCHANGE_KEY_PASSPHRASE": "correct horse"},
    )
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["didKey"].startswith("did:key:z6Mk")
    assert out.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert "correct horse" not in result.stdout + result.stderr
    no_phrase = run_cli("keys", "generate", "--out", str(tmp_path / "k2.pem"))
    assert no_phrase.returncode == EXIT_USAGE


def test_cli_issue_then_verify_against_local_registry(tmp_path: Path, project_root: Path) -> None:
    """`issue` signs locally with the institution's key; `verify` resolves it from the same db."""
    env = {
        "DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp_path}/local.db",
        "DIPLOMA_EXCHANGE_PUBLIC_BASE_URL": "https://diplomas.example.kz",
    }
    created = create_accredited(env, "kbtu", "Kazakh-British Technical University")
    assert created.returncode == 0, created.stderr
    source = write(tmp_path, "in.json", {"diplomas": [diploma_payload(3), diploma_payload(4)]})
    out_dir = tmp_path / "out"
    issued = run_cli(
        "issue", str(source), "--institution", "kbtu", "--out-dir", str(out_dir), env=env
    )
    assert issued.returncode == 0, issued.stderr
    files = sorted(out_dir.glob("*.json"))
    assert len(files) == 2
    claims = list(csv.DictReader((out_dir / "claim-codes.csv").open(encoding="utf-8")))
    assert len(claims) == 2 and all(len(row["claim_code"]) == 29 for row in claims)
    assert {row["holder"] for row in claims} >= {diploma_payload(3)["full_name"]["en"]}
    assert (out_dir / "claim-codes.csv").stat().st_mode & 0o077 == 0
    for file in files:
        result = run_cli("verify", str(file), "--offline", env=env)
        assert result.returncode == EXIT_VALID, result.stdout + result.stderr
    csv_issue = run_cli(
        "issue",
        str(project_root / "examples" / "graduating-class.csv"),
        "--institution",
        "kbtu",
        "--out-dir",
        str(tmp_path / "csv"),
        env=env,
    )
    assert csv_issue.returncode == 0, csv_issue.stderr
    assert len(list((tmp_path / "csv").glob("*.json"))) >= 3


def test_export_openapi(tmp_path: Path) -> None:
    out = tmp_path / "openapi.json"
    result = run_cli("export-openapi", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text())["openapi"].startswith("3.1")
