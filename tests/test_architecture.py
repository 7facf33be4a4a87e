"""The domain core imports neither the web framework, the database, nor the settings."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "diploma_exchange"
DOMAIN = [
    "credentials",
    "proofs",
    "dids",
    "status",
    "trust",
    "verification",
    "recognition",
    "documents",
    "sharing",
    "transparency",
    "formats",
    "i18n",
    "errors.py",
    "strict_json.py",
]
FORBIDDEN = (
    "fastapi",
    "starlette",
    "sqlmodel",
    "sqlalchemy",
    "alembic",
    "uvicorn",
    "diploma_exchange.config",
    "diploma_exchange.db",
    "diploma_exchange.services",
    "diploma_exchange.api",
    "diploma_exchange.cli",
)


def _modules() -> list[Path]:
    files: list[Path] = []
    for entry in DOMAIN:
        path = SRC / entry
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return files


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_domain_core_is_independent(path: Path) -> None:
    bad = sorted(n for n in _imports(path) if n.startswith(FORBIDDEN))
    assert not bad, f"{path.relative_to(SRC)} imports {bad}; pass what it needs as arguments"


def test_the_domain_core_was_found() -> None:
    assert len(_modules()) > 10
