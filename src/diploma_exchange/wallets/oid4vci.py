"""OpenID for Verifiable Credential Issuance 1.0 (final, 2025): the issuer's side, as pure
functions of their inputs.

- Credential Issuer Metadata (§12.2) and the OAuth Authorization Server Metadata it relies on
  (§12.3, RFC 8414): this service is its own authorization server (no
  ``authorization_servers``), supports only the Pre-Authorized Code grant, anonymously.
- Credential Offer (§4.1) by value and by reference, with an optional Transaction Code.
- The ``jwt`` key proof (Appendix F.1) and its verification (Appendix F.4): explicitly typed
  ``openid4vci-proof+jwt``, an asymmetric ``alg`` this issuer lists, exactly one of ``kid``
  (a did:key or did:jwk DID URL) and ``jwk`` (public members only), a valid signature,
  ``aud`` the Credential Issuer Identifier, a recent ``iat`` and a ``nonce``. Whether that
  nonce is one this issuer handed out, and unused, is the caller's (stateful) check.

Every failure is an :class:`~diploma_exchange.wallets.errors.OAuthError` with the code §8.3.1.2
prescribes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final
from urllib.parse import quote

from diploma_exchange.dids.did_jwk import resolve_did_jwk
from diploma_exchange.dids.did_key import resolve_did_key
from diploma_exchange.dids.document import split_did_url
from diploma_exchange.errors import Error
from diploma_exchange.formats.claims import numeric_date
from diploma_exchange.formats.inputs import parse_compact_jws
from diploma_exchange.formats.jose import verify_compact_signature
from diploma_exchange.formats.keys import KeyNotFound, jwk_thumbprint_did, resolve_jws_key
from diploma_exchange.verification.report import CheckStatus
from diploma_exchange.wallets.errors import OAuthError

PRE_AUTHORIZED_GRANT: Final = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
PROOF_TYP: Final = "openid4vci-proof+jwt"
OFFER_SCHEME: Final = "openid-credential-offer://"
#: Algorithms accepted for key proofs (asymmetric only; Appendix F.4).
PROOF_ALGORITHMS: Final = ("ES256", "ES384", "EdDSA", "Ed25519")
#: The binding methods of the ``ldp_vc`` configuration (credentialSubject.id is a DID).
DID_METHODS: Final = ("did:key", "did:jwk")
LDP_VC: Final = "ldp_vc"
SD_JWT_VC: Final = "dc+sd-jwt"
#: Credential configuration identifiers (keys of ``credential_configurations_supported``).
CONFIG_LDP_VC: Final = "UniversityDiploma_ldp_vc"
CONFIG_SD_JWT_VC: Final = "UniversityDiploma_dc+sd-jwt"
CONFIGURATIONS: Final = (CONFIG_LDP_VC, CONFIG_SD_JWT_VC)
FORMAT_OF: Final = {CONFIG_LDP_VC: LDP_VC, CONFIG_SD_JWT_VC: SD_JWT_VC}
MAX_PROOF_LENGTH: Final = 8 * 1024


@dataclass(frozen=True)
class Endpoints:
    """Where this issuer's endpoints are, from its Credential Issuer Identifier."""

    issuer: str

    @property
    def token(self) -> str:
        return f"{self.issuer}/oid4vci/token"

    @property
    def nonce(self) -> str:
        return f"{self.issuer}/oid4vci/nonce"

    @property
    def credential(self) -> str:
        return f"{self.issuer}/oid4vci/credential"

    @property
    def vct(self) -> str:
        return f"{self.issuer}/oid4vci/types/diploma"

    def offer(self, reference: str) -> str:
        return f"{self.issuer}/oid4vci/offers/{reference}"

    def status_list(self, list_id: str) -> str:
        return f"{self.issuer}/oid4vci/status-lists/{list_id}"


def _claims_description(locale: str = "en") -> list[dict[str, Any]]:
    """Claims description objects (§A.2.2) of both formats; paths into the credential."""

    def claim(path: list[Any], name: str) -> dict[str, Any]:
        return {"path": path, "display": [{"name": name, "locale": locale}]}

    subject = "credentialSubject"
    return [
        claim(["name"], "Qualification"),
        claim(["issuer", "name"], "Awarded by"),
        claim(["awardedDate"], "Awarded on"),
        claim([subject, "graduate", "fullName"], "Graduate"),
        claim([subject, "graduate", "dateOfBirth"], "Date of birth"),
        claim([subject, "achievement", "achievementType"], "Degree"),
        claim([subject, "achievement", "fieldOfStudy"], "Field of study"),
        claim([subject, "diplomaNumber"], "Diploma number"),
        claim([subject, "result", None, "value"], "Grade point average"),
        claim([subject, "transcript", None, "grade"], "Course grades"),
    ]


def issuer_metadata(
    endpoints: Endpoints,
    *,
    display_name: str,
    ldp_context: Sequence[Any],
    ldp_types: Sequence[str],
    cryptosuites: Sequence[str],
    sd_jwt_algs: Sequence[str],
) -> dict[str, Any]:
    """Credential Issuer Metadata (§12.2.4) with the two configurations of a diploma.

    ``credential_signing_alg_values_supported`` holds, per format (Appendix A), what the
    issuer signs with: Data Integrity cryptosuite identifiers for ``ldp_vc`` (A.1.2),
    JWS ``alg`` values for ``dc+sd-jwt`` (A.3.2)."""
    proof_types = {"jwt": {"proof_signing_alg_values_supported": list(PROOF_ALGORITHMS)}}
    display = [{"name": "University diploma", "locale": "en"}]
    return {
        "credential_issuer": endpoints.issuer,
        "credential_endpoint": endpoints.credential,
        "nonce_endpoint": endpoints.nonce,
        "display": [{"name": display_name, "locale": "en"}],
        "credential_configurations_supported": {
            CONFIG_LDP_VC: {
                "format": LDP_VC,
                "scope": "UniversityDiploma",
                "cryptographic_binding_methods_supported": list(DID_METHODS),
                "credential_signing_alg_values_supported": list(cryptosuites),
                "proof_types_supported": proof_types,
                "credential_definition": {"@context": list(ldp_context), "type": list(ldp_types)},
                "credential_metadata": {"display": display, "claims": _claims_description()},
            },
            CONFIG_SD_JWT_VC: {
                "format": SD_JWT_VC,
                "scope": "UniversityDiplomaSdJwt",
                "vct": endpoints.vct,
                "cryptographic_binding_methods_supported": ["jwk"],
                "credential_signing_alg_values_supported": list(sd_jwt_algs),
                "proof_types_supported": proof_types,
                "credential_metadata": {"display": display, "claims": _claims_description()},
            },
        },
    }


def sd_jwt_vc_type_metadata(endpoints: Endpoints) -> dict[str, Any]:
    """SD-JWT VC Type Metadata (draft-ietf-oauth-sd-jwt-vc §6) served at the ``vct`` URL:
    names for wallets to display, and which claims are selectively disclosable.

    The claim selective disclosure metadata (``sd``) is about the very claim a path selects:
    ``always`` obliges the issuer to make that claim disclosable, ``never`` forbids it. For
    the arrays whose *elements* are disclosures (transcript, results, identifiers) that is
    the element (``[..., name, null]``), not a member inside it (a course's ``grade`` is
    disclosed with its course, never alone)."""
    from diploma_exchange.wallets.sd_jwt_vc import (
        SD_ARRAY_ELEMENTS,
        SD_OBJECT_PROPERTIES,
        SD_PROPERTIES,
    )

    subject = "credentialSubject"

    def disclosable(path: Sequence[Any]) -> bool:
        # Exactly the claims sd_jwt_vc makes disclosures of (see its SD_* tables).
        if len(path) == 2:
            return path[0] == subject and path[1] in SD_PROPERTIES
        if len(path) == 3 and path[0] == subject:
            if path[1] in SD_OBJECT_PROPERTIES:
                return isinstance(path[2], str)
            return path[1] in SD_ARRAY_ELEMENTS and path[2] is None
        return False

    element_labels = {
        "identifier": "Identifier",
        "result": "Result",
        "transcript": "Course of the transcript",
    }
    described: list[tuple[list[Any], str]] = [
        ([subject, name, None], element_labels.get(name, name)) for name in SD_ARRAY_ELEMENTS
    ]
    described += [(d["path"], d["display"][0]["name"]) for d in _claims_description()]
    claims = [
        {
            "path": path,
            "display": [{"locale": "en", "label": label}],
            "sd": "always" if disclosable(path) else "never",
        }
        for path, label in described
    ]
    return {
        "vct": endpoints.vct,
        "name": "University diploma",
        "description": "A diploma issued through diploma-exchange, with its Diploma Supplement",
        "display": [{"locale": "en", "name": "University diploma"}],
        "claims": claims,
    }


def authorization_server_metadata(endpoints: Endpoints) -> dict[str, Any]:
    """RFC 8414 metadata of the authorization server this issuer is (§12.3): the
    Pre-Authorized Code grant only, without client authentication."""
    return {
        "issuer": endpoints.issuer,
        "token_endpoint": endpoints.token,
        "grant_types_supported": [PRE_AUTHORIZED_GRANT],
        "token_endpoint_auth_methods_supported": ["none"],
        "pre-authorized_grant_anonymous_access_supported": True,
    }


def tx_code_description(length: int) -> dict[str, Any]:
    return {
        "input_mode": "numeric",
        "length": length,
        "description": "The code shown on your diploma page next to this offer",
    }


def credential_offer(
    endpoints: Endpoints,
    configuration_ids: Sequence[str],
    pre_authorized_code: str,
    *,
    tx_code_length: int | None,
) -> dict[str, Any]:
    """A Credential Offer object (§4.1.1) for the Pre-Authorized Code grant."""
    grant: dict[str, Any] = {"pre-authorized_code": pre_authorized_code}
    if tx_code_length is not None:
        grant["tx_code"] = tx_code_description(tx_code_length)
    return {
        "credential_issuer": endpoints.issuer,
        "credential_configuration_ids": list(configuration_ids),
        "grants": {PRE_AUTHORIZED_GRANT: grant},
    }


def offer_by_value(offer: Mapping[str, Any]) -> str:
    """``openid-credential-offer://?credential_offer=...`` (§4.1.2)."""
    text = json.dumps(offer, separators=(",", ":"))
    return f"{OFFER_SCHEME}?credential_offer={quote(text, safe='')}"


def offer_by_reference(url: str) -> str:
    """``openid-credential-offer://?credential_offer_uri=...`` (§4.1.3)."""
    return f"{OFFER_SCHEME}?credential_offer_uri={quote(url, safe='')}"


# --- key proofs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HolderKey:
    """The wallet key a verified key proof demonstrated possession of."""

    #: The public JWK (private members never accepted).
    jwk: dict[str, Any]
    #: The DID naming that key: the ``kid``'s DID, or the did:jwk of a header ``jwk``.
    did: str
    #: The verification method (DID URL) of the key.
    method: str
    #: The proof's ``nonce`` (a c_nonce this issuer must have handed out).
    nonce: str
    issued_at: datetime


class _DidKeyOrJwk:
    """Resolves only did:key and did:jwk (pure functions of the DID: nothing is fetched)."""

    def resolve(self, did: str) -> Any:
        if did.startswith("did:key:"):
            return resolve_did_key(did)
        if did.startswith("did:jwk:"):
            return resolve_did_jwk(did)
        raise KeyNotFound("only did:key and did:jwk key identifiers are accepted")


def _invalid(message: str) -> OAuthError:
    return OAuthError("invalid_proof", message)


def verify_key_proof(
    token: object,
    *,
    audience: str,
    now: datetime,
    max_age: timedelta,
    leeway: timedelta = timedelta(seconds=60),
) -> HolderKey:
    """Verify a ``jwt`` key proof (Appendix F.1, F.4) except for the nonce's validity.

    Raises:
        OAuthError: ``invalid_proof`` for anything wrong with the proof; ``invalid_nonce``
            when it carries no nonce (the wallet must fetch one first).
    """
    if not isinstance(token, str) or not token or len(token) > MAX_PROOF_LENGTH:
        raise _invalid("a jwt key proof must be a compact JWT of at most 8 KiB")
    try:
        jws = parse_compact_jws(token, what="the key proof")
        claims = jws.payload_json("the key proof")
    except Error as exc:
        raise _invalid(exc.message) from exc
    header = jws.header
    if header.get("typ") != PROOF_TYP:
        raise _invalid(f"the key proof's typ must be {PROOF_TYP}")
    if header.get("alg") not in PROOF_ALGORITHMS:
        raise _invalid(f"the key proof's alg must be one of {', '.join(PROOF_ALGORITHMS)}")
    present = [name for name in ("kid", "jwk", "x5c") if name in header]
    if len(present) != 1:
        raise _invalid("the key proof's header must carry exactly one of kid and jwk")
    if present[0] == "x5c":
        raise _invalid("x5c key proofs are not supported; use a jwk or a did:key/did:jwk kid")
    kid = header.get("kid")
    if present[0] == "kid" and (
        not isinstance(kid, str) or not kid.startswith(DID_METHODS) or "#" not in kid
    ):
        raise _invalid("the kid must be a did:key or did:jwk DID URL naming one key")
    try:
        resolved = resolve_jws_key(header, issuer=None, resolver=_DidKeyOrJwk(), fetcher=None)
    except KeyNotFound as exc:
        raise _invalid(exc.message) from exc
    check = verify_compact_signature(token, header, resolved.key, what="key proof")
    if check.status is not CheckStatus.PASSED:
        raise _invalid(check.message)
    if claims.get("aud") != audience:
        raise _invalid(f"the key proof's aud must be the Credential Issuer Identifier {audience}")
    issued = numeric_date(claims.get("iat"))
    if issued is None:
        raise _invalid("the key proof has no numeric iat")
    if issued > now + leeway:
        raise _invalid("the key proof's iat is in the future")
    if now - issued > max_age + leeway:
        raise _invalid("the key proof is too old (iat); make a fresh one")
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise OAuthError(
            "invalid_nonce", "the key proof has no nonce; get one from the nonce endpoint"
        )
    jwk = dict(resolved.key.as_dict(private=False))
    for member in ("kid", "use", "key_ops", "alg"):
        jwk.pop(member, None)
    if resolved.method_id is not None:
        did, _ = split_did_url(resolved.method_id)
        method = resolved.method_id
    else:
        did = jwk_thumbprint_did(jwk)
        method = f"{did}#0"
    return HolderKey(jwk=jwk, did=did, method=method, nonce=nonce, issued_at=issued)
