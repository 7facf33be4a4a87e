"""Builds and runs ``gocheck`` (tests/transparency/gocheck/main.go): Go's
``golang.org/x/mod/sumdb/{note,tlog}`` checking this service's checkpoints, tiles and proofs.

Go and x/mod come from Debian (``golang-go``, ``golang-golang-x-mod-dev``, installed by
``.ci/run``) and are used in GOPATH mode from ``/usr/share/gocode``: nothing is downloaded.
Without them the tests skip on a developer's machine and fail under ``CI=true``.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from vector_files import in_ci

SOURCE = Path(__file__).resolve().parent / "transparency" / "gocheck"
GOPATH = Path("/usr/share/gocode")
X_MOD = GOPATH / "src" / "golang.org" / "x" / "mod" / "sumdb" / "tlog"


def build(workdir: Path) -> Path:
    go = shutil.which("go")
    if go is None or not X_MOD.is_dir():
        message = (
            "Go's sumdb/tlog is not installed: apt-get install golang-go "
            "golang-golang-x-mod-dev (.ci/run does)"
        )
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    binary = workdir / "gocheck"
    env = {
        **os.environ,
        "GO111MODULE": "off",
        "GOPATH": str(GOPATH),
        "GOCACHE": str(workdir / "gocache"),
        "GOFLAGS": "",
        "GOPROXY": "off",
    }
    done = subprocess.run(
        [go, "build", "-o", str(binary), "."],
        cwd=SOURCE,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return binary


def run(binary: Path, directory: Path) -> str:
    done = subprocess.run(
        [str(binary), str(directory)], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def write_dump(
    directory: Path,
    *,
    vkey: str,
    checkpoint: str,
    files: dict[str, bytes],
    inclusion: Sequence[tuple[int, int, Sequence[bytes]]] = (),
    consistency: Sequence[tuple[int, int, bytes, Sequence[bytes]]] = (),
    all_entries: bool = True,
) -> None:
    """Lay out a log dump as gocheck reads it: ``files`` maps C2SP paths to their bytes."""

    def b64(items: Sequence[bytes]) -> list[str]:
        return [base64.b64encode(h).decode() for h in items]

    directory.mkdir(parents=True, exist_ok=True)
    (directory / "vkey").write_text(vkey + "\n")
    (directory / "checkpoint").write_text(checkpoint)
    for path, data in files.items():
        target = directory / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    (directory / "proofs.json").write_text(
        json.dumps(
            {
                "allEntries": all_entries,
                "inclusion": [{"index": i, "size": n, "proof": b64(p)} for i, n, p in inclusion],
                "consistency": [
                    {
                        "first": m,
                        "second": n,
                        "firstRoot": base64.b64encode(r).decode(),
                        "proof": b64(p),
                    }
                    for m, n, r, p in consistency
                ],
            }
        )
    )


Fetch = Callable[[str], bytes]
