"""OpenID for Verifiable Presentations 1.0: a verifier asks a wallet for a diploma.

``POST /v1/presentation-requests`` makes a request (DCQL: a diploma and the fields needed)
and returns the ``openid4vp://`` link to show as a QR code plus a secret handle;
``GET /v1/presentation-requests/{handle}`` reads its state and, once the wallet answered, the
verification report. The wallet fetches the signed Request Object at
``/oid4vp/requests/{id}`` and posts its ``vp_token`` to ``/oid4vp/responses`` (direct_post),
which answers in the OAuth error format of the specification.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from diploma_exchange.api.deps import ReadSessionDep, RemoteDep, SessionDep, SettingsDep
from diploma_exchange.api.limits import StrictJsonRoute
from diploma_exchange.errors import RateLimited
from diploma_exchange.services import presentations
from diploma_exchange.services.ratelimit import Limit, RateLimiter
from diploma_exchange.wallets import oid4vp
from diploma_exchange.wallets.errors import OAuthError

router = APIRouter(tags=["wallets"], route_class=StrictJsonRoute)
wallet_side = APIRouter(tags=["wallets"])

NO_STORE = {"Cache-Control": "no-store"}
CREATE_PER_CLIENT = Limit("oid4vp-request:client", 30, 60)
RESPOND_PER_CLIENT = Limit("oid4vp-response:client", 30, 60)
MAX_RESPONSE_BYTES = oid4vp.MAX_VP_TOKEN_BYTES + 4096


class PresentationRequestIn(BaseModel):
    """What the verifier needs to see."""

    model_config = ConfigDict(extra="forbid")

    fields: list[str] = Field(
        default_factory=lambda: list(oid4vp.DEFAULT_FIELDS),
        max_length=len(oid4vp.FIELDS),
        description="Fields of the diploma to ask for: " + ", ".join(oid4vp.FIELDS),
    )
    formats: list[str] = Field(
        default_factory=lambda: ["dc+sd-jwt", "ldp_vc"],
        max_length=2,
        description="Acceptable formats, preferred first: dc+sd-jwt, ldp_vc",
    )
    label: str = Field(default="", max_length=120, description="The verifier's own note")


class PresentationRequestOut(BaseModel):
    id: str
    handle: str = Field(description="Secret: reads the result (shown once)")
    request_uri: str = Field(alias="requestUri")
    authorization_request: str = Field(
        alias="authorizationRequest", description="openid4vp:// link to show as a QR code"
    )
    expires_at: str = Field(alias="expiresAt")

    model_config = ConfigDict(populate_by_name=True)


def _limit(request: Request, limit: Limit) -> None:
    limiter: RateLimiter = request.app.state.rate_limiter
    client = request.client.host if request.client else "unknown"
    limiter.check(limit, client, "too many presentation requests from here; try again soon")


@router.post(
    "/v1/presentation-requests",
    status_code=201,
    response_model=PresentationRequestOut,
    response_model_by_alias=True,
    operation_id="createPresentationRequest",
    summary="Ask a wallet for a diploma (OpenID4VP 1.0, DCQL)",
)
def create_presentation_request(
    body: PresentationRequestIn, request: Request, session: SessionDep, settings: SettingsDep
) -> PresentationRequestOut:
    _limit(request, CREATE_PER_CLIENT)
    made = presentations.create_request(
        session, settings, fields=body.fields, formats=body.formats, label=body.label
    )
    return PresentationRequestOut(
        id=made.record.id,
        handle=made.handle,
        request_uri=made.request_uri,
        authorization_request=made.authorization_request,
        expires_at=made.record.expires_at.isoformat(),
    )


@router.get(
    "/v1/presentation-requests/{handle}",
    operation_id="getPresentationRequest",
    summary="A presentation request's state and, once answered, the verification report",
)
def get_presentation_request(handle: str, session: ReadSessionDep) -> JSONResponse:
    return JSONResponse(presentations.result(session, handle), headers=NO_STORE)


@wallet_side.get(
    "/oid4vp/requests/{request_id}",
    summary="The signed Request Object (request_uri)",
    response_class=Response,
    responses={200: {"content": {"application/oauth-authz-req+jwt": {}}}},
)
def request_object(request_id: str, session: ReadSessionDep, settings: SettingsDep) -> Response:
    token = presentations.request_object(session, settings, request_id)
    return Response(token, media_type="application/oauth-authz-req+jwt", headers=NO_STORE)


async def _raw_body(request: Request) -> bytes:
    return await request.body()


@wallet_side.post(
    "/oid4vp/responses",
    summary="Response URI (direct_post) for the wallet's vp_token",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "properties": {"vp_token": {"type": "string"}, "state": {"type": "string"}},
                    }
                }
            },
        }
    },
)
def direct_post(
    request: Request,
    body: Annotated[bytes, Depends(_raw_body)],
    session: SessionDep,
    settings: SettingsDep,
    remote: RemoteDep,
) -> Response:
    try:
        _limit(request, RESPOND_PER_CLIENT)
    except RateLimited as exc:
        return JSONResponse(
            {"error": "slow_down", "error_description": exc.message},
            status_code=429,
            headers=NO_STORE,
        )
    try:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            raise OAuthError("invalid_request", "post the response form-encoded (direct_post)")
        if len(body) > MAX_RESPONSE_BYTES:
            raise OAuthError("invalid_request", "the response is too large")
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError as exc:
            raise OAuthError("invalid_request", "the form is not UTF-8") from exc
        form: dict[str, Any] = {}
        for name, value in pairs:
            if name in form:
                raise OAuthError("invalid_request", f"{name} is repeated")
            form[name] = value
        answer = presentations.receive_response(session, settings, form, remote=remote)
    except OAuthError as exc:
        return JSONResponse(exc.body(), status_code=exc.status, headers=NO_STORE)
    return JSONResponse(answer, headers=NO_STORE)
