"""Verification reports for credentials posted as JSON or uploaded as a ``.json`` file."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from diploma_exchange import strict_json
from diploma_exchange.api import problem_docs
from diploma_exchange.api.deps import ReadSessionDep, RemoteDep, SettingsDep
from diploma_exchange.api.limits import StrictJsonRoute
from diploma_exchange.api.routes.diplomas import read_upload
from diploma_exchange.api.schemas import VerificationReportPublic
from diploma_exchange.config import Settings
from diploma_exchange.errors import InvalidInput
from diploma_exchange.services import verification
from diploma_exchange.verification.report import select_policy

router = APIRouter(prefix="/v1/verifications", tags=["verification"], route_class=StrictJsonRoute)

VERIFY_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "description": 'A verifiable credential, or {"verifiableCredential": ...}',
                }
            },
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


async def verification_document(request: Request) -> Any:
    """The credential to verify, from a JSON body or an uploaded ``.json`` file (read on the
    event loop; the verification itself runs in the thread pool)."""
    settings: Settings = request.app.state.settings
    content_type = request.headers.get("content-type", "")
    document: Any
    if problem_docs.is_json(content_type):
        document = await request.json()  # already parsed strictly by StrictJsonRoute
    elif problem_docs.media_type(content_type) == "multipart/form-data":
        data, _ = await read_upload(request)
        document = strict_json.loads_storable(
            data, max_bytes=settings.max_body_bytes, max_depth=settings.max_json_depth
        )
    else:
        raise InvalidInput(
            "send the credential as application/json or upload a .json file as multipart/form-data "
            "field 'file'",
            code="unsupported-media-type",
        )
    return document


@router.post(
    "",
    response_model=VerificationReportPublic,
    operation_id="createVerification",
    openapi_extra=VERIFY_BODY,
)
def create_verification(
    document: Annotated[Any, Depends(verification_document)],
    session: ReadSessionDep,
    settings: SettingsDep,
    remote: RemoteDep,
    policy: Annotated[
        str | None,
        Query(
            description="Verification policy: `default` (authenticity, status, validity, accreditation by a trusted NIC) or `authenticity`."
        ),
    ] = None,
) -> VerificationReportPublic:
    """Verify a diploma and report every check; the verdict is valid, invalid or indeterminate."""
    if (
        isinstance(document, dict)
        and "verifiableCredential" in document
        and "@context" not in document
    ):
        document = document["verifiableCredential"]
    if not isinstance(document, dict):
        raise InvalidInput("the credential must be a JSON object", pointer="")
    try:
        chosen = select_policy(policy)
    except ValueError as exc:
        raise InvalidInput(str(exc), pointer="/policy", code="unknown-policy") from exc
    report = verification.verify(session, settings, document, remote=remote, policy=chosen)
    return VerificationReportPublic.model_validate(report.to_json())
