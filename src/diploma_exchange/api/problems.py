"""The one place where errors become HTTP: RFC 9457 problem details (application/problem+json).

Every problem has a stable ``type`` URI ending in the error's ``code`` (also given as the
``code`` extension member), a ``title``, a ``detail`` that says what to fix, and, where the
fault lies in the input, ``pointer`` (RFC 6901) and ``errors`` (one entry per problem).
"""

from __future__ import annotations

import logging
from typing import Any

import psycopg
import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from diploma_exchange import errors
from diploma_exchange.web.i18n import translate
from diploma_exchange.web.rendering import language, message_page, wants_json

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
    (errors.NotVerified, 422),
    (errors.NotAuthenticated, 401),
    (errors.Forbidden, 403),
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.Gone, 410),
    (errors.RateLimited, 429),
    (errors.ServiceUnavailable, 503),
    (errors.KeyLoadError, 500),
    (errors.ConfigurationError, 500),
]

TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    413: "Content too large",
    410: "Gone",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Internal error",
    503: "Service unavailable",
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
    if isinstance(exc, errors.RateLimited | errors.ServiceUnavailable):
        headers = {"Retry-After": str(exc.retry_after)}
    if status == 503:
        log.warning("service unavailable %s: %s", exc.code, exc.message)
    elif status >= 500:
        log.error("internal error %s: %s", exc.code, exc.message)
    extra = {
        k: v
        for k, v in exc.extra.items()
        if k in ("limit", "key", "report", "retryAfter", "verdict", "failingChecks")
    }
    return problem(
        status,
        exc.code,
        exc.message
        if status < 500 or status == 503
        else "the service could not complete the request",
        instance=str(request.url.path) if request else None,
        pointer=exc.pointer,
        errors_=[
            {"pointer": d.pointer, "detail": d.message, **({"code": d.code} if d.code else {})}
            for d in exc.details
        ],
        headers=headers,
        **extra,
    )


#: Seconds a client is asked to wait (``Retry-After``) when the database cannot be reached.
DATABASE_RETRY_AFTER = 2
DATABASE_UNAVAILABLE = (
    "the database cannot be reached right now; retry in a few seconds "
    "(issuance: with the same Idempotency-Key, so that a retry cannot issue twice)"
)


def database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` means the database cannot be reached for now (refused, dropped or
    invalidated connection, server shutting down, no free pooled connection) rather than a bug.

    psycopg and sqlite3 raise ``OperationalError`` for exactly these (and for deadlocks and
    serialization failures, which a retry fixes too); SQLAlchemy wraps them, and flags any
    error it recognised as a disconnect with ``connection_invalidated``.
    """
    if isinstance(exc, sqlalchemy.exc.DBAPIError):
        return exc.connection_invalidated or isinstance(
            exc, sqlalchemy.exc.OperationalError | sqlalchemy.exc.InterfaceError
        )
    return isinstance(
        exc,
        sqlalchemy.exc.TimeoutError | psycopg.OperationalError | psycopg.InterfaceError,
    )


def _route_template(request: Request) -> str:
    # The route's template, not the path: paths of share links carry secret tokens.
    route = request.scope.get("route")
    return str(getattr(route, "path", "")) or "(no route)"


def _is_page(request: Request) -> bool:
    route = request.scope.get("route")
    module = getattr(getattr(route, "endpoint", None), "__module__", "")
    return str(module).startswith("diploma_exchange.web")


def _database_unavailable_response(request: Request, exc: Exception) -> Response:
    """503 with ``Retry-After``: problem+json, or the error page for a browser's page."""
    cause = exc.orig if isinstance(exc, sqlalchemy.exc.DBAPIError) else exc
    reason = (str(cause).strip().splitlines() or [""])[0][:200]
    log.warning(
        "database unavailable on %s %s: %s: %s",
        request.method,
        _route_template(request),
        type(cause).__name__,
        reason,
    )
    error = errors.ServiceUnavailable(
        DATABASE_UNAVAILABLE, retry_after=DATABASE_RETRY_AFTER, code="database-unavailable"
    )
    headers = {"Retry-After": str(error.retry_after)}
    if _is_page(request) and not wants_json(request):
        lang = language(request)
        text = translate(f"err.{error.code}", lang)
        return message_page(
            request,
            "error.title",
            [error.message if text == f"err.{error.code}" else text],
            status_code=503,
            headers=headers,
        )
    return problem(
        503,
        error.code,
        error.message,
        instance=str(request.url.path),
        headers=headers,
        retryAfter=error.retry_after,
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

    async def _database_error(request: Request, exc: Exception) -> Response:
        if database_unavailable(exc):
            return _database_unavailable_response(request, exc)
        return await _unexpected(request, exc)

    for database_error in (
        sqlalchemy.exc.DBAPIError,
        sqlalchemy.exc.TimeoutError,
        psycopg.OperationalError,
        psycopg.InterfaceError,
    ):
        app.add_exception_handler(database_error, _database_error)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # The route template, not the path: share-link and claim paths carry secrets.
        log.exception("unhandled error on %s %s", request.method, _route_template(request))
        return problem(500, "internal-error", "the service could not complete the request")
