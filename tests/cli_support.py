"""Helpers for running the command line in tests (a real subprocess, a clean environment)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any


def run_cli(
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    stdin: bytes | None = None,
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("DIPLOMA_EXCHANGE_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "diploma_exchange", *args],
        capture_output=True,
        check=False,
        text=True,
        env=full_env,
        cwd=cwd,
        input=stdin.decode() if stdin else None,
        timeout=120,
    )


def write(tmp_path: Path, name: str, data: Any) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False))
    return path


def create_accredited(
    env: dict[str, str], slug: str, name: str
) -> subprocess.CompletedProcess[str]:
    """Register an institution accredited (any level or field) by this service's NIC,
    creating the NIC identity first when it does not exist yet."""
    run_cli(
        "institutions", "create", "nic", "Test NIC", "--nic", env=env
    )  # fails harmlessly if present
    created = run_cli("institutions", "create", slug, name, env=env)
    if created.returncode != 0:
        return created
    accredited = run_cli(
        "institutions",
        "accredit",
        slug,
        "--body",
        "IAAR (test)",
        "--from",
        "2015-01-01T00:00:00Z",
        env=env,
    )
    assert accredited.returncode == 0, accredited.stderr
    return created
