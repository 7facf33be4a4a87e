"""Multibase (base58btc ``z``, base64url-no-pad ``u``) and multicodec key prefixes.

References: Controlled Identifiers v1.0 §2.4 "Multibase" and §2.5 "Multikey"; the
multicodec table (``ed25519-pub`` = 0xed, ``ed25519-priv`` = 0x1300, each written as an
unsigned varint). Decoding is strict: a value is accepted only in its one canonical
spelling, so that two different strings never decode to the same bytes.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Final

import base58

from diploma_exchange.errors import InvalidInput, KeyLoadError, LimitExceeded

BASE58BTC_PREFIX: Final = "z"
BASE64URL_NOPAD_PREFIX: Final = "u"

# Multicodec codes as unsigned varints: 0xed -> ed 01, 0x1300 -> 80 26.
ED25519_PUB_MULTICODEC: Final = b"\xed\x01"
ED25519_PRIV_MULTICODEC: Final = b"\x80\x26"

#: Longest base58btc value decoded. Decoding is quadratic in the length (one big-integer
#: conversion: 80,000 characters take a second, 320,000 twenty), and what is decoded here
#: is a key or a signature: under 200 characters.
MAX_BASE58BTC_LENGTH: Final = 1024

_BASE58BTC_ALPHABET = re.compile(r"[1-9A-HJ-NP-Za-km-z]*")
_BASE64URL_ALPHABET = re.compile(r"[A-Za-z0-9_-]*")


def encode_base58btc(data: bytes) -> str:
    """Return ``data`` as a base58btc multibase string (``z`` prefix)."""
    return BASE58BTC_PREFIX + base58.b58encode(data).decode("ascii")


def decode_base58btc(value: str) -> bytes:
    """Decode a base58btc multibase string (``z`` prefix) to bytes.

    Raises:
        InvalidInput: ``value`` is not a string, lacks the ``z`` prefix, or contains
            characters outside the base58btc alphabet.
        LimitExceeded: ``value`` is longer than :data:`MAX_BASE58BTC_LENGTH`.
    """
    if not isinstance(value, str) or not value.startswith(BASE58BTC_PREFIX):
        raise InvalidInput("expected a base58btc multibase string starting with 'z'")
    if len(value) > MAX_BASE58BTC_LENGTH:
        raise LimitExceeded(
            f"the base58btc value has {len(value)} characters; keys and signatures have "
            f"fewer than {MAX_BASE58BTC_LENGTH}",
            extra={"limit": MAX_BASE58BTC_LENGTH},
        )
    body = value[1:]
    # base58.b58decode silently strips trailing whitespace; be strict instead.
    if not _BASE58BTC_ALPHABET.fullmatch(body):
        raise InvalidInput("multibase value contains characters outside the base58btc alphabet")
    # Same result as base58.b58decode, but via one big-integer conversion instead of a
    # per-byte divmod loop (several times faster; this is on the verification path).
    rest = body.lstrip("1")
    leading_zeros = b"\x00" * (len(body) - len(rest))
    if not rest:
        return leading_zeros
    number = base58.b58decode_int(rest.encode("ascii"))
    return leading_zeros + number.to_bytes((number.bit_length() + 7) // 8, "big")


def encode_base64url(data: bytes) -> str:
    """Return ``data`` as a base64url-no-pad multibase string (``u`` prefix)."""
    return BASE64URL_NOPAD_PREFIX + base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def decode_base64url(value: str) -> bytes:
    """Decode a base64url-no-pad multibase string (``u`` prefix) to bytes.

    Raises:
        InvalidInput: wrong prefix, padding present, characters outside the base64url
            alphabet, impossible length, or non-canonical trailing bits.
    """
    if not isinstance(value, str) or not value.startswith(BASE64URL_NOPAD_PREFIX):
        raise InvalidInput("expected a base64url-no-pad multibase string starting with 'u'")
    body = value[1:]
    if not _BASE64URL_ALPHABET.fullmatch(body) or len(body) % 4 == 1:
        raise InvalidInput("multibase value is not valid base64url without padding")
    try:
        data = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput("multibase value is not valid base64url without padding") from exc
    if encode_base64url(data) != value:
        raise InvalidInput("multibase value is not canonical base64url (non-zero padding bits)")
    return data


def multibase_decode(value: str) -> bytes:
    """Decode a multibase string whose prefix is ``z`` (base58btc) or ``u`` (base64url).

    Raises:
        InvalidInput: unsupported prefix or undecodable value.
    """
    if isinstance(value, str) and value.startswith(BASE58BTC_PREFIX):
        return decode_base58btc(value)
    if isinstance(value, str) and value.startswith(BASE64URL_NOPAD_PREFIX):
        return decode_base64url(value)
    raise InvalidInput("unsupported multibase encoding: expected prefix 'z' or 'u'")


def add_multicodec_prefix(codec: bytes, data: bytes) -> bytes:
    """Return ``data`` prefixed with the multicodec varint ``codec``."""
    return codec + data


def strip_multicodec_prefix(codec: bytes, data: bytes, *, length: int | None = None) -> bytes:
    """Remove the multicodec varint ``codec`` from ``data`` and return the rest.

    Raises:
        KeyLoadError: ``data`` does not start with ``codec``, or the remainder is not
            ``length`` bytes long (when given).
    """
    if not data.startswith(codec):
        raise KeyLoadError(
            f"unexpected multicodec prefix: expected 0x{codec.hex()}, "
            f"got 0x{data[: len(codec)].hex()}"
        )
    rest = data[len(codec) :]
    if length is not None and len(rest) != length:
        raise KeyLoadError(
            f"key has {len(rest)} bytes after the multicodec prefix, expected {length}"
        )
    return rest


__all__ = [
    "BASE58BTC_PREFIX",
    "BASE64URL_NOPAD_PREFIX",
    "ED25519_PRIV_MULTICODEC",
    "ED25519_PUB_MULTICODEC",
    "MAX_BASE58BTC_LENGTH",
    "add_multicodec_prefix",
    "decode_base58btc",
    "decode_base64url",
    "encode_base58btc",
    "encode_base64url",
    "multibase_decode",
    "strip_multicodec_prefix",
]
