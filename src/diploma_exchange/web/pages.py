"""The browser front end: graduates claim diplomas and manage share links; verifiers open links
or upload a diploma (JSON, PDF, QR image, pasted JSON, link) and read the verification page.

Every page works without JavaScript. Share-link pages and uploads answer JSON to clients that
ask for it (``Accept: application/json``), with the same report as the API.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

import segno
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData

from diploma_exchange import strict_json
from diploma_exchange.api.deps import RemoteDep, SessionDep, SettingsDep
from diploma_exchange.api.problems import problem_for, status_for
from diploma_exchange.config import Settings
from diploma_exchange.db.models import CredentialRecord, ShareLinkRecord, WebSessionRecord
from diploma_exchange.documents.view import diploma_view
from diploma_exchange.errors import (
    Error,
    Forbidden,
    Gone,
    InvalidInput,
    LimitExceeded,
    NotAuthenticated,
    NotFound,
    RateLimited,
    ServiceUnavailable,
)
from diploma_exchange.recognition import frameworks as recognition_frameworks
from diploma_exchange.recognition import inputs as recognition_inputs
from diploma_exchange.recognition import messages as recognition_messages
from diploma_exchange.services import documents, ratelimit, recognition, sharing, verification
from diploma_exchange.services.ratelimit import Limit, RateLimiter
from diploma_exchange.verification import CheckName, VerificationReport
from diploma_exchange.web.i18n import translate
from diploma_exchange.web.rendering import (
    language,
    message_page,
    render,
    secure_headers,
    wants_json,
)

router = APIRouter(include_in_schema=False)

GRADUATE_COOKIE = "dx_grad"
PIN_COOKIE = "dx_pin"
LINK_DAY_CHOICES = (7, 30, 90, 180, 365)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,128}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


# --- helpers ----------------------------------------------------------------------------


def _form(max_files: int = 0, max_fields: int = 5, max_part_size: int | None = 4096) -> Any:
    """A dependency that reads the form on the event loop, so the handler itself can be a
    plain ``def`` and run in the thread pool: database and CPU work must never block the loop
    (a loop blocked on an exhausted connection pool can never return the connections)."""

    async def read(request: Request) -> FormData:
        settings: Settings = request.app.state.settings
        form = await request.form(
            max_files=max_files,
            max_fields=max_fields,
            max_part_size=max_part_size or settings.max_body_bytes,
        )
        for name, value in form.multi_items():
            # PostgreSQL text cannot hold NUL: refuse it here rather than fail at a query.
            if "\x00" in name or (isinstance(value, str) and "\x00" in value):
                raise InvalidInput(
                    f"the form field {name[:40]!r} holds a NUL character; remove it",
                    code="nul-character",
                )
        return form

    return Depends(read)


SmallForm = Annotated[FormData, _form()]


def _limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.rate_limiter
    return limiter


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _country(request: Request, settings: Settings) -> str | None:
    """The viewer's country from the trusted proxy's header, when configured."""
    if not settings.client_country_header:
        return None
    value = request.headers.get(settings.client_country_header, "").strip().upper()
    return value if _COUNTRY.match(value) and value not in ("XX", "T1") else None


def _secure_cookie(settings: Settings) -> bool:
    return settings.public_base_url.startswith("https://")


def _csrf_token(session_token: str) -> str:
    # Bound to the session secret that only the cookie holder has: no server-side state.
    return hmac.new(session_token.encode(), b"csrf:graduate", hashlib.sha256).hexdigest()


def _check_csrf(session_token: str, submitted: object) -> None:
    if not isinstance(submitted, str) or not hmac.compare_digest(
        _csrf_token(session_token), submitted
    ):
        raise Forbidden(
            "the form is stale or came from another site; reload the page", code="csrf-failed"
        )


def _error_text(exc: Error, lang: str) -> str:
    key = f"err.{exc.code}"
    text = translate(key, lang)
    if text == key:
        text = exc.message
    if isinstance(exc, RateLimited | ServiceUnavailable):
        text = translate("error.retry_after", lang, n=exc.retry_after)
    return text


def _status_of(exc: Error) -> int:
    return status_for(exc)


def _retry_headers(exc: Error) -> dict[str, str] | None:
    if isinstance(exc, RateLimited | ServiceUnavailable):
        return {"Retry-After": str(exc.retry_after)}
    return None


def _error_page(request: Request, exc: Error) -> Response:
    if wants_json(request):
        return problem_for(exc, request)
    lang = language(request)
    return message_page(
        request,
        "error.title",
        [_error_text(exc, lang)],
        status_code=_status_of(exc),
        headers=_retry_headers(exc),
    )


def _download(body: bytes | str, filename: str, media_type: str) -> Response:
    response = Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
    return secure_headers(response)


def _credential_filename(credential: dict[str, Any], suffix: str) -> str:
    raw = str(credential.get("id", "diploma")).rsplit(":", 1)[-1]
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", raw)[:64] or "diploma"
    return f"diploma-{safe}{suffix}"


def _report_json(report: VerificationReport, credential: dict[str, Any]) -> dict[str, Any]:
    return {"verification": report.to_json(), "credential": credential}


def _verification_context(
    credential: dict[str, Any],
    report: VerificationReport,
    country: str | None,
    request: Request,
    purpose: str | None = None,
    required_field: str | None = None,
) -> dict[str, Any]:
    # What is shown and compared is what the checks read (the secured document, or an
    # envelope's verified payload); for an unverified credential, what it claims.
    if report.content is not None:
        credential = dict(report.content)
    assessment = None
    refused = False
    if country:
        if report.verdict.value == "invalid":
            refused = True
        else:
            assessment = recognition.preview(
                credential, country, report, purpose=purpose, required_field=required_field
            )
    vouching = [
        c
        for c in report.checks
        if c.name in (CheckName.ISSUER_TRUST, CheckName.ISSUER_ACCREDITATION)
    ]
    return {
        "report": report,
        "view": diploma_view(credential),
        "vouching": vouching,
        "countries": recognition.receiving_countries(),
        "country": country or "",
        "assessment": assessment,
        "recognition_refused": refused,
        **_recognition_vocabulary(request, purpose, required_field),
    }


def _recognition_vocabulary(
    request: Request, purpose: str | None, required_field: str | None
) -> dict[str, Any]:
    """What the recognition forms and results show, in the page language."""
    lang = language(request)
    return {
        "purpose": purpose or "",
        "required_field": required_field or "",
        "purpose_names": {k: v.get(lang) for k, v in recognition_messages.PURPOSES.items()},
        "outcome_names": {k: v.get(lang) for k, v in recognition_messages.OUTCOMES.items()},
    }


def _pick_purpose(value: object) -> str | None:
    """A purpose from a form (anything outside the vocabulary is ignored, as a bad country)."""
    return value if isinstance(value, str) and value in recognition_messages.PURPOSES else None


def _pick_field(value: object) -> str | None:
    if isinstance(value, str) and re.fullmatch(r"\d{2,4}", value.strip()):
        return value.strip()
    return None


def _pick_country(value: object) -> str | None:
    if isinstance(value, str) and _COUNTRY.match(value.strip().upper()):
        return value.strip().upper()
    return None


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
        limiter = _limiter(request)
        limiter.check(
            ratelimit.CLAIM_PER_CLIENT, _client(request), "too many claim attempts from here"
        )
        limiter.check(ratelimit.CLAIM_GLOBAL, "all", "too many claim attempts; try again soon")
        token, _ = sharing.claim(session, settings, code)
    except Error as exc:
        if wants_json(request):
            return problem_for(exc, request)
        return render(
            request,
            "claim.html",
            status_code=_status_of(exc),
            headers=_retry_headers(exc),
            code=code,
            error=_error_text(exc, language(request)),
        )
    response = RedirectResponse("/me", status_code=303)
    response.set_cookie(
        GRADUATE_COOKIE,
        token,
        max_age=settings.graduate_session_days * 24 * 3600,
        path="/me",
        httponly=True,
        secure=_secure_cookie(settings),
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
            _check_csrf(token, form.get("csrf"))
        except Error as exc:
            return _error_page(request, exc)
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
        view=diploma_view(credential),
        diploma_state=record.state
        if record.state in ("active", "suspended", "revoked")
        else "active",
        links=sharing.list_links(session, graduate),
        csrf=_csrf_token(token),
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
                }
            )
        )
    return _me_page(request, session, settings, token, graduate)


@router.get("/me/credential.json")
def me_credential(request: Request, session: SessionDep) -> Response:
    access = _signed_in(request, session)
    if isinstance(access, Response):
        return access
    _, graduate = access
    record, credential = sharing.credential_of(session, graduate.credential_id)
    return _download(
        record.document, _credential_filename(credential, ".json"), "application/vc+ld+json"
    )


def _pdf_response(
    session: Session, settings: Settings, record: CredentialRecord, link_token: str | None
) -> Response:
    url = sharing.share_url(settings, link_token) if link_token else None
    pdf = documents.diploma_pdf(session, settings, record, verification_url=url)
    credential = json.loads(record.document)
    return _download(pdf, _credential_filename(credential, ".pdf"), "application/pdf")


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
        return _error_page(request, exc)
    body = json.dumps(bundle, indent=2) + "\n"
    return _download(body, _credential_filename(credential, ".log.json"), "application/json")


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
        return _error_page(request, exc)
    return _pdf_response(session, settings, record, link_token)


@router.post("/me/links")
def me_create_link(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    form: Annotated[FormData, _form(max_fields=8)],
) -> Response:
    access = _signed_in(request, session)
    if isinstance(access, Response):
        return access
    token, graduate = access
    try:
        _check_csrf(token, form.get("csrf"))
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
            error=_error_text(exc, language(request)),
            status_code=_status_of(exc),
        )
    url = sharing.share_url(settings, link_token)
    if wants_json(request):
        return secure_headers(
            JSONResponse(
                {"id": link.id, "url": url, "expiresAt": link.expires_at.isoformat()},
                status_code=201,
            )
        )
    qr = segno.make(url, error="m", micro=False)
    return render(
        request,
        "link_created.html",
        status_code=201,
        url=url,
        token=link_token,
        label=link.label,
        expires_at=link.expires_at,
        has_pin=link.pin_hash is not None,
        qr_data_uri=qr.png_data_uri(scale=6, border=4),
        csrf=_csrf_token(token),
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
        return _error_page(request, exc)
    record, _ = sharing.credential_of(session, graduate.credential_id)
    return _pdf_response(session, settings, record, link_token)


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
        return _error_page(request, exc)
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
        _limiter(request).check(
            ratelimit.LINK_OPEN_PER_CLIENT, _client(request), "too many requests from here"
        )
        if not _TOKEN.match(token):
            raise NotFound("no such link", code="link-not-found")
        link = sharing.find_link(session, token)
    except NotFound as exc:
        if wants_json(request):
            return None, problem_for(exc, request)
        lang = language(request)
        return None, message_page(
            request,
            "error.title",
            [translate("notfound.link", lang)],
            status_code=404,
            back_href="/verify",
        )
    except Error as exc:
        return None, _error_page(request, exc)
    try:
        sharing.require_active(link)
    except Gone as exc:
        sharing.record_event(session, link, "refused", country=_country(request, settings))
        return None, _gone_page(request, exc)
    return link, None


def _pin_ok(request: Request, session: Session, link: ShareLinkRecord) -> bool:
    if link.pin_hash is None:
        return True
    viewer = sharing.find_session(
        session, request.cookies.get(PIN_COOKIE), kind="link", share_link_id=link.id
    )
    return viewer is not None


def _pin_page(request: Request, token: str, *, error: str | None, status_code: int) -> Response:
    return render(
        request, "pin.html", status_code=status_code, action=f"/s/{token}/pin", error=error
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
    if sharing.try_pin(session, settings, link, pin[:16], country=_country(request, settings)):
        return None
    return problem_for(Forbidden("wrong PIN", code="pin-wrong"), request)


def _count_pin_attempt(request: Request, link: ShareLinkRecord) -> None:
    limiter = _limiter(request)
    limiter.check(ratelimit.PIN_PER_LINK, link.id, "too many PIN attempts for this link")
    limiter.check(ratelimit.PIN_PER_CLIENT, _client(request), "too many PIN attempts from here")


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
        return refusal or _error_page(request, NotFound("no such link"))
    if not _pin_ok(request, session, link):
        if wants_json(request):
            failure = _try_header_pin(request, session, settings, link)
            if failure is not None:
                return failure
        else:
            return _pin_page(request, token, error=None, status_code=200)
    try:
        _count_shared(request, ratelimit.verification_limits(settings), "verifications")
    except Error as exc:
        return _error_page(request, exc)
    _, credential = sharing.credential_of(session, link.credential_id)
    report = verification.verify(session, settings, credential, remote=remote)
    sharing.record_event(session, link, "opened", country=_country(request, settings))
    if wants_json(request):
        body = _report_json(report, credential)
        body["link"] = {"expiresAt": link.expires_at.isoformat()}
        return secure_headers(JSONResponse(body))
    country = _pick_country(request.query_params.get("country"))
    purpose = _pick_purpose(request.query_params.get("purpose"))
    field = _pick_field(request.query_params.get("field"))
    base = f"/s/{token}"
    context = _verification_context(credential, report, country, request, purpose, field)
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
    form: Annotated[FormData, _form(max_fields=3, max_part_size=1024)],
) -> Response:
    link, refusal = _open_link(request, session, settings, token)
    if link is None:
        return refusal or _error_page(request, NotFound("no such link"))
    pin = str(form.get("pin") or "")[:16]
    lang = language(request)
    try:
        _count_pin_attempt(request, link)
    except RateLimited as exc:
        return _pin_page(request, token, error=_error_text(exc, lang), status_code=429)
    viewer = sharing.try_pin(session, settings, link, pin, country=_country(request, settings))
    if viewer is None:
        if link.locked_at is not None:
            return _gone_page(
                request,
                Gone("locked", code="link-locked", extra={"state": "locked"}),
            )
        return _pin_page(request, token, error=translate("pin.wrong", lang), status_code=403)
    response = RedirectResponse(f"/s/{token}", status_code=303)
    response.set_cookie(
        PIN_COOKIE,
        viewer,
        max_age=3600,
        path=f"/s/{token}",
        httponly=True,
        secure=_secure_cookie(settings),
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
        return refusal or _error_page(request, NotFound("no such link"))
    record, credential = sharing.credential_of(session, link.credential_id)
    sharing.record_event(session, link, "downloaded-json", country=_country(request, settings))
    return _download(
        record.document, _credential_filename(credential, ".json"), "application/vc+ld+json"
    )


@router.get("/s/{token}/report.json")
def share_link_report(
    request: Request, token: str, session: SessionDep, settings: SettingsDep, remote: RemoteDep
) -> Response:
    link, refusal = _gate(request, session, settings, token)
    if link is None:
        return refusal or _error_page(request, NotFound("no such link"))
    try:
        _count_shared(request, ratelimit.verification_limits(settings), "verifications")
    except Error as exc:
        return _error_page(request, exc)
    _, credential = sharing.credential_of(session, link.credential_id)
    report = verification.verify(session, settings, credential, remote=remote)
    sharing.record_event(session, link, "downloaded-report", country=_country(request, settings))
    body = json.dumps(report.to_json(), ensure_ascii=False, indent=2)
    return _download(body, _credential_filename(credential, "-report.json"), "application/json")


@router.get("/s/{token}/diploma.pdf")
def share_link_pdf(
    request: Request, token: str, session: SessionDep, settings: SettingsDep
) -> Response:
    link, refusal = _gate(request, session, settings, token)
    if link is None:
        return refusal or _error_page(request, NotFound("no such link"))
    record, _ = sharing.credential_of(session, link.credential_id)
    sharing.record_event(session, link, "downloaded-pdf", country=_country(request, settings))
    return _pdf_response(session, settings, record, token)


@router.post("/s/{token}/statement")
def share_link_statement(
    request: Request,
    token: str,
    session: SessionDep,
    settings: SettingsDep,
    remote: RemoteDep,
    form: Annotated[FormData, _form(max_fields=5, max_part_size=1024)],
) -> Response:
    link, refusal = _gate(request, session, settings, token)
    if link is None:
        return refusal or _error_page(request, NotFound("no such link"))
    _, credential = sharing.credential_of(session, link.credential_id)
    return _statement(request, session, settings, remote, credential, form)


def _statement(
    request: Request,
    session: Session,
    settings: Settings,
    remote: verification.RemoteLookups,
    credential: dict[str, Any],
    form: FormData,
) -> Response:
    code = _pick_country(form.get("country"))
    try:
        _count_shared(request, ratelimit.recognition_limits(settings), "recognition assessments")
        if code is None:
            raise InvalidInput("choose a receiving country", code="country-required")
        outcome = recognition.assess_and_issue(
            session,
            settings,
            receiving_country=code,
            credential=credential,
            purpose=_pick_purpose(form.get("purpose")),
            required_field=_pick_field(form.get("field")),
            remote=remote,
        )
    except Error as exc:
        return _error_page(request, exc)
    body = json.dumps(outcome.statement, ensure_ascii=False, indent=2)
    return _download(body, f"recognition-statement-{code}.json", "application/json")


# --- advisory comparison of a qualification described by hand ---------------------------

#: Form field -> the fact it gives (recognition.inputs.qualification_from_fields).
_COMPARE_FIELDS = {
    "awarding": "country",
    "type": "qualification_type",
    "isced_level": "isced_level",
    "isced_field": "isced_field",
    "nqf_level": "nqf_level",
    "credits": "credits",
    "credit_system": "credit_system",
    "length_years": "length_years",
    "award_date": "award_date",
    "institution_type": "institution_type",
    "institution_tier": "institution_tier",
    "prior_qualification": "prior_qualification",
    "completed": "completed",
}


@router.get("/compare")
def compare_form(request: Request, settings: SettingsDep) -> Response:
    """Compare a qualification described by hand (a paper diploma) with a receiving
    country's system: an advisory comparison of self-declared facts, never signed or stored.
    The same facts give the same outcome as the API and the CLI (services.recognition.compare)."""
    lang = language(request)
    params = request.query_params
    values = {k: str(params.get(k) or "").strip()[:80] for k in (*_COMPARE_FIELDS, "country")}
    purpose = _pick_purpose(params.get("purpose"))
    field = _pick_field(params.get("field"))
    assessment = None
    error = None
    status_code = 200
    headers = None
    if values["country"]:
        try:
            _count_shared(
                request, ratelimit.recognition_limits(settings), "recognition assessments"
            )
            qualification = recognition_inputs.qualification_from_fields(
                {fact: values[name] for name, fact in _COMPARE_FIELDS.items()}
            )
            outcome = recognition.compare(
                values["country"],
                qualification=qualification,
                purpose=purpose,
                required_field=field,
            )
            assessment = recognition.with_names(outcome.assessment)
        except Error as exc:
            error, status_code, headers = (
                _error_text(exc, lang),
                _status_of(exc),
                _retry_headers(exc),
            )
    return render(
        request,
        "compare.html",
        status_code=status_code,
        headers=headers,
        private=False,
        error=error,
        values=values,
        assessment=assessment,
        countries=recognition.receiving_countries(),
        type_groups=recognition.type_choices(),
        institution_types=recognition_frameworks.INSTITUTION_TYPES,
        **_recognition_vocabulary(request, purpose, field),
    )


# --- verifiers: uploads -----------------------------------------------------------------


@router.get("/verify")
def verify_form(request: Request, settings: SettingsDep) -> Response:
    return render(
        request,
        "upload.html",
        private=False,
        error=None,
        max_mb=settings.max_upload_bytes // (1024 * 1024),
        countries=recognition.receiving_countries(),
        country="",
        **_recognition_vocabulary(request, None, None),
    )


def _own_link_path(settings: Settings, text: str) -> str | None:
    """``/s/<token>`` when ``text`` is one of this service's share links."""
    text = text.strip()
    base = urlsplit(settings.public_base_url)
    parts = urlsplit(text)
    same_origin = (parts.scheme, parts.netloc) == (base.scheme, base.netloc) or (
        not parts.scheme and not parts.netloc
    )
    match = re.fullmatch(r"/s/([A-Za-z0-9_-]{20,128})/?", parts.path)
    return f"/s/{match.group(1)}" if same_origin and match else None


class _Redirect(Exception):
    def __init__(self, location: str) -> None:
        self.location = location


def _credential_from_link(
    settings: Settings, remote: verification.RemoteLookups, text: str
) -> verification.Readable:
    own = _own_link_path(settings, text)
    if own is not None:
        raise _Redirect(own)
    return verification.fetch_link(settings, remote, text)


def _unwrap(document: object) -> dict[str, Any]:
    return verification.unwrap(document)


def _credential_from_upload(
    settings: Settings,
    remote: verification.RemoteLookups,
    data: bytes,
    filename: str | None,
    content_type: str | None,
) -> verification.Readable:
    """Any supported format, as the API reads it (the content decides, not the file name):
    JSON, a compact JWT/SD-JWT, CBOR, XML, a baked badge, a PDF diploma, a QR code."""
    del filename, content_type
    received = verification.read_input(settings, data)
    if isinstance(received, verification.QrLink):
        return _credential_from_link(settings, remote, received.url)
    return received


@router.post("/verify")
def verify_submit(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    remote: RemoteDep,
    form: Annotated[FormData, _form(max_files=1, max_fields=8, max_part_size=None)],
) -> Response:
    lang = language(request)
    country: str | None = None
    purpose = _pick_purpose(form.get("purpose"))
    field = _pick_field(form.get("field"))

    def again(exc: Error) -> Response:
        if wants_json(request):
            return problem_for(exc, request)
        return render(
            request,
            "upload.html",
            status_code=_status_of(exc),
            headers=_retry_headers(exc),
            error=_error_text(exc, lang),
            max_mb=settings.max_upload_bytes // (1024 * 1024),
            countries=recognition.receiving_countries(),
            country=country or "",
            **_recognition_vocabulary(request, purpose, field),
        )

    try:
        _count_verification(request)
        country = _pick_country(form.get("country"))
        upload = form.get("file")
        pasted = str(form.get("json") or "").strip()
        link_text = str(form.get("link") or "").strip()
        if upload is not None and not isinstance(upload, str) and upload.filename:
            data = upload.file.read(settings.max_upload_bytes + 1)
            if len(data) > settings.max_upload_bytes:
                raise LimitExceeded(
                    f"the file is larger than {settings.max_upload_bytes} bytes",
                    code="upload-too-large",
                    extra={"limit": settings.max_upload_bytes},
                )
            if not data:
                raise InvalidInput("the file is empty", code="upload-empty")
            credential = _credential_from_upload(
                settings, remote, data, upload.filename, upload.content_type
            )
        elif pasted:
            # JSON, or a compact JWT / SD-JWT pasted as text.
            credential = _credential_from_upload(
                settings, remote, pasted.encode("utf-8"), None, None
            )
        elif link_text:
            credential = _credential_from_link(settings, remote, link_text)
        else:
            raise InvalidInput(translate("upload.nothing", lang), code="upload-missing")
    except _Redirect as redirect:
        query = urlencode(
            {k: v for k, v in (("country", country), ("purpose", purpose), ("field", field)) if v}
        )
        return secure_headers(
            RedirectResponse(redirect.location + (f"?{query}" if query else ""), status_code=303)
        )
    except Error as exc:
        return again(exc)
    report = verification.verify(session, settings, credential, remote=remote)
    try:
        again_as = verification.resubmittable(credential)
    except Error as exc:
        return again(exc)
    shown = dict(report.content) if report.content is not None else again_as
    if wants_json(request):
        return secure_headers(JSONResponse(_report_json(report, shown)))
    return _upload_result(request, again_as, report, country, purpose, field)


def _upload_result(
    request: Request,
    credential: dict[str, Any],
    report: VerificationReport,
    country: str | None,
    purpose: str | None = None,
    field: str | None = None,
) -> Response:
    # The upload is not stored: follow-up actions post the credential back (a credential that
    # came in another format than JSON as an EnvelopedVerifiableCredential holding it).
    text = json.dumps(credential, ensure_ascii=False, separators=(",", ":"))
    context = _verification_context(credential, report, country, request, purpose, field)
    return render(
        request,
        "verification.html",
        link_expires_at=None,
        recognition_form_action="/verify",
        recognition_form_method="post",
        recognition_hidden=[("json", text)],
        statement_form={
            "action": "/verify/statement",
            "hidden": [
                ("credential", text),
                ("country", country),
                ("purpose", purpose or ""),
                ("field", field or ""),
            ],
        }
        if context["assessment"]
        else None,
        downloads=[
            {
                "action": "/verify/download",
                "hidden": [("credential", text), ("what", "credential")],
                "label": "downloads.credential",
            },
            {
                "action": "/verify/download",
                "hidden": [("credential", text), ("what", "report")],
                "label": "downloads.report",
            },
        ],
        show_again=True,
        **context,
    )


PostedForm = Annotated[FormData, _form(max_fields=4, max_part_size=None)]


def _count_verification(request: Request) -> None:
    """One anonymous verification (upload, download, statement) against the client's upload
    limit and the service's shared verification limits (the same as the API's)."""
    _limiter(request).check(
        ratelimit.UPLOAD_PER_CLIENT, _client(request), "too many verifications from here"
    )
    _count_shared(
        request, ratelimit.verification_limits(request.app.state.settings), "verifications"
    )


def _count_shared(request: Request, limits: tuple[Limit, Limit], what: str) -> None:
    """The per-client and global limits the JSON API's routes share (api/abuse.py), for the
    pages that do the same costly work: every worker and both front doors count together."""
    settings: Settings = request.app.state.settings
    address = _client(request)
    if ratelimit.is_exempt(settings, address):
        return
    per_client, overall = limits
    limiter = _limiter(request)
    limiter.check(per_client, address, f"too many {what} from this address; slow down")
    limiter.check(overall, "all", f"the service is receiving too many {what}; retry soon")


def _posted_credential(form: FormData, settings: Settings) -> dict[str, Any]:
    return _unwrap(
        strict_json.loads_storable(
            str(form.get("credential") or ""),
            max_bytes=settings.max_body_bytes,
            max_depth=settings.max_json_depth,
        )
    )


@router.post("/verify/download")
def verify_download(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    remote: RemoteDep,
    form: PostedForm,
) -> Response:
    try:
        _count_verification(request)
        credential = _posted_credential(form, settings)
    except Error as exc:
        return _error_page(request, exc)
    if form.get("what") == "report":
        report = verification.verify(session, settings, credential, remote=remote)
        body = json.dumps(report.to_json(), ensure_ascii=False, indent=2)
        return _download(body, _credential_filename(credential, "-report.json"), "application/json")
    body = json.dumps(credential, ensure_ascii=False, indent=2)
    return _download(body, _credential_filename(credential, ".json"), "application/vc+ld+json")


@router.post("/verify/statement")
def verify_statement(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    remote: RemoteDep,
    form: PostedForm,
) -> Response:
    try:
        _count_verification(request)
        credential = _posted_credential(form, settings)
    except Error as exc:
        return _error_page(request, exc)
    return _statement(request, session, settings, remote, credential, form)
