"""DidDocument parsing, verification method look-up and DID URL splitting."""

from __future__ import annotations

from typing import Any

import pytest

from diploma_exchange.dids import DidDocument, VerificationMethod, split_did_url
from diploma_exchange.errors import DidResolutionError, KeyLoadError
from diploma_exchange.proofs.keys import generate_private_key, public_key_multibase

DID = "did:web:uni.example"


def document(**overrides: Any) -> dict[str, Any]:
    key = public_key_multibase(generate_private_key().public_key())
    base: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": DID,
        "verificationMethod": [
            {"id": "#key-1", "type": "Multikey", "controller": DID, "publicKeyMultibase": key},
            {
                "id": f"{DID}#legacy",
                "type": "Ed25519VerificationKey2020",
                "controller": DID,
                "publicKeyMultibase": key,
            },
            {"id": f"{DID}#jwk", "type": "JsonWebKey", "controller": DID, "publicKeyJwk": {}},
        ],
        "assertionMethod": ["#key-1", f"{DID}#legacy"],
        "authentication": [
            {"id": "#embedded", "type": "Multikey", "controller": DID, "publicKeyMultibase": key}
        ],
    }
    base.update(overrides)
    return base


def test_parse_and_look_up() -> None:
    parsed = DidDocument.from_json(document())
    assert parsed.id == DID
    assert parsed.assertion_method_ids == (f"{DID}#key-1", f"{DID}#legacy")
    assert parsed.authentication_ids == (f"{DID}#embedded",)
    assert [m.id for m in parsed.verification_methods] == [
        f"{DID}#key-1",
        f"{DID}#legacy",
        f"{DID}#jwk",
        f"{DID}#embedded",
    ]
    for ref in ("#key-1", f"{DID}#key-1", "#legacy"):
        method = parsed.verification_method(ref)
        assert method is not None
        method.public_key()
        assert parsed.is_assertion_method(ref)
    assert parsed.verification_method("#missing") is None
    assert parsed.verification_method("did:web:other.example#key-1") is None
    assert parsed.verification_method("garbage") is None
    assert not parsed.is_assertion_method("#embedded")
    assert not parsed.is_assertion_method("#jwk")


def test_value_objects_are_frozen() -> None:
    parsed = DidDocument.from_json(document())
    with pytest.raises(AttributeError):
        parsed.id = "did:web:evil.example"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        parsed.verification_methods[0].public_key_multibase = "z"  # type: ignore[misc]


def test_public_key_type_checks() -> None:
    parsed = DidDocument.from_json(document())
    jwk = parsed.verification_method("#jwk")
    assert jwk is not None
    # A JWK method is read (Ed25519 OKP, EC P-256/P-384 keys); this one names no key type.
    with pytest.raises(DidResolutionError, match="publicKeyJwk with kty"):
        jwk.public_key()
    with pytest.raises(DidResolutionError, match="no publicKeyMultibase"):
        VerificationMethod(f"{DID}#k", "Multikey", DID).public_key()
    with pytest.raises(KeyLoadError):
        VerificationMethod(f"{DID}#k", "Multikey", DID, "zBad").public_key()


@pytest.mark.parametrize(
    ("overrides", "pointer"),
    [
        ({"id": 5}, "/id"),
        ({"id": "not-a-did"}, None),
        ({"verificationMethod": {}}, "/verificationMethod"),
        ({"verificationMethod": ["#k"]}, "/verificationMethod/0"),
        (
            {"verificationMethod": [{"id": "#k", "type": "Multikey"}]},
            "/verificationMethod/0/controller",
        ),
        ({"assertionMethod": "#key-1"}, "/assertionMethod"),
        ({"assertionMethod": [5]}, "/assertionMethod/0"),
        ({"controller": 5}, None),
    ],
)
def test_bad_shapes(overrides: dict[str, Any], pointer: str | None) -> None:
    with pytest.raises(DidResolutionError) as info:
        DidDocument.from_json(document(**overrides))
    if pointer is not None:
        assert info.value.pointer == pointer


def test_not_an_object_and_duplicates() -> None:
    with pytest.raises(DidResolutionError):
        DidDocument.from_json(["no"])
    doc = document()
    doc["verificationMethod"].append(dict(doc["verificationMethod"][0]))
    # The same method twice (listed and embedded, as some did:web documents do) is one.
    parsed = DidDocument.from_json(doc)
    assert len(parsed.verification_methods) == len(doc["verificationMethod"])  # + 1 embedded - 1
    doc["verificationMethod"][-1]["controller"] = "did:web:other.example"
    with pytest.raises(DidResolutionError, match="duplicate"):
        DidDocument.from_json(doc)


def test_a_method_both_listed_and_embedded_is_accepted() -> None:
    method = {
        "id": f"{DID}#k",
        "type": "Ed25519VerificationKey2020",
        "controller": DID,
        "publicKeyMultibase": "z6MkjXe1vZvPRqFuc9nRBtZ3e1Y9XKDFSbjFAfzLfW2bD6cZ",
    }
    parsed = DidDocument.from_json(
        {"id": DID, "verificationMethod": [method], "assertionMethod": [dict(method)]}
    )
    assert len(parsed.verification_methods) == 1
    assert parsed.is_assertion_method(f"{DID}#k")
    changed = {**method, "publicKeyMultibase": "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"}
    with pytest.raises(DidResolutionError, match="duplicate"):
        DidDocument.from_json(
            {"id": DID, "verificationMethod": [method], "assertionMethod": [changed]}
        )


def test_legacy_key_encodings_are_read() -> None:
    """Ed25519VerificationKey2018 (publicKeyBase58) and JWK (OKP Ed25519) methods."""
    from diploma_exchange.proofs.keys import public_key_from_multibase

    multibase = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    expected = public_key_from_multibase(multibase).public_bytes_raw()
    import base64

    import base58

    b58 = base58.b58encode(expected).decode()
    x = base64.urlsafe_b64encode(expected).rstrip(b"=").decode()
    by_base58 = VerificationMethod(
        f"{DID}#a", "Ed25519VerificationKey2018", DID, public_key_base58=b58
    )
    by_jwk = VerificationMethod(
        f"{DID}#b", "JsonWebKey2020", DID, public_key_jwk={"kty": "OKP", "crv": "Ed25519", "x": x}
    )
    for method in (by_base58, by_jwk):
        key = method.public_key()
        assert key.public_bytes_raw() == expected  # type: ignore[union-attr]
    with pytest.raises(KeyLoadError):
        VerificationMethod(
            f"{DID}#c", "Ed25519VerificationKey2018", DID, public_key_base58=b58[:-4]
        ).public_key()
    with pytest.raises(KeyLoadError):
        VerificationMethod(
            f"{DID}#d",
            "JsonWebKey2020",
            DID,
            public_key_jwk={"kty": "OKP", "crv": "Ed25519", "x": x, "d": x},
        ).public_key()


@pytest.mark.parametrize(
    ("did_url", "expected"),
    [
        ("did:key:z6Mk1#z6Mk1", ("did:key:z6Mk1", "z6Mk1")),
        ("did:web:example.com%3A3000:u:a#key-1", ("did:web:example.com%3A3000:u:a", "key-1")),
        ("did:web:example.com", ("did:web:example.com", "")),
    ],
)
def test_split_did_url(did_url: str, expected: tuple[str, str]) -> None:
    assert split_did_url(did_url) == expected


@pytest.mark.parametrize(
    "did_url",
    [
        "",
        "did:",
        "did:web",
        "DID:web:x",
        "did:Web:x",
        "did:web:x#",
        "did:web:x/p#k",
        "did:web:x?q#k",
        "did:web:x#a b",
        "https://example.com#k",
    ],
)
def test_split_did_url_rejects(did_url: str) -> None:
    with pytest.raises(DidResolutionError):
        split_did_url(did_url)


def test_keys_listed_under_the_pre_did_core_name_public_key_are_read() -> None:
    key = "H3C2AVvLMv6gmMNam3uVAjZpfkcJCwDwnZn6z3wXmqPV"
    parsed = DidDocument.from_json(
        {
            "id": DID,
            "publicKey": [
                {
                    "id": "#key-1",
                    "type": "Ed25519VerificationKey2018",
                    "controller": DID,
                    "publicKeyBase58": key,
                }
            ],
            "assertionMethod": ["#key-1"],
        }
    )
    method = parsed.verification_method("#key-1")
    assert method is not None and method.public_key_base58 == key
    assert parsed.is_assertion_method(f"{DID}#key-1")
    method.public_key()  # loads
    with pytest.raises(DidResolutionError):
        DidDocument.from_json({"id": DID, "publicKey": {"id": "#k"}})
