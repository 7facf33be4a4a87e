"""Mapping JWT claims onto the W3C VC JSON object, and the checks a JWT's own claims need.

VC Data Model 1.1 §6.3.1 ("JWT and JWS Considerations", decoding): ``exp`` ->
``expirationDate``, ``iss`` -> ``issuer``, ``nbf`` -> ``issuanceDate``, ``jti`` -> ``id``,
``sub`` -> ``credentialSubject.id``; for a presentation ``iss`` -> ``holder``. The decoding
rules say the claim's value "MUST be used to set" the property, so a claim wins over a
different value inside ``vc`` (walt.id, for one, signs an ``iss`` DID over a template's
``vc.issuer``): the credential the checks read is the decoded one, and ``format.envelope``
names every property a claim replaced. A claim that is not what it must be (a date that is
not a NumericDate) fails it. Dates are compared as instants to the second (JWT NumericDate
has no fraction); ``nbf`` may equal ``issuanceDate`` or ``validFrom`` (EBSI sets
``validFrom`` from ``nbf`` and ``issuanceDate`` from ``iat``), and ``exp`` may equal
``expirationDate`` or ``validUntil``.

VC-JOSE-COSE (VC 2.0 as the claims set) has no decoding step: there, a JWT claim that
contradicts the credential fails ``format.envelope``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from diploma_exchange.verification.dates import parse_datetime
from diploma_exchange.verification.report import Check, CheckName, failed, passed

VC_V1_CONTEXT: Final = "https://www.w3.org/2018/credentials/v1"
VC_V2_CONTEXT: Final = "https://www.w3.org/ns/credentials/v2"
#: JWT registered claims (RFC 7519 §4.1) and confirmation/status claims that are not VC
#: terms; removed from a VC-JOSE-COSE payload before it is handed on as a credential.
JWT_ONLY_CLAIMS: Final = frozenset(
    {"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "cnf", "status", "_sd_alg", "vct"}
)


def numeric_date(value: Any) -> datetime | None:
    """A JWT NumericDate (RFC 7519 §2) as an aware datetime, else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (OverflowError, OSError, ValueError):
        return None


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _same_second(text: Any, moment: datetime) -> bool:
    parsed = parse_datetime(text) if isinstance(text, str) else None
    return parsed is not None and int(parsed.timestamp()) == int(moment.timestamp())


def issuer_id(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("id"), str):
        return str(value["id"])
    return None


def contexts(document: Mapping[str, Any]) -> list[Any]:
    value = document.get("@context")
    return value if isinstance(value, list) else [value]


def vc_version(document: Mapping[str, Any]) -> str | None:
    ctx = contexts(document)
    if ctx and ctx[0] == VC_V2_CONTEXT:
        return "2.0"
    if ctx and ctx[0] == VC_V1_CONTEXT:
        return "1.1"
    return None


def map_vc_jwt(
    claims: Mapping[str, Any], member: str
) -> tuple[dict[str, Any], list[str], list[str]]:
    """Decode a VC-JWT 1.1 (``member`` = ``vc``) or VP-JWT (``vp``) into the VC/VP JSON
    object (VC Data Model 1.1 §6.3.1); return it with the problems (claims that are not what
    they must be) and the notes (properties a claim set or replaced)."""
    document = copy.deepcopy(dict(claims[member]))
    # Empty placeholders ("issuer": "", "issuanceDate": "") are what several VC-JWT issuers
    # (TBD ssi-service, walt.id) write where the JWT claim carries the value.
    for key in (
        "issuer",
        "holder",
        "id",
        "issuanceDate",
        "expirationDate",
        "validFrom",
        "validUntil",
    ):
        if document.get(key) == "" or document.get(key) == {}:
            del document[key]
    subject = document.get("credentialSubject")
    if isinstance(subject, dict) and subject.get("id") == "":
        del subject["id"]
    problems: list[str] = []
    notes: list[str] = []
    v2 = vc_version(document) == "2.0"
    is_vp = member == "vp"
    iss = claims.get("iss")
    if isinstance(iss, str):
        target = "holder" if is_vp else "issuer"
        present = issuer_id(document.get(target))
        if present is not None and present != iss:
            notes.append(f"{member}.{target} {present!r} replaced by iss {iss!r}")
            value = document[target]
            document[target] = {**value, "id": iss} if isinstance(value, dict) else iss
        elif target not in document:
            document[target] = iss
    jti = claims.get("jti")
    if isinstance(jti, str):
        if "id" in document and document["id"] != jti:
            notes.append(f"{member}.id {document['id']!r} replaced by jti {jti!r}")
        document["id"] = jti
    if not is_vp:
        _map_dates(claims, document, v2, problems, notes)
        sub = claims.get("sub")
        subject = document.get("credentialSubject")
        if isinstance(sub, str) and isinstance(subject, dict):
            if subject.get("id", sub) != sub:
                notes.append(f"credentialSubject.id {subject['id']!r} replaced by sub {sub!r}")
            subject["id"] = sub
        elif isinstance(sub, str) and isinstance(subject, list) and len(subject) == 1:
            only = subject[0]
            if isinstance(only, dict):
                if only.get("id", sub) != sub:
                    notes.append(f"credentialSubject.id {only['id']!r} replaced by sub {sub!r}")
                only["id"] = sub
    return document, problems, notes


def _map_dates(
    claims: Mapping[str, Any],
    document: dict[str, Any],
    v2: bool,
    problems: list[str],
    notes: list[str],
) -> None:
    starts = ("validFrom",) if v2 else ("issuanceDate", "validFrom")
    ends = ("validUntil",) if v2 else ("expirationDate", "validUntil")
    for claim, names in (("nbf", starts), ("exp", ends)):
        raw = claims.get(claim)
        if raw is None:
            continue
        moment = numeric_date(raw)
        if moment is None:
            problems.append(f"{claim} is not a NumericDate")
            continue
        present = [n for n in names if n in document]
        if not present:
            document[names[0]] = iso(moment)
        elif not any(_same_second(document[n], moment) for n in present):
            notes.append(
                f"{names[0]} {document.get(names[0])!r} set from {claim} {iso(moment)}"
                if names[0] in document
                else f"{names[0]} set from {claim} {iso(moment)}"
            )
            document[names[0]] = iso(moment)


def jose_payload_conflicts(payload: Mapping[str, Any]) -> list[str]:
    """VC-JOSE-COSE §3.1.2/§3.1.3: JWT claims beside a VC 2.0 payload must agree with it."""
    conflicts = []
    iss, issuer = payload.get("iss"), issuer_id(payload.get("issuer"))
    if isinstance(iss, str) and issuer is not None and iss != issuer:
        conflicts.append(f"iss is {iss!r} but issuer is {issuer!r}")
    jti = payload.get("jti")
    if isinstance(jti, str) and "id" in payload and payload["id"] != jti:
        conflicts.append(f"jti is {jti!r} but id is {payload['id']!r}")
    sub, subject = payload.get("sub"), payload.get("credentialSubject")
    if isinstance(sub, str) and isinstance(subject, Mapping) and subject.get("id", sub) != sub:
        conflicts.append(f"sub is {sub!r} but credentialSubject.id is {subject.get('id')!r}")
    return conflicts


def strip_jwt_claims(payload: Mapping[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in payload.items() if k not in JWT_ONLY_CLAIMS}


def envelope_check(conflicts: list[str], what: str, notes: list[str] | None = None) -> Check:
    """``format.envelope``: the token's own claims agree with the credential it carries (or,
    for a VC-JWT 1.1, set it, as its decoding rules say)."""
    name = CheckName.FORMAT_ENVELOPE
    if conflicts:
        return failed(
            name,
            "conflicting-claims",
            f"the {what}'s claims contradict the credential it carries: {'; '.join(conflicts)}",
            conflicts=conflicts,
        )
    if notes:
        return passed(
            name,
            "decoded-from-claims",
            f"the {what}'s claims set the credential's properties (VC Data Model 1.1 §6.3.1): "
            + "; ".join(notes),
            replaced=notes,
        )
    return passed(name, "consistent", f"the {what}'s claims agree with the credential it carries")


def jwt_time_check(
    claims: Mapping[str, Any], now: datetime, leeway: timedelta, *, what: str
) -> Check:
    """``validity.period`` from a JWT's own ``nbf``/``exp`` (for payloads that are not W3C
    VCs, e.g. SD-JWT VC, whose validity is the JWT's)."""
    name = CheckName.VALIDITY_PERIOD
    for claim in ("nbf", "exp", "iat"):
        if claim in claims and numeric_date(claims[claim]) is None:
            return failed(name, "malformed-date", f"the {what}'s {claim} is not a NumericDate")
    nbf, exp = numeric_date(claims.get("nbf")), numeric_date(claims.get("exp"))
    if nbf is not None and now + leeway < nbf:
        return failed(name, "not-yet-valid", f"the {what} is only valid from {iso(nbf)}")
    if exp is not None and now - leeway > exp:
        return failed(name, "expired", f"the {what} expired at {iso(exp)}")
    return passed(name, "within-period", f"the {what} is within its validity period")


__all__ = [
    "VC_V1_CONTEXT",
    "VC_V2_CONTEXT",
    "contexts",
    "envelope_check",
    "iso",
    "issuer_id",
    "jose_payload_conflicts",
    "jwt_time_check",
    "map_vc_jwt",
    "numeric_date",
    "strip_jwt_claims",
    "vc_version",
]
