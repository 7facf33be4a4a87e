"""The audit log, for the NIC administrator: entries (filtered) and a verification of the
whole chain. The same as ``diploma-exchange audit show`` / ``audit verify``."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field

from diploma_exchange.api.deps import AdminPrincipal, ReadSessionDep
from diploma_exchange.api.limits import StrictJsonRoute
from diploma_exchange.api.schemas import ApiModel, UtcDateTime
from diploma_exchange.services import audit

router = APIRouter(route_class=StrictJsonRoute, tags=["audit"])


class AuditObject(ApiModel):
    type: str
    id: str


class AuditEntryPublic(ApiModel):
    seq: int = Field(description="Position in the chain, from 1, without gaps.")
    at: UtcDateTime
    actor: str = Field(
        description="Who acted: `institution:<slug>/api-key:<id>`, `admin/api-key:<id>`, "
        "`graduate:<diploma>/session:<id>`, `cli:<user>@<host>` or `anonymous`."
    )
    action: str = Field(examples=["diploma.revoke"])
    object: AuditObject
    details: dict[str, Any]
    prev_sha256: str = Field(alias="prevSha256")
    sha256: str


class ChainProblemPublic(ApiModel):
    seq: int
    code: str
    message: str


class AuditVerification(ApiModel):
    intact: bool
    entries: int
    head_seq: int = Field(alias="headSeq")
    head_sha256: str = Field(alias="headSha256")
    problems: list[ChainProblemPublic]


@router.get("/v1/audit-log", response_model=list[AuditEntryPublic], operation_id="listAuditLog")
def list_audit_log(
    _admin: AdminPrincipal,
    session: ReadSessionDep,
    object_id: Annotated[str | None, Query(alias="objectId", max_length=255)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    # Bounded by the column (INTEGER): a larger number was a database error (a 500).
    after: Annotated[int, Query(ge=0, le=2**31 - 1, description="Entries after this number.")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditEntryPublic]:
    """Audit entries in chain order (page with `after`), optionally for one object or action."""
    rows = audit.entries(session, object_id=object_id, action=action, after=after, limit=limit)
    return [
        AuditEntryPublic(
            seq=r.seq,
            at=r.at,
            actor=r.actor,
            action=r.action,
            object=AuditObject(type=r.object_type, id=r.object_id),
            details=json.loads(r.details),
            prev_sha256=r.prev_sha256,
            sha256=r.entry_sha256,
        )
        for r in rows
    ]


@router.get(
    "/v1/audit-log/verification",
    response_model=AuditVerification,
    operation_id="verifyAuditLog",
)
def verify_audit_log(
    _admin: AdminPrincipal,
    session: ReadSessionDep,
    anchor: Annotated[
        str | None,
        Query(
            description="SEQ:SHA256 of an entry recorded earlier outside this database.",
            max_length=100,
        ),
    ] = None,
) -> AuditVerification:
    """Re-derive the whole chain: `intact` is false if any entry was edited, reordered or
    deleted (and, with an anchor, if the log was rewritten since)."""
    expected = audit.parse_anchor(anchor) if anchor is not None else None
    report = audit.verify_chain(session, anchor=expected)
    return AuditVerification(
        intact=report.intact,
        entries=report.entries,
        head_seq=report.head_seq or 0,
        head_sha256=report.head_sha256 or audit.GENESIS,
        problems=[
            ChainProblemPublic(seq=p.seq, code=p.code, message=p.message) for p in report.problems
        ],
    )
