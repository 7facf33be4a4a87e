"""The status bitstring and its ``encodedList`` form.

Implements W3C "Bitstring Status List v1.0" (Recommendation, 15 May 2025): §3.3 "Bitstring
Generation Algorithm" (:func:`encode_list`), §3.4 "Bitstring Expansion Algorithm"
(:func:`decode_list`), and the encoding rules of §2.2 (``credentialSubject.encodedList``) and
§7.1 "Bitstring Encoding":

* bit order: index 0 is the left-most, i.e. most significant, bit of the first byte; the
  last index (``length - 1``) is the least significant bit of the last byte;
* the uncompressed bitstring is at least 16 KB, i.e. :data:`MIN_BITSTRING_LENGTH` = 131,072
  bits;
* ``encodedList`` is the multibase base64url-no-pad form (prefix ``u``) of the GZIP
  (RFC 1952) compressed bitstring.

What :func:`decode_list` accepts: exactly one canonical ``u``-prefixed base64url-no-pad value
holding exactly one GZIP member (CRC-32 and length checked). All spec examples and the 1EdTech
validator samples use the ``u`` prefix, so a prefix-less value (the StatusList2021 style) is
rejected, with a message that says so. Decoding is bounded: the encoded and compressed sizes
are checked before any work, and decompression is incremental, stopping with
:class:`~diploma_exchange.errors.LimitExceeded` as soon as the output would exceed
``max_decompressed_bytes`` (a GZIP bomb costs at most that much memory).
"""

from __future__ import annotations

import gzip
import zlib
from typing import Final

from diploma_exchange.errors import InvalidInput, LimitExceeded
from diploma_exchange.proofs.multibase import (
    BASE64URL_NOPAD_PREFIX,
    decode_base64url,
    encode_base64url,
)
from diploma_exchange.status.errors import StatusErrorCode, StatusRangeError

#: §2.2: "The uncompressed bitstring MUST be at least 16KB in size" (16 KiB = 131,072 bits).
MIN_BITSTRING_LENGTH: Final = 16 * 1024 * 8
#: Default bound on the decompressed list: 16 MiB, i.e. 134,217,728 one-bit entries.
DEFAULT_MAX_DECOMPRESSED_BYTES: Final = 16 * 1024 * 1024
#: Default bound on the compressed list: room for an incompressible 16 MiB list plus GZIP
#: overhead, so that no list within the decompressed bound is refused for its compressed size.
DEFAULT_MAX_COMPRESSED_BYTES: Final = DEFAULT_MAX_DECOMPRESSED_BYTES + 64 * 1024

_GZIP_WBITS: Final = 16 + zlib.MAX_WBITS  # GZIP header and trailer, 32 KiB window
_GZIP_MAGIC: Final = b"\x1f\x8b"
_RAW_GZIP_BASE64: Final = "H4sI"  # base64 of 1f 8b 08: a GZIP stream without multibase prefix
_CHUNK: Final = 1024 * 1024


class Bitstring:
    """A mutable list of bits backed by a :class:`bytearray`, index 0 = MSB of byte 0.

    The length is in bits, a positive multiple of 8, and at least
    :data:`MIN_BITSTRING_LENGTH` unless ``allow_small=True`` (for tests and test vectors;
    such a list fails the herd-privacy check of the Validate Algorithm).
    """

    __slots__ = ("_bytes",)
    __hash__ = None  # type: ignore[assignment]  # mutable, so unhashable

    def __init__(self, length: int = MIN_BITSTRING_LENGTH, *, allow_small: bool = False) -> None:
        """Create an all-zero bitstring of ``length`` bits.

        Raises:
            InvalidInput: ``length`` is not a positive multiple of 8, or is below
                :data:`MIN_BITSTRING_LENGTH` without ``allow_small``.
        """
        _check_length(length, allow_small=allow_small)
        self._bytes = bytearray(length // 8)

    @classmethod
    def from_bytes(cls, data: bytes | bytearray, *, allow_small: bool = False) -> Bitstring:
        """Wrap a copy of ``data`` (byte 0 holds indexes 0-7, most significant bit first).

        Raises:
            InvalidInput: as for the constructor (``len(data) * 8`` is the length).
        """
        return cls._adopt(bytearray(data), allow_small=allow_small)

    @classmethod
    def _adopt(cls, data: bytearray, *, allow_small: bool) -> Bitstring:
        # Takes ownership of ``data`` without copying (a decoded list may be 16 MiB).
        _check_length(len(data) * 8, allow_small=allow_small)
        bitstring = cls.__new__(cls)
        bitstring._bytes = data
        return bitstring

    @property
    def length(self) -> int:
        """The number of bits."""
        return len(self._bytes) * 8

    def __len__(self) -> int:
        return self.length

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Bitstring):
            return NotImplemented
        return self._bytes == other._bytes

    def __repr__(self) -> str:
        return f"Bitstring(length={self.length}, set={self.count_set()})"

    def get(self, index: int) -> int:
        """Return the bit at ``index`` (0 or 1).

        Raises:
            StatusRangeError: ``index`` is not an int in ``[0, length)``.
        """
        self._check_index(index, 1)
        return (self._bytes[index >> 3] >> (7 - (index & 7))) & 1

    def set(self, index: int, value: int | bool) -> None:
        """Set the bit at ``index`` to ``value`` (0/1 or False/True).

        Raises:
            StatusRangeError: ``index`` is outside the bitstring.
            InvalidInput: ``value`` is neither 0 nor 1.
        """
        self._check_index(index, 1)
        if value not in (0, 1):
            raise InvalidInput(f"a bit is 0 or 1, not {value!r}")
        mask = 0x80 >> (index & 7)
        if value:
            self._bytes[index >> 3] |= mask
        else:
            self._bytes[index >> 3] &= ~mask & 0xFF

    def get_status(self, index: int, status_size: int = 1) -> int:
        """Return the ``status_size``-bit status of entry ``index`` (bits ``index*size`` on).

        The entry's first bit is the most significant bit of the value, consistent with
        index 0 being the left-most bit (§7.1); the spec does not say otherwise.

        Raises:
            StatusRangeError: the entry lies (partly) outside the bitstring.
            InvalidInput: ``status_size`` is not a positive int.
        """
        _check_status_size(status_size)
        self._check_index(index, status_size)
        start = index * status_size
        value = 0
        for position in range(start, start + status_size):
            value = (value << 1) | ((self._bytes[position >> 3] >> (7 - (position & 7))) & 1)
        return value

    def set_status(self, index: int, value: int, status_size: int = 1) -> None:
        """Store ``value`` in the ``status_size`` bits of entry ``index`` (MSB first).

        Raises:
            StatusRangeError: the entry lies (partly) outside the bitstring.
            InvalidInput: ``status_size`` is not a positive int, or ``value`` does not fit.
        """
        _check_status_size(status_size)
        self._check_index(index, status_size)
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not 0 <= value < 1 << status_size
        ):
            raise InvalidInput(f"status {value!r} does not fit in {status_size} bit(s)")
        start = index * status_size
        for offset in range(status_size):
            self.set(start + offset, (value >> (status_size - 1 - offset)) & 1)

    def count_set(self) -> int:
        """Return how many bits are 1."""
        return int.from_bytes(self._bytes, "big").bit_count()

    def to_bytes(self) -> bytes:
        """Return the bits as bytes (a copy)."""
        return bytes(self._bytes)

    def copy(self) -> Bitstring:
        """Return an independent copy."""
        return Bitstring.from_bytes(self._bytes, allow_small=True)

    def _check_index(self, index: int, status_size: int) -> None:
        if isinstance(index, bool) or not isinstance(index, int):
            raise StatusRangeError(f"a status list index is an int, not {type(index).__name__}")
        entries = self.length // status_size
        if not 0 <= index < entries:
            raise StatusRangeError(
                f"index {index} (statusSize {status_size}) is outside the status list, "
                f"which holds {entries} entries of that size (indexes 0-{entries - 1})"
            )


def _check_length(length: int, *, allow_small: bool) -> None:
    if isinstance(length, bool) or not isinstance(length, int) or length <= 0 or length % 8:
        raise InvalidInput(f"a bitstring length is a positive multiple of 8 bits, not {length!r}")
    if length < MIN_BITSTRING_LENGTH and not allow_small:
        raise InvalidInput(
            f"a status list has at least {MIN_BITSTRING_LENGTH} bits (16 KB), not {length}",
            code=StatusErrorCode.STATUS_LIST_LENGTH_ERROR,
        )


def _check_status_size(status_size: int) -> None:
    if isinstance(status_size, bool) or not isinstance(status_size, int) or status_size < 1:
        raise InvalidInput(f"statusSize is a positive integer, not {status_size!r}")


def encode_list(bitstring: Bitstring) -> str:
    """Bitstring Generation Algorithm, §3.3 (steps 3-4): the ``encodedList`` of a bitstring.

    Steps 1-2 (building the bitstring from issued credentials) are the caller's: it sets the
    bits of a :class:`Bitstring`. The GZIP member is written with ``mtime`` 0 and level 9,
    so the same bits give the same string (with the same zlib build).
    """
    # 3. Generate a compressed bitstring by using the GZIP compression algorithm [RFC1952]
    #    on the bitstring and then Multibase-encode the result using base64url (no padding).
    compressed = gzip.compress(bitstring.to_bytes(), compresslevel=9, mtime=0)
    # 4. Return the compressed bitstring.
    return encode_base64url(compressed)


def decode_list(
    encoded: str,
    *,
    max_compressed_bytes: int = DEFAULT_MAX_COMPRESSED_BYTES,
    max_decompressed_bytes: int = DEFAULT_MAX_DECOMPRESSED_BYTES,
    allow_small: bool = False,
) -> Bitstring:
    """Bitstring Expansion Algorithm, §3.4: the bitstring held by an ``encodedList``.

    Raises:
        LimitExceeded: the value is longer than ``max_compressed_bytes`` allow, or it
            decompresses to more than ``max_decompressed_bytes`` (detected while
            decompressing, without holding more than that limit in memory).
        InvalidInput: not a string; no ``u`` multibase prefix; not canonical base64url
            without padding; not a single, complete, intact GZIP member; empty; or shorter
            than 16 KB without ``allow_small`` (code ``STATUS_LIST_LENGTH_ERROR``).
    """
    # 1. Let compressed bitstring be a compressed status list bitstring.
    if not isinstance(encoded, str):
        raise InvalidInput(f"encodedList must be a string, not {type(encoded).__name__}")
    max_encoded_chars = 1 + (max_compressed_bytes * 4 + 2) // 3
    if len(encoded) > max_encoded_chars:
        raise LimitExceeded(
            f"encodedList has {len(encoded)} characters; at most {max_encoded_chars} "
            f"({max_compressed_bytes} compressed bytes) are accepted"
        )
    # 2. Generate an uncompressed bitstring by using the Multibase-decode algorithm on the
    #    compressed bitstring and then expanding the output using GZIP decompression.
    if not encoded.startswith(BASE64URL_NOPAD_PREFIX):
        if encoded.startswith(_RAW_GZIP_BASE64):
            raise InvalidInput(
                "encodedList lacks the multibase prefix 'u': Bitstring Status List v1.0 "
                "requires multibase base64url (the StatusList2021 prefix-less form is not "
                "accepted); prefix the value with 'u'"
            )
        raise InvalidInput(
            "encodedList must be multibase base64url without padding, starting with 'u'"
        )
    try:
        compressed = decode_base64url(encoded)
    except InvalidInput as exc:
        raise InvalidInput(f"encodedList is not valid: {exc.message}") from exc
    if len(compressed) > max_compressed_bytes:
        raise LimitExceeded(
            f"encodedList holds {len(compressed)} compressed bytes; at most "
            f"{max_compressed_bytes} are accepted"
        )
    data = _gunzip_bounded(compressed, max_decompressed_bytes)
    if not data:
        raise InvalidInput("encodedList decompresses to an empty bitstring")
    # 3. Return the uncompressed bitstring.
    return Bitstring._adopt(data, allow_small=allow_small)


def _gunzip_bounded(compressed: bytes, limit: int) -> bytearray:
    """Decompress exactly one GZIP member, never producing more than ``limit + 1`` bytes."""
    if not compressed.startswith(_GZIP_MAGIC):
        raise InvalidInput("encodedList does not hold GZIP data (no 1f 8b magic bytes)")
    decompressor = zlib.decompressobj(wbits=_GZIP_WBITS)
    output = bytearray()
    pending = compressed
    try:
        while not decompressor.eof:
            # Ask for at most one byte beyond the limit: enough to know it was exceeded.
            chunk = decompressor.decompress(pending, min(_CHUNK, limit - len(output) + 1))
            output += chunk
            if len(output) > limit:
                raise LimitExceeded(
                    f"encodedList decompresses to more than {limit} bytes; refusing it "
                    "(a status list this large is unexpected; it may be a compression bomb)"
                )
            pending = decompressor.unconsumed_tail
            if not chunk and not pending:
                break  # all input consumed, no more output: the stream is truncated
    except zlib.error as exc:
        raise InvalidInput(f"encodedList is not valid GZIP data: {exc}") from exc
    if not decompressor.eof:
        raise InvalidInput("encodedList holds a truncated GZIP stream")
    trailing = decompressor.unused_data
    if trailing:
        what = "a second GZIP member" if trailing.startswith(_GZIP_MAGIC) else "trailing bytes"
        raise InvalidInput(
            f"encodedList holds {what} after the GZIP stream; a status list is a single GZIP member"
        )
    return output


__all__ = [
    "DEFAULT_MAX_COMPRESSED_BYTES",
    "DEFAULT_MAX_DECOMPRESSED_BYTES",
    "MIN_BITSTRING_LENGTH",
    "Bitstring",
    "decode_list",
    "encode_list",
]
