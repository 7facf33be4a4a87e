"""Abuse limits on the anonymous endpoints that cost the most: verification (a signature
check and look-ups per request) and recognition assessments (each stores a NIC-signed
statement). Per client address and for the whole service, counted in the shared store (the
database or Redis), answered with 429 problem details and ``Retry-After``.

A middleware rather than a dependency per route: the limited routes are named in one table
here, and the counting happens before the body is read or parsed. Claim codes, PINs, link
openings and page uploads have their own limits in the web pages (``web/pages/``).
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from diploma_exchange.api.problems import problem_for
from diploma_exchange.config import Settings
from diploma_exchange.errors import RateLimited, ServiceUnavailable
from diploma_exchange.services import ratelimit
from diploma_exchange.services.ratelimit import Limit, RateLimiter


def limited_routes(settings: Settings) -> dict[tuple[str, str], tuple[Limit, Limit, str]]:
    """(method, path) -> (per-client limit, global limit, what is limited)."""
    verify = (*ratelimit.verification_limits(settings), "verifications")
    recognise = (*ratelimit.recognition_limits(settings), "recognition assessments")
    return {
        ("POST", "/v1/verifications"): verify,
        ("POST", "/credentials/verify"): verify,
        ("POST", "/presentations/verify"): verify,
        ("POST", "/v1/recognition/assessments"): recognise,
    }


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class AbuseLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        settings: Settings,
        limiter: Callable[[], RateLimiter],
    ) -> None:
        self.app = app
        self.routes = limited_routes(settings)
        self.settings = settings
        self.limiter = limiter

    def _exempt(self, address: str) -> bool:
        return ratelimit.is_exempt(self.settings, address)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = self.routes.get((scope["method"], scope["path"]))
        if route is None:
            await self.app(scope, receive, send)
            return
        address = client_address(scope)
        if not self._exempt(address):
            per_client, overall, what = route
            try:
                # The counter store is network or disk I/O: never on the event loop.
                await run_in_threadpool(self._count, per_client, overall, what, address)
            except _OverLimit as over:
                response = problem_for(over.error)
                response.headers.update(rate_limit_headers(over.limit, over.error.retry_after))
                await response(scope, receive, send)
                return
            except ServiceUnavailable as exc:
                await problem_for(exc)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _count(self, per_client: Limit, overall: Limit, what: str, address: str) -> None:
        limiter = self.limiter()
        for limit, subject, message in (
            (per_client, address, f"too many {what} from this address; slow down"),
            (overall, "all", f"the service is receiving too many {what}; retry soon"),
        ):
            try:
                limiter.check(limit, subject, message)
            except RateLimited as exc:
                raise _OverLimit(limit, exc) from exc


class _OverLimit(Exception):
    """Which limit a request went over (for its RateLimit headers)."""

    def __init__(self, limit: Limit, error: RateLimited) -> None:
        super().__init__(error.message)
        self.limit = limit
        self.error = error


def rate_limit_headers(limit: Limit, retry_after: int) -> dict[str, str]:
    """The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers) of a refusal:
    the policy (quota ``q`` per window ``w`` seconds) and what is left (``r``) until ``t``."""
    name = limit.name.replace('"', "")
    return {
        "RateLimit-Policy": f'"{name}";q={limit.max_hits};w={limit.window_seconds}',
        "RateLimit": f'"{name}";r=0;t={max(retry_after, 0)}',
    }
