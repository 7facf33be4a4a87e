"""The issuing payload, the builder and the samples."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from diploma_exchange.credentials import (
    DiplomaCredential,
    DiplomaData,
    IssuerProfile,
    build_diploma_credential,
    sample_diploma_data,
    sample_issuer,
    validate_credential,
)
from diploma_exchange.credentials.models import (
    DiplomaDataProblems,
    iso_duration,
    parse_grading_scale,
)
from diploma_exchange.credentials.samples import sample_credential_id, sample_diploma_credential

ISSUER = IssuerProfile(id="did:web:alatau-tech.edu.kz", name="Alatau Technical University")
CREDENTIAL_ID = "urn:uuid:6f1c1b1e-2f7a-4c1e-9a55-0c1d2e3f4a5b"


def _payload(**changes: Any) -> dict[str, Any]:
    payload = sample_diploma_data(0).model_dump(mode="json", exclude_none=True)
    payload.update(changes)
    return payload


@pytest.mark.parametrize("i", range(10))
def test_samples_are_deterministic_and_sized(i: int) -> None:
    assert sample_diploma_data(i) == sample_diploma_data(i)
    doc = sample_diploma_credential(i)
    size = len(json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode())
    # every transcript line is named (<credential id>#course-<n>, ~60 bytes each; see
    # CourseResult); a proof set adds ~700 bytes: signed diplomas are 4-8 KB
    assert 3000 <= size <= 7400
    assert 14 <= len(doc["credentialSubject"]["transcript"]) <= 25
    assert DiplomaCredential.model_validate(doc).to_document() == doc


def test_sample_shape() -> None:
    doc = build_diploma_credential(
        sample_diploma_data(0),
        issuer=sample_issuer(0),
        credential_id=CREDENTIAL_ID,
        valid_from=datetime(2026, 6, 30, 9, 30, tzinfo=UTC),
    )
    assert doc["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://w3id.org/diploma-exchange/v1",
    ]
    assert doc["type"] == ["VerifiableCredential", "OpenBadgeCredential", "DiplomaCredential"]
    assert doc["validFrom"] == "2026-06-30T09:30:00Z"
    assert doc["awardedDate"] == "2026-06-20T00:00:00Z"
    assert doc["issuer"]["address"]["addressCountryCode"] == "KZ"
    subject = doc["credentialSubject"]
    assert subject["identifier"][0] == {
        "type": "IdentityObject",
        "identityHash": sample_diploma_data(0).student_id,
        "identityType": "sisSourcedId",
        "hashed": False,
    }
    assert subject["graduate"]["fullName"]["en"] == "Aigerim Abenova"
    assert subject["graduate"]["fullName"]["kk"] == "Әбенова Әйгерім Серікқызы"
    achievement = subject["achievement"]
    assert achievement["achievementType"] == "BachelorDegree"
    assert achievement["inLanguage"] == "kk"
    assert achievement["name"] == achievement["localizedName"]["kk"]
    assert achievement["iscedFieldCode"] == "0613"
    assert achievement["nqfLevel"] == {"framework": "KZ-NQF", "level": "6"}
    assert achievement["officialLength"] == "P4Y"
    assert achievement["creditsAvailable"] == 240
    assert achievement["credits"] == {"value": 240, "system": "ECTS", "ectsEquivalent": 240}
    gpa = achievement["resultDescription"][0]
    assert gpa["resultType"] == "GradePointAverage"
    assert subject["result"][0]["resultDescription"] == gpa["id"]
    assert doc["credentialSchema"] == [
        {
            "id": "https://w3id.org/diploma-exchange/schemas/diploma-credential/v1.json",
            "type": "JsonSchema",
        }
    ]
    assert "proof" not in doc and "credentialStatus" not in doc
    assert validate_credential(doc) == []


def test_doctorate_and_master_levels() -> None:
    master = sample_diploma_credential(2)["credentialSubject"]["achievement"]
    phd = sample_diploma_credential(3)["credentialSubject"]["achievement"]
    assert (master["achievementType"], master["nqfLevel"]["level"], master["creditsAvailable"]) == (
        "MasterDegree",
        "7",
        120,
    )
    assert (phd["achievementType"], phd["nqfLevel"]["level"], phd["creditsAvailable"]) == (
        "ResearchDoctorate",
        "8",
        180,
    )


def test_english_only_locale() -> None:
    data = sample_diploma_data(1, languages=("en",))
    assert set(data.full_name) == {"en"} and data.patronymic_name is None
    doc = build_diploma_credential(data, issuer=ISSUER, credential_id=CREDENTIAL_ID)
    assert doc["credentialSubject"]["achievement"]["inLanguage"] == "en"
    assert validate_credential(doc) == []


def test_payload_round_trips_through_json() -> None:
    data = sample_diploma_data(4, detailed_names=True)
    assert DiplomaData.model_validate_json(data.model_dump_json()) == data


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"isced_f": "61"}, "isced_f"),
        ({"isced_f": "613"}, "isced_f"),
        ({"isced_f": "0619"}, None),
        ({"isced_f": "06a3"}, "isced_f"),
        ({"isced_level": "7"}, "isced_level"),
        ({"birth_date": "2030-01-01"}, "birth_date"),
        ({"birth_date": "2004-02-30"}, "birth_date"),
        ({"full_name": {"kk": "Әбенова Әйгерім"}}, "full_name"),
        ({"full_name": {"en": "A", "english": "B"}}, "full_name"),
        ({"credits": -1}, "credits"),
        ({"ects_credits": -240}, "ects_credits"),
        ({"gpa": "4.5"}, "gpa"),
        ({"grading_scale": "4-0"}, "grading_scale"),
        ({"achievement_type": "Doctorate"}, "achievement_type"),
        ({"achievement_type": "ext:Specialist", "isced_level": "746"}, None),
        ({"mode_of_study": "sometimes"}, "mode_of_study"),
        ({"language_of_instruction": []}, "language_of_instruction"),
        ({"favourite_colour": "red"}, "favourite_colour"),
        (
            {"original_language": "ru", "qualification_name": {"en": "X", "kk": "Y"}},
            "original_language",
        ),
        ({"valid_until": "2030-01-01T00:00:00"}, "valid_until"),
    ],
)
def test_payload_validation(changes: dict[str, Any], field: str | None) -> None:
    payload = _payload(**changes)
    if field is None:
        DiplomaData.model_validate(payload)
        return
    with pytest.raises(ValidationError) as caught:
        DiplomaData.model_validate(payload)
    fields: set[str] = set()
    for error in caught.value.errors():
        problems = (error.get("ctx") or {}).get("error")
        if isinstance(problems, DiplomaDataProblems):
            fields.update(name for name, _ in problems.problems)
        else:
            fields.add(str(error["loc"][0]))
    assert field in fields


def test_unknown_course_grade_needs_a_scale() -> None:
    data = sample_diploma_data(0)
    transcript = [c.model_dump(by_alias=True, exclude_none=True) for c in data.transcript]
    transcript[0]["grade"] = "P"
    with pytest.raises(ValidationError, match="course_grade_scale"):
        DiplomaData.model_validate(_payload(transcript=transcript))
    DiplomaData.model_validate(
        _payload(
            transcript=transcript,
            course_grade_scale=["F", "P", "D", "C", "B", "A-", "A", "B+", "B-", "C+", "C-", "D+"],
        )
    )


def test_valid_from_must_be_aware() -> None:
    with pytest.raises(ValueError, match="timezone"):
        build_diploma_credential(
            sample_diploma_data(0),
            issuer=ISSUER,
            credential_id=CREDENTIAL_ID,
            valid_from=datetime(2026, 6, 30),
        )


def test_bad_credential_id_is_rejected() -> None:
    with pytest.raises(ValidationError):
        build_diploma_credential(sample_diploma_data(0), issuer=ISSUER, credential_id="not a uri")


def test_models_are_frozen() -> None:
    data = sample_diploma_data(0)
    with pytest.raises(ValidationError):
        data.student_id = "x"  # type: ignore[misc]


def test_valid_until_and_holder() -> None:
    data = DiplomaData.model_validate(
        _payload(
            holder_did="did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
            valid_until="2036-06-30T00:00:00+05:00",
        )
    )
    doc = build_diploma_credential(data, issuer=ISSUER, credential_id=CREDENTIAL_ID)
    assert doc["credentialSubject"]["id"].startswith("did:key:")
    assert doc["validUntil"] == "2036-06-29T19:00:00Z"


@pytest.mark.parametrize(
    ("years", "duration"), [(4, "P4Y"), (2, "P2Y"), (1.5, "P1Y6M"), (0.5, "P6M"), (3.99, "P4Y")]
)
def test_iso_duration(years: float, duration: str) -> None:
    assert iso_duration(years) == duration


@pytest.mark.parametrize("scale", ["4", "4-0", "0-0", "a-b"])
def test_bad_grading_scales(scale: str) -> None:
    with pytest.raises(ValueError):
        parse_grading_scale(scale)


def test_sample_ids_are_stable() -> None:
    assert sample_credential_id(3) == sample_credential_id(3) != sample_credential_id(4)
    assert sample_diploma_data(0).birth_date < date(2010, 1, 1)
