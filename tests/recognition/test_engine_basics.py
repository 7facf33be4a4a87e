"""Engine basics: resolution, matching by type, criteria, credits and grades."""

from __future__ import annotations

import json
from datetime import date

import pytest

from diploma_exchange.credentials.samples import sample_diploma_credential
from diploma_exchange.recognition import (
    Qualification,
    UnknownReference,
    assess,
    convert_credits,
    grade_position,
)


def q(type_id: str, **kw: object) -> Qualification:
    kw.setdefault("institution_accredited", True)
    return Qualification(country=type_id[:2].upper(), qualification_type=type_id, **kw)  # type: ignore[arg-type]


# -- credits ---------------------------------------------------------------------------


def test_current_kazakh_credit_is_one_ects() -> None:
    c = convert_credits(240, "KZ-ECTS")
    assert (c.ects_min, c.ects_max) == (240, 240)
    assert not c.is_range


def test_legacy_kazakh_credit_gives_a_range_never_one_number() -> None:
    c = convert_credits(100, "KZ-national-legacy")
    assert c.is_range and (c.ects_min, c.ects_max) == (150, 480)
    bachelor = convert_credits(100, "KZ-national-legacy", cycle="bachelor")
    assert (bachelor.ects_min, bachelor.ects_max) == (150, 180)
    doctorate = convert_credits(60, "KZ-national", cycle="doctorate")  # schema alias
    assert (doctorate.ects_min, doctorate.ects_max) == (210, 252)


def test_legacy_credits_flow_into_the_assessment_as_a_range() -> None:
    a = assess(q("kz.bachelor", credits=140, credit_system="KZ-national-legacy"), "TR")
    assert a.credits is not None
    assert (a.credits.ects_min, a.credits.ects_max) == (210, 252)
    assert (a.credits.receiving_system, a.credits.receiving_min) == ("ECTS", 210)


def test_credits_without_a_standard_factor_are_unknown() -> None:
    c = convert_credits(160, "CN-credit")
    assert c.ects_min is None and c.ects_max is None and c.note


def test_unknown_credit_system_raises() -> None:
    with pytest.raises(UnknownReference):
        convert_credits(1, "XX-credit")


# -- grades ----------------------------------------------------------------------------


def test_grade_position_is_a_position_not_an_equivalence() -> None:
    assert (
        grade_position("3.33", "0-4;pass=1.0")
        == "3.33 on 0–4, pass 1.0: upper part of the passing range"
    )
    assert "upper part" in grade_position("B+", "kz-gpa-4")
    assert "below the pass mark" in grade_position("2", "ru-5-point")
    assert "middle part" in grade_position("2.0", "ph-1-5")  # 1.0 is best, 3.0 pass
    with pytest.raises(ValueError):
        grade_position("5.5", "0-4")


# -- insufficient information -----------------------------------------------------------


def test_nothing_known_names_exactly_country_and_type() -> None:
    a = assess(Qualification(country=None, qualification_type=None), "KZ")
    assert a.outcome == "insufficient-information"
    assert a.missing == ("country", "qualification_type")
    assert a.comparable_type is None


def test_country_without_type_information_names_the_type() -> None:
    a = assess(Qualification(country="KZ", qualification_type=None), "KZ")
    assert (a.outcome, a.missing) == (
        "insufficient-information",
        ("qualification_type", "isced_level"),
    )


def test_ambiguous_type_is_not_guessed() -> None:
    a = assess(
        Qualification(country="KZ", qualification_type=None, achievement_type="MasterDegree"), "RU"
    )
    assert (a.outcome, a.missing) == ("insufficient-information", ("qualification_type",))
    assert any("kz.master-profile" in s.text for s in a.steps)


def test_type_is_inferred_when_unambiguous() -> None:
    a = assess(
        Qualification(
            country="KZ",
            qualification_type=None,
            achievement_type="MasterDegree",
            length_years=2,
            institution_accredited=True,
        ),
        "RU",
    )
    assert a.source_type == "kz.master-scientific-pedagogical"
    assert a.outcome == "comparable"


def test_country_is_taken_from_the_type_and_conflicts_are_reported() -> None:
    assert (
        assess(Qualification(country=None, qualification_type="ru.master"), "KZ").source_type
        == "ru.master"
    )
    conflict = assess(Qualification(country="CN", qualification_type="ru.master"), "KZ")
    assert (conflict.outcome, conflict.missing) == ("insufficient-information", ("country",))


def test_unknown_receiving_country_is_a_caller_error() -> None:
    with pytest.raises(UnknownReference):
        assess(q("kz.bachelor"), "XX")


# -- mapping by type ---------------------------------------------------------------------


def test_kazakh_bachelor_at_home_is_comparable() -> None:
    a = assess(q("kz.bachelor", isced_field="0613"), "KZ")
    assert (a.outcome, a.comparable_type, a.receiving_level) == ("comparable", "kz.bachelor", "6")
    assert all(c.status == "met" for c in a.criteria.values())
    assert a.missing == ()


def test_specialist_is_level_7_not_a_bachelor() -> None:
    a = assess(q("kz.specialist"), "TR")  # Türkiye awards no long first degree
    assert "tr.master" in a.comparable_types and a.comparable_type is None
    assert a.receiving_level == "6–7" and a.level is not None and a.level.is_range
    assert a.outcome == "comparable-with-non-substantial-differences"
    assert (a.isced_level or "").startswith("7")
    assert assess(q("kz.specialist"), "RU").comparable_type == "ru.specialist"


def test_candidate_of_sciences_is_a_doctorate_and_doctor_of_sciences_a_higher_one() -> None:
    cand = assess(q("ru.candidate-of-sciences"), "EU")
    assert (cand.outcome, cand.comparable_type, cand.eqf_level) == (
        "comparable",
        "eu.doctorate",
        "8",
    )
    dsc = assess(q("ru.doctor-of-sciences"), "TR")
    assert dsc.comparable_type == "tr.doctorate"
    assert dsc.outcome == "comparable-with-non-substantial-differences"
    assert any("no direct equivalent" in s.text for s in dsc.steps)
    assert assess(q("ru.doctor-of-sciences"), "KZ").comparable_type == "kz.doctor-of-sciences"


def test_australian_honours_vs_bachelor() -> None:
    assert assess(q("au.bachelor-honours"), "NZ").comparable_type == "nz.bachelor-honours"
    assert assess(q("au.bachelor"), "NZ").comparable_type == "nz.bachelor"
    eu = assess(q("au.bachelor-honours"), "EU")
    assert (eu.outcome, eu.comparable_type) == ("comparable", "eu.bachelor")


def test_indian_three_year_bachelor_falls_short_where_four_are_required() -> None:
    three = assess(q("in.bachelor-3y"), "KZ")
    assert three.outcome == "substantial-difference"
    assert three.criteria["workload"].status == "differs" and three.criteria["workload"].substantial
    nl = assess(q("in.bachelor-3y"), "NL")  # Nuffic: 2 years of WO or 3 years of HBO
    assert nl.outcome == "partial-recognition" and nl.credits_recognised is not None
    assert assess(q("in.bachelor-4y"), "KZ").outcome != "substantial-difference"


def test_chinese_graduation_certificate_alone_is_not_a_degree() -> None:
    cert = assess(q("cn.graduation-certificate-undergraduate"), "KZ")
    assert cert.outcome == "substantial-difference"
    assert cert.criteria["purpose-and-access"].substantial
    assert assess(q("cn.bachelor"), "KZ").outcome == "comparable"


def test_profile_master_vs_scientific_pedagogical_master() -> None:
    profile = assess(q("kz.master-profile"), "RU")
    assert profile.outcome == "comparable-with-non-substantial-differences"
    assert profile.criteria["workload"].status == "differs"
    assert profile.criteria["purpose-and-access"].status == "unknown"
    assert assess(q("kz.master-scientific-pedagogical"), "RU").outcome == "comparable"
    assert assess(q("ru.master"), "KZ").comparable_type == "kz.master-scientific-pedagogical"


def test_thai_bachelor_maps_by_type_not_by_level_number() -> None:
    a = assess(q("th.bachelor"), "KZ")
    assert a.comparable_type == "kz.bachelor"  # TQF:HEd level 2, not KZ level 2
    assert a.receiving_level == "6"


# -- quality assurance -------------------------------------------------------------------


def test_unaccredited_institution_is_a_substantial_difference() -> None:
    a = assess(q("kr.bachelor", institution_accredited=False), "KZ")
    assert a.outcome == "substantial-difference"
    assert a.criteria["quality-assurance"].substantial
    assert any(r.startswith("quality-assurance") for r in a.reasons)


def test_unknown_qa_is_not_substantial_but_caps_the_outcome() -> None:
    a = assess(q("kr.bachelor", institution_accredited=None), "KZ")
    assert a.outcome == "comparable-with-non-substantial-differences"
    assert a.criteria["quality-assurance"].status == "unknown"
    assert "institution_accredited" in a.missing


# -- credential, field, serialisation ---------------------------------------------------


def test_from_credential_reads_the_schema_fields() -> None:
    qual = Qualification.from_credential(sample_diploma_credential(), accredited=True)
    assert qual.country == "KZ"
    assert qual.achievement_type is not None and qual.isced_level is not None
    assert qual.length_years is not None and qual.credits is not None
    a = assess(qual, "KZ")
    assert a.source_type is not None and a.outcome != "insufficient-information"


def test_from_credential_handles_gpa_and_duration() -> None:
    credential = {
        "issuer": {"address": {"addressCountryCode": "KZ"}},
        "awardedDate": "2016-06-20T00:00:00Z",
        "credentialSubject": {
            "achievement": {
                "achievementType": "MasterDegree",
                "iscedLevel": "747",
                "iscedFieldCode": "0413",
                "nqfLevel": {"framework": "KZ-NQF", "level": "7"},
                "officialLength": "P1Y6M",
                "credits": {"value": 90, "system": "ECTS"},
                "resultDescription": [
                    {"id": "x#gpa", "valueMin": "0", "valueMax": "4", "requiredValue": "1.00"}
                ],
            },
            "result": [{"resultDescription": "x#gpa", "value": "3.67"}],
        },
    }
    qual = Qualification.from_credential(credential)
    assert (qual.length_years, qual.award_date, qual.grading_scale) == (
        1.5,
        date(2016, 6, 20),
        "0-4;pass=1.00",
    )
    a = assess(qual, "KZ")
    assert a.source_type == "kz.master-profile"
    assert a.grade_guidance is not None and "upper part" in a.grade_guidance
    assert any("pre-reform" in s.text for s in a.steps)  # pre-2019 award warning


def test_required_field_is_checked_only_when_asked() -> None:
    a = assess(q("kz.bachelor", isced_field="0613"), "KZ", required_field="0421")
    assert a.criteria["field"].status == "differs" and a.outcome == "substantial-difference"
    assert (
        assess(q("kz.bachelor", isced_field="0613"), "KZ", required_field="06").outcome
        == "comparable"
    )


def test_assessment_is_json_serialisable_with_sourced_steps() -> None:
    a = assess(q("cn.bachelor", grade="85"), "NZ")
    doc = json.loads(a.to_json())
    assert doc["outcome"] == "comparable" and doc["comparable_type"] == "nz.bachelor"
    assert doc["grade_guidance"].startswith("85 on 0–100, pass 60.0")
    assert all(step["sources"] for step in doc["steps"])
    assert set(doc["criteria"]) == {
        "level",
        "workload",
        "field",
        "purpose-and-access",
        "quality-assurance",
    }


# -- new capabilities ----------------------------------------------------------------------


def test_a_contradiction_in_a_deciding_fact_is_insufficient_information() -> None:
    a = assess(q("jp.bachelor", length_years=6), "KZ")
    assert a.outcome == "insufficient-information" and a.contradictions
    assert "length_years" in a.missing
    fact = next(f for f in a.missing_facts if f.field == "length_years")
    assert (
        "Diploma Supplement" in fact.document["en"] and fact.document["ru"] and fact.document["kk"]
    )


def test_every_step_is_in_english_russian_and_kazakh() -> None:
    a = assess(q("ru.specialist"), "NL")
    for step in a.steps:
        assert set(step.texts) == {"en", "ru", "kk"}
    assert "сопоставимо" in a.summary["ru"] and "салыстырмалы" in a.summary["kk"]


def test_credit_ranges_stay_ranges() -> None:
    c = convert_credits(100, "KZ-national-legacy", cycle="bachelor", value_max=120)
    assert (c.ects_min, c.ects_max) == (150, 216)
    with pytest.raises(ValueError):
        convert_credits(100, "ECTS", value_max=90)


def test_an_unknown_purpose_gives_the_answer_per_purpose() -> None:
    a = assess(q("kz.specialist"), "CA")
    assert a.outcome == "comparable-for-purpose"
    by_purpose = {p.purpose: p for p in a.purposes}
    assert by_purpose["admission-doctorate"].comparable_types == ("ca.master",)
    assert (
        assess(q("kz.specialist", purpose="admission-doctorate"), "CA").comparable_type
        == "ca.master"
    )


def test_a_receiving_country_without_the_category_says_so_with_both_levels() -> None:
    a = assess(q("tr.associate"), "KZ")
    assert a.outcome == "partial-recognition" and a.category_missing
    assert a.criteria["level"].status == "differs" and "ISCED 5" in a.criteria["level"].reason
    assert a.credits_recognised is not None and a.comparable_type is None


def test_a_certificate_of_study_has_no_comparable_degree() -> None:
    a = assess(q("kz.academic-transcript", credits=60, credit_system="KZ-ECTS"), "DE")
    assert a.outcome == "not-a-completed-qualification"
    assert a.comparable_type is None and a.comparable_types == ()
    assert a.credits_recognised is not None and a.credits_recognised.ects_min == 60


def test_eu_member_states_are_assessed_as_themselves() -> None:
    for code in ("NL", "DE", "FR", "IT", "ES", "PL", "CZ"):
        a = assess(q("kz.bachelor"), code)
        assert a.receiving_country == code
        assert all(t.startswith(code.lower() + ".") for t in a.comparable_types)
