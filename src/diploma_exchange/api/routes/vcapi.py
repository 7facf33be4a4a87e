"""W3C VC-API issuer and verifier endpoints (``/credentials/issue``, ``/credentials/verify``,
``/presentations/verify``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlmodel import Session

from diploma_exchange.api.deps import (
    InstitutionPrincipal,
    ReadSessionDep,
    RemoteDep,
    SessionDep,
    SettingsDep,
)
from diploma_exchange.api.limits import StrictJsonRoute
from diploma_exchange.api.problem_docs import PROBLEM_SCHEMA_REF, problem_responses
from diploma_exchange.api.problems import PROBLEM_BASE, PROBLEM_MEDIA_TYPE
from diploma_exchange.api.schemas import (
    IssueCredentialRequest,
    IssueCredentialResponse,
    VerificationReportPublic,
    VerifyCredentialRequest,
    VerifyCredentialResponse,
    VerifyPresentationRequest,
)
from diploma_exchange.config import Settings
from diploma_exchange.errors import InvalidInput
from diploma_exchange.services import issuance, verification
from diploma_exchange.services.verification import RemoteLookups
from diploma_exchange.verification import CheckStatus
from diploma_exchange.verification.report import select_policy
from diploma_exchange.verification.verifier import Expectations

router = APIRouter(prefix="/credentials", tags=["vc-api"], route_class=StrictJsonRoute)


@router.post(
    "/issue",
    status_code=201,
    response_model=IssueCredentialResponse,
    operation_id="issueCredential",
    responses={
        **problem_responses(409),
        400: {"description": "Invalid input"},
        422: {"description": "Not issuable"},
    },
)
def issue_credential(
    body: IssueCredentialRequest,
    session: SessionDep,
    settings: SettingsDep,
    principal: InstitutionPrincipal,
) -> IssueCredentialResponse:
    """Sign a complete diploma credential; its issuer must be the caller's own DID."""
    credential = dict(body.credential)
    if body.options and body.options.credential_id:
        if "id" in credential and credential["id"] != body.options.credential_id:
            raise InvalidInput(
                "options.credentialId differs from credential.id", pointer="/options/credentialId"
            )
        credential["id"] = body.options.credential_id
    batch = issuance.issue_credentials(
        session,
        settings,
        principal,
        [credential],
        pointer_prefix="/credential",
        index_pointers=False,
    )
    return IssueCredentialResponse(verifiable_credential=batch.credentials[0])


@router.post(
    "/verify",
    response_model=VerifyCredentialResponse,
    operation_id="verifyCredential",
    responses={
        400: {
            "description": "The credential did not verify (`verified: false`), as problem details",
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": PROBLEM_SCHEMA_REF}}},
        }
    },
)
def verify_credential(
    body: VerifyCredentialRequest,
    session: ReadSessionDep,
    settings: SettingsDep,
    remote: RemoteDep,
) -> VerifyCredentialResponse | JSONResponse:
    """Verify a credential in any supported format (a JSON object, an
    EnvelopedVerifiableCredential, or a compact JWT/SD-JWT string); 200 with `verified: true`
    only when every check passed."""
    options = body.options.model_dump(by_alias=True) if body.options else {}
    return _verify(body.verifiable_credential, options, session, settings, remote)


presentations = APIRouter(prefix="/presentations", tags=["vc-api"], route_class=StrictJsonRoute)


@presentations.post(
    "/verify",
    response_model=VerifyCredentialResponse,
    operation_id="verifyPresentation",
    responses={
        400: {
            "description": "The presentation did not verify (`verified: false`), as problem "
            "details",
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": PROBLEM_SCHEMA_REF}}},
        }
    },
)
def verify_presentation(
    body: VerifyPresentationRequest,
    session: ReadSessionDep,
    settings: SettingsDep,
    remote: RemoteDep,
) -> VerifyCredentialResponse | JSONResponse:
    """Verify a presentation (Data Integrity, JWT or SD-JWT with key binding) and every
    credential inside; `options.challenge` and `options.domain` must match when given."""
    options = body.options.model_dump(by_alias=True) if body.options else {}
    return _verify(body.verifiable_presentation, options, session, settings, remote)


def _option(options: dict[str, Any], name: str) -> str | None:
    value = options.get(name)
    if value is not None and (not isinstance(value, str) or len(value) > 2048):
        raise InvalidInput(
            f"options.{name} must be a string of at most 2048 characters",
            pointer=f"/options/{name}",
        )
    return value


def _verify(
    credential: dict[str, Any] | str,
    options: dict[str, Any],
    session: Session,
    settings: Settings,
    remote: RemoteLookups,
) -> VerifyCredentialResponse | JSONResponse:
    checks_option = options.get("checks")
    if checks_option is not None and (
        not isinstance(checks_option, list) or not all(isinstance(c, str) for c in checks_option)
    ):
        raise InvalidInput(
            "options.checks must be a list of check names", pointer="/options/checks"
        )
    policy_option = options.get("policy")
    if policy_option is not None and not isinstance(policy_option, str):
        raise InvalidInput("options.policy must be a string", pointer="/options/policy")
    try:
        policy = select_policy(policy_option, checks_option)
    except ValueError as exc:
        raise InvalidInput(
            str(exc),
            pointer="/options/checks" if checks_option is not None else "/options/policy",
            code="unknown-policy",
        ) from exc
    expect = Expectations(audience=_option(options, "domain"), nonce=_option(options, "challenge"))
    received: dict[str, Any] | bytes = (
        credential.encode("utf-8") if isinstance(credential, str) else credential
    )
    report = verification.verify(
        session, settings, received, remote=remote, policy=policy, expect=expect
    )
    report_json = report.to_json()
    checks = [c.name.value for c in report.checks if c.status is CheckStatus.PASSED]
    errors = [
        {"type": PROBLEM_BASE + c.code, "title": c.name.value, "detail": c.message}
        for c in report.checks
        if c.status in (CheckStatus.FAILED, CheckStatus.ERROR)
    ]
    if report.valid:
        return VerifyCredentialResponse(
            verified=True,
            checks=checks,
            warnings=[],
            errors=[],
            report=VerificationReportPublic.model_validate(report_json),
        )
    code = "credential-invalid" if report.verdict.value == "invalid" else "credential-indeterminate"
    return JSONResponse(
        {
            "type": PROBLEM_BASE + code,
            "title": "The credential did not verify",
            "status": 400,
            "detail": f"verdict: {report.verdict.value}; "
            + "; ".join(f"{e['title']}: {e['detail']}" for e in errors),
            "code": code,
            "verified": False,
            "checks": checks,
            "warnings": [],
            "errors": errors,
            "report": report_json,
        },
        status_code=400,
        media_type=PROBLEM_MEDIA_TYPE,
    )
