"""Health, published contexts and schemas, and DID documents."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import text

from diploma_exchange import __version__
from diploma_exchange.api.deps import ReadSessionDep, SessionDep, SettingsDep, SlugPath
from diploma_exchange.api.limits import StrictJsonRoute
from diploma_exchange.api.problem_docs import problem_responses
from diploma_exchange.api.routes.status_lists import etag_matches
from diploma_exchange.api.schemas import Health
from diploma_exchange.credentials import contexts as bundled_contexts
from diploma_exchange.credentials import schema as credential_schema
from diploma_exchange.errors import NotFound
from diploma_exchange.services import institutions

router = APIRouter(route_class=StrictJsonRoute)


@router.get("/healthz", response_model=Health, tags=["meta"], operation_id="health")
def health(session: SessionDep) -> Health:
    """Liveness and database connectivity."""
    session.exec(text("SELECT 1"))  # type: ignore[call-overload]
    return Health(status="ok", database="ok", version=__version__)


#: The context is immutable once published (a change is a new version URL): caches may keep it
#: for a day and revalidate cheaply with its ETag.
CONTEXT_CACHE_CONTROL = "public, max-age=86400"


@router.get(
    "/contexts/diploma-exchange/v1",
    tags=["meta"],
    operation_id="getDiplomaContext",
    response_class=Response,
    responses={
        200: {"content": {"application/ld+json": {}}},
        304: {"description": "Not modified (If-None-Match matched the ETag)"},
    },
)
def diploma_context(request: Request) -> Response:
    """The project's JSON-LD context (canonical URL https://w3id.org/diploma-exchange/v1,
    which redirects here once registered: docs/w3id/), byte for byte the bundled file, so its
    ``digestSRI``/``digestMultibase`` (docs/deployment.md) are the
    digests of what a verifier fetches. CORS-readable, as browsers' verifiers fetch it."""
    url = bundled_contexts.DIPLOMA_CONTEXT_URL
    body = bundled_contexts.context_bytes(url)
    digests = bundled_contexts.context_digests(url)
    tag = f'"{digests["digestMultibase"]}"'
    headers = {
        "Cache-Control": CONTEXT_CACHE_CONTROL,
        "ETag": tag,
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Expose-Headers": "ETag",
        "Vary": "Accept-Encoding",
    }
    if etag_matches(request.headers.get("if-none-match", ""), tag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/ld+json", headers=headers)


@router.get(
    "/schemas/diploma-credential/v1.json",
    tags=["meta"],
    operation_id="getDiplomaSchema",
    response_class=JSONResponse,
    responses={200: {"content": {"application/schema+json": {}}}},
)
def diploma_schema() -> JSONResponse:
    """The JSON Schema (2020-12) every diploma credential conforms to."""
    return JSONResponse(
        credential_schema.json_schema(),
        media_type="application/schema+json",
        headers={"Cache-Control": "public, max-age=86400"},
    )


def _did_json(document: dict[str, Any]) -> JSONResponse:
    return JSONResponse(
        document,
        media_type="application/did+json",
        headers={"Cache-Control": "public, max-age=300"},
    )


@router.get(
    "/institutions/{slug}/did.json",
    tags=["dids"],
    operation_id="getInstitutionDidDocument",
    response_class=JSONResponse,
    responses={200: {"content": {"application/did+json": {}}}},
)
def institution_did_document(
    slug: SlugPath, session: ReadSessionDep, settings: SettingsDep
) -> JSONResponse:
    """The did:web DID document of a hosted institution."""
    record = institutions.get_institution(session, slug)
    if record.kind == "nic":
        raise NotFound(f"no institution with slug {slug!r}")
    return _did_json(institutions.did_document(session, record, settings))


@router.get(
    "/.well-known/did.json",
    tags=["dids"],
    operation_id="getNicDidDocument",
    response_class=JSONResponse,
    responses={200: {"content": {"application/did+json": {}}}, **problem_responses(404)},
)
def nic_did_document(session: ReadSessionDep, settings: SettingsDep) -> JSONResponse:
    """The did:web DID document of the NIC that operates this service."""
    record = institutions.find_institution_by_did(session, institutions.nic_did(settings))
    if record is None:
        raise NotFound("this service has no NIC identity yet")
    return _did_json(institutions.did_document(session, record, settings))


def _key_log(session: ReadSessionDep, record: Any) -> JSONResponse:
    return JSONResponse(
        {"controller": record.did, "entries": institutions.key_event_log(session, record)},
        headers={"Cache-Control": "public, max-age=60"},
    )


@router.get(
    "/institutions/{slug}/key-events", tags=["dids"], operation_id="getInstitutionKeyEvents"
)
def institution_key_events(slug: SlugPath, session: ReadSessionDep) -> JSONResponse:
    """The institution's hash-chained, NIC-signed key event log (added / retired / compromised)."""
    record = institutions.get_institution(session, slug)
    if record.kind == "nic":
        raise NotFound(f"no institution with slug {slug!r}")
    return _key_log(session, record)


@router.get(
    "/.well-known/key-events",
    tags=["dids"],
    operation_id="getNicKeyEvents",
    responses=problem_responses(404),
)
def nic_key_events(session: ReadSessionDep, settings: SettingsDep) -> JSONResponse:
    """The NIC's own key event log."""
    record = institutions.find_institution_by_did(session, institutions.nic_did(settings))
    if record is None:
        raise NotFound("this service has no NIC identity yet")
    return _key_log(session, record)


@router.get(
    "/.well-known/diploma-seal-ca.pem",
    tags=["meta"],
    operation_id="getDiplomaSealCa",
    response_class=Response,
    responses={200: {"content": {"application/pem-certificate-chain": {}}}},
)
def diploma_seal_ca(session: SessionDep, settings: SettingsDep) -> Response:
    """The NIC's CA certificates under which universities seal their PDF diplomas (PAdES):
    import one into a PDF reader as a trusted certificate to see the seals as trusted."""
    from cryptography.hazmat.primitives import serialization

    from diploma_exchange.services import documents

    certificates = documents.nic_ca_certificates(session, settings)
    if not certificates:
        raise NotFound("this service has no NIC seal certificate yet")
    body = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)
    return Response(
        body,
        media_type="application/pem-certificate-chain",
        headers={"Cache-Control": "public, max-age=3600"},
    )
