"""JSON Canonicalization Scheme (RFC 8785): one facade, a fast path and an exact fallback.

Everything in this package that needs canonical JSON goes through :func:`canonicalize`,
so that there is exactly one entry point and one error type (``InvalidInput``).

``rfc8785`` (pure Python, the reference) costs ~0.5 ms for a 6 KB diploma, ten times the
Ed25519 signature itself. :func:`canonicalize` therefore first asks :func:`_fast_eligible`
whether the value lies in the subset of JSON for which ``orjson.dumps(value,
option=OPT_SORT_KEYS)`` is *byte-identical* to RFC 8785, and only then uses ``orjson``.
Anything outside that subset -- and anything ``orjson`` refuses -- goes to ``rfc8785``,
which also produces every error, so errors and limits are unchanged.

Why each rule of the subset is needed (checked against ``rfc8785`` in
``tests/proofs/test_jcs_fast.py``, Hypothesis plus explicit cases):

* Exact built-in types only (``dict``, ``list``, ``tuple``, ``str``, ``int``, ``bool``,
  ``float``, ``None``): subclasses (``IntEnum``, ``str`` subclasses, ``OrderedDict``...)
  and other types are treated differently by the two libraries (``orjson`` rejects ``str``
  subclass keys, serializes dataclasses, ...), so they are left to ``rfc8785``.
* Object keys must be ``str`` without characters above U+FFFF: RFC 8785 sorts keys by
  UTF-16 code units, ``orjson`` by UTF-8 bytes (= code points). The two orders agree
  unless a key has a surrogate pair (a non-BMP character), which sorts *before*
  U+E000..U+FFFF in UTF-16 but *after* them in code-point order.
  Lone surrogates pass this test, but ``orjson`` refuses them (``JSONEncodeError``) and
  the fallback then fails exactly as it did before there was a fast path.
* Strings (keys and values) need no check: both escape exactly ``"``, ``\\`` and
  U+0000..U+001F (as ``\\b \\t \\n \\f \\r`` or lowercase ``\\u00xx``) and write
  everything else, including U+007F, U+2028/U+2029 and non-BMP characters, as UTF-8.
* Integers only in the IEEE 754 safe range ``|n| < 2**53``: RFC 8785 numbers are doubles;
  ``rfc8785`` rejects anything larger, ``orjson`` would print it (up to 64 bits).
* Floats only when non-integral with ``1e-5 <= |x| < 2**53``: ECMAScript prints
  integral doubles without a fraction (``3``, ``0`` for ``3.0``, ``-0.0``, and
  ``100000000000000000000`` for ``1e20``) where ``orjson`` writes ``3.0``, ``-0.0``,
  ``1e+20``; in [1e-6, 1e-5) ECMAScript is still positional (``0.000001``) where
  ``orjson`` already writes ``1e-6``. In the accepted range both print the shortest
  round-trip digits positionally. (Non-integral doubles are all below 2**52, so the
  upper bound only also excludes +/-inf; the comparison is False for NaN.) The
  remaining doubles (tiny, huge, integral) are rare in credentials and go to
  ``rfc8785``.
* Nesting deeper than ``_MAX_FAST_DEPTH``: ``orjson`` stops at 255 levels; deep values go
  to ``rfc8785``, whose ``RecursionError`` keeps being reported as ``LimitExceeded``.

**Reused members** (:func:`reused_members`). Verifying an eddsa-jcs-2022 proof canonicalises
the document without its proof, and the "issued here" digest then canonicalises the same
document with it (:func:`~diploma_exchange.proofs.secured.secured_digest`): two shallow copies
that share every member value. RFC 8785 §3.2.3 serialises an object as its members, each
``key:value`` in its own canonical form, sorted by key (UTF-16 code units) and joined by commas,
so inside a :func:`reused_members` block an object with plain ASCII keys is put together from
its members' canonical forms, and the form of a member value (the very object, by identity,
kept alive by the block) is computed once per block. The block is the caller's promise that
no value is changed inside it: the verifier opens one around its proof checks, which only
read the document.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Final

import orjson
import rfc8785

from diploma_exchange.errors import InvalidInput, LimitExceeded

# orjson raises JSONEncodeError beyond 255 levels of nesting; stay well below it.
_MAX_FAST_DEPTH: Final = 128
# Largest magnitude of an integer that RFC 8785 (rfc8785) accepts, plus one.
_INT_BOUND: Final = 2**53
_FLOAT_MIN: Final = 1e-5
_FLOAT_BOUND: Final = float(2**53)
_LAST_BMP: Final = "\uffff"
_SORT_KEYS: Final = orjson.OPT_SORT_KEYS


def _fast_float_ok(x: float) -> bool:
    # Chained comparison is False for NaN and excludes +/-inf.
    return _FLOAT_MIN <= abs(x) < _FLOAT_BOUND and not x.is_integer()


def _fast_eligible(value: Any) -> bool:
    """Whether ``orjson`` with sorted keys gives exactly RFC 8785 bytes for ``value``.

    ``False`` means "use the ``rfc8785`` fallback", not "invalid": see the module
    docstring for each rule. Iterative, so it never recurses whatever the depth.
    """
    scalar = type(value)
    if scalar is not dict and scalar is not list and scalar is not tuple:
        value = [value]
    stack: list[tuple[Any, int]] = [(value, 1)]
    pop = stack.pop
    push = stack.append
    while stack:
        node, depth = pop()
        if depth > _MAX_FAST_DEPTH:
            return False
        if type(node) is dict:
            for key in node:
                if type(key) is not str:
                    return False
                # Non-BMP key: UTF-16 and code-point orders may differ.
                if not key.isascii() and max(key) > _LAST_BMP:
                    return False
            children = node.values()
        else:
            children = node
        depth += 1
        for child in children:
            kind = type(child)
            if kind is str or kind is bool or child is None:
                continue
            if kind is int:
                if -_INT_BOUND < child < _INT_BOUND:
                    continue
                return False
            if kind is float:
                if _fast_float_ok(child):
                    continue
                return False
            if kind is dict or kind is list or kind is tuple:
                push((child, depth))
                continue
            return False
    return True


#: Canonical forms of member values computed in the current :func:`reused_members` block,
#: by ``id``; each entry keeps its object alive so that the id is not reused in the block.
_MEMBERS: ContextVar[dict[int, tuple[Any, bytes]] | None] = ContextVar(
    "diploma_exchange_jcs_members", default=None
)


#: ``"key":`` of the ASCII keys seen at the top of objects (a credential has a few dozen).
_MEMBER_PREFIXES: dict[str, bytes] = {}
_MAX_MEMBER_PREFIXES: Final = 4096


@contextmanager
def reused_members() -> Iterator[None]:
    """A block in which :func:`canonicalize` reuses the canonical form of an object's member
    values it already computed in the block (see the module docstring). Nothing in the block
    may change a value that was canonicalised in it."""
    token = _MEMBERS.set({})
    try:
        yield
    finally:
        _MEMBERS.reset(token)


def _from_members(value: dict[Any, Any], memo: dict[int, tuple[Any, bytes]]) -> bytes | None:
    """RFC 8785 §3.2.3 for an object whose keys are all ASCII ``str``: its members' canonical
    forms (computed once per block) in key order; None for any other object."""
    keys = list(value)
    for key in keys:
        if type(key) is not str or not key.isascii():
            return None
    # ASCII: UTF-16 code unit order is code point order.
    keys.sort()
    parts = []
    for key in keys:
        member = value[key]
        known = memo.get(id(member))
        if known is None or known[0] is not member:
            known = (member, _canonicalize(member))
            memo[id(member)] = known
        prefix = _MEMBER_PREFIXES.get(key)
        if prefix is None:
            if len(_MEMBER_PREFIXES) >= _MAX_MEMBER_PREFIXES:
                _MEMBER_PREFIXES.clear()
            prefix = _MEMBER_PREFIXES[key] = orjson.dumps(key) + b":"
        parts.append(prefix + known[1])
    return b"{" + b",".join(parts) + b"}"


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
    memo = _MEMBERS.get()
    if memo is not None and type(value) is dict:
        assembled = _from_members(value, memo)
        if assembled is not None:
            return assembled
    return _canonicalize(value)


def _canonicalize(value: Any) -> bytes:
    if _fast_eligible(value):
        try:
            return orjson.dumps(value, option=_SORT_KEYS)
        except orjson.JSONEncodeError:
            pass  # e.g. a lone surrogate: let rfc8785 raise the usual error.
    try:
        return rfc8785.dumps(value)
    except rfc8785.CanonicalizationError as exc:
        raise InvalidInput(f"value cannot be canonicalized with RFC 8785 (JCS): {exc}") from exc
    except RecursionError as exc:
        raise LimitExceeded("value is nested too deeply to canonicalize") from exc
    except UnicodeError as exc:  # rfc8785 0.1.4 lets a lone surrogate in a key escape raw
        raise InvalidInput(
            "value cannot be canonicalized with RFC 8785 (JCS): a string holds a lone surrogate"
        ) from exc


__all__ = ["canonicalize", "reused_members"]
