"""The one place where errors become HTTP: RFC 9457 problem details (application/problem+json).

Every problem has a stable ``type`` URI ending in the error's ``code`` (also given as the
``code`` extension member), a ``title``, a ``detail`` that says what to fix, and, where the
fault lies in the input, ``pointer`` (RFC 6901) and ``errors`` (one entry per problem).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from diploma_exchange import errors

PROBLEM_BASE = "https://w3id.org/diploma-exchange/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"
log = logging.getLogger(__name__)

STATUS_BY_ERROR: list[tuple[type[errors.Error], int]] = [
    (errors.LimitExceeded, 413),
    (errors.InvalidCredential, 422),
    (errors.InvalidInput, 400),
    (errors.ProofError, 422),
    (errors.DidResolutionError, 422),
    (errors.UntrustedIssuer, 422),
    (errors.NotAuthenticated, 401),
    (errors.Forbidden, 403),
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.Gone, 410),
    (errors.RateLimited, 429),
    (errors.KeyLoadError, 500),
    (errors.ConfigurationError, 500),
]

TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Content too large",
    410: "Gone",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Internal error",
}


def status_for(exc: errors.Error) -> int:
    for cls, status in STATUS_BY_ERROR:
        if isinstance(exc, cls):
            return status
    return 500


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    instance: str | None = None,
    pointer: str | None = None,
    errors_: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
    }
    if instance:
        body["instance"] = instance
    if pointer is not None:
        body["pointer"] = pointer
    if errors_:
        body["errors"] = errors_
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def problem_for(exc: errors.Error, request: Request | None = None) -> JSONResponse:
    status = status_for(exc)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(exc, errors.RateLimited):
        headers = {"Retry-After": str(exc.retry_after)}
    if status >= 500:
        log.error("internal error %s: %s", exc.code, exc.message)
    extra = {k: v for k, v in exc.extra.items() if k in ("limit", "key", "report", "retryAfter")}
    return problem(
        status,
        exc.code,
        exc.message if status < 500 else "the service could not complete the request",
        instance=str(request.url.path) if request else None,
        pointer=exc.pointer,
        errors_=[
            {"pointer": d.pointer, "detail": d.message, **({"code": d.code} if d.code else {})}
            for d in exc.details
        ],
        headers=headers,
        **extra,
    )


def _pointer(loc: tuple[Any, ...]) -> str:
    parts = (
        [str(p) for p in loc[1:]]
        if loc and loc[0] in ("body", "query", "path", "header")
        else [str(p) for p in loc]
    )
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)


def install(app: FastAPI) -> None:
    """Register the exception handlers that turn every error into problem+json."""

    @app.exception_handler(errors.Error)
    async def _domain_error(request: Request, exc: errors.Error) -> JSONResponse:
        return problem_for(exc, request)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        items = [
            {"pointer": _pointer(tuple(e.get("loc", ()))), "detail": str(e.get("msg", ""))}
            for e in exc.errors()
        ]
        first = items[0] if items else {"pointer": "", "detail": "invalid request"}
        return problem(
            422,
            "request-validation",
            f"the request does not match the expected schema: {first['detail']}"
            + (f" at {first['pointer']}" if first["pointer"] else ""),
            instance=str(request.url.path),
            pointer=first["pointer"],
            errors_=items,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {
            404: "not-found",
            405: "method-not-allowed",
            413: "limit-exceeded",
            415: "unsupported-media-type",
        }.get(exc.status_code, "http-error")
        return problem(
            exc.status_code,
            code,
            str(exc.detail),
            instance=str(request.url.path),
            headers=dict(exc.headers) if exc.headers else None,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        return problem(500, "internal-error", "the service could not complete the request")
