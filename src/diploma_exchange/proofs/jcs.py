"""JSON Canonicalization Scheme (RFC 8785): a thin facade over ``rfc8785``.

Everything in this package that needs canonical JSON goes through :func:`canonicalize`,
so that there is exactly one implementation and one error type (``InvalidInput``).
"""

from __future__ import annotations

from typing import Any

import rfc8785

from diploma_exchange.errors import InvalidInput, LimitExceeded


def canonicalize(value: Any) -> bytes:
    """Return the RFC 8785 canonical UTF-8 serialization of a JSON value.

    ``value`` must be made of ``dict`` (string keys), ``list``/``tuple``, ``str``,
    ``int`` (within +/-(2**53 - 1)), finite ``float``, ``bool`` and ``None``.

    Raises:
        InvalidInput: the value cannot be represented in JCS (integer out of the IEEE 754
            safe range, NaN or infinite float, non-string object key, lone surrogate,
            unsupported type). The offending detail is in the message.
        LimitExceeded: the value is nested too deeply to serialize.
    """
    try:
        return rfc8785.dumps(value)
    except rfc8785.CanonicalizationError as exc:
        raise InvalidInput(f"value cannot be canonicalized with RFC 8785 (JCS): {exc}") from exc
    except RecursionError as exc:
        raise LimitExceeded("value is nested too deeply to canonicalize") from exc


__all__ = ["canonicalize"]
