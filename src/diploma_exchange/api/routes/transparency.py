"""The issuance transparency log: C2SP checkpoint and tiles (static, cacheable), proofs,
diploma bundles, the witness protocol, and the NIC's monitor."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import Field

from diploma_exchange.api.deps import (
    AdminPrincipal,
    CredentialIdPath,
    CurrentPrincipal,
    InstitutionPrincipal,
    ReadSessionDep,
    SessionDep,
    SettingsDep,
)
from diploma_exchange.api.limits import StrictJsonRoute
from diploma_exchange.api.problem_docs import problem_responses
from diploma_exchange.api.schemas import ApiModel, UtcDateTime
from diploma_exchange.db.models import as_utc, utcnow
from diploma_exchange.errors import Forbidden, InvalidInput, NotFound
from diploma_exchange.services import institutions, issuance, transparency
from diploma_exchange.transparency import tiles
from diploma_exchange.transparency.witness import Outcome

router = APIRouter(route_class=StrictJsonRoute, tags=["transparency"])

#: c2sp.org/tlog-tiles: the checkpoint is mutable (cache a few seconds at most); tiles and
#: entry bundles, full or partial, never change once served.
CHECKPOINT_CACHE = "public, max-age=2, must-revalidate"
IMMUTABLE_CACHE = "public, max-age=31536000, immutable"
TEXT = "text/plain; charset=utf-8"
OCTETS = "application/octet-stream"
#: On-demand checkpoints (a bundle for a diploma issued a moment ago) at most this often;
#: the publisher makes one every few seconds anyway.
ON_DEMAND_INTERVAL = timedelta(seconds=1)
MAX_SIZE = (1 << 63) - 1


def _b64(items: list[bytes]) -> list[str]:
    return [base64.b64encode(h).decode() for h in items]


@router.get(
    "/log/checkpoint",
    operation_id="getLogCheckpoint",
    response_class=Response,
    responses={200: {"description": "The signed checkpoint", "content": {TEXT: {}}}},
)
def get_checkpoint(session: SessionDep, settings: SettingsDep) -> Response:
    """The latest signed checkpoint with its witnesses' cosignatures (c2sp.org/tlog-checkpoint)."""
    note = transparency.current_checkpoint(session, settings)
    return Response(note, media_type=TEXT, headers={"Cache-Control": CHECKPOINT_CACHE})


@router.get(
    "/log/tile/{level}/{rest:path}",
    operation_id="getLogTile",
    response_class=Response,
    responses={
        200: {"description": "A tile or an entry bundle", "content": {OCTETS: {}}},
        **problem_responses(404),
    },
)
def get_tile(level: str, rest: str, session: ReadSessionDep) -> Response:
    """A Merkle tree tile `tile/<L>/<N>[.p/<W>]` or an entry bundle `tile/entries/<N>[.p/<W>]`
    (c2sp.org/tlog-tiles)."""
    ref = tiles.parse_tile_path(level, rest)
    data = (
        transparency.read_entry_bundle(session, ref)
        if ref.level is None
        else transparency.read_tile(session, ref)
    )
    return Response(data, media_type=OCTETS, headers={"Cache-Control": IMMUTABLE_CACHE})


class WitnessPublic(ApiModel):
    vkey: str = Field(description="The witness's cosignature/v1 verifier key.")
    url: str = Field(description="The witness's submission prefix.")
    partner_did: str | None = Field(default=None, alias="partnerDid")
    last_size: int = Field(default=0, alias="lastSize")
    last_error: str | None = Field(default=None, alias="lastError")


class LogInfo(ApiModel):
    origin: str = Field(examples=["diplomas.example.kz/log"])
    vkey: str = Field(description="The checkpoint key as a C2SP signed-note verifier key.")
    tiles_prefix: str = Field(alias="tilesPrefix", description="The c2sp.org/tlog-tiles prefix.")
    witness_name: str = Field(alias="witnessName")
    witness_vkey: str = Field(alias="witnessVkey", description="This service's witness key.")
    witness_prefix: str = Field(alias="witnessPrefix", description="Its submission prefix.")
    witnesses: list[WitnessPublic] = Field(description="The witnesses of this log.")


@router.get("/log/v1/info", response_model=LogInfo, operation_id="getLogInfo")
def get_log_info(session: SessionDep, settings: SettingsDep) -> LogInfo:
    """Where the log is and which keys sign its checkpoints and this service's cosignatures."""
    base = settings.public_base_url.rstrip("/")
    return LogInfo(
        origin=settings.effective_log_origin,
        vkey=transparency.log_verifier(session, settings).vkey,
        tiles_prefix=f"{base}/log",
        witness_name=settings.effective_witness_name,
        witness_vkey=transparency.witness_verifier(session, settings).vkey,
        witness_prefix=f"{base}/witness",
        witnesses=[_witness(w) for w in transparency.list_witnesses(session)],
    )


class InclusionProofPublic(ApiModel):
    index: int
    tree_size: int = Field(alias="treeSize")
    proof: list[str] = Field(description="RFC 9162 §2.1.3 inclusion path, base64 hashes.")


class ConsistencyProofPublic(ApiModel):
    first: int
    second: int
    proof: list[str] = Field(description="RFC 9162 §2.1.4 consistency path, base64 hashes.")


@router.get(
    "/log/v1/proof/inclusion",
    response_model=InclusionProofPublic,
    operation_id="getInclusionProof",
    responses=problem_responses(404),
)
def get_inclusion_proof(
    session: ReadSessionDep,
    index: Annotated[int, Query(ge=0, le=MAX_SIZE)],
    size: Annotated[int, Query(alias="treeSize", ge=1, le=MAX_SIZE)],
) -> InclusionProofPublic:
    """The inclusion proof of entry `index` in the tree of `treeSize` entries."""
    proof = transparency.inclusion_proof(session, index, size)
    return InclusionProofPublic(index=index, tree_size=size, proof=_b64(proof))


@router.get(
    "/log/v1/proof/consistency",
    response_model=ConsistencyProofPublic,
    operation_id="getConsistencyProof",
    responses=problem_responses(404),
)
def get_consistency_proof(
    session: ReadSessionDep,
    first: Annotated[int, Query(ge=0, le=MAX_SIZE)],
    second: Annotated[int, Query(ge=1, le=MAX_SIZE)],
) -> ConsistencyProofPublic:
    """The proof that the tree of `first` entries is a prefix of the tree of `second`."""
    proof = transparency.consistency_proof(session, first, second)
    return ConsistencyProofPublic(first=first, second=second, proof=_b64(proof))


class LogBundlePublic(ApiModel):
    format: str = Field(examples=["dx-log-bundle/v1"])
    origin: str
    checkpoint: str = Field(description="The signed checkpoint (with cosignatures).")
    entries: list[dict[str, Any]] = Field(
        description="`{index, entry, proof}`: the diploma's entries, base64, with inclusion "
        "proofs in the checkpoint."
    )


def _bundle(session: Any, settings: Any, digest: str) -> LogBundlePublic:
    """A checkpoint is signed on demand for a diploma not yet in one, unless one was signed
    less than a second ago (then 503 with Retry-After: anonymous callers cannot make the
    service sign a checkpoint per request)."""
    latest = transparency.latest_checkpoint(session)
    publish = latest is None or utcnow() - as_utc(latest.created_at) >= ON_DEMAND_INTERVAL
    bundle = transparency.bundle_for_digest(session, settings, digest, publish=publish)
    return LogBundlePublic(**bundle.to_json())


@router.get(
    "/log/v1/bundles/{digest}",
    response_model=LogBundlePublic,
    operation_id="getLogBundle",
    responses=problem_responses(404),
)
def get_log_bundle(digest: str, session: SessionDep, settings: SettingsDep) -> LogBundlePublic:
    """The log evidence of the diploma whose secured digest (hex SHA-256) is `digest`."""
    return _bundle(session, settings, _hex_digest(digest))


def _hex_digest(digest: str) -> str:
    value = digest.lower()
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise InvalidInput("the digest is a hex SHA-256 (64 digits)", pointer="/digest")
    return value


@router.get(
    "/v1/diplomas/{credential_id}/log-bundle",
    response_model=LogBundlePublic,
    operation_id="getDiplomaLogBundle",
    tags=["diplomas"],
)
def get_diploma_log_bundle(
    credential_id: CredentialIdPath,
    session: SessionDep,
    settings: SettingsDep,
    principal: InstitutionPrincipal,
) -> LogBundlePublic:
    """The log evidence of one of your diplomas (for its JSON download or PDF attachment)."""
    record = issuance.get_credential(session, credential_id)
    if (
        record is None
        or principal.institution is None
        or record.institution_id != principal.institution.id
    ):
        raise NotFound(f"no diploma {credential_id!r} issued by you")
    return _bundle(session, settings, record.secured_digest)


# --- the witness (c2sp.org/tlog-witness) -----------------------------------------------------

WITNESS_BODY = {
    "requestBody": {
        "required": True,
        "content": {"text/plain": {"schema": {"type": "string"}}},
    }
}


async def _raw_body(request: Request) -> bytes:
    return await request.body()


@router.post(
    "/witness/add-checkpoint",
    operation_id="witnessAddCheckpoint",
    response_class=Response,
    openapi_extra=WITNESS_BODY,
    tags=["witness"],
    responses={
        200: {"description": "Cosignature lines", "content": {TEXT: {}}},
        409: {
            "description": "The old size differs from the last cosigned size (in the body)",
            "content": {"text/x.tlog.size": {}},
        },
        **problem_responses(403, 404, 422),
    },
)
def witness_add_checkpoint(
    body: Annotated[bytes, Depends(_raw_body)], session: SessionDep, settings: SettingsDep
) -> Response:
    """Cosign a partner log's checkpoint if it is consistent with the last one seen here."""
    result = transparency.witness_add_checkpoint(session, settings, body)
    if result.outcome is Outcome.COSIGNED:
        return Response(result.body, media_type=TEXT)
    if result.outcome is Outcome.CONFLICT:
        return Response(result.body, status_code=409, media_type="text/x.tlog.size")
    from diploma_exchange.api.problems import problem

    codes = {
        Outcome.BAD_REQUEST: "invalid-checkpoint-request",
        Outcome.FORBIDDEN: "checkpoint-signature",
        Outcome.UNKNOWN_LOG: "unknown-log",
        Outcome.UNPROCESSABLE: "inconsistent-checkpoint",
    }
    return problem(result.outcome.value, codes[result.outcome], result.message)


@router.get(
    "/witness/{origin_hash}/checkpoint",
    operation_id="getWitnessedCheckpoint",
    response_class=Response,
    tags=["witness"],
    responses={
        200: {"description": "The checkpoint cosigned here", "content": {TEXT: {}}},
        **problem_responses(404),
    },
)
def get_witnessed_checkpoint(origin_hash: str, session: ReadSessionDep) -> Response:
    """The latest checkpoint this witness cosigned for the log whose origin's SHA-256 (hex)
    is `origin_hash`."""
    note = transparency.witnessed_checkpoint(session, origin_hash.lower())
    return Response(note, media_type=TEXT, headers={"Cache-Control": CHECKPOINT_CACHE})


# --- administration and monitoring ----------------------------------------------------------


class WitnessCreate(ApiModel):
    vkey: str = Field(max_length=500, description="The witness's cosignature/v1 vkey.")
    url: str = Field(max_length=500, description="Its submission prefix (https).")
    partner_did: str | None = Field(default=None, alias="partnerDid", max_length=255)


def _witness(record: Any) -> WitnessPublic:
    return WitnessPublic(
        vkey=record.vkey,
        url=record.url,
        partner_did=record.partner_did,
        last_size=record.last_size,
        last_error=record.last_error,
    )


@router.post(
    "/v1/log/witnesses",
    status_code=201,
    response_model=WitnessPublic,
    operation_id="addLogWitness",
    responses=problem_responses(409),
)
def add_log_witness(
    body: WitnessCreate, session: SessionDep, _admin: AdminPrincipal
) -> WitnessPublic:
    """Have a partner NIC witness this log (it must list this log's origin and vkey)."""
    record = transparency.add_witness(
        session, vkey=body.vkey, url=body.url, partner_did=body.partner_did
    )
    return _witness(record)


@router.get(
    "/v1/log/witnesses", response_model=list[WitnessPublic], operation_id="listLogWitnesses"
)
def list_log_witnesses(session: SessionDep, _admin: AdminPrincipal) -> list[WitnessPublic]:
    """The witnesses of this log and the size each last cosigned."""
    return [_witness(w) for w in transparency.list_witnesses(session)]


class WitnessedLogCreate(ApiModel):
    origin: str = Field(max_length=255)
    vkey: str = Field(max_length=500, description="The log's Ed25519 note vkey.")
    url: str | None = Field(default=None, max_length=500, description="Its tiles prefix.")
    partner_did: str | None = Field(default=None, alias="partnerDid", max_length=255)


class WitnessedLogPublic(ApiModel):
    origin: str
    vkey: str
    url: str | None
    partner_did: str | None = Field(alias="partnerDid")
    size: int = Field(description="The size of the last checkpoint cosigned here.")
    updated_at: UtcDateTime = Field(alias="updatedAt")


def _witnessed(record: Any) -> WitnessedLogPublic:
    return WitnessedLogPublic(
        origin=record.origin,
        vkey=record.vkey,
        url=record.url,
        partner_did=record.partner_did,
        size=record.size,
        updated_at=record.updated_at,
    )


@router.post(
    "/v1/log/witnessed-logs",
    status_code=201,
    response_model=WitnessedLogPublic,
    operation_id="addWitnessedLog",
    responses=problem_responses(409),
)
def add_witnessed_log(
    body: WitnessedLogCreate, session: SessionDep, _admin: AdminPrincipal
) -> WitnessedLogPublic:
    """Witness a partner NIC's log (and trust it when verifying its diplomas)."""
    record = transparency.add_witnessed_log(
        session, origin=body.origin, vkey=body.vkey, url=body.url, partner_did=body.partner_did
    )
    return _witnessed(record)


@router.get(
    "/v1/log/witnessed-logs",
    response_model=list[WitnessedLogPublic],
    operation_id="listWitnessedLogs",
)
def list_witnessed_logs(session: SessionDep, _admin: AdminPrincipal) -> list[WitnessedLogPublic]:
    """The partner logs this service witnesses, with the last size cosigned for each."""
    return [_witnessed(r) for r in transparency.witnessed_logs(session)]


class CheckpointPublished(ApiModel):
    tree_size: int = Field(alias="treeSize")
    checkpoint: str


@router.post(
    "/v1/log/checkpoints",
    status_code=201,
    response_model=CheckpointPublished,
    operation_id="publishLogCheckpoint",
)
def publish_log_checkpoint(
    session: SessionDep, settings: SettingsDep, _admin: AdminPrincipal
) -> CheckpointPublished:
    """Sign a checkpoint now (the publisher does so every few seconds while entries arrive)."""
    record = transparency.publish_checkpoint(session, settings)
    return CheckpointPublished(
        tree_size=record.size,
        checkpoint=transparency.checkpoint_with_cosignatures(session, record),
    )


class MonitoredIssuance(ApiModel):
    index: int
    logged_at: str = Field(alias="loggedAt")
    issuer: str
    key: str
    digest: str = Field(description="The diploma's secured digest (hex SHA-256).")


class MonitoredKeyEvent(ApiModel):
    index: int
    logged_at: str = Field(alias="loggedAt")
    key: str
    event: str
    effective: str


class MonitoredStatusChange(ApiModel):
    index: int
    logged_at: str = Field(alias="loggedAt")
    digest: str
    action: str


class MonitorProblemPublic(ApiModel):
    code: str
    message: str
    index: int | None = None


class MonitorReportPublic(ApiModel):
    institution: str
    issuers: list[str]
    origin: str
    start: int = Field(description="The first entry scanned (the size of `since`).")
    tree_size: int = Field(alias="treeSize")
    intact: bool = Field(description="Tiles, entries and consistency all verified.")
    checkpoint: str = Field(description="Pass it as `since` next time.")
    issuances: list[MonitoredIssuance]
    status_changes: list[MonitoredStatusChange] = Field(alias="statusChanges")
    key_events: list[MonitoredKeyEvent] = Field(alias="keyEvents")
    problems: list[MonitorProblemPublic]


def monitor_report(
    session: Any, settings: Any, slug: str, since: str | None
) -> MonitorReportPublic:
    """Shared by the API and the CLI."""
    from diploma_exchange.transparency.entries import format_time

    institution = institutions.get_institution(session, slug)
    start = transparency.parse_since(session, settings, since)
    report, checkpoint = transparency.monitor(session, settings, [institution.did], start)
    return MonitorReportPublic(
        institution=slug,
        issuers=[institution.did],
        origin=report.origin,
        start=report.start,
        tree_size=report.size,
        intact=report.intact,
        checkpoint=checkpoint,
        issuances=[
            MonitoredIssuance(
                index=i, logged_at=format_time(e.time), issuer=e.issuer, key=e.key, digest=e.digest
            )
            for i, e in report.issuances
        ],
        status_changes=[
            MonitoredStatusChange(
                index=i, logged_at=format_time(e.time), digest=e.digest, action=e.action
            )
            for i, e in report.status_changes
        ],
        key_events=[
            MonitoredKeyEvent(
                index=i,
                logged_at=format_time(e.time),
                key=e.key,
                event=e.event,
                effective=format_time(e.effective),
            )
            for i, e in report.key_events
        ],
        problems=[
            MonitorProblemPublic(code=p.code, message=p.message, index=p.index)
            for p in report.problems
        ],
    )


@router.get(
    "/v1/log/monitor",
    response_model=MonitorReportPublic,
    operation_id="monitorLog",
    responses=problem_responses(404),
)
def monitor_log(
    session: SessionDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
    institution: Annotated[str, Query(max_length=64, description="The institution's slug.")],
    since: Annotated[
        str | None,
        Query(
            max_length=8192,
            description="A checkpoint of this log (as returned last time) or a tree size.",
        ),
    ] = None,
) -> MonitorReportPublic:
    """Every diploma, status change and key event logged under an institution's DID since a
    checkpoint, after verifying the log (the NIC administrator, or the institution itself)."""
    if not principal.is_admin and (
        principal.institution is None or principal.institution.slug != institution
    ):
        raise Forbidden("only the NIC administrator or the institution itself can monitor it")
    return monitor_report(session, settings, institution, since)
