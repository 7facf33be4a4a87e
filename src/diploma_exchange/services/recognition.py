"""Recognition assessments: verify the diploma, assess it for a receiving country, and issue
the NIC's signed recognition statement; officers' decisions and appeals as history."""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from diploma_exchange.config import Settings
from diploma_exchange.db.models import (
    CredentialRecord,
    RecognitionDecisionRecord,
    RecognitionStatementRecord,
)
from diploma_exchange.errors import Forbidden, InvalidInput, NotFound, NotVerified
from diploma_exchange.proofs import eddsa_jcs_2022
from diploma_exchange.recognition import inputs
from diploma_exchange.recognition.assessment import Qualification, assess
from diploma_exchange.recognition.frameworks import load_registry
from diploma_exchange.recognition.statement import build_statement, diploma_digest
from diploma_exchange.services import audit, institutions, verification
from diploma_exchange.services import registry as issued_register
from diploma_exchange.services.enveloped_issuance import issued_credential
from diploma_exchange.services.institutions import Principal
from diploma_exchange.services.trust import _nic
from diploma_exchange.verification import VerificationReport

DECISIONS = ("accepted", "amended", "appeal")


#: What an advisory comparison says about itself, in its data and on every page and PDF.
ADVISORY_NOTICE = (
    "Advisory comparison of a qualification described by the requester. The facts were "
    "self-declared and have not been verified by the National Information Centre; nothing in "
    "this comparison asserts that the qualification exists or that its institution is "
    "accredited. It is not a recognition statement and is not signed."
)


@dataclass(frozen=True, slots=True)
class AssessmentOutcome:
    """A signed recognition statement (``statement`` set, ``report`` valid) or an advisory
    comparison of self-declared facts (``statement`` None, ``advisory`` True)."""

    assessment: dict[str, Any]
    report: VerificationReport | None
    statement: dict[str, Any] | None = None
    advisory: bool = False

    @property
    def statement_id(self) -> str | None:
        return str(self.statement["id"]) if self.statement is not None else None


_FACTS = (
    "country",
    "qualification_type",
    "achievement_type",
    "isced_level",
    "isced_field",
    "nqf_level",
    "credits",
    "credits_max",
    "credit_system",
    "length_years",
    "grade",
    "grading_scale",
    "institution_accredited",
    "institution_type",
    "institution_tier",
    "prior_qualification",
    "completed",
)


def qualification_json(q: Qualification) -> dict[str, Any]:
    """The facts assessed, camelCase (the purpose is the request's, not a fact: see
    :func:`compare`)."""
    out: dict[str, Any] = {}
    for name in _FACTS:
        value = getattr(q, name, None)
        if value is not None:
            out["".join(p.capitalize() if i else p for i, p in enumerate(name.split("_")))] = value
    award = getattr(q, "award_date", None)
    if award is not None:
        out["awardDate"] = award.isoformat()
    return out


def _refuse_unless_valid(report: VerificationReport) -> None:
    """The NIC signs only about a diploma that verified ``valid`` under the default policy
    (signature, key, issuance record, dates, status, trust and accreditation at issue)."""
    if report.valid:
        return
    deciding = report.deciding()
    names = ", ".join(f"{c.name.value} ({c.code})" for c in deciding) or "no check passed"
    raise NotVerified(
        f"the diploma's verification is {report.verdict.value}, not valid: {names}. The NIC "
        "issues a recognition statement only about a diploma whose signature, key, issuance, "
        "dates, status and accreditation have all been verified",
        extra={
            "verdict": report.verdict.value,
            "failingChecks": [
                {
                    "name": c.name.value,
                    "status": c.status.value,
                    "code": c.code,
                    "message": c.message,
                }
                for c in deciding
            ],
            "report": report.to_json(),
        },
    )


def _check_type_known(frameworks: Any, qualification: Qualification) -> None:
    """A described qualification type must be one the framework data knows (a typo is an
    input error naming the known types, not "insufficient information")."""
    type_id = qualification.qualification_type
    if not type_id or frameworks.has_type(type_id):
        return
    country = (qualification.country or type_id.split(".", 1)[0]).upper()
    known = (
        [t.id for t in frameworks.country(country).qualification_types]
        if frameworks.has_country(country)
        else []
    )
    hint = f"; the types of {country} are {', '.join(known)}" if known else ""
    raise InvalidInput(
        f"unknown qualification type {type_id!r}{hint} (GET /v1/recognition/countries/{country})",
        pointer="/qualification/qualificationType",
        code="unknown-qualification-type",
    )


def compare(
    receiving_country: str,
    *,
    credential: Mapping[str, Any] | None = None,
    report: VerificationReport | None = None,
    qualification: Qualification | None = None,
    purpose: str | None = None,
    required_field: str | None = None,
) -> AssessmentOutcome:
    """The one assessment every front end shows (API, CLI, web): the same input gives the
    same outcome. Nothing is signed or stored here (see :func:`assess_and_issue`).

    A diploma's facts are assessed only when ``report`` (its verification, by the caller's
    verifier) is ``valid``; its accreditation is then the one the report checked. A described
    qualification's facts are self-declared: the result is an advisory comparison that says so
    and never asserts the accreditation it did not look up. ``purpose`` (one of
    :data:`~diploma_exchange.recognition.frameworks.PURPOSES`) selects purpose-conditioned
    comparisons and the access criterion; ``required_field`` (ISCED-F) makes the field one.

    Raises:
        InvalidInput: neither or both inputs, an unknown receiving country, a purpose or
            field outside the vocabularies, a purpose that contradicts the qualification's.
        NotVerified: the diploma did not verify as ``valid`` (the report is in ``extra``).
    """
    frameworks = load_registry()
    receiving_country = receiving_country.strip().upper()
    if not frameworks.has_country(receiving_country):
        raise InvalidInput(
            f"no framework data for receiving country {receiving_country!r}; see GET /v1/recognition/countries",
            pointer="/receivingCountry",
        )
    if (credential is None) == (qualification is None):
        raise InvalidInput("send either a credential or a qualification description", pointer="")
    purpose = inputs.purpose_from(purpose)
    required_field = inputs.required_field_from(required_field)
    if qualification is not None:
        _check_type_known(frameworks, qualification)
        if purpose and qualification.purpose and purpose != qualification.purpose:
            raise InvalidInput(
                "two different purposes: give it once (purpose)", pointer="/qualification/purpose"
            )
        # What was not looked up is not asserted: accreditation is "unknown" in the comparison.
        unverified = dataclasses.replace(
            qualification,
            institution_accredited=None,
            purpose=purpose or qualification.purpose,
        )
        assessment = assess(
            unverified, receiving_country, frameworks, required_field=required_field
        ).to_dict()
        assessment["advisory"] = True
        assessment["factsVerified"] = False
        assessment["notice"] = ADVISORY_NOTICE
        assessment["declaredFacts"] = qualification_json(qualification)
        assessment["purposeOfRecognition"] = unverified.purpose
        return AssessmentOutcome(assessment, None, None, advisory=True)
    assert credential is not None  # for mypy: exactly one input, checked above
    if report is None:
        raise ValueError("a diploma is assessed with its verification report")
    _refuse_unless_valid(report)
    if report.content is not None and (report.format or {}).get("securing") != "data-integrity":
        # A credential that arrived in another format (a JWT, an SD-JWT...): its facts are
        # the verified payload, not the envelope.
        credential = report.content
    verified = dataclasses.replace(
        Qualification.from_credential(credential, accredited=True), purpose=purpose
    )
    assessment = assess(
        verified, receiving_country, frameworks, required_field=required_field
    ).to_dict()
    assessment["advisory"] = False
    assessment["factsVerified"] = True
    assessment["purposeOfRecognition"] = purpose
    return AssessmentOutcome(assessment, report)


def assess_and_issue(
    session: Session,
    settings: Settings,
    *,
    receiving_country: str,
    credential: Mapping[str, Any] | None = None,
    qualification: Qualification | None = None,
    purpose: str | None = None,
    required_field: str | None = None,
    remote: verification.RemoteLookups | None = None,
) -> AssessmentOutcome:
    """Assess a diploma for a receiving country and issue the NIC's signed recognition
    statement, or compare a qualification described by hand (advisory, unsigned).

    A diploma is verified first under the default policy, now; the NIC signs only when the
    verdict is ``valid``. The assessment itself is :func:`compare`'s, as everywhere else.

    Raises:
        InvalidInput: as :func:`compare`.
        NotVerified: the diploma did not verify as ``valid`` (the report is in ``extra``).
    """
    report = (
        verification.verify(session, settings, credential, remote=remote)
        if credential is not None and qualification is None
        else None
    )
    outcome = compare(
        receiving_country,
        credential=credential,
        report=report,
        qualification=qualification,
        purpose=purpose,
        required_field=required_field,
    )
    if outcome.advisory:
        return outcome
    assert credential is not None and report is not None  # a signed outcome is a diploma's
    if report.content is not None and (report.format or {}).get("securing") != "data-integrity":
        # A diploma that arrived in another format: the statement names the verified payload.
        credential = report.content
    receiving_country = receiving_country.strip().upper()
    assessment = outcome.assessment
    qualification = Qualification.from_credential(credential, accredited=True)
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
        purpose=purpose,
    )
    signed = eddsa_jcs_2022.add_proof(
        unsigned, institutions.signer_for(session, settings, nic), created=now
    )
    issued_register.record_signed(
        session, signed, kind="recognition-statement", reference=str(signed["id"])
    )
    session.add(
        RecognitionStatementRecord(
            id=signed["id"],
            diploma_id=str(credential["id"]) if isinstance(credential.get("id"), str) else None,
            diploma_digest=diploma_digest(credential),
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
            "diploma": str(credential["id"]) if isinstance(credential.get("id"), str) else None,
        },
    )
    return AssessmentOutcome(assessment, report, signed)


def get_statement(session: Session, statement_id: str) -> RecognitionStatementRecord:
    record = session.get(RecognitionStatementRecord, statement_id)
    if record is None:
        raise NotFound(f"no recognition statement {statement_id!r}")
    return record


def statement_diploma(
    session: Session, record: RecognitionStatementRecord
) -> dict[str, Any] | None:
    """The diploma a statement was issued for, when it was issued here (to name its holder)."""
    if not record.diploma_id:
        return None
    diploma = session.get(CredentialRecord, record.diploma_id)
    if diploma is None:
        return None
    document = issued_credential(json.loads(diploma.document))
    return document if isinstance(document, dict) else None


def require_statement_reader(session: Session, principal: Principal, diploma_id: str) -> None:
    """Only the NIC administrator and the diploma's issuing institution list its statements.

    Raises:
        NotFound: another institution's diploma (it looks exactly like a missing one).
        Forbidden: neither an institution nor the administrator.
    """
    if principal.is_admin:
        return
    if principal.institution is None:
        raise Forbidden("recognition statements are listed for the issuing institution only")
    record = session.get(CredentialRecord, diploma_id)
    if record is None or record.institution_id != principal.institution.id:
        raise NotFound(f"no diploma {diploma_id!r} issued by you")


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


def type_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """(country name, [(type id, English name)]) of every country's qualification types
    (former ones too: paper diplomas are often older), by country name, the EU group last:
    the choices of a described qualification."""
    registry = load_registry()
    groups = sorted(registry.countries(), key=lambda c: (c.group, c.name))
    return [
        (
            f"{c.name} ({c.code})",
            [(t.id, t.names.en) for t in c.qualification_types],
        )
        for c in groups
    ]


def preview(
    credential: Mapping[str, Any],
    receiving_country: str,
    report: VerificationReport,
    *,
    purpose: str | None = None,
    required_field: str | None = None,
) -> dict[str, Any] | None:
    """:func:`compare`'s assessment for showing on a page (nothing is stored); None unless
    the diploma verified ``valid`` (a comparison presents the diploma's content as fact), for
    an unknown country or a purpose/field outside the vocabularies."""
    try:
        assessment = compare(
            receiving_country,
            credential=credential,
            report=report,
            purpose=purpose,
            required_field=required_field,
        ).assessment
    except (InvalidInput, NotVerified, ValueError, LookupError):
        return None
    return with_names(assessment)


def with_names(assessment: dict[str, Any]) -> dict[str, Any]:
    """The assessment with the English names of the comparable types (for pages)."""
    registry = load_registry()
    comparable = assessment.get("comparable_type")
    if isinstance(comparable, str) and registry.has_type(comparable):
        assessment["comparable_name"] = registry.qualification_type(comparable).names.en
    assessment["comparable_names"] = [
        registry.qualification_type(t).names.en
        for t in assessment.get("comparable_types") or ()
        if isinstance(t, str) and registry.has_type(t)
    ]
    return assessment
