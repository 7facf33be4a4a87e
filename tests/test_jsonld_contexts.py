"""The memo of processed JSON-LD contexts (:mod:`diploma_exchange.jsonld_contexts`) changes
nothing but the time: every expansion equals plain pyld's, cold and warm, in any order."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pyld import jsonld  # type: ignore[import-untyped,unused-ignore]

from diploma_exchange import jsonld_contexts
from diploma_exchange.credentials.contexts import document_loader
from diploma_exchange.credentials.samples import sample_diploma_credential
from diploma_exchange.jsonld_lock import PYLD_LOCK
from vector_files import jsonld_documents

OPTIONS = {"documentLoader": document_loader, "base": "", "processingMode": "json-ld-1.1"}


def _expand(processor: Any, document: Any) -> Any:
    with PYLD_LOCK:
        try:
            return processor.expand(copy.deepcopy(document), dict(OPTIONS))
        except Exception as exc:  # noqa: BLE001 - the same failure is what is compared
            return ("raised", type(exc).__name__, getattr(exc, "code", None))


def test_the_memo_is_in_use_with_the_pinned_pyld() -> None:
    assert jsonld_contexts.ENABLED  # requirements.lock pins pyld 3.3.0


def test_every_corpus_document_expands_as_plain_pyld_cold_and_warm() -> None:
    documents = jsonld_documents()
    assert len(documents) >= 200
    plain = [_expand(jsonld.JsonLdProcessor(), document) for _, document in documents]
    jsonld_contexts.clear()
    cold = [_expand(jsonld_contexts.CachingProcessor(), document) for _, document in documents]
    hits = jsonld_contexts.STATS.hits
    # Warm, and in the reverse order: each document meets contexts memoised by others.
    warm = [
        _expand(jsonld_contexts.CachingProcessor(), document) for _, document in documents[::-1]
    ][::-1]
    assert jsonld_contexts.STATS.hits > hits
    names = [name for name, _ in documents]
    assert [n for n, a, b in zip(names, plain, cold, strict=True) if a != b] == []
    assert [n for n, a, b in zip(names, plain, warm, strict=True) if a != b] == []


def test_a_warm_diploma_rebuilds_no_context() -> None:
    diploma = sample_diploma_credential(1)
    _expand(jsonld_contexts.CachingProcessor(), diploma)
    misses = jsonld_contexts.STATS.misses
    _expand(jsonld_contexts.CachingProcessor(), diploma)
    assert jsonld_contexts.STATS.misses == misses


_SCOPED = {
    "@version": 1.1,
    "ex": "https://example.org/",
    "Outer": {
        "@id": "ex:Outer",
        "@context": {"label": "ex:outerLabel", "child": {"@id": "ex:child"}},
    },
    "Inner": {"@id": "ex:Inner", "@context": {"label": "ex:innerLabel"}},
    "label": "ex:label",
    "child": "ex:plainChild",
    "prop": {"@id": "ex:prop", "@context": {"label": "ex:propLabel"}},
    # A type-scoped context (does not propagate) that a node may also embed (propagates).
    "Same": {"@id": "ex:Same", "@context": {"label": "ex:sameLabel"}},
}


@pytest.mark.parametrize(
    "document",
    [
        # A type-scoped context does not propagate into the node's children...
        {"@type": "Outer", "label": "a", "child": {"label": "b"}},
        # ... a property-scoped one does; a typed child gets its own type-scoped terms.
        {"prop": {"label": "c", "child": {"@type": "Inner", "label": "d"}}},
        {"@type": "Outer", "child": {"@type": "Inner", "label": "e", "child": {"label": "f"}}},
        # One context, same active context: first type-scoped, then embedded...
        {
            "@graph": [
                {"@type": "Same", "label": "j", "child": {"label": "k"}},
                {"@context": {"label": "ex:sameLabel"}, "label": "l", "child": {"label": "m"}},
            ]
        },
        # ... and the other way round.
        {
            "@graph": [
                {"@context": {"label": "ex:sameLabel"}, "label": "l", "child": {"label": "m"}},
                {"@type": "Same", "label": "j", "child": {"label": "k"}},
            ]
        },
        # @propagate: true on a type-scoped context, and a nested type inside it.
        {
            "@context": {"Deep": {"@id": "ex:Deep", "@context": {"@propagate": True, "x": "ex:x"}}},
            "@type": "Deep",
            "child": {"x": "g", "@type": "Outer", "label": "h", "child": {"x": "i"}},
        },
    ],
)
def test_scoped_contexts_and_propagation_as_plain_pyld(document: dict[str, Any]) -> None:
    local = document.pop("@context", None)
    full = {"@context": [_SCOPED, *([local] if local else [])], **document}
    plain = _expand(jsonld.JsonLdProcessor(), full)
    for _ in range(3):  # cold, then memoised
        assert _expand(jsonld_contexts.CachingProcessor(), full) == plain


def test_an_inline_context_changed_in_place_is_not_taken_for_the_old_one() -> None:
    context: dict[str, Any] = {"name": "https://example.org/first"}
    document = {"@context": context, "name": "x"}
    processor = jsonld_contexts.CachingProcessor()
    with PYLD_LOCK:
        first = processor.expand(document, dict(OPTIONS))
        context["name"] = "https://example.org/second"
        second = processor.expand(document, dict(OPTIONS))
    assert first == [{"https://example.org/first": [{"@value": "x"}]}]
    assert second == [{"https://example.org/second": [{"@value": "x"}]}]


def test_context_errors_are_plain_pyld_s_and_not_memoised() -> None:
    document = {"@context": {"@version": 2}, "name": "x"}
    for _ in range(2):
        assert _expand(jsonld_contexts.CachingProcessor(), document) == _expand(
            jsonld.JsonLdProcessor(), document
        )


def test_with_another_pyld_version_the_processor_is_plain_pyld(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(jsonld_contexts, "ENABLED", False)
    diploma = sample_diploma_credential(2)
    before = (jsonld_contexts.STATS.hits, jsonld_contexts.STATS.misses)
    assert _expand(jsonld_contexts.CachingProcessor(), diploma) == _expand(
        jsonld.JsonLdProcessor(), diploma
    )
    assert (jsonld_contexts.STATS.hits, jsonld_contexts.STATS.misses) == before


def test_relative_iris_follow_the_base_of_each_expansion() -> None:
    document = {
        "@context": {"ex": "https://example.org/", "link": {"@id": "ex:link", "@type": "@id"}},
        "@id": "node",
        "link": "other",
    }
    processor = jsonld_contexts.CachingProcessor()
    for base in ("https://a.example/dir/", "https://b.example/", "https://a.example/dir/"):
        options = {**OPTIONS, "base": base}
        with PYLD_LOCK:
            ours = processor.expand(copy.deepcopy(document), dict(options))
            plain = jsonld.JsonLdProcessor().expand(copy.deepcopy(document), dict(options))
        assert ours == plain
        assert ours[0]["@id"] == base + "node"
