"""The Bitstring, the Bitstring Generation Algorithm and the (bounded) Expansion Algorithm."""

from __future__ import annotations

import base64
import gzip
import random
import time
import tracemalloc
import zlib

import pytest

from diploma_exchange.errors import InvalidInput, LimitExceeded
from diploma_exchange.proofs.multibase import encode_base64url
from diploma_exchange.status import (
    MIN_BITSTRING_LENGTH,
    Bitstring,
    StatusErrorCode,
    StatusRangeError,
    decode_list,
    encode_list,
)

MIB = 1024 * 1024


def _invalid(call: object, *args: object, **kwargs: object) -> InvalidInput:
    """Assert ``call`` raises InvalidInput but not LimitExceeded; return the error."""
    assert callable(call)
    with pytest.raises(InvalidInput) as info:
        call(*args, **kwargs)
    assert not isinstance(info.value, LimitExceeded)
    return info.value


# --- the Bitstring -------------------------------------------------------------------------


def test_new_bitstring_is_16kb_of_zeros() -> None:
    bits = Bitstring()
    assert bits.length == len(bits) == MIN_BITSTRING_LENGTH == 131_072
    assert bits.to_bytes() == bytes(16 * 1024)
    assert bits.count_set() == 0


def test_bit_order_index_zero_is_the_most_significant_bit_of_byte_zero() -> None:
    bits = Bitstring()
    bits.set(0, 1)
    bits.set(9, True)
    bits.set(bits.length - 1, 1)
    data = bits.to_bytes()
    assert data[0] == 0b1000_0000
    assert data[1] == 0b0100_0000
    assert data[-1] == 0b0000_0001
    assert [bits.get(i) for i in (0, 1, 8, 9, bits.length - 1)] == [1, 0, 0, 1, 1]
    assert bits.count_set() == 3
    bits.set(9, 0)
    assert bits.get(9) == 0 and bits.to_bytes()[1] == 0


@pytest.mark.parametrize("length", [0, -8, 12, 131_071])
def test_length_must_be_a_positive_multiple_of_eight(length: int) -> None:
    _invalid(Bitstring, length, allow_small=True)


def test_small_lists_need_allow_small() -> None:
    error = _invalid(Bitstring, 64)
    assert error.code == StatusErrorCode.STATUS_LIST_LENGTH_ERROR
    assert Bitstring(64, allow_small=True).length == 64
    _invalid(Bitstring.from_bytes, b"\x00" * 8)
    assert Bitstring.from_bytes(b"\xff", allow_small=True).count_set() == 8


@pytest.mark.parametrize("index", [-1, 64, 10**30, True, "3", 1.0])
def test_out_of_range_index_is_a_range_error(index: object) -> None:
    bits = Bitstring(64, allow_small=True)
    with pytest.raises(StatusRangeError) as info:
        bits.get(index)  # type: ignore[arg-type]
    assert info.value.code == "RANGE_ERROR"
    assert isinstance(info.value, IndexError) and isinstance(info.value, InvalidInput)
    with pytest.raises(StatusRangeError):
        bits.set(index, 1)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [2, -1, "1", None])
def test_a_bit_is_zero_or_one(value: object) -> None:
    _invalid(Bitstring(64, allow_small=True).set, 3, value)


def test_multi_bit_statuses_are_read_most_significant_bit_first() -> None:
    bits = Bitstring(64, allow_small=True)
    bits.set_status(5, 0b10, 2)  # bits 10 and 11
    assert bits.get(10) == 1 and bits.get(11) == 0
    assert bits.get_status(5, 2) == 2
    assert bits.get_status(31, 2) == 0
    bits.set_status(31, 3, 2)
    assert bits.get(62) == bits.get(63) == 1
    with pytest.raises(StatusRangeError):
        bits.get_status(32, 2)  # bits 64-65 do not exist
    _invalid(bits.set_status, 1, 4, 2)  # 4 does not fit in 2 bits
    _invalid(bits.get_status, 1, 0)


def test_copy_and_equality() -> None:
    bits = Bitstring(64, allow_small=True)
    other = bits.copy()
    assert other == bits
    other.set(1, 1)
    assert other != bits and bits.get(1) == 0
    assert bits != b"\x00" * 8


# --- Bitstring Generation / Expansion round trips ------------------------------------------


def test_round_trip_of_random_bits() -> None:
    rng = random.Random(20250515)
    bits = Bitstring()
    chosen = set(rng.sample(range(bits.length), 2_000))
    for index in chosen:
        bits.set(index, 1)
    encoded = encode_list(bits)
    assert encoded.startswith("u")
    decoded = decode_list(encoded)
    assert decoded == bits
    assert decoded.count_set() == len(chosen)
    assert all(decoded.get(i) == 1 for i in chosen)


def test_encoding_is_deterministic_gzip_with_mtime_zero() -> None:
    bits = Bitstring()
    bits.set(94_567, 1)
    first, second = encode_list(bits), encode_list(bits.copy())
    assert first == second
    raw = base64.urlsafe_b64decode(first[1:] + "=" * (-len(first[1:]) % 4))
    assert raw[:4] == b"\x1f\x8b\x08\x00" and raw[4:8] == b"\x00\x00\x00\x00"  # no name, mtime 0
    assert gzip.decompress(raw) == bits.to_bytes()


def test_the_empty_list_encodes_small() -> None:
    encoded = encode_list(Bitstring())
    assert len(encoded) < 200
    assert decode_list(encoded).count_set() == 0


# --- malformed encodedList values ----------------------------------------------------------


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def test_wrong_multibase_prefix_is_invalid() -> None:
    valid = encode_list(Bitstring())
    _invalid(decode_list, "z" + valid[1:])
    _invalid(decode_list, "")
    error = _invalid(decode_list, valid[1:])  # StatusList2021 style, no prefix
    assert "prefix" in error.message and "'u'" in error.message


@pytest.mark.parametrize(
    "value",
    [
        "u!!!!",
        "uH4sI AAAA",
        "uH4sIAAAAAAAAA==",
        "uA",  # the 1EdTech sample list with a non-zero padding bit ("...AAAA" -> "...AAAB")
        "uH4sIAAAAAAAA_-3BMQEAAAzDoMy_6cnoA9QFAAAAAAAAAAAAAAAAAAAAbD3uPa2cAEAAAB",
    ],
    ids=["bad-chars", "space", "padding", "impossible-length", "non-canonical-trailing-bits"],
)
def test_bad_base64url_is_invalid(value: str) -> None:
    _invalid(decode_list, value)


def test_non_string_is_invalid() -> None:
    _invalid(decode_list, b"uH4sI")
    _invalid(decode_list, None)


def test_truncated_gzip_is_invalid() -> None:
    raw = _gzip(bytes(16 * 1024))
    for cut in (1, 4, 8, len(raw) // 2, len(raw) - 10):
        error = _invalid(decode_list, encode_base64url(raw[:-cut]))
        assert "GZIP" in error.message


def test_not_gzip_is_invalid() -> None:
    _invalid(decode_list, encode_base64url(b"hello, world"))
    _invalid(decode_list, encode_base64url(zlib.compress(bytes(16 * 1024))))  # zlib, not gzip


def test_corrupted_crc_is_invalid() -> None:
    raw = bytearray(_gzip(bytes(16 * 1024)))
    raw[-8] ^= 0xFF  # CRC-32 of the trailer
    assert "GZIP" in _invalid(decode_list, encode_base64url(bytes(raw))).message


def test_trailing_garbage_and_second_members_are_invalid() -> None:
    raw = _gzip(bytes(16 * 1024))
    assert "trailing" in _invalid(decode_list, encode_base64url(raw + b"\x00junk")).message
    second = _invalid(decode_list, encode_base64url(raw + _gzip(b"\x00" * 8))).message
    assert "second GZIP member" in second


def test_empty_and_short_lists() -> None:
    _invalid(decode_list, encode_base64url(_gzip(b"")))
    short = encode_base64url(_gzip(bytes(8)))
    assert _invalid(decode_list, short).code == StatusErrorCode.STATUS_LIST_LENGTH_ERROR
    assert decode_list(short, allow_small=True).length == 64


def test_compressed_size_limit() -> None:
    encoded = encode_list(Bitstring())
    with pytest.raises(LimitExceeded):
        decode_list(encoded, max_compressed_bytes=10)


# --- GZIP bombs ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bomb_100mb() -> str:
    """A single GZIP member that expands to 100 MiB of zeros (about 100 KB compressed)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = bytes(MIB)
    parts = [compressor.compress(chunk) for _ in range(100)]
    parts.append(compressor.flush())
    raw = b"".join(parts)
    assert len(raw) < 200 * 1024
    return encode_base64url(raw)


def test_gzip_bomb_is_refused_quickly_without_expanding_it(bomb_100mb: str) -> None:
    started = time.perf_counter()
    tracemalloc.start()
    try:
        with pytest.raises(LimitExceeded) as info:
            decode_list(bomb_100mb)  # default limit: 16 MiB
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.perf_counter() - started
    assert "more than" in info.value.message
    assert peak < 40 * MIB, f"peak {peak / MIB:.1f} MiB: the bomb was expanded too far"
    assert elapsed < 5, f"took {elapsed:.2f} s"


def test_gzip_bomb_with_a_small_limit_stops_at_the_limit(bomb_100mb: str) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(LimitExceeded):
            decode_list(bomb_100mb, max_decompressed_bytes=MIB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 6 * MIB


def test_list_exactly_at_the_limit_is_accepted() -> None:
    encoded = encode_list(Bitstring(8 * 32 * 1024))
    assert decode_list(encoded, max_decompressed_bytes=32 * 1024).length == 8 * 32 * 1024
    with pytest.raises(LimitExceeded):
        decode_list(encoded, max_decompressed_bytes=32 * 1024 - 1)
