"""W3C VC-API issuer and verifier endpoints (``/credentials/issue``, ``/credentials/verify``,
``/presentations/verify``)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool
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
from diploma_exchange.credentials.open_badges import is_achievement_credential
from diploma_exchange.credentials.vc_data_model import version as vc_version
from diploma_exchange.db.models import InstitutionRecord
from diploma_exchange.errors import InvalidInput
from diploma_exchange.services import issuance, verification
from diploma_exchange.services import status as status_service
from diploma_exchange.services.verification import RemoteLookups
from diploma_exchange.verification import CheckStatus
from diploma_exchange.verification.report import (
    Check,
    CheckName,
    VerificationPolicy,
    select_policy,
)
from diploma_exchange.verification.verifier import Expectations

router = APIRouter(prefix="/credentials", tags=["vc-api"], route_class=StrictJsonRoute)

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=255,
        description="Makes a retry return the first response instead of issuing again.",
    ),
]


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
    idempotency_key: IdempotencyKey = None,
) -> IssueCredentialResponse:
    """Sign a complete diploma credential; an Open Badges 3.0 AchievementCredential (type
    `AchievementCredential` or `OpenBadgeCredential`: a certificate, micro-credential, course
    or transcript, validated against the 1EdTech JSON Schema; any accredited institution); or,
    when the NIC allows the institution to, any VC 2.0 credential whose terms the bundled
    contexts define (`issuer` a string or an object).
    The issuer must be the caller's own DID: its did:web, or its did:key (the active key's).
    `options.cryptosuite`: eddsa-jcs-2022, eddsa-rdfc-2022 (Ed25519 keys), ecdsa-rdfc-2019 or
    ecdsa-jcs-2019 (P-256/P-384 keys), ecdsa-sd-2023 (a base proof by a P-256 key, with
    `options.mandatoryPointers`); by default the issuing key's suite (eddsa-jcs-2022 or
    ecdsa-jcs-2019). `options.envelope: "application/vc+jwt"` secures it by VC-JOSE-COSE
    instead and returns an EnvelopedVerifiableCredential (`id`: `data:application/vc+jwt,<JWS>`).
    Status entries are added as for every diploma. With an Idempotency-Key,
    a retry of the same request returns the first credential instead of issuing again."""
    credential = dict(body.credential)
    institution = principal.institution
    profile = _profile(credential, institution)
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    did_key = isinstance(issuer_id, str) and issuer_id.startswith("did:key:")
    cryptosuite = body.options.cryptosuite if body.options else None
    if body.options and body.options.credential_id:
        if "id" in credential and credential["id"] != body.options.credential_id:
            raise InvalidInput(
                "options.credentialId differs from credential.id", pointer="/options/credentialId"
            )
        credential["id"] = body.options.credential_id
    digest = (
        None
        if idempotency_key is None
        else issuance.digest_of(
            {
                "credential": credential,
                "options": body.options.model_dump(mode="json") if body.options else None,
            }
        )
    )
    batch = issuance.issue_credentials(
        session,
        settings,
        principal,
        [credential],
        idempotency_key=idempotency_key,
        request_digest=digest,
        pointer_prefix="/credential",
        index_pointers=False,
        profile=profile,
        cryptosuite=cryptosuite,
        did_key=did_key,
        mandatory_pointers=body.options.mandatory_pointers if body.options else None,
        envelope=body.options.envelope if body.options else None,
    )
    return IssueCredentialResponse(verifiable_credential=batch.credentials[0])


def _profile(credential: dict[str, Any], institution: InstitutionRecord | None) -> str:
    """The issuance profile ``credential`` is checked against: the diploma's for a
    ``DiplomaCredential``; the Open Badges 3.0 profile for an AchievementCredential (a VC 1.1
    one only under the NIC's any-VC permission); else any VC when the NIC allows it."""
    types = credential.get("type")
    types = types if isinstance(types, list) else [types]
    any_vc = institution is not None and institution.may_issue_any_vc
    if "DiplomaCredential" in types:
        return issuance.PROFILE_DIPLOMA
    if is_achievement_credential(credential) and not (any_vc and vc_version(credential) == "1.1"):
        return issuance.PROFILE_OPEN_BADGE
    return issuance.PROFILE_VC if any_vc else issuance.PROFILE_DIPLOMA


@router.post(
    "/verify",
    response_model=VerifyCredentialResponse,
    operation_id="verifyCredential",
    responses={
        400: {
            "description": "The credential did not verify (`verified: false`, with the same "
            "`checks`, `warnings`, `errors` and `report` members, as problem details "
            "`credential-invalid` or `credential-indeterminate`), or a malformed request "
            "(bad `options`, an unknown check name)",
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
    EnvelopedVerifiableCredential, or a compact JWT/SD-JWT string). 200
    `{verified: true, checks, warnings, errors}` when every required check passed; otherwise
    400 with the same members (`verified: false`, the deciding checks in `errors`) as problem
    details (see docs/conformance.md). `options.checks` takes the VC-API names (`proof`,
    `credentialStatus`, `validFrom`, `validUntil`, `credentialSchema`, `issuer`) or this
    service's check names. Without checks or policy: proof, validity period and declared
    statuses are required, and the issuer's trust and accreditation are reported (as
    `warnings` when not established); `policy: "default"` or the `issuer` check require them."""
    options = body.options.model_dump(by_alias=True) if body.options else {}
    result, report_json = _verify(body.verifiable_credential, options, session, settings, remote)
    if result.verified:
        return result
    # VC-API verifyCredential: 200 is "Verifiable Credential successfully verified!", the
    # other answer is 400; the body is the same VerificationResult, as problem details.
    verdict = result.report.verdict
    code = "credential-invalid" if verdict == "invalid" else "credential-indeterminate"
    return JSONResponse(
        {
            "type": PROBLEM_BASE + code,
            "title": "The credential did not verify",
            "status": 400,
            "detail": f"verdict: {verdict}; "
            + "; ".join(f"{e['title']}: {e['detail']}" for e in result.errors),
            "code": code,
            **result.model_dump(mode="json", by_alias=True),
            "report": report_json,
        },
        status_code=400,
        media_type=PROBLEM_MEDIA_TYPE,
    )


presentations = APIRouter(prefix="/presentations", tags=["vc-api"], route_class=StrictJsonRoute)


@presentations.post(
    "/verify",
    response_model=VerifyCredentialResponse,
    operation_id="verifyPresentation",
    responses={
        400: {
            "description": "Malformed request (not a verification failure)",
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": PROBLEM_SCHEMA_REF}}},
        }
    },
)
def verify_presentation(
    body: VerifyPresentationRequest,
    session: ReadSessionDep,
    settings: SettingsDep,
    remote: RemoteDep,
) -> VerifyCredentialResponse:
    """Verify a presentation (Data Integrity, JWT or SD-JWT with key binding) and every
    credential inside; `options.challenge` and `options.domain` must match when given.
    As VC Data Model 2.0 allows, `holder` and `verifiableCredential` are optional: a
    presentation that names no holder is verified by its proof (purpose `authentication`,
    by an authentication method of the signer's DID), with a warning that no holder binding
    of its credentials was checked; one with no credential is a DID authentication.
    Answers 200 with `{verified, checks, warnings, errors}` whatever the verdict."""
    options = body.options.model_dump(by_alias=True) if body.options else {}
    return _verify(
        body.verifiable_presentation,
        options,
        session,
        settings,
        remote,
        "verifiablePresentation",
        optional_holder=True,
    )[0]


def _option(options: dict[str, Any], name: str) -> str | None:
    value = options.get(name)
    if value is not None and (not isinstance(value, str) or len(value) > 2048):
        raise InvalidInput(
            f"options.{name} must be a string of at most 2048 characters",
            pointer=f"/options/{name}",
        )
    return value


#: The VC-API check names (the result keys of the VC-API's VerificationResult: ``proof``,
#: ``credentialStatus``, ``validFrom``, ``validUntil``, ``credentialSchema``; ``issuer`` for
#: the trust and accreditation of the issuer; the VC 1.1 ``issuanceDate``/``expirationDate``)
#: mapped onto this service's named checks. The core (signature, key binding, coverage, key
#: validity, validity period) and the declared statuses are part of every policy anyway.
VCAPI_CHECKS: dict[str, tuple[CheckName, ...]] = {
    "proof": (
        CheckName.PROOF_SIGNATURE,
        CheckName.PROOF_KEY_BINDING,
        CheckName.PROOF_COVERAGE,
        CheckName.KEY_VALIDITY,
    ),
    "credentialStatus": (
        CheckName.STATUS_REVOCATION,
        CheckName.STATUS_SUSPENSION,
        CheckName.STATUS_OTHER,
    ),
    "validFrom": (CheckName.VALIDITY_PERIOD,),
    "validUntil": (CheckName.VALIDITY_PERIOD,),
    "issuanceDate": (CheckName.VALIDITY_PERIOD,),
    "expirationDate": (CheckName.VALIDITY_PERIOD,),
    "credentialSchema": (CheckName.FORMAT_SCHEMA,),
    "issuer": (CheckName.ISSUER_TRUST, CheckName.ISSUER_ACCREDITATION),
}


#: What ``verified`` means at the VC-API when the request names no checks and no policy: the
#: proof (signature, key binding, coverage, key validity), the validity period and every
#: declared status. Whether the issuer is trusted and accredited is a business rule of the
#: caller (VC-API: "Business rule validation ... is outside the scope of this verification
#: endpoint"); those checks still run and are reported, as ``warnings`` when they did not
#: pass. Ask for them with ``checks: [..., "issuer"]`` or ``policy: "default"``.
VCAPI_POLICY = VerificationPolicy(
    "vc-api",
    frozenset(),
    description="proof, key, validity period and declared statuses; the issuer's trust and "
    "accreditation are reported, not required",
)


def native_checks(names: list[str]) -> list[str]:
    """The service's check names for a list of VC-API and/or native names (unknown names are
    kept, for :func:`select_policy` to refuse with the known ones)."""
    out: list[str] = []
    for name in names:
        mapped = VCAPI_CHECKS.get(name)
        if mapped:
            out.extend(c.value for c in mapped)
        else:
            out.append(name)
    return list(dict.fromkeys(out))


def _problem(check: Check) -> dict[str, Any]:
    return {
        "type": PROBLEM_BASE + check.code,
        "title": check.name.value,
        "detail": check.message,
        "status": check.status.value,
    }


def _warns(check: Check, deciding: set[CheckName]) -> bool:
    """A check that did not decide the verdict but that a reader should know about: one that
    failed or errored outside the policy, or the issuer's trust or accreditation left
    unanswered."""
    if check.name in deciding:
        return False
    if check.status in (CheckStatus.FAILED, CheckStatus.ERROR):
        return True
    return (
        check.name in (CheckName.ISSUER_TRUST, CheckName.ISSUER_ACCREDITATION)
        and check.status is CheckStatus.SKIPPED
        and not check.waived
    )


def _verify(
    credential: dict[str, Any] | str,
    options: dict[str, Any],
    session: Session,
    settings: Settings,
    remote: RemoteLookups,
    field: str = "verifiableCredential",
    *,
    optional_holder: bool = False,
) -> tuple[VerifyCredentialResponse, dict[str, Any]]:
    checks_option = options.get("checks")
    if checks_option is not None and (
        not isinstance(checks_option, list)
        or not all(isinstance(c, str) for c in checks_option)
        or len(checks_option) > 64
    ):
        raise InvalidInput(
            "options.checks must be a list of check names", pointer="/options/checks"
        )
    policy_option = options.get("policy")
    if policy_option is not None and not isinstance(policy_option, str):
        raise InvalidInput("options.policy must be a string", pointer="/options/policy")
    try:
        policy = (
            VCAPI_POLICY
            if checks_option is None and policy_option is None
            else select_policy(
                policy_option, native_checks(checks_option) if checks_option is not None else None
            )
        )
    except ValueError as exc:
        raise InvalidInput(
            f"{exc}; VC-API names: {', '.join(VCAPI_CHECKS)}",
            pointer="/options/checks" if checks_option is not None else "/options/policy",
            code="unknown-policy",
        ) from exc
    if policy.name != "default" and CheckName.FORMAT_SCHEMA not in policy.required:
        # Whatever the checks asked for, a credential that breaks its data model's own MUSTs
        # (VC Data Model 2.0 §4: e.g. no credentialSubject, which a holder can leave out of an
        # ecdsa-sd-2023 disclosure) is not verified: format.schema counts whenever it runs,
        # against the data model alone (the diploma profile stays a business rule, asked for
        # with the default policy or by naming format.schema).
        policy = replace(
            policy,
            conditional=policy.conditional | {CheckName.FORMAT_SCHEMA},
            data_model_schema=True,
        )
    if optional_holder:
        # The VC-API verifyPresentation follows VC Data Model 2.0 §4.13, where ``holder`` and
        # ``verifiableCredential`` are optional (see VerificationPolicy); the exchanges and
        # /v1/verifications keep this service's rule that a diploma is presented by its holder.
        policy = replace(policy, require_holder=False, require_credentials=False)
    if isinstance(credential, str) and credential.lstrip()[:1] in ("{", "["):
        # A string is a compact JWT / SD-JWT / COSE envelope; a JSON text inside a string is
        # not a credential (VC Data Integrity: a secured document that is not a map is a
        # PARSING_ERROR).
        raise InvalidInput(
            "a credential given as a string must be a compact JWT or SD-JWT; send a JSON "
            "credential as an object",
            pointer=f"/{field}",
            code="not-a-map",
        )
    expect = Expectations(audience=_option(options, "domain"), nonce=_option(options, "challenge"))
    received: dict[str, Any] | bytes = (
        credential.encode("utf-8") if isinstance(credential, str) else credential
    )
    try:
        report = verification.verify(
            session, settings, received, remote=remote, policy=policy, expect=expect
        )
    except InvalidInput as exc:
        if exc.code == "malformed-envelope" and exc.pointer is not None:
            # where in the request: the envelope is the request's credential/presentation
            exc.pointer = f"/{field}{exc.pointer}"
        raise
    deciding = report.deciding()
    deciding_names = {c.name for c in deciding}
    if checks_option is not None:
        # The VC-API names asked for, each when every check it stands for that ran passed.
        ran = {c.name: c.status for c in report.checks}
        checks = [
            name
            for name in checks_option
            if not any(
                n in deciding_names or ran.get(n) in (CheckStatus.FAILED, CheckStatus.ERROR)
                for n in VCAPI_CHECKS.get(name) or (CheckName(name),)
            )
        ]
    else:
        checks = [c.name.value for c in report.checks if c.status is CheckStatus.PASSED]
    errors = [_problem(c) for c in deciding]
    if not report.valid and not errors:  # defensive: a false verdict always says why
        errors = [
            {
                "type": PROBLEM_BASE + "credential-" + report.verdict.value,
                "title": "verdict",
                "detail": f"verdict: {report.verdict.value}",
                "status": "failed",
            }
        ]
    # Checks outside the policy that did not pass (e.g. the issuer's trust and accreditation
    # when only ``proof`` was asked for) are reported, but do not decide.
    warnings = [_problem(c) for c in report.checks if _warns(c, deciding_names)]
    # Checks that passed with something a reader must know (a presentation naming no holder).
    warnings += [
        {
            "type": PROBLEM_BASE + c.code,
            "title": c.name.value,
            "detail": c.warning,
            "status": c.status.value,
        }
        for c in report.checks
        if c.warning and c.name not in deciding_names
    ]
    report_json = report.to_json()
    result = VerifyCredentialResponse(
        verified=report.valid,
        checks=checks,
        warnings=warnings,
        errors=errors,
        report=VerificationReportPublic.model_validate(report_json),
    )
    return result, report_json


class CredentialStatusEntry(BaseModel):
    """The status entry to update (VC-API UpdateCredentialStatusRequest.credentialStatus)."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, max_length=2048)
    type: str = Field(max_length=64)
    status_purpose: str | None = Field(default=None, alias="statusPurpose", max_length=32)
    status_list_index: str | int | None = Field(
        default=None, alias="statusListIndex", union_mode="left_to_right"
    )
    status_list_credential: str | None = Field(
        default=None, alias="statusListCredential", max_length=2048
    )
    #: the earlier VC-API form: ``credentialStatus: [{type, status}]``
    status: StrictBool | str | None = Field(default=None, union_mode="left_to_right")


class UpdateCredentialStatusRequest(BaseModel):
    """VC-API UpdateCredentialStatusRequest: `credentialId`, `credentialStatus` (the entry:
    `type`, `statusPurpose` revocation or suspension, optionally `statusListCredential` and
    `statusListIndex`, which must be the diploma's) and `status` (true sets the bit). The
    earlier form `credentialStatus: [{type, status}]` is accepted too (`status` "1"/true
    sets, "0"/false clears; `statusPurpose` defaults to revocation)."""

    model_config = ConfigDict(extra="forbid")

    credential_id: str = Field(alias="credentialId", min_length=1, max_length=255)
    credential_status: CredentialStatusEntry | list[CredentialStatusEntry] = Field(
        alias="credentialStatus"
    )
    status: StrictBool | None = None
    index_allocator: str | None = Field(default=None, alias="indexAllocator", max_length=2048)


class UpdateCredentialStatusResponse(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    credential_id: str = Field(alias="credentialId")
    state: str = Field(description="The diploma's state now: active, suspended or revoked")
    changed: bool = Field(description="False when the status already was as asked")


_LEGACY_SET = {"1": True, "0": False, "true": True, "false": False}


def _status_updates(body: UpdateCredentialStatusRequest) -> list[tuple[dict[str, Any], bool]]:
    if isinstance(body.credential_status, list):
        if body.status is not None or not 1 <= len(body.credential_status) <= 2:
            raise InvalidInput(
                "the list form of credentialStatus takes one or two {type, status} entries "
                "and no top-level status",
                pointer="/credentialStatus",
            )
        out = []
        for i, item in enumerate(body.credential_status):
            value = item.status
            flag = value if isinstance(value, bool) else _LEGACY_SET.get(str(value).lower())
            if flag is None:
                raise InvalidInput(
                    'status must be true/false or "1"/"0"', pointer=f"/credentialStatus/{i}/status"
                )
            entry = item.model_dump(by_alias=True, exclude_none=True, exclude={"status"})
            entry.setdefault("statusPurpose", "revocation")
            out.append((entry, flag))
        return out
    entry_model = body.credential_status
    if body.status is None or entry_model.status is not None:
        raise InvalidInput(
            "status (true or false) is required beside credentialStatus", pointer="/status"
        )
    if entry_model.status_purpose is None:
        raise InvalidInput(
            "credentialStatus.statusPurpose is required",
            pointer="/credentialStatus/statusPurpose",
        )
    return [(entry_model.model_dump(by_alias=True, exclude_none=True), body.status)]


@router.post(
    "/status",
    response_model=UpdateCredentialStatusResponse,
    response_model_by_alias=True,
    operation_id="updateCredentialStatus",
    responses=problem_responses(404, 409),
)
def update_credential_status(
    body: UpdateCredentialStatusRequest,
    session: SessionDep,
    settings: SettingsDep,
    principal: InstitutionPrincipal,
) -> UpdateCredentialStatusResponse:
    """Update the status of a diploma the caller issued (VC-API): revoke (revocation, true),
    suspend (suspension, true) or reinstate (suspension, false), through the same
    transactional, audited and logged path as the status endpoints of `/v1/diplomas`.
    Revocation is final; asking for the state the diploma is in changes nothing."""
    updates = _status_updates(body)
    update = status_service.StatusUpdate(body.credential_id, "", False)
    changed = False
    for entry, flag in updates:
        update = status_service.update_status_vcapi(
            session, settings, principal, body.credential_id, entry, flag
        )
        changed = changed or update.changed
    return UpdateCredentialStatusResponse(
        credential_id=update.credential_id, state=update.state, changed=changed
    )
