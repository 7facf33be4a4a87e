"""The graduate's wallet page (``/me/wallet``): make an OpenID4VCI credential offer of the
claimed diploma (QR code and ``openid-credential-offer://`` link, optional transaction code)
and see where the diploma was sent. Clients asking for JSON get the offer as JSON."""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from diploma_exchange.api.deps import SessionDep, SettingsDep
from diploma_exchange.api.problems import problem_for
from diploma_exchange.db.models import WebSessionRecord
from diploma_exchange.errors import Error, Forbidden, NotAuthenticated
from diploma_exchange.services import exchanges, sharing, wallets
from diploma_exchange.services.ratelimit import Limit, RateLimiter
from diploma_exchange.wallets import oid4vci
from diploma_exchange.wallets import vcapi_exchange as vx
from diploma_exchange.web.rendering import render, secure_headers, wants_json

router = APIRouter(include_in_schema=False)

#: The graduate's session cookie (set by the claim page, sent to /me paths only).
GRADUATE_COOKIE = "dx_grad"
OFFERS_PER_DIPLOMA = Limit("wallet-offer:diploma", 20, 3600)
_FORMATS = {"ldp_vc": oid4vci.CONFIG_LDP_VC, "dc+sd-jwt": oid4vci.CONFIG_SD_JWT_VC}


def _csrf_token(session_token: str) -> str:
    # The same token as the other graduate forms (bound to the session secret).
    return hmac.new(session_token.encode(), b"csrf:graduate", hashlib.sha256).hexdigest()


def _graduate(request: Request, session: Any) -> tuple[str, WebSessionRecord] | Response:
    token = request.cookies.get(GRADUATE_COOKIE) or ""
    try:
        return token, sharing.graduate_session(session, token)
    except NotAuthenticated as exc:
        if wants_json(request):
            return problem_for(exc, request)
        return secure_headers(RedirectResponse("/claim", status_code=303))


def _page(
    request: Request,
    session: Any,
    token: str,
    graduate: WebSessionRecord,
    offer: wallets.NewOffer | None = None,
    status_code: int = 200,
    exchange: exchanges.NewExchange | None = None,
) -> Response:
    return render(
        request,
        "wallet.html",
        status_code=status_code,
        csrf=_csrf_token(token),
        offer=offer,
        qr_data_uri=segno.make(offer.by_reference, error="m").png_data_uri(scale=5, border=4)
        if offer
        else None,
        issuances=wallets.issuances(session, graduate.credential_id),
        exchange=exchange.to_json() if exchange else None,
        exchange_expires=exchange.record.expires_at if exchange else None,
        exchange_qr=segno.make(vx.lcw_link(exchange.url), error="m").png_data_uri(scale=4, border=4)
        if exchange
        else None,
    )


@router.get("/me/wallet")
def wallet_page(request: Request, session: SessionDep) -> Response:
    access = _graduate(request, session)
    if isinstance(access, Response):
        return access
    token, graduate = access
    if wants_json(request):
        return secure_headers(
            JSONResponse(
                {
                    "issuances": [
                        {
                            "protocol": item.channel,
                            "format": item.format,
                            "configuration": item.configuration_id,
                            "holder": item.holder,
                            "issuedAt": item.issued_at.isoformat(),
                        }
                        for item in wallets.issuances(session, graduate.credential_id)
                    ]
                }
            )
        )
    return _page(request, session, token, graduate)


async def _offer_form(request: Request) -> dict[str, Any]:
    """The offer form, read on the event loop with small limits."""
    async with request.form(max_files=0, max_fields=8, max_part_size=1024) as form:
        return {
            "formats": [str(v) for v in form.getlist("format")],
            "csrf": form.get("csrf"),
            "tx_code": form.get("tx_code") == "1",
        }


@router.post("/me/wallet/offers")
def wallet_offer(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    form: Annotated[dict[str, Any], Depends(_offer_form)],
) -> Response:
    formats, csrf, tx_code = form["formats"], form["csrf"], form["tx_code"]
    access = _graduate(request, session)
    if isinstance(access, Response):
        return access
    token, graduate = access
    try:
        if not isinstance(csrf, str) or not hmac.compare_digest(_csrf_token(token), csrf):
            raise Forbidden(
                "the form is stale or came from another site; reload the page", code="csrf-failed"
            )
        limiter: RateLimiter = request.app.state.rate_limiter
        limiter.check(
            OFFERS_PER_DIPLOMA,
            graduate.credential_id,
            "too many wallet offers for this diploma; try again later",
        )
        offer = wallets.create_offer(
            session,
            settings,
            graduate,
            configuration_ids=[_FORMATS.get(f, f) for f in formats],
            with_tx_code=tx_code,
        )
    except Error as exc:
        return problem_for(exc, request)
    if wants_json(request):
        return secure_headers(
            JSONResponse(
                {
                    "credentialOffer": offer.offer,
                    "credentialOfferUri": offer.offer_uri,
                    "byReference": offer.by_reference,
                    "byValue": offer.by_value,
                    "txCode": offer.tx_code,
                    "expiresAt": offer.record.expires_at.isoformat(),
                },
                status_code=201,
            )
        )
    return _page(request, session, token, graduate, offer, status_code=201)


async def _csrf_form(request: Request) -> dict[str, Any]:
    async with request.form(max_files=0, max_fields=4, max_part_size=1024) as form:
        return {"csrf": form.get("csrf")}


@router.post("/me/wallet/exchanges")
def wallet_exchange(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    form: Annotated[dict[str, Any], Depends(_csrf_form)],
) -> Response:
    """A VC-API issuance exchange of the graduate's diploma (Learner Credential Wallet)."""
    access = _graduate(request, session)
    if isinstance(access, Response):
        return access
    token, graduate = access
    csrf = form["csrf"]
    try:
        if not isinstance(csrf, str) or not hmac.compare_digest(_csrf_token(token), csrf):
            raise Forbidden(
                "the form is stale or came from another site; reload the page", code="csrf-failed"
            )
        if graduate.kind != "graduate":
            raise Forbidden("only the graduate can send the diploma to a wallet")
        limiter: RateLimiter = request.app.state.rate_limiter
        limiter.check(
            OFFERS_PER_DIPLOMA,
            graduate.credential_id,
            "too many wallet offers for this diploma; try again later",
        )
        made = exchanges.create_issuance(
            session, settings, credential_id=graduate.credential_id, graduate=True
        )
    except Error as exc:
        return problem_for(exc, request)
    if wants_json(request):
        return secure_headers(JSONResponse(made.to_json(), status_code=201))
    return _page(request, session, token, graduate, status_code=201, exchange=made)
