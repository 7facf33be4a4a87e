"""`diploma-exchange log`: monitor an institution since a saved checkpoint, export a
diploma's bundle and verify it offline (exit codes 0 / 1 / 2 as for `verify`)."""

from __future__ import annotations

import json
from pathlib import Path

from cli_support import create_accredited, run_cli, write
from helpers import diploma_payload

EXIT_VALID, EXIT_INVALID, EXIT_INDETERMINATE = 0, 1, 2


def test_monitor_bundle_and_offline_verification(tmp_path: Path) -> None:
    env = {
        "DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp_path}/local.db",
        "DIPLOMA_EXCHANGE_PUBLIC_BASE_URL": "https://diplomas.example.kz",
        "DIPLOMA_EXCHANGE_KEY_PASSPHRASE": "cli-test-passphrase",
    }
    assert create_accredited(env, "kbtu", "KBTU").returncode == 0
    source = write(tmp_path, "in.json", {"diplomas": [diploma_payload(3)]})
    issued = run_cli(
        "issue", str(source), "--institution", "kbtu", "--out-dir", str(tmp_path / "a"), env=env
    )
    assert issued.returncode == 0, issued.stderr
    saved = tmp_path / "since.checkpoint"
    first = run_cli(
        "log", "monitor", "--institution", "kbtu", "--json", "--save", str(saved), env=env
    )
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["intact"] and len(report["issuances"]) == 1 and report["start"] == 0
    assert saved.read_text().startswith("diplomas.example.kz/log\n")

    source = write(tmp_path, "in2.json", {"diplomas": [diploma_payload(4)]})
    assert (
        run_cli(
            "issue", str(source), "--institution", "kbtu", "--out-dir", str(tmp_path / "b"), env=env
        ).returncode
        == 0
    )
    second = run_cli(
        "log", "monitor", "--institution", "kbtu", "--since", str(saved), "--json", env=env
    )
    assert second.returncode == 0, second.stderr
    later = json.loads(second.stdout)
    assert [i["digest"] for i in later["issuances"]] != [i["digest"] for i in report["issuances"]]
    assert len(later["issuances"]) == 1 and later["start"] == report["treeSize"]

    info = json.loads(run_cli("log", "info", env=env).stdout)
    diploma = next((tmp_path / "b").glob("urn*.json"), None) or next(
        p for p in (tmp_path / "b").glob("*.json")
    )
    credential = json.loads(diploma.read_text())
    bundle = tmp_path / "diploma.log.json"
    exported = run_cli("log", "bundle", credential["id"], "--out", str(bundle), env=env)
    assert exported.returncode == 0, exported.stderr
    offline = {"DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp_path}/absent/none.db"}
    ok = run_cli(
        "log", "verify-bundle", str(diploma), str(bundle), "--log-key", info["vkey"], env=offline
    )
    assert ok.returncode == EXIT_VALID, ok.stdout + ok.stderr
    assert "log.included" in ok.stdout
    # k-of-n with a witness that never cosigned: cannot be confirmed.
    needs = run_cli(
        "log",
        "verify-bundle",
        str(diploma),
        str(bundle),
        "--log-key",
        info["vkey"],
        "--witness",
        info["witnessVkey"],
        "--witnesses-required",
        "1",
        env=offline,
    )
    assert needs.returncode == EXIT_INDETERMINATE and "log.witnesses" in needs.stdout
    other = next(p for p in (tmp_path / "a").glob("*.json") if p.name != "claim-codes.csv")
    mismatch = run_cli(
        "log", "verify-bundle", str(other), str(bundle), "--log-key", info["vkey"], env=offline
    )
    assert mismatch.returncode == EXIT_INDETERMINATE and "log.not-in-bundle" in mismatch.stdout
