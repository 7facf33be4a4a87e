"""Supply chain: every dependency is pinned (with hashes) in requirements.lock, the installed
environment is the locked one, and the audit script fails on a vulnerability and never calls
an unchecked dependency clean."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s\\]+)")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _locked() -> dict[str, str]:
    pins: dict[str, str] = {}
    lines = (ROOT / "requirements.lock").read_text().splitlines()
    for i, line in enumerate(lines):
        match = PIN.match(line)
        if match:
            pins[_canonical(match.group(1))] = match.group(2)
            assert "--hash=sha256:" in lines[i + 1], f"{match.group(1)} is pinned without a hash"
    return pins


def test_every_declared_dependency_is_locked() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    locked = _locked()
    for requirement in declared:
        name = _canonical(re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0])
        assert name in locked, f"{name} is declared in pyproject.toml but not locked: make lock"


def test_the_installed_environment_is_the_locked_one() -> None:
    drift = []
    for name, version in _locked().items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            drift.append(f"{name} not installed")
            continue
        if installed != version:
            drift.append(f"{name} {installed} installed, {version} locked")
    assert not drift, drift


@pytest.fixture
def audit() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_deps", ROOT / ".ci/audit_dependencies.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _total() -> int:
    return len(_locked())


def test_a_known_vulnerability_fails_the_audit(
    audit: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        audit, "pip_audit", lambda service: (_total(), ["jinja2 3.0.0: GHSA-xxxx"], [])
    )
    monkeypatch.setattr(audit, "npm_audit", lambda: (True, [], "checked"))
    assert audit.main() == 1
    assert "GHSA-xxxx" in capsys.readouterr().out


def test_unchecked_dependencies_are_reported_not_audited(
    audit: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """pip-audit itself says "No known vulnerabilities" when it checked nothing."""
    monkeypatch.setattr(audit, "pip_audit", lambda service: (0, [], ["not found on PyPI"]))
    monkeypatch.setattr(audit, "npm_audit", lambda: (False, [], "405"))
    assert audit.main() == 0
    assert "NOT AUDITED" in capsys.readouterr().out
    monkeypatch.setattr(audit, "REQUIRED", True)
    assert audit.main() == 3


def test_a_clean_complete_audit_passes(audit: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit, "pip_audit", lambda service: (_total(), [], []))
    monkeypatch.setattr(audit, "npm_audit", lambda: (True, [], "checked"))
    assert audit.main() == 0
