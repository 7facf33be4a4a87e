"""`keys rotate` / `keys compromise` from the command line, checked with `verify`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cli_support import create_accredited, run_cli, write
from helpers import diploma_payload


def test_rotate_then_compromise_from_the_cli(tmp_path: Path) -> None:
    env = {
        "DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp_path}/keys.db",
        "DIPLOMA_EXCHANGE_PUBLIC_BASE_URL": "https://diplomas.example.kz",
    }
    assert create_accredited(env, "kbtu", "KBTU").returncode == 0
    source = write(tmp_path, "in.json", [diploma_payload(0)])
    assert (
        run_cli(
            "issue", str(source), "--institution", "kbtu", "--out-dir", str(tmp_path / "a"), env=env
        ).returncode
        == 0
    )
    first = next((tmp_path / "a").glob("*.json"))
    signed_at = datetime.fromisoformat(json.loads(first.read_text())["proof"][0]["created"])

    rotated = run_cli("keys", "rotate", "--institution", "kbtu", "--note", "yearly", env=env)
    assert rotated.returncode == 0, rotated.stderr
    assert json.loads(rotated.stdout)["newKey"].endswith("#key-2")
    assert (
        run_cli("verify", str(first), "--offline", env=env).returncode == 0
    )  # old diploma still valid

    # The issuance register's time (what key.validity believes) and the transparency log's
    # own clock reading when it took the leaf (what issuance.log believes; deliberately not
    # the issuance's time, which an insider could back-date) can each be a second or two after
    # the proof's `created` on a loaded machine: the compromise comes after all three.
    report = json.loads(run_cli("verify", str(first), "--offline", "--json", env=env).stdout)
    checks = {c["name"]: c for c in report["checks"]}
    registered = datetime.fromisoformat(checks["issuance.record"]["details"]["issuedAt"])
    logged = datetime.fromisoformat(checks["issuance.log"]["details"]["loggedAt"])
    moment = (max(signed_at, registered, logged) + timedelta(seconds=1)).isoformat()
    compromised = run_cli(
        "keys", "compromise", "--institution", "kbtu", "--key-id", "key-1", "--at", moment, env=env
    )
    assert compromised.returncode == 0, compromised.stderr
    assert (
        run_cli("verify", str(first), "--offline", env=env).returncode == 0
    )  # signed before the compromise

    bad_time = run_cli(
        "keys",
        "compromise",
        "--institution",
        "kbtu",
        "--key-id",
        "key-2",
        "--at",
        "yesterday",
        env=env,
    )
    assert bad_time.returncode == 64
    naive = run_cli(
        "keys",
        "compromise",
        "--institution",
        "kbtu",
        "--key-id",
        "key-2",
        "--at",
        datetime.now(UTC).replace(tzinfo=None).isoformat(),
        env=env,
    )
    assert naive.returncode == 64
