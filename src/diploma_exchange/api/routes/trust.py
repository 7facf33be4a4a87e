"""Accreditation (NIC administrator), this NIC's trust list, and partner NICs' trust lists."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import Field, StringConstraints

from diploma_exchange.api.deps import (
    AdminPrincipal,
    RecordIdPath,
    RemoteDep,
    SessionDep,
    SettingsDep,
    SlugPath,
    json_body,
)
from diploma_exchange.api.limits import StrictJsonRoute
from diploma_exchange.api.problem_docs import problem_responses
from diploma_exchange.api.routes.status_lists import etag_matches
from diploma_exchange.api.schemas import ApiModel, UtcDateTime
from diploma_exchange.db.models import PartnerNicRecord, TrustListSnapshotRecord
from diploma_exchange.errors import InvalidInput
from diploma_exchange.services import institutions, trust
from diploma_exchange.services.verification import safe_fetcher
from diploma_exchange.trust.accreditation import Scope

router = APIRouter(route_class=StrictJsonRoute)

TRUST_LIST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "object", "description": "A partner NIC's signed trust list."}
            }
        },
    }
}


class ScopeIn(ApiModel):
    isced_levels: list[Annotated[str, StringConstraints(pattern=r"^[0-9]{1,3}$")]] = Field(
        default_factory=list, alias="iscedLevels", max_length=30, examples=[["6", "7", "8"]]
    )
    isced_fields: list[Annotated[str, StringConstraints(pattern=r"^[0-9]{2,4}$")]] = Field(
        default_factory=list, alias="iscedFields", max_length=200, examples=[["06", "0533"]]
    )
    programme_codes: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] = Field(
        default_factory=list, alias="programmeCodes", max_length=1000
    )


class AccreditationCreate(ApiModel):
    status: Literal["accredited", "conditional"] = "accredited"
    scope: ScopeIn = Field(
        default_factory=ScopeIn, description="Empty lists mean any level / field / programme."
    )
    accrediting_body: str = Field(
        alias="accreditingBody", min_length=1, max_length=255, examples=["IAAR"]
    )
    valid_from: datetime = Field(alias="validFrom")
    valid_until: datetime | None = Field(default=None, alias="validUntil")


class AccreditationWithdraw(ApiModel):
    withdrawn_at: datetime = Field(alias="withdrawnAt")
    reason: str = Field(default="", max_length=500)


@router.post(
    "/v1/institutions/{slug}/accreditations",
    tags=["trust"],
    status_code=201,
    response_model=dict[str, Any],
    operation_id="accreditInstitution",
)
def accredit(
    slug: SlugPath,
    body: AccreditationCreate,
    session: SessionDep,
    settings: SettingsDep,
    _admin: AdminPrincipal,
) -> dict[str, Any]:
    """Issue a signed accreditation record (NIC administrator); returns the credential."""
    record = institutions.get_institution(session, slug)
    row = trust.accredit(
        session,
        settings,
        record,
        scope=Scope(
            tuple(body.scope.isced_levels),
            tuple(body.scope.isced_fields),
            tuple(body.scope.programme_codes),
        ),
        accrediting_body=body.accrediting_body,
        valid_from=body.valid_from,
        valid_until=body.valid_until,
        status=body.status,
    )
    loaded: dict[str, Any] = json.loads(row.document)
    return loaded


@router.post(
    "/v1/institutions/{slug}/accreditations/withdraw",
    tags=["trust"],
    status_code=201,
    response_model=dict[str, Any],
    operation_id="withdrawAccreditation",
    responses=problem_responses(409),
)
def withdraw(
    slug: SlugPath,
    body: AccreditationWithdraw,
    session: SessionDep,
    settings: SettingsDep,
    _admin: AdminPrincipal,
) -> dict[str, Any]:
    """Withdraw an accreditation from a moment on (a new signed record; history is kept)."""
    record = institutions.get_institution(session, slug)
    row = trust.withdraw(session, settings, record, at=body.withdrawn_at, reason=body.reason)
    loaded: dict[str, Any] = json.loads(row.document)
    return loaded


@router.get(
    "/v1/institutions/{slug}/accreditations",
    tags=["trust"],
    response_model=list[dict[str, Any]],
    operation_id="listAccreditations",
)
def accreditation_history(slug: SlugPath, session: SessionDep) -> list[dict[str, Any]]:
    """The institution's signed accreditation records, oldest first (public)."""
    return trust.accreditation_documents(session, institutions.get_institution(session, slug))


@router.get(
    "/trust-list",
    tags=["trust"],
    operation_id="getTrustList",
    responses={
        200: {
            "content": {"application/vc": {}},
            "description": "This NIC's signed TrustListCredential",
        }
    },
)
def trust_list(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """This NIC's signed trust list: the institutions it vouches for, their keys and accreditations."""
    document = trust.publish_trust_list(session, settings)
    tag = f'"trust-list-{document["credentialSubject"]["sequenceNumber"]}"'
    headers = {"ETag": tag, "Cache-Control": "public, max-age=300, must-revalidate"}
    if etag_matches(request.headers.get("if-none-match", ""), tag):
        return Response(status_code=304, headers=headers)
    return Response(
        json.dumps(document, ensure_ascii=False), media_type="application/vc", headers=headers
    )


class PartnerCreate(ApiModel):
    did: str = Field(max_length=255)
    name: str = Field(min_length=1, max_length=255)
    country_code: str = Field(alias="countryCode", pattern=r"^[A-Z]{2}$")
    public_key_multibase: str = Field(
        alias="publicKeyMultibase",
        max_length=128,
        pattern=r"^z[1-9A-HJ-NP-Za-km-z]+$",
        description="The partner NIC's Ed25519 Multikey, exchanged out of band.",
    )
    trust_list_url: str | None = Field(default=None, alias="trustListUrl", max_length=500)


class SnapshotPublic(ApiModel):
    id: str
    sequence_number: int = Field(alias="sequenceNumber")
    fetched_from: str = Field(alias="fetchedFrom")
    fetched_at: UtcDateTime = Field(alias="fetchedAt")
    next_update: UtcDateTime = Field(alias="nextUpdate")
    current: bool
    sha256: str


class PartnerPublic(ApiModel):
    id: str
    did: str
    name: str
    country_code: str = Field(alias="countryCode")
    public_key_multibase: str = Field(alias="publicKeyMultibase")
    trust_list_url: str | None = Field(alias="trustListUrl")
    snapshots: list[SnapshotPublic]


def _snapshot(row: TrustListSnapshotRecord) -> SnapshotPublic:
    return SnapshotPublic(
        id=row.id,
        sequence_number=row.sequence_number,
        fetched_from=row.fetched_from,
        fetched_at=row.fetched_at,
        next_update=row.next_update,
        current=row.current,
        sha256=row.document_sha256,
    )


def _partner(session: SessionDep, row: PartnerNicRecord) -> PartnerPublic:
    return PartnerPublic(
        id=row.id,
        did=row.did,
        name=row.name,
        country_code=row.country_code,
        public_key_multibase=row.public_key_multibase,
        trust_list_url=row.trust_list_url,
        snapshots=[_snapshot(s) for s in trust.snapshots(session, row)],
    )


@router.post(
    "/v1/partners",
    tags=["trust"],
    status_code=201,
    response_model=PartnerPublic,
    operation_id="addPartnerNic",
    responses=problem_responses(409),
)
def add_partner(body: PartnerCreate, session: SessionDep, _admin: AdminPrincipal) -> PartnerPublic:
    """Configure a partner NIC (DID and key from an out-of-band exchange)."""
    row = trust.add_partner(
        session,
        did=body.did,
        name=body.name,
        country_code=body.country_code,
        public_key_multibase=body.public_key_multibase,
        trust_list_url=body.trust_list_url,
    )
    return _partner(session, row)


@router.get(
    "/v1/partners",
    tags=["trust"],
    response_model=list[PartnerPublic],
    operation_id="listPartnerNics",
)
def list_partners(session: SessionDep, _admin: AdminPrincipal) -> list[PartnerPublic]:
    """Configured partner NICs and their imported trust list snapshots."""
    return [_partner(session, p) for p in trust.list_partners(session)]


@router.delete(
    "/v1/partners/{partner_id}", tags=["trust"], status_code=204, operation_id="removePartnerNic"
)
def remove_partner(
    partner_id: RecordIdPath, session: SessionDep, _admin: AdminPrincipal
) -> Response:
    """Remove a partner NIC and its snapshots: its institutions are no longer trusted."""
    trust.remove_partner(session, trust.get_partner(session, partner_id))
    return Response(status_code=204)


@router.post(
    "/v1/partners/{partner_id}/trust-list",
    tags=["trust"],
    status_code=201,
    response_model=SnapshotPublic,
    operation_id="importPartnerTrustList",
    responses=problem_responses(409),
    openapi_extra=TRUST_LIST_BODY,
)
def import_trust_list(
    partner_id: RecordIdPath,
    document: Annotated[Any, Depends(json_body)],
    session: SessionDep,
    _admin: AdminPrincipal,
) -> SnapshotPublic:
    """Import a partner's trust list uploaded as JSON; its signature must verify with the configured key."""
    if not isinstance(document, dict):
        raise InvalidInput("the trust list must be a JSON object")
    partner = trust.get_partner(session, partner_id)
    return _snapshot(trust.import_trust_list(session, partner, document, fetched_from="upload"))


@router.post(
    "/v1/partners/{partner_id}/refresh",
    tags=["trust"],
    status_code=201,
    response_model=SnapshotPublic,
    operation_id="refreshPartnerTrustList",
    responses=problem_responses(409),
)
def refresh_trust_list(
    partner_id: RecordIdPath,
    session: SessionDep,
    settings: SettingsDep,
    _admin: AdminPrincipal,
    _remote: RemoteDep,
) -> SnapshotPublic:
    """Fetch the partner's trust list from its URL (through the safe fetcher) and import it."""
    fetcher = safe_fetcher(settings, max_bytes=max(settings.fetch_max_bytes, 16 * 1024 * 1024))
    return _snapshot(
        trust.refresh_trust_list(session, trust.get_partner(session, partner_id), fetcher)
    )
