"""Locate the shared test vectors (``../shared/vectors`` next to the project) for tests.

The vectors are never copied into the project. ``DIPLOMA_EXCHANGE_VECTORS`` overrides the
location. A missing vector skips the test locally and fails it in CI (``CI=true``), so
that CI cannot pass by silently skipping the conformance tests.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ENV_VAR = "DIPLOMA_EXCHANGE_VECTORS"


def vectors_dir() -> Path:
    """Return the vectors directory (it may not exist; see :func:`require`)."""
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override).resolve()
    return (Path(__file__).resolve().parents[1] / ".." / "shared" / "vectors").resolve()


def in_ci() -> bool:
    """Return whether the tests run in CI (``CI`` is ``true``/``1``/``yes``)."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def require(path: Path | str = ".") -> Path:
    """Return ``path`` (relative to :func:`vectors_dir` unless absolute) if it exists.

    Otherwise skip the calling test, or fail it when running in CI.
    """
    full = Path(path) if Path(path).is_absolute() else vectors_dir() / path
    if not full.exists():
        message = f"test vectors not found at {full}; set {ENV_VAR} or check out ../shared/vectors"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return full


def names(subdir: str, pattern: str = "*") -> list[str]:
    """File names in ``vectors_dir()/subdir`` matching ``pattern``, for parametrize.

    Returns ``["<missing>"]`` when the directory is absent, so that the test runs once and
    :func:`require` skips or fails it (instead of an empty, silently skipped parameter set).
    """
    directory = vectors_dir() / subdir
    if not directory.is_dir():
        return ["<missing>"]
    return sorted(p.name for p in directory.glob(pattern) if p.is_file())
