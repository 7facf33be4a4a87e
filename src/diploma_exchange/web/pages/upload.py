"""Pages for verifiers who upload a diploma (JSON, PDF, QR image, pasted JSON, link) and its
follow-up downloads and statements."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from diploma_exchange import strict_json
from diploma_exchange.api.deps import RemoteDep, SessionDep, SettingsDep
from diploma_exchange.api.problems import problem_for
from diploma_exchange.config import Settings
from diploma_exchange.errors import (
    Error,
    InvalidInput,
    LimitExceeded,
)
from diploma_exchange.services import recognition, verification
from diploma_exchange.verification import VerificationReport
from diploma_exchange.web.i18n import translate
from diploma_exchange.web.pages.recognition import statement_download
from diploma_exchange.web.pages.shared import (
    PostedForm,
    count_verification,
    credential_filename,
    download,
    error_page,
    error_text,
    pick_country,
    pick_field,
    pick_purpose,
    read_form,
    recognition_vocabulary,
    report_json,
    retry_headers,
    status_of,
    verification_context,
)
from diploma_exchange.web.rendering import (
    language,
    render,
    secure_headers,
    wants_json,
)

router = APIRouter(include_in_schema=False)


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
        pasted="",
        link_text="",
        **recognition_vocabulary(request, None, None),
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
    form: Annotated[FormData, read_form(max_files=1, max_fields=8, max_part_size=None)],
) -> Response:
    lang = language(request)
    country: str | None = None
    purpose = pick_purpose(form.get("purpose"))
    field = pick_field(form.get("field"))

    def again(exc: Error) -> Response:
        if wants_json(request):
            return problem_for(exc, request)
        return render(
            request,
            "upload.html",
            status_code=status_of(exc),
            headers=retry_headers(exc),
            error=error_text(exc, lang),
            max_mb=settings.max_upload_bytes // (1024 * 1024),
            countries=recognition.receiving_countries(),
            country=country or "",
            # What was pasted or typed stays in the form, to correct rather than redo.
            pasted=str(form.get("json") or "")[: settings.max_body_bytes],
            link_text=str(form.get("link") or "")[:2048],
            **recognition_vocabulary(request, purpose, field),
        )

    try:
        count_verification(request)
        country = pick_country(form.get("country"))
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
        return secure_headers(JSONResponse(report_json(report, shown)))
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
    context = verification_context(credential, report, country, request, purpose, field)
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
        count_verification(request)
        credential = _posted_credential(form, settings)
    except Error as exc:
        return error_page(request, exc)
    if form.get("what") == "report":
        report = verification.verify(session, settings, credential, remote=remote)
        body = json.dumps(report.to_json(), ensure_ascii=False, indent=2)
        return download(body, credential_filename(credential, "-report.json"), "application/json")
    body = json.dumps(credential, ensure_ascii=False, indent=2)
    return download(body, credential_filename(credential, ".json"), "application/vc+ld+json")


@router.post("/verify/statement")
def verify_statement(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    remote: RemoteDep,
    form: PostedForm,
) -> Response:
    try:
        count_verification(request)
        credential = _posted_credential(form, settings)
    except Error as exc:
        return error_page(request, exc)
    return statement_download(request, session, settings, remote, credential, form)
