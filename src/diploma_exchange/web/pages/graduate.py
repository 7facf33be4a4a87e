"""Pages for graduates: the home page, claiming a diploma, the private page ``/me`` with its
downloads and verification links."""

from __future__ import annotations

import json
from typing import Annotated

import segno
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData

from diploma_exchange.api.deps import SessionDep, SettingsDep
from diploma_exchange.api.problems import problem_for
from diploma_exchange.config import Settings
from diploma_exchange.db.models import WebSessionRecord
from diploma_exchange.documents.view import diploma_view
from diploma_exchange.errors import (
    Error,
    Gone,
    InvalidInput,
    NotAuthenticated,
    NotFound,
)
from diploma_exchange.services import documents, ratelimit, sharing, wallets
from diploma_exchange.services.enveloped_issuance import issued_credential
from diploma_exchange.web.pages.shared import (
    GRADUATE_COOKIE,
    LINK_DAY_CHOICES,
    TOKEN,
    SmallForm,
    check_csrf,
    client_address,
    credential_filename,
    csrf_token,
    download,
    error_page,
    error_text,
    pdf_response,
    rate_limiter,
    read_form,
    retry_headers,
    secure_cookie,
    status_of,
)
from diploma_exchange.web.rendering import (
    language,
    render,
    secure_headers,
    wants_json,
)

router = APIRouter(include_in_schema=False)

#: The page that shows a new link once, and the cookie that carries its token there.
NEW_LINK_PATH = "/me/links/new"
NEW_LINK_COOKIE = "dx_new_link"
NEW_LINK_SECONDS = 900


# --- home -------------------------------------------------------------------------------


@router.get("/")
def home(request: Request) -> Response:
    return render(request, "home.html", private=False)


# --- graduates: claim -------------------------------------------------------------------


@router.get("/claim")
def claim_form(request: Request) -> Response:
    return render(request, "claim.html", code="", error=None)


@router.get("/claim/{code}")
def claim_form_prefilled(request: Request, code: str) -> Response:
    # Never claim on GET: mail scanners and link previews open URLs by themselves.
    return render(request, "claim.html", code=code[:64], error=None)


@router.post("/claim")
def claim_submit(
    request: Request, session: SessionDep, settings: SettingsDep, form: SmallForm
) -> Response:
    code = str(form.get("code") or "")[:64]
    try:
        limiter = rate_limiter(request)
        limiter.check(
            ratelimit.CLAIM_PER_CLIENT, client_address(request), "too many claim attempts from here"
        )
        limiter.check(ratelimit.CLAIM_GLOBAL, "all", "too many claim attempts; try again soon")
        token, _ = sharing.claim(session, settings, code)
    except Error as exc:
        if wants_json(request):
            return problem_for(exc, request)
        return render(
            request,
            "claim.html",
            status_code=status_of(exc),
            headers=retry_headers(exc),
            code=code,
            error=error_text(exc, language(request)),
        )
    response = RedirectResponse("/me", status_code=303)
    response.set_cookie(
        GRADUATE_COOKIE,
        token,
        max_age=settings.graduate_session_days * 24 * 3600,
        path="/me",
        httponly=True,
        secure=secure_cookie(settings),
        samesite="strict",
    )
    return secure_headers(response)


# --- graduates: private page ------------------------------------------------------------


def _graduate(request: Request, session: Session) -> tuple[str, WebSessionRecord]:
    token = request.cookies.get(GRADUATE_COOKIE) or ""
    return token, sharing.graduate_session(session, token)


def _to_claim(request: Request) -> Response:
    if wants_json(request):
        return problem_for(
            NotAuthenticated(
                "sign in with the claim code from your university",
                code="graduate-session-required",
            ),
            request,
        )
    return secure_headers(RedirectResponse("/claim", status_code=303))


def _signed_in(
    request: Request, session: Session, form: FormData | None = None
) -> tuple[str, WebSessionRecord] | Response:
    """The graduate's session token and record, after the form's CSRF token when ``form`` is
    given; or the response to send instead (to the claim page, or the error page)."""
    try:
        token, graduate = _graduate(request, session)
    except NotAuthenticated:
        return _to_claim(request)
    if form is not None:
        try:
            check_csrf(token, form.get("csrf"))
        except Error as exc:
            return error_page(request, exc)
    return token, graduate


def _me_page(
    request: Request,
    session: Session,
    settings: Settings,
    token: str,
    graduate: WebSessionRecord,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    record, credential = sharing.credential_of(session, graduate.credential_id)
    return render(
        request,
        "me.html",
        status_code=status_code,
        lang_path="/me",
        view=diploma_view(issued_credential(credential)),
        diploma_state=record.state
        if record.state in ("active", "suspended", "revoked")
        else "active",
        links=sharing.list_links(session, graduate),
        wallet_deliveries=wallets.issuances(session, graduate.credential_id),
        csrf=csrf_token(token),
        day_choices=[d for d in LINK_DAY_CHOICES if d <= settings.share_link_max_days],
        default_days=settings.share_link_default_days,
        error=error,
    )


@router.get("/me")
def me(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    access = _signed_in(request, session)
    if isinstance(access, Response):
        return access
    token, graduate = access
    if wants_json(request):
        links = sharing.list_links(session, graduate)
        _, credential = sharing.credential_of(session, graduate.credential_id)
        return secure_headers(
            JSONResponse(
                {
                    "credential": credential,
                    "links": [
                        {
                            "id": link.record.id,
                            "label": link.record.label,
                            "purpose": link.record.purpose,
                            "state": link.state.value,
                            "createdAt": link.record.created_at.isoformat(),
                            "expiresAt": link.record.expires_at.isoformat(),
                            "pin": link.record.pin_hash is not None,
                            "events": [
                                {"event": e.event, "at": e.at.isoformat(), "country": e.country}
                                for e in link.events
                            ],
                        }
                        for link in links
                    ],
                    "walletDeliveries": [
                        {
                            "issuedAt": item.issued_at.isoformat(),
                            "protocol": item.channel,
                            "format": item.format,
                            "holder": item.holder,
                        }
                        for item in wallets.issuances(session, graduate.credential_id)
                    ],
                }
            )
        )
    response = _me_page(request, session, settings, token, graduate)
    # (Always: the cookie is scoped to its page, so /me cannot see whether it is there.)
    response.delete_cookie(NEW_LINK_COOKIE, path=NEW_LINK_PATH)
    return response


@router.get("/me/credential.json")
def me_credential(request: Request, session: SessionDep) -> Response:
    access = _signed_in(request, session)
    if isinstance(access, Response):
        return access
    _, graduate = access
    record, credential = sharing.credential_of(session, graduate.credential_id)
    return download(
        record.document, credential_filename(credential, ".json"), "application/vc+ld+json"
    )


@router.get("/me/diploma.log.json")
def me_log_bundle(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The diploma's transparency log evidence, to keep beside the credential JSON."""
    access = _signed_in(request, session)
    if isinstance(access, Response):
        return access
    _, graduate = access
    record, credential = sharing.credential_of(session, graduate.credential_id)
    try:
        bundle = documents.log_bundle(session, settings, record)
    except Error as exc:
        return error_page(request, exc)
    body = json.dumps(bundle, indent=2) + "\n"
    return download(body, credential_filename(credential, ".log.json"), "application/json")


@router.post("/me/diploma.pdf")
def me_pdf(
    request: Request, session: SessionDep, settings: SettingsDep, form: SmallForm
) -> Response:
    access = _signed_in(request, session, form)
    if isinstance(access, Response):
        return access
    _, graduate = access
    record, _ = sharing.credential_of(session, graduate.credential_id)
    link_token: str | None
    try:
        link_token, _ = sharing.diploma_link(session, settings, graduate)
    except Gone:
        link_token = None  # an expired diploma: its PDF names the credential id, no QR code
    except Error as exc:
        return error_page(request, exc)
    return pdf_response(session, settings, record, link_token)


@router.post("/me/links")
def me_create_link(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    form: Annotated[FormData, read_form(max_fields=8)],
) -> Response:
    access = _signed_in(request, session)
    if isinstance(access, Response):
        return access
    token, graduate = access
    try:
        check_csrf(token, form.get("csrf"))
        days_raw = str(form.get("days") or "").strip()
        try:
            days = int(days_raw) if days_raw else None
        except ValueError as exc:
            raise InvalidInput(
                "choose how many days the link lasts", code="link-expiry-out-of-range"
            ) from exc
        pin = str(form.get("pin") or "").strip() or None
        link_token, link = sharing.create_link(
            session,
            settings,
            graduate,
            label=str(form.get("label") or ""),
            days=days,
            pin=pin,
        )
    except Error as exc:
        if wants_json(request):
            return problem_for(exc, request)
        return _me_page(
            request,
            session,
            settings,
            token,
            graduate,
            error=error_text(exc, language(request)),
            status_code=status_of(exc),
        )
    url = sharing.share_url(settings, link_token)
    if wants_json(request):
        return secure_headers(
            JSONResponse(
                {"id": link.id, "url": url, "expiresAt": link.expires_at.isoformat()},
                status_code=201,
            )
        )
    # Post/redirect/get: the page that shows the new link once is a GET, so reloading it or
    # switching its language neither re-posts the form nor loses the link. The token rides in
    # a short-lived cookie scoped to that page, cleared as soon as the graduate is back on /me.
    response = RedirectResponse(NEW_LINK_PATH, status_code=303)
    response.set_cookie(
        NEW_LINK_COOKIE,
        link_token,
        max_age=NEW_LINK_SECONDS,
        path=NEW_LINK_PATH,
        httponly=True,
        secure=secure_cookie(settings),
        samesite="strict",
    )
    return secure_headers(response)


@router.get(NEW_LINK_PATH)
def me_link_created(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The link just created, shown until the graduate goes back to ``/me``."""
    access = _signed_in(request, session)
    if isinstance(access, Response):
        return access
    token, graduate = access
    link_token = request.cookies.get(NEW_LINK_COOKIE) or ""
    try:
        if not TOKEN.match(link_token):
            raise NotFound("no new link to show", code="link-not-found")
        link = sharing.find_link(session, link_token)
        if link.credential_id != graduate.credential_id:
            raise NotFound("no such link", code="link-not-found")
        sharing.require_active(link)
    except Error:
        return secure_headers(RedirectResponse("/me", status_code=303))
    url = sharing.share_url(settings, link_token)
    qr = segno.make(url, error="m", micro=False)
    return render(
        request,
        "link_created.html",
        url=url,
        token=link_token,
        label=link.label,
        expires_at=link.expires_at,
        has_pin=link.pin_hash is not None,
        qr_data_uri=qr.png_data_uri(scale=6, border=4),
        csrf=csrf_token(token),
    )


@router.post("/me/links/pdf")
def me_link_pdf(
    request: Request, session: SessionDep, settings: SettingsDep, form: SmallForm
) -> Response:
    access = _signed_in(request, session, form)
    if isinstance(access, Response):
        return access
    _, graduate = access
    try:
        link_token = str(form.get("token") or "")
        link = sharing.find_link(session, link_token)
        if link.credential_id != graduate.credential_id:
            raise NotFound("no such link", code="link-not-found")
        sharing.require_active(link)
    except Error as exc:
        return error_page(request, exc)
    record, _ = sharing.credential_of(session, graduate.credential_id)
    return pdf_response(session, settings, record, link_token)


@router.post("/me/links/{link_id}/revoke")
def me_revoke_link(
    request: Request, session: SessionDep, link_id: str, form: SmallForm
) -> Response:
    access = _signed_in(request, session, form)
    if isinstance(access, Response):
        return access
    _, graduate = access
    try:
        link = sharing.revoke_link(session, graduate, link_id[:64])
    except Error as exc:
        return error_page(request, exc)
    if wants_json(request):
        return secure_headers(JSONResponse({"id": link.id, "state": "revoked"}))
    return secure_headers(RedirectResponse("/me", status_code=303))


@router.post("/me/logout")
def me_logout(request: Request, session: SessionDep, form: SmallForm) -> Response:
    access = _signed_in(request, session, form)
    if isinstance(access, Response):
        return access
    _, graduate = access
    sharing.sign_out(session, graduate, everywhere=bool(form.get("everywhere")))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(GRADUATE_COOKIE, path="/me")
    return secure_headers(response)
