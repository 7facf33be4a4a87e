"""Published status lists, and revoking / suspending / reinstating diplomas."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import Field

from diploma_exchange.api.deps import (
    CredentialIdPath,
    InstitutionPrincipal,
    ReadSessionDep,
    RecordIdPath,
    SessionDep,
    SettingsDep,
)
from diploma_exchange.api.limits import StrictJsonRoute
from diploma_exchange.api.problem_docs import problem_responses
from diploma_exchange.api.problems import problem
from diploma_exchange.api.schemas import ApiModel, UtcDateTime
from diploma_exchange.db.models import StatusEventRecord, utcnow_seconds
from diploma_exchange.services import status

router = APIRouter(route_class=StrictJsonRoute)


def etag_matches(if_none_match: str, tag: str) -> bool:
    """RFC 9110 §13.1.2 weak comparison: ``*`` matches, and ``W/"x"`` equals ``"x"`` (proxies
    that compress responses weaken ETags)."""
    candidates = [t.strip() for t in if_none_match.split(",") if t.strip()]
    return "*" in candidates or tag in [c.removeprefix("W/") for c in candidates]


#: The media types a status list credential is served as (the same bytes, the same ETag):
#: VC 2.0 §6.2 ``application/vc``, the VC-JOSE-COSE/VC 1.1 ``application/vc+ld+json``, and
#: plain JSON-LD / JSON for clients that know no other (the W3C suites' HTTP client).
STATUS_LIST_MEDIA_TYPES: tuple[str, ...] = (
    "application/vc",
    "application/vc+ld+json",
    "application/ld+json",
    "application/json",
)


def negotiate(accept: str | None, offered: tuple[str, ...]) -> str | None:
    """RFC 9110 §12.5.1 proactive negotiation: the offered type the ``Accept`` header prefers
    (highest q, then the most specific range, then our order); the first offered type when
    there is no header; ``None`` when nothing offered is acceptable. Media type parameters
    other than ``q`` (e.g. a JSON-LD ``profile``) do not restrict the match."""
    if accept is None or not accept.strip():
        return offered[0]
    ranges: list[tuple[str, float]] = []
    for part in accept.split(",")[:64]:
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
        ranges.append((media, q))
    best: tuple[float, int, int, str] | None = None
    for index, media_type in enumerate(offered):
        kind = media_type.split("/", 1)[0]
        # the most specific range that matches decides this type's q (RFC 9110 §12.5.1)
        matches = [
            (specificity, q)
            for media, q in ranges
            for specificity in [2 if media == media_type else 1 if media == f"{kind}/*" else 0]
            if media in (media_type, f"{kind}/*", "*/*")
        ]
        if not matches:
            continue
        specificity, q = max(matches)
        if q <= 0:
            continue
        candidate = (q, specificity, -index, media_type)
        if best is None or candidate > best:
            best = candidate
    return best[3] if best else None


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
            "content": {media: {} for media in STATUS_LIST_MEDIA_TYPES},
            "description": "A signed BitstringStatusListCredential (the same document and ETag "
            "whichever of the media types the Accept header prefers)",
        },
        304: {"description": "Not modified (If-None-Match matched the ETag)"},
        **problem_responses(406),
    },
)
def get_status_list(
    list_id: RecordIdPath, request: Request, session: ReadSessionDep, settings: SettingsDep
) -> Response:
    """A signed BitstringStatusListCredential (GZIP + multibase base64url encodedList), valid
    for a day (``validUntil``) and re-signed when half of that has passed. Served as
    `application/vc` (default), `application/vc+ld+json`, `application/ld+json` or
    `application/json` as the Accept header prefers; 406 for anything else."""
    media_type = negotiate(request.headers.get("accept"), STATUS_LIST_MEDIA_TYPES)
    if media_type is None:
        return problem(
            406,
            "not-acceptable",
            "a status list is served as " + ", ".join(STATUS_LIST_MEDIA_TYPES),
            instance=request.url.path,
            headers={"Vary": "Accept"},
            acceptable=list(STATUS_LIST_MEDIA_TYPES),
        )
    record = status.get_list(session, list_id)
    if status.list_needs_refresh(record, settings, utcnow_seconds()):
        # The rare write of a read route: on the primary, in its own transaction.
        status.refresher(request.app.state.engine, settings)(list_id)
        session.expire(record)
        record = status.get_list(session, list_id)
    tag = status.etag(record)
    headers = {"ETag": tag, "Cache-Control": LIST_CACHE_CONTROL, "Vary": "Accept"}
    if etag_matches(request.headers.get("if-none-match", ""), tag):
        return Response(status_code=304, headers=headers)
    return Response(record.signed_credential, media_type=media_type, headers=headers)


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
    credential_id: CredentialIdPath,
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
    credential_id: CredentialIdPath, session: SessionDep, principal: InstitutionPrincipal
) -> list[StatusEventPublic]:
    """The append-only status history of a diploma you issued."""
    return [_event(e) for e in status.history(session, principal, credential_id)]
