"""VC-API exchanges (W3C CCG VC-API §Exchanges), the protocol of the Learner Credential
Wallet: ``/workflows/{workflowId}/exchanges`` and ``/workflows/{workflowId}/exchanges/{id}``.

Workflows: ``diploma-issuance`` (an institution's API key; graduates use their page) and
``diploma-verification`` (anyone, rate limited). The exchange URL is what a wallet gets
(QR code, LCW link); the secret ``handle`` returned at creation reads the exchange's state
(``Authorization: Bearer <handle>``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Security
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, ConfigDict, Field

from diploma_exchange.api.deps import ReadSessionDep, RemoteDep, SessionDep, SettingsDep, bearer
from diploma_exchange.api.limits import StrictJsonRoute
from diploma_exchange.api.problem_docs import problem_responses
from diploma_exchange.api.problems import problem_for
from diploma_exchange.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound
from diploma_exchange.services import exchanges, institutions
from diploma_exchange.services.ratelimit import Limit, RateLimiter
from diploma_exchange.wallets import vcapi_exchange as vx

router = APIRouter(tags=["wallets"], route_class=StrictJsonRoute)

NO_STORE = {"Cache-Control": "no-store"}
CREATE_PER_CLIENT = Limit("vcapi-exchange:client", 30, 60)
PARTICIPATE_PER_CLIENT = Limit("vcapi-participate:client", 60, 60)


class ExchangeVariables(BaseModel):
    """Template variables of the exchange."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    credential_id: str | None = Field(
        default=None,
        alias="credentialId",
        max_length=255,
        description="diploma-issuance: the id of the diploma to issue (yours)",
    )
    label: str = Field(
        default="",
        max_length=vx.MAX_LABEL,
        description="diploma-verification: why you ask (shown to the wallet's holder)",
    )


class CreateExchangeRequest(BaseModel):
    """VC-API CreateExchangeRequest."""

    model_config = ConfigDict(extra="forbid")

    expires: datetime | None = Field(
        default=None, description="When the exchange expires (at most one day from now)"
    )
    variables: ExchangeVariables = Field(default_factory=ExchangeVariables)


def _limit(request: Request, limit: Limit) -> None:
    limiter: RateLimiter = request.app.state.rate_limiter
    client = request.client.host if request.client else "unknown"
    limiter.check(limit, client, "too many exchange requests from here; try again soon")


@router.post(
    "/workflows/{workflow_id}/exchanges",
    status_code=201,
    operation_id="createExchange",
    summary="Create a VC-API exchange (diploma-issuance: institutions; diploma-verification: "
    "anyone)",
    responses={
        201: {
            "description": "Exchange created; `Location` is the exchange URL, the body has the "
            "wallet links (`walletUrl` for the Learner Credential Wallet), the presentation "
            "request and the secret `handle`"
        },
        **problem_responses(401, 403, 404, 409),
    },
)
def create_exchange(
    workflow_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    body: Annotated[CreateExchangeRequest | None, Body()] = None,
) -> JSONResponse:
    """Create an exchange of the workflow. `diploma-issuance` needs an institution's API key
    and `variables.credentialId` (one of its diplomas); `diploma-verification` asks a wallet
    for a diploma, with an optional `variables.label`."""
    body = body or CreateExchangeRequest()
    if workflow_id not in vx.WORKFLOWS:
        raise NotFound(
            f"no workflow {workflow_id[:64]!r}; use {' or '.join(vx.WORKFLOWS)}",
            code="workflow-not-found",
        )
    if workflow_id == vx.WORKFLOW_ISSUANCE:
        if credentials is None:
            raise NotAuthenticated(
                "send an institution's API key as `Authorization: Bearer dx_...`"
            )
        principal = institutions.authenticate(session, credentials.credentials)
        if principal.institution is None:
            raise Forbidden("this workflow needs an institution's API key")
        if not body.variables.credential_id:
            raise InvalidInput(
                "variables.credentialId names the diploma to issue",
                pointer="/variables/credentialId",
                code="exchange-credential-id",
            )
        made = exchanges.create_issuance(
            session,
            settings,
            credential_id=body.variables.credential_id,
            institution=principal.institution,
            expires=body.expires,
        )
    else:
        _limit(request, CREATE_PER_CLIENT)
        if body.variables.credential_id:
            raise InvalidInput(
                "a verification exchange names no diploma",
                pointer="/variables/credentialId",
                code="exchange-body",
            )
        made = exchanges.create_verification(
            session, settings, label=body.variables.label, expires=body.expires
        )
    return JSONResponse(made.to_json(), status_code=201, headers={**NO_STORE, "Location": made.url})


@router.get(
    "/workflows/{workflow_id}/exchanges/{exchange_id}",
    operation_id="getExchangeState",
    summary="An exchange's state and result (its handle as Bearer), or with `iuv=1` its "
    "protocols (interaction URL)",
    responses=problem_responses(403, 404),
)
def get_exchange(
    workflow_id: str,
    exchange_id: str,
    session: ReadSessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    iuv: Annotated[str | None, Query(max_length=8, description="1: the protocols")] = None,
) -> JSONResponse:
    """With `iuv=1` (an interaction URL, as LCW reads it): `{protocols}`. Otherwise the VC-API
    GetExchangeResponse (`id`, `sequence`, `expires`, `step`, `state`, `variables`; the
    verification report under `variables.results`) for the exchange's owner."""
    if iuv is not None:
        return JSONResponse(
            exchanges.protocols(session, workflow_id, exchange_id, settings), headers=NO_STORE
        )
    handle = credentials.credentials if credentials is not None else ""
    return JSONResponse(
        exchanges.state(session, workflow_id, exchange_id, handle), headers=NO_STORE
    )


@router.get(
    "/workflows/{workflow_id}/exchanges/{exchange_id}/protocols",
    operation_id="getExchangeProtocols",
    summary="The protocols a wallet can use for this exchange",
    responses=problem_responses(404),
)
def get_protocols(
    workflow_id: str, exchange_id: str, session: ReadSessionDep, settings: SettingsDep
) -> JSONResponse:
    """`{"protocols": {"vcapi": <exchange URL>}}`."""
    return JSONResponse(
        exchanges.protocols(session, workflow_id, exchange_id, settings), headers=NO_STORE
    )


@router.post(
    "/workflows/{workflow_id}/exchanges/{exchange_id}",
    operation_id="participateInExchange",
    summary="Take part in an exchange (the wallet): `{}` gets the presentation request, "
    "`{verifiablePresentation}` answers it",
    responses=problem_responses(403, 404, 409, 410),
)
def participate(
    workflow_id: str,
    exchange_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    remote: RemoteDep,
    body: Annotated[dict[str, Any] | None, Body()] = None,
) -> JSONResponse:
    """VC-API participateInExchange. An empty body or `{}`: the Verifiable Presentation
    Request (DIDAuthentication, or QueryByExample for a diploma, with `challenge`, `domain`
    and `interact`). `{"verifiablePresentation": ...}` signed by the wallet's DID:
    diploma-issuance answers `{verifiablePresentation}` with the diploma bound to that DID;
    diploma-verification answers `{}` and keeps the report for the verifier. Single use."""
    _limit(request, PARTICIPATE_PER_CLIENT)
    try:
        answer = exchanges.participate(
            session, settings, workflow_id, exchange_id, body, remote=remote
        )
    except exchanges.ExchangeRefused as exc:
        # Returned, not raised: the exchange's new state (invalid) is committed.
        return problem_for(exc, request)
    return JSONResponse(answer, headers=NO_STORE)
