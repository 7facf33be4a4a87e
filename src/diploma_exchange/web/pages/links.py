"""Pages for verifiers who were given a share link: ``/s/<token>`` with its PIN, downloads and
recognition statement."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData

from diploma_exchange.api.deps import RemoteDep, SessionDep, SettingsDep
from diploma_exchange.api.problems import problem_for
from diploma_exchange.config import Settings
from diploma_exchange.db.models import ShareLinkRecord
from diploma_exchange.errors import (
    Error,
    Forbidden,
    Gone,
    NotFound,
    RateLimited,
)
from diploma_exchange.services import ratelimit, sharing, verification
from diploma_exchange.web.i18n import translate
from diploma_exchange.web.pages.recognition import statement_download
from diploma_exchange.web.pages.shared import (
    PIN_COOKIE,
    TOKEN,
    client_address,
    count_shared,
    credential_filename,
    download,
    error_page,
    error_text,
    pdf_response,
    pick_country,
    pick_field,
    pick_purpose,
    rate_limiter,
    read_form,
    report_json,
    secure_cookie,
    verification_context,
    viewer_country,
)
from diploma_exchange.web.rendering import (
    language,
    message_page,
    render,
    secure_headers,
    wants_json,
)

router = APIRouter(include_in_schema=False)


# --- verifiers: share links -------------------------------------------------------------


def _gone_page(request: Request, exc: Gone) -> Response:
    if wants_json(request):
        return problem_for(exc, request)
    lang = language(request)
    state = str(exc.extra.get("state", "expired"))
    return message_page(
        request,
        "gone.title",
        [translate(f"gone.{state}", lang), translate("gone.explain", lang)],
        status_code=410,
        back_href="/verify",
    )


def _open_link(
    request: Request, session: Session, settings: Settings, token: str
) -> tuple[ShareLinkRecord | None, Response | None]:
    """The active link for ``token``, or the response to send instead (404, 410, 429)."""
    try:
        rate_limiter(request).check(
            ratelimit.LINK_OPEN_PER_CLIENT, client_address(request), "too many requests from here"
        )
        if not TOKEN.match(token):
            raise NotFound("no such link", code="link-not-found")
        link = sharing.find_link(session, token)
    except NotFound as exc:
        if wants_json(request):
            return None, problem_for(exc, request)
        lang = language(request)
        return None, message_page(
            request,
            "http.404.title",
            [translate("notfound.link", lang)],
            status_code=404,
            back_href="/verify",
        )
    except Error as exc:
        return None, error_page(request, exc)
    try:
        sharing.require_active(link)
    except Gone as exc:
        sharing.record_event(session, link, "refused", country=viewer_country(request, settings))
        return None, _gone_page(request, exc)
    return link, None


def _pin_ok(request: Request, session: Session, link: ShareLinkRecord) -> bool:
    if link.pin_hash is None:
        return True
    viewer = sharing.find_session(
        session, request.cookies.get(PIN_COOKIE), kind="link", share_link_id=link.id
    )
    return viewer is not None


def _pin_page(
    request: Request,
    settings: Settings,
    link: ShareLinkRecord,
    token: str,
    *,
    error: str | None,
    status_code: int,
) -> Response:
    max_tries = sharing.link_policy(settings).max_failed_pins
    return render(
        request,
        "pin.html",
        status_code=status_code,
        action=f"/s/{token}/pin",
        error=error,
        lang_path=f"/s/{token}",
        tries_left=max(0, max_tries - link.failed_pin_attempts),
        max_tries=max_tries,
    )


def _try_header_pin(
    request: Request, session: Session, settings: Settings, link: ShareLinkRecord
) -> Response | None:
    """JSON clients may send the PIN in ``X-Link-PIN``; same limits as the form."""
    pin = request.headers.get("x-link-pin")
    if pin is None:
        return problem_for(
            Forbidden("this link needs its PIN (header X-Link-PIN)", code="pin-required"), request
        )
    try:
        _count_pin_attempt(request, link)
    except Error as exc:
        return problem_for(exc, request)
    if sharing.try_pin(
        session, settings, link, pin[:16], country=viewer_country(request, settings)
    ):
        return None
    return problem_for(Forbidden("wrong PIN", code="pin-wrong"), request)


def _count_pin_attempt(request: Request, link: ShareLinkRecord) -> None:
    limiter = rate_limiter(request)
    limiter.check(ratelimit.PIN_PER_LINK, link.id, "too many PIN attempts for this link")
    limiter.check(
        ratelimit.PIN_PER_CLIENT, client_address(request), "too many PIN attempts from here"
    )


@router.get("/s/{token}")
def share_link(
    request: Request,
    token: str,
    session: SessionDep,
    settings: SettingsDep,
    remote: RemoteDep,
) -> Response:
    link, refusal = _open_link(request, session, settings, token)
    if link is None:
        return refusal or error_page(request, NotFound("no such link"))
    if not _pin_ok(request, session, link):
        if wants_json(request):
            failure = _try_header_pin(request, session, settings, link)
            if failure is not None:
                return failure
        else:
            return _pin_page(request, settings, link, token, error=None, status_code=200)
    try:
        count_shared(request, ratelimit.verification_limits(settings), "verifications")
    except Error as exc:
        return error_page(request, exc)
    _, credential = sharing.credential_of(session, link.credential_id)
    report = verification.verify(session, settings, credential, remote=remote)
    sharing.record_event(session, link, "opened", country=viewer_country(request, settings))
    if wants_json(request):
        body = report_json(report, credential)
        body["link"] = {"expiresAt": link.expires_at.isoformat()}
        return secure_headers(JSONResponse(body))
    country = pick_country(request.query_params.get("country"))
    purpose = pick_purpose(request.query_params.get("purpose"))
    field = pick_field(request.query_params.get("field"))
    base = f"/s/{token}"
    context = verification_context(credential, report, country, request, purpose, field)
    return render(
        request,
        "verification.html",
        link_expires_at=link.expires_at if link.expires_at.year < 9999 else None,
        recognition_form_action=base,
        recognition_form_method="get",
        recognition_hidden=[],
        statement_form={
            "action": f"{base}/statement",
            "hidden": [("country", country), ("purpose", purpose or ""), ("field", field or "")],
        }
        if context["assessment"]
        else None,
        downloads=[
            {"href": f"{base}/credential.json", "label": "downloads.credential"},
            {"href": f"{base}/report.json", "label": "downloads.report"},
            {"href": f"{base}/diploma.pdf", "label": "downloads.pdf"},
        ],
        show_again=False,
        **context,
    )


@router.post("/s/{token}/pin")
def share_link_pin(
    request: Request,
    token: str,
    session: SessionDep,
    settings: SettingsDep,
    form: Annotated[FormData, read_form(max_fields=3, max_part_size=1024)],
) -> Response:
    link, refusal = _open_link(request, session, settings, token)
    if link is None:
        return refusal or error_page(request, NotFound("no such link"))
    pin = str(form.get("pin") or "")[:16]
    lang = language(request)
    try:
        _count_pin_attempt(request, link)
    except RateLimited as exc:
        return _pin_page(
            request, settings, link, token, error=error_text(exc, lang), status_code=429
        )
    viewer = sharing.try_pin(
        session, settings, link, pin, country=viewer_country(request, settings)
    )
    if viewer is None:
        if link.locked_at is not None:
            return _gone_page(
                request,
                Gone("locked", code="link-locked", extra={"state": "locked"}),
            )
        return _pin_page(
            request, settings, link, token, error=translate("pin.wrong", lang), status_code=403
        )
    response = RedirectResponse(f"/s/{token}", status_code=303)
    response.set_cookie(
        PIN_COOKIE,
        viewer,
        max_age=3600,
        path=f"/s/{token}",
        httponly=True,
        secure=secure_cookie(settings),
        samesite="lax",
    )
    return secure_headers(response)


def _gate(
    request: Request, session: Session, settings: Settings, token: str
) -> tuple[ShareLinkRecord | None, Response | None]:
    link, refusal = _open_link(request, session, settings, token)
    if link is None:
        return None, refusal
    if not _pin_ok(request, session, link):
        if wants_json(request) and request.headers.get("x-link-pin") is not None:
            failure = _try_header_pin(request, session, settings, link)
            if failure is None:
                return link, None
            return None, failure
        return None, secure_headers(RedirectResponse(f"/s/{token}", status_code=303))
    return link, None


@router.get("/s/{token}/credential.json")
def share_link_credential(
    request: Request, token: str, session: SessionDep, settings: SettingsDep
) -> Response:
    link, refusal = _gate(request, session, settings, token)
    if link is None:
        return refusal or error_page(request, NotFound("no such link"))
    record, credential = sharing.credential_of(session, link.credential_id)
    sharing.record_event(
        session, link, "downloaded-json", country=viewer_country(request, settings)
    )
    return download(
        record.document, credential_filename(credential, ".json"), "application/vc+ld+json"
    )


@router.get("/s/{token}/report.json")
def share_link_report(
    request: Request, token: str, session: SessionDep, settings: SettingsDep, remote: RemoteDep
) -> Response:
    link, refusal = _gate(request, session, settings, token)
    if link is None:
        return refusal or error_page(request, NotFound("no such link"))
    try:
        count_shared(request, ratelimit.verification_limits(settings), "verifications")
    except Error as exc:
        return error_page(request, exc)
    _, credential = sharing.credential_of(session, link.credential_id)
    report = verification.verify(session, settings, credential, remote=remote)
    sharing.record_event(
        session, link, "downloaded-report", country=viewer_country(request, settings)
    )
    body = json.dumps(report.to_json(), ensure_ascii=False, indent=2)
    return download(body, credential_filename(credential, "-report.json"), "application/json")


@router.get("/s/{token}/diploma.pdf")
def share_link_pdf(
    request: Request, token: str, session: SessionDep, settings: SettingsDep
) -> Response:
    link, refusal = _gate(request, session, settings, token)
    if link is None:
        return refusal or error_page(request, NotFound("no such link"))
    record, _ = sharing.credential_of(session, link.credential_id)
    sharing.record_event(session, link, "downloaded-pdf", country=viewer_country(request, settings))
    return pdf_response(session, settings, record, token)


@router.post("/s/{token}/statement")
def share_link_statement(
    request: Request,
    token: str,
    session: SessionDep,
    settings: SettingsDep,
    remote: RemoteDep,
    form: Annotated[FormData, read_form(max_fields=5, max_part_size=1024)],
) -> Response:
    link, refusal = _gate(request, session, settings, token)
    if link is None:
        return refusal or error_page(request, NotFound("no such link"))
    _, credential = sharing.credential_of(session, link.credential_id)
    return statement_download(request, session, settings, remote, credential, form)
