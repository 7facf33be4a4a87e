"""IETF Token Status List (draft-ietf-oauth-status-list) tokens made from this service's
Bitstring Status Lists, so that an SD-JWT VC of a diploma has the status of the diploma.

One token per revocation list: ``bits`` = 2, the entry of a diploma at the index it has in
its revocation list: 0 VALID, 1 INVALID (revoked), 2 SUSPENDED (§7.1). The bits of a W3C
Bitstring Status List are ordered most significant bit first (index 0 is the left-most bit of
byte 0); the IETF list is least significant first (§4.1); both are built here from indexes,
not by copying bytes.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any, Final

from diploma_exchange.wallets.sd_jwt_vc import b64url, sign_compact

STATUS_LIST_TYP: Final = "statuslist+jwt"
VALID, INVALID, SUSPENDED = 0, 1, 2


def revoked_indexes(bitstring: bytes) -> Iterable[int]:
    """Indexes set in a W3C bitstring (MSB first)."""
    for byte_index, byte in enumerate(bitstring):
        if byte:
            for bit in range(8):
                if byte & (0x80 >> bit):
                    yield byte_index * 8 + bit


def token_status_list(size: int, revoked: Iterable[int], suspended: Iterable[int]) -> bytes:
    """The uncompressed 2-bit list (§4.1: entry i at bits 2*(i%4)..2*(i%4)+1 of byte i//4)."""
    data = bytearray((size * 2 + 7) // 8)
    for value, indexes in ((SUSPENDED, suspended), (INVALID, revoked)):
        for index in indexes:
            if 0 <= index < size:
                shift = (index % 4) * 2
                data[index // 4] = (data[index // 4] & ~(0b11 << shift)) | (value << shift)
    return bytes(data)


def status_list_token(
    *,
    uri: str,
    issuer: str,
    kid: str,
    alg: str,
    sign: Callable[[bytes], bytes],
    size: int,
    revoked: Iterable[int],
    suspended: Iterable[int],
    now: datetime,
    validity: timedelta,
    ttl: int,
) -> str:
    """A signed Status List Token (§5.1)."""
    raw = token_status_list(size, revoked, suspended)
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": uri,
        "iat": int(now.timestamp()),
        "exp": int((now + validity).timestamp()),
        "ttl": ttl,
        "status_list": {"bits": 2, "lst": b64url(zlib.compress(raw, 9))},
    }
    return sign_compact({"alg": alg, "typ": STATUS_LIST_TYP, "kid": kid}, claims, sign)
