"""RDFC-1.0 canonicalization: offline contexts only, undefined terms refused."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from diploma_exchange.credentials.contexts import ContextNotBundled
from diploma_exchange.errors import InvalidInput, LimitExceeded, UndefinedTerm
from diploma_exchange.proofs.rdfc import canonize
from vector_files import require


def unsigned() -> dict[str, Any]:
    return json.loads(require("eddsa/unsigned.json").read_text("utf-8"))  # type: ignore[no-any-return]


def test_canonical_form_of_the_vector_document() -> None:
    document = unsigned()
    before = copy.deepcopy(document)
    expected = require("eddsa/eddsa-rdfc-2022/canonDocDataInt.txt").read_text("utf-8")
    assert canonize(document).decode("utf-8") == expected
    assert document == before  # only read


def test_blank_nodes_are_canonically_labelled() -> None:
    document = unsigned()
    del document["credentialSubject"]["id"]
    first = canonize(document).decode("utf-8")
    assert "_:c14n0" in first
    reordered = dict(reversed(list(document.items())))
    assert canonize(reordered).decode("utf-8") == first


def test_unknown_context_raises_without_fetching(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the canonicalizer tried to use the network")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    document = {
        **unsigned(),
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://evil.example/ctx"],
    }
    with pytest.raises(ContextNotBundled, match="evil.example"):
        canonize(document)


def test_undefined_terms_are_refused() -> None:
    # credentials/v1 has no @vocab: an undefined property would be silently dropped.
    document = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "issuanceDate": "2020-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:s", "degree": "BSc"},
    }
    with pytest.raises(UndefinedTerm, match="degree"):
        canonize(document)


def test_invalid_json_ld_and_limits() -> None:
    with pytest.raises(InvalidInput):
        canonize({"@context": 5, "x": 1})
    with pytest.raises(InvalidInput):
        canonize([])  # type: ignore[arg-type]
    deep: dict[str, Any] = {"@context": "https://www.w3.org/ns/credentials/v2"}
    node = deep
    for _ in range(5000):
        node["credentialSubject"] = {}
        node = node["credentialSubject"]
    with pytest.raises(LimitExceeded):
        canonize(deep)


def test_a_relative_iri_under_a_relative_base_is_invalid_input_not_a_crash() -> None:
    # pyld raises a bare ValueError ("Found invalid relative IRI 'rel' for a missing baseIRI").
    document = {
        **unsigned(),
        "@context": [*unsigned()["@context"], {"@base": "rel"}],
    }
    document["credentialSubject"] = {**document["credentialSubject"], "id": "x"}
    with pytest.raises(InvalidInput, match="not processable JSON-LD"):
        canonize(document)


def test_lone_surrogates_are_escaped_in_literals_and_refused_in_iris() -> None:
    # JSON allows "\ud800"; RDFC-1.0 writes a non-Char code point of a literal as UCHAR, and
    # an IRI with one cannot be printed as UTF-8.
    document = unsigned()
    document["credentialSubject"] = {**document["credentialSubject"], "name": "a\ud800b"}
    assert '"a\\uD800b"' in canonize(document).decode("utf-8")
    document["credentialSubject"] = {**document["credentialSubject"], "id": "did:example:\ud800"}
    with pytest.raises(InvalidInput):
        canonize(document)


def test_a_shared_expansion_is_plain_pyld_s_and_only_inside_its_context() -> None:
    from pyld import jsonld  # type: ignore[import-untyped,unused-ignore]

    from diploma_exchange.credentials.contexts import document_loader
    from diploma_exchange.credentials.samples import sample_diploma_credential
    from diploma_exchange.jsonld_lock import PYLD_LOCK
    from diploma_exchange.proofs import rdfc

    diploma = sample_diploma_credential(0)
    rdfc.canonize(diploma)
    assert rdfc.shared_expansion(diploma) is None  # outside sharing_expansions()
    with rdfc.sharing_expansions():
        assert rdfc.shared_expansion(diploma) is None
        canonical = rdfc.canonize(diploma)
        shared = rdfc.shared_expansion(diploma)
        with rdfc.sharing_expansions():  # nested: the same memo
            assert rdfc.shared_expansion(diploma) is shared
        assert rdfc.shared_expansion({**diploma, "name": "another"}) is None
    assert rdfc.shared_expansion(diploma) is None
    with PYLD_LOCK:
        plain = jsonld.expand(diploma, {"documentLoader": document_loader})
    assert shared == plain
    assert rdfc.canonize(diploma) == canonical
