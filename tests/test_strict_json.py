"""Untrusted JSON: duplicate keys, depth, size, encoding, constants and huge numbers are clear
errors, never a crash or a silently different document."""

from __future__ import annotations

import pytest

from diploma_exchange import strict_json
from diploma_exchange.errors import InvalidInput, LimitExceeded


@pytest.mark.parametrize(
    ("data", "error", "code"),
    [
        (b'{"a": 1, "a": 2}', InvalidInput, "duplicate-key"),
        (b'{"a": {"b": 1, "b": 1}}', InvalidInput, "duplicate-key"),
        (b"[" * 40 + b"]" * 40, LimitExceeded, "limit-exceeded"),
        (b"[" * 100_000 + b"]" * 100_000, LimitExceeded, "limit-exceeded"),
        (b"\xff\xfe{}", InvalidInput, "invalid-input"),
        (b'{"n": NaN}', InvalidInput, "invalid-input"),
        (b'{"n": Infinity}', InvalidInput, "invalid-input"),
        (b'{"n": ' + b"9" * 5000 + b"}", InvalidInput, "number-out-of-range"),
        (b"{", InvalidInput, "invalid-input"),
    ],
)
def test_rejected(data: bytes, error: type[Exception], code: str) -> None:
    with pytest.raises(error) as caught:
        strict_json.loads(data, max_bytes=1_000_000, max_depth=32)
    assert getattr(caught.value, "code", None) == code


def test_size_limit() -> None:
    with pytest.raises(LimitExceeded):
        strict_json.loads(b'"' + b"a" * 100 + b'"', max_bytes=50)


def test_accepted_with_bom() -> None:
    assert strict_json.loads('\ufeff{"a": [1, 2.5, "ә"]}') == {"a": [1, 2.5, "ә"]}
