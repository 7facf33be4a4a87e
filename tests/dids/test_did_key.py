"""did:key (Ed25519, P-256, P-384) creation and resolution."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from diploma_exchange.dids import (
    CompositeResolver,
    DidKeyResolver,
    DidResolver,
    did_key_from_public_key,
    did_key_verification_method,
    resolve_did_key,
)
from diploma_exchange.errors import DidResolutionError
from diploma_exchange.proofs.keys import (
    KeyType,
    ec_private_key_from_multibase,
    generate_ec_private_key,
    generate_private_key,
    key_type,
    public_key_from_multibase,
    public_key_multibase,
)
from diploma_exchange.proofs.multibase import encode_base58btc
from vector_files import require


def raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def test_resolve_vector_key() -> None:
    pair = json.loads(require("eddsa/keyPair.json").read_text())
    multibase = pair["publicKeyMultibase"]
    did = f"did:key:{multibase}"
    document = resolve_did_key(did)
    method_id = f"{did}#{multibase}"
    assert document.id == did
    assert document.assertion_method_ids == (method_id,)
    assert document.authentication_ids == (method_id,)
    method = document.verification_method(method_id)
    assert method is not None
    assert (method.type, method.controller, method.public_key_multibase) == (
        "Multikey",
        did,
        multibase,
    )
    assert raw(method.public_key()) == raw(public_key_from_multibase(multibase))
    assert document.verification_method(f"#{multibase}") == method
    assert document.is_assertion_method(method_id)
    assert document.is_assertion_method(f"#{multibase}")
    assert not document.is_assertion_method(f"{did}#other")
    assert (
        document.verification_method("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#x")
        is None
    )


def test_document_json_shape() -> None:
    from diploma_exchange.dids import did_key_document

    did = did_key_from_public_key(generate_private_key().public_key())
    document = did_key_document(did)
    method_id = did + "#" + did.removeprefix("did:key:")
    assert document == {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [
            {
                "id": method_id,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": did.removeprefix("did:key:"),
            }
        ],
        "authentication": [method_id],
        "assertionMethod": [method_id],
        "capabilityDelegation": [method_id],
        "capabilityInvocation": [method_id],
    }


def test_round_trip() -> None:
    public_key = generate_private_key().public_key()
    did = did_key_from_public_key(public_key)
    assert did.startswith("did:key:z6Mk")
    method_url = did_key_verification_method(did)
    assert did_key_verification_method(method_url) == method_url
    document = resolve_did_key(method_url)  # a DID URL resolves its DID
    method = document.verification_method(method_url)
    assert method is not None
    assert raw(method.public_key()) == raw(public_key)


@pytest.mark.parametrize(
    ("did", "code"),
    [
        ("did:key:", "invalid-did"),
        ("did:key", "invalid-did"),
        ("key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "invalid-did"),
        ("did:web:example.com", "invalid-did"),
        ("did:key:6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "invalid-did"),
        ("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2do0", "invalid-did"),
        ("did:key:1:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "invalid-did"),
        ("did:key:" + encode_base58btc(b"\xed\x01" + bytes(31)), "invalid-did"),
        # X25519 (z6LS...) keys are not signing keys; secp256k1 (zQ3s...) is not supported.
        ("did:key:z6LSbysY2xFMRpGMhb7tFTLMpeuPRaqaWM1yECx2AtzE3KCc", "unsupported-key-type"),
        ("did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme", "unsupported-key-type"),
        # P-256 / P-384: wrong length, uncompressed point, point not on the curve.
        ("did:key:" + encode_base58btc(b"\x80\x24\x02" + bytes(31)), "invalid-did"),
        ("did:key:" + encode_base58btc(b"\x80\x24\x04" + bytes(64)), "invalid-did"),
        ("did:key:" + encode_base58btc(b"\x81\x24\x02" + b"\xff" * 48), "invalid-did"),
        ("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#other", "not-found"),
        ("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK/path", "invalid-did"),
    ],
)
def test_malformed_did_key(did: str, code: str) -> None:
    with pytest.raises(DidResolutionError) as info:
        resolve_did_key(did)
    assert info.value.code == code


@pytest.mark.parametrize(
    ("vector", "kind", "prefix"),
    [
        ("ecdsa/p256KeyPair.json", KeyType.P256, "zDn"),
        ("ecdsa/p384KeyPair.json", KeyType.P384, "z82"),
    ],
)
def test_resolve_ecdsa_vector_keys(vector: str, kind: KeyType, prefix: str) -> None:
    pair = json.loads(require(vector).read_text())
    multibase = pair["publicKeyMultibase"]
    assert multibase.startswith(prefix)
    did = f"did:key:{multibase}"
    document = resolve_did_key(did)
    method = document.verification_method(f"{did}#{multibase}")
    assert method is not None and method.type == "Multikey"
    public_key = method.public_key()
    assert isinstance(public_key, EllipticCurvePublicKey)
    assert key_type(public_key) is kind
    # The secret key of the vector belongs to this public key, and round-trips.
    secret = ec_private_key_from_multibase(pair["secretKeyMultibase"])
    assert public_key_multibase(secret.public_key()) == multibase
    assert did_key_from_public_key(public_key) == did
    assert document.is_assertion_method(f"#{multibase}")


@pytest.mark.parametrize("kind", [KeyType.P256, KeyType.P384])
def test_ec_round_trip(kind: KeyType) -> None:
    public_key = generate_ec_private_key(kind).public_key()
    did = did_key_from_public_key(public_key)
    method_url = did_key_verification_method(did)
    method = resolve_did_key(method_url).verification_method(method_url)
    assert method is not None
    loaded = method.public_key()
    assert isinstance(loaded, EllipticCurvePublicKey)
    assert loaded.public_numbers() == public_key.public_numbers()


def test_did_key_resolver_protocol_and_composite() -> None:
    resolver = DidKeyResolver()
    assert isinstance(resolver, DidResolver)
    composite = CompositeResolver({"key": resolver})
    assert isinstance(composite, DidResolver)
    did = did_key_from_public_key(generate_private_key().public_key())
    assert composite.resolve(did + "#whatever-is-ignored").id == did
    with pytest.raises(DidResolutionError) as info:
        composite.resolve("did:web:example.com")
    assert info.value.code == "unsupported-did-method"
    with pytest.raises(DidResolutionError):
        CompositeResolver({}).resolve(did)
