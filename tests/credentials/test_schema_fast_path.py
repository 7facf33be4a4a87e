"""The fast (jsonschema-rs) and the explaining (jsonschema) validators must always agree."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diploma_exchange.credentials import sample_diploma_credential
from diploma_exchange.credentials.schema import _fast_validator, _validator
from helpers import apply_scenario as _apply
from helpers import load_scenarios

SCENARIOS = load_scenarios("credentials/scenarios/schema_errors.json")


def _agree(doc: Any) -> None:
    slow_valid = not any(True for _ in _validator().iter_errors(doc))
    assert _fast_validator().is_valid(doc) is slow_valid


@pytest.mark.parametrize("i", range(10))
def test_agree_on_samples(i: int) -> None:
    _agree(sample_diploma_credential(i))


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
def test_agree_on_every_error_scenario(scenario: dict[str, Any]) -> None:
    _agree(_apply(sample_diploma_credential(0), scenario))


DATES = ["2026-06-20", "2026-6-20", "20260620", "2026-02-30", "2026-06-20T00:00:00Z", ""]
DATE_TIMES = [
    "2026-06-20T00:00:00Z",
    "2026-06-20T00:00:00+05:00",
    "2026-06-20T00:00:00",
    "2026-06-20 00:00:00Z",
    "2026-06-20",
    "2026-13-01T00:00:00Z",
    "2026-06-20T00:00:00.123Z",
]


@settings(max_examples=60, deadline=None)
@given(
    birth=st.sampled_from(DATES),
    valid_from=st.sampled_from(DATE_TIMES),
    credits=st.one_of(
        st.integers(-5, 400), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=3)
    ),
    code=st.text(alphabet="0123456789ab", max_size=6),
)
def test_agree_on_mutations(birth: str, valid_from: str, credits: Any, code: str) -> None:
    doc = copy.deepcopy(sample_diploma_credential(1))
    doc["credentialSubject"]["graduate"]["dateOfBirth"] = birth
    doc["validFrom"] = valid_from
    doc["credentialSubject"]["achievement"]["creditsAvailable"] = credits
    doc["credentialSubject"]["achievement"]["iscedFieldCode"] = code
    _agree(doc)
