"""The one reading of a hand-described qualification shared by the API, CLI and web form."""

from __future__ import annotations

from datetime import date

import pytest

from diploma_exchange.errors import InvalidInput
from diploma_exchange.recognition import assess
from diploma_exchange.recognition.inputs import qualification_from_fields


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
