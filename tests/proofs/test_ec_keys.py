"""P-256 / P-384 keys: Multikey encoding, secret keys, P1363 signatures, EcdsaSigner."""

from __future__ import annotations

import copy
import pickle

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from diploma_exchange.errors import InvalidInput, KeyLoadError
from diploma_exchange.proofs.keys import (
    EcdsaSigner,
    KeyType,
    ec_private_key_from_multibase,
    ecdsa_signature_length,
    generate_ec_private_key,
    generate_private_key,
    key_type,
    public_key_from_multibase,
    public_key_from_multikey,
    public_key_multibase,
    verify_ecdsa_signature,
)
from diploma_exchange.proofs.multibase import encode_base58btc


@pytest.mark.parametrize(("kind", "prefix"), [(KeyType.P256, "zDn"), (KeyType.P384, "z82")])
def test_multikey_round_trip(kind: KeyType, prefix: str) -> None:
    key = generate_ec_private_key(kind).public_key()
    value = public_key_multibase(key)
    assert value.startswith(prefix)
    loaded = public_key_from_multikey(value)
    assert isinstance(loaded, ec.EllipticCurvePublicKey)
    assert loaded.public_numbers() == key.public_numbers()
    assert key_type(loaded) is kind
    # The Ed25519-only loader refuses it.
    with pytest.raises(KeyLoadError):
        public_key_from_multibase(value)


def test_ed25519_multikey_still_loads() -> None:
    key = generate_private_key().public_key()
    assert key_type(public_key_from_multikey(public_key_multibase(key))) is KeyType.ED25519


@pytest.mark.parametrize(
    "value",
    [
        "not-multibase",
        encode_base58btc(b"\x80\x24\x02" + bytes(31)),  # too short
        encode_base58btc(b"\x80\x24\x04" + bytes(64)),  # uncompressed
        encode_base58btc(b"\x81\x24\x03" + b"\xff" * 48),  # x >= p
        encode_base58btc(b"\xe7\x01\x02" + bytes(32)),  # secp256k1
    ],
)
def test_bad_multikeys(value: str) -> None:
    with pytest.raises(KeyLoadError):
        public_key_from_multikey(value)


def test_unsupported_curve() -> None:
    with pytest.raises(KeyLoadError):
        key_type(ec.generate_private_key(ec.SECP521R1()).public_key())
    with pytest.raises(KeyLoadError):
        generate_ec_private_key(KeyType.ED25519)
    with pytest.raises(KeyLoadError):
        ecdsa_signature_length(KeyType.ED25519)


@pytest.mark.parametrize("kind", [KeyType.P256, KeyType.P384])
def test_p1363_signatures(kind: KeyType) -> None:
    private = generate_ec_private_key(kind)
    signer = EcdsaSigner(private, "did:example:a#1")
    signature = signer.sign(b"data")
    assert len(signature) == ecdsa_signature_length(kind)
    assert verify_ecdsa_signature(private.public_key(), signature, b"data")
    assert not verify_ecdsa_signature(private.public_key(), signature, b"other")
    assert not verify_ecdsa_signature(private.public_key(), signature[:-1], b"data")
    # A DER signature is not accepted where P1363 is expected.
    hash_algorithm = hashes.SHA256() if kind is KeyType.P256 else hashes.SHA384()
    der = private.sign(b"data", ec.ECDSA(hash_algorithm))
    assert not verify_ecdsa_signature(private.public_key(), der, b"data")
    size = ecdsa_signature_length(kind) // 2
    r, s = int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
    private.public_key().verify(encode_dss_signature(r, s), b"data", ec.ECDSA(hash_algorithm))


def test_secret_key_multibase_errors() -> None:
    with pytest.raises(KeyLoadError):
        ec_private_key_from_multibase("nope")
    with pytest.raises(KeyLoadError):
        ec_private_key_from_multibase(encode_base58btc(b"\x86\x26" + bytes(32)))  # zero scalar
    with pytest.raises(KeyLoadError):
        ec_private_key_from_multibase(encode_base58btc(b"\x80\x26" + bytes(32)))  # Ed25519


def test_ecdsa_signer_is_sealed() -> None:
    signer = EcdsaSigner(generate_ec_private_key(KeyType.P256), "did:example:a#1")
    assert repr(signer) == "EcdsaSigner(verification_method='did:example:a#1')"
    assert signer.public_key_multibase.startswith("zDn")
    assert signer.key_type is KeyType.P256
    with pytest.raises(AttributeError):
        signer._verification_method = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        pickle.dumps(signer)
    with pytest.raises(TypeError):
        copy.deepcopy(signer)
    with pytest.raises(KeyLoadError):
        EcdsaSigner(generate_private_key(), "did:example:a#1")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        EcdsaSigner(generate_ec_private_key(KeyType.P384), "")
