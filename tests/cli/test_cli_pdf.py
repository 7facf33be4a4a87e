"""`diploma-exchange verify diploma.pdf`: the credential inside is verified, and the PDF's seal
is reported (a changed PDF says so; without the NIC's certificates the seal is not trusted)."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from cli.test_cli import EXIT_VALID, status_list_files
from cli_support import run_cli, write
from conftest import Tenant
from helpers import diploma_payload


def test_verify_a_pdf_offline_reports_its_seal(
    client: TestClient, kaznu: Tenant, tmp_path: Path
) -> None:
    issued = client.post("/v1/diplomas", json=diploma_payload(3), headers=kaznu.headers)
    credential = issued.json()["verifiableCredential"]
    pdf = client.get(f"/v1/diplomas/{credential['id']}/diploma.pdf", headers=kaznu.headers)
    assert pdf.status_code == 200
    sealed = tmp_path / "diploma.pdf"
    sealed.write_bytes(pdf.content)
    at = pdf.content.index(b"authoritative")
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(pdf.content[:at] + b"A" + pdf.content[at + 1 :])
    did_doc = write(tmp_path, "did.json", client.get("/institutions/kaznu/did.json").json())
    env = {"DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp_path}/absent/none.db"}
    args = [
        "--offline",
        "--did-document",
        str(did_doc),
        "--trust-issuer",
        kaznu.did,
        "--json",
        *status_list_files(client, credential, tmp_path),
    ]
    result = run_cli("verify", str(sealed), *args, env=env)
    assert result.returncode == EXIT_VALID, result.stdout + result.stderr
    checks = {c["name"]: c["code"] for c in json.loads(result.stdout)["checks"]}
    assert checks["document.seal"] == "seal.untrusted"  # no NIC certificate on this machine
    result = run_cli("verify", str(changed), *args, env=env)
    assert result.returncode == EXIT_VALID, result.stdout + result.stderr  # the credential is
    checks = {c["name"]: c["code"] for c in json.loads(result.stdout)["checks"]}
    assert checks["document.seal"] == "seal.modified"
