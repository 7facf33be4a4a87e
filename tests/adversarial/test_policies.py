"""Finding 9 of issue 12: policies read right. ``--trust-issuer`` is the operator vouching (the
accreditation check is waived, the verdict can be valid); dates, proof and status are part of
every policy; a check outside a policy is skipped, never an error beside a valid verdict."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from adversarial.support import alumni, did_key_signer, resign, write
from cli_support import run_cli

ENV = {"DIPLOMA_EXCHANGE_DATABASE_URL": "sqlite:///{tmp}/none.db"}


def cli_verify(tmp_path: Path, credential: object, *options: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = run_cli(
        "verify",
        str(write(tmp_path, "vc.json", credential)),
        "--offline",
        "--json",
        *options,
        env={"DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp_path}/none.db"},
    )
    assert result.returncode in (0, 1, 2), result.stdout + result.stderr
    return result.returncode, json.loads(result.stdout)


def test_trust_issuer_vouches_and_the_verdict_can_be_valid(tmp_path: Path) -> None:
    did, signer = did_key_signer()
    code, report = cli_verify(
        tmp_path,
        resign(alumni(did), signer, datetime(2024, 1, 2, tzinfo=UTC)),
        "--trust-issuer",
        did,
    )
    assert (code, report["verdict"]) == (0, "valid"), report
    accreditation = next(c for c in report["checks"] if c["name"] == "issuer.accreditation")
    assert accreditation["status"] == "skipped" and accreditation["waived"] is True
    assert "--trust-issuer" in accreditation["message"]


def test_the_authenticity_policy_still_checks_dates(tmp_path: Path) -> None:
    did, signer = did_key_signer()
    expired = resign(
        alumni(did, validUntil="2024-06-01T00:00:00Z"),
        signer,
        datetime(2024, 1, 2, tzinfo=UTC),
    )
    code, report = cli_verify(tmp_path, expired, "--trust-issuer", did, "--policy", "authenticity")
    assert (code, report["verdict"]) == (1, "invalid")
    period = next(c for c in report["checks"] if c["name"] == "validity.period")
    assert (period["status"], period["code"]) == ("failed", "expired")


def test_checks_outside_the_policy_are_skipped_not_errors(tmp_path: Path) -> None:
    did, signer = did_key_signer()
    valid = resign(alumni(did), signer, datetime(2024, 1, 2, tzinfo=UTC))
    code, report = cli_verify(tmp_path, valid, "--trust-issuer", did, "--policy", "authenticity")
    assert (code, report["verdict"]) == (0, "valid"), report
    assert not [c for c in report["checks"] if c["status"] == "error"]
    outside = {c["name"]: c["code"] for c in report["checks"] if not c["mandatory"]}
    assert outside["issuer.accreditation"] == "not-in-policy"
    assert outside["format.schema"] == "not-in-policy"


def test_the_human_report_never_shows_error_beside_valid(tmp_path: Path) -> None:
    did, signer = did_key_signer()
    valid = resign(alumni(did), signer, datetime(2024, 1, 2, tzinfo=UTC))
    result = run_cli(
        "verify",
        str(write(tmp_path, "vc.json", valid)),
        "--offline",
        "--trust-issuer",
        did,
        "--policy",
        "authenticity",
        env={"DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp_path}/none.db", "COLUMNS": "60"},
    )
    assert result.returncode == 0, result.stdout
    assert "VALID" in result.stdout and "ERROR" not in result.stdout
