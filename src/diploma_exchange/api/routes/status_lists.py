"""Published status lists, and revoking / suspending / reinstating diplomas."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import Field

from diploma_exchange.api.deps import InstitutionPrincipal, ReadSessionDep, SessionDep, SettingsDep
from diploma_exchange.api.limits import StrictJsonRoute
from diploma_exchange.api.problem_docs import problem_responses
from diploma_exchange.api.schemas import ApiModel, UtcDateTime
from diploma_exchange.db.models import StatusEventRecord, utcnow_seconds
from diploma_exchange.services import status

router = APIRouter(route_class=StrictJsonRoute)


def etag_matches(if_none_match: str, tag: str) -> bool:
    """RFC 9110 §13.1.2 weak comparison: ``*`` matches, and ``W/"x"`` equals ``"x"`` (proxies
    that compress responses weaken ETags)."""
    candidates = [t.strip() for t in if_none_match.split(",") if t.strip()]
    return "*" in candidates or tag in [c.removeprefix("W/") for c in candidates]


#: Short enough that a revocation reaches relying parties quickly, long enough to absorb
#: bursts; conditional requests (ETag) make revalidation cheap.
LIST_CACHE_CONTROL = "public, max-age=60, must-revalidate"


@router.get(
    "/status-lists/{list_id}",
    tags=["status"],
    operation_id="getStatusList",
    response_class=JSONResponse,
    responses={
        200: {
            "content": {"application/vc": {}},
            "description": "A signed BitstringStatusListCredential",
        },
        304: {"description": "Not modified (If-None-Match matched the ETag)"},
    },
)
def get_status_list(
    list_id: str, request: Request, session: ReadSessionDep, settings: SettingsDep
) -> Response:
    """A signed BitstringStatusListCredential (GZIP + multibase base64url encodedList), valid
    for a day (``validUntil``) and re-signed when half of that has passed."""
    record = status.get_list(session, list_id)
    if status.list_needs_refresh(record, settings, utcnow_seconds()):
        # The rare write of a read route: on the primary, in its own transaction.
        status.refresher(request.app.state.engine, settings)(list_id)
        session.expire(record)
        record = status.get_list(session, list_id)
    tag = status.etag(record)
    headers = {"ETag": tag, "Cache-Control": LIST_CACHE_CONTROL}
    if etag_matches(request.headers.get("if-none-match", ""), tag):
        return Response(status_code=304, headers=headers)
    return Response(record.signed_credential, media_type="application/vc", headers=headers)


class StatusChangeCreate(ApiModel):
    action: Literal["revoke", "suspend", "reinstate"]
    reason_code: str = Field(alias="reasonCode", max_length=64, examples=["issued-in-error"])
    note: str | None = Field(default=None, max_length=2000)


class StatusEventPublic(ApiModel):
    id: str
    action: str
    reason_code: str = Field(alias="reasonCode")
    note: str | None
    created_at: UtcDateTime = Field(alias="createdAt")


class StatusChangePublic(ApiModel):
    credential_id: str = Field(alias="credentialId")
    state: Literal["active", "suspended", "revoked"]
    event: StatusEventPublic


def _event(event: StatusEventRecord) -> StatusEventPublic:
    return StatusEventPublic(
        id=event.id,
        action=event.action,
        reason_code=event.reason_code,
        note=event.note,
        created_at=event.created_at,
    )


@router.post(
    "/v1/diplomas/{credential_id}/status-changes",
    tags=["status"],
    status_code=201,
    response_model=StatusChangePublic,
    operation_id="changeDiplomaStatus",
    responses=problem_responses(409),
)
def change_status(
    credential_id: str,
    body: StatusChangeCreate,
    session: SessionDep,
    settings: SettingsDep,
    principal: InstitutionPrincipal,
) -> StatusChangePublic:
    """Revoke (final), suspend or reinstate a diploma you issued, with a reason code."""
    change = status.change_status(
        session,
        settings,
        principal,
        credential_id,
        body.action,
        reason_code=body.reason_code,
        note=body.note,
    )
    return StatusChangePublic(
        credential_id=change.credential_id, state=change.state, event=_event(change.event)
    )


@router.get(
    "/v1/diplomas/{credential_id}/status-changes",
    tags=["status"],
    response_model=list[StatusEventPublic],
    operation_id="listDiplomaStatusChanges",
)
def list_status_changes(
    credential_id: str, session: SessionDep, principal: InstitutionPrincipal
) -> list[StatusEventPublic]:
    """The append-only status history of a diploma you issued."""
    return [_event(e) for e in status.history(session, principal, credential_id)]
