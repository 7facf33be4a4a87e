"""The one reading of a hand-described qualification shared by the API, CLI and web form."""

from __future__ import annotations

from datetime import date

import pytest

from diploma_exchange.errors import InvalidInput
from diploma_exchange.recognition import assess
from diploma_exchange.recognition.inputs import (
    purpose_from,
    qualification_from_fields,
    required_field_from,
)


def test_form_strings_and_json_values_give_the_same_qualification() -> None:
    from_form = qualification_from_fields(
        {
            "country": "nl",
            "qualification_type": "",
            "achievement_type": "BachelorDegree",
            "institution_type": "university-of-applied-sciences",
            "credits": "240",
            "credits_max": "",
            "credit_system": "ECTS",
            "length_years": "4",
            "institution_accredited": "true",
            "award_date": "2020-07-01",
            "purpose": "admission-master",
        }
    )
    from_json = qualification_from_fields(
        {
            "country": "NL",
            "achievement_type": "BachelorDegree",
            "institution_type": "university-of-applied-sciences",
            "credits": 240,
            "credit_system": "ECTS",
            "length_years": 4,
            "institution_accredited": True,
            "award_date": date(2020, 7, 1),
            "purpose": "admission-master",
        }
    )
    assert from_form == from_json
    a = assess(from_form, "KZ")
    assert a.source_type == "nl.bachelor-hbo" and a.comparable_type == "kz.bachelor"


@pytest.mark.parametrize(
    ("values", "pointer"),
    [
        ({"purpose": "tourism"}, "/qualification/purpose"),
        ({"institution_type": "castle"}, "/qualification/institutionType"),
        ({"country": "Netherlands"}, "/qualification/country"),
        ({"credits": "lots"}, "/qualification/credits"),
        ({"credits": "nan"}, "/qualification/credits"),
        ({"credits": 120, "credits_max": 60}, "/qualification/creditsMax"),
        ({"credits_max": 60}, "/qualification/creditsMax"),
        ({"length_years": 40}, "/qualification/lengthYears"),
        ({"completed": "maybe"}, "/qualification/completed"),
        ({"award_date": "yesterday"}, "/qualification/awardDate"),
        ({"isced_level": "9"}, "/qualification/iscedLevel"),
        ({"institution_tier": "<script>"}, "/qualification/institutionTier"),
        ({"colour": "blue"}, "/qualification/colour"),
    ],
)
def test_bad_input_names_the_field(values: dict[str, object], pointer: str) -> None:
    with pytest.raises(InvalidInput) as info:
        qualification_from_fields(values)
    assert info.value.pointer == pointer


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [("180-240", 180, 240), ("180 – 240", 180, 240), ("7,5 to 10", 7.5, 10), ("90", 90, None)],
)
def test_a_credit_range_in_one_field(text: str, low: float, high: float | None) -> None:
    q = qualification_from_fields({"country": "KZ", "credits": text})
    assert (q.credits, q.credits_max) == (low, high)


@pytest.mark.parametrize(
    ("values", "pointer"),
    [
        ({"credits": "240-180"}, "/qualification/creditsMax"),
        ({"credits": "180-240", "credits_max": 240}, "/qualification/creditsMax"),
        ({"credits": "180--240"}, "/qualification/credits"),
    ],
)
def test_bad_credit_ranges_are_named(values: dict[str, object], pointer: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        qualification_from_fields({"country": "KZ", **values})
    assert caught.value.pointer == pointer


def test_request_level_inputs() -> None:
    assert purpose_from("admission-doctorate") == "admission-doctorate"
    assert purpose_from("") is None and purpose_from(None) is None
    assert required_field_from(" 0613 ") == "0613" and required_field_from("") is None
    for bad in ("tourism", "Admission-Doctorate", 3):
        with pytest.raises(InvalidInput) as caught:
            purpose_from(bad)
        assert caught.value.pointer == "/purpose"
    for bad in ("x1", "12345", "6"):
        with pytest.raises(InvalidInput) as caught:
            required_field_from(bad)
        assert caught.value.pointer == "/requiredField"
