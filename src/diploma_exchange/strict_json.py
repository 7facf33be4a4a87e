"""Strict JSON parsing for untrusted input: size and nesting limits, no duplicate keys.

The standard library's ``json`` accepts duplicate keys (last one wins), which lets a signed
document say one thing to the signature check and another to a naive reader; it also has no
depth limit beyond the interpreter's recursion limit. This wrapper keeps ``json``'s C parser
and adds both checks (no maintained library does exactly this for the stdlib parser).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from diploma_exchange.errors import InvalidInput, LimitExceeded

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
DEFAULT_MAX_DEPTH = 32
#: I-JSON (RFC 7493 §2.2): integers beyond this are not exact in most JSON implementations
#: (IEEE 754 doubles), so two parsers could read one signed document differently.
MAX_SAFE_INTEGER = 2**53 - 1
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_LONE_SURROGATE_OR_NUL = re.compile("[\ud800-\udfff\x00]")
#: The JSON escapes that spell NUL or a UTF-16 surrogate.
_NUL_OR_SURROGATE_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")


class DuplicateKeyError(InvalidInput):
    code = "duplicate-key"


def _printable(text: str) -> str:
    """``text`` with lone surrogates and NUL spelled as escapes: safe in an error body (UTF-8)
    and a log line."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\u0000")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateKeyError(
                f"the JSON object has the key {key!r} more than once; keys must be unique",
                extra={"key": _printable(key)},
            )
        out[key] = value
    return out


def _reject_constant(name: str) -> Any:
    raise InvalidInput(f"{name} is not valid JSON")


def _out_of_range(text: str) -> InvalidInput:
    return InvalidInput(
        f"the number {text[:40]}{'...' if len(text) > 40 else ''} is outside the I-JSON range "
        f"(integers up to ±{MAX_SAFE_INTEGER}, finite doubles); send it as a string",
        code="number-out-of-range",
    )


def _integer(text: str) -> int:
    # Length first: int() of a 5,000-digit number costs time before refusing it.
    if len(text.lstrip("-")) > len(str(MAX_SAFE_INTEGER)):
        raise _out_of_range(text)
    value = int(text)
    if abs(value) > MAX_SAFE_INTEGER:
        raise _out_of_range(text)
    return value


def _double(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400 parses as inf
        raise _out_of_range(text)
    return value


def _escape(part: str) -> str:
    return _printable(part.replace("~", "~0").replace("/", "~1"))


def unstorable_text(value: Any, *, nul: bool = True) -> tuple[str, str] | None:
    """(JSON pointer, character) of the first string or key holding a lone UTF-16 surrogate
    (or NUL, with ``nul``), else None. JSON escapes can spell both (``"\\ud800"``,
    ``"\\u0000"``): a lone surrogate is not Unicode text (I-JSON §2.1) and cannot be encoded
    as UTF-8 when the document is stored or signed; PostgreSQL text cannot hold NUL."""
    pattern = _LONE_SURROGATE_OR_NUL if nul else _LONE_SURROGATE
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        pointer, item = stack.pop()
        if isinstance(item, str):
            if found := pattern.search(item):
                return pointer, found.group()
        elif isinstance(item, dict):
            for key, child in item.items():
                child_pointer = f"{pointer}/{_escape(key)}"
                if found := pattern.search(key):
                    return child_pointer, found.group()
                stack.append((child_pointer, child))
        elif isinstance(item, list):
            stack.extend((f"{pointer}/{i}", child) for i, child in enumerate(item))
    return None


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


def _may_hold_escapes(text: str) -> bool:
    """Whether a value parsed from the JSON ``text`` can hold a lone surrogate or NUL.

    Only an escape can put either into a parsed string or key: ``\\u0000``, or one of
    ``\\uD800``-``\\uDFFF`` in any case. ``json`` refuses raw control characters (NUL among
    them) inside strings and anywhere else, and UTF-8 cannot encode a surrogate (the decoder
    refuses one), so decoded bytes hold none; a ``str`` given directly may, which the search
    for a raw surrogate catches. An escaped backslash before such letters matches too, which
    only costs the walk. A text with none needs no walk of the parsed value (the walk costs
    several times the parse of a credential).
    """
    return _NUL_OR_SURROGATE_ESCAPE.search(text) is not None or (
        _LONE_SURROGATE.search(text) is not None
    )


def loads(
    data: bytes | str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> Any:
    """Parse untrusted JSON.

    Raises:
        LimitExceeded: larger than ``max_bytes`` or nested deeper than ``max_depth``.
        InvalidInput: not UTF-8, not JSON, a duplicate key, NaN/Infinity, a number outside
            the I-JSON range (``number-out-of-range``), a lone surrogate (``invalid-unicode``)
            in a string.
    """
    return _parse(data, max_bytes, max_depth)[0]


def _parse(data: bytes | str, max_bytes: int, max_depth: int) -> tuple[Any, bool]:
    """:func:`loads`, and whether the text had an escape that may spell a NUL (or a raw
    surrogate): see :func:`_may_hold_escapes`."""
    # surrogatepass: a str may hold a raw lone surrogate, refused below as invalid-unicode
    size = len(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
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
    escapes = _may_hold_escapes(data)
    try:
        value = json.loads(
            data,
            object_pairs_hook=_no_duplicates,
            parse_constant=_reject_constant,
            parse_int=_integer,
            parse_float=_double,
        )
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
    unstorable = unstorable_text(value, nul=False) if escapes else None
    if unstorable is not None:
        pointer, _ = unstorable
        raise InvalidInput(
            "a string in the JSON document holds a lone UTF-16 surrogate escape (such as "
            "\\ud800), which is not Unicode text",
            pointer=pointer,
            code="invalid-unicode",
        )
    return value, escapes


def loads_storable(
    data: bytes | str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> Any:
    """:func:`loads` for input that may be stored (the HTTP API): also no NUL in any string
    or key. NUL is valid JSON, but PostgreSQL text cannot hold it (a 500 at the insert).

    Raises:
        LimitExceeded, InvalidInput: as :func:`loads`; InvalidInput ``nul-character``.
    """
    value, escapes = _parse(data, max_bytes, max_depth)
    found = unstorable_text(value) if escapes else None
    if found is not None:
        raise InvalidInput(
            "a string in the JSON document holds a NUL character (\\u0000); remove it",
            pointer=found[0],
            code="nul-character",
        )
    return value
