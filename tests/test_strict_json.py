"""Untrusted JSON: duplicate keys, depth, size, encoding, constants and huge numbers are clear
errors, never a crash or a silently different document."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
        # I-JSON (RFC 7493): numbers other parsers read differently, text that is not Unicode
        (b'{"n": 1e400}', InvalidInput, "number-out-of-range"),
        (b'{"n": -1e400}', InvalidInput, "number-out-of-range"),
        (b'{"n": 9007199254740992}', InvalidInput, "number-out-of-range"),
        (b'{"n": -9007199254740992}', InvalidInput, "number-out-of-range"),
        (b'{"s": "\\ud800"}', InvalidInput, "invalid-unicode"),
        (b'{"\\udfff": 1}', InvalidInput, "invalid-unicode"),
        (b'["ok", ["\\ud83d"]]', InvalidInput, "invalid-unicode"),
    ],
)
def test_rejected(data: bytes, error: type[Exception], code: str) -> None:
    with pytest.raises(error) as caught:
        strict_json.loads(data, max_bytes=1_000_000, max_depth=32)
    assert getattr(caught.value, "code", None) == code


def test_nul_is_refused_only_where_asked() -> None:
    """NUL is valid JSON, but PostgreSQL text cannot hold it: the HTTP API refuses it."""
    data = b'{"s": ["a\\u0000b"]}'
    assert strict_json.loads(data) == {"s": ["a\x00b"]}
    with pytest.raises(InvalidInput) as caught:
        strict_json.loads_storable(data)
    assert caught.value.code == "nul-character" and caught.value.pointer == "/s/0"


def test_size_limit() -> None:
    with pytest.raises(LimitExceeded):
        strict_json.loads(b'"' + b"a" * 100 + b'"', max_bytes=50)


def test_accepted_with_bom() -> None:
    assert strict_json.loads('\ufeff{"a": [1, 2.5, "ә"]}') == {"a": [1, 2.5, "ә"]}


def test_the_i_json_boundaries_are_accepted() -> None:
    limit = 2**53 - 1
    text = f'[{limit}, {-limit}, 1.7976931348623157e308, 1e-400, "\\ud83d\\ude00"]'
    assert strict_json.loads(text) == [limit, -limit, 1.7976931348623157e308, 0.0, "\U0001f600"]


def test_errors_never_carry_what_cannot_be_encoded() -> None:
    """A duplicate key or pointer holding a lone surrogate or NUL is escaped in the error
    (it goes into a UTF-8 problem body and the logs)."""
    with pytest.raises(InvalidInput) as caught:
        strict_json.loads(b'{"\\ud800": 1, "\\ud800": 2}')
    assert caught.value.extra["key"] == "\\ud800"
    with pytest.raises(InvalidInput) as caught:
        strict_json.loads_storable(b'{"a\\u0000": "\\u0000"}')
    assert caught.value.pointer == "/a\\u0000"
    str(caught.value).encode("utf-8")


# --- the walk for lone surrogates and NUL is skipped only where none can be -------------------

_odd_text = st.text(
    alphabet=st.sampled_from(["a", "é", "\x00", "\ud800", "\udfff", "\U0001f600", "\\", "u", '"']),
    max_size=6,
)
_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-100, 100), _odd_text),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(_odd_text, children, max_size=3)
    ),
    max_leaves=12,
)


def _outcome(parse: Any, data: bytes | str) -> Any:
    try:
        return ("value", parse(data))
    except InvalidInput as exc:
        return ("error", exc.code, exc.pointer)


@settings(max_examples=400, deadline=None)
@given(_values, st.booleans(), st.booleans())
def test_skipping_the_text_walk_changes_no_outcome(
    value: Any, ensure_ascii: bool, as_bytes: bool
) -> None:
    """loads / loads_storable give the same value or the same error (code and pointer) as
    when every parsed value is walked for lone surrogates and NUL."""
    text = json.dumps(value, ensure_ascii=ensure_ascii)
    data: bytes | str = text
    if as_bytes:
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:
            data = text  # a raw lone surrogate: only a str can carry it
    fast = (_outcome(strict_json.loads, data), _outcome(strict_json.loads_storable, data))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(strict_json, "_may_hold_escapes", lambda text: True)
        walked = (_outcome(strict_json.loads, data), _outcome(strict_json.loads_storable, data))
    assert fast == walked


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('{"a": "\\u0000"}', "nul-character"),
        ('{"\\u0000": 1}', "nul-character"),
        ('["\\ud800"]', "invalid-unicode"),
        ('{"a": ["\\udfff"]}', "invalid-unicode"),
    ],
)
def test_escaped_nul_and_surrogates_are_still_refused(text: str, code: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        strict_json.loads_storable(text.encode())
    assert raised.value.code == code


def test_a_raw_surrogate_in_a_str_is_still_refused() -> None:
    with pytest.raises(InvalidInput) as raised:
        strict_json.loads('["\ud800"]')
    assert raised.value.code == "invalid-unicode"
