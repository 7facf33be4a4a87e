"""The orjson fast path of proofs.jcs.canonicalize is byte-identical to rfc8785.

Each fallback rule of ``_fast_eligible`` has an explicit case showing both why it is needed
(orjson alone would differ, where that is the reason) and that ``canonicalize`` still
matches ``rfc8785.dumps``.
"""

from __future__ import annotations

import json
import math
import random
from collections import OrderedDict
from enum import IntEnum
from typing import Any

import orjson
import pytest
import rfc8785
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from diploma_exchange import strict_json
from diploma_exchange.credentials.samples import sample_diploma_credential
from diploma_exchange.errors import InvalidInput, LimitExceeded
from diploma_exchange.proofs import jcs
from diploma_exchange.proofs.jcs import _fast_eligible, canonicalize

SAFE = 2**53 - 1


class _Grade(IntEnum):
    A = 1


def _orjson(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


@pytest.fixture
def no_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any use of the rfc8785 fallback fail the test."""

    def forbidden(value: Any) -> bytes:
        raise AssertionError("rfc8785 fallback used")

    monkeypatch.setattr(rfc8785, "dumps", forbidden)


# --- Hypothesis: canonicalize == rfc8785.dumps on arbitrary JSON ---------------------

_text = st.text(
    alphabet=st.characters(exclude_categories=["Cs"]),  # lone surrogates: separate test
    max_size=12,
)
_interesting_chars = st.sampled_from(
    [
        "\u00e9",
        "\u4e2d",
        "\uff01",
        "\ue000",
        "\uffff",
        "\U0001f600",
        "\U00010000",
        "\x00",
        "\x1f",
        "\x7f",
        "\u2028",
        "\u2029",
        '"',
        "\\",
        "/",
        "a",
        "Z",
    ]
)
_key = st.one_of(_text, st.lists(_interesting_chars, max_size=4).map("".join))
_ints = st.one_of(
    st.integers(min_value=-SAFE, max_value=SAFE),
    st.integers(min_value=-(2**53) - 3, max_value=-(2**53) + 3),
    st.integers(min_value=2**53 - 3, max_value=2**53 + 3),
)
_floats = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(min_value=-1e-4, max_value=1e-4, allow_nan=False),
    st.floats(min_value=1e15, max_value=1e22),
    st.integers(min_value=-(2**60), max_value=2**60).map(float),
    st.sampled_from([0.0, -0.0, 1e-5, 1e-6, 1e-7, 9.999999999999999e-06, 1e21, 1e20, 0.1]),
)
_scalars = st.one_of(st.none(), st.booleans(), _ints, _floats, _text, _key)
_json = st.recursive(
    _scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.lists(children, max_size=3).map(tuple),
        st.dictionaries(_key, children, max_size=6),
    ),
    max_leaves=40,
)


def _reference(value: Any) -> bytes | type[Exception]:
    try:
        return rfc8785.dumps(value)
    except rfc8785.CanonicalizationError:
        return InvalidInput


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_json)
def test_canonicalize_matches_rfc8785(value: Any) -> None:
    expected = _reference(value)
    if expected is InvalidInput:
        with pytest.raises(InvalidInput):
            canonicalize(value)
        assert not _fast_eligible(value) or _raises_in_orjson(value)
    else:
        assert canonicalize(value) == expected
        if _fast_eligible(value):
            assert _orjson(value) == expected


def _raises_in_orjson(value: Any) -> bool:
    try:
        _orjson(value)
    except orjson.JSONEncodeError:
        return True
    return False


@settings(max_examples=500, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_eligible_float_prints_like_ecmascript(value: float) -> None:
    if _fast_eligible(value):
        assert _orjson(value) == rfc8785.dumps(value)
    assert canonicalize(value) == rfc8785.dumps(value)


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(_key, st.integers(0, 9), max_size=8))
def test_key_order_matches_rfc8785(value: dict[str, int]) -> None:
    assert canonicalize(value) == rfc8785.dumps(value)


# --- the fast path is taken for real documents ---------------------------------------


@pytest.mark.parametrize("i", [0, 1, 2])
def test_diploma_takes_the_fast_path(i: int, no_fallback: None) -> None:
    diploma = sample_diploma_credential(i)
    assert _fast_eligible(diploma)
    expected = _orjson(diploma)
    assert canonicalize(diploma) == expected


@pytest.mark.parametrize("i", [0, 1, 2])
def test_diploma_fast_path_equals_rfc8785(i: int) -> None:
    diploma = sample_diploma_credential(i)
    assert canonicalize(diploma) == rfc8785.dumps(diploma)


# --- explicit cases, one per fallback rule -------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        {"\u00e9": 1, "\u4e2d": 2, "\uff01": 3, "a": 4, "B": 5, "\ue000": 6, "": 7},
        ["\u2028\u2029", "\x7f", "\x00\x08\t\n\x0b\x0c\r\x1f", "<>&'/", '"\\', "\U0001f600"],
        [0.5, -3.33, 1e-5, 123456789012.345, 4503599627370495.5],
        [SAFE, -SAFE, 0, True, False, None],
        ("tuple", [("nested",)]),
        "top-level string",
        2.67,
    ],
)
def test_fast_path_cases(value: Any, no_fallback: None) -> None:
    assert _fast_eligible(value)
    assert canonicalize(value) == _orjson(value)


@pytest.mark.parametrize(
    ("value", "orjson_differs"),
    [
        # Non-BMP key next to a U+E000..U+FFFF key: UTF-16 order != code-point order.
        ({"\U0001f600": 1, "\uff01": 2}, True),
        ({"a": {"x\U00010000": 1}}, False),
        # Integral floats: ECMAScript prints 3 / 0, orjson 3.0 / -0.0.
        (3.0, True),
        ([-0.0], True),
        ({"a": 0.0}, True),
        (1e20, True),
        # Below 1e-5 orjson switches to exponent notation earlier than ECMAScript.
        (1e-6, True),
        (9.999999999999999e-06, True),
        (5e-324, False),
        (1.5e300, False),
        # Subclasses: left to rfc8785.
        (_Grade.A, False),
        (OrderedDict(a=1), False),
        ([type("S", (str,), {})("x")], False),
        ({type("K", (str,), {})("b"): 1}, None),  # orjson refuses str-subclass keys
    ],
)
def test_fallback_cases(value: Any, orjson_differs: bool | None) -> None:
    assert not _fast_eligible(value)
    if orjson_differs:
        assert _orjson(value) != rfc8785.dumps(value)
    assert canonicalize(value) == rfc8785.dumps(value)


def test_deep_nesting_falls_back_and_matches() -> None:
    value: Any = "leaf"
    for _ in range(300):
        value = [value]
    assert not _fast_eligible(value)
    with pytest.raises(orjson.JSONEncodeError):
        _orjson(value)
    assert canonicalize(value) == rfc8785.dumps(value)


def test_depth_at_limit_is_fast(no_fallback: None) -> None:
    value: Any = 1
    for _ in range(jcs._MAX_FAST_DEPTH):
        value = [value]
    assert _fast_eligible(value)
    assert canonicalize(value) == b"[" * jcs._MAX_FAST_DEPTH + b"1" + b"]" * jcs._MAX_FAST_DEPTH


def test_very_deep_nesting_is_still_limit_exceeded() -> None:
    value: Any = []
    for _ in range(100_000):
        value = {"a": value}
    assert not _fast_eligible(value)
    with pytest.raises(LimitExceeded):
        canonicalize(value)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (2**53, "exceeds safe integer domain"),
        ([-(2**53)], "exceeds safe integer domain"),
        ({"a": 2**64}, "exceeds safe integer domain"),
        ([math.nan], "not representable"),
        ({"a": -math.inf}, "not representable"),
        ({1: "a"}, "keys must be strings"),
        (["\ud800"], "non-UTF-8"),
        ({"a": {1, 2}}, "unsupported type"),
    ],
)
def test_errors_are_unchanged(value: Any, fragment: str) -> None:
    with pytest.raises(InvalidInput, match=fragment):
        canonicalize(value)


def test_lone_surrogate_key_passes_the_walk_but_orjson_refuses_it() -> None:
    # The walk only rejects non-BMP keys; orjson's refusal sends it to the fallback, where
    # rfc8785 0.1.4 raises a raw UnicodeEncodeError for its UTF-16 sort key; canonicalize
    # turns that into the InvalidInput it promises.
    value = {"\ud800": 1, "a": 2}
    assert _fast_eligible(value)
    with pytest.raises(orjson.JSONEncodeError):
        _orjson(value)
    with pytest.raises(UnicodeError):
        rfc8785.dumps(value)
    with pytest.raises(InvalidInput, match="lone surrogate"):
        canonicalize(value)


# --- the canonical form is stable (idempotent, order- and parse-independent) -----------------


def _canonical_or_none(value: Any) -> bytes | None:
    try:
        return canonicalize(value)
    except InvalidInput:
        return None


def _integral_beyond_safe(value: Any) -> bool:
    """Holds a float such as 1e20 that JCS prints as an integer outside +/-(2**53 - 1)."""
    if isinstance(value, float):
        return value.is_integer() and abs(value) >= 2**53
    if isinstance(value, dict):
        return any(_integral_beyond_safe(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_integral_beyond_safe(v) for v in value)
    return False


def _reordered(value: Any, rng: random.Random) -> Any:
    """The same JSON value with every object's members inserted in a shuffled order."""
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: _reordered(v, rng) for k, v in items}
    if isinstance(value, list | tuple):
        return [_reordered(v, rng) for v in value]
    return value


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(_json, st.integers(0, 2**32).map(random.Random), st.booleans(), st.sampled_from([None, 1]))
def test_canonical_form_is_stable(
    value: Any, rng: random.Random, ascii_only: bool, indent: int | None
) -> None:
    """canonical(x) == canonical(parse(canonical(x))) (idempotent), whatever the members'
    insertion order and however the value was serialised and parsed again (strictly)."""
    canonical = _canonical_or_none(value)
    assume(canonical is not None and not _integral_beyond_safe(value))
    assert canonical is not None
    assert canonicalize(json.loads(canonical)) == canonical
    reparsed = strict_json.loads(canonical, max_bytes=10**7, max_depth=1000)
    assert canonicalize(reparsed) == canonical
    assert canonicalize(_reordered(value, rng)) == canonical
    text = json.dumps(_reordered(value, rng), ensure_ascii=ascii_only, indent=indent)
    assert canonicalize(strict_json.loads(text, max_bytes=10**7, max_depth=1000)) == canonical


@pytest.mark.xfail(
    strict=True,
    raises=InvalidInput,
    reason="known gap: JCS prints the double 1e20 as the integer 100000000000000000000; "
    "Python's json (and strict_json) parse that back as an int, which rfc8785 refuses "
    "outside the safe integer range. RFC 8785 says to read numbers as IEEE 754 doubles.",
)
@pytest.mark.parametrize("value", [1e20, -(2.0**53), [1e16]])
def test_integral_doubles_beyond_2_53_survive_a_reparse(value: Any) -> None:
    canonical = canonicalize(value)
    assert canonicalize(strict_json.loads(canonical)) == canonical


# --- reused members: the form of an object put together from its members' forms ------------


_objects = st.dictionaries(_key, _json, max_size=6)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_objects, _json, st.sampled_from(["proof", "@context", "a", "\u00e9", "\U0001f600"]))
def test_reused_members_match_rfc8785(value: dict[str, Any], extra: Any, key: str) -> None:
    """Inside a reused_members block, an object and a shallow copy of it with one member
    added or replaced (as the proof and the secured digest canonicalise a credential) still
    give exactly rfc8785's bytes, or the same error."""
    variant = {**value, key: extra}
    with jcs.reused_members():
        for document in (value, variant, value):
            expected = _reference(document)
            if expected is InvalidInput:
                with pytest.raises(InvalidInput):
                    canonicalize(document)
            else:
                assert canonicalize(document) == expected


def test_reused_members_compute_each_member_once(monkeypatch: pytest.MonkeyPatch) -> None:
    diploma = sample_diploma_credential(0)
    subject = diploma["credentialSubject"]
    walked: list[Any] = []
    real = jcs._fast_eligible

    def counting(value: Any) -> bool:
        walked.append(value)
        return real(value)

    monkeypatch.setattr(jcs, "_fast_eligible", counting)
    with jcs.reused_members():
        unsecured = canonicalize(diploma)
        secured = canonicalize({**diploma, "proof": {"type": "DataIntegrityProof"}})
    assert sum(1 for v in walked if v is subject) == 1
    assert unsecured == rfc8785.dumps(diploma)
    assert secured == rfc8785.dumps({**diploma, "proof": {"type": "DataIntegrityProof"}})


def test_reused_members_do_not_outlive_their_block() -> None:
    """A member changed after a block is canonicalised afresh in the next one (and outside
    any block nothing is reused)."""
    document: dict[str, Any] = {"b": [1, 2], "a": {"x": "y"}}
    with jcs.reused_members():
        assert canonicalize(document) == b'{"a":{"x":"y"},"b":[1,2]}'
    document["b"].append(3)
    assert canonicalize(document) == b'{"a":{"x":"y"},"b":[1,2,3]}'
    with jcs.reused_members():
        assert canonicalize(document) == b'{"a":{"x":"y"},"b":[1,2,3]}'
    assert jcs._MEMBERS.get() is None


def test_reused_members_leave_non_ascii_keys_to_the_whole_value() -> None:
    # UTF-16 order differs from code-point order only beyond the BMP; any non-ASCII key
    # sends the object to the ordinary path, which knows the rule.
    value = {"\U0001f600": 1, "\uff01": 2, "a": [0.5]}
    with jcs.reused_members():
        assert canonicalize(value) == rfc8785.dumps(value)
