"""The official test vectors, kept in the repository under ``tests/vectors/``.

Every vector a test uses is a file in this repository (copied from the W3C, IETF and 1EdTech
repositories; ``tests/vectors/SOURCES.md`` gives each file's repository, path, commit and
licence), so a clone in any folder runs every vector test. ``tools/sync_vectors.py`` compares
the copy with the workplace's shared vector folder and updates it.

``DIPLOMA_EXCHANGE_VECTORS`` points the tests at another copy. A missing vector is a failure,
never a skip: it means the copy is incomplete.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

ENV_VAR = "DIPLOMA_EXCHANGE_VECTORS"
BUNDLED = Path(__file__).resolve().parent / "vectors"


def vectors_dir() -> Path:
    """Return the vectors directory (the repository's copy unless overridden)."""
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override).resolve()
    return BUNDLED


def in_ci() -> bool:
    """Return whether the tests run in CI (``CI`` is ``true``/``1``/``yes``)."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def require(path: Path | str = ".") -> Path:
    """Return ``path`` (relative to :func:`vectors_dir` unless absolute); fail the calling test
    when it does not exist (the repository's copy is incomplete)."""
    full = Path(path) if Path(path).is_absolute() else vectors_dir() / path
    if not full.exists():
        pytest.fail(f"test vector not found at {full}; see tests/vectors/SOURCES.md")
    return full


def names(subdir: str, pattern: str = "*") -> list[str]:
    """File names in ``vectors_dir()/subdir`` matching ``pattern``, for parametrize.

    Returns ``["<missing>"]`` when the directory is absent, so that the test runs once and
    :func:`require` fails it (instead of an empty, silently skipped parameter set).
    """
    directory = vectors_dir() / subdir
    if not directory.is_dir():
        return ["<missing>"]
    return sorted(p.name for p in directory.glob(pattern) if p.is_file())


def jsonld_documents() -> list[tuple[str, dict[str, Any]]]:
    """Every JSON-LD document of the corpora (``tests/corpus``) and the vectors, and three
    sample diplomas: ``(name, document)``, for differential tests of JSON-LD processing."""
    from diploma_exchange.credentials.samples import sample_diploma_credential

    tests = Path(__file__).resolve().parent
    found: list[tuple[str, dict[str, Any]]] = []
    for root in (tests / "corpus", require(".")):
        for path in sorted(root.rglob("*.json*")):
            try:
                document = json.loads(path.read_text("utf-8"))
            except (UnicodeDecodeError, ValueError):
                continue
            if isinstance(document, dict) and "@context" in document:
                found.append((str(path.relative_to(tests)), document))
    found.extend((f"sample diploma {i}", sample_diploma_credential(i)) for i in range(3))
    return found
