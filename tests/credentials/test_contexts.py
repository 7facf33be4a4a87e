"""Bundled contexts and the offline document loader."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from diploma_exchange.credentials import (
    CONTEXTS,
    DIPLOMA_CONTEXT_URL,
    ContextNotBundled,
    document_loader,
    load_context,
)
from diploma_exchange.errors import InvalidCredential
from vector_files import require

CONTEXT_DIR = Path(__file__).resolve().parents[2] / "src/diploma_exchange/credentials/contexts"


@pytest.mark.parametrize("url", sorted(CONTEXTS))
def test_every_bundled_context_loads(url: str) -> None:
    document = load_context(url)
    assert "@context" in document
    remote = document_loader(url)
    assert remote["documentUrl"] == url and remote["document"] == document


VECTOR_CONTEXTS = json.loads(
    (Path(__file__).resolve().parents[1] / "vectors/contexts/index.json").read_text()
)


@pytest.mark.parametrize("url", sorted(VECTOR_CONTEXTS))
def test_bundled_copies_match_the_vectors(url: str) -> None:
    source = require(f"contexts/{VECTOR_CONTEXTS[url]}")
    assert (CONTEXT_DIR / CONTEXTS[url]).read_bytes() == source.read_bytes()


def test_sources_document_every_file() -> None:
    sources = (CONTEXT_DIR / "SOURCES.md").read_text()
    for url, filename in CONTEXTS.items():
        assert f"| {filename} | {url} |" in sources


def test_every_bundled_file_has_its_digest_in_sources() -> None:
    """Each row of SOURCES.md ends with the sha256 of the file as bundled; every file is
    listed and served (a context copied by hand, or edited, fails here)."""
    sources = (CONTEXT_DIR / "SOURCES.md").read_text()
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(
            r"^\| (\S+\.json(?:ld)?) \|.*\| ([0-9a-f]{64}) \|$", sources, re.MULTILINE
        )
    }
    files = {p.name for p in CONTEXT_DIR.iterdir() if p.suffix in (".json", ".jsonld")}
    assert set(rows) == files == set(CONTEXTS.values())
    for name, digest in rows.items():
        assert hashlib.sha256((CONTEXT_DIR / name).read_bytes()).hexdigest() == digest, name


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/evil-context.jsonld",
        # Neither a context of a suite verified here nor a published context at all.
        "https://w3id.org/security/suites/secp256k1-2019/v1",
        "https://w3id.org/dcc/v2",
        "https://w3id.org/diploma-exchange/v2",
    ],
)
def test_unknown_context_is_refused(url: str) -> None:
    with pytest.raises(ContextNotBundled) as caught:
        load_context(url)
    assert isinstance(caught.value, InvalidCredential)
    assert f"context {url} is not bundled; only offline contexts are allowed" in str(caught.value)
    with pytest.raises(ContextNotBundled):
        document_loader(url, {})


def test_load_context_returns_a_copy() -> None:
    first = load_context(DIPLOMA_CONTEXT_URL)
    first["@context"].clear()
    assert load_context(DIPLOMA_CONTEXT_URL)["@context"]


def test_project_context_is_protected_and_in_its_namespace() -> None:
    context = load_context(DIPLOMA_CONTEXT_URL)["@context"]
    assert context["@protected"] is True
    namespace = "https://w3id.org/diploma-exchange/vocab#"
    reused = ("https://schema.org/", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#")
    for term, definition in context.items():
        if term.startswith("@"):
            continue
        iri = definition["@id"] if isinstance(definition, dict) else definition
        assert iri.startswith((namespace, *reused)), term
