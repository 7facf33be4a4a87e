"""OpenID for Verifiable Credential Issuance 1.0: the endpoints a wallet talks to.

Metadata at the well-known locations (§12.2.2, RFC 8414), the offer behind a
``credential_offer_uri`` (§4.1.3), the token endpoint (§6, pre-authorized code), the nonce
endpoint (§7), the credential endpoint (§8) and the IETF status list tokens of SD-JWT VCs.
The token and credential endpoints answer errors in the OAuth format the specification
prescribes (``{"error": ..., "error_description": ...}``, RFC 6750 ``WWW-Authenticate``);
everything else answers problem+json like the rest of the API.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from diploma_exchange import strict_json
from diploma_exchange.api.deps import ReadSessionDep, SessionDep, SettingsDep
from diploma_exchange.errors import Error, RateLimited
from diploma_exchange.services import wallets
from diploma_exchange.services.ratelimit import Limit, RateLimiter
from diploma_exchange.wallets import oid4vci
from diploma_exchange.wallets.errors import OAuthError

router = APIRouter(tags=["wallets"])

NO_STORE = {"Cache-Control": "no-store"}
TOKEN_PER_CLIENT = Limit("oid4vci-token:client", 30, 60)
NONCE_PER_CLIENT = Limit("oid4vci-nonce:client", 60, 60)
CREDENTIAL_PER_CLIENT = Limit("oid4vci-credential:client", 30, 60)
MAX_FORM_BYTES = 4096
MAX_REQUEST_BYTES = 64 * 1024


async def _raw_body(request: Request) -> bytes:
    """The request body, read on the event loop (the handlers run in the thread pool); the
    body size middleware has already bounded it."""
    return await request.body()


RawBody = Annotated[bytes, Depends(_raw_body)]


def _oauth_error(exc: OAuthError) -> JSONResponse:
    headers = dict(NO_STORE)
    challenge = exc.www_authenticate()
    if challenge:
        headers["WWW-Authenticate"] = challenge
    return JSONResponse(exc.body(), status_code=exc.status, headers=headers)


def _limit(request: Request, limit: Limit) -> None:
    limiter: RateLimiter = request.app.state.rate_limiter
    client = request.client.host if request.client else "unknown"
    limiter.check(limit, client, "too many wallet requests from here; try again in a minute")


def _rate_limited(exc: RateLimited) -> JSONResponse:
    headers = dict(NO_STORE)
    retry = exc.extra.get("retryAfter") if isinstance(exc.extra, dict) else None
    if retry is not None:
        headers["Retry-After"] = str(retry)
    return JSONResponse(
        {"error": "slow_down", "error_description": exc.message}, status_code=429, headers=headers
    )


@router.get(
    "/.well-known/openid-credential-issuer",
    summary="OpenID4VCI Credential Issuer Metadata",
    response_description="The Credential Issuer Metadata (OpenID4VCI 1.0 §12.2).",
)
def credential_issuer_metadata(settings: SettingsDep) -> JSONResponse:
    return JSONResponse(wallets.issuer_metadata(settings))


@router.get(
    "/.well-known/oauth-authorization-server",
    summary="OAuth 2.0 Authorization Server Metadata (RFC 8414) of the credential issuer",
)
def authorization_server_metadata(settings: SettingsDep) -> JSONResponse:
    return JSONResponse(oid4vci.authorization_server_metadata(wallets.endpoints(settings)))


@router.get(
    "/oid4vci/types/diploma",
    summary="SD-JWT VC Type Metadata of the diploma (its vct URL)",
)
def diploma_type_metadata(settings: SettingsDep) -> JSONResponse:
    return JSONResponse(oid4vci.sd_jwt_vc_type_metadata(wallets.endpoints(settings)))


@router.get(
    "/oid4vci/offers/{code}",
    summary="A credential offer by reference (credential_offer_uri)",
)
def credential_offer(code: str, session: ReadSessionDep, settings: SettingsDep) -> JSONResponse:
    return JSONResponse(wallets.offer_by_reference(session, settings, code), headers=NO_STORE)


@router.post(
    "/oid4vci/token",
    summary="Token endpoint (pre-authorized code grant)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "grant_type": {"type": "string"},
                            "pre-authorized_code": {"type": "string"},
                            "tx_code": {"type": "string"},
                        },
                        "required": ["grant_type", "pre-authorized_code"],
                    }
                }
            },
        }
    },
)
def token(request: Request, body: RawBody, session: SessionDep, settings: SettingsDep) -> Response:
    try:
        _limit(request, TOKEN_PER_CLIENT)
    except RateLimited as exc:
        return _rate_limited(exc)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded" or len(body) > MAX_FORM_BYTES:
        return _oauth_error(
            OAuthError(
                "invalid_request",
                "send the token request as application/x-www-form-urlencoded (at most 4 KiB)",
            )
        )
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        return _oauth_error(OAuthError("invalid_request", "the form is not UTF-8"))
    names = [name for name, _ in pairs]
    if len(names) != len(set(names)):
        # RFC 6749 §3.2: request parameters must not be included more than once.
        return _oauth_error(OAuthError("invalid_request", "a parameter is repeated"))
    try:
        answer = wallets.exchange_code(session, settings, dict(pairs))
    except OAuthError as exc:
        return _oauth_error(exc)
    return JSONResponse(answer, headers=NO_STORE)


@router.post("/oid4vci/nonce", summary="Nonce endpoint (a fresh c_nonce)")
def nonce(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    try:
        _limit(request, NONCE_PER_CLIENT)
    except RateLimited as exc:
        return _rate_limited(exc)
    return JSONResponse({"c_nonce": wallets.new_nonce(session, settings)}, headers=NO_STORE)


@router.post(
    "/oid4vci/credential",
    summary="Credential endpoint (ldp_vc or dc+sd-jwt, bound to the wallet's key)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "credential_configuration_id": {
                                "type": "string",
                                "enum": list(oid4vci.CONFIGURATIONS),
                            },
                            "proofs": {
                                "type": "object",
                                "properties": {
                                    "jwt": {"type": "array", "items": {"type": "string"}}
                                },
                            },
                        },
                        "required": ["credential_configuration_id", "proofs"],
                    }
                }
            },
        }
    },
)
def credential(
    request: Request, body: RawBody, session: SessionDep, settings: SettingsDep
) -> Response:
    try:
        _limit(request, CREDENTIAL_PER_CLIENT)
    except RateLimited as exc:
        return _rate_limited(exc)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if content_type != "application/json":
            raise OAuthError(
                "invalid_credential_request", "send the credential request as application/json"
            )
        if len(body) > MAX_REQUEST_BYTES:
            raise OAuthError("invalid_credential_request", "the request is larger than 64 KiB")
        try:
            parsed: Any = strict_json.loads(
                body, max_bytes=MAX_REQUEST_BYTES, max_depth=settings.max_json_depth
            )
        except Error as exc:
            raise OAuthError("invalid_credential_request", exc.message) from exc
        answer = wallets.issue_credential(
            session, settings, request.headers.get("authorization"), parsed
        )
    except OAuthError as exc:
        return _oauth_error(exc)
    return JSONResponse(answer, headers=NO_STORE)


@router.get(
    "/oid4vci/status-lists/{list_id}",
    summary="IETF Token Status List of an institution's diplomas (for SD-JWT VCs)",
    response_class=Response,
    responses={200: {"content": {"application/statuslist+jwt": {}}}},
)
def status_list(list_id: str, session: ReadSessionDep, settings: SettingsDep) -> Response:
    token = wallets.status_token(session, settings, list_id)
    return Response(
        token,
        media_type="application/statuslist+jwt",
        headers={"Cache-Control": f"public, max-age={min(settings.status_list_ttl_seconds, 300)}"},
    )
