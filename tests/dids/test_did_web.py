"""did:web: DID <-> URL mapping (examples from the did:web spec) and documents."""

from __future__ import annotations

import pytest

from diploma_exchange.dids import (
    VerificationKey,
    build_did_document,
    did_web_from_url,
    did_web_to_url,
)
from diploma_exchange.dids.document import DidDocument
from diploma_exchange.errors import DidResolutionError, KeyLoadError
from diploma_exchange.proofs.keys import generate_private_key, public_key_multibase


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:w3c-ccg.github.io", "https://w3c-ccg.github.io/.well-known/did.json"),
        ("did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"),
        ("did:web:example.com%3A3000:user:alice", "https://example.com:3000/user/alice/did.json"),
        ("did:web:example.com%3a3000", "https://example.com:3000/.well-known/did.json"),
        ("did:web:example.com#key-1", "https://example.com/.well-known/did.json"),
    ],
)
def test_did_to_url_spec_examples(did: str, url: str) -> None:
    assert did_web_to_url(did) == url


@pytest.mark.parametrize(
    ("base_url", "segments", "did"),
    [
        ("https://w3c-ccg.github.io", [], "did:web:w3c-ccg.github.io"),
        ("https://w3c-ccg.github.io/", ["user", "alice"], "did:web:w3c-ccg.github.io:user:alice"),
        ("https://example.com:3000", ["user", "alice"], "did:web:example.com%3A3000:user:alice"),
        ("https://Uni.Example/app/", ["issuers", "i-1"], "did:web:uni.example:app:issuers:i-1"),
        ("http://localhost:8000", ["issuers", "x"], "did:web:localhost%3A8000:issuers:x"),
    ],
)
def test_did_from_url(base_url: str, segments: list[str], did: str) -> None:
    assert did_web_from_url(base_url, segments) == did


def test_round_trip_and_http_for_allowed_hosts() -> None:
    did = did_web_from_url("http://localhost:8000", ["issuers", "x"])
    assert did_web_to_url(did) == "https://localhost:8000/issuers/x/did.json"
    assert (
        did_web_to_url(did, allow_http_hosts={"localhost"})
        == "http://localhost:8000/issuers/x/did.json"
    )
    assert did_web_to_url(did, allow_http_hosts={"localhost:8000"}).startswith("http://")
    assert did_web_to_url(did, allow_http_hosts={"example.com"}).startswith("https://")


@pytest.mark.parametrize(
    "segment", ["..", ".", "", "a/b", "a:b", "a b", "ä", "a%2Fb", "a?b", "a#b"]
)
def test_rejected_segments(segment: str) -> None:
    with pytest.raises(DidResolutionError):
        did_web_from_url("https://example.com", ["users", segment])


@pytest.mark.parametrize(
    "did",
    [
        "did:web:example.com:..:alice",
        "did:web:example.com:.",
        "did:web:example.com::alice",
        "did:web:example.com:user%2Falice",
        "did:web:example.com%3A99999",
        "did:web:example.com%3Aabc",
        "did:web:127.0.0.1",
        "did:web:exa_mple.com",
        "did:web:-example.com",
        "did:web:",
        "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        "did:web:example.com/path",
    ],
)
def test_rejected_dids(did: str) -> None:
    with pytest.raises(DidResolutionError):
        did_web_to_url(did)


@pytest.mark.parametrize(
    "base_url",
    [
        "ftp://example.com",
        "https://user:pw@example.com",
        "https://example.com?x=1",
        "https://example.com#f",
        "https://127.0.0.1",
        "https://[::1]",
        "https://example.com:99999",
        "https://example.com//a",
        "https://",
    ],
)
def test_rejected_base_urls(base_url: str) -> None:
    with pytest.raises(DidResolutionError):
        did_web_from_url(base_url, [])


def test_build_did_document() -> None:
    did = "did:web:uni.example:issuers:i-1"
    keys = [
        VerificationKey("key-1", public_key_multibase(generate_private_key().public_key())),
        VerificationKey("key-2", public_key_multibase(generate_private_key().public_key())),
    ]
    document = build_did_document(did, keys)
    assert document["@context"] == [
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/multikey/v1",
    ]
    assert document["id"] == did
    assert document["verificationMethod"] == [
        {
            "id": f"{did}#{k.fragment}",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": k.public_key_multibase,
        }
        for k in keys
    ]
    ids = [f"{did}#key-1", f"{did}#key-2"]
    assert document["assertionMethod"] == ids
    assert document["authentication"] == ids
    parsed = DidDocument.from_json(document)
    assert parsed.assertion_method_ids == tuple(ids)
    assert parsed.is_assertion_method("#key-2")


def test_build_did_document_errors() -> None:
    good = public_key_multibase(generate_private_key().public_key())
    did = "did:web:uni.example"
    with pytest.raises(DidResolutionError):
        build_did_document(did, [])
    with pytest.raises(DidResolutionError):
        build_did_document(did, [VerificationKey("k", good), VerificationKey("k", good)])
    with pytest.raises(DidResolutionError):
        build_did_document(did, [VerificationKey("bad fragment", good)])
    with pytest.raises(DidResolutionError):
        build_did_document("did:key:" + good, [VerificationKey("k", good)])
    with pytest.raises(KeyLoadError):
        build_did_document(did, [VerificationKey("k", "zNotAKey")])
