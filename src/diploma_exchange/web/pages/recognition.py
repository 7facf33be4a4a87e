"""Recognition on the pages: signed comparability statements for a verified diploma and the
advisory comparison of a qualification described by hand (``/compare``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import FormData

from diploma_exchange.api.deps import SettingsDep
from diploma_exchange.config import Settings
from diploma_exchange.documents.view import diploma_view
from diploma_exchange.errors import (
    Error,
    InvalidInput,
)
from diploma_exchange.recognition import frameworks as recognition_frameworks
from diploma_exchange.recognition import inputs as recognition_inputs
from diploma_exchange.services import ratelimit, recognition, verification
from diploma_exchange.web.pages.shared import (
    count_shared,
    download,
    error_page,
    error_text,
    pick_country,
    pick_field,
    pick_purpose,
    recognition_vocabulary,
    retry_headers,
    status_of,
)
from diploma_exchange.web.rendering import (
    language,
    render,
)

router = APIRouter(include_in_schema=False)


def statement_download(
    request: Request,
    session: Session,
    settings: Settings,
    remote: verification.RemoteLookups,
    credential: dict[str, Any],
    form: FormData,
) -> Response:
    code = pick_country(form.get("country"))
    try:
        count_shared(request, ratelimit.recognition_limits(settings), "recognition assessments")
        if code is None:
            raise InvalidInput("choose a receiving country", code="country-required")
        outcome = recognition.assess_and_issue(
            session,
            settings,
            receiving_country=code,
            credential=credential,
            purpose=pick_purpose(form.get("purpose")),
            required_field=pick_field(form.get("field")),
            remote=remote,
        )
    except Error as exc:
        return error_page(request, exc)
    body = json.dumps(outcome.statement, ensure_ascii=False, indent=2)
    return download(body, f"recognition-statement-{code}.json", "application/json")


# --- advisory comparison of a qualification described by hand ---------------------------

#: Form field -> the fact it gives (recognition.inputs.qualification_from_fields).
_COMPARE_FIELDS = {
    "awarding": "country",
    "type": "qualification_type",
    "isced_level": "isced_level",
    "isced_field": "isced_field",
    "nqf_level": "nqf_level",
    "credits": "credits",
    "credit_system": "credit_system",
    "length_years": "length_years",
    "award_date": "award_date",
    "institution_type": "institution_type",
    "institution_tier": "institution_tier",
    "prior_qualification": "prior_qualification",
    "completed": "completed",
}


@router.get("/compare")
def compare_form(request: Request, settings: SettingsDep) -> Response:
    """Compare a qualification described by hand (a paper diploma) with a receiving
    country's system: an advisory comparison of self-declared facts, never signed or stored.
    The same facts give the same outcome as the API and the CLI (services.recognition.compare)."""
    lang = language(request)
    params = request.query_params
    values = {k: str(params.get(k) or "").strip()[:80] for k in (*_COMPARE_FIELDS, "country")}
    purpose = pick_purpose(params.get("purpose"))
    field = pick_field(params.get("field"))
    assessment = None
    error = None
    status_code = 200
    headers = None
    if values["country"]:
        try:
            count_shared(request, ratelimit.recognition_limits(settings), "recognition assessments")
            qualification = recognition_inputs.qualification_from_fields(
                {fact: values[name] for name, fact in _COMPARE_FIELDS.items()}
            )
            outcome = recognition.compare(
                values["country"],
                qualification=qualification,
                purpose=purpose,
                required_field=field,
            )
            assessment = recognition.with_names(outcome.assessment)
        except Error as exc:
            error, status_code, headers = (
                error_text(exc, lang),
                status_of(exc),
                retry_headers(exc),
            )
    return render(
        request,
        "compare.html",
        status_code=status_code,
        headers=headers,
        private=False,
        error=error,
        values=values,
        assessment=assessment,
        countries=recognition.receiving_countries(),
        type_groups=recognition.type_choices(),
        institution_types=recognition_frameworks.INSTITUTION_TYPES,
        **recognition_vocabulary(request, purpose, field),
    )


def statement_page(
    request: Request,
    statement: dict[str, Any],
    decisions: Sequence[Any],
    diploma: dict[str, Any] | None,
) -> Response:
    """A signed recognition statement as a page in the reader's language, naming the graduate
    when the diploma was issued here (``GET /v1/recognition/assessments/{id}`` for browsers)."""
    return render(
        request,
        "statement.html",
        private=False,
        statement=statement,
        decisions=list(decisions),
        view=diploma_view(diploma) if diploma is not None else None,
        **recognition_vocabulary(request, None, None),
    )
