"""An SD-JWT VC (IETF draft-ietf-oauth-sd-jwt-vc, RFC 9901 SD-JWT) of a signed diploma, for
the OpenID4VCI ``dc+sd-jwt`` format: the same claims as the Data Integrity diploma, with the
graduate's personal data and grades selectively disclosable, bound to the wallet's key
(``cnf.jwk``), signed by the institution's key and pointing at an IETF Token Status List
entry so that revoking or suspending the diploma reaches this copy too.

Selectively disclosable (each separately):

- ``credentialSubject.graduate``: every property (full name, patronymic, date of birth);
- ``credentialSubject.identifier``: every element (student number, name);
- ``credentialSubject.diplomaNumber``;
- ``credentialSubject.result``: every element (GPA);
- ``credentialSubject.transcript``: every element (course and grade).

Everything else (qualification, institution, dates, programme) is always disclosed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final

#: credentialSubject properties whose own properties are disclosable one by one.
SD_OBJECT_PROPERTIES: Final = ("graduate",)
#: credentialSubject arrays whose elements are disclosable one by one.
SD_ARRAY_ELEMENTS: Final = ("identifier", "result", "transcript")
#: credentialSubject properties disclosable as a whole.
SD_PROPERTIES: Final = ("diplomaNumber",)
#: Top-level members of the VC not carried (the SD-JWT has its own proof, status, issuer).
_DROPPED: Final = frozenset({"@context", "proof", "credentialStatus", "credentialSchema"})
SD_JWT_TYP: Final = "dc+sd-jwt"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class _Discloser:
    def __init__(self, salt: Callable[[], str]) -> None:
        self._salt = salt
        self.disclosures: list[str] = []

    def _digest(self, array: list[Any]) -> str:
        text = b64url(_json(array))
        self.disclosures.append(text)
        return b64url(hashlib.sha256(text.encode("ascii")).digest())

    def property(self, name: str, value: Any) -> str:
        return self._digest([self._salt(), name, value])

    def element(self, value: Any) -> dict[str, str]:
        return {"...": self._digest([self._salt(), value])}


def _random_salt() -> str:
    return b64url(secrets.token_bytes(16))


def _seconds(value: Any) -> int | None:
    if not isinstance(value, str):
        return None
    try:
        return int(datetime.fromisoformat(value).timestamp())
    except ValueError:
        return None


def sd_jwt_vc_claims(
    credential: Mapping[str, Any],
    *,
    issuer: str,
    vct: str,
    holder_jwk: Mapping[str, Any],
    status_uri: str,
    status_index: int,
    issued_at: datetime,
    salt: Callable[[], str] = _random_salt,
) -> tuple[dict[str, Any], list[str]]:
    """The issuer-signed claims and the disclosures of the diploma ``credential``."""
    discloser = _Discloser(salt)
    body = {k: v for k, v in credential.items() if k not in _DROPPED}
    issuer_value = body.pop("issuer", None)
    if isinstance(issuer_value, Mapping):
        body["issuer"] = {k: v for k, v in issuer_value.items() if k != "id"}
    subject = dict(credential.get("credentialSubject") or {})
    hidden: list[str] = []
    for name in SD_OBJECT_PROPERTIES:
        value = subject.get(name)
        if isinstance(value, Mapping):
            inner_sd = [discloser.property(k, v) for k, v in value.items() if k != "type"]
            kept: dict[str, Any] = {k: v for k, v in value.items() if k == "type"}
            kept["_sd"] = sorted(inner_sd)
            subject[name] = kept
    for name in SD_ARRAY_ELEMENTS:
        value = subject.get(name)
        if isinstance(value, list):
            subject[name] = [discloser.element(item) for item in value]
    for name in SD_PROPERTIES:
        if name in subject:
            hidden.append(discloser.property(name, subject.pop(name)))
    if hidden:
        subject["_sd"] = sorted(hidden)
    body["credentialSubject"] = subject
    claims: dict[str, Any] = {
        "iss": issuer,
        "iat": int(issued_at.timestamp()),
        "vct": vct,
        "cnf": {"jwk": dict(holder_jwk)},
        "status": {"status_list": {"idx": status_index, "uri": status_uri}},
        "_sd_alg": "sha-256",
        **body,
    }
    valid_from = _seconds(credential.get("validFrom"))
    if valid_from is not None:
        claims["nbf"] = valid_from
    valid_until = _seconds(credential.get("validUntil"))
    if valid_until is not None:
        claims["exp"] = valid_until
    return claims, discloser.disclosures


def sign_compact(
    header: Mapping[str, Any], claims: Mapping[str, Any], sign: Callable[[bytes], bytes]
) -> str:
    """A compact JWS of ``claims`` signed by ``sign`` (raw signature bytes, as JWS wants
    them: Ed25519's 64 bytes, or r||s for ECDSA)."""
    signing_input = f"{b64url(_json(dict(header)))}.{b64url(_json(dict(claims)))}"
    return f"{signing_input}.{b64url(sign(signing_input.encode('ascii')))}"


def issue_sd_jwt_vc(
    credential: Mapping[str, Any],
    *,
    issuer: str,
    kid: str,
    alg: str,
    sign: Callable[[bytes], bytes],
    vct: str,
    holder_jwk: Mapping[str, Any],
    status_uri: str,
    status_index: int,
    issued_at: datetime,
) -> str:
    """``<issuer-signed JWT>~<disclosure>~...~`` (RFC 9901 §4), every disclosure included."""
    claims, disclosures = sd_jwt_vc_claims(
        credential,
        issuer=issuer,
        vct=vct,
        holder_jwk=holder_jwk,
        status_uri=status_uri,
        status_index=status_index,
        issued_at=issued_at,
    )
    jwt = sign_compact({"alg": alg, "typ": SD_JWT_TYP, "kid": kid}, claims, sign)
    return "~".join([jwt, *disclosures]) + "~"
