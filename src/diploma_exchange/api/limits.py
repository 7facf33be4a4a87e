"""Request limits: body size (ASGI middleware) and strict JSON (route class).

The route class parses JSON bodies with :mod:`diploma_exchange.strict_json` (duplicate keys,
nesting depth) before FastAPI sees them, so every JSON endpoint gets the same guarantees and
still documents its pydantic body model in OpenAPI.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from diploma_exchange import strict_json
from diploma_exchange.api import problem_docs
from diploma_exchange.api.problems import problem
from diploma_exchange.errors import Error


class BodySizeLimitMiddleware:
    """Reject bodies over ``max_bytes`` (by Content-Length, and while streaming) with 413."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, path_limits: dict[str, int] | None = None
    ) -> None:
        self.app = app
        self.default_max_bytes = max_bytes
        #: Exact paths with their own limit (file uploads of the verification page).
        self.path_limits = dict(path_limits or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.path_limits.get(scope.get("path", ""), self.default_max_bytes)
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared < 0 or declared > max_bytes:
                    await self._reject(scope, receive, send, max_bytes)
                    return
        received = 0
        too_big = False

        async def limited_receive() -> Message:
            nonlocal received, too_big
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    too_big = True
                    raise _TooLarge()
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLarge:
            await self._reject(scope, receive, send, max_bytes)

    async def _reject(self, scope: Scope, receive: Receive, send: Send, max_bytes: int) -> None:
        response = problem(
            413,
            "limit-exceeded",
            f"the request body is larger than {max_bytes} bytes",
            limit=max_bytes,
        )
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass


class NulCharacterMiddleware:
    """Refuse NUL in the path, query string or headers with 400: PostgreSQL text cannot hold
    it, so a look-up by ``/v1/diplomas/a%00b`` failed in the database (a 500). JSON bodies are
    checked by the strict parser; this covers what reaches handlers outside the body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            where = _nul_in(scope)
            if where is not None:
                response = problem(
                    400,
                    "nul-character",
                    f"the request's {where} holds a NUL character (%00); remove it",
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _nul_in(scope: Scope) -> str | None:
    if "\x00" in scope.get("path", ""):
        return "path"
    if b"%00" in scope.get("query_string", b"") or b"\x00" in scope.get("query_string", b""):
        return "query string"
    if any(b"\x00" in value for _name, value in scope.get("headers", [])):
        return "header"
    return None


class StrictJsonRoute(APIRoute):
    """An APIRoute that parses JSON bodies strictly before FastAPI's own handling, refuses
    bodies of undocumented media types (415), and declares its problem responses."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        problem_docs.declare_derived_problems(self)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()
        consumes = problem_docs.request_media_types(self)
        accepts_json = problem_docs.JSON_MEDIA_TYPE in consumes

        async def handler(request: Request) -> Response:
            content_type = request.headers.get("content-type", "")
            if request.method not in problem_docs.BODY_METHODS:
                return await original(request)
            coding = request.headers.get("content-encoding", "identity").strip().lower()
            if coding not in ("", "identity"):
                # Bodies are read as sent: a compressed one would only fail later, as "not
                # JSON", and inflating it here would let a small request expand unbounded.
                return problem(
                    415,
                    "unsupported-content-encoding",
                    f"request bodies are not accepted with Content-Encoding {coding!r}; "
                    "send them uncompressed",
                    instance=request.url.path,
                )
            is_json = problem_docs.is_json(content_type)
            kind = problem_docs.media_type(content_type)
            acceptable = (is_json and accepts_json) or kind in consumes
            # No Content-Type and no body: FastAPI's "field required" (422) says more.
            if consumes and not acceptable and (kind or await request.body()):
                return problem(
                    415,
                    "unsupported-media-type",
                    f"a body of type {kind or '(none)'!r} is not accepted here; send "
                    + " or ".join(sorted(consumes)),
                    instance=request.url.path,
                )
            if is_json:
                settings = request.app.state.settings
                body = await request.body()
                if body:
                    try:
                        request._json = strict_json.loads_storable(
                            body,
                            max_bytes=settings.max_body_bytes,
                            max_depth=settings.max_json_depth,
                        )
                    except Error as exc:
                        from diploma_exchange.api.problems import problem_for

                        return problem_for(exc, request)
            return await original(request)

        return handler
