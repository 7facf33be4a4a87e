"""`verify --log-bundle --log-key`: a verifier abroad, with no database, checks from the
bundle that travelled with a diploma that it is in the issuer NIC's transparency log
(issue 17); a bundle of another diploma, or a bundle checked against no trusted log, never
makes `issuance.log` pass."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from cli_support import run_cli, write
from conftest import Tenant
from helpers import diploma_payload


def _issue(client: TestClient, kaznu: Tenant, number: int) -> dict[str, Any]:
    response = client.post("/v1/diplomas", json=diploma_payload(number), headers=kaznu.headers)
    assert response.status_code == 201, response.text
    return response.json()["verifiableCredential"]  # type: ignore[no-any-return]


def test_verify_with_the_bundle_that_travelled_with_the_diploma(
    client: TestClient, kaznu: Tenant, tmp_path: Path
) -> None:
    first, second = _issue(client, kaznu, 7), _issue(client, kaznu, 8)
    bundles = []
    for credential in (first, second):
        response = client.get(f"/v1/diplomas/{credential['id']}/log-bundle", headers=kaznu.headers)
        assert response.status_code == 200, response.text
        bundles.append(write(tmp_path, f"{len(bundles)}.log.json", response.json()))
    vkey = client.get("/log/v1/info").json()["vkey"]
    diploma = write(tmp_path, "diploma.json", first)
    did_doc = write(tmp_path, "did.json", client.get("/institutions/kaznu/did.json").json())
    offline = {"DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp_path}/absent/none.db"}
    base = ["verify", str(diploma), "--offline", "--json", "--did-document", str(did_doc)]
    base += ["--trust-issuer", kaznu.did]

    def log_check(*extra: str) -> dict[str, Any]:
        import json

        done = run_cli(*base, *extra, env=offline)
        report = json.loads(done.stdout)
        return next(c for c in report["checks"] if c["name"] == "issuance.log")  # type: ignore[no-any-return]

    included = log_check("--log-bundle", str(bundles[0]), "--log-key", vkey)
    assert (included["status"], included["code"]) == ("passed", "log.included"), included
    swapped = log_check("--log-bundle", str(bundles[1]), "--log-key", vkey)
    assert swapped["status"] == "error", swapped
    untrusted = log_check("--log-bundle", str(bundles[0]))
    assert untrusted["status"] == "error", untrusted
    assert log_check()["status"] == "skipped"
