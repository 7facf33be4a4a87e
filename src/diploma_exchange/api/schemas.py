"""API request/response models (``XCreate`` / ``XPublic``); credentials stay plain JSON objects."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from diploma_exchange.credentials import DiplomaData
from diploma_exchange.credentials.models import LANGUAGE_TAG_RE
from diploma_exchange.db.models import as_utc
from diploma_exchange.documents.signatories import Signatories, Signatory
from diploma_exchange.services.institutions import SLUG_RE

#: A stored time in a response: always with its offset (SQLite hands back naive datetimes,
#: which would serialise without one and break the documented ``date-time`` format).
UtcDateTime = Annotated[datetime, AfterValidator(as_utc)]


class ApiModel(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")


class Health(ApiModel):
    status: Literal["ok"]
    database: Literal["ok"]
    version: str


#: An institution key type (proofs.keys.KeyType), as the API names it.
KeyTypeName = Literal["Ed25519", "P-256", "P-384"]


class InstitutionCreate(ApiModel):
    slug: str = Field(
        description="Short lowercase identifier; becomes part of the did:web.",
        examples=["kaznu"],
        # enforced by services.institutions (400 invalid-input, with the rule in words)
        json_schema_extra={"pattern": SLUG_RE.pattern, "maxLength": 64, "minLength": 1},
    )
    name: str = Field(
        min_length=1, max_length=255, examples=["Al-Farabi Kazakh National University"]
    )
    name_translations: dict[
        Annotated[str, StringConstraints(pattern=LANGUAGE_TAG_RE, max_length=35)],
        Annotated[str, StringConstraints(min_length=1, max_length=255)],
    ] = Field(
        default_factory=dict,
        alias="nameTranslations",
        max_length=20,
        examples=[{"kk": "Әл-Фараби атындағы ҚазҰУ"}],
    )
    country_code: str = Field(default="KZ", alias="countryCode", pattern=r"^[A-Z]{2}$")
    url: str | None = Field(default=None, max_length=255)
    signatories: Signatories = Field(
        default_factory=list,
        description="The officials who sign its diplomas (printed on the PDF), at most three.",
    )
    key_type: KeyTypeName = Field(
        default="Ed25519",
        alias="keyType",
        description="The type of its issuing key: Ed25519 signs diplomas with eddsa-jcs-2022 + "
        "eddsa-rdfc-2022 and wallet SD-JWT VCs with EdDSA; P-256 or P-384 with "
        "ecdsa-jcs-2019 + ecdsa-rdfc-2019 and ES256 or ES384. Every institution also has an "
        "Ed25519 key for the service's own signatures.",
    )


class SignatoriesUpdate(ApiModel):
    signatories: Signatories = Field(
        description="The officials who sign its diplomas (printed on the PDF), at most three; "
        "an empty list removes them."
    )


class InstitutionPublic(ApiModel):
    slug: str
    did: str
    name: str
    name_translations: dict[str, str] = Field(alias="nameTranslations")
    signatories: list[Signatory] = Field(default_factory=list)
    country_code: str = Field(alias="countryCode")
    url: str | None
    kind: str
    active: bool
    did_document_url: str = Field(alias="didDocumentUrl")
    key_type: KeyTypeName = Field(
        alias="keyType",
        description="The type of its issuing key (the key of its credentials and status lists).",
    )


class ApiKeyCreate(ApiModel):
    label: str = Field(default="", max_length=255)


class ApiKeyCreated(ApiModel):
    id: str
    label: str
    api_key: str = Field(
        alias="apiKey", description="The secret. Shown once: it is stored only as a digest."
    )


class InstitutionCreated(ApiModel):
    institution: InstitutionPublic
    api_key: ApiKeyCreated = Field(alias="apiKey")


class DiplomaBatchCreate(ApiModel):
    diplomas: list[DiplomaData] = Field(min_length=1)


class ClaimCodePublic(ApiModel):
    """A one-time code for the graduate to claim the diploma's private page. Shown only
    once (stored hashed): hand it to the graduate through your own channels."""

    code: str = Field(examples=["K7M2Q-8ZT4W-0PXDR-3HV9B-CE61N"])
    url: str = Field(description="The claim page with the code filled in.")
    expires_at: UtcDateTime = Field(alias="expiresAt")


class IssuedCredential(ApiModel):
    id: str
    verifiable_credential: dict[str, Any] = Field(alias="verifiableCredential")
    claim: ClaimCodePublic | None = Field(
        default=None,
        description="The graduate's claim code; absent on a replay for a diploma already claimed.",
    )


class BatchIssued(ApiModel):
    batch_id: str = Field(alias="batchId")
    count: int
    replayed: bool = Field(description="True when an Idempotency-Key replayed an earlier response.")
    credentials: list[IssuedCredential]


class CredentialSummary(ApiModel):
    id: str
    achievement_type: str = Field(alias="achievementType")
    subject_name: str = Field(alias="subjectName")
    issued_at: UtcDateTime = Field(alias="issuedAt")
    batch_id: str | None = Field(alias="batchId")


class CheckPublic(ApiModel):
    name: str = Field(examples=["proof.signature"])
    status: Literal["passed", "failed", "skipped", "error"]
    code: str
    message: str
    mandatory: bool = Field(description="Whether the verification policy requires this check.")
    details: dict[str, Any] | None = None
    waived: bool | None = Field(
        default=None,
        description="A required check not looked up because someone accountable vouched for "
        "its answer (the message says who).",
    )


class FormatPublic(ApiModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)
    name: str = Field(
        description="Stable format name: vc-data-integrity, vp-data-integrity, vc-jwt, vp-jwt, "
        "vc-jose, vp-jose, vc-sd-jwt, vc-cose, sd-jwt-vc, open-badges-2, open-badges-3, "
        "blockcerts, europass-edc, diploma-pdf, diploma-qr, status-list-token, unknown.",
        examples=["vc-data-integrity", "vc-jwt", "sd-jwt-vc"],
    )
    version: str | None = Field(
        default=None, description="Version of the format or of the data model inside."
    )
    label: str | None = Field(default=None, description="The format in words.")
    media_type: str | None = Field(default=None, alias="mediaType")
    container: str | None = Field(
        default=None, description="How it was packaged (png, svg, jws-json, xml...)."
    )
    securing: str | None = Field(
        default=None,
        description="The securing mechanism: data-integrity, jws, vc-jwt, sd-jwt, cose, "
        "merkle-proof-2017/2019, jades, xades, hosted, signed.",
    )
    data_model: str | None = Field(
        default=None,
        alias="dataModel",
        description="The data model of the payload (w3c-vc-1.1, w3c-vc-2.0, sd-jwt-vc, ob-2.0, "
        "edc...).",
    )


class VerificationReportPublic(ApiModel):
    verdict: Literal["valid", "invalid", "indeterminate"] = Field(
        description="valid: every mandatory check passed on exactly the signed data; invalid: a "
        "check failed (forged, altered, expired, revoked, not issued by its issuer...); "
        "indeterminate: something could not be checked (unknown issuer, unsupported format, "
        "unreachable key or status list), with the reason in the checks."
    )
    credential_id: str | None = Field(alias="credentialId")
    issuer: str | None
    checked_at: str = Field(alias="checkedAt")
    policy: str = Field(description="The verification policy that decided the verdict.")
    format: FormatPublic | None = Field(
        default=None, description="What was received, e.g. a W3C VC with Data Integrity proofs."
    )
    checks: list[CheckPublic]
    credentials: list[VerificationReportPublic] | None = Field(
        default=None,
        description="For a presentation: the report of each credential inside (the "
        "presentation's checks combine theirs, worst first; see presentation.credentials).",
    )


# --- W3C VC-API ------------------------------------------------------------------------------


class IssueOptions(ApiModel):
    model_config = ConfigDict(populate_by_name=True, extra="allow")
    credential_id: str | None = Field(default=None, alias="credentialId", max_length=255)
    cryptosuite: str | None = Field(
        default=None,
        max_length=64,
        description="The Data Integrity cryptosuite: eddsa-jcs-2022 or eddsa-rdfc-2022 "
        "(signed by the institution's Ed25519 key), ecdsa-rdfc-2019 or ecdsa-jcs-2019 (its "
        "P-256 or P-384 key), ecdsa-sd-2023 (a selective-disclosure base proof by its P-256 "
        "key, for the holder to derive from). Default: the suite of the institution's issuing key type "
        "(eddsa-jcs-2022 for Ed25519, ecdsa-jcs-2019 for P-256/P-384).",
        examples=["eddsa-rdfc-2022", "ecdsa-rdfc-2019"],
    )
    mandatory_pointers: list[str] | None = Field(
        default=None,
        alias="mandatoryPointers",
        max_length=64,
        description="ecdsa-sd-2023 only: JSON pointers (RFC 6901) to the statements every "
        "disclosure must reveal. Default: /id, /type, /issuer, /validFrom, /validUntil, "
        "/credentialStatus (those present).",
        examples=[["/issuer", "/credentialSubject/degree"]],
    )
    envelope: str | None = Field(
        default=None,
        max_length=64,
        description="Secure the credential with an enveloping proof instead of an embedded "
        "Data Integrity proof: `application/vc+jwt` (W3C VC-JOSE-COSE §3.1.1: a compact JWS "
        "whose payload is the credential, header `typ` `vc+jwt`, `cty` `vc`, `alg` of the "
        "institution's key, EdDSA/ES256/ES384, `kid` its DID's verification method). The "
        "response's `verifiableCredential` is then an `EnvelopedVerifiableCredential` (VC Data "
        "Model 2.0 §4.13.1) whose `id` is `data:application/vc+jwt,<JWS>`. VC 2.0 credentials "
        "only; not with `cryptosuite`. Any other value: 400 `unsupported-envelope`.",
        examples=["application/vc+jwt"],
    )


class IssueCredentialRequest(ApiModel):
    credential: dict[str, Any]
    options: IssueOptions | None = None


class IssueCredentialResponse(ApiModel):
    verifiable_credential: dict[str, Any] = Field(alias="verifiableCredential")


class VerifyOptions(ApiModel):
    model_config = ConfigDict(populate_by_name=True, extra="allow")


class VerifyCredentialRequest(ApiModel):
    verifiable_credential: dict[str, Any] | str = Field(
        alias="verifiableCredential",
        description="The credential: a JSON object (embedded proof, or a VC-JOSE-COSE "
        "EnvelopedVerifiableCredential whose id is a data: URL), or a compact JWT / SD-JWT "
        "string (VC-JOSE-COSE, VC-JWT, SD-JWT VC).",
    )
    options: VerifyOptions | None = None


class VerifyPresentationRequest(ApiModel):
    verifiable_presentation: dict[str, Any] | str = Field(
        alias="verifiablePresentation",
        description="The presentation: a JSON object with a Data Integrity proof, an "
        "EnvelopedVerifiablePresentation, or a compact JWT / SD-JWT string.",
    )
    options: VerifyOptions | None = None


class VerifyCredentialResponse(ApiModel):
    verified: bool
    checks: list[str]
    warnings: list[dict[str, Any]] = Field(default_factory=list)
    errors: list[dict[str, Any]] = Field(default_factory=list)
    report: VerificationReportPublic


# --- errors ----------------------------------------------------------------------------------


class ProblemItem(BaseModel):
    """One of several problems in a request (``errors`` of a problem details document)."""

    model_config = ConfigDict(extra="allow")
    pointer: str | None = Field(
        default=None, description="RFC 6901 JSON pointer into the request, when known."
    )
    detail: str
    code: str | None = None


class ProblemDetails(BaseModel):
    """RFC 9457 problem details (``application/problem+json``). Extension members such as
    ``limit``, ``key``, ``retryAfter`` or a verification ``report`` may appear too."""

    model_config = ConfigDict(extra="allow")
    type: str = Field(examples=["https://w3id.org/diploma-exchange/problems/not-found"])
    title: str
    status: int = Field(ge=400, le=599)
    detail: str = Field(description="What was wrong and what to do about it.")
    code: str = Field(description="Stable machine-readable code (the end of `type`).")
    instance: str | None = None
    pointer: str | None = Field(
        default=None, description="RFC 6901 JSON pointer to the faulty part of the request."
    )
    errors: list[ProblemItem] | None = None
