"""W3C VC-API issuer and verifier endpoints (``/credentials/issue``, ``/credentials/verify``)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

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
)
from diploma_exchange.errors import InvalidInput
from diploma_exchange.services import issuance, verification
from diploma_exchange.verification import CheckStatus
from diploma_exchange.verification.report import select_policy

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
    """Verify a credential; 200 with `verified: true` only when every check passed."""
    options = body.options.model_dump(by_alias=True) if body.options else {}
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
    report = verification.verify(
        session, settings, body.verifiable_credential, remote=remote, policy=policy
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
