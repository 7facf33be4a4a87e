"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine

from diploma_exchange import __version__
from diploma_exchange.api import openapi_doc, problem_docs, problems
from diploma_exchange.api.abuse import AbuseLimitMiddleware
from diploma_exchange.api.limits import BodySizeLimitMiddleware, NulCharacterMiddleware
from diploma_exchange.api.routes import (
    audit as audit_routes,
)
from diploma_exchange.api.routes import (
    diplomas,
    exchanges,
    institutions,
    meta,
    oid4vci,
    oid4vp,
    recognition,
    status_lists,
    transparency,
    trust,
    vcapi,
    verifications,
)
from diploma_exchange.api.security_headers import SecurityHeadersMiddleware
from diploma_exchange.config import Settings, get_settings
from diploma_exchange.db.engine import make_engine
from diploma_exchange.services import audit
from diploma_exchange.services.ratelimit import make_rate_limiter
from diploma_exchange.services.transparency import Publisher
from diploma_exchange.services.verification import RemoteLookups
from diploma_exchange.web import pages, presentation_pages, wallet_pages
from diploma_exchange.web.rendering import STATIC

DESCRIPTION = """\
Issue, exchange and verify digitally signed university diplomas.

Diplomas are W3C Verifiable Credentials 2.0 in the Open Badges 3.0 AchievementCredential shape,
signed with Data Integrity `eddsa-jcs-2022` by the issuing university's did:web key.
Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code`.
"""


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """Build the application. The schema must already be migrated (``diploma-exchange db upgrade``)."""
    settings = settings or get_settings()
    # Requests nobody authenticated are audited as anonymous (``serve`` runs in the CLI's
    # process, whose default actor is the operator).
    audit.set_default_actor("anonymous")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Checkpoints every few seconds while diplomas are logged, and the witnesses' turn.
        publisher = Publisher(app.state.engine, settings)
        publisher.start()
        try:
            yield
        finally:
            publisher.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="diploma-exchange",
        version=__version__,
        description=DESCRIPTION,
        license_info={"name": "Apache-2.0", "identifier": "Apache-2.0"},
        # /docs is served below from vendored files (works offline); ReDoc needs a CDN: none.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine or make_engine(settings.database_url)
    app.state.read_engine = (
        make_engine(settings.database_read_url) if settings.database_read_url else app.state.engine
    )
    app.state.remote = RemoteLookups.from_settings(settings)
    app.state.rate_limiter = make_rate_limiter(settings, app.state.engine)
    problems.install(app)
    problem_docs.document_problems(app)
    openapi_doc.describe(app, settings)
    app.add_middleware(NulCharacterMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        # A multipart upload carries the file plus a few small fields.
        path_limits={
            "/verify": settings.max_upload_bytes + 64 * 1024,
            # Files of any format (PDF diplomas, photos of QR codes, baked badges); a JSON
            # body is still held to max_body_bytes by the strict parser.
            "/v1/verifications": settings.max_upload_bytes + 64 * 1024,
        },
    )
    # Added last, so it runs first: an over-limit client is refused before its body is read.
    app.add_middleware(
        AbuseLimitMiddleware, settings=settings, limiter=lambda: app.state.rate_limiter
    )
    for module in (
        meta,
        institutions,
        diplomas,
        status_lists,
        trust,
        recognition,
        vcapi,
        verifications,
        audit_routes,
        transparency,
        oid4vci,
        oid4vp,
        exchanges,
    ):
        app.include_router(module.router)
    app.include_router(vcapi.presentations)
    app.include_router(oid4vp.wallet_side)
    app.include_router(pages.router)
    app.include_router(wallet_pages.router)
    app.include_router(presentation_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _offline_docs(app)
    return app


def _offline_docs(app: FastAPI) -> None:
    """Swagger UI at /docs from this package's own copy (web/static/vendor/swagger-ui)."""
    vendor = "/static/vendor/swagger-ui"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="diploma-exchange API",
            swagger_js_url=f"{vendor}/swagger-ui-bundle.js",
            swagger_css_url=f"{vendor}/swagger-ui.css",
            swagger_favicon_url=f"{vendor}/favicon-32x32.png",
            oauth2_redirect_url="/docs/oauth2-redirect",
            # no badge from the online validator: nothing is loaded from elsewhere
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()
