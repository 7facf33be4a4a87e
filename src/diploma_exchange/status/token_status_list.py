"""IETF OAuth "Token Status List" (draft-ietf-oauth-status-list): the status list a JWT,
SD-JWT or CWT names in its ``status`` claim, decoded with bounded decompression.

§4 Status List: ``bits`` (1, 2, 4 or 8) per token, the byte array compressed with DEFLATE
in the ZLIB format (RFC 1950), least significant bits first. §5.1/§5.2: as a JWT the list
is ``status_list: {bits, lst}`` with ``lst`` base64url; as a CWT (claim 65533) it is
``{"bits": n, "lst": bytes}``. §6.1 Referenced Token: ``status: {status_list: {idx, uri}}``.
§7.1 Status Types: 0 VALID, 1 INVALID, 2 SUSPENDED, 3 and 0x0B-0x0F application-specific.

Signature verification of the status list token is the caller's (``formats``): this
module only parses and reads.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Final

from diploma_exchange.errors import InvalidInput, LimitExceeded

#: A status list of 2^24 one-byte entries; far above any issuer's real list.
MAX_STATUS_LIST_BYTES: Final = 16 * 1024 * 1024
ALLOWED_BITS: Final = (1, 2, 4, 8)


class TokenStatus(IntEnum):
    """§7.1 Status Types values."""

    VALID = 0x00
    INVALID = 0x01
    SUSPENDED = 0x02
    APPLICATION_SPECIFIC = 0x03


class StatusListError(InvalidInput):
    code = "malformed-status-list"


@dataclass(frozen=True, slots=True)
class TokenStatusReference:
    """§6.1: where a Referenced Token's status is (``uri``) and at which index."""

    uri: str
    index: int


def parse_status_claim(claims: Mapping[str, Any]) -> TokenStatusReference | None:
    """The ``status.status_list`` reference of a token's claims, if it has one.

    Raises:
        StatusListError: a ``status_list`` that is not ``{idx: non-negative int, uri: str}``.
    """
    status = claims.get("status")
    if not isinstance(status, Mapping) or "status_list" not in status:
        return None
    reference = status["status_list"]
    if not isinstance(reference, Mapping):
        raise StatusListError("status.status_list must be an object")
    idx, uri = reference.get("idx"), reference.get("uri")
    if isinstance(idx, bool) or not isinstance(idx, int) or idx < 0:
        raise StatusListError("status.status_list.idx must be a non-negative integer")
    if not isinstance(uri, str) or not uri:
        raise StatusListError("status.status_list.uri must be a URI")
    return TokenStatusReference(uri, idx)


@dataclass(frozen=True, slots=True)
class TokenStatusList:
    """A decompressed status list."""

    bits: int
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data) * 8 // self.bits

    def status(self, index: int) -> int:
        """§4.1: the status at ``index`` (LSB-first within each byte).

        Raises:
            StatusListError: ``index`` is beyond the list (``status-index-out-of-range``).
        """
        if index < 0 or index >= self.size:
            raise StatusListError(
                f"index {index} is outside the status list of {self.size} entries",
                code="status-index-out-of-range",
            )
        position = index * self.bits
        byte = self.data[position // 8]
        return (byte >> (position % 8)) & ((1 << self.bits) - 1)


def decompress_status_list(
    compressed: bytes, bits: Any, *, max_bytes: int = MAX_STATUS_LIST_BYTES
) -> TokenStatusList:
    """§4.1: inflate a ZLIB-format list, refusing to produce more than ``max_bytes``.

    Raises:
        StatusListError: bad ``bits`` or corrupt data.
        LimitExceeded: the list inflates beyond ``max_bytes`` (``status-list-too-large``).
    """
    if isinstance(bits, bool) or bits not in ALLOWED_BITS:
        raise StatusListError(f"status list bits must be one of {ALLOWED_BITS}, not {bits!r}")
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(compressed, max_bytes + 1)
    except zlib.error as exc:
        raise StatusListError("the status list is not ZLIB-compressed data") from exc
    if len(data) > max_bytes or inflater.unconsumed_tail:
        raise LimitExceeded(
            f"the status list inflates beyond {max_bytes} bytes", code="status-list-too-large"
        )
    if not inflater.eof:
        raise StatusListError("the status list's compressed data is truncated")
    return TokenStatusList(int(bits), data)


def status_list_from_jwt_claims(claims: Mapping[str, Any], decode_b64url: Any) -> TokenStatusList:
    """§5.1: the ``status_list`` claim of a status list token JWT (``lst`` base64url).

    Raises:
        StatusListError, LimitExceeded: see :func:`decompress_status_list`.
    """
    status_list = claims.get("status_list")
    if not isinstance(status_list, Mapping) or not isinstance(status_list.get("lst"), str):
        raise StatusListError("the status list token has no status_list {bits, lst}")
    return decompress_status_list(
        decode_b64url(status_list["lst"], what="status_list.lst"), status_list.get("bits")
    )


def status_list_from_cwt_claims(claims: Mapping[Any, Any]) -> TokenStatusList:
    """§5.2: claim 65533 of a status list token CWT (``lst`` a byte string).

    Raises:
        StatusListError, LimitExceeded: see :func:`decompress_status_list`.
    """
    status_list = claims.get(65533)
    if not isinstance(status_list, Mapping) or not isinstance(status_list.get("lst"), bytes):
        raise StatusListError("the status list CWT has no status_list (65533) {bits, lst}")
    return decompress_status_list(status_list["lst"], status_list.get("bits"))


__all__ = [
    "ALLOWED_BITS",
    "MAX_STATUS_LIST_BYTES",
    "StatusListError",
    "TokenStatus",
    "TokenStatusList",
    "TokenStatusReference",
    "decompress_status_list",
    "parse_status_claim",
    "status_list_from_cwt_claims",
    "status_list_from_jwt_claims",
]
