"""RFC 8785 (JCS) through proofs.jcs.canonicalize, against the cyberphone/RFC test data."""

from __future__ import annotations

import json
import math

import pytest

from diploma_exchange.errors import InvalidInput, LimitExceeded
from diploma_exchange.proofs.jcs import canonicalize
from vector_files import names, require

JCS = "jcs-rfc8785"


@pytest.mark.parametrize("name", names(f"{JCS}/input", "*.json"))
def test_rfc8785_vector(name: str) -> None:
    source = require(f"{JCS}/input/{name}").read_text(encoding="utf-8")
    expected = require(f"{JCS}/output/{name}").read_bytes()
    hex_name = name.removesuffix(".json") + ".txt"
    expected_hex = bytes.fromhex(require(f"{JCS}/outhex/{hex_name}").read_text())
    assert expected == expected_hex, "output/ and outhex/ disagree: corrupt vector"

    assert canonicalize(json.loads(source)) == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (2**53, "exceeds safe integer domain"),
        (-(2**53), "exceeds safe integer domain"),
        (math.nan, "not representable"),
        (math.inf, "not representable"),
        ({1: "a"}, "keys must be strings"),
        ("\ud800", "non-UTF-8"),
        ({"a": {1, 2}}, "unsupported type"),
    ],
)
def test_unrepresentable_values_raise_invalid_input(value: object, fragment: str) -> None:
    with pytest.raises(InvalidInput, match=fragment) as info:
        canonicalize(value)
    assert isinstance(info.value.__cause__, ValueError)


def test_too_deep_nesting_is_limit_exceeded() -> None:
    value: object = []
    for _ in range(100_000):
        value = [value]
    with pytest.raises(LimitExceeded):
        canonicalize(value)


def test_largest_safe_integers_are_accepted() -> None:
    assert canonicalize([2**53 - 1, -(2**53) + 1]) == b"[9007199254740991,-9007199254740991]"
