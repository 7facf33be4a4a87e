"""The messages of a VC-API exchange (W3C CCG "Verifiable Credentials API", §Exchanges) as
the Learner Credential Wallet (Digital Credentials Consortium) speaks it.

- A wallet is handed an exchange URL (``protocols.vcapi``), through a QR code or link:
  ``https://lcw.app/request.html?request=<JSON>`` (the LCW universal link) or
  ``dccrequest://request?request=<JSON>`` where the JSON is
  ``{"credentialRequestOrigin": origin, "protocols": {"vcapi": url}}``; the exchange's
  interaction URL answers ``GET ...?iuv=1`` with the same ``protocols`` object.
- The wallet ``POST``s ``{}`` to the exchange URL and gets a Verifiable Presentation Request
  (W3C CCG "Verifiable Presentation Request"): a ``DIDAuthentication`` query (issuance) or a
  ``QueryByExample`` query for a diploma (verification), with ``challenge``, ``domain`` and
  ``interact.service`` naming where to answer.
- The wallet answers ``{"verifiablePresentation": VP}``: a presentation signed by its DID
  (``proofPurpose: authentication`` with the challenge and domain), with the diplomas asked
  for. An issuance exchange answers ``{"verifiablePresentation": VP}`` carrying the diploma
  bound to that DID; a verification exchange answers ``{}`` (done).

Nothing here touches the database or HTTP: the service layer stores the state.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote, urlencode, urlsplit

from diploma_exchange.errors import InvalidInput

WORKFLOW_ISSUANCE: Final = "diploma-issuance"
WORKFLOW_VERIFICATION: Final = "diploma-verification"
WORKFLOWS: Final = (WORKFLOW_ISSUANCE, WORKFLOW_VERIFICATION)
#: The single step of each workflow (the exchange's ``step``; results are kept under it).
STEP_OF: Final = {
    WORKFLOW_ISSUANCE: "didAuthentication",
    WORKFLOW_VERIFICATION: "presentDiploma",
}
#: Data Integrity suites a wallet may sign its presentation with (all this service verifies;
#: LCW signs with Ed25519Signature2020).
ACCEPTED_CRYPTOSUITES: Final = (
    "Ed25519Signature2020",
    "eddsa-rdfc-2022",
    "eddsa-jcs-2022",
    "ecdsa-rdfc-2019",
    "ecdsa-jcs-2019",
)
ACCEPTED_DID_METHODS: Final = ("key", "jwk", "web")
#: The credential type a verification exchange asks for.
DIPLOMA_TYPE: Final = "DiplomaCredential"
VC2_CONTEXT: Final = "https://www.w3.org/ns/credentials/v2"
LCW_UNIVERSAL_LINK: Final = "https://lcw.app/request.html"
LCW_DEEP_LINK: Final = "dccrequest://request"
MAX_LABEL: Final = 120


def origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def protocols(exchange_url: str) -> dict[str, Any]:
    """The ``protocols`` object of an exchange (VC-API "interaction URL")."""
    return {"vcapi": exchange_url}


def wallet_request(exchange_url: str) -> str:
    """The JSON that LCW reads from the ``request`` parameter of its links."""
    return json.dumps(
        {"credentialRequestOrigin": origin(exchange_url), "protocols": protocols(exchange_url)},
        separators=(",", ":"),
    )


def lcw_link(exchange_url: str) -> str:
    """The Learner Credential Wallet's universal link (what the QR code holds)."""
    return f"{LCW_UNIVERSAL_LINK}?request={quote(wallet_request(exchange_url), safe='')}"


def lcw_deep_link(exchange_url: str) -> str:
    """The same request as LCW's ``dccrequest://`` deep link (opens the app directly)."""
    return f"{LCW_DEEP_LINK}?request={quote(wallet_request(exchange_url), safe='')}"


def lcw_direct_link(exchange_url: str, challenge: str) -> str:
    """The older LCW link for issuance (``vc_request_url`` + ``challenge``): the wallet skips
    the request and posts its DID authentication straight to the exchange."""
    return f"{LCW_UNIVERSAL_LINK}?" + urlencode(
        {
            "issuer": origin(exchange_url),
            "auth_type": "bearer",
            "challenge": challenge,
            "vc_request_url": exchange_url,
        }
    )


def _interact(exchange_url: str) -> dict[str, Any]:
    return {
        "service": [
            {"type": "VerifiableCredentialApiExchangeService", "serviceEndpoint": exchange_url},
            {"type": "UnmediatedPresentationService2021", "serviceEndpoint": exchange_url},
        ]
    }


def did_authentication_request(exchange_url: str, *, challenge: str, domain: str) -> dict[str, Any]:
    """A Verifiable Presentation Request for DID Authentication (VPR spec §DID
    Authentication): prove control of a DID, to which the diploma will be bound."""
    return {
        "query": [
            {
                "type": "DIDAuthentication",
                "acceptedMethods": [{"method": m} for m in ACCEPTED_DID_METHODS],
                "acceptedCryptosuites": [{"cryptosuite": c} for c in ACCEPTED_CRYPTOSUITES],
            }
        ],
        "challenge": challenge,
        "domain": domain,
        "interact": _interact(exchange_url),
    }


def diploma_request(
    exchange_url: str, *, challenge: str, domain: str, reason: str
) -> dict[str, Any]:
    """A Verifiable Presentation Request for a diploma (``QueryByExample``), signed by the
    holder's DID (a ``DIDAuthentication`` query alongside)."""
    return {
        "query": [
            {
                "type": "QueryByExample",
                "credentialQuery": [
                    {
                        "reason": reason,
                        "example": {"type": [DIPLOMA_TYPE]},
                        "acceptedCryptosuites": [{"cryptosuite": c} for c in ACCEPTED_CRYPTOSUITES],
                    }
                ],
            },
            {
                "type": "DIDAuthentication",
                "acceptedMethods": [{"method": m} for m in ACCEPTED_DID_METHODS],
                "acceptedCryptosuites": [{"cryptosuite": c} for c in ACCEPTED_CRYPTOSUITES],
            },
        ],
        "challenge": challenge,
        "domain": domain,
        "interact": _interact(exchange_url),
    }


def presentation_of(credentials: list[dict[str, Any]]) -> dict[str, Any]:
    """The (unsigned) presentation an issuance exchange answers with: the VC-API
    ``ExchangeParticipationResponse`` carries credentials in a ``verifiablePresentation``."""
    return {
        "@context": [VC2_CONTEXT],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": credentials,
    }


@dataclass(frozen=True)
class Participation:
    """What a wallet posted to an exchange: nothing yet (``presentation`` None: it asks what
    is expected) or its presentation."""

    presentation: dict[str, Any] | None


def parse_participation(body: object) -> Participation:
    """The body of ``POST /workflows/{w}/exchanges/{e}`` (VC-API participateInExchange).

    Raises:
        InvalidInput: not an object, unknown members (``exchange-body``), a presentation that
            is not an object (``exchange-presentation``), or a presentation request, which
            this service does not answer (``exchange-request-unsupported``).
    """
    if body is None:
        return Participation(None)
    if not isinstance(body, Mapping):
        raise InvalidInput("the body must be a JSON object", code="exchange-body")
    if "verifiablePresentationRequest" in body:
        raise InvalidInput(
            "this exchange asks for a presentation; it does not answer presentation requests",
            pointer="/verifiablePresentationRequest",
            code="exchange-request-unsupported",
        )
    unknown = sorted(k for k in body if k != "verifiablePresentation")
    if unknown:
        raise InvalidInput(
            f'unknown member {unknown[0][:64]!r}; post {{}} or {{"verifiablePresentation": ...}}',
            pointer=f"/{unknown[0][:64]}",
            code="exchange-body",
        )
    if "verifiablePresentation" not in body:
        return Participation(None)
    presentation = body["verifiablePresentation"]
    if not isinstance(presentation, Mapping):
        raise InvalidInput(
            "verifiablePresentation must be a JSON object (a Data Integrity presentation)",
            pointer="/verifiablePresentation",
            code="exchange-presentation",
        )
    return Participation(dict(presentation))


def holder_of(presentation: Mapping[str, Any]) -> str | None:
    """The presentation's ``holder`` as a DID (a string, or an object's ``id``)."""
    holder = presentation.get("holder")
    if isinstance(holder, Mapping):
        holder = holder.get("id")
    return holder if isinstance(holder, str) and holder.startswith("did:") else None


def presented_credentials(presentation: Mapping[str, Any]) -> list[Any]:
    """The presentation's ``verifiableCredential`` member as a list."""
    value = presentation.get("verifiableCredential")
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def subject_ids(credential: Any) -> list[str | None]:
    """``credentialSubject.id`` of each subject of a credential (None where absent)."""
    if not isinstance(credential, Mapping):
        return [None]
    subjects = credential.get("credentialSubject")
    subjects = subjects if isinstance(subjects, list) else [subjects]
    return [
        s.get("id") if isinstance(s, Mapping) and isinstance(s.get("id"), str) else None
        for s in subjects
    ]


def subject_binding(presentation: Mapping[str, Any]) -> str:
    """Whether the presented credentials are about the holder: ``bound`` (every subject id
    is the holder's DID), ``unbound`` (some name no subject id), ``mismatch`` (some name
    another subject) or ``none`` (no credentials)."""
    holder = holder_of(presentation)
    credentials = presented_credentials(presentation)
    if not credentials:
        return "none"
    ids = [i for c in credentials for i in subject_ids(c)]
    if any(i is not None and i != holder for i in ids):
        return "mismatch"
    if any(i is None for i in ids):
        return "unbound"
    return "bound"


def has_diploma(presentation: Mapping[str, Any]) -> bool:
    """Whether a presented credential is a diploma (the query's example)."""
    for credential in presented_credentials(presentation):
        if isinstance(credential, Mapping):
            types = credential.get("type")
            types = types if isinstance(types, list) else [types]
            if DIPLOMA_TYPE in types:
                return True
    return False
