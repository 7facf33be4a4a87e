"""Key handling: Multikey encoding, encrypted PEM, type checks, the Signer."""

from __future__ import annotations

import copy
import json
import pickle

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from diploma_exchange.errors import InvalidInput, KeyLoadError
from diploma_exchange.proofs.keys import (
    Signer,
    encrypt_private_key,
    generate_private_key,
    load_private_key,
    private_key_from_multibase,
    public_key_from_multibase,
    public_key_multibase,
    verify_signature,
)
from diploma_exchange.proofs.multibase import encode_base58btc
from vector_files import require

PASSPHRASE = b"correct horse battery staple"
VM = "did:web:university.example#key-1"


def raw_public(key: object) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    assert isinstance(key, Ed25519PublicKey)
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def test_w3c_key_pair_vector() -> None:
    pair = json.loads(require("eddsa/keyPair.json").read_text())
    private_key = private_key_from_multibase(pair["privateKeyMultibase"])
    assert public_key_multibase(private_key.public_key()) == pair["publicKeyMultibase"]
    public_key = public_key_from_multibase(pair["publicKeyMultibase"])
    assert raw_public(public_key) == raw_public(private_key.public_key())


def test_public_key_multibase_round_trip() -> None:
    public_key = generate_private_key().public_key()
    encoded = public_key_multibase(public_key)
    assert encoded.startswith("z6Mk")
    assert raw_public(public_key_from_multibase(encoded)) == raw_public(public_key)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2", "not valid"),
        (encode_base58btc(b"\xed\x01" + bytes(31)), "expected 32"),
        (encode_base58btc(b"\x80\x26" + bytes(32)), "multicodec prefix"),
        ("z6LSbysY2xFMRpGMhb7tFTLMpeuPRaqaWM1yECx2AtzE3KCc", "multicodec prefix"),
    ],
)
def test_bad_public_key_multibase(value: str, fragment: str) -> None:
    with pytest.raises(KeyLoadError, match=fragment):
        public_key_from_multibase(value)


def test_bad_private_key_multibase() -> None:
    with pytest.raises(KeyLoadError, match="multicodec prefix"):
        private_key_from_multibase(encode_base58btc(b"\xed\x01" + bytes(32)))
    with pytest.raises(KeyLoadError):
        private_key_from_multibase("not multibase")


def test_encrypt_load_round_trip() -> None:
    key = generate_private_key()
    pem = encrypt_private_key(key, PASSPHRASE)
    assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    loaded = load_private_key(pem, PASSPHRASE)
    assert raw_public(loaded.public_key()) == raw_public(key.public_key())


def test_wrong_passphrase_is_key_load_error_without_secrets() -> None:
    pem = encrypt_private_key(generate_private_key(), PASSPHRASE)
    wrong = b"hunter2-wrong-passphrase"
    with pytest.raises(KeyLoadError) as info:
        load_private_key(pem, wrong)
    for text in (str(info.value), repr(info.value), info.value.message):
        assert wrong.decode() not in text
        assert PASSPHRASE.decode() not in text
        assert "PRIVATE KEY" not in text


def test_missing_and_superfluous_passphrase() -> None:
    key = generate_private_key()
    with pytest.raises(KeyLoadError, match="provide its passphrase"):
        load_private_key(encrypt_private_key(key, PASSPHRASE), None)
    plain = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    assert raw_public(load_private_key(plain, None).public_key()) == raw_public(key.public_key())
    with pytest.raises(KeyLoadError, match="not encrypted"):
        load_private_key(plain, PASSPHRASE)


def test_non_ed25519_key_is_rejected() -> None:
    ec_pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(PASSPHRASE),
    )
    with pytest.raises(KeyLoadError, match="Ed25519 key is required"):
        load_private_key(ec_pem, PASSPHRASE)
    with pytest.raises(KeyLoadError):
        Signer.from_pem(ec_pem, PASSPHRASE, VM)


def test_garbage_pem() -> None:
    with pytest.raises(KeyLoadError, match="malformed"):
        load_private_key(b"-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n", None)


@pytest.mark.parametrize("passphrase", [b"", b"x" * 1024])
def test_encrypt_rejects_bad_passphrase_length(passphrase: bytes) -> None:
    with pytest.raises(InvalidInput):
        encrypt_private_key(generate_private_key(), passphrase)


def test_signer_signs_and_hides_key_material() -> None:
    key = generate_private_key()
    signer = Signer.from_pem(encrypt_private_key(key, PASSPHRASE), PASSPHRASE, VM)
    signature = signer.sign(b"data")
    assert len(signature) == 64
    assert verify_signature(signer.public_key, signature, b"data")
    assert not verify_signature(signer.public_key, signature, b"date")
    assert not verify_signature(signer.public_key, bytes(64), b"data")
    assert signer.verification_method == VM
    assert signer.public_key_multibase == public_key_multibase(key.public_key())

    seed = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    text = repr(signer) + str(signer)
    assert text == f"Signer(verification_method={VM!r})" * 2
    for secret in (seed.hex(), encode_base58btc(seed), encode_base58btc(b"\x80\x26" + seed)):
        assert secret not in text


def test_signer_is_immutable_and_not_picklable() -> None:
    signer = Signer(generate_private_key(), VM)
    with pytest.raises(AttributeError):
        signer.verification_method = "did:web:evil.example#k"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        signer._verification_method = "did:web:evil.example#k"
    with pytest.raises(TypeError):
        pickle.dumps(signer)
    with pytest.raises(TypeError):
        copy.deepcopy(signer)


def test_signer_validates_arguments() -> None:
    with pytest.raises(InvalidInput):
        Signer(generate_private_key(), "")
    with pytest.raises(KeyLoadError):
        Signer(object(), VM)  # type: ignore[arg-type]
