"""The verifier's wallet page (``/verify/wallet``): ask a graduate's wallet for a diploma and
the fields needed (OpenID4VP, shown as a QR code), then read the verification report."""

from __future__ import annotations

from typing import Annotated, Any

import segno
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from diploma_exchange.api.deps import ReadSessionDep, SessionDep, SettingsDep
from diploma_exchange.api.problems import problem_for
from diploma_exchange.errors import Error
from diploma_exchange.services import exchanges, presentations
from diploma_exchange.services.ratelimit import Limit, RateLimiter
from diploma_exchange.wallets import oid4vp
from diploma_exchange.web.rendering import render

router = APIRouter(include_in_schema=False)
PAGE_PER_CLIENT = Limit("oid4vp-page:client", 30, 60)


def _page(request: Request, status_code: int = 200, **context: Any) -> Response:
    return render(
        request,
        "presentation.html",
        status_code=status_code,
        fields=list(oid4vp.FIELDS),
        defaults=oid4vp.DEFAULT_FIELDS,
        made=context.get("made"),
        seen=context.get("seen"),
        qr_data_uri=context.get("qr_data_uri"),
        lcw_made=context.get("lcw_made"),
        lcw_seen=context.get("lcw_seen"),
    )


@router.get("/verify/wallet")
def presentation_form(request: Request) -> Response:
    return _page(request)


async def _fields(request: Request) -> list[str]:
    async with request.form(max_files=0, max_fields=16, max_part_size=256) as form:
        return [str(v) for v in form.getlist("field")]


@router.post("/verify/wallet")
def presentation_create(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    fields: Annotated[list[str], Depends(_fields)],
) -> Response:
    try:
        limiter: RateLimiter = request.app.state.rate_limiter
        client = request.client.host if request.client else "unknown"
        limiter.check(PAGE_PER_CLIENT, client, "too many requests from here; try again soon")
        made = presentations.create_request(
            session, settings, fields=fields, formats=["dc+sd-jwt", "ldp_vc"]
        )
    except Error as exc:
        return problem_for(exc, request)
    qr = segno.make(made.authorization_request, error="m")
    return _page(
        request, status_code=201, made=made, qr_data_uri=qr.png_data_uri(scale=4, border=4)
    )


@router.get("/verify/wallet/{handle}")
def presentation_result(request: Request, handle: str, session: ReadSessionDep) -> Response:
    try:
        seen = presentations.result(session, handle)
    except Error as exc:
        return problem_for(exc, request)
    return _page(request, seen=seen)


@router.post("/verify/wallet/lcw")
def exchange_create(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """A VC-API verification exchange (Learner Credential Wallet), shown as a QR code."""
    try:
        limiter: RateLimiter = request.app.state.rate_limiter
        client = request.client.host if request.client else "unknown"
        limiter.check(PAGE_PER_CLIENT, client, "too many requests from here; try again soon")
        made = exchanges.create_verification(session, settings)
    except Error as exc:
        return problem_for(exc, request)
    shown = made.to_json()
    qr = segno.make(shown["walletUrl"], error="m")
    return _page(
        request, status_code=201, lcw_made=shown, qr_data_uri=qr.png_data_uri(scale=4, border=4)
    )


@router.get("/verify/wallet/lcw/{handle}")
def exchange_result(request: Request, handle: str, session: ReadSessionDep) -> Response:
    try:
        seen = exchanges.verification_by_handle(session, handle)
    except Error as exc:
        return problem_for(exc, request)
    return _page(request, lcw_seen=seen)
