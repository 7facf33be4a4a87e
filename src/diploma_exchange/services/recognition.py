"""Recognition assessments: verify the diploma, assess it for a receiving country, and issue
the NIC's signed recognition statement; officers' decisions and appeals as history."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from diploma_exchange.config import Settings
from diploma_exchange.db.models import RecognitionDecisionRecord, RecognitionStatementRecord
from diploma_exchange.errors import InvalidInput, NotFound
from diploma_exchange.proofs import eddsa_jcs_2022
from diploma_exchange.recognition.assessment import Qualification, assess
from diploma_exchange.recognition.frameworks import load_registry
from diploma_exchange.recognition.statement import build_statement, diploma_digest
from diploma_exchange.services import audit, institutions, verification
from diploma_exchange.services.trust import _nic
from diploma_exchange.verification import CheckName, CheckStatus, VerificationReport

DECISIONS = ("accepted", "amended", "appeal")


@dataclass(frozen=True, slots=True)
class AssessmentOutcome:
    statement: dict[str, Any]
    assessment: dict[str, Any]
    report: VerificationReport | None


def qualification_json(q: Qualification) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in (
        "country",
        "qualification_type",
        "achievement_type",
        "isced_level",
        "isced_field",
        "nqf_level",
        "credits",
        "credit_system",
        "length_years",
        "grade",
        "grading_scale",
        "institution_accredited",
    ):
        value = getattr(q, name, None)
        if value is not None:
            out["".join(p.capitalize() if i else p for i, p in enumerate(name.split("_")))] = value
    award = getattr(q, "award_date", None)
    if award is not None:
        out["awardDate"] = award.isoformat()
    return out


def assess_and_issue(
    session: Session,
    settings: Settings,
    *,
    receiving_country: str,
    credential: Mapping[str, Any] | None = None,
    qualification: Qualification | None = None,
    remote: verification.RemoteLookups | None = None,
) -> AssessmentOutcome:
    """Assess a verified credential (or a qualification described by hand) for a receiving
    country, and store the NIC-signed recognition statement.

    A credential that does not verify is still assessed on its content only when the
    verdict is ``valid``; an invalid one is refused (recognition presupposes authenticity),
    and an indeterminate one is assessed with quality assurance unknown.

    Raises:
        InvalidInput: neither or both inputs, an unknown receiving country, an invalid diploma.
    """
    registry = load_registry()
    receiving_country = receiving_country.upper()
    if not registry.has_country(receiving_country):
        raise InvalidInput(
            f"no framework data for receiving country {receiving_country!r}; see GET /v1/recognition/countries",
            pointer="/receivingCountry",
        )
    if (credential is None) == (qualification is None):
        raise InvalidInput("send either a credential or a qualification description", pointer="")
    report: VerificationReport | None = None
    if credential is not None:
        report = verification.verify(session, settings, credential, remote=remote)
        if report.verdict.value == "invalid":
            failed = [c.name.value for c in report.checks if c.status is CheckStatus.FAILED]
            raise InvalidInput(
                f"the diploma did not verify ({', '.join(failed)}); recognition presupposes an authentic diploma",
                code="diploma-invalid",
                extra={"report": report.to_json()},
            )
        accreditation = report.check(CheckName.ISSUER_ACCREDITATION)
        accredited = (
            None
            if accreditation is None or accreditation.status is CheckStatus.ERROR
            else accreditation.status is CheckStatus.PASSED
        )
        qualification = Qualification.from_credential(credential, accredited=accredited)
    assert qualification is not None  # for mypy: exactly one input, checked above
    result = assess(qualification, receiving_country, registry)
    assessment = result.to_dict()
    nic = _nic(session, settings)
    now = datetime.now(UTC).replace(microsecond=0)
    unsigned = build_statement(
        statement_id=f"urn:uuid:{uuid.uuid4()}",
        nic=nic.did,
        issued_at=now,
        receiving_country=receiving_country,
        assessment=assessment,
        diploma=credential,
        qualification=qualification_json(qualification),
    )
    signed = eddsa_jcs_2022.add_proof(
        unsigned, institutions.signer_for(session, settings, nic), created=now
    )
    session.add(
        RecognitionStatementRecord(
            id=signed["id"],
            diploma_id=str(credential["id"])
            if credential and isinstance(credential.get("id"), str)
            else None,
            diploma_digest=diploma_digest(credential) if credential is not None else None,
            receiving_country=receiving_country,
            outcome=str(assessment.get("outcome")),
            document=json.dumps(signed, ensure_ascii=False, separators=(",", ":")),
            created_at=now,
        )
    )
    session.flush()
    audit.record(
        session,
        "recognition.assess",
        "recognition-statement",
        str(signed["id"]),
        {
            "receivingCountry": receiving_country,
            "outcome": str(assessment.get("outcome")),
            "diploma": str(credential["id"])
            if credential and isinstance(credential.get("id"), str)
            else None,
        },
    )
    return AssessmentOutcome(signed, assessment, report)


def get_statement(session: Session, statement_id: str) -> RecognitionStatementRecord:
    record = session.get(RecognitionStatementRecord, statement_id)
    if record is None:
        raise NotFound(f"no recognition statement {statement_id!r}")
    return record


def statements_for(session: Session, diploma_id: str) -> list[RecognitionStatementRecord]:
    return list(
        session.exec(
            select(RecognitionStatementRecord)
            .where(RecognitionStatementRecord.diploma_id == diploma_id)
            .order_by(col(RecognitionStatementRecord.created_at))
        ).all()
    )


def record_decision(
    session: Session,
    statement_id: str,
    *,
    decision: str,
    reasons: str,
    appeal_note: str | None,
    officer: str,
) -> RecognitionDecisionRecord:
    """Append an officer's decision (accepted / amended, with reasons) or an appeal note."""
    get_statement(session, statement_id)
    if decision not in DECISIONS:
        raise InvalidInput(f"decision must be one of {', '.join(DECISIONS)}", pointer="/decision")
    if decision == "amended" and not reasons.strip():
        raise InvalidInput("an amended decision needs its reasons", pointer="/reasons")
    if decision == "appeal" and not (appeal_note or "").strip():
        raise InvalidInput("an appeal needs a note", pointer="/appealNote")
    record = RecognitionDecisionRecord(
        statement_id=statement_id,
        decision=decision,
        reasons=reasons,
        appeal_note=appeal_note,
        officer=officer,
        created_at=datetime.now(UTC),
    )
    session.add(record)
    session.flush()
    audit.record(
        session,
        f"recognition.{decision}",
        "recognition-statement",
        statement_id,
        {"decision": decision, "officer": officer},
    )
    return record


def decisions(session: Session, statement_id: str) -> list[RecognitionDecisionRecord]:
    return list(
        session.exec(
            select(RecognitionDecisionRecord)
            .where(RecognitionDecisionRecord.statement_id == statement_id)
            .order_by(col(RecognitionDecisionRecord.created_at))
        ).all()
    )


def receiving_countries() -> list[tuple[str, str]]:
    """(code, English name) of every receiving country with framework data, by name."""
    return sorted(((c.code, c.name) for c in load_registry().countries()), key=lambda c: c[1])


def preview(
    credential: Mapping[str, Any], receiving_country: str, report: VerificationReport
) -> dict[str, Any] | None:
    """An unsigned assessment for showing on a page (nothing is stored); None for a diploma
    that did not verify (recognition presupposes authenticity) or an unknown country."""
    registry = load_registry()
    code = receiving_country.upper()
    if report.verdict.value == "invalid" or not registry.has_country(code):
        return None
    accreditation = report.check(CheckName.ISSUER_ACCREDITATION)
    accredited = (
        None
        if accreditation is None or accreditation.status is CheckStatus.ERROR
        else accreditation.status is CheckStatus.PASSED
    )
    try:
        qualification = Qualification.from_credential(credential, accredited=accredited)
        assessment = assess(qualification, code, registry).to_dict()
    except (InvalidInput, ValueError, LookupError):
        return None
    comparable = assessment.get("comparable_type")
    if isinstance(comparable, str) and registry.has_type(comparable):
        assessment["comparable_name"] = registry.qualification_type(comparable).names.en
    return assessment
