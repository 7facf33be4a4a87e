"""OpenID for Verifiable Presentations 1.0 (final): this service as a verifier, as pure
functions.

- A DCQL query (§6) asking for a diploma and the claims a verifier needs.
- The Request Object (§5, JAR RFC 9101, ``typ`` ``oauth-authz-req+jwt``) fetched by the
  wallet from ``request_uri``; Response Mode ``direct_post`` (§8.2) to ``response_uri``. The
  Client Identifier uses the ``decentralized_identifier`` prefix (§5.9.3): the service's own
  did:web, whose key signs the Request Object; a wallet's holder binding must name that full
  Client Identifier as its audience (§14.1.2) and the request's nonce.
- The shape of the ``vp_token`` (§8.1): a JSON object keyed by the Credential Query ids, each
  an array of presentations (one unless ``multiple``).
- Which requested claims a presentation disclosed (claims path pointers, §7).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final
from urllib.parse import quote

from diploma_exchange.errors import InvalidInput
from diploma_exchange.proofs.keys import JWS_ALGORITHMS
from diploma_exchange.proofs.suites import SUITES, VERIFY_ONLY_SUITES
from diploma_exchange.wallets.errors import OAuthError
from diploma_exchange.wallets.oid4vci import PROOF_ALGORITHMS

REQUEST_TYP: Final = "oauth-authz-req+jwt"
CLIENT_ID_PREFIX: Final = "decentralized_identifier:"
SCHEME: Final = "openid4vp://"
CREDENTIAL_QUERY_ID: Final = "diploma"
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_VP_TOKEN_BYTES: Final = 512 * 1024
#: JWS algs of the issuer-signed JWT of an SD-JWT VC this verifier checks: those of every
#: institution key type (ES256, ES384, EdDSA) and the fully specified Ed25519 (RFC 9864).
SD_JWT_ALGORITHMS: Final = (*dict.fromkeys(JWS_ALGORITHMS.values()), "Ed25519")
#: JWS algs of holders' key-binding JWTs (asymmetric only: never ``none`` or HS*), the same
#: as OpenID4VCI key proofs.
KB_JWT_ALGORITHMS: Final = PROOF_ALGORITHMS
#: Data Integrity cryptosuites this verifier checks (issued ones and ecdsa-sd-2023 derived
#: proofs).
CRYPTOSUITES: Final = (*SUITES, *VERIFY_ONLY_SUITES)

#: Claims a verifier can ask for, by name: their claims path pointers in the diploma (the
#: same paths in the SD-JWT VC and in the W3C credential).
FIELDS: Final[Mapping[str, tuple[str | int | None, ...]]] = {
    "qualification": ("name",),
    "awarded_by": ("issuer", "name"),
    "awarded_on": ("awardedDate",),
    "degree": ("credentialSubject", "achievement", "achievementType"),
    "field_of_study": ("credentialSubject", "achievement", "fieldOfStudy"),
    "full_name": ("credentialSubject", "graduate", "fullName"),
    "date_of_birth": ("credentialSubject", "graduate", "dateOfBirth"),
    "diploma_number": ("credentialSubject", "diplomaNumber"),
    "gpa": ("credentialSubject", "result", None, "value"),
    "transcript": ("credentialSubject", "transcript"),
}
DEFAULT_FIELDS: Final = ("qualification", "awarded_by", "degree", "full_name")
#: The ``type_values`` of an ``ldp_vc`` Credential Query (§B.1.1): "the fully expanded types
#: (IRIs) after the @context was applied", not the compact terms of the credential's ``type``
#: (a wallet matches them against the expanded ``@type``). ``VerifiableCredential`` from the
#: VC 2.0 context, ``DiplomaCredential`` from https://w3id.org/diploma-exchange/v1.
LDP_TYPE_VALUES: Final = (
    (
        "https://www.w3.org/2018/credentials#VerifiableCredential",
        "https://w3id.org/diploma-exchange/vocab#DiplomaCredential",
    ),
)


def dcql_query(fields: Sequence[str], *, formats: Sequence[str], vct: str) -> dict[str, Any]:
    """A DCQL query for one diploma with the named ``fields`` (see :data:`FIELDS`), in the
    first of ``formats`` the wallet holds (a credential set of alternatives).

    Raises:
        InvalidInput: unknown field or format (``presentation-request-fields``).
    """
    unknown = [f for f in fields if f not in FIELDS]
    if unknown or not fields or len(set(fields)) != len(fields):
        raise InvalidInput(
            f"ask for one or more distinct fields among {', '.join(FIELDS)}",
            code="presentation-request-fields",
        )
    claims = [{"id": f, "path": list(FIELDS[f])} for f in fields]
    queries: list[dict[str, Any]] = []
    for fmt in formats:
        if fmt == "dc+sd-jwt":
            meta: dict[str, Any] = {"vct_values": [vct]}
        elif fmt == "ldp_vc":
            meta = {"type_values": [list(types) for types in LDP_TYPE_VALUES]}
        else:
            raise InvalidInput(
                "formats are dc+sd-jwt and ldp_vc", code="presentation-request-fields"
            )
        suffix = "" if fmt == "dc+sd-jwt" else "_ldp"
        queries.append(
            {"id": CREDENTIAL_QUERY_ID + suffix, "format": fmt, "meta": meta, "claims": claims}
        )
    if not queries:
        raise InvalidInput("ask for at least one format", code="presentation-request-fields")
    query: dict[str, Any] = {"credentials": queries}
    if len(queries) > 1:
        query["credential_sets"] = [{"options": [[q["id"]] for q in queries]}]
    return query


def client_id(verifier_did: str) -> str:
    return CLIENT_ID_PREFIX + verifier_did


def request_object_claims(
    *,
    verifier_did: str,
    response_uri: str,
    nonce: str,
    state: str,
    query: Mapping[str, Any],
    now: datetime,
    lifetime: timedelta,
) -> dict[str, Any]:
    """The payload of the Request Object (§5.1, §8.2, JAR). Its ``vp_formats_supported``
    (§11.1, Appendix B) lists what this verifier checks: issuer-signed JWTs and key-binding
    JWTs with any of :data:`SD_JWT_ALGORITHMS` / :data:`KB_JWT_ALGORITHMS`, Data Integrity
    proofs with the cryptosuites of :data:`CRYPTOSUITES`."""
    return {
        "client_id": client_id(verifier_did),
        "response_type": "vp_token",
        "response_mode": "direct_post",
        "response_uri": response_uri,
        "nonce": nonce,
        "state": state,
        "dcql_query": dict(query),
        "client_metadata": {
            "vp_formats_supported": {
                "dc+sd-jwt": {
                    "sd-jwt_alg_values": list(SD_JWT_ALGORITHMS),
                    "kb-jwt_alg_values": list(KB_JWT_ALGORITHMS),
                },
                "ldp_vc": {
                    "proof_type_values": ["DataIntegrityProof"],
                    "cryptosuite_values": list(CRYPTOSUITES),
                },
            }
        },
        "aud": "https://self-issued.me/v2",
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
    }


def authorization_request(verifier_did: str, request_uri: str) -> str:
    """The link or QR code content that starts the wallet (§5.10, ``request_uri``)."""
    return (
        f"{SCHEME}?client_id={quote(client_id(verifier_did), safe='')}"
        f"&request_uri={quote(request_uri, safe='')}"
    )


@dataclass(frozen=True)
class Presented:
    """One presentation from the ``vp_token``, by its Credential Query."""

    query_id: str
    format: str
    presentation: str | dict[str, Any]


def parse_vp_token(value: object, query: Mapping[str, Any]) -> list[Presented]:
    """The presentations of a ``vp_token`` (§8.1) answering ``query``.

    Raises:
        OAuthError: ``invalid_request`` for a malformed token, an unknown query id, several
            presentations where ``multiple`` is false, or no answer to any query.
    """
    if not isinstance(value, str) or not value or len(value) > MAX_VP_TOKEN_BYTES:
        raise OAuthError("invalid_request", "vp_token must be a JSON object (at most 512 KiB)")
    try:
        token = json.loads(value)
    except ValueError as exc:
        raise OAuthError("invalid_request", "vp_token is not JSON") from exc
    if not isinstance(token, dict) or not token:
        raise OAuthError("invalid_request", "vp_token must be a non-empty JSON object")
    queries = {q["id"]: q for q in query.get("credentials", []) if isinstance(q, Mapping)}
    out: list[Presented] = []
    for query_id, items in token.items():
        if not isinstance(query_id, str) or query_id not in queries:
            raise OAuthError("invalid_request", f"vp_token answers no query named {query_id!r}")
        spec = queries[query_id]
        if not isinstance(items, list) or not items:
            raise OAuthError("invalid_request", "each vp_token entry must be a non-empty array")
        if len(items) > 1 and not spec.get("multiple", False):
            raise OAuthError("invalid_request", f"{query_id} allows one presentation")
        for item in items:
            if spec["format"] == "dc+sd-jwt" and not isinstance(item, str):
                raise OAuthError("invalid_request", "an SD-JWT presentation must be a string")
            if spec["format"] == "ldp_vc" and not isinstance(item, dict):
                raise OAuthError("invalid_request", "an ldp_vc presentation must be an object")
            out.append(Presented(query_id, spec["format"], item))
    return out


def _select(node: Any, path: Sequence[str | int | None]) -> list[Any]:
    """Claims path pointer processing (§7.1): the selected elements (empty: not present)."""
    current = [node]
    for component in path:
        selected: list[Any] = []
        for item in current:
            if isinstance(component, str) and isinstance(item, Mapping) and component in item:
                selected.append(item[component])
            elif component is None and isinstance(item, list):
                selected.extend(item)
            elif (
                isinstance(component, int) and isinstance(item, list) and 0 <= component < len(item)
            ):
                selected.append(item[component])
        current = selected
    return current


def missing_claims(document: Mapping[str, Any], query: Mapping[str, Any]) -> list[str]:
    """Ids (or paths) of the Credential Query's claims that ``document`` does not contain."""
    missing = []
    for claim in query.get("claims", []):
        if not _select(document, claim["path"]):
            missing.append(str(claim.get("id") or claim["path"]))
    return missing


def valid_id(value: str) -> bool:
    return bool(_ID.match(value))
