"""Registration of institutions and API keys (NIC administrator)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import Field

from diploma_exchange.api.deps import (
    AdminPrincipal,
    CurrentPrincipal,
    RecordIdPath,
    SessionDep,
    SettingsDep,
    SlugPath,
)
from diploma_exchange.api.limits import StrictJsonRoute
from diploma_exchange.api.problem_docs import problem_responses
from diploma_exchange.api.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiModel,
    InstitutionCreate,
    InstitutionCreated,
    InstitutionPublic,
    KeyTypeName,
    SignatoriesUpdate,
    UtcDateTime,
)
from diploma_exchange.config import Settings
from diploma_exchange.db.models import InstitutionKeyRecord, InstitutionRecord
from diploma_exchange.errors import Forbidden
from diploma_exchange.proofs.keys import KeyType
from diploma_exchange.services import institutions

router = APIRouter(prefix="/v1/institutions", tags=["institutions"], route_class=StrictJsonRoute)


def to_public(record: InstitutionRecord, settings: Settings) -> InstitutionPublic:
    path = (
        "/.well-known/did.json" if record.kind == "nic" else f"/institutions/{record.slug}/did.json"
    )
    return InstitutionPublic(
        slug=record.slug,
        did=record.did,
        name=record.name,
        name_translations=json.loads(record.name_translations),
        signatories=list(institutions.signatories_of(record)),
        country_code=record.country_code,
        url=record.url,
        kind=record.kind,
        active=record.active,
        did_document_url=settings.public_base_url.rstrip("/") + path,
        key_type=institutions.issuing_key_type(record).value,
    )


@router.post(
    "",
    status_code=201,
    response_model=InstitutionCreated,
    operation_id="createInstitution",
    responses=problem_responses(409),
)
def create_institution(
    body: InstitutionCreate, session: SessionDep, settings: SettingsDep, _admin: AdminPrincipal
) -> InstitutionCreated:
    """Register a university: its did:web, signing keys (keyType) and a first API key (shown once)."""
    record, _key = institutions.register_institution(
        session,
        settings,
        slug=body.slug,
        name=body.name,
        name_translations=body.name_translations,
        country_code=body.country_code,
        url=body.url,
        signatories=body.signatories,
        key_type=KeyType(body.key_type),
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
def get_institution(
    slug: SlugPath, session: SessionDep, settings: SettingsDep
) -> InstitutionPublic:
    """One institution (public)."""
    return to_public(institutions.get_institution(session, slug), settings)


@router.put("/{slug}/signatories", response_model=InstitutionPublic, operation_id="setSignatories")
def set_signatories(
    slug: SlugPath,
    body: SignatoriesUpdate,
    session: SessionDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
) -> InstitutionPublic:
    """Name the officials who sign the institution's diplomas (the institution itself or the
    NIC administrator): printed in the PDF diploma's signatory block and the Diploma
    Supplement's section 7 from now on; signed credentials do not change."""
    record = institutions.get_institution(session, slug)
    own = principal.institution is not None and principal.institution.id == record.id
    if not (principal.is_admin or own):
        raise Forbidden(
            "only the institution itself or the NIC administrator can name its signatories"
        )
    return to_public(institutions.set_signatories(session, record, body.signatories), settings)


@router.post(
    "/{slug}/api-keys", status_code=201, response_model=ApiKeyCreated, operation_id="createApiKey"
)
def create_api_key(
    slug: SlugPath, body: ApiKeyCreate, session: SessionDep, principal: CurrentPrincipal
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


class KeyPublic(ApiModel):
    id: str = Field(description="The verification method id (DID URL).")
    public_key_multibase: str = Field(alias="publicKeyMultibase")
    key_type: KeyTypeName = Field(
        alias="keyType", description="Ed25519 (EdDSA suites) or P-256/P-384 (ECDSA suites)."
    )
    status: Literal["active", "retired", "compromised"]
    created_at: UtcDateTime = Field(alias="createdAt")
    retired_at: UtcDateTime | None = Field(alias="retiredAt")
    compromised_at: UtcDateTime | None = Field(alias="compromisedAt")


class KeyRotate(ApiModel):
    note: str | None = Field(default=None, max_length=2000)
    key_type: KeyTypeName | None = Field(
        default=None,
        alias="keyType",
        description="The type of the new key; its active keys of that type are retired. "
        "Default: the institution's issuing key type.",
    )


class KeyCompromise(ApiModel):
    compromised_at: datetime = Field(
        alias="compromisedAt", description="From this moment on, signatures by the key are invalid."
    )
    note: str | None = Field(default=None, max_length=2000)


def _key_public(record: InstitutionRecord, key: InstitutionKeyRecord) -> KeyPublic:
    return KeyPublic(
        id=f"{record.did}#{key.key_id}",
        public_key_multibase=key.public_key_multibase,
        key_type=institutions.key_type_of(key).value,
        status=key.status,
        created_at=key.created_at,
        retired_at=key.retired_at,
        compromised_at=key.compromised_at,
    )


def _own_or_admin(session: SessionDep, slug: str, principal: CurrentPrincipal) -> InstitutionRecord:
    record = institutions.get_institution(session, slug)
    own = principal.institution is not None and principal.institution.id == record.id
    if not (principal.is_admin or own):
        raise Forbidden("only the institution itself or the NIC administrator can manage its keys")
    return record


@router.get("/{slug}/keys", response_model=list[KeyPublic], operation_id="listInstitutionKeys")
def list_keys(slug: SlugPath, session: SessionDep) -> list[KeyPublic]:
    """The institution's keys with their lifecycle (public)."""
    record = institutions.get_institution(session, slug)
    return [_key_public(record, k) for k in institutions.institution_keys(session, record)]


@router.post(
    "/{slug}/keys/rotate",
    status_code=201,
    response_model=KeyPublic,
    operation_id="rotateInstitutionKey",
)
def rotate_key(
    slug: SlugPath,
    body: KeyRotate,
    session: SessionDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
) -> KeyPublic:
    """Add a new signing key and retire the current one (it keeps verifying what it signed)."""
    record = _own_or_admin(session, slug, principal)
    kind = KeyType(body.key_type) if body.key_type else None
    return _key_public(
        record, institutions.rotate_key(session, settings, record, note=body.note, key_type=kind)
    )


@router.post(
    "/{slug}/keys/{key_id}/compromise",
    response_model=KeyPublic,
    operation_id="markInstitutionKeyCompromised",
    responses=problem_responses(409),
)
def compromise_key(
    slug: SlugPath,
    key_id: RecordIdPath,
    body: KeyCompromise,
    session: SessionDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
) -> KeyPublic:
    """Mark a key compromised from a moment on: what it signed after that is invalid."""
    record = _own_or_admin(session, slug, principal)
    key = institutions.compromise_key(
        session, settings, record, key_id, compromised_at=body.compromised_at, note=body.note
    )
    return _key_public(record, key)
