"""What every page module shares: reading forms within limits, CSRF tokens, rate limits,
error pages, downloads and the context of a verification page."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import FormData

from diploma_exchange.api.problems import problem_for, status_for
from diploma_exchange.config import Settings
from diploma_exchange.db.models import CredentialRecord
from diploma_exchange.documents.view import diploma_view
from diploma_exchange.errors import (
    Error,
    Forbidden,
    InvalidInput,
    RateLimited,
    ServiceUnavailable,
)
from diploma_exchange.recognition import messages as recognition_messages
from diploma_exchange.services import documents, ratelimit, recognition, sharing
from diploma_exchange.services.enveloped_issuance import issued_credential
from diploma_exchange.services.ratelimit import Limit, RateLimiter
from diploma_exchange.verification import CheckName, VerificationReport
from diploma_exchange.web.i18n import has, ngettext, translate
from diploma_exchange.web.rendering import (
    error_message_page,
    language,
    secure_headers,
    wants_json,
)

GRADUATE_COOKIE = "dx_grad"
PIN_COOKIE = "dx_pin"
LINK_DAY_CHOICES = (7, 30, 90, 180, 365)
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,128}$")
COUNTRY = re.compile(r"^[A-Z]{2}$")


# --- helpers ----------------------------------------------------------------------------


def read_form(max_files: int = 0, max_fields: int = 5, max_part_size: int | None = 4096) -> Any:
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


SmallForm = Annotated[FormData, read_form()]


def rate_limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.rate_limiter
    return limiter


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def viewer_country(request: Request, settings: Settings) -> str | None:
    """The viewer's country from the trusted proxy's header, when configured."""
    if not settings.client_country_header:
        return None
    value = request.headers.get(settings.client_country_header, "").strip().upper()
    return value if COUNTRY.match(value) and value not in ("XX", "T1") else None


def secure_cookie(settings: Settings) -> bool:
    return settings.public_base_url.startswith("https://")


def csrf_token(session_token: str) -> str:
    # Bound to the session secret that only the cookie holder has: no server-side state.
    return hmac.new(session_token.encode(), b"csrf:graduate", hashlib.sha256).hexdigest()


def check_csrf(session_token: str, submitted: object) -> None:
    if not isinstance(submitted, str) or not hmac.compare_digest(
        csrf_token(session_token), submitted
    ):
        raise Forbidden(
            "the form is stale or came from another site; reload the page", code="csrf-failed"
        )


def error_text(exc: Error, lang: str) -> str:
    """The error's text in the page language: its code's catalogue entry; for a code the
    catalogues do not know, the error's own (English) message on an English page and the
    generic text of its HTTP status on a kk/ru page (never English there)."""
    if isinstance(exc, RateLimited | ServiceUnavailable):
        return ngettext(lang, "error.retry_after", exc.retry_after)
    key = f"err.{exc.code}"
    if has(lang, key):
        return translate(key, lang)
    if lang == "en":
        return exc.message
    return translate(f"http.{status_of(exc)}.text", lang)


def status_of(exc: Error) -> int:
    return status_for(exc)


def retry_headers(exc: Error) -> dict[str, str] | None:
    if isinstance(exc, RateLimited | ServiceUnavailable):
        return {"Retry-After": str(exc.retry_after)}
    return None


def error_page(request: Request, exc: Error, *, back_href: str = "/") -> Response:
    if wants_json(request):
        return problem_for(exc, request)
    return error_message_page(
        request,
        status_of(exc),
        error_text(exc, language(request)),
        headers=retry_headers(exc),
        back_href=back_href,
    )


def download(body: bytes | str, filename: str, media_type: str) -> Response:
    response = Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
    return secure_headers(response)


def credential_filename(credential: dict[str, Any], suffix: str) -> str:
    # an enveloped diploma is named by its payload's id, not by its data: URL
    raw = str(issued_credential(credential).get("id", "diploma")).rsplit(":", 1)[-1]
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", raw)[:64] or "diploma"
    return f"diploma-{safe}{suffix}"


def report_json(report: VerificationReport, credential: dict[str, Any]) -> dict[str, Any]:
    return {"verification": report.to_json(), "credential": credential}


def verification_context(
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
        **recognition_vocabulary(request, purpose, required_field),
    }


def recognition_vocabulary(
    request: Request, purpose: str | None, required_field: str | None
) -> dict[str, Any]:
    """What the recognition forms and results show, in the page language."""
    lang = language(request)
    return {
        "purpose": purpose or "",
        "required_field": required_field or "",
        "purpose_names": {k: v.get(lang) for k, v in recognition_messages.PURPOSES.items()},
        "outcome_names": {k: v.get(lang) for k, v in recognition_messages.OUTCOMES.items()},
        "criteria_names": {k: v.get(lang) for k, v in recognition_messages.CRITERIA.items()},
    }


def pick_purpose(value: object) -> str | None:
    """A purpose from a form (anything outside the vocabulary is ignored, as a bad country)."""
    return value if isinstance(value, str) and value in recognition_messages.PURPOSES else None


def pick_field(value: object) -> str | None:
    if isinstance(value, str) and re.fullmatch(r"\d{2,4}", value.strip()):
        return value.strip()
    return None


def pick_country(value: object) -> str | None:
    if isinstance(value, str) and COUNTRY.match(value.strip().upper()):
        return value.strip().upper()
    return None


def pdf_response(
    session: Session, settings: Settings, record: CredentialRecord, link_token: str | None
) -> Response:
    """The sealed PDF of ``record`` (credential and log bundle attached), its QR code the
    link with ``link_token`` (none: the PDF names the credential id)."""
    url = sharing.share_url(settings, link_token) if link_token else None
    pdf = documents.diploma_pdf(session, settings, record, verification_url=url)
    credential = json.loads(record.document)
    return download(pdf, credential_filename(credential, ".pdf"), "application/pdf")


PostedForm = Annotated[FormData, read_form(max_fields=4, max_part_size=None)]


def count_verification(request: Request) -> None:
    """One anonymous verification (upload, download, statement) against the client's upload
    limit and the service's shared verification limits (the same as the API's)."""
    rate_limiter(request).check(
        ratelimit.UPLOAD_PER_CLIENT, client_address(request), "too many verifications from here"
    )
    count_shared(
        request, ratelimit.verification_limits(request.app.state.settings), "verifications"
    )


def count_shared(request: Request, limits: tuple[Limit, Limit], what: str) -> None:
    """The per-client and global limits the JSON API's routes share (api/abuse.py), for the
    pages that do the same costly work: every worker and both front doors count together."""
    settings: Settings = request.app.state.settings
    address = client_address(request)
    if ratelimit.is_exempt(settings, address):
        return
    per_client, overall = limits
    limiter = rate_limiter(request)
    limiter.check(per_client, address, f"too many {what} from this address; slow down")
    limiter.check(overall, "all", f"the service is receiving too many {what}; retry soon")
