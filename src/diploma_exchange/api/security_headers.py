"""The same security headers on every HTML response, whichever route made it.

Pages rendered by ``web/`` set them already (``web.rendering.secure_headers``); this middleware
makes it impossible to forget: an HTML response from any route (the recognition statement page,
an error page, a future route) gets the strict Content-Security-Policy, ``X-Frame-Options:
DENY``, ``Referrer-Policy: no-referrer`` and ``nosniff``; existing values are kept. The
interactive API documentation needs its scripts, so it gets a CSP of its own that still forbids
framing and any other origin. Every response gets ``X-Content-Type-Options: nosniff``.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from diploma_exchange.web.rendering import CSP

#: /docs loads the documentation's scripts and styles, from this origin only (vendored: it
#: works offline, and no other origin is trusted).
DOCS_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
DOCS_PATHS = frozenset({"/docs", "/redoc", "/docs/oauth2-redirect"})


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope.get("path") in DOCS_PATHS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                content_type = next(
                    (v for n, v in headers if n.lower() == b"content-type"), b""
                ).lower()
                wanted: list[tuple[bytes, bytes]] = [(b"x-content-type-options", b"nosniff")]
                if content_type.startswith(b"text/html"):
                    wanted += [
                        (b"content-security-policy", (DOCS_CSP if docs else CSP).encode()),
                        (b"x-frame-options", b"DENY"),
                        (b"referrer-policy", b"no-referrer"),
                    ]
                headers += [(n, v) for n, v in wanted if n not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
