"""Verification reports for credentials in any supported format: JSON (W3C credentials with
embedded proofs, Open Badges 2.0, Blockcerts, JAdES-sealed Europass), compact JWT and SD-JWT
strings, CBOR (COSE_Sign1), XML (XAdES-sealed Europass), and uploaded files (baked badge
images, this service's PDF diplomas and QR codes)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from diploma_exchange.api import problem_docs
from diploma_exchange.api.deps import ReadSessionDep, RemoteDep, SettingsDep
from diploma_exchange.api.limits import StrictJsonRoute
from diploma_exchange.api.routes.diplomas import read_upload
from diploma_exchange.api.schemas import VerificationReportPublic
from diploma_exchange.config import Settings
from diploma_exchange.errors import InvalidInput
from diploma_exchange.services import verification
from diploma_exchange.verification.report import select_policy
from diploma_exchange.verification.verifier import Expectations

router = APIRouter(prefix="/v1/verifications", tags=["verification"], route_class=StrictJsonRoute)

_TOKEN = {"type": "string", "description": "A compact JWS/JWT or SD-JWT (`~`-separated)."}
_BINARY = {"type": "string", "format": "binary"}
#: Media types of the credential formats accepted as a raw request body.
TEXT_MEDIA_TYPES = {
    "application/vc+jwt": "VC-JOSE-COSE: a credential secured with JOSE (compact JWS).",
    "application/vp+jwt": "VC-JOSE-COSE: a presentation secured with JOSE (compact JWS).",
    "application/jwt": "A VC Data Model 1.1 JWT (`vc`/`vp` claim: EBSI, Open Badges 3.0 JWT).",
    "application/vc+sd-jwt": "VC-JOSE-COSE / SD-JWT VC: a credential secured with SD-JWT.",
    "application/vp+sd-jwt": "VC-JOSE-COSE: a presentation secured with SD-JWT.",
    "application/dc+sd-jwt": "IETF SD-JWT VC (with an optional key-binding JWT).",
    "application/sd-jwt": "An SD-JWT (RFC 9901).",
    "application/jose": "A compact JWS (an Open Badges 2.0 signed assertion).",
    "text/plain": "Any of the compact token forms, or JSON, as text.",
}
BINARY_MEDIA_TYPES = {
    "application/vc+cose": "VC-JOSE-COSE: a credential secured with COSE (COSE_Sign1).",
    "application/cose": "A COSE_Sign1 message.",
    "application/cbor": "A COSE_Sign1 message.",
    "application/xml": "A Europass credential sealed with XAdES (XML).",
    "text/xml": "A Europass credential sealed with XAdES (XML).",
    "image/png": "An Open Badge baked into a PNG, or a photo of a diploma's QR code.",
    "image/svg+xml": "An Open Badge baked into an SVG.",
    "image/jpeg": "A photo or scan of a diploma's QR code.",
    "application/pdf": "A PDF diploma of this service (its embedded credential is verified).",
}
JSON_MEDIA_TYPES = ("application/vc+ld+json", "application/vp+ld+json", "application/ld+json")

VERIFY_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "description": 'A verifiable credential or presentation (JSON), {"verifiable'
                    'Credential": ...} (an object, an EnvelopedVerifiableCredential, or a '
                    "compact JWT/SD-JWT string), or a JSON string holding a compact JWT/SD-JWT",
                    "oneOf": [{"type": "object"}, {"type": "string"}],
                }
            },
            **{kind: {"schema": {"type": "object"}} for kind in JSON_MEDIA_TYPES},
            **{
                kind: {"schema": {**_TOKEN, "description": text}}
                for kind, text in TEXT_MEDIA_TYPES.items()
            },
            **{
                kind: {"schema": {**_BINARY, "description": text}}
                for kind, text in BINARY_MEDIA_TYPES.items()
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "description": "Any of the formats above as a file (field `file`).",
                    "properties": {"file": _BINARY},
                    "required": ["file"],
                }
            },
        },
    }
}


async def verification_document(request: Request) -> Any:
    """The credential to verify (a JSON object, or the bytes of another format), from the
    body or an uploaded file; read on the event loop, verified in the thread pool."""
    settings: Settings = request.app.state.settings
    content_type = request.headers.get("content-type", "")
    kind = problem_docs.media_type(content_type)
    if problem_docs.is_json(content_type) and await request.body():
        document = await request.json()  # already parsed strictly by StrictJsonRoute
        if isinstance(document, str):
            return document.encode("utf-8")
        if (
            isinstance(document, dict)
            and "verifiableCredential" in document
            and "@context" not in document
        ):
            inner = document["verifiableCredential"]
            return inner.encode("utf-8") if isinstance(inner, str) else inner
        return document
    if kind == "multipart/form-data":
        data, _ = await read_upload(request)
    elif (
        problem_docs.is_json(content_type) or kind in TEXT_MEDIA_TYPES or kind in BINARY_MEDIA_TYPES
    ):
        # an empty JSON body too: read_input refuses it as empty (400), never a 500
        data = await request.body()
    else:
        raise InvalidInput(
            "send the credential as JSON, as a compact JWT/SD-JWT, CBOR or XML body, or upload "
            "a file as multipart/form-data field 'file'",
            code="unsupported-media-type",
        )
    return verification.read_input(settings, data)


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
    audience: Annotated[
        str | None,
        Query(
            max_length=2048,
            description="For a presentation: the audience it must be bound to (JWT `aud`, "
            "key-binding JWT `aud`, Data Integrity `domain`); holder binding becomes required.",
        ),
    ] = None,
    nonce: Annotated[
        str | None,
        Query(
            max_length=2048,
            description="For a presentation: the nonce it must carry (`nonce`, Data Integrity "
            "`challenge`); holder binding becomes required.",
        ),
    ] = None,
) -> VerificationReportPublic:
    """Verify a diploma in any supported format and report every check; the verdict is valid,
    invalid or indeterminate, and `format` names what was received."""
    if isinstance(document, verification.QrLink):
        document = verification.fetch_link(settings, remote, document.url)
    if not isinstance(document, dict | bytes):
        raise InvalidInput("the credential must be a JSON object or a token", pointer="")
    try:
        chosen = select_policy(policy)
    except ValueError as exc:
        raise InvalidInput(str(exc), pointer="/policy", code="unknown-policy") from exc
    report = verification.verify(
        session,
        settings,
        document,
        remote=remote,
        policy=chosen,
        expect=Expectations(audience=audience, nonce=nonce),
    )
    return VerificationReportPublic.model_validate(report.to_json())
