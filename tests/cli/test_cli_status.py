"""The command line: revoke / suspend / reinstate against a local database, seen by `verify`."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cli_support import create_accredited
from helpers import diploma_payload

EXIT_VALID, EXIT_INVALID, EXIT_USAGE, EXIT_INPUT = 0, 1, 64, 65


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m diploma_exchange ...`` with only the given DIPLOMA_EXCHANGE_* settings."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("DIPLOMA_EXCHANGE_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "diploma_exchange", *args],
        capture_output=True,
        check=False,
        text=True,
        env=full_env,
        timeout=120,
    )


def write(folder: Path, name: str, data: Any) -> Path:
    path = folder / name
    path.write_text(json.dumps(data, ensure_ascii=False))
    return path


@dataclass
class LocalRegistry:
    """A local SQLite database with two institutions and a few diplomas issued by the CLI."""

    env: dict[str, str]
    db: Path
    files: list[Path]
    kbtu_did: str

    def credential(self, n: int) -> dict[str, Any]:
        return json.loads(self.files[n].read_text())  # type: ignore[no-any-return]

    def credential_id(self, n: int) -> str:
        return str(self.credential(n)["id"])

    def verify(self, n: int) -> tuple[int, dict[str, Any]]:
        result = run_cli("verify", str(self.files[n]), "--offline", "--json", env=self.env)
        assert result.returncode in (0, 1, 2), result.stdout + result.stderr
        return result.returncode, json.loads(result.stdout)

    def events(self, credential_id: str) -> list[tuple[str, str, str | None]]:
        with sqlite3.connect(self.db) as conn:
            rows = conn.execute(
                "SELECT action, reason_code, note FROM status_event WHERE credential_id = ? ORDER BY created_at",
                (credential_id,),
            ).fetchall()
        return [tuple(r) for r in rows]


def check(report: dict[str, Any], name: str) -> dict[str, Any]:
    found = [c for c in report["checks"] if c["name"] == name]
    assert len(found) == 1, report["checks"]
    return found[0]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> LocalRegistry:
    tmp = tmp_path_factory.mktemp("cli-status")
    db = tmp / "local.db"
    env = {
        "DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{db}",
        "DIPLOMA_EXCHANGE_PUBLIC_BASE_URL": "https://diplomas.example.kz",
    }
    created = create_accredited(env, "kbtu", "Kazakh-British Technical University")
    assert created.returncode == 0, created.stderr
    did = json.loads(created.stdout)["did"]
    other = create_accredited(env, "satbayev", "Satbayev University")
    assert other.returncode == 0, other.stderr
    source = write(tmp, "in.json", {"diplomas": [diploma_payload(10 + n) for n in range(4)]})
    out_dir = tmp / "out"
    issued = run_cli(
        "issue", str(source), "--institution", "kbtu", "--out-dir", str(out_dir), env=env
    )
    assert issued.returncode == 0, issued.stderr
    files = sorted(out_dir.glob("*.json"))  # one diploma per test
    assert len(files) == 4
    for file in files:
        assert json.loads(file.read_text())["issuer"]["id"] == did
    return LocalRegistry(env, db, files, did)


def test_revoke_makes_verify_fail(registry: LocalRegistry) -> None:
    code, report = registry.verify(0)
    assert code == EXIT_VALID, report
    assert check(report, "status.revocation")["status"] == "passed"
    cid = registry.credential_id(0)

    revoked = run_cli(
        "revoke",
        cid,
        "--institution",
        "kbtu",
        "--reason",
        "fraud",
        "--note",
        "forged transcript",
        "--json",
        env=registry.env,
    )
    assert revoked.returncode == 0, revoked.stdout + revoked.stderr
    assert json.loads(revoked.stdout) == {
        "credentialId": cid,
        "state": "revoked",
        "reasonCode": "fraud",
    }

    code, report = registry.verify(0)
    assert code == EXIT_INVALID, report
    assert report["verdict"] == "invalid"
    revocation = check(report, "status.revocation")
    assert (revocation["status"], revocation["code"]) == ("failed", "revoked")
    assert check(report, "proof.signature")["status"] == "passed"
    plain = run_cli("verify", str(registry.files[0]), "--offline", env=registry.env)
    assert plain.returncode == EXIT_INVALID and "INVALID" in plain.stdout

    # final: neither revoked again nor reinstated
    again = run_cli("revoke", cid, "--institution", "kbtu", "--reason", "fraud", env=registry.env)
    assert again.returncode == EXIT_INPUT, again.stdout + again.stderr
    assert "revoked" in again.stderr
    reinstate = run_cli(
        "reinstate", cid, "--institution", "kbtu", "--reason", "issued-in-error", env=registry.env
    )
    assert reinstate.returncode == EXIT_INPUT, reinstate.stdout + reinstate.stderr
    assert registry.verify(0)[0] == EXIT_INVALID
    assert registry.events(cid) == [("revoke", "fraud", "forged transcript")]


def test_suspend_then_reinstate(registry: LocalRegistry) -> None:
    cid = registry.credential_id(1)
    assert registry.verify(1)[0] == EXIT_VALID
    suspended = run_cli(
        "suspend",
        cid,
        "--institution",
        "kbtu",
        "--reason",
        "investigation",
        "--json",
        env=registry.env,
    )
    assert suspended.returncode == 0, suspended.stdout + suspended.stderr
    assert json.loads(suspended.stdout)["state"] == "suspended"

    code, report = registry.verify(1)
    assert code == EXIT_INVALID, report
    suspension = check(report, "status.suspension")
    assert (suspension["status"], suspension["code"]) == ("failed", "suspended")
    assert check(report, "status.revocation")["status"] == "passed"

    reinstated = run_cli(
        "reinstate",
        cid,
        "--institution",
        "kbtu",
        "--reason",
        "investigation-closed",
        "--json",
        env=registry.env,
    )
    assert reinstated.returncode == 0, reinstated.stdout + reinstated.stderr
    assert json.loads(reinstated.stdout)["state"] == "active"
    code, report = registry.verify(1)
    assert code == EXIT_VALID, report
    assert check(report, "status.suspension")["status"] == "passed"
    assert sorted(a for a, _, _ in registry.events(cid)) == ["reinstate", "suspend"]

    # the other diplomas were not touched
    assert registry.verify(3)[0] == EXIT_VALID


def test_refused_changes_leave_the_diploma_valid(registry: LocalRegistry) -> None:
    cid = registry.credential_id(2)
    refused = {
        "another institution": ["revoke", cid, "--institution", "satbayev", "--reason", "fraud"],
        "another institution suspending": [
            "suspend",
            cid,
            "--institution",
            "satbayev",
            "--reason",
            "investigation",
        ],
        "an unknown institution": ["revoke", cid, "--institution", "nowhere", "--reason", "fraud"],
        "an unknown reason": ["revoke", cid, "--institution", "kbtu", "--reason", "felt-like-it"],
        "a reason of another action": [
            "suspend",
            cid,
            "--institution",
            "kbtu",
            "--reason",
            "fraud",
        ],
        "reinstating an active diploma": [
            "reinstate",
            cid,
            "--institution",
            "kbtu",
            "--reason",
            "hold-lifted",
        ],
        "an unknown diploma": [
            "revoke",
            "urn:uuid:00000000-0000-4000-8000-000000000000",
            "--institution",
            "kbtu",
            "--reason",
            "fraud",
        ],
    }
    for what, args in refused.items():
        result = run_cli(*args, env=registry.env)
        assert result.returncode != 0, (what, result.stdout)
        assert result.returncode == EXIT_INPUT, (what, result.returncode, result.stderr)
        assert "error" in result.stderr.lower(), what
    wrong = run_cli(
        "revoke", cid, "--institution", "satbayev", "--reason", "fraud", env=registry.env
    )
    assert "issued" in wrong.stderr  # says why: only the issuing institution may
    missing_reason = run_cli("revoke", cid, "--institution", "kbtu", env=registry.env)
    assert missing_reason.returncode == EXIT_USAGE

    code, report = registry.verify(2)
    assert code == EXIT_VALID, report
    assert registry.events(cid) == []
