"""The Learner Credential Wallet's side of a VC-API exchange, played by the libraries LCW is
built on (``@digitalcredentials/vc``, ``Ed25519Signature2020``, DCC's security document
loader; ``node/lcw_exchange.mjs`` follows LCW's ``app/lib/exchanges.ts``) against the
running service over https: the diploma issued to its DID, then presented to a verifier's
exchange, verified, and a replay refused."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from helpers import diploma_payload
from interop_support import RunningService


@pytest.fixture(scope="module")
def lcw(
    node_harness: Path, service: RunningService, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    with service.client() as client:
        issued = client.post("/v1/diplomas", json=diploma_payload(6), headers=service.headers)
        assert issued.status_code == 201, issued.text
        diploma = issued.json()["verifiableCredential"]
        issuance = client.post(
            "/workflows/diploma-issuance/exchanges",
            json={"variables": {"credentialId": diploma["id"]}},
            headers=service.headers,
        )
        assert issuance.status_code == 201, issuance.text
        verification = client.post(
            "/workflows/diploma-verification/exchanges",
            json={"variables": {"label": "Admissions (interop)"}},
        )
        assert verification.status_code == 201, verification.text
    work = tmp_path_factory.mktemp("lcw")
    (work / "in.json").write_text(
        json.dumps(
            {
                "service": service.base,
                "issuance": issuance.json()["walletUrl"],
                "verification": verification.json()["walletUrl"],
            }
        )
    )
    done = subprocess.run(
        [
            shutil.which("node") or "node",
            str(node_harness / "lcw_exchange.mjs"),
            str(work / "in.json"),
            str(work / "out.json"),
        ],
        cwd=node_harness,
        env={"PATH": "/usr/bin:/bin", "NODE_EXTRA_CA_CERTS": str(service.ca)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    out: dict[str, Any] = json.loads((work / "out.json").read_text())
    assert "error" not in out, out["error"]
    with service.client() as client:
        made = verification.json()
        seen = client.get(made["id"], headers={"Authorization": f"Bearer {made['handle']}"})
        assert seen.status_code == 200, seen.text
        out["seen"] = seen.json()
    out["diploma"] = diploma
    return out


def test_lcw_receives_the_diploma_bound_to_its_did(lcw: dict[str, Any]) -> None:
    assert lcw["issuance"]["status"] == 200
    assert lcw["issuance"]["query"][0]["type"] == "DIDAuthentication"
    credential = lcw["credential"]
    assert credential["id"] == lcw["diploma"]["id"]
    assert credential["credentialSubject"]["id"] == lcw["did"]
    assert lcw["did"].startswith("did:key:z6Mk")


def test_lcw_presentation_verifies(lcw: dict[str, Any]) -> None:
    assert lcw["verification"]["status"] == 200
    assert lcw["verification"]["body"] == {}
    presented = lcw["verification"]["presented"]
    assert presented["proof"]["type"] == "Ed25519Signature2020"
    assert presented["holder"] == lcw["did"]
    seen = lcw["seen"]
    assert seen["state"] == "complete"
    outcome = seen["variables"]["results"]["presentDiploma"]
    assert outcome["subjectBinding"] == "bound"
    checks = {c["name"]: c for c in outcome["report"]["checks"]}
    for name in ("proof.signature", "proof.key-binding", "proof.holder-binding"):
        assert checks[name]["status"] == "passed", checks[name]
    # Every check passed: the default policy's verdict on the presented diploma.
    not_passed = {n for n, c in checks.items() if c["status"] not in ("passed", "skipped")}
    assert not_passed == set(), checks
    assert outcome["verdict"] == "valid"
    inner = outcome["report"]["credentials"][0]["checks"]
    assert {c["name"]: c["status"] for c in inner}["proof.signature"] == "passed"


def test_lcw_replay_is_refused(lcw: dict[str, Any]) -> None:
    assert lcw["replay"]["status"] == 409
    assert lcw["replay"]["body"]["code"] == "exchange-complete"
