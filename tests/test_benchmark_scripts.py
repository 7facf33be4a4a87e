"""The benchmark scripts still run against today's schema (a benchmark is a separate command,
`make bench`, so nothing else would notice when a new NOT NULL column or table breaks its
synthetic rows). Tiny sizes: this checks that the code runs and writes its results, never a
time."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_storage_scale_fills_and_measures_both_backends(tmp_path: Path) -> None:
    out = tmp_path / "storage.json"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "storage_scale.py"),
            "--sizes",
            "60,120",
            "--verifications",
            "5",
            "--real",
            "3",
            "--backend",
            "both",
            "--json-out",
            str(out),
            "--profile-out",
            str(tmp_path / "profile.txt"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    backends = json.loads(out.read_text())["backends"]
    for backend in ("sqlite", "postgres"):
        sizes = backends[backend]["sizes"]
        assert set(sizes) == {"60", "120"}
        assert sizes["120"]["diplomas"] >= 120
        assert sizes["120"]["queries_per_verification"] > 0


def test_bulk_benchmark_issues_into_both_backends(tmp_path: Path) -> None:
    out = tmp_path / "bulk.json"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bulk_bench.py"),
            "--count",
            "30",
            "--backend",
            "both",
            "--workers",
            "1",
            "--json-out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert set(json.loads(out.read_text())["backends"]) == {"sqlite", "postgres"}
