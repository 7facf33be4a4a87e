"""Strict JSON parsing for untrusted input: size and nesting limits, no duplicate keys.

The standard library's ``json`` accepts duplicate keys (last one wins), which lets a signed
document say one thing to the signature check and another to a naive reader; it also has no
depth limit beyond the interpreter's recursion limit. This wrapper keeps ``json``'s C parser
and adds both checks (no maintained library does exactly this for the stdlib parser).
"""

from __future__ import annotations

import json
from typing import Any

from diploma_exchange.errors import InvalidInput, LimitExceeded

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
DEFAULT_MAX_DEPTH = 32


class DuplicateKeyError(InvalidInput):
    code = "duplicate-key"


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateKeyError(
                f"the JSON object has the key {key!r} more than once; keys must be unique",
                extra={"key": key},
            )
        out[key] = value
    return out


def _reject_constant(name: str) -> Any:
    raise InvalidInput(f"{name} is not valid JSON")


def depth_of(value: Any, limit: int) -> int:
    """Nesting depth of a parsed JSON value, stopping early once over ``limit``."""
    depth = 0
    frontier = [value]
    while frontier:
        nxt: list[Any] = []
        for item in frontier:
            if isinstance(item, dict):
                nxt.extend(item.values())
            elif isinstance(item, list):
                nxt.extend(item)
        if not nxt and not any(isinstance(i, (dict, list)) for i in frontier):
            break
        depth += 1
        if depth > limit:
            return depth
        frontier = nxt
    return depth


def loads(
    data: bytes | str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> Any:
    """Parse untrusted JSON.

    Raises:
        LimitExceeded: larger than ``max_bytes`` or nested deeper than ``max_depth``.
        InvalidInput: not UTF-8, not JSON, a duplicate key, NaN/Infinity.
    """
    size = len(data.encode() if isinstance(data, str) else data)
    if size > max_bytes:
        raise LimitExceeded(
            f"the JSON document is {size} bytes; the limit is {max_bytes} bytes",
            extra={"limit": max_bytes},
        )
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"the body is not UTF-8 (byte {exc.start})") from exc
    data = data.removeprefix("\ufeff")
    try:
        value = json.loads(data, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)
    except RecursionError as exc:
        raise LimitExceeded(
            f"the JSON document is nested deeper than {max_depth} levels",
            extra={"limit": max_depth},
        ) from exc
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"the body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from exc
    except InvalidInput:
        raise
    except ValueError as exc:  # an integer longer than Python's 4,300-digit conversion limit
        raise InvalidInput(
            "a number in the JSON document has too many digits", code="number-out-of-range"
        ) from exc
    if depth_of(value, max_depth) > max_depth:
        raise LimitExceeded(
            f"the JSON document is nested deeper than {max_depth} levels",
            extra={"limit": max_depth},
        )
    return value
