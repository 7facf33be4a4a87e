"""Issuing diplomas (one, a JSON batch, or a CSV graduating class) and reading them back."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response

from diploma_exchange.api.deps import (
    CredentialIdPath,
    InstitutionPrincipal,
    SessionDep,
    SettingsDep,
)
from diploma_exchange.api.limits import StrictJsonRoute
from diploma_exchange.api.problem_docs import problem_responses
from diploma_exchange.api.schemas import (
    BatchIssued,
    ClaimCodePublic,
    CredentialSummary,
    DiplomaBatchCreate,
    IssuedCredential,
)
from diploma_exchange.credentials import DiplomaData, parse_graduating_class
from diploma_exchange.errors import InvalidInput, NotFound
from diploma_exchange.services import documents, issuance, sharing
from diploma_exchange.services.issuance import IssuedBatch

#: The largest ``offset`` of a listing.
MAX_OFFSET = 1_000_000_000

router = APIRouter(prefix="/v1/diplomas", tags=["diplomas"], route_class=StrictJsonRoute)

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=255,
        description="Makes a retry return the first response instead of issuing again.",
    ),
]


ReissueReason = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=issuance.MAX_REISSUE_REASON,
        description="Re-issue: a diploma already issued to the same graduate for the same "
        "programme is replaced instead of refused (409 `diploma-already-issued`): the new one "
        "records this reason and the one it replaces, which is revoked as `superseded`.",
    ),
]


def _reissue(reason: str | None) -> issuance.Reissue | None:
    return issuance.Reissue(reason) if reason is not None else None


def _claim_public(code: sharing.ClaimCode | None) -> ClaimCodePublic | None:
    if code is None:
        return None
    return ClaimCodePublic(code=code.code, url=code.url, expires_at=code.expires_at)


def _issued(
    batch: IssuedBatch,
    session: SessionDep,
    settings: SettingsDep,
    idempotency_key: str | None = None,
) -> list[IssuedCredential]:
    """The response items with the graduates' claim codes.

    Codes are stored hashed, so they cannot be read back. With an Idempotency-Key they are
    derived from the server secret, the batch and the key, so a replay answers with the same
    codes (those still unused) and changes nothing; without one every response is new.
    """
    ids = [str(c["id"]) for c in batch.credentials]
    derive = f"{batch.batch_id}\x00{idempotency_key}" if idempotency_key is not None else None
    if batch.replayed and derive is not None:
        claims = sharing.replayed_claim_codes(session, settings, derive, ids)
    else:
        claims = sharing.mint_claim_codes(
            session, settings, ids, only_unclaimed=batch.replayed, derive_from=derive
        )
    return [
        IssuedCredential(
            id=c["id"], verifiable_credential=c, claim=_claim_public(claims.get(str(c["id"])))
        )
        for c in batch.credentials
    ]


def _batch_response(
    batch: IssuedBatch,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    idempotency_key: str | None,
) -> BatchIssued:
    if batch.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return BatchIssued(
        batch_id=batch.batch_id,
        count=len(batch.credentials),
        replayed=batch.replayed,
        credentials=_issued(batch, session, settings, idempotency_key),
    )


@router.post(
    "",
    status_code=201,
    response_model=IssuedCredential,
    operation_id="issueDiploma",
    responses=problem_responses(409),
)
def issue_diploma(
    body: DiplomaData,
    session: SessionDep,
    settings: SettingsDep,
    principal: InstitutionPrincipal,
    response: Response,
    idempotency_key: IdempotencyKey = None,
    reissue_reason: ReissueReason = None,
) -> IssuedCredential:
    """Issue one signed diploma from the shared schema's input fields."""
    batch = issuance.issue_diplomas(
        session,
        settings,
        principal,
        [body],
        idempotency_key=idempotency_key,
        reissue=_reissue(reissue_reason),
    )
    if batch.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    response.headers["Location"] = f"/v1/diplomas/{batch.credentials[0]['id']}"
    return _issued(batch, session, settings, idempotency_key)[0]


@router.post(
    "/batch",
    status_code=201,
    response_model=BatchIssued,
    operation_id="issueDiplomaBatch",
    responses=problem_responses(409),
)
def issue_batch(
    body: DiplomaBatchCreate,
    session: SessionDep,
    settings: SettingsDep,
    principal: InstitutionPrincipal,
    response: Response,
    idempotency_key: IdempotencyKey = None,
    reissue_reason: ReissueReason = None,
) -> BatchIssued:
    """Issue a graduating class as one all-or-nothing batch (JSON)."""
    batch = issuance.issue_diplomas(
        session,
        settings,
        principal,
        body.diplomas,
        idempotency_key=idempotency_key,
        pointer_prefix="/diplomas",
        reissue=_reissue(reissue_reason),
    )
    return _batch_response(batch, response, session, settings, idempotency_key)


CSV_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    }
}


async def read_upload(request: Request) -> tuple[bytes, str]:
    """The uploaded bytes and content type, from a raw body or a multipart ``file`` field.

    A dependency (run on the event loop), so that the handlers using it can be plain
    ``def`` functions in the thread pool: database and CPU work must not block the loop.
    """
    field = "file"
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=5)
        upload = form.get(field)
        if upload is None or isinstance(upload, str):
            raise InvalidInput(
                f"the multipart form needs a file field named {field!r}", pointer=f"/{field}"
            )
        data = await upload.read()
        return data, upload.content_type or ""
    return await request.body(), content_type


@router.post(
    "/batch/csv",
    status_code=201,
    response_model=BatchIssued,
    operation_id="issueDiplomaBatchCsv",
    openapi_extra=CSV_BODY,
    responses=problem_responses(409),
)
def issue_batch_csv(
    upload: Annotated[tuple[bytes, str], Depends(read_upload)],
    session: SessionDep,
    settings: SettingsDep,
    principal: InstitutionPrincipal,
    response: Response,
    idempotency_key: IdempotencyKey = None,
    reissue_reason: ReissueReason = None,
) -> BatchIssued:
    """Issue a graduating class from a CSV file (columns in docs/schema.md); all-or-nothing."""
    data, _ctype = upload
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("the CSV file must be UTF-8 encoded") from exc
    rows = parse_graduating_class(
        text, max_rows=min(settings.max_csv_rows, settings.max_batch_size)
    )
    batch = issuance.issue_diplomas(
        session,
        settings,
        principal,
        rows,
        idempotency_key=idempotency_key,
        pointer_prefix="/rows",
        index_base=1,  # row numbers as the CSV parser reports them
        reissue=_reissue(reissue_reason),
    )
    return _batch_response(batch, response, session, settings, idempotency_key)


@router.get("", response_model=list[CredentialSummary], operation_id="listDiplomas")
def list_diplomas(
    session: SessionDep,
    principal: InstitutionPrincipal,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    # Bounded: a larger integer does not fit the database's BIGINT (a 500, not a 422).
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[CredentialSummary]:
    """The diplomas this institution issued, newest first."""
    if principal.institution is None:  # guaranteed by InstitutionPrincipal
        raise NotFound("no institution")
    rows = issuance.list_credentials(session, principal.institution, limit=limit, offset=offset)
    return [
        CredentialSummary(
            id=r.id,
            achievement_type=r.achievement_type,
            subject_name=r.subject_name,
            issued_at=r.issued_at,
            batch_id=r.batch_id,
        )
        for r in rows
    ]


@router.get(
    "/{credential_id}",
    response_model=dict[str, Any],
    operation_id="getDiploma",
    responses={
        200: {
            "description": "The credential exactly as signed.",
            "content": {"application/vc+ld+json": {"schema": {"type": "object"}}},
        }
    },
)
def get_diploma(
    credential_id: CredentialIdPath, session: SessionDep, principal: InstitutionPrincipal
) -> Response:
    """One issued diploma, byte for byte as signed (only to the institution that issued it)."""
    record = issuance.get_credential(session, credential_id)
    if (
        record is None
        or principal.institution is None
        or record.institution_id != principal.institution.id
    ):
        raise NotFound(f"no diploma {credential_id!r} issued by you")
    return Response(record.document, media_type="application/vc+ld+json")


@router.get(
    "/{credential_id}/diploma.pdf",
    operation_id="getDiplomaPdf",
    response_class=Response,
    responses={
        200: {
            "description": "The PDF diploma with its Diploma Supplement, sealed by the "
            "university (PAdES), with the signed credential and its transparency log bundle "
            "attached (credential.json, diploma.log.json).",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
def get_diploma_pdf(
    credential_id: CredentialIdPath,
    session: SessionDep,
    settings: SettingsDep,
    principal: InstitutionPrincipal,
) -> Response:
    """The PDF of one issued diploma (only to the institution that issued it). It prints the
    credential id, not a QR code: the QR code's link is the graduate's to make and withdraw."""
    record = issuance.get_credential(session, credential_id)
    if (
        record is None
        or principal.institution is None
        or record.institution_id != principal.institution.id
    ):
        raise NotFound(f"no diploma {credential_id!r} issued by you")
    pdf = documents.diploma_pdf(session, settings, record, verification_url=None)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="diploma.pdf"'},
    )


@router.post(
    "/{credential_id}/claim-code",
    status_code=201,
    response_model=ClaimCodePublic,
    operation_id="createClaimCode",
)
def create_claim_code(
    credential_id: CredentialIdPath,
    session: SessionDep,
    settings: SettingsDep,
    principal: InstitutionPrincipal,
) -> ClaimCodePublic:
    """A new one-time claim code for the graduate (earlier unused codes stop working)."""
    record = issuance.get_credential(session, credential_id)
    if (
        record is None
        or principal.institution is None
        or record.institution_id != principal.institution.id
    ):
        raise NotFound(f"no diploma {credential_id!r} issued by you")
    code = sharing.mint_claim_codes(session, settings, [credential_id])[credential_id]
    return ClaimCodePublic(code=code.code, url=code.url, expires_at=code.expires_at)
