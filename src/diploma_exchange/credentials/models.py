"""The shared diploma credential: pydantic models, the issuing payload and the builder.

A diploma is a W3C Verifiable Credential (Data Model 2.0) shaped as an Open Badges 3.0
``OpenBadgeCredential`` (an ``AchievementCredential``), extended with the Diploma Supplement
information that recognition under the Lisbon and Tokyo conventions needs. Open Badges terms
are used wherever Open Badges has one; the rest live in the project context
``https://w3id.org/diploma-exchange/v1``. ``docs/schema.md`` explains every field.

Attributes are snake_case; the JSON-LD names are their aliases (``populate_by_name``), so
``model_dump(by_alias=True, exclude_none=True, mode="json")`` is the credential JSON.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from annotated_types import GroupedMetadata
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)
from pydantic.alias_generators import to_camel

from diploma_exchange.credentials import isced_f as isced_f_2013
from diploma_exchange.credentials.contexts import DIPLOMA_CREDENTIAL_CONTEXT

# --------------------------------------------------------------------------------------------
# Constants (part of the public schema)
# --------------------------------------------------------------------------------------------

DIPLOMA_SCHEMA_ID = "https://w3id.org/diploma-exchange/schemas/diploma-credential/v1.json"
VC_V2_CONTEXT = DIPLOMA_CREDENTIAL_CONTEXT[0]
OB_CONTEXT = DIPLOMA_CREDENTIAL_CONTEXT[1]
DIPLOMA_CONTEXT = DIPLOMA_CREDENTIAL_CONTEXT[2]

#: ``credentialSubject.achievement.achievementType`` values from the Open Badges 3.0
#: ``AchievementType`` enumeration; other values must use OB's ``ext:`` naming convention.
ACHIEVEMENT_TYPES: tuple[str, ...] = (
    "Achievement", "ApprenticeshipCertificate", "Assessment", "Assignment", "AssociateDegree",
    "Award", "Badge", "BachelorDegree", "Certificate", "CertificateOfCompletion",
    "Certification", "CommunityService", "Competency", "Course", "CoCurricular", "Degree",
    "Diploma", "DoctoralDegree", "Fieldwork", "GeneralEducationDevelopment",
    "JourneymanCertificate", "LearningProgram", "License", "Membership",
    "ProfessionalDoctorate", "QualityAssuranceCredential", "MasterCertificate", "MasterDegree",
    "MicroCredential", "ResearchDoctorate", "SecondarySchoolDiploma",
)  # fmt: skip

#: Open Badges 3.0 ``IdentifierTypeEnum`` (extensible with ``ext:``).
IDENTIFIER_TYPES: tuple[str, ...] = (
    "name", "sourcedId", "systemId", "productId", "userName", "accountId", "emailAddress",
    "nationalIdentityNumber", "isbn", "issn", "lisSourcedId", "oneRosterSourcedId",
    "sisSourcedId", "ltiContextId", "ltiDeploymentId", "ltiToolId", "ltiPlatformId",
    "ltiUserId", "identifier",
)  # fmt: skip

#: Open Badges 3.0 ``ResultType`` (extensible with ``ext:``).
RESULT_TYPES: tuple[str, ...] = (
    "GradePointAverage", "LetterGrade", "Percent", "PerformanceLevel", "PredictedScore",
    "RawScore", "Result", "RubricCriterion", "RubricCriterionLevel", "RubricScore",
    "ScaledScore", "Status",
)  # fmt: skip

#: Open Badges 3.0 ``ResultStatusType`` (closed).
RESULT_STATUSES: tuple[str, ...] = (
    "Completed", "Enrolled", "Failed", "InProgress", "OnHold", "Provisional", "Withdrew",
)  # fmt: skip

#: Open Badges 3.0 ``AlignmentTargetType`` (extensible with ``ext:``).
ALIGNMENT_TARGET_TYPES: tuple[str, ...] = (
    "ceasn:Competency", "ceterms:Credential", "CFItem", "CFRubric", "CFRubricCriterion",
    "CFRubricCriterionLevel", "CTDL",
)  # fmt: skip

#: Credit systems (project vocabulary, extensible with ``ext:``).
CREDIT_SYSTEMS: tuple[str, ...] = ("ECTS", "KZ-ECTS", "KZ-national", "US-SCH", "CATS")

#: Modes of study (Diploma Supplement 4.1; project vocabulary, extensible with ``ext:``).
MODES_OF_STUDY: tuple[str, ...] = (
    "full-time", "part-time", "evening", "extramural", "distance", "blended",
)  # fmt: skip

#: Letter grades of the Kazakhstan credit system, lowest to highest, with grade points.
KZ_LETTER_GRADES: tuple[tuple[str, float], ...] = (
    ("F", 0.0), ("FX", 0.5), ("D", 1.0), ("D+", 1.33), ("C-", 1.67), ("C", 2.0), ("C+", 2.33),
    ("B-", 2.67), ("B", 3.0), ("B+", 3.33), ("A-", 3.67), ("A", 4.0),
)  # fmt: skip

#: ISCED 2011 level (first digit of ``iscedLevel``) expected for an OB degree type.
EXPECTED_ISCED_LEVEL: dict[str, str] = {
    "AssociateDegree": "5",
    "BachelorDegree": "6",
    "MasterDegree": "7",
    "DoctoralDegree": "8",
    "ResearchDoctorate": "8",
    "ProfessionalDoctorate": "8",
}

EXT_RE = r"ext:[A-Za-z0-9._-]+"
LANGUAGE_TAG_RE = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"
URI_RE = r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+$"
ISCED_F_RE = r"^\d{2,4}$"
ISCED_LEVEL_RE = r"^[0-8]\d{0,2}$"
DURATION_RE = r"^P(\d+Y(\d+M)?(\d+W)?(\d+D)?|\d+M(\d+W)?(\d+D)?|\d+W(\d+D)?|\d+D)$"
DATE_TIME_STAMP_RE = (
    r"^-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?"
    r"(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00))$"
)
DECIMAL_RE = r"^-?\d+(\.\d+)?$"
COUNTRY_CODE_RE = r"^[A-Z]{2}$"


def _enum_or_ext(values: tuple[str, ...], example: str) -> dict[str, Any]:
    return {
        "anyOf": [
            {"type": "string", "enum": list(values)},
            {"type": "string", "pattern": f"^{EXT_RE}$"},
        ],
        "examples": [example],
    }


def _enum_or_ext_validator(values: tuple[str, ...], what: str) -> Callable[[str], str]:
    ext = re.compile(f"^{EXT_RE}$")

    def check(value: str) -> str:
        if value in values or ext.match(value):
            return value
        raise ValueError(
            f"{value!r} is not a known {what}; use one of {', '.join(values)} "
            f"or an extension value prefixed with 'ext:'"
        )

    return check


# --------------------------------------------------------------------------------------------
# Reusable annotated types
# --------------------------------------------------------------------------------------------

NonEmptyStr = Annotated[str, StringConstraints(min_length=1, strip_whitespace=False)]
Uri = Annotated[
    str,
    StringConstraints(pattern=URI_RE),
    Field(examples=["urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e"]),
]
IsoDate = Annotated[
    date,
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "pattern": r"^\d{4}-\d{2}-\d{2}$",
            "examples": ["2004-05-17"],
        }
    ),
]
LanguageTag = Annotated[str, StringConstraints(pattern=LANGUAGE_TAG_RE)]
IscedFieldCode = Annotated[str, StringConstraints(pattern=ISCED_F_RE), Field(examples=["0613"])]
IscedLevel = Annotated[str, StringConstraints(pattern=ISCED_LEVEL_RE), Field(examples=["6", "645"])]


def _detailed_isced_field(code: str) -> str:
    problem = isced_f_2013.check_detailed_field(code)
    if problem is not None:
        raise ValueError(problem)
    return code


#: What a university issues: a four-digit detailed field of the ISCED-F 2013 list.
IscedDetailedField = Annotated[
    str,
    StringConstraints(max_length=16),
    # the list decides (with a message naming the likely cause), not a bare pattern
    AfterValidator(_detailed_isced_field),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\d{4}$",
            "examples": ["0613"],
            "description": "A detailed field of ISCED-F 2013 (four digits, leading zero kept).",
        }
    ),
]
Duration = Annotated[str, StringConstraints(pattern=DURATION_RE), Field(examples=["P4Y"])]
DecimalString = Annotated[str, StringConstraints(pattern=DECIMAL_RE), Field(examples=["3.67"])]
CountryCode = Annotated[str, StringConstraints(pattern=COUNTRY_CODE_RE), Field(examples=["KZ"])]


def _check_timestamp(value: str) -> str:
    try:
        datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a valid date-time: {exc}") from None
    return value


#: XML Schema ``dateTimeStamp`` (VC 2.0 ``validFrom``/``validUntil``, OB ``DateTimeZ``).
DateTimeStamp = Annotated[
    str,
    StringConstraints(pattern=DATE_TIME_STAMP_RE),
    AfterValidator(_check_timestamp),
    Field(json_schema_extra={"format": "date-time"}, examples=["2026-06-30T00:00:00Z"]),
]


def _compact_number(value: float) -> int | float:
    """Serialise 240.0 as 240 so that JSON (and JCS) output stays as universities wrote it."""
    return int(value) if value.is_integer() else value


NonNegativeNumber = Annotated[
    float,
    Field(ge=0, allow_inf_nan=False),
    PlainSerializer(_compact_number, return_type=int | float, when_used="json"),
]


def _require_en(value: dict[str, str]) -> dict[str, str]:
    if "en" not in value:
        raise ValueError("an English ('en') value is required")
    return value


LanguageMap = Annotated[dict[LanguageTag, NonEmptyStr], Field(min_length=1)]
"""A JSON-LD language map: BCP 47 language tag -> text."""

EnglishLanguageMap = Annotated[
    dict[LanguageTag, NonEmptyStr],
    Field(min_length=1, json_schema_extra={"required": ["en"]}),
    AfterValidator(_require_en),
]
"""A language map that must contain English (``en``); other languages are optional."""


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _must_include(*required: str, any_of: tuple[str, ...] = ()) -> Callable[[list[str]], list[str]]:
    def check(values: list[str]) -> list[str]:
        missing = [repr(t) for t in required if t not in values]
        if any_of and not any(t in values for t in any_of):
            missing.append(" or ".join(repr(t) for t in any_of))
        if missing:
            raise ValueError(f"type must include {', '.join(missing)}")
        return values

    return check


def _types_schema(*required: str, any_of: tuple[str, ...] = ()) -> dict[str, Any]:
    contains: list[dict[str, Any]] = [{"contains": {"const": t}} for t in required]
    if any_of:
        contains.append({"contains": {"enum": list(any_of)}})
    array: dict[str, Any] = {"type": "array", "items": {"type": "string"}, "minItems": 1}
    if len(contains) == 1:
        array.update(contains[0])
    else:
        array["allOf"] = contains
    if len(required) == 1 and not any_of:
        return {"anyOf": [{"const": required[0]}, array]}
    return array


@dataclass(frozen=True)
class _TypeSet(GroupedMetadata):
    """``type`` as an OB "array-compacted" IRI set that must include the given types."""

    required: tuple[str, ...]
    any_of: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[Any]:
        yield BeforeValidator(_as_list)
        yield AfterValidator(_must_include(*self.required, any_of=self.any_of))
        yield WithJsonSchema(_types_schema(*self.required, any_of=self.any_of))


CredentialTypes = Annotated[
    list[str],
    _TypeSet(
        ("VerifiableCredential", "DiplomaCredential"),
        any_of=("OpenBadgeCredential", "AchievementCredential"),
    ),
]
ProfileTypes = Annotated[list[str], _TypeSet(("Profile",))]
AddressTypes = Annotated[list[str], _TypeSet(("Address",))]
SubjectTypes = Annotated[list[str], _TypeSet(("AchievementSubject",))]
AchievementTypes = Annotated[list[str], _TypeSet(("Achievement",))]
ResultTypes = Annotated[list[str], _TypeSet(("Result",))]
ResultDescriptionTypes = Annotated[list[str], _TypeSet(("ResultDescription",))]
AlignmentTypes = Annotated[list[str], _TypeSet(("Alignment",))]
IdentifierEntryTypes = Annotated[list[str], _TypeSet(("IdentifierEntry",))]

AchievementTypeValue = Annotated[
    str,
    AfterValidator(_enum_or_ext_validator(ACHIEVEMENT_TYPES, "Open Badges achievementType")),
    WithJsonSchema(_enum_or_ext(ACHIEVEMENT_TYPES, "BachelorDegree")),
]
IdentifierTypeValue = Annotated[
    str,
    AfterValidator(_enum_or_ext_validator(IDENTIFIER_TYPES, "Open Badges identifier type")),
    WithJsonSchema(_enum_or_ext(IDENTIFIER_TYPES, "sisSourcedId")),
]
ResultTypeValue = Annotated[
    str,
    AfterValidator(_enum_or_ext_validator(RESULT_TYPES, "Open Badges resultType")),
    WithJsonSchema(_enum_or_ext(RESULT_TYPES, "GradePointAverage")),
]
AlignmentTargetTypeValue = Annotated[
    str,
    AfterValidator(_enum_or_ext_validator(ALIGNMENT_TARGET_TYPES, "alignment targetType")),
    WithJsonSchema(_enum_or_ext(ALIGNMENT_TARGET_TYPES, "CFItem")),
]
CreditSystemValue = Annotated[
    str,
    AfterValidator(_enum_or_ext_validator(CREDIT_SYSTEMS, "credit system")),
    WithJsonSchema(_enum_or_ext(CREDIT_SYSTEMS, "ECTS")),
]
ModeOfStudyValue = Annotated[
    str,
    AfterValidator(_enum_or_ext_validator(MODES_OF_STUDY, "mode of study")),
    WithJsonSchema(_enum_or_ext(MODES_OF_STUDY, "full-time")),
]


def _context_check(values: list[str]) -> list[str]:
    expected = list(DIPLOMA_CREDENTIAL_CONTEXT)
    if values[: len(expected)] != expected:
        raise ValueError(f"@context must start with {expected}")
    return values


ContextList = Annotated[
    list[Annotated[str, StringConstraints(pattern=URI_RE)]],
    AfterValidator(_context_check),
    WithJsonSchema(
        {
            "type": "array",
            "prefixItems": [{"const": url} for url in DIPLOMA_CREDENTIAL_CONTEXT],
            "items": {"type": "string", "pattern": URI_RE},
            "minItems": len(DIPLOMA_CREDENTIAL_CONTEXT),
        }
    ),
]


# --------------------------------------------------------------------------------------------
# Base classes
# --------------------------------------------------------------------------------------------


class _Frozen(BaseModel):
    """A closed, immutable JSON-LD object: unknown properties are errors."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        frozen=True,
        extra="forbid",
        str_strip_whitespace=False,
    )


class _Open(_Frozen):
    """An Open Badges object that the spec lets issuers extend (``Mixin Extensions``)."""

    model_config = ConfigDict(extra="allow")


# --------------------------------------------------------------------------------------------
# Open Badges / VC objects
# --------------------------------------------------------------------------------------------


class Image(_Frozen):
    """OB ``Image``."""

    id: Uri
    type_: Literal["Image"] = Field(default="Image", alias="type")
    caption: str | None = None


class Address(_Frozen):
    """OB ``Address`` of the awarding institution (Diploma Supplement 2.3)."""

    type_: AddressTypes = Field(default_factory=lambda: ["Address"], alias="type")
    address_country: str | None = None
    address_country_code: CountryCode | None = None
    address_region: str | None = None
    address_locality: str | None = None
    street_address: str | None = None
    post_office_box_number: str | None = None
    postal_code: str | None = None


class IdentifierEntry(_Frozen):
    """OB ``IdentifierEntry`` (e.g. an institution's national registration number)."""

    type_: IdentifierEntryTypes = Field(default_factory=lambda: ["IdentifierEntry"], alias="type")
    identifier: NonEmptyStr
    identifier_type: IdentifierTypeValue


class Profile(_Open):
    """OB ``Profile`` of the issuing institution (``issuer``)."""

    id: Uri
    type_: ProfileTypes = Field(default_factory=lambda: ["Profile"], alias="type")
    name: NonEmptyStr
    url: Uri | None = None
    description: str | None = None
    email: str | None = None
    phone: str | None = None
    image: Image | None = None
    address: Address | None = None
    other_identifier: list[IdentifierEntry] | None = None
    official: str | None = None


class IdentityObject(_Frozen):
    """OB ``IdentityObject``: an identifier of the graduate (student number, name...)."""

    type_: Literal["IdentityObject"] = Field(default="IdentityObject", alias="type")
    identity_hash: NonEmptyStr
    identity_type: IdentifierTypeValue
    hashed: bool
    salt: str | None = None

    @model_validator(mode="after")
    def _hash_format(self) -> IdentityObject:
        if self.hashed and not re.fullmatch(r"(md5|sha256)\$[0-9a-fA-F]+", self.identity_hash):
            raise ValueError("a hashed identityHash must look like 'sha256$<hex digest>'")
        return self


class Alignment(_Frozen):
    """OB ``Alignment`` to a node in an external framework."""

    type_: AlignmentTypes = Field(default_factory=lambda: ["Alignment"], alias="type")
    target_name: NonEmptyStr
    target_url: Uri
    target_code: str | None = None
    target_description: str | None = None
    target_framework: str | None = None
    target_type: AlignmentTargetTypeValue | None = None


class Criteria(_Frozen):
    """OB ``Criteria``: how the qualification is earned (Diploma Supplement 4.2)."""

    id: Uri | None = None
    narrative: str | None = None


class ResultDescription(_Frozen):
    """OB ``ResultDescription``: a grading scheme results refer to (Diploma Supplement 4.4)."""

    id: Uri
    type_: ResultDescriptionTypes = Field(
        default_factory=lambda: ["ResultDescription"], alias="type"
    )
    name: NonEmptyStr
    result_type: ResultTypeValue
    allowed_value: list[str] | None = None
    required_value: str | None = None
    required_level: Uri | None = None
    value_min: str | None = None
    value_max: str | None = None
    alignment: list[Alignment] | None = None


class ResultEntry(_Frozen):
    """OB ``Result``: e.g. the overall GPA (Diploma Supplement 4.5)."""

    type_: ResultTypes = Field(default_factory=lambda: ["Result"], alias="type")
    result_description: Uri | None = None
    value: str | None = None
    status: (
        Literal[
            "Completed", "Enrolled", "Failed", "InProgress", "OnHold", "Provisional", "Withdrew"
        ]
        | None
    ) = None
    achieved_level: Uri | None = None
    alignment: list[Alignment] | None = None


class CredentialSchemaRef(_Frozen):
    """VC 2.0 ``credentialSchema`` entry."""

    id: Uri
    type_: NonEmptyStr = Field(default="JsonSchema", alias="type")


class StatusEntry(_Frozen):
    """A Bitstring Status List entry (``credentialStatus``)."""

    id: Uri | None = None
    type_: Literal["BitstringStatusListEntry"] = Field(
        default="BitstringStatusListEntry", alias="type"
    )
    status_purpose: NonEmptyStr
    status_list_index: Annotated[str, StringConstraints(pattern=r"^(0|[1-9]\d*)$")]
    status_list_credential: Uri
    status_size: Annotated[int, Field(ge=1)] | None = None
    status_message: list[dict[str, Any]] | None = None
    status_reference: Uri | list[Uri] | None = None


class DataIntegrityProof(_Open):
    """A W3C Data Integrity proof (present on verification, absent before signing)."""

    type_: Literal["DataIntegrityProof"] = Field(alias="type")
    cryptosuite: NonEmptyStr
    verification_method: Uri
    proof_purpose: NonEmptyStr
    proof_value: NonEmptyStr | None = None
    created: DateTimeStamp | None = None
    expires: DateTimeStamp | None = None
    id: Uri | None = None
    domain: str | list[str] | None = None
    challenge: str | None = None
    nonce: str | None = None
    previous_proof: Uri | list[Uri] | None = None


# --------------------------------------------------------------------------------------------
# Project objects (https://w3id.org/diploma-exchange/v1)
# --------------------------------------------------------------------------------------------


class Graduate(_Frozen):
    """The holder as named on the diploma (Diploma Supplement section 1)."""

    type_: Literal["Graduate"] = Field(default="Graduate", alias="type")
    full_name: EnglishLanguageMap
    given_name: LanguageMap | None = None
    family_name: LanguageMap | None = None
    patronymic_name: LanguageMap | None = None
    date_of_birth: IsoDate


class NqfLevel(_Frozen):
    """A level in a national qualifications framework (e.g. KZ-NQF level 6)."""

    framework: NonEmptyStr = Field(examples=["KZ-NQF"])
    level: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z.+-]{1,8}$")] = Field(
        examples=["6"]
    )


class Credits(_Frozen):
    """Total credits of the programme in a named credit system, with the ECTS equivalent."""

    value: NonNegativeNumber
    system: CreditSystemValue
    ects_equivalent: NonNegativeNumber | None = None


class CourseResult(_Frozen):
    """One transcript line (Diploma Supplement 4.3).

    ``id`` names the line (the builder gives each line ``<credential id>#course-<n>``): a
    transcript is an ordered ``@list``, and RDF list nodes over anonymous lines all look alike
    to RDF canonicalisation (RDFC-1.0), which must then run its costly blank-node search; with
    named lines the eddsa-rdfc-2022 proof stays cheap, and verifiers that bound that search
    (rdf-canonize's ``maxWorkFactor``, Digital Bazaar's and DCC's default) accept it.
    """

    id: Uri | None = None
    type_: Literal["CourseResult"] | None = Field(default=None, alias="type")
    code: NonEmptyStr
    title: EnglishLanguageMap
    credits_earned: NonNegativeNumber
    ects_credits: NonNegativeNumber | None = None
    grade: NonEmptyStr
    grade_points: NonNegativeNumber | None = None
    term: Annotated[str, StringConstraints(min_length=1, max_length=32)] | None = Field(
        default=None, examples=["2023-fall"]
    )


class Achievement(_Frozen):
    """OB ``Achievement``: the qualification (Diploma Supplement sections 2-5)."""

    id: Uri
    type_: AchievementTypes = Field(default_factory=lambda: ["Achievement"], alias="type")
    achievement_type: AchievementTypeValue
    name: NonEmptyStr
    localized_name: EnglishLanguageMap | None = None
    in_language: LanguageTag | None = None
    description: NonEmptyStr
    criteria: Criteria
    field_of_study: NonEmptyStr
    specialization: str | None = None
    human_code: str | None = None
    credits_available: NonNegativeNumber
    alignment: list[Alignment] | None = None
    result_description: list[ResultDescription] | None = None
    image: Image | None = None
    tag: list[str] | None = None
    version: str | None = None
    other_identifier: list[IdentifierEntry] | None = None
    # project terms
    isced_field_code: IscedFieldCode
    isced_level: IscedLevel
    nqf_level: NqfLevel
    eqf_level: Annotated[int, Field(ge=1, le=8)] | None = None
    official_length: Duration
    credits: Credits
    language_of_instruction: Annotated[list[LanguageTag], Field(min_length=1)]
    mode_of_study: ModeOfStudyValue
    access_requirements: LanguageMap | None = None
    access_to_further_study: LanguageMap | None = None
    professional_status: LanguageMap | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Achievement:
        if self.credits.value != self.credits_available:
            raise ValueError("credits.value must equal creditsAvailable")
        expected = EXPECTED_ISCED_LEVEL.get(self.achievement_type)
        if expected is not None and not self.isced_level.startswith(expected):
            raise ValueError(
                f"iscedLevel {self.isced_level} does not fit achievementType "
                f"{self.achievement_type} (expected ISCED level {expected})"
            )
        return self


class AchievementSubject(_Frozen):
    """OB ``AchievementSubject``: the graduate and what they achieved."""

    id: Uri | None = None
    type_: SubjectTypes = Field(default_factory=lambda: ["AchievementSubject"], alias="type")
    identifier: Annotated[list[IdentityObject], Field(min_length=1)]
    graduate: Graduate
    achievement: Achievement
    result: list[ResultEntry] | None = None
    credits_earned: NonNegativeNumber | None = None
    activity_start_date: DateTimeStamp | None = None
    activity_end_date: DateTimeStamp | None = None
    honours: LanguageMap | None = None
    diploma_number: str | None = None
    transcript: list[CourseResult] | None = None


class DiplomaCredential(_Frozen):
    """The shared diploma credential (VC 2.0 + OB 3.0 ``OpenBadgeCredential``)."""

    context: ContextList = Field(
        default_factory=lambda: list(DIPLOMA_CREDENTIAL_CONTEXT), alias="@context"
    )
    id: Uri
    type_: CredentialTypes = Field(
        default_factory=lambda: [
            "VerifiableCredential",
            "OpenBadgeCredential",
            "DiplomaCredential",
        ],
        alias="type",
    )
    name: NonEmptyStr
    description: str | None = None
    image: Image | None = None
    issuer: Profile
    valid_from: DateTimeStamp
    valid_until: DateTimeStamp | None = None
    awarded_date: DateTimeStamp | None = None
    credential_subject: AchievementSubject
    credential_schema: Annotated[list[CredentialSchemaRef], Field(min_length=1)] = Field(
        default_factory=lambda: [CredentialSchemaRef(id=DIPLOMA_SCHEMA_ID)],
        json_schema_extra={"contains": {"properties": {"id": {"const": DIPLOMA_SCHEMA_ID}}}},
    )
    credential_status: StatusEntry | list[StatusEntry] | None = None
    proof: DataIntegrityProof | list[DataIntegrityProof] | None = None

    @model_validator(mode="after")
    def _validity_period(self) -> DiplomaCredential:
        if self.valid_until is not None and datetime.fromisoformat(
            self.valid_until
        ) < datetime.fromisoformat(self.valid_from):
            raise ValueError("validUntil must not be earlier than validFrom")
        if not any(s.id == DIPLOMA_SCHEMA_ID for s in self.credential_schema):
            raise ValueError(f"credentialSchema must include {DIPLOMA_SCHEMA_ID}")
        return self

    def to_document(self) -> dict[str, Any]:
        """The credential as a JSON-ready dict (aliases, no nulls)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


# --------------------------------------------------------------------------------------------
# Issuing payload
# --------------------------------------------------------------------------------------------


class IssuerProfile(BaseModel):
    """What the builder needs to know about the issuing university."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Uri
    name: NonEmptyStr
    country_code: CountryCode = "KZ"
    url: Uri | None = None
    country: str | None = None
    locality: str | None = None
    region: str | None = None
    street_address: str | None = None
    postal_code: str | None = None
    email: str | None = None
    phone: str | None = None
    description: str | None = None
    official: str | None = None
    other_identifiers: tuple[IdentifierEntry, ...] = ()

    def to_profile(self) -> Profile:
        """The OB ``Profile`` placed in ``issuer``."""
        return Profile(
            id=self.id,
            name=self.name,
            url=self.url,
            description=self.description,
            email=self.email,
            phone=self.phone,
            official=self.official,
            other_identifier=list(self.other_identifiers) or None,
            address=Address(
                address_country=self.country,
                address_country_code=self.country_code,
                address_region=self.region,
                address_locality=self.locality,
                street_address=self.street_address,
                postal_code=self.postal_code,
            ),
        )


def _decimal(value: str, what: str) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{what} {value!r} is not a decimal number") from None


def parse_grading_scale(scale: str) -> tuple[str, str]:
    """Split a grading scale such as ``"0-4"`` or ``"0.00-4.00"`` into (min, max).

    Raises ``ValueError`` when it is not two non-negative decimals with min < max.
    """
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*", scale)
    if match is None:
        raise ValueError(f"grading scale {scale!r} must look like '0-4' (minimum-maximum)")
    low, high = match.group(1), match.group(2)
    if Decimal(low) >= Decimal(high):
        raise ValueError(f"grading scale {scale!r}: the minimum must be below the maximum")
    return low, high


class DiplomaDataProblems(ValueError):
    """Cross-field problems of a ``DiplomaData`` payload, each as (field, message)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(message for _, message in problems))
        self.problems = problems


#: Limits on a diploma's lists (a real transcript has tens of courses, a doctorate's a few).
MAX_LANGUAGES = 20
MAX_COURSES = 1000
#: Bounds on the free-text input fields (the OpenAPI document states them; beyond them: 422).
MAX_PARAGRAPH = 4000
MAX_NAME = 255
MAX_ID = 128
MAX_CODE = 32
MAX_DIPLOMA_NUMBER = 64


class DiplomaData(BaseModel):
    """The payload a university's system sends to issue one diploma.

    Language maps (``full_name``, ``qualification_name`` ...) map BCP 47 tags to text and must
    contain ``en``. ``docs/schema.md`` says where each field ends up in the credential.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    # graduate (Diploma Supplement 1)
    student_id: Annotated[str, StringConstraints(min_length=1, max_length=MAX_ID)]
    student_id_type: IdentifierTypeValue = "sisSourcedId"
    holder_did: Uri | None = None
    full_name: EnglishLanguageMap
    given_name: LanguageMap | None = None
    family_name: LanguageMap | None = None
    patronymic_name: LanguageMap | None = None
    birth_date: date
    # qualification (Diploma Supplement 2-3)
    achievement_type: AchievementTypeValue
    qualification_name: EnglishLanguageMap
    original_language: LanguageTag | None = None
    description: Annotated[str, StringConstraints(max_length=MAX_PARAGRAPH)] | None = None
    criteria_narrative: Annotated[str, StringConstraints(max_length=MAX_PARAGRAPH)] | None = None
    field_of_study: Annotated[str, StringConstraints(min_length=1, max_length=MAX_NAME)]
    specialization: Annotated[str, StringConstraints(max_length=MAX_NAME)] | None = None
    programme_code: Annotated[str, StringConstraints(max_length=MAX_ID)] | None = None
    programme_id: Uri | None = None
    isced_f: IscedDetailedField
    isced_level: IscedLevel
    nqf_level: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z.+-]{1,8}$")]
    nqf_framework: Annotated[str, StringConstraints(min_length=1, max_length=MAX_CODE)] = "KZ-NQF"
    eqf_level: Annotated[int, Field(ge=1, le=8)] | None = None
    length_years: Annotated[float, Field(gt=0, le=15)]
    credits: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    credit_system: CreditSystemValue = "ECTS"
    ects_credits: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    credits_earned: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    # Upper bounds on every list: a diploma is small, and a huge one is abuse (the body limit
    # alone would still let 300,000 languages through).
    language_of_instruction: Annotated[
        tuple[LanguageTag, ...], Field(min_length=1, max_length=MAX_LANGUAGES)
    ]
    mode_of_study: ModeOfStudyValue = "full-time"
    access_requirements: LanguageMap | None = None
    access_to_further_study: LanguageMap | None = None
    professional_status: LanguageMap | None = None
    # results (Diploma Supplement 4.4-4.5)
    gpa: DecimalString | None = None
    grading_scale: Annotated[str, StringConstraints(max_length=MAX_CODE)] = "0-4"
    gpa_pass_mark: DecimalString | None = None
    course_grade_scale: (
        Annotated[
            tuple[Annotated[str, StringConstraints(max_length=MAX_CODE)], ...],
            Field(max_length=100),
        ]
        | None
    ) = None
    honours: LanguageMap | None = None
    transcript: Annotated[tuple[CourseResult, ...], Field(max_length=MAX_COURSES)] = ()
    # dates and documents
    award_date: date
    study_start: date | None = None
    study_end: date | None = None
    valid_until: datetime | None = None
    #: At most 64 characters: the identity a diploma is found by (credentials.identity) and
    #: its column keep 64.
    diploma_number: Annotated[str, StringConstraints(max_length=MAX_DIPLOMA_NUMBER)] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> DiplomaData:
        problems: list[tuple[str, str]] = []
        if self.original_language is not None and (
            self.original_language not in self.qualification_name
        ):
            problems.append(
                (
                    "original_language",
                    (
                        f"original_language {self.original_language!r} has no qualification_name "
                        "in that language; add it or change original_language"
                    ),
                )
            )
        if self.birth_date >= self.award_date:
            problems.append(("birth_date", "birth_date must be before award_date"))
        if self.study_start and self.study_end and self.study_start > self.study_end:
            problems.append(("study_start", "study_start must not be after study_end"))
        if self.study_end and self.study_end > self.award_date:
            problems.append(("study_end", "study_end must not be after award_date"))
        expected = EXPECTED_ISCED_LEVEL.get(self.achievement_type)
        if expected is not None and not self.isced_level.startswith(expected):
            problems.append(
                (
                    "isced_level",
                    (
                        f"isced_level {self.isced_level} does not fit achievement_type "
                        f"{self.achievement_type}; expected an ISCED level {expected} code"
                    ),
                )
            )
        try:
            low, high = parse_grading_scale(self.grading_scale)
        except ValueError as exc:
            problems.append(("grading_scale", str(exc)))
        else:
            for label, value in (("gpa", self.gpa), ("gpa_pass_mark", self.gpa_pass_mark)):
                if value is not None and not (
                    Decimal(low) <= _decimal(value, label) <= Decimal(high)
                ):
                    problems.append(
                        (label, f"{label} {value} is outside the grading scale {low}-{high}")
                    )
        scale = self.letter_grades()
        for index, course in enumerate(self.transcript):
            if scale and course.grade not in scale:
                problems.append(
                    (
                        f"transcript/{index}/grade",
                        (
                            f"transcript course {course.code}: grade {course.grade!r} is not in the "
                            f"course grade scale {', '.join(scale)}; set course_grade_scale"
                        ),
                    )
                )
        if self.valid_until is not None and self.valid_until.tzinfo is None:
            problems.append(
                ("valid_until", "valid_until needs a time zone, e.g. 2030-01-01T00:00:00Z")
            )
        if problems:
            raise DiplomaDataProblems(problems)
        return self

    def letter_grades(self) -> tuple[str, ...]:
        """The course grade scale (lowest first); the Kazakh scale when a transcript has none."""
        if self.course_grade_scale is not None:
            return self.course_grade_scale
        if self.transcript:
            return tuple(grade for grade, _ in KZ_LETTER_GRADES)
        return ()


# --------------------------------------------------------------------------------------------
# Builder
# --------------------------------------------------------------------------------------------

_FURTHER_STUDY_EN: dict[str, str] = {
    "AssociateDegree": "Gives access to first-cycle (bachelor's) programmes.",
    "BachelorDegree": "Gives access to second-cycle (master's) programmes.",
    "MasterDegree": "Gives access to third-cycle (doctoral) programmes.",
    "DoctoralDegree": "Highest academic qualification (third cycle).",
    "ResearchDoctorate": "Highest academic qualification (third cycle).",
    "ProfessionalDoctorate": "Highest academic qualification (third cycle).",
}


def _midnight_utc(day: date) -> str:
    # isoformat, not strftime: glibc's %Y does not pad years before 1000 to four digits.
    return datetime.combine(day, time(0, 0), tzinfo=UTC).isoformat().replace("+00:00", "Z")


def _timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    moment = moment.astimezone(UTC).replace(microsecond=0)
    return moment.isoformat().replace("+00:00", "Z")


def iso_duration(years: float) -> str:
    """``4`` -> ``"P4Y"``, ``1.5`` -> ``"P1Y6M"`` (whole months)."""
    whole = int(years)
    months = round((years - whole) * 12)
    if months == 12:
        whole, months = whole + 1, 0
    text = "P" + (f"{whole}Y" if whole else "") + (f"{months}M" if months else "")
    return text if text != "P" else "P0Y"


def programme_uri(issuer_id: str, programme: str) -> str:
    """A stable ``urn:uuid`` for a programme of an issuer (UUIDv5), when none is given."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{issuer_id}#programme/{programme}')}"


def build_diploma(
    data: DiplomaData,
    *,
    issuer: IssuerProfile,
    credential_id: str,
    valid_from: datetime | None = None,
) -> DiplomaCredential:
    """Build the (unsigned) ``DiplomaCredential`` model for ``data``.

    Raises ``pydantic.ValidationError`` (a ``ValueError``) if the result would not be a valid
    diploma, e.g. a malformed ``credential_id`` or a timezone-naive ``valid_from``.
    """
    en_name = data.qualification_name["en"]
    original = data.original_language or next(
        (tag for tag in data.qualification_name if tag != "en"), "en"
    )
    programme = data.programme_code or f"{data.isced_f}/{en_name}"
    achievement_id = data.programme_id or programme_uri(issuer.id, programme)
    low, high = parse_grading_scale(data.grading_scale)

    descriptions: list[ResultDescription] = []
    results: list[ResultEntry] = []
    if data.gpa is not None:
        gpa_id = f"{achievement_id}#gpa"
        descriptions.append(
            ResultDescription(
                id=gpa_id,
                name="Cumulative grade point average",
                result_type="GradePointAverage",
                value_min=low,
                value_max=high,
                required_value=data.gpa_pass_mark,
            )
        )
        results.append(ResultEntry(result_description=gpa_id, value=data.gpa))
    letter_grades = data.letter_grades()
    if letter_grades:
        descriptions.append(
            ResultDescription(
                id=f"{achievement_id}#course-grade",
                name="Course letter grade",
                result_type="LetterGrade",
                allowed_value=list(letter_grades),
            )
        )

    ects = data.ects_credits
    if ects is None and data.credit_system in ("ECTS", "KZ-ECTS"):
        ects = data.credits
    further = data.access_to_further_study
    if further is None and data.achievement_type in _FURTHER_STUDY_EN:
        further = {"en": _FURTHER_STUDY_EN[data.achievement_type]}
    description = data.description or (
        f"{data.field_of_study}; ISCED-F {data.isced_f}; {data.nqf_framework} level "
        f"{data.nqf_level}; {_compact_number(data.credits)} {data.credit_system} credits."
    )
    identifiers = [
        IdentityObject(
            identity_hash=data.student_id, identity_type=data.student_id_type, hashed=False
        ),
        IdentityObject(identity_hash=data.full_name["en"], identity_type="name", hashed=False),
    ]

    achievement = Achievement(
        id=achievement_id,
        achievement_type=data.achievement_type,
        name=data.qualification_name[original],
        localized_name=dict(data.qualification_name) if len(data.qualification_name) > 1 else None,
        in_language=original,
        description=description,
        criteria=Criteria(
            narrative=data.criteria_narrative
            or "Completion of all components of the approved educational programme, "
            "including the final attestation."
        ),
        field_of_study=data.field_of_study,
        specialization=data.specialization,
        human_code=data.programme_code,
        credits_available=data.credits,
        result_description=descriptions or None,
        isced_field_code=data.isced_f,
        isced_level=data.isced_level,
        nqf_level=NqfLevel(framework=data.nqf_framework, level=data.nqf_level),
        eqf_level=data.eqf_level,
        official_length=iso_duration(data.length_years),
        credits=Credits(value=data.credits, system=data.credit_system, ects_equivalent=ects),
        language_of_instruction=list(data.language_of_instruction),
        mode_of_study=data.mode_of_study,
        access_requirements=data.access_requirements,
        access_to_further_study=further,
        professional_status=data.professional_status,
    )
    subject = AchievementSubject(
        id=data.holder_did,
        identifier=identifiers,
        graduate=Graduate(
            full_name=dict(data.full_name),
            given_name=data.given_name,
            family_name=data.family_name,
            patronymic_name=data.patronymic_name,
            date_of_birth=data.birth_date,
        ),
        achievement=achievement,
        result=results or None,
        credits_earned=data.credits_earned if data.credits_earned is not None else data.credits,
        activity_start_date=_midnight_utc(data.study_start) if data.study_start else None,
        activity_end_date=_midnight_utc(data.study_end) if data.study_end else None,
        honours=data.honours,
        diploma_number=data.diploma_number,
        transcript=[
            course
            if course.id is not None
            else course.model_copy(update={"id": f"{credential_id}#course-{index}"})
            for index, course in enumerate(data.transcript, start=1)
        ]
        or None,
    )
    return DiplomaCredential(
        id=credential_id,
        name=en_name,
        issuer=issuer.to_profile(),
        valid_from=_timestamp(valid_from) if valid_from else _midnight_utc(data.award_date),
        valid_until=_timestamp(data.valid_until) if data.valid_until else None,
        awarded_date=_midnight_utc(data.award_date),
        credential_subject=subject,
    )


def build_diploma_credential(
    data: DiplomaData,
    *,
    issuer: IssuerProfile,
    credential_id: str,
    valid_from: datetime | None = None,
) -> dict[str, Any]:
    """Build the unsigned diploma credential document (JSON-ready dict) for ``data``.

    ``valid_from`` defaults to midnight UTC of the award date. Raises
    ``pydantic.ValidationError`` (a ``ValueError``) if the result would not be a valid diploma.
    """
    return build_diploma(
        data, issuer=issuer, credential_id=credential_id, valid_from=valid_from
    ).to_document()
