"""``tools/conformance.py`` (``make conformance``, run by CI): its copied inputs, its baseline
check and its timeouts. The suites themselves run in ``make conformance``, not here."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("conformance_tool", ROOT / "tools/conformance.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_copied_inputs_are_the_ones_sources_md_lists(tool: ModuleType) -> None:
    assert tool.check_inputs() == []
    listed = (ROOT / "tests/conformance/SOURCES.md").read_text()
    # the two inputs the shared copies leave out: the ecdsa key pairs, the data model inputs
    assert "vc-di-ecdsa-test-suite/tests/input/vc-di-ecdsa/TestVectors/p256KeyPair.json" in listed
    assert "vc-data-model-2.0-test-suite/tests/input/credential-ok.json" in listed


def test_a_changed_missing_or_unlisted_input_is_reported(
    tool: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = tmp_path / "inputs"
    shutil.copytree(tool.INPUTS, inputs)
    monkeypatch.setattr(tool, "INPUTS", inputs)
    ok = inputs / "vc-data-model-2.0-test-suite/tests/input/credential-ok.json"
    ok.write_text(ok.read_text().replace("VerifiableCredential", "VerifiableCredentiaI", 1))
    (
        inputs / "vc-di-ecdsa-test-suite/tests/input/vc-di-ecdsa/TestVectors/p384KeyPair.json"
    ).unlink()
    (inputs / "vc-data-model-2.0-test-suite/tests/input/extra.json").write_text("{}")
    assert tool.check_inputs() == [
        "vc-data-model-2.0-test-suite/tests/input/credential-ok.json: sha256 differs from SOURCES.md",
        "vc-di-ecdsa-test-suite/tests/input/vc-di-ecdsa/TestVectors/p384KeyPair.json: missing",
        "vc-data-model-2.0-test-suite/tests/input/extra.json: not listed in SOURCES.md",
    ]


def test_the_inputs_are_laid_over_the_suites_copy(
    tool: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ECDSA_VECTORS", raising=False)
    suite = tmp_path / "suites" / "vc-di-ecdsa-test-suite"
    (suite / "tests").mkdir(parents=True)
    (suite / "tests" / "setup.js").write_text("// the suite's own file")
    tool.add_missing_inputs(tmp_path, "vc-di-ecdsa-test-suite")
    keys = suite / "tests/input/vc-di-ecdsa/TestVectors"
    assert sorted(p.name for p in keys.iterdir()) == ["p256KeyPair.json", "p384KeyPair.json"]
    assert json.loads((keys / "p256KeyPair.json").read_text())["publicKeyMultibase"].startswith(
        "zDna"
    )
    assert (suite / "tests" / "setup.js").read_text() == "// the suite's own file"


def test_the_baseline_covers_the_four_suites(tool: ModuleType) -> None:
    baseline = tool.load_baseline(tool.BASELINE)
    assert sorted(baseline) == sorted(tool.SUITES)
    assert all(isinstance(v["passing"], int) and v["passing"] > 0 for v in baseline.values())


def test_below_the_baseline_or_not_run_fails_and_at_or_above_passes(tool: ModuleType) -> None:
    baseline = {s: {"passing": 10} for s in tool.SUITES}
    eddsa, ecdsa, model, bitstring = tool.SUITES
    rows, below = tool.compare(
        list(tool.SUITES),
        {eddsa: (10, 0, 0), ecdsa: (11, 1, 0), model: (9, 3, 0)},
        {bitstring: "npm ci timed out"},
        baseline,
    )
    assert [r[5] for r in rows] == [
        "ok",
        "ok (above: raise the baseline)",
        "BELOW BASELINE",
        "DID NOT RUN",
    ]
    assert below == [
        f"{model}: 9 passing, the baseline is 10",
        f"{bitstring}: npm ci timed out",
    ]
    rows, below = tool.compare([eddsa], {eddsa: (10, 2, 0)}, {}, baseline)
    assert below == []
    _, below = tool.compare([eddsa], {eddsa: (10, 0, 0)}, {}, {})
    assert below == [f"{eddsa}: not in the baseline"]


def test_a_run_that_outlives_its_timeout_is_killed_with_its_children(
    tool: ModuleType, tmp_path: Path
) -> None:
    pid_file = tmp_path / "child.pid"
    script = f"sleep 300 & echo $! > {pid_file}; wait"
    code, _ = tool.run_group(["sh", "-c", script], dict(os.environ), tmp_path, 1, tmp_path / "log")
    assert code is None
    child = int(pid_file.read_text())
    # the grandchild (as npm's node, mocha's workers) is gone too: reaped or a zombie at most
    for _ in range(100):  # SIGKILL is delivered asynchronously: let the kernel finish it
        state = subprocess.run(
            ["ps", "-o", "stat=", "-p", str(child)], capture_output=True, text=True, check=False
        ).stdout.strip()
        if state in {"", "Z"}:
            break
        time.sleep(0.1)
    assert state in {"", "Z"}, f"the grandchild {child} still runs ({state})"


def test_the_output_of_run_sh_is_read(tool: ModuleType) -> None:
    line = (
        "vc-di-eddsa-test-suite: 57 passing, 0 failing, 0 pending (/x/vc-di-eddsa-test-suite.txt)"
    )
    match = tool.RESULT.match(line)
    assert match is not None
    assert (match["suite"], match["passing"], match["failing"], match["pending"]) == (
        "vc-di-eddsa-test-suite",
        "57",
        "0",
        "0",
    )
    assert tool.RESULT.match("vc-di-eddsa-test-suite: npm install failed (see x)") is None


def test_an_unknown_suite_is_refused(tool: ModuleType) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools/conformance.py"), "vc-nothing"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "unknown suite vc-nothing" in done.stderr


def test_the_sd_holder_that_cannot_start_is_not_used(tool: ModuleType, tmp_path: Path) -> None:
    # Not installed: no holder. Installed without its libraries: node exits, nothing is left
    # running, and the sd interop test simply has no holder (SD_HOLDER_URL unset).
    assert tool.start_sd_holder(tmp_path) == (None, "")
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    suite = tmp_path / "suites" / "vc-di-ecdsa-test-suite"
    (suite / "node_modules").mkdir(parents=True)
    started = time.monotonic()
    assert tool.start_sd_holder(tmp_path) == (None, "")
    assert time.monotonic() - started < 30
    assert (suite / "sd-holder.mjs").read_text() == (
        ROOT / "tools" / "conformance_sd_holder.mjs"
    ).read_text()
