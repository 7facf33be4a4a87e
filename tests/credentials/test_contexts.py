"""Bundled contexts and the offline document loader."""

from __future__ import annotations

import json
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


@pytest.mark.parametrize("url", sorted(u for u in CONTEXTS if u != DIPLOMA_CONTEXT_URL))
def test_bundled_copies_match_the_vectors(url: str) -> None:
    index = json.loads(require("contexts/index.json").read_text())
    source = require(f"contexts/{index[url]}")
    assert (CONTEXT_DIR / CONTEXTS[url]).read_bytes() == source.read_bytes()


def test_sources_document_every_file() -> None:
    sources = (CONTEXT_DIR / "SOURCES.md").read_text()
    for url, filename in CONTEXTS.items():
        assert f"| {filename} | {url} |" in sources


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/evil-context.jsonld",
        # Bundled since VC 1.1 credentials are verified; legacy suite contexts are not.
        "https://w3id.org/security/suites/ed25519-2020/v1",
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
