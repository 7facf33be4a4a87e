"""Recognition under the Tokyo Convention: assessments, signed statements, decisions, frameworks."""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import Field

from diploma_exchange.api.deps import (
    AdminPrincipal,
    CurrentPrincipal,
    RemoteDep,
    SessionDep,
    SettingsDep,
    StatementIdPath,
)
from diploma_exchange.api.limits import StrictJsonRoute
from diploma_exchange.api.problem_docs import problem_responses
from diploma_exchange.api.schemas import ApiModel, UtcDateTime, VerificationReportPublic
from diploma_exchange.errors import NotFound
from diploma_exchange.recognition import inputs
from diploma_exchange.recognition.frameworks import INSTITUTION_TYPES, PURPOSES, load_registry
from diploma_exchange.services import recognition
from diploma_exchange.web.pages.recognition import statement_page

router = APIRouter(prefix="/v1/recognition", tags=["recognition"], route_class=StrictJsonRoute)


class QualificationIn(ApiModel):
    """A qualification described by hand (a paper diploma): self-declared facts, compared as
    an advisory comparison. Unknown facts are left out; an assessment that depends on one
    says which, and which document supplies it."""

    country: str | None = Field(
        default=None, pattern=r"^[A-Z]{2}$", description="Awarding country (ISO 3166-1 alpha-2)."
    )
    qualification_type: str | None = Field(
        default=None,
        alias="qualificationType",
        max_length=80,
        examples=["kz.bachelor"],
        description="A type id from GET /v1/recognition/countries/{code}.",
    )
    achievement_type: str | None = Field(default=None, alias="achievementType", max_length=80)
    isced_level: str | None = Field(default=None, alias="iscedLevel", pattern=r"^[5-8]\d{0,2}$")
    isced_field: str | None = Field(default=None, alias="iscedField", pattern=r"^\d{2,4}$")
    nqf_level: str | None = Field(default=None, alias="nqfLevel", max_length=80)
    credits: float | None = Field(
        default=None, ge=0, le=10_000, description="Credits, or the lower end of a range."
    )
    credits_max: float | None = Field(
        default=None,
        alias="creditsMax",
        ge=0,
        le=10_000,
        description="The upper end when the credits are known as a range (e.g. 180-240).",
    )
    credit_system: str | None = Field(default=None, alias="creditSystem", max_length=80)
    length_years: float | None = Field(default=None, alias="lengthYears", gt=0, le=12)
    award_date: date | None = Field(default=None, alias="awardDate")
    grade: str | None = Field(default=None, max_length=80)
    grading_scale: str | None = Field(default=None, alias="gradingScale", max_length=80)
    institution_accredited: bool | None = Field(
        default=None,
        alias="institutionAccredited",
        description="Declared only: an advisory comparison never asserts accreditation.",
    )
    institution_type: str | None = Field(
        default=None,
        alias="institutionType",
        json_schema_extra={"enum": list(INSTITUTION_TYPES)},
        description="Kind of awarding institution (Diploma Supplement 2.3/2.4); some "
        "comparisons depend on it (HBO/WO, university/Fachhochschule, college/university).",
    )
    institution_tier: str | None = Field(
        default=None,
        alias="institutionTier",
        max_length=80,
        examples=["project-211"],
        description="The awarding institution's status where a comparison depends on it.",
    )
    prior_qualification: str | None = Field(
        default=None,
        alias="priorQualification",
        max_length=80,
        examples=["cn.bachelor"],
        description="The qualification that gave access to this one: a type id or a category.",
    )
    completed: bool | None = Field(
        default=None,
        description="False for studies that did not complete the programme (a certificate "
        "of study or a transcript): never compared with a degree.",
    )


class AssessmentCreate(ApiModel):
    receiving_country: str = Field(alias="receivingCountry", pattern=r"^[A-Z]{2}$", examples=["KR"])
    credential: dict[str, Any] | None = Field(
        default=None, description="A diploma credential (verified first)."
    )
    qualification: QualificationIn | None = None
    purpose: str | None = Field(
        default=None,
        json_schema_extra={"enum": list(PURPOSES)},
        description="Why recognition is sought: some comparisons hold for one purpose only "
        "(admission to doctoral studies, not employment), and the access criterion follows it.",
    )
    required_field: str | None = Field(
        default=None,
        alias="requiredField",
        pattern=r"^\d{2,4}$",
        description="The ISCED-F 2013 field the receiving programme or post requires; makes "
        "the field a criterion.",
    )


class AssessmentCreated(ApiModel):
    kind: Literal["recognition-statement", "advisory-comparison"] = Field(
        description="recognition-statement: about a diploma that verified valid, signed by the "
        "NIC and stored (201); advisory-comparison: about facts described by the requester, "
        "self-declared and unverified, not signed and not stored (200)."
    )
    id: str | None = Field(description="The statement's id (none for an advisory comparison).")
    outcome: str
    facts_verified: bool = Field(
        alias="factsVerified",
        description="True only when the facts come from a diploma that verified valid.",
    )
    notice: str | None = Field(
        default=None, description="What an advisory comparison is and is not."
    )
    assessment: dict[str, Any]
    statement: dict[str, Any] | None = Field(
        description="The NIC-signed RecognitionStatementCredential (none for an advisory "
        "comparison)."
    )
    verification: VerificationReportPublic | None = Field(
        description="The diploma's verification report (always valid when a statement was "
        "signed; none for an advisory comparison, where nothing was verified)."
    )


class DecisionCreate(ApiModel):
    decision: Literal["accepted", "amended", "appeal"]
    reasons: str = Field(default="", max_length=10000)
    appeal_note: str | None = Field(default=None, alias="appealNote", max_length=10000)


class DecisionPublic(ApiModel):
    id: str
    decision: str
    reasons: str
    appeal_note: str | None = Field(alias="appealNote")
    created_at: UtcDateTime = Field(alias="createdAt")


@router.post(
    "/assessments",
    status_code=201,
    response_model=AssessmentCreated,
    operation_id="createAssessment",
    responses={
        200: {
            "model": AssessmentCreated,
            "description": "An advisory comparison of a described qualification (self-declared "
            "facts; unsigned, not stored)",
        },
        **problem_responses(422),
    },
)
def create_assessment(
    body: AssessmentCreate,
    session: SessionDep,
    settings: SettingsDep,
    remote: RemoteDep,
    response: Response,
) -> AssessmentCreated:
    """Assess a diploma (a signed statement, only when it verifies valid) or compare a
    described qualification (advisory) for a receiving country."""
    qualification = (
        inputs.qualification_from_fields(body.qualification.model_dump(exclude_none=True))
        if body.qualification is not None
        else None
    )
    outcome = recognition.assess_and_issue(
        session,
        settings,
        receiving_country=body.receiving_country,
        credential=body.credential,
        qualification=qualification,
        purpose=body.purpose,
        required_field=body.required_field,
        remote=remote,
    )
    if outcome.advisory:
        response.status_code = 200
    return AssessmentCreated(
        kind="advisory-comparison" if outcome.advisory else "recognition-statement",
        id=outcome.statement_id,
        outcome=str(outcome.assessment.get("outcome")),
        facts_verified=not outcome.advisory,
        notice=recognition.ADVISORY_NOTICE if outcome.advisory else None,
        assessment=outcome.assessment,
        statement=outcome.statement,
        verification=VerificationReportPublic.model_validate(outcome.report.to_json())
        if outcome.report
        else None,
    )


@router.get(
    "/assessments",
    response_model=list[dict[str, Any]],
    operation_id="listAssessments",
    responses=problem_responses(401, 403, 404),
)
def list_assessments(
    session: SessionDep,
    principal: CurrentPrincipal,
    diploma_id: str = Query(alias="diplomaId", max_length=255),
) -> list[dict[str, Any]]:
    """The recognition statements issued for a diploma (its issuing institution, or the NIC
    administrator): who asked for recognition where is not public."""
    recognition.require_statement_reader(session, principal, diploma_id)
    return [json.loads(r.document) for r in recognition.statements_for(session, diploma_id)]


@router.get(
    "/assessments/{statement_id}",
    response_model=dict[str, Any],
    operation_id="getAssessment",
    responses={200: {"content": {"application/json": {}, "text/html": {}}}},
)
def get_assessment(
    statement_id: StatementIdPath, request: Request, session: SessionDep
) -> Response:
    """A signed recognition statement; as an HTML page when the client asks for text/html."""
    record = recognition.get_statement(session, statement_id)
    statement = json.loads(record.document)
    if "text/html" in request.headers.get("accept", ""):
        return statement_page(
            request,
            statement,
            recognition.decisions(session, statement_id),
            recognition.statement_diploma(session, record),
        )
    return Response(record.document, media_type="application/json")


@router.post(
    "/assessments/{statement_id}/decisions",
    status_code=201,
    response_model=DecisionPublic,
    operation_id="recordDecision",
)
def record_decision(
    statement_id: StatementIdPath,
    body: DecisionCreate,
    session: SessionDep,
    principal: AdminPrincipal,
) -> DecisionPublic:
    """Record an officer's final decision (accepted / amended with reasons) or an appeal note."""
    row = recognition.record_decision(
        session,
        statement_id,
        decision=body.decision,
        reasons=body.reasons,
        appeal_note=body.appeal_note,
        officer=principal.api_key_id,
    )
    return DecisionPublic(
        id=row.id,
        decision=row.decision,
        reasons=row.reasons,
        appeal_note=row.appeal_note,
        created_at=row.created_at,
    )


@router.get(
    "/assessments/{statement_id}/decisions",
    response_model=list[DecisionPublic],
    operation_id="listDecisions",
)
def list_decisions(statement_id: StatementIdPath, session: SessionDep) -> list[DecisionPublic]:
    """The decision and appeal history of a statement."""
    recognition.get_statement(session, statement_id)
    return [
        DecisionPublic(
            id=r.id,
            decision=r.decision,
            reasons=r.reasons,
            appeal_note=r.appeal_note,
            created_at=r.created_at,
        )
        for r in recognition.decisions(session, statement_id)
    ]


@router.get("/frameworks", response_model=dict[str, Any], operation_id="getReferenceFrameworks")
def reference_frameworks() -> dict[str, Any]:
    """Reference frameworks with their levels: ISCED 2011, ISCED-F 2013, EQF, QF-EHEA, AQRF."""
    return load_registry().reference_frameworks()


@router.get(
    "/countries", response_model=list[dict[str, Any]], operation_id="listFrameworkCountries"
)
def list_countries() -> list[dict[str, Any]]:
    """Every country with framework data, by ISO 3166-1 alpha-2 code, each its own system
    (the EQF group ``EU`` is a fallback only, marked ``group``)."""
    registry = load_registry()
    return [
        {
            "code": c.code,
            "name": c.name,
            "names": {"en": c.names.en, "ru": c.names.ru, "kk": c.names.kk},
            "group": c.group,
            "framework": {"id": c.framework.id, "name": c.framework.name},
            "conventions": [registry.public(v) for v in c.conventions],
            "qualificationTypes": [t.id for t in c.qualification_types],
        }
        for c in sorted(registry.countries(), key=lambda c: (c.group, c.code))
    ]


@router.get("/countries/{code}", response_model=dict[str, Any], operation_id="getFrameworkCountry")
def get_country(code: str) -> dict[str, Any]:
    """A country's framework, levels, credit systems, grading scales and qualification types, with sources."""
    registry = load_registry()
    if not registry.has_country(code.upper()):
        raise NotFound(f"no framework data for {code!r}")
    return registry.public(registry.country(code.upper()))


@router.get(
    "/qualification-types/{type_id}",
    response_model=dict[str, Any],
    operation_id="getQualificationType",
)
def get_type(type_id: str) -> dict[str, Any]:
    """One qualification type with its level, ISCED code, length, credits and sources."""
    registry = load_registry()
    if not registry.has_type(type_id):
        raise NotFound(f"no qualification type {type_id!r}")
    return registry.public(registry.qualification_type(type_id))
