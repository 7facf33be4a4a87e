"""Real signed credentials of other implementations (tests/corpus/foreign/envelopes):
each item gets the verdict and the check codes its manifest names, offline (no fetcher,
no trust list, no blockchain explorer). Provenance is in the manifest."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from diploma_exchange.dids import CompositeResolver, DidKeyResolver
from diploma_exchange.dids.did_jwk import DidJwkResolver
from diploma_exchange.formats import envelope_verdict, open_envelope

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "foreign" / "envelopes"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text())
NOW = datetime(2026, 6, 1, tzinfo=UTC)
RESOLVER = CompositeResolver({"key": DidKeyResolver(), "jwk": DidJwkResolver()})


def test_manifest_is_complete() -> None:
    files = {p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*") if p.is_file()}
    listed = {item["file"] for item in MANIFEST["items"]}
    assert files - {"manifest.json"} == listed
    for item in MANIFEST["items"]:
        assert item["repository"] and item["path"] and len(item["commit"]) == 40 and item["licence"]
    originals = [i for i in MANIFEST["items"] if "tamperedFrom" not in i]
    assert len(originals) >= 20
    kinds = {i["format"] for i in MANIFEST["items"] if i["expected"]["verdict"] == "invalid"}
    assert {"europass-edc", "blockcerts"} <= kinds


@pytest.mark.parametrize("item", MANIFEST["items"], ids=lambda i: i["file"])
def test_corpus_item(item: dict[str, Any]) -> None:
    envelope = open_envelope((CORPUS / item["file"]).read_bytes(), resolver=RESOLVER, now=NOW)
    assert envelope.format.name.value == item["format"]
    codes = {c.name.value: c.code for c in envelope.checks}
    for name, code in item["expected"]["codes"].items():
        assert codes.get(name) == code, (name, codes)
    assert envelope_verdict(envelope).value == item["expected"]["verdict"]
    if item["expected"]["verdict"] == "invalid":
        assert envelope.credential is None  # nothing unverified is handed on
