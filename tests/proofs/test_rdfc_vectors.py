"""The W3C RDFC-1.0 test suite (``tests/vectors/rdf-canon``), byte for byte.

Each evaluation test gives an N-Quads dataset and its canonical N-Quads; the negative test
(a 10-node clique, "poison") must be refused by the work bound, quickly. The inputs are read
with a small N-Quads reader below (pyld's reader does not decode ``\\u`` escapes) into pyld's
dataset form, which is what :func:`diploma_exchange.proofs.rdfc.canonize` hands the algorithm.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from diploma_exchange.errors import LimitExceeded
from diploma_exchange.proofs import rdfc
from vector_files import require

SUITE = "rdf-canon"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_ECHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_TERM = re.compile(
    r'\s*(?:<(?P<iri>[^>]*)>|(?P<bnode>_:\S+)|"(?P<lex>(?:[^"\\]|\\.)*)"'
    r"(?:@(?P<lang>[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)|\^\^<(?P<dt>[^>]*)>)?)"
)


def _unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        if match.group(3) is not None:
            return _ECHARS[match.group(3)]
        return chr(int(match.group(1) or match.group(2), 16))

    return _ESCAPE.sub(one, text)


def _term(match: re.Match[str]) -> dict[str, Any]:
    if match.group("iri") is not None:
        return {"type": "IRI", "value": _unescape(match.group("iri"))}
    if match.group("bnode") is not None:
        return {"type": "blank node", "value": match.group("bnode")}
    literal = {"type": "literal", "value": _unescape(match.group("lex"))}
    if match.group("lang"):
        return {**literal, "datatype": _RDF_LANGSTRING, "language": match.group("lang")}
    return {**literal, "datatype": _unescape(match.group("dt") or _XSD_STRING)}


def read_nquads(text: str) -> dict[str, list[dict[str, Any]]]:
    """N-Quads (as the W3C vectors write them) -> pyld's dataset form."""
    dataset: dict[str, list[dict[str, Any]]] = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        terms, position = [], 0
        while (match := _TERM.match(line, position)) is not None:
            terms.append(_term(match))
            position = match.end()
        assert line[position:].strip() == ".", line
        assert len(terms) in (3, 4), line
        quad = dict(zip(("subject", "predicate", "object"), terms[:3], strict=True))
        graph = "@default"
        if len(terms) == 4:
            quad["name"] = terms[3]
            graph = terms[3]["value"]
        dataset.setdefault(graph, []).append(quad)
    return dataset


def _entries(kind: str) -> list[Any]:
    manifest = json.loads(require(f"{SUITE}/manifest.jsonld").read_text("utf-8"))
    return [
        pytest.param(entry, id=entry["id"].lstrip("#"))
        for entry in manifest["entries"]
        # Only SHA-256 RDFC-1.0: the cryptosuites use no other hash.
        if entry["type"] == kind and "hashAlgorithm" not in entry
    ]


def test_the_suite_is_complete() -> None:
    assert len(_entries("rdfc:RDFC10EvalTest")) == 63
    assert len(_entries("rdfc:RDFC10NegativeEvalTest")) == 1


@pytest.mark.parametrize("entry", _entries("rdfc:RDFC10EvalTest"))
def test_canonical_form_matches_the_w3c_vector(entry: dict[str, Any]) -> None:
    dataset = read_nquads(require(f"{SUITE}/{entry['action']}").read_text("utf-8"))
    expected = require(f"{SUITE}/{entry['result']}").read_bytes()
    limits = rdfc.RdfcLimits(max_work=10_000_000)  # the "high" complexity tests need more
    assert rdfc.canonical_nquads(dataset, limits.max_work) == expected


def test_the_poison_clique_is_refused_by_the_work_bound() -> None:
    (entry,) = (e.values[0] for e in _entries("rdfc:RDFC10NegativeEvalTest"))
    dataset = read_nquads(require(f"{SUITE}/{entry['action']}").read_text("utf-8"))
    with pytest.raises(LimitExceeded) as raised:
        rdfc.canonical_nquads(dataset, rdfc.DEFAULT_LIMITS.max_work)
    assert raised.value.code == rdfc.WORK_LIMIT_CODE


def test_escaping_is_rdfc_not_urdna2015() -> None:
    # U+0000-U+0007, VT, U+000E-U+001F, DEL, U+FFFE/U+FFFF as \\uXXXX; BS, HT, LF, FF, CR, ", \\
    # as ECHAR; everything else raw (RDFC-1.0 Appendix A). URDNA2015 printed the controls raw.
    value = "".join(chr(c) for c in range(0x20)) + '"\\\x7f\ufffe\uffffé∞🌃'
    quad = {
        "subject": {"type": "IRI", "value": "urn:ex:s"},
        "predicate": {"type": "IRI", "value": "urn:ex:p"},
        "object": {"type": "literal", "value": value, "datatype": _XSD_STRING},
    }
    assert rdfc.serialize_canonical_nquad(quad) == (
        '<urn:ex:s> <urn:ex:p> "\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007'
        "\\b\\t\\n\\u000B\\f\\r\\u000E\\u000F\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015"
        "\\u0016\\u0017\\u0018\\u0019\\u001A\\u001B\\u001C\\u001D\\u001E\\u001F"
        '\\"\\\\\\u007F\\uFFFE\\uFFFFé∞🌃" .\n'
    )
