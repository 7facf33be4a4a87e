"""Multibase (base58btc, base64url-no-pad) and multicodec prefixes."""

from __future__ import annotations

import os

import base58
import pytest

from diploma_exchange.errors import InvalidInput, KeyLoadError
from diploma_exchange.proofs.multibase import (
    ED25519_PRIV_MULTICODEC,
    ED25519_PUB_MULTICODEC,
    decode_base58btc,
    decode_base64url,
    encode_base58btc,
    encode_base64url,
    multibase_decode,
    strip_multicodec_prefix,
)


@pytest.mark.parametrize("data", [b"", b"\x00", b"\x00\x00abc", bytes(range(256))])
def test_round_trips(data: bytes) -> None:
    assert decode_base58btc(encode_base58btc(data)) == data
    assert decode_base64url(encode_base64url(data)) == data
    assert multibase_decode(encode_base58btc(data)) == data
    assert multibase_decode(encode_base64url(data)) == data


def test_known_values() -> None:
    # Multibase draft examples: "Multibase is awesome! \\o/"
    data = b"Multibase is awesome! \\o/"
    assert encode_base58btc(data) == "zYAjKoNbau5KiqmHPmSxYCvn66dA1vLmwbt"
    assert encode_base64url(data) == "uTXVsdGliYXNlIGlzIGF3ZXNvbWUhIFxvLw"


def test_multicodec_varints() -> None:
    assert ED25519_PUB_MULTICODEC == bytes([0xED, 0x01])
    assert ED25519_PRIV_MULTICODEC == bytes([0x80, 0x26])


@pytest.mark.parametrize(
    "value",
    ["", "Z123", "z0OIl", "z12 ", "z1\n", "m"],
)
def test_bad_base58btc(value: str) -> None:
    with pytest.raises(InvalidInput):
        decode_base58btc(value)


@pytest.mark.parametrize("value", ["uAA==", "uA", "uA+B/", "u_x", "zabc"])
def test_bad_base64url(value: str) -> None:
    with pytest.raises(InvalidInput):
        decode_base64url(value)


def test_unknown_multibase_prefix() -> None:
    with pytest.raises(InvalidInput, match="prefix"):
        multibase_decode("mAAAA")


def test_strip_multicodec_prefix() -> None:
    assert strip_multicodec_prefix(ED25519_PUB_MULTICODEC, b"\xed\x01" + b"k" * 32, length=32)
    with pytest.raises(KeyLoadError, match="multicodec prefix"):
        strip_multicodec_prefix(ED25519_PUB_MULTICODEC, b"\x12\x00" + b"k" * 32)
    with pytest.raises(KeyLoadError, match="expected 32"):
        strip_multicodec_prefix(ED25519_PUB_MULTICODEC, b"\xed\x01" + b"k" * 31, length=32)


def test_base58_decode_matches_reference_library() -> None:
    for size in [*range(70), 100, 700]:  # 700 bytes: ~960 characters, under the limit
        for lead in (0, 1, 3):
            data = b"\x00" * lead + os.urandom(size)
            encoded = base58.b58encode(data).decode()
            assert decode_base58btc("z" + encoded) == base58.b58decode(encoded) == data
