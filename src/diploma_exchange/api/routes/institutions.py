"""Registration of institutions and API keys (NIC administrator)."""

from __future__ import annotations

import json

from fastapi import APIRouter

from diploma_exchange.api.deps import AdminPrincipal, CurrentPrincipal, SessionDep, SettingsDep
from diploma_exchange.api.limits import StrictJsonRoute
from diploma_exchange.api.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    InstitutionCreate,
    InstitutionCreated,
    InstitutionPublic,
)
from diploma_exchange.config import Settings
from diploma_exchange.db.models import InstitutionRecord
from diploma_exchange.errors import Forbidden
from diploma_exchange.services import institutions

router = APIRouter(prefix="/v1/institutions", tags=["institutions"], route_class=StrictJsonRoute)


def to_public(record: InstitutionRecord, settings: Settings) -> InstitutionPublic:
    path = "/.well-known/did.json" if record.kind == "nic" else f"/institutions/{record.slug}/did.json"
    return InstitutionPublic(
        slug=record.slug,
        did=record.did,
        name=record.name,
        name_translations=json.loads(record.name_translations),
        country_code=record.country_code,
        url=record.url,
        kind=record.kind,
        active=record.active,
        did_document_url=settings.public_base_url.rstrip("/") + path,
    )


@router.post("", status_code=201, response_model=InstitutionCreated, operation_id="createInstitution")
def create_institution(
    body: InstitutionCreate, session: SessionDep, settings: SettingsDep, _admin: AdminPrincipal
) -> InstitutionCreated:
    """Register a university: creates its did:web, a signing key and a first API key (shown once)."""
    record, _key = institutions.register_institution(
        session,
        settings,
        slug=body.slug,
        name=body.name,
        name_translations=body.name_translations,
        country_code=body.country_code,
        url=body.url,
    )
    key_record, token = institutions.create_api_key(
        session, role=institutions.ROLE_INSTITUTION, institution=record, label="initial key"
    )
    return InstitutionCreated(
        institution=to_public(record, settings),
        api_key=ApiKeyCreated(id=key_record.id, label=key_record.label, api_key=token),
    )


@router.get("", response_model=list[InstitutionPublic], operation_id="listInstitutions")
def list_institutions(session: SessionDep, settings: SettingsDep) -> list[InstitutionPublic]:
    """All institutions registered with this service (public)."""
    return [to_public(r, settings) for r in institutions.list_institutions(session)]


@router.get("/{slug}", response_model=InstitutionPublic, operation_id="getInstitution")
def get_institution(slug: str, session: SessionDep, settings: SettingsDep) -> InstitutionPublic:
    """One institution (public)."""
    return to_public(institutions.get_institution(session, slug), settings)


@router.post(
    "/{slug}/api-keys", status_code=201, response_model=ApiKeyCreated, operation_id="createApiKey"
)
def create_api_key(
    slug: str, body: ApiKeyCreate, session: SessionDep, principal: CurrentPrincipal
) -> ApiKeyCreated:
    """A new API key for the institution (its own key or the NIC admin may ask); shown once."""
    record = institutions.get_institution(session, slug)
    own = principal.institution is not None and principal.institution.id == record.id
    if not (principal.is_admin or own):
        raise Forbidden("only the institution itself or the NIC administrator can create its keys")
    key_record, token = institutions.create_api_key(
        session, role=institutions.ROLE_INSTITUTION, institution=record, label=body.label
    )
    return ApiKeyCreated(id=key_record.id, label=key_record.label, api_key=token)
